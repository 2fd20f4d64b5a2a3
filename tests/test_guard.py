"""kg.store.guard against the real parsers: every spelling of SERVICE that makes Oxigraph send a
request is refused (a listener on 127.0.0.1 counts the requests), nesting and chains are
measured past strings, IRIs and comments, and rdflib's algebra agrees on what it can parse.

Regression tests for issue 12: `?x ?y ?z .SERVICE <…>` passed the old keyword check and the
rows came back; 3,200 nested `{` (6 KB) killed the store server and made `kg query` segfault.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib.plugins.sparql import algebra, parser

from kg.store import guard
from kg.store.base import QueryRefused

from .conftest import ROOT


class Listener:
    """An HTTP server that answers any SPARQL request with one empty solution, and counts."""

    def __init__(self) -> None:
        listener = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                listener.hits += 1
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                body = json.dumps({"head": {"vars": []}, "results": {"bindings": [{}]}}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/sparql-results+json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST

        self.hits = 0
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    server = Listener()
    yield server
    server.close()


def spellings(url: str) -> list[str]:
    """Queries that make Oxigraph call `url`, each spelling SERVICE another way."""
    pattern = "{ ?a ?b ?c }"
    return [
        f"SELECT * WHERE {{ ?x ?y ?z .SERVICE <{url}> {pattern} }}",  # the bypass
        f"SELECT * WHERE {{ SERVICE <{url}> {pattern} }}",
        f"select * where {{ service <{url}> {pattern} }}",
        f"SELECT * WHERE {{ SeRvIcE<{url}>{pattern} }}",
        f"SELECT * WHERE {{ {{ ?x ?y ?z }}SERVICE <{url}> {pattern} }}",
        f"SELECT * WHERE {{ SERVICE SILENT <{url}> {pattern} }}",
        f"SELECT * WHERE {{ SERVICESILENT<{url}>{pattern} }}",
        f"SELECT * WHERE {{ SERVICE # a comment\n <{url}> {pattern} }}",
        f"SELECT * WHERE {{ SERVICE\t\r\n<{url}> {pattern} }}",
        f"SELECT * WHERE {{ ?x ?y true SERVICE <{url}> {pattern} }}",
        f"SELECT * WHERE {{ ?x ?y trueSERVICE <{url}> {pattern} }}",
        f"PREFIX : <{url}> SELECT * WHERE {{ service:x {pattern} }}",
        f"SELECT * WHERE {{ OPTIONAL {{ SERVICE <{url}> {pattern} }} }}",
        f"SELECT * WHERE {{ ?x ?y ?z FILTER EXISTS {{ SERVICE <{url}> {pattern} }} }}",
        f"SELECT * WHERE {{ {{ SELECT * WHERE {{ SERVICE <{url}> {pattern} }} }} }}",
        f"SELECT * WHERE {{ {{ ?x ?y ?z }} UNION {{ SERVICE <{url}> {pattern} }} }}",
        f"SELECT * WHERE {{ GRAPH ?g {{ ?x ?y ?z }} MINUS {{ SERVICE <{url}> {pattern} }} }}",
        f"ASK {{ SERVICE <{url}> {pattern} }}",
        f"CONSTRUCT {{ ?a ?b ?c }} WHERE {{ SERVICE <{url}> {pattern} }}",
        f"SELECT * WHERE {{ ?x ?y ?z FILTER(BOUND(?x)||?z<'>') SERVICE <{url}> {pattern} #'\n}}",
    ]


def escaped(url: str) -> list[str]:
    """SPARQL 1.1 §19.2 replaces codepoint escapes before parsing (rdflib does; Oxigraph only
    when built with that feature, which the pip wheels are not): refused as SERVICE too."""
    return [
        f"SELECT * WHERE {{ \\u0053ERVICE <{url}> {{ ?a ?b ?c }} }}",
        f"SELECT * WHERE {{ \\U00000073\\u0065rvice <{url}> {{ ?a ?b ?c }} }}",
    ]


def decoys(url: str) -> list[str]:
    """The word where it is no SERVICE clause: these run, and nothing is sent."""
    return [
        'SELECT ("SERVICE" AS ?x) WHERE { }',
        f"SELECT ('''SERVICE <{url}> {{ }}''' AS ?x) WHERE {{ }}",
        f"SELECT * WHERE {{ ?x ?y ?z }} # SERVICE <{url}> {{ }}",
        "SELECT * WHERE { ?x <http://example.org/SERVICE> ?z }",
        "SELECT ?service WHERE { ?service ?p ?o }",
        "PREFIX schema: <https://schema.org/> SELECT * WHERE { ?x schema:serviceType ?o }",
        "PREFIX ex: <http://example.org/> SELECT * WHERE { ?x ex:SERVICE ?o }",
        "SELECT * WHERE { ?x <http://www.w3.org/2004/02/skos/core#prefLabel> ?l FILTER(?l < 'b') }",
    ]


def run_on_oxigraph(query: str) -> None:
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("urn:x"), ox.NamedNode("urn:y"), ox.NamedNode("urn:z")))
    store.add(ox.Quad(ox.NamedNode("urn:x"), ox.NamedNode("urn:y"), ox.Literal(True)))
    try:
        result = store.query(query)
        if not isinstance(result, ox.QueryBoolean):
            list(result)
    except (SyntaxError, OSError, ValueError, RuntimeError):
        pass


def test_every_spelling_that_reaches_the_network_is_refused(listener: Listener) -> None:
    for query in spellings(listener.url):
        before = listener.hits
        run_on_oxigraph(query)
        assert listener.hits > before, f"the test spelling does not call the service: {query}"
        with pytest.raises(QueryRefused):
            guard.check(query)
    for query in escaped(listener.url):
        with pytest.raises(QueryRefused):
            guard.check(query)


def test_the_word_elsewhere_is_no_service(listener: Listener) -> None:
    for query in decoys(listener.url):
        before = listener.hits
        run_on_oxigraph(query)
        assert listener.hits == before, query
        info = guard.check(query)
        assert not info.has_service and info.form is not None, query


PIECES = st.sampled_from(
    [
        "?x ?y ?z",
        " . ",
        ".",
        " ",
        "\n",
        "# SERVICE <{u}> {{ }}\n",
        '"SERVICE <{u}>"',
        "'''}} SERVICE <{u}> {{'''",
        "<http://example.org/a#b>",
        "FILTER(?z < 3)",
        "FILTER(?z<'>')",
        "FILTER(?z<?w)",
        "'",
        "#",
        "SERVICE",
        "service",
        "SILENT",
        "true",
        "<{u}>",
        "{{ ?a ?b ?c }}",
        "{{",
        "}}",
        "OPTIONAL",
        "\\u0053ERVICE",
        "ex:SERVICE",
        "service:x",
        "?service",
    ]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(PIECES, min_size=1, max_size=12))
def test_random_texts_that_call_out_are_refused(listener: Listener, pieces: list[str]) -> None:
    """Whatever the pieces make: if Oxigraph would contact the listener, the guard refuses."""
    body = "".join(p.format(u=listener.url) for p in pieces)
    query = f"PREFIX : <{listener.url}> PREFIX ex: <http://example.org/> SELECT * WHERE {{ {body} }}"
    before = listener.hits
    run_on_oxigraph(query)
    called = listener.hits > before
    try:
        info = guard.check(query)
    except guard.SparqlError:
        return  # refused (SERVICE, an ambiguous `<`, too deep …)
    assert not called, f"the guard let through a query that called out: {query!r} ({info})"


def _has_service(node: object) -> bool:
    """Whether rdflib's algebra holds a SERVICE pattern anywhere."""
    stack = [node]
    while stack:
        item = stack.pop()
        if getattr(item, "name", None) == "ServiceGraphPattern":
            return True
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
    return False


def test_rdflib_algebra_agrees_where_it_parses(listener: Listener) -> None:
    """rdflib's parser (with word boundaries) reads fewer spellings; what it reads as SERVICE
    the guard refuses, and none of the decoys is SERVICE to either."""
    for query in spellings(listener.url) + escaped(listener.url):
        try:
            parsed = algebra.translateQuery(parser.parseQuery(query))
        except Exception:  # rdflib rejects Oxigraph-only spellings
            continue
        assert _has_service(parsed.algebra), query
    for query in decoys(listener.url):
        parsed = algebra.translateQuery(parser.parseQuery(query))
        assert not _has_service(parsed.algebra) and not guard.scan(query).has_service, query


def test_nesting_is_counted_past_strings_iris_and_comments() -> None:
    deep = "SELECT * WHERE " + "{" * 3200 + " ?s ?p ?o " + "}" * 3200  # the 6 KB query
    with pytest.raises(guard.QueryTooDeep, match="64 levels"):
        guard.scan(deep)
    hidden = {
        "SELECT * WHERE { ?s ?p '{{{{{{{{' FILTER(?s != <http://x/((((((>) } # {{{{{{{{{{{{{{{{{": 2,
        'SELECT * WHERE { ?s ?p """\n{{{{{{{{{{{{\n""" }': 1,
    }
    for query, depth in hidden.items():
        assert guard.scan(query).depth == depth, query
    # the reading of `<` follows the parser: after an operand in an expression it is less-than,
    # so brackets after it count; an IRI-shaped run holding ' or # there is refused as ambiguous
    sneaky = "SELECT * WHERE { ?s ?p ?o FILTER(?o<" + "(" * 100 + "?o" + ")" * 100 + ">3) }"
    with pytest.raises(guard.QueryTooDeep):
        guard.scan(sneaky)
    with pytest.raises(QueryRefused, match="ambiguous"):
        guard.scan("SELECT * WHERE { ?s ?p ?o FILTER(?o<'>') }")
    assert guard.scan("SELECT * WHERE { ?s ?p ?o FILTER(?o < '>') }").depth == 2
    with pytest.raises(guard.QueryTooDeep, match="operators"):
        guard.scan("SELECT * WHERE { ?s ?p ?o FILTER(" + "!" * 100 + "?o) }")


def test_long_flat_chains_and_sizes_are_bounded() -> None:
    path = "SELECT * WHERE { ?s " + "/".join(["<urn:p>"] * 2048) + " ?o }"  # 16 KB; crashed the server
    with pytest.raises(guard.QueryTooDeep, match="2,048 operators"):
        guard.scan(path)
    values = "SELECT * WHERE { VALUES ?x { " + " ".join(f"<urn:x{i}>" for i in range(5000)) + " } }"
    assert guard.scan(values).steps == 1  # the `*`: a long VALUES list is flat for the parser too
    with pytest.raises(guard.QueryTooLarge, match="65,536 bytes"):
        guard.scan("SELECT * WHERE { ?s ?p ?o } #" + "x" * 70000)


def test_updates_loads_and_forms() -> None:
    assert guard.scan("insert data { <a:b> <a:c> <a:d> }").is_update
    assert guard.scan("PREFIX x: <http://x/> SELECT * FROM <urn:g> WHERE { ?s ?p ?o }").has_dataset
    with pytest.raises(QueryRefused, match="LOAD"):
        guard.check("LOAD <http://127.0.0.1:1/data.ttl>")
    with pytest.raises(QueryRefused, match="LOAD"):
        guard.check("CLEAR ALL ; \\u004cOAD <http://127.0.0.1:1/data.ttl>")
    info = guard.scan(
        '# DELETE everything\nPREFIX ex: <http://x/INSERT>\nSELECT ?select WHERE { ?s ex:service "LOAD" }'
    )
    assert info.form == "SELECT" and not info.is_update and not info.has_service


def test_kg_query_refuses_the_deep_query_instead_of_crashing(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Regression: `kg query` with 3,200 nested braces ended with a segfault (exit 139)."""
    deep = "SELECT * WHERE " + "{" * 3200 + " ?s ?p ?o " + "}" * 3200
    done = subprocess.run(
        [sys.executable, "-m", "kg.cli.commands", "query", "--store", str(tmp_path / "store"), deep],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1, (done.returncode, done.stderr[-500:])
    assert "deeper than 64 levels" in done.stderr
