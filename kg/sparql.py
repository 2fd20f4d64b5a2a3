"""The SPARQL endpoint's logic, apart from HTTP: what a query is, which format to answer in, and
how to turn a store's raw answer into that format.

Stores answer user queries in one interchange form each (`kg.store.RawResult`): TSV for
SELECT (one solution per line, so a row cap is a line count and a stream can be cut),
a boolean for ASK, N-Triples for CONSTRUCT/DESCRIBE. pyoxigraph's parsers and serialisers
(Rust) turn that into what the client asked for.

`inspect()` reads just enough of a query to route it — its form, whether it is an update,
whether it names a SERVICE or its own dataset — without a full parse: the store's parser
reports syntax errors with its own message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import orjson
import pyoxigraph as ox

from kg.model import KgError
from kg.store import RawResult

QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
UPDATE_KEYWORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH")

# Strings, IRIs and comments are skipped before looking for keywords, so a keyword inside a
# literal (`"SERVICE"`), an IRI or a comment does not count. IRIREF is the grammar's
# production: `?a < ?b` is not an IRI because IRIs cannot hold spaces.
_SKIP = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n\r]|\\.)*"'
    r"|'(?:[^'\\\n\r]|\\.)*'"
    r'|<[^<>"{}|^`\\\x00-\x20]*>'
    r"|#[^\n\r]*",
    re.DOTALL,
)
# a bare word: not a variable (?x $x), not part of a prefixed name (ex:select, select:x)
_WORD = re.compile(r"(?<![\w?$:@\-.])([A-Za-z]+)(?![\w:\-])")


class SparqlError(KgError):
    """A query the endpoint cannot answer; `status` is the HTTP status to answer with."""

    status = 400


class SparqlSyntaxError(SparqlError):
    status = 400


class QueryRefused(SparqlError):
    status = 403


class QueryTimeout(SparqlError):
    status = 503


class StoreBusy(SparqlError):
    status = 503


class StoreUnavailable(SparqlError):
    status = 502


class NotAcceptable(SparqlError):
    status = 406


@dataclass(frozen=True)
class QueryInfo:
    form: str | None  # SELECT, ASK, CONSTRUCT, DESCRIBE; None for an update or unknown text
    is_update: bool
    has_service: bool
    has_dataset: bool  # FROM or FROM NAMED in the query itself
    loads: bool  # an update with LOAD (fetches a document from a URL)


def keywords(text: str) -> list[str]:
    """The bare words of a query, upper-cased, outside strings, IRIs and comments."""
    return [m.group(1).upper() for m in _WORD.finditer(_SKIP.sub(" ", text))]


def inspect(text: str) -> QueryInfo:
    words = keywords(text)
    form: str | None = None
    is_update = False
    for w in words:
        if w in QUERY_FORMS:
            form = w
            break
        if w in UPDATE_KEYWORDS:
            is_update = True
            break
    return QueryInfo(
        form=form,
        is_update=is_update,
        has_service="SERVICE" in words,
        has_dataset="FROM" in words,
        loads=is_update and "LOAD" in words,
    )


# -- formats -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Format:
    name: str
    media: str  # the Content-Type sent
    kind: str  # "results" (SELECT/ASK) or "graph" (CONSTRUCT/DESCRIBE)
    aliases: tuple[str, ...] = ()  # other media types a client may ask for it by


RESULT_FORMATS = (
    Format("json", "application/sparql-results+json", "results", ("application/json",)),
    Format("xml", "application/sparql-results+xml", "results", ("application/xml", "text/xml")),
    Format("csv", "text/csv; charset=utf-8", "results"),
    Format("tsv", "text/tab-separated-values; charset=utf-8", "results"),
)
GRAPH_FORMATS = (
    Format("turtle", "text/turtle; charset=utf-8", "graph", ("application/x-turtle",)),
    Format("ntriples", "application/n-triples", "graph", ("text/plain",)),
    Format("jsonld", "application/ld+json", "graph", ("application/json",)),
    Format("rdfxml", "application/rdf+xml", "graph", ("application/xml", "text/xml")),
)
FORMAT_PARAM = {
    "results": {
        "json": "json",
        "srj": "json",
        "xml": "xml",
        "srx": "xml",
        "csv": "csv",
        "tsv": "tsv",
    },
    "graph": {
        "turtle": "turtle",
        "ttl": "turtle",
        "nt": "ntriples",
        "ntriples": "ntriples",
        "n-triples": "ntriples",
        "jsonld": "jsonld",
        "json-ld": "jsonld",
        "json": "jsonld",
        "rdfxml": "rdfxml",
        "rdf": "rdfxml",
        "xml": "rdfxml",
    },
}
_OX_RESULTS = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}
_OX_GRAPH = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "rdfxml": ox.RdfFormat.RDF_XML,
}


def formats_for(form: str) -> tuple[Format, ...]:
    return GRAPH_FORMATS if form in ("CONSTRUCT", "DESCRIBE") else RESULT_FORMATS


def _media_ranges(accept: str) -> list[tuple[str, float]]:
    ranges = []
    for part in accept.split(","):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        q = 1.0
        for param in fields[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        ranges.append((media, max(0.0, min(q, 1.0))))
    return ranges


def _quality(ranges: list[tuple[str, float]], media: str) -> tuple[float, int]:
    """The q-value the most specific matching range gives `media`, and that specificity."""
    kind = media.split("/")[0]
    best: tuple[int, float] | None = None
    for rng, q in ranges:
        if rng == media:
            spec = 3
        elif rng == f"{kind}/*":
            spec = 2
        elif rng == "*/*":
            spec = 1
        else:
            continue
        if best is None or spec > best[0]:
            best = (spec, q)
    return (best[1], best[0]) if best else (0.0, 0)


def negotiate(form: str, accept: str | None, format_param: str | None = None) -> Format:
    """The answer format: the `format` parameter if given, else the best of the Accept header.

    Among equally acceptable formats the server's order decides (JSON, then XML, CSV, TSV;
    Turtle, then N-Triples, JSON-LD, RDF/XML). A missing Accept header means `*/*`.
    """
    candidates = formats_for(form)
    kind = candidates[0].kind
    if format_param:
        wanted = format_param.strip().lower()
        name = FORMAT_PARAM[kind].get(wanted)
        if name is None:
            for f in candidates:
                if wanted in (f.media.split(";")[0], *f.aliases):
                    name = f.name
        if name is None:
            choices = ", ".join(sorted(FORMAT_PARAM[kind]))
            raise SparqlError(
                f"format={format_param!r} is not a format for a {form} query; use one of {choices}"
            )
        return next(f for f in candidates if f.name == name)
    ranges = _media_ranges(accept or "*/*") or [("*/*", 1.0)]
    best: tuple[float, int, int] | None = None
    chosen: Format | None = None
    for order, f in enumerate(candidates):
        for media in (f.media.split(";")[0], *f.aliases):
            q, spec = _quality(ranges, media)
            if q <= 0:
                continue
            # exact names beat aliases and wildcards at the same q
            key = (q, spec if media == f.media.split(";")[0] else spec - 1, -order)
            if best is None or key > best:
                best, chosen = key, f
    if chosen is None:
        offered = ", ".join(f.media.split(";")[0] for f in candidates)
        raise NotAcceptable(
            f"none of the Accept header's types can carry a {form} result; offered: {offered}"
        )
    return chosen


# -- converting a store's raw answer -------------------------------------------------------


def ask_bytes(value: bool, fmt: Format) -> bytes:
    doc = orjson.dumps({"head": {}, "boolean": value})
    if fmt.name == "json":
        return doc
    parsed = ox.parse_query_results(doc, ox.QueryResultsFormat.JSON)
    return parsed.serialize(format=_OX_RESULTS[fmt.name]) or b""


def select_bytes(tsv: bytes, fmt: Format) -> bytes:
    if fmt.name == "tsv":
        return tsv
    try:
        parsed = ox.parse_query_results(tsv, ox.QueryResultsFormat.TSV)
    except SyntaxError as exc:  # a store that answered something else than TSV
        raise StoreUnavailable(f"the store's TSV answer could not be read: {exc}") from exc
    return parsed.serialize(format=_OX_RESULTS[fmt.name]) or b""


def graph_bytes(ntriples: bytes, fmt: Format) -> bytes:
    if fmt.name == "ntriples":
        return ntriples
    triples = [q.triple for q in ox.parse(ntriples, ox.RdfFormat.N_TRIPLES)]
    if fmt.name == "jsonld":
        from kg.jsonld import to_jsonld

        return orjson.dumps(to_jsonld(triples))
    from kg.store import prefix_map

    prefixes = prefix_map() if fmt.name in ("turtle", "rdfxml") else None
    return ox.serialize(triples, format=_OX_GRAPH[fmt.name], prefixes=prefixes) or b""


def tsv_line(values: list[Any]) -> str:
    """One TSV result row; pyoxigraph terms print in the N-Triples syntax TSV uses."""
    return "\t".join("" if v is None else str(v) for v in values)


def render(raw: RawResult, fmt: Format) -> bytes:
    """A store's raw answer in the client's format."""
    if raw.form == "ASK":
        return ask_bytes(raw.data.strip() == b"true", fmt)
    if raw.form == "SELECT":
        return select_bytes(raw.data, fmt)
    return graph_bytes(raw.data, fmt)
