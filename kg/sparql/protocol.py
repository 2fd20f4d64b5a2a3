"""The SPARQL endpoint's logic, apart from HTTP: what a query is, which format to answer in, and
how to turn a store's raw answer into that format.

Stores answer user queries in one interchange form each (`kg.store.base.RawResult`): TSV for
SELECT (one solution per line, so a row cap is a line count and a stream can be cut),
a boolean for ASK, N-Triples for CONSTRUCT/DESCRIBE. pyoxigraph's parsers and serialisers
(Rust) turn that into what the client asked for.

What a query is and whether it may run is decided by `kg.store.guard` (size, nesting,
SERVICE/LOAD) before any store sees it; the store's parser reports syntax errors with its
own message.
"""

from __future__ import annotations

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
from kg.store.guard import Limits, check

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
# Graph answers also go to clients that ask for result types (rdflib's SPARQLStore with
# returnFormat="json" or "xml" asks a CONSTRUCT for application/sparql-results+json or +xml
# and parses whatever RDF comes back): JSON-LD is the JSON answer, RDF/XML the XML one.
# N3 readers read Turtle.
GRAPH_FORMATS = (
    Format(
        "turtle",
        ox.RdfFormat.TURTLE,
        "graph",
        ("application/x-turtle", "application/turtle", "text/n3", "text/rdf+n3", "application/n3"),
        ("ttl", "n3"),
    ),
    Format("ntriples", ox.RdfFormat.N_TRIPLES, "graph", ("text/plain",), ("nt", "n-triples")),
    Format(
        "jsonld",
        ox.RdfFormat.JSON_LD,
        "graph",
        ("application/json", "application/x-json+ld", "application/sparql-results+json"),
        ("json-ld", "json"),
    ),
    Format(
        "rdfxml",
        ox.RdfFormat.RDF_XML,
        "graph",
        ("application/xml", "text/xml", "application/sparql-results+xml"),
        ("rdf", "xml", "rdf+xml"),
    ),
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


def _by_format_param(candidates: tuple[Format, ...], values: list[str]) -> Format | None:
    """The first `format` value that names one of the candidates. A value may be a
    comma-separated list (SPARQLWrapper sends `format=application/ld+json,application/x-json+ld`)."""
    for value in values:
        for wanted in (v.split(";")[0].strip().lower() for v in value.split(",")):
            for f in candidates:
                if wanted in (f.name, *f.names, *f.media_types):
                    return f
    return None


def _names_a_type(accept: str | None) -> bool:
    """Whether an Accept header asks for something more specific than anything (`*/*`)."""
    return any(part.split(";")[0].strip() not in ("", "*/*") for part in (accept or "").split(","))


def negotiate(form: str, accept: str | None, format_param: str | list[str] | None = None) -> Format:
    """The answer format: the `format` parameter if it names one of ours, else the best of
    the Accept header.

    Clients such as SPARQLWrapper send `format=` values of their own (`n3`, repeated
    parameters, media-type lists) next to a usable Accept header: a value that names none of
    our formats counts as absent while Accept names a type we can serve; with no Accept (or
    only `*/*`) it is reported (400) as the typo it then most likely is. Among equally acceptable formats the server's order decides (JSON, then
    XML, CSV, TSV; Turtle, then N-Triples, JSON-LD, RDF/XML); a format's own media type
    beats its aliases.
    """
    candidates = formats_for(form)
    values = [format_param] if isinstance(format_param, str) else list(format_param or [])
    values = [v for v in values if v.strip()]
    if values:
        found = _by_format_param(candidates, values)
        if found is not None:
            return found
    preferred = [f.media_types[0] for f in candidates] + [a for f in candidates for a in f.aliases]
    chosen = best_media(list(dict.fromkeys(preferred)), accept)
    # a typo in format= with `Accept: */*` (curl, browsers' address bar) is reported, not guessed
    if chosen is not None and (not values or _names_a_type(accept)):
        return next(f for f in candidates if chosen in f.media_types)
    if values:
        choices = ", ".join(sorted({n for f in candidates for n in (f.name, *f.names)}))
        given = ", ".join(repr(v) for v in values)
        raise SparqlError(f"format={given} is not a format for a {form} query; use one of {choices}")
    names = ", ".join(f.media_types[0] for f in candidates)
    raise NotAcceptable(f"none of the Accept header's types can carry a {form} result; offered: {names}")


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
    format_param: str | list[str] | None = None,
    dataset: Dataset | None = None,
    timeout: float | None = None,
    max_rows: int | None = None,
    limits: Limits | None = None,
) -> tuple[RawResult, Format]:
    """Run a user's query on a store: its raw answer and the format the client gets it in.

    The query is checked first (kg.sparql.guard: size, nesting, SERVICE); raises
    SparqlSyntaxError when the text is not a query (or does not parse)."""
    info = check(query, limits)
    if info.form is None:
        # let the store's parser say what is wrong
        store.evaluate(query, "SELECT", None, timeout, 1)
        raise SparqlSyntaxError("not a SPARQL query: expected SELECT, ASK, CONSTRUCT or DESCRIBE")
    fmt = negotiate(info.form, accept, format_param)
    return store.evaluate(query, info.form, dataset, timeout, max_rows), fmt
