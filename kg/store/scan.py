"""Reading big SELECT answers out of a store fast: TSV bytes, decoded by hand, in pages.

The in-memory indexes (kg.read.labels, kg.read.graph_index) read whole predicates at once
(tens of thousands of rows per scan on a 2-million-quad store). Turning every solution into
pyoxigraph terms and dicts costs more than the store's own work, so the answer is taken
as TSV (serialised in Rust in-process, or sent as is by a server) and split here.

A scan is read in pages of `LIMIT page_rows OFFSET k` so that each request stays below a
server's time limit and row cap. Pages carry no ORDER BY: sorting a whole predicate costs
thirty times the scan on Oxigraph, and stores return the same plan's rows in the same order.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from kg.store.base import Store

DEFAULT_PAGE_ROWS = 200_000

_ESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))")
_SIMPLE = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


def _unescape(match: re.Match[str]) -> str:
    code = match.group(1) or match.group(2)
    if code:
        return chr(int(code, 16))
    return _SIMPLE.get(match.group(3), match.group(0))


def term(cell: str) -> tuple[str, str] | None:
    """A TSV cell → (lexical value or IRI, language tag or ""); None when unbound.

    Blank nodes keep their `_:` prefix, so they never look like an entity IRI.
    """
    if not cell:
        return None
    first = cell[0]
    if first == "<":
        return cell[1:-1], ""
    if first == '"':
        end = cell.rfind('"')
        value = cell[1:end]
        if "\\" in value:
            value = _ESCAPE.sub(_unescape, value)
        rest = cell[end + 1 :]
        return value, rest[1:] if rest.startswith("@") else ""
    return cell, ""  # a bare number or boolean, or a blank node


def _lines(data: bytes) -> list[str]:
    text = data.decode("utf-8")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line[:-1] if line.endswith("\r") else line for line in lines[1:]]  # no header


def pages(store: Store, query: str, page_rows: int = DEFAULT_PAGE_ROWS) -> Iterator[list[str]]:
    """The TSV lines (without the header) of every solution of `query` (a SELECT without
    LIMIT), one list per page."""
    offset = 0
    while True:
        paged = f"{query}\nLIMIT {page_rows} OFFSET {offset}" if page_rows > 0 else query
        lines = _lines(store.select_tsv(paged))
        yield lines
        if page_rows <= 0 or len(lines) < page_rows:
            return
        offset += page_rows


def rows(store: Store, query: str, page_rows: int = DEFAULT_PAGE_ROWS) -> Iterator[list[str]]:
    """The raw TSV cells of every solution of `query`."""
    for lines in pages(store, query, page_rows):
        for line in lines:
            yield line.split("\t")


def value(cell: str) -> str | None:
    """A TSV cell's IRI or lexical form; None when unbound."""
    if cell[:1] == "<":
        return cell[1:-1]
    decoded = term(cell)
    return decoded[0] if decoded else None


def values(store: Store, query: str, page_rows: int = DEFAULT_PAGE_ROWS) -> Iterator[list[str | None]]:
    """Every solution of `query` as the values of its cells (IRIs without <>, literals'
    lexical forms, None for unbound)."""
    for cells in rows(store, query, page_rows):
        yield [c[1:-1] if c[:1] == "<" else value(c) for c in cells]
