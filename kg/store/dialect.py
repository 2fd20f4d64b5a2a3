"""How a remote SPARQL store departs from the SPARQL 1.1 standard, kept in one place.

`RemoteStore` asks its dialect how to send a request and how to read the answer; nothing
else in kg knows which server it talks to. Two dialects:

- `standard` (Oxigraph server, Fuseki, GraphDB …): queries POSTed as `application/sparql-query`,
  SELECT answers read as SPARQL TSV, the merged default graph is the store's own.
- `virtuoso` (OpenLink Virtuoso 7.2), measured against the Debian package:
  * its TSV drops the `?` of variables, quotes IRIs as strings and loses language tags, so
    SELECT answers are read as SPARQL XML (its JSON escapes every Hangul letter and takes
    twice as long) and turned into TSV here;
  * it caps answers at ResultSetMaxRows without saying so; kg asks for one row more than its
    own cap with the `maxrows` parameter, which also spares the server the rest;
  * it does not read a POSTed `application/sparql-query` body: requests are form-encoded;
  * it has no writable default graph (every triple lives in a graph) and its query default
    graph is the *bag* of all graphs, so one triple stated by five posts counts five times.
    kg keeps the union in the named graph `…/graph/union` (`Store.union_graph`) and every read
    says `define input:default-graph-uri` it;
  * with such a define, `GRAPH <iri> { … }` with a constant IRI matches nothing, while
    `GRAPH ?g` with `?g` bound by VALUES works; constant graphs are rewritten that way and the
    helper variables are left out of the answer;
  * `define input:named-graph-exclude` would also empty the default graph, so `GRAPH ?g`
    gets a FILTER that keeps the union graph out of it;
  * `GRAPH ?g { }` (an empty pattern) lists no graph;
  * prefixed names with backslash escapes (`kgr:org\\/x`) are not read: they are spelt out;
  * a lone `FILTER(isIRI(?x))` beside a BIND in a UNION branch is an internal compiler error;
  * an update's data must be one constant (`define sql:big-data-const 1`), in INSERT DATA
    operations of at most a few thousand triples (kg.store.base.INSERT_CHUNK);
  * a query over the time limit is refused before it runs ("estimated execution time …
    exceeds the limit") or stopped with SQL state S1T00; both are the time limit.
"""

from __future__ import annotations

import re

import orjson
import pyoxigraph as ox

from kg.store.base import QueryTimeout, SparqlError, SparqlSyntaxError, tsv_line
from kg.vocab.ontology import data_iri

TSV = "text/tab-separated-values"
JSON = "application/sparql-results+json"
XML = "application/sparql-results+xml"
HELPER_VAR = "kg_graph_"  # variables the virtuoso dialect adds (named to stay clear of users')


class Dialect:
    """The SPARQL 1.1 Protocol as written (Oxigraph server, Fuseki, GraphDB …)."""

    name = "standard"
    form_encoded = False  # True: queries and updates go as application/x-www-form-urlencoded
    select_accept = TSV  # the result format asked for SELECT
    union_graph: str | None = None  # see kg.store.base.Store.union_graph
    graphs_query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { } }"

    def query(self, text: str, dataset: bool = False) -> str:
        """The query as this store must receive it; `dataset`: the request names its own graphs."""
        return text

    def update(self, text: str) -> str:
        """The update as this store must receive it."""
        return text

    def row_cap(self, max_rows: int | None) -> list[tuple[str, str]]:
        """Request parameters that make the server stop after the rows kg will keep (and one more)."""
        return []

    def select_tsv(self, data: bytes) -> bytes:
        """A SELECT answer in `select_accept` → SPARQL TSV (header line first)."""
        return data

    def ask(self, data: bytes) -> bool:
        return bool(orjson.loads(data).get("boolean"))

    def error(self, status: int, text: str) -> SparqlError | None:
        """The user-query error an answer with this status and text means, if the dialect knows it."""
        return None


class VirtuosoDialect(Dialect):
    name = "virtuoso"
    form_encoded = True
    select_accept = XML
    graphs_query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"

    def __init__(self) -> None:
        self.union = data_iri("graph/union")
        self.union_graph = self.union

    def query(self, text: str, dataset: bool = False) -> str:
        text, has_from = _rewrite_graphs(text, self.union)
        if dataset or has_from:
            return text
        return f"define input:default-graph-uri <{self.union}> " + text  # same line: errors keep line numbers

    def update(self, text: str) -> str:
        # data blocks passed as one constant: 40 times faster, and INSERT DATA of more than a few
        # hundred triples otherwise exceeds the SQL it may generate (10,000 lines)
        return "define sql:big-data-const 1 " + text

    def row_cap(self, max_rows: int | None) -> list[tuple[str, str]]:
        return [] if max_rows is None else [("maxrows", str(max_rows + 1))]

    def select_tsv(self, data: bytes) -> bytes:
        result = ox.parse_query_results(data, ox.QueryResultsFormat.XML)
        assert isinstance(result, ox.QuerySolutions)
        names = [v.value for v in result.variables]
        keep = [n for n in names if not n.startswith(HELPER_VAR)]
        if keep == names:
            return result.serialize(format=ox.QueryResultsFormat.TSV) or b""
        lines = [tsv_line([f"?{n}" for n in keep])]
        lines += [tsv_line([solution[n] for n in keep]) for solution in result]
        return ("\n".join(lines) + "\n").encode("utf-8")

    def error(self, status: int, text: str) -> SparqlError | None:
        if "S1T00" in text or "exceeds the limit" in text:
            return QueryTimeout(f"the store stopped the query at its time limit: {_first_line(text)}")
        if re.search(r"\bSP0(30|31)\b|syntax error", text) and status in (400, 500):
            return SparqlSyntaxError(text.strip()[:2000])
        return None


DIALECTS = {"standard": Dialect, "virtuoso": VirtuosoDialect}


def dialect(name: str) -> Dialect:
    try:
        return DIALECTS[name]()
    except KeyError:
        raise SparqlError(f"unknown store dialect {name!r} (one of {', '.join(DIALECTS)})") from None


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0][:300] if text.strip() else ""


# -- reading a query just enough to rewrite its constant graphs ---------------------------------

_IRI = r"<[^<>\"{}|^`\\\s]*>"
_PNAME = r"(?:[A-Za-z][\w.-]*)?:(?:[\w.%:-]|\\.)*"
_TOKENS = re.compile(
    rf"""(?P<comment>\#[^\n]*)
  | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
      |"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
  | (?P<prefix>(?<![\w?$:])PREFIX\s+(?P<pfx>(?:[A-Za-z][\w.-]*)?):\s*(?P<ns>{_IRI}))
  | (?P<graph>(?<![\w?$:])GRAPH\s+(?:(?P<var>[?$]\w+)|(?P<name>{_IRI}|{_PNAME}))(?=\s*\{{))
  | (?P<iri>{_IRI})
  | (?P<from>(?<![\w?$:])FROM(?![\w:]))
  | (?P<isiri>(?<![\w?$:])FILTER\s*\(\s*isIRI\s*\(\s*[?$]\w+\s*\)\s*\))
  | (?P<pname>(?<![\w?$:<])(?:[A-Za-z][\w.-]*)?:(?:[\w.%:-]|\\.)*\\.(?:[\w.%:-]|\\.)*)
""",
    re.IGNORECASE | re.VERBOSE | re.DOTALL,
)


_ESCAPED = re.compile(r"\\(.)")


def _expanded(name: str, prefixes: dict[str, str]) -> str:
    """A prefixed name with backslash escapes (`kgr:org\\/x`, SPARQL 1.1 PN_LOCAL_ESC, which
    Virtuoso 7.2 does not read) as a full IRI; other names as they are."""
    prefix, _, local = name.partition(":")
    if "\\" not in local or prefix not in prefixes:
        return name
    return "<" + prefixes[prefix] + _ESCAPED.sub(r"\1", local) + ">"


def _rewrite_graphs(text: str, union: str) -> tuple[str, bool]:
    """`GRAPH <g> {` → `VALUES ?kg_graph_N { <g> } GRAPH ?kg_graph_N {`, and `GRAPH ?g {` →
    `FILTER(?g != <union>) GRAPH ?g {` (a FILTER holds for its whole group wherever it stands,
    so no brace needs finding); prefixed names with escapes spelt out; and whether the query
    has a FROM clause. Strings, comments and IRIs are read past, never rewritten."""
    out: list[str] = []
    prefixes: dict[str, str] = {}
    at = 0
    n = 0
    has_from = False
    for match in _TOKENS.finditer(text):
        if match.group("prefix"):
            prefixes[match.group("pfx")] = match.group("ns")[1:-1]
            continue
        if match.group("from"):
            has_from = True
            continue
        if match.group("graph"):
            var = match.group("var")
            if var:
                replacement = f"FILTER({var} != <{union}>) GRAPH {var}"
            else:
                n += 1
                helper = f"?{HELPER_VAR}{n}"
                name = _expanded(match.group("name"), prefixes)
                replacement = f"VALUES {helper} {{ {name} }} GRAPH {helper}"
        elif match.group("isiri"):
            # a lone FILTER(isIRI(?x)) beside a BIND in a UNION branch stops Virtuoso's compiler
            # ("sparp_gp_deprecate(): equiv replaces filter"); a second filter avoids it
            replacement = match.group("isiri") + " FILTER(true)"
        elif match.group("pname"):
            replacement = _expanded(match.group("pname"), prefixes)
        else:
            continue  # comments, strings and IRIs stay as written
        out.append(text[at : match.start()])
        out.append(replacement)
        at = match.end()
    out.append(text[at:])
    return "".join(out), has_from
