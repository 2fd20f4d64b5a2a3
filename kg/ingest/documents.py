"""Press releases distributed as documents: PDF, HWPX (and a clear refusal of HWP 5).

Ministries publish 보도자료 as PDF and as Hancom HWPX/HWP files. Their text goes through
the same metadata reading as a plain-text post (title, 보도일/배포일, publisher), with the
document's own metadata (PDF /Title, HWPX <opf:title>) taking precedence for the title.

- PDF: pypdf (pure Python, maintained); a PDF without a text layer is an error, not an
  empty post.
- HWPX: an OWPML zip package; paragraphs are `<hp:p>` elements of Contents/section*.xml,
  their text the `<hp:t>` runs. Read with zipfile + ElementTree, with limits against zip
  bombs.
- HWP 5 (binary OLE compound file): no maintained Python package reads it (pyhwp has not
  been released since 2016 and is AGPL), so it is refused with an "unsupported format"
  error that says how to convert it.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree

from kg.ingest.decode import MAX_BYTES, NotText, read_limited
from kg.ingest.text import post_from_text
from kg.model import InputError, Post

MAX_PAGES = 500
MAX_UNZIPPED = 4 * MAX_BYTES  # all sections of an HWPX together
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_SECTION = re.compile(r"^Contents/section(\d+)\.xml$")
_HWPX_MIME = "application/hwp+zip"


class BadDocument(ValueError):
    """The document is broken, encrypted, empty or of a kind kg cannot read."""


def pdf_text(data: bytes) -> tuple[str, str | None]:
    """The text of every page (pages separated by blank lines) and the /Title, if any."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    if not data.lstrip().startswith(b"%PDF"):
        raise BadDocument("not a PDF (no %PDF header)")
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise BadDocument("encrypted PDF")
        if len(reader.pages) > MAX_PAGES:
            raise BadDocument(f"too many pages ({len(reader.pages)}; the limit is {MAX_PAGES})")
        pages = [page.extract_text() or "" for page in reader.pages]
        meta = reader.metadata
        title = str(meta.title).strip() if meta is not None and meta.title else None
    except BadDocument:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError) as exc:
        raise BadDocument(f"broken PDF ({type(exc).__name__}: {exc})") from None
    text = "\n\n".join(p.strip() for p in pages if p.strip())
    if not text.strip():
        raise BadDocument("PDF has no text layer (a scanned image?); kg reads text PDFs only")
    return text, title or None


def hwpx_text(data: bytes) -> tuple[str, str | None]:
    """Paragraph text of every section in order, and the <opf:title>, if any."""
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise BadDocument("broken HWPX (not a zip package)") from None
    with package:
        names = package.namelist()
        if "mimetype" in names and package.read("mimetype").strip().decode("ascii", "replace") != _HWPX_MIME:
            raise BadDocument("not an HWPX package (wrong mimetype)")
        sections = sorted((int(m.group(1)), n) for n in names if (m := _SECTION.match(n)))
        if not sections:
            raise BadDocument("broken HWPX (no Contents/section*.xml)")
        total = sum(package.getinfo(n).file_size for _, n in sections)
        if total > MAX_UNZIPPED:
            raise BadDocument(f"HWPX sections too large unpacked ({total / 1e6:.0f} MB)")
        try:
            paragraphs = [p for _, name in sections for p in _hwpx_paragraphs(package.read(name))]
            title = (
                _hwpx_title(package.read("Contents/content.hpf")) if "Contents/content.hpf" in names else None
            )
        except (ElementTree.ParseError, zipfile.BadZipFile, EOFError, ValueError) as exc:
            raise BadDocument(f"broken HWPX ({exc})") from None
    text = "\n".join(paragraphs).strip()
    if not text:
        raise BadDocument("HWPX has no text")
    return text, title


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _hwpx_paragraphs(xml: bytes) -> Iterator[str]:
    root = ElementTree.fromstring(xml)
    for element in root.iter():
        if _local(element.tag) != "p":
            continue
        # a paragraph's own runs only: nested paragraphs (table cells) are visited on their own
        parts: list[str] = []
        for run in element:
            if _local(run.tag) != "run":
                continue
            for piece in run:
                name = _local(piece.tag)
                if name == "t":
                    parts.append("".join(piece.itertext()))
                elif name in ("tab",):
                    parts.append("\t")
        line = "".join(parts).strip()
        if line:
            yield line


def _hwpx_title(xml: bytes) -> str | None:
    root = ElementTree.fromstring(xml)
    for element in root.iter():
        if _local(element.tag) == "title" and (element.text or "").strip():
            return (element.text or "").strip()
    return None


def document_to_post(data: bytes, kind: str, post_id: str, source: str, url: str | None = None) -> Post:
    """A PDF or HWPX press release as a Post. Raises BadDocument."""
    if not data.strip():
        raise BadDocument("empty")
    if kind == "pdf":
        text, title = pdf_text(data)
    elif kind == "hwpx":
        text, title = hwpx_text(data)
    elif kind == "hwp":
        raise BadDocument(hwp_refusal(data))
    else:
        raise BadDocument(f"unsupported format {kind}")
    meta = {"title": title} if title else {}
    if url:
        meta["url"] = url
    return post_from_text(post_id, text, source, meta)


def hwp_refusal(data: bytes) -> str:
    if data.startswith(OLE_MAGIC):
        return "unsupported format: HWP 5 binary document; save it as HWPX or PDF and ingest that"
    return "unsupported format: not an HWP 5 document either (no OLE signature)"


def read_document(path: Path) -> Iterator[Post | InputError]:
    kind = path.suffix.lower().lstrip(".")
    try:
        yield document_to_post(read_limited(path), kind, path.stem, str(path))
    except (NotText, BadDocument) as exc:
        yield InputError(str(path), str(exc))
