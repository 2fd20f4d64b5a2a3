"""HWPX (OWPML) press releases: paragraph text and title, read within a byte budget.

An HWPX file is a zip package; paragraphs are `<hp:p>` elements of Contents/section*.xml,
their text the `<hp:t>` runs, the title `<opf:title>` in Contents/content.hpf. A zip declares
the sizes of its members, but nothing makes it tell the truth, and a small file can inflate
to gigabytes (issue 12 measured 2.2 GB of memory for a 1.5 MB file). So every member that is
read — the mimetype, each section, content.hpf — is inflated in chunks and parsed as it
arrives (an XML pull parser; finished elements are dropped), and the bytes actually inflated
are counted against one budget for the whole package. Past the budget reading stops with an
error naming the limit; memory stays near one chunk plus the text kept.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Iterator
from typing import Any
from xml.etree import ElementTree

from kg.ingest.decode import MAX_BYTES

MAX_INFLATED = 4 * MAX_BYTES  # everything read from one package, after inflating
MAX_TEXT = MAX_BYTES  # the text kept (the limit of a text file)
MAX_NESTING = 1000  # open XML elements (press releases nest tables a few levels deep)
CHUNK = 256 * 1024
HWPX_MIME = "application/hwp+zip"
_SECTION = re.compile(r"^Contents/section(\d+)\.xml$")


class BadHwpx(ValueError):
    """Broken, not HWPX, empty, or larger than the budget."""


class _Budget:
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0

    def take(self, n: int, name: str) -> None:
        self.used += n
        if self.used > self.limit:
            raise BadHwpx(
                f"HWPX too large unpacked (over {self.limit // 2**20} MB when reading {name}; "
                "a zip bomb or not a press release)"
            )


def _chunks(package: zipfile.ZipFile, name: str, budget: _Budget) -> Iterator[bytes]:
    with package.open(name) as member:
        while chunk := member.read(CHUNK):
            budget.take(len(chunk), name)
            yield chunk


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _stream(
    package: zipfile.ZipFile,
    name: str,
    budget: _Budget,
    on_end: Callable[[ElementTree.Element, list[ElementTree.Element], int], bool],
) -> None:
    """Parse a member as it inflates; `on_end(element, open_ancestors, start_index)` sees
    every element as it closes (`start_index`: its place in document order) and returns True
    to stop. A finished element is detached from its parent (except inside a text run), so
    only the open path stays in memory."""
    parser: Any = ElementTree.XMLPullParser(events=("start", "end"))
    path: list[ElementTree.Element] = []
    starts: list[int] = []
    seen = 0
    for chunk in _chunks(package, name, budget):
        parser.feed(chunk)
        for event, element in parser.read_events():
            assert isinstance(element, ElementTree.Element)
            if event == "start":
                if len(path) >= MAX_NESTING:
                    raise BadHwpx(f"HWPX {name} nests elements deeper than {MAX_NESTING} levels")
                path.append(element)
                starts.append(seen)
                seen += 1
                continue
            path.pop()
            if on_end(element, path, starts.pop()):
                return
            # a text run keeps its children: their tails are its text (`a<lineBreak/>b`)
            if path and _local(path[-1].tag) != "t" and len(path[-1]) and path[-1][-1] is element:
                del path[-1][-1]
    parser.close()


def _section_lines(
    package: zipfile.ZipFile, name: str, budget: _Budget, section: int, out: list[tuple[int, int, str]]
) -> None:
    """Append (section, document order, line) for every paragraph of a section. A paragraph's
    line is its own runs' text (`<hp:t>`, `<hp:tab/>`); paragraphs nested in it (table cells)
    have lines of their own."""
    parts: dict[int, list[str]] = {}  # id of an open paragraph -> its pieces so far
    kept = sum(len(line) for _, _, line in out)

    def on_end(element: ElementTree.Element, path: list[ElementTree.Element], index: int) -> bool:
        nonlocal kept
        name = _local(element.tag)
        if name in ("t", "tab") and len(path) >= 2 and _local(path[-1].tag) == "run":
            paragraph = path[-2]
            if _local(paragraph.tag) == "p":
                piece = "".join(element.itertext()) if name == "t" else "\t"
                parts.setdefault(id(paragraph), []).append(piece)
        elif name == "p":
            # a paragraph's runs were read as they closed
            line = "".join(parts.pop(id(element), [])).strip()
            if line:
                kept += len(line)
                if kept > MAX_TEXT:
                    raise BadHwpx(f"HWPX text too long (over {MAX_TEXT // 2**20} MB of text)")
                out.append((section, index, line))
        if not (path and _local(path[-1].tag) == "t"):
            element.clear()
        return False

    _stream(package, name, budget, on_end)


def _title(package: zipfile.ZipFile, budget: _Budget) -> str | None:
    found: list[str] = []

    def on_end(element: ElementTree.Element, path: list[ElementTree.Element], index: int) -> bool:
        if _local(element.tag) == "title" and (element.text or "").strip():
            found.append((element.text or "").strip())
            return True
        element.clear()
        return False

    _stream(package, "Contents/content.hpf", budget, on_end)
    return found[0] if found else None


def hwpx_text(data: bytes) -> tuple[str, str | None]:
    """Paragraph text of every section in order, and the <opf:title>, if any."""
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise BadHwpx("broken HWPX (not a zip package)") from None
    budget = _Budget(MAX_INFLATED)
    with package:
        names = package.namelist()
        try:
            if "mimetype" in names:
                mime = b"".join(_chunks_limited(package, "mimetype", budget, 256))
                if mime.strip().decode("ascii", "replace") != HWPX_MIME:
                    raise BadHwpx("not an HWPX package (wrong mimetype)")
            sections = sorted((int(m.group(1)), n) for n in names if (m := _SECTION.match(n)))
            if not sections:
                raise BadHwpx("broken HWPX (no Contents/section*.xml)")
            lines: list[tuple[int, int, str]] = []
            for number, name in sections:
                _section_lines(package, name, budget, number, lines)
            title = _title(package, budget) if "Contents/content.hpf" in names else None
        except (ElementTree.ParseError, zipfile.BadZipFile, EOFError, ValueError, RuntimeError) as exc:
            if isinstance(exc, BadHwpx):
                raise
            raise BadHwpx(f"broken HWPX ({exc})") from None
    text = "\n".join(line for _, _, line in sorted(lines)).strip()
    if not text:
        raise BadHwpx("HWPX has no text")
    return text, title


def _chunks_limited(package: zipfile.ZipFile, name: str, budget: _Budget, most: int) -> Iterator[bytes]:
    """A small member (the mimetype): at most `most` bytes are read."""
    with package.open(name) as member:
        data = member.read(most + 1)
    budget.take(len(data), name)
    if len(data) > most:
        raise BadHwpx(f"not an HWPX package ({name} is not a media type)")
    yield data
