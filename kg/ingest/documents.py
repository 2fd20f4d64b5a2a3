"""Press releases distributed as documents: PDF, HWPX (and a clear refusal of HWP 5).

Ministries publish 보도자료 as PDF and as Hancom HWPX/HWP files. Their text goes through
the same metadata reading as a plain-text post (title, 보도일/배포일, publisher), with the
document's own metadata (PDF /Title, HWPX <opf:title>) taking precedence for the title.

- PDF: pypdf (pure Python, maintained); a PDF without a text layer is an error, not an
  empty post.
- HWPX: an OWPML zip package, read by kg.ingest.hwpx within a budget of inflated bytes
  (against zip bombs and lying size fields).
- HWP 5 (binary OLE compound file): no maintained Python package reads it (pyhwp has not
  been released since 2016 and is AGPL), so it is refused with an "unsupported format"
  error that says how to convert it.
"""

from __future__ import annotations

import contextlib
import io
import logging
from collections.abc import Iterator
from pathlib import Path

from kg.ingest.decode import NotText, read_limited
from kg.ingest.hwpx import BadHwpx, hwpx_text
from kg.ingest.text import post_from_text
from kg.model import InputError, Post

MAX_PAGES = 500
log = logging.getLogger(__name__)
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class BadDocument(ValueError):
    """The document is broken, encrypted, empty or of a kind kg cannot read."""


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextlib.contextmanager
def _pypdf_said(source: str) -> Iterator[None]:
    """pypdf logs what it repaired in a broken PDF without saying which file it was reading;
    its messages are held back and logged again as `warning: FILE: pypdf: …`."""
    logger = logging.getLogger("pypdf")
    collect = _Collect()
    propagate = logger.propagate
    logger.addHandler(collect)
    logger.propagate = False
    try:
        yield
    finally:
        logger.removeHandler(collect)
        logger.propagate = propagate
        for message in dict.fromkeys(collect.messages):
            log.warning("warning: %s: pypdf: %s", source, message)


def pdf_text(data: bytes, source: str = "PDF") -> tuple[str, str | None]:
    """The text of every page (pages separated by blank lines) and the /Title, if any."""
    if not data.lstrip().startswith(b"%PDF"):
        raise BadDocument("not a PDF (no %PDF header)")
    with _pypdf_said(source):
        return _pdf_text(data)


def _pdf_text(data: bytes) -> tuple[str, str | None]:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

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


def document_to_post(data: bytes, kind: str, post_id: str, source: str, url: str | None = None) -> Post:
    """A PDF or HWPX press release as a Post. Raises BadDocument."""
    if not data.strip():
        raise BadDocument("empty")
    if kind == "pdf":
        text, title = pdf_text(data, source)
    elif kind == "hwpx":
        try:
            text, title = hwpx_text(data)
        except BadHwpx as exc:
            raise BadDocument(str(exc)) from None
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
