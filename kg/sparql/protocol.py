"""The SPARQL endpoint's logic, apart from HTTP: what a query is, which format to answer in, and
how to turn a store's raw answer into that format.

Stores answer user queries in one interchange form each (`kg.store.base.RawResult`): TSV for
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

import mimeparse
import orjson
import pyoxigraph as ox

from kg.sparql.jsonld import to_jsonld
from kg.store.base import (
    Dataset,
    NotAcceptable,
    RawResult,
    SparqlError,
    SparqlSyntaxError,
    Store,
    StoreUnavailable,
    prefix_map,
)

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
    """An answer format: pyoxigraph's format, the `format=` names a client may use for it and
    the other media types a client may ask for it by."""

    name: str
    oxformat: ox.RdfFormat | ox.QueryResultsFormat
    kind: str  # "results" (SELECT/ASK) or "graph" (CONSTRUCT/DESCRIBE)
    aliases: tuple[str, ...] = ()  # other media types
    names: tuple[str, ...] = ()  # other values of the `format` parameter

    @property
    def media(self) -> str:
        """The Content-Type sent (text types say their charset)."""
        media = self.oxformat.media_type
        return f"{media}; charset=utf-8" if media.startswith("text/") and "charset" not in media else media

    @property
    def media_types(self) -> tuple[str, ...]:
        return (self.oxformat.media_type.split(";")[0], *self.aliases)


# in the server's order of preference: among equally acceptable formats the first wins
RESULT_FORMATS = (
    Format("json", ox.QueryResultsFormat.JSON, "results", ("application/json",), ("srj",)),
    Format("xml", ox.QueryResultsFormat.XML, "results", ("application/xml", "text/xml"), ("srx",)),
    Format("csv", ox.QueryResultsFormat.CSV, "results"),
    Format("tsv", ox.QueryResultsFormat.TSV, "results"),
)
GRAPH_FORMATS = (
    Format("turtle", ox.RdfFormat.TURTLE, "graph", ("application/x-turtle",), ("ttl",)),
    Format("ntriples", ox.RdfFormat.N_TRIPLES, "graph", ("text/plain",), ("nt", "n-triples")),
    Format("jsonld", ox.RdfFormat.JSON_LD, "graph", ("application/json",), ("json-ld", "json")),
    Format("rdfxml", ox.RdfFormat.RDF_XML, "graph", ("application/xml", "text/xml"), ("rdf", "xml")),
)


def formats_for(form: str) -> tuple[Format, ...]:
    return GRAPH_FORMATS if form in ("CONSTRUCT", "DESCRIBE") else RESULT_FORMATS


def best_media(offered: list[str], accept: str | None) -> str | None:
    """The media type of `offered` (in the server's order of preference) that the Accept header
    likes best, by q-value and then specificity (python-mimeparse); None when it likes none.
    A missing or unreadable Accept header means `*/*`."""
    try:
        chosen = mimeparse.best_match(list(reversed(offered)), accept or "*/*")
    except (mimeparse.MimeTypeParseException, ValueError):
        chosen = mimeparse.best_match(list(reversed(offered)), "*/*")
    return chosen or None


def _by_format_param(candidates: tuple[Format, ...], value: str) -> Format | None:
    wanted = value.strip().lower()
    for f in candidates:
        if wanted in (f.name, *f.names, *f.media_types):
            return f
    return None


def negotiate(form: str, accept: str | None, format_param: str | None = None) -> Format:
    """The answer format: the `format` parameter if given, else the best of the Accept header.

    Among equally acceptable formats the server's order decides (JSON, then XML, CSV, TSV;
    Turtle, then N-Triples, JSON-LD, RDF/XML); a format's own media type beats its aliases.
    """
    candidates = formats_for(form)
    if format_param:
        found = _by_format_param(candidates, format_param)
        if found is None:
            choices = ", ".join(sorted({n for f in candidates for n in (f.name, *f.names)}))
            raise SparqlError(
                f"format={format_param!r} is not a format for a {form} query; use one of {choices}"
            )
        return found
    preferred = [f.media_types[0] for f in candidates] + [a for f in candidates for a in f.aliases]
    chosen = best_media(list(dict.fromkeys(preferred)), accept)
    if chosen is None:
        names = ", ".join(f.media_types[0] for f in candidates)
        raise NotAcceptable(f"none of the Accept header's types can carry a {form} result; offered: {names}")
    return next(f for f in candidates if chosen in f.media_types)


def _results(fmt: Format) -> ox.QueryResultsFormat:
    assert isinstance(fmt.oxformat, ox.QueryResultsFormat)
    return fmt.oxformat


def _rdf(fmt: Format) -> ox.RdfFormat:
    assert isinstance(fmt.oxformat, ox.RdfFormat)
    return fmt.oxformat


# -- converting a store's raw answer -------------------------------------------------------


def ask_bytes(value: bool, fmt: Format) -> bytes:
    doc = orjson.dumps({"head": {}, "boolean": value})
    if fmt.name == "json":
        return doc
    parsed = ox.parse_query_results(doc, ox.QueryResultsFormat.JSON)
    return parsed.serialize(format=_results(fmt)) or b""


def select_bytes(tsv: bytes, fmt: Format) -> bytes:
    if fmt.name == "tsv":
        return tsv
    try:
        parsed = ox.parse_query_results(tsv, ox.QueryResultsFormat.TSV)
    except SyntaxError as exc:  # a store that answered something else than TSV
        raise StoreUnavailable(f"the store's TSV answer could not be read: {exc}") from exc
    return parsed.serialize(format=_results(fmt)) or b""


def graph_bytes(ntriples: bytes, fmt: Format) -> bytes:
    if fmt.name == "ntriples":
        return ntriples
    triples = [q.triple for q in ox.parse(ntriples, ox.RdfFormat.N_TRIPLES)]
    if fmt.name == "jsonld":
        return orjson.dumps(to_jsonld(triples))
    prefixes = prefix_map() if fmt.name in ("turtle", "rdfxml") else None
    return ox.serialize(triples, format=_rdf(fmt), prefixes=prefixes) or b""


def render(raw: RawResult, fmt: Format) -> bytes:
    """A store's raw answer in the client's format."""
    if raw.form == "ASK":
        return ask_bytes(raw.data.strip() == b"true", fmt)
    if raw.form == "SELECT":
        return select_bytes(raw.data, fmt)
    return graph_bytes(raw.data, fmt)


def answer(
    store: Store,
    query: str,
    accept: str | None = None,
    format_param: str | None = None,
    dataset: Dataset | None = None,
    timeout: float | None = None,
    max_rows: int | None = None,
) -> tuple[RawResult, Format]:
    """Run a user's query on a store: its raw answer and the format the client gets it in.

    Raises SparqlSyntaxError when the text is not a query (or does not parse)."""
    info = inspect(query)
    if info.form is None:
        # let the store's parser say what is wrong
        store.evaluate(query, "SELECT", None, timeout, 1)
        raise SparqlSyntaxError("not a SPARQL query: expected SELECT, ASK, CONSTRUCT or DESCRIBE")
    fmt = negotiate(info.form, accept, format_param)
    return store.evaluate(query, info.form, dataset, timeout, max_rows), fmt
