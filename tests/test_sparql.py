# ruff: noqa: F811  (pytest fixtures are imported from test_api_support and named as arguments)
"""The SPARQL endpoint: protocol, formats, safety, datasets — on an in-process store and on a real
Oxigraph server — and real clients (SPARQLWrapper, rdflib's SPARQLStore) over HTTP."""

from __future__ import annotations

import csv
import io
import json
import time
import warnings

import pyoxigraph as ox
import pytest
import rdflib
from fastapi.testclient import TestClient
from rdflib.compare import isomorphic

from api.main import create_app
from kg.sparql import protocol as sparql
from kg.store.base import Store
from kg.vocab.ontology import data_iri, iri, sparql_prefixes

from .test_api_support import (  # noqa: F401  (fixtures)
    ADMIN,
    SERVERS,
    LiveServer,
    backend,
    client,
    live,
    make_store,
    memory_store,
    oxigraph_server,
    sample_nquads,
    settings,
    virtuoso_server,
)

MSS = data_iri("id/org/중소벤처기업부")
LABELS = sparql_prefixes() + f"SELECT ?l WHERE {{ <{MSS}> skos:prefLabel|skos:altLabel ?l }} ORDER BY ?l"
JSON = "application/sparql-results+json"


def _labels(resp) -> list[str]:  # type: ignore[no-untyped-def]
    assert resp.status_code == 200, resp.text
    return [b["l"]["value"] for b in resp.json()["results"]["bindings"]]


def test_get_and_both_posts_agree(client: TestClient) -> None:
    via_get = _labels(client.get("/sparql", params={"query": LABELS}, headers={"Accept": JSON}))
    via_form = _labels(client.post("/sparql", data={"query": LABELS}, headers={"Accept": JSON}))
    via_body = _labels(
        client.post(
            "/sparql",
            content=LABELS.encode(),
            headers={"Content-Type": "application/sparql-query", "Accept": JSON},
        )
    )
    assert "중소벤처기업부" in via_get and "중기부" in via_get
    assert via_get == via_form == via_body


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        (JSON, JSON),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("text/csv;q=0.5, application/sparql-results+xml;q=0.9", "application/sparql-results+xml"),
        ("text/html,application/xhtml+xml,*/*;q=0.8", JSON),
        ("", JSON),
    ],
)
def test_select_formats_by_accept(client: TestClient, accept: str, media: str) -> None:
    resp = client.get("/sparql", params={"query": LABELS}, headers={"Accept": accept} if accept else {})
    assert resp.status_code == 200, resp.text
    assert resp.headers["content-type"].startswith(media)
    if media == "text/csv":
        rows = list(csv.reader(io.StringIO(resp.text)))
        assert rows[0] == ["l"] and ["중기부"] in rows
    elif media == "application/sparql-results+xml":
        assert '<literal xml:lang="ko">중기부</literal>' in resp.text
    elif media == "text/tab-separated-values":
        assert '"중기부"@ko' in resp.text.splitlines()


def test_format_parameter_overrides_accept(client: TestClient) -> None:
    resp = client.get("/sparql", params={"query": LABELS, "format": "csv"}, headers={"Accept": JSON})
    assert resp.headers["content-type"].startswith("text/csv")
    bad = client.get("/sparql", params={"query": LABELS, "format": "yaml"})
    assert bad.status_code == 400 and "format" in bad.text


def test_not_acceptable(client: TestClient) -> None:
    resp = client.get("/sparql", params={"query": LABELS}, headers={"Accept": "image/png"})
    assert resp.status_code == 406


@pytest.mark.parametrize("fmt", ["turtle", "ntriples", "jsonld", "rdfxml"])
def test_construct_formats_are_the_same_graph(client: TestClient, fmt: str) -> None:
    query = f"CONSTRUCT {{ <{MSS}> ?p ?o }} WHERE {{ <{MSS}> ?p ?o }}"
    reference = client.get("/sparql", params={"query": query}, headers={"Accept": "application/n-triples"})
    assert reference.headers["content-type"].startswith("application/n-triples")
    expected = rdflib.Graph().parse(data=reference.text, format="nt")
    assert len(expected) > 5
    media = {
        "turtle": "text/turtle",
        "ntriples": "application/n-triples",
        "jsonld": "application/ld+json",
        "rdfxml": "application/rdf+xml",
    }[fmt]
    resp = client.get("/sparql", params={"query": query}, headers={"Accept": media})
    assert resp.headers["content-type"].startswith(media)
    parsed = rdflib.Graph().parse(
        data=resp.text,
        format={"turtle": "turtle", "ntriples": "nt", "jsonld": "json-ld", "rdfxml": "xml"}[fmt],
    )
    assert isomorphic(parsed, expected)
    if fmt == "jsonld":
        doc = json.loads(resp.text)
        assert doc["@context"]["prefLabel"]["@id"] == "skos:prefLabel"


def test_ask(client: TestClient) -> None:
    yes = client.get("/sparql", params={"query": f"ASK {{ <{MSS}> ?p ?o }}"}, headers={"Accept": JSON})
    assert yes.json() == {"head": {}, "boolean": True}
    no = client.get("/sparql", params={"query": "ASK { <urn:x:none> ?p ?o }", "format": "xml"})
    assert "<boolean>false</boolean>" in no.text


def test_syntax_error_is_400_with_the_parsers_message(client: TestClient) -> None:
    resp = client.get("/sparql", params={"query": "SELECT ?x WHERE { ?x ?y }"})
    assert resp.status_code == 400
    # the parser's own words: Oxigraph's ("error at 1:…, expected …") or Virtuoso's ("line 1: syntax error")
    assert "error at 1:" in resp.text or "expected" in resp.text or "line 1: syntax error" in resp.text


def test_updates_are_refused_without_the_admin_token(client: TestClient) -> None:
    update = "INSERT DATA { <urn:x:a> <urn:x:b> <urn:x:c> }"
    assert client.post("/sparql", data={"update": update}).status_code == 403
    assert (
        client.post(
            "/sparql", content=update, headers={"Content-Type": "application/sparql-update"}
        ).status_code
        == 403
    )
    wrong = client.post("/sparql", data={"update": update}, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 403
    # an update smuggled in as a query is refused too
    assert client.get("/sparql", params={"query": update}).status_code == 403
    assert client.get("/sparql", params={"query": "ASK { <urn:x:a> ?p ?o }"}).json()["boolean"] is False


def test_service_is_refused(client: TestClient) -> None:
    query = "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"
    resp = client.get("/sparql", params={"query": query})
    assert resp.status_code == 403 and "SERVICE" in resp.text
    # the word inside a string or an IRI is not a SERVICE clause
    ok = client.get(
        "/sparql", params={"query": 'SELECT ("SERVICE" AS ?x) WHERE { }'}, headers={"Accept": JSON}
    )
    assert ok.status_code == 200


def test_negotiation_honours_q_values() -> None:
    assert sparql.negotiate("SELECT", "text/csv;q=0.2, text/tab-separated-values;q=0.3").name == "tsv"
    assert sparql.negotiate("SELECT", "application/json").name == "json"
    assert sparql.negotiate("CONSTRUCT", "application/json").name == "jsonld"
    assert sparql.negotiate("CONSTRUCT", "text/*").name == "turtle"
    with pytest.raises(sparql.NotAcceptable):
        sparql.negotiate("SELECT", "text/turtle, */*;q=0")


def test_named_graph_parameters(client: TestClient) -> None:
    post = client.get("/posts", params={"limit": 1}).json()["data"][0]["iri"]
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    everything = int(
        client.get("/sparql", params={"query": count}, headers={"Accept": JSON}).json()["results"][
            "bindings"
        ][0]["n"]["value"]
    )
    one = client.get("/sparql", params={"query": count, "default-graph-uri": post}, headers={"Accept": JSON})
    in_post = int(one.json()["results"]["bindings"][0]["n"]["value"])
    assert 0 < in_post < everything
    graphs = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    named = client.get("/sparql", params={"query": graphs, "named-graph-uri": post}, headers={"Accept": JSON})
    assert [b["g"]["value"] for b in named.json()["results"]["bindings"]] == [post]


@pytest.mark.parametrize("kind", ["memory", "oxigraph-server", "virtuoso"])
def test_without_union_default_graph_the_default_graph_is_empty(
    kind: str, request: pytest.FixtureRequest
) -> None:
    nquads = request.getfixturevalue("sample_nquads")
    server = request.getfixturevalue(SERVERS[kind]) if kind != "memory" else None
    app = create_app(settings(union_default_graph=False), make_store(kind, nquads, server))
    c = TestClient(app)
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    answer = c.get("/sparql", params={"query": count}, headers={"Accept": JSON})
    assert answer.status_code == 200, answer.text
    assert answer.json()["results"]["bindings"][0]["n"]["value"] == "0"
    in_graphs = sparql_prefixes() + "ASK { GRAPH ?g { ?p a schema:Article } }"
    assert c.get("/sparql", params={"query": in_graphs}, headers={"Accept": JSON}).json()["boolean"] is True
    # the REST API still reads the merged default graph
    assert c.get("/entities/org/중소벤처기업부").status_code == 200


def test_row_cap(backend: Store) -> None:
    c = TestClient(create_app(settings(max_rows=7), backend))
    resp = c.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"}, headers={"Accept": JSON})
    assert len(resp.json()["results"]["bindings"]) == 7
    assert "7" in resp.headers["x-kg-truncated"]
    small = c.get(
        "/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 3"}, headers={"Accept": JSON}
    )
    assert "x-kg-truncated" not in small.headers


def test_time_limit_answers_503(backend: Store) -> None:
    # A query that streams solutions: both backends really stop it at the limit (in-process
    # between solutions, the server when the client drops the connection). A cartesian
    # COUNT(*) would also answer 503 but run on for hours in this test process and in the
    # session's Oxigraph server, slowing every test after it (under kg serve the supervisor
    # ends such a query: tests/test_hostile.py).
    c = TestClient(create_app(settings(query_timeout=1.0, max_rows=10**8), backend))
    heavy = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i FILTER(?b = ?e && ?e = ?h) }"
    started = time.monotonic()
    resp = c.get("/sparql", params={"query": heavy})
    assert resp.status_code == 503, resp.text
    assert "time limit" in resp.text
    assert time.monotonic() - started < 8
    # the endpoint still answers afterwards
    ok = c.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}, headers={"Accept": JSON})
    assert ok.status_code in (200, 503)


def test_admin_update_is_applied_and_bumps_the_generation(sample_nquads: bytes) -> None:
    store = memory_store(sample_nquads)
    c = TestClient(create_app(settings(), store))
    before = c.get("/health").json()["detail"]["generation"]
    update = "INSERT DATA { GRAPH <urn:x:g> { <urn:x:a> <urn:x:b> <urn:x:c> } }"
    resp = c.post("/sparql", data={"update": update}, headers={"Authorization": f"Bearer {ADMIN}"})
    assert resp.status_code == 204, resp.text
    assert c.get("/sparql", params={"query": "ASK { <urn:x:a> ?p ?o }"}, headers={"Accept": JSON}).json()[
        "boolean"
    ]  # in the union default graph too
    # the default graph is the union of the named graphs: a triple written only there is not kept
    only_default = "INSERT DATA { <urn:x:d> <urn:x:b> <urn:x:c> }"
    resp = c.post("/sparql", data={"update": only_default}, headers={"Authorization": f"Bearer {ADMIN}"})
    assert resp.status_code == 204
    ask = c.get("/sparql", params={"query": "ASK { <urn:x:d> ?p ?o }"}, headers={"Accept": JSON}).json()
    assert ask["boolean"] is False
    assert c.get("/health").json()["detail"]["generation"] != before
    bad = c.post(
        "/sparql", data={"update": "INSERT DATA { oops"}, headers={"Authorization": f"Bearer {ADMIN}"}
    )
    assert bad.status_code == 400


def test_sparqlwrapper_json_and_xml(live: LiveServer) -> None:
    from SPARQLWrapper import JSON as SW_JSON
    from SPARQLWrapper import XML, SPARQLWrapper

    sw = SPARQLWrapper(f"{live.url}/sparql")
    sw.setQuery(LABELS)
    sw.setReturnFormat(SW_JSON)
    data = sw.query().convert()
    assert "중기부" in [b["l"]["value"] for b in data["results"]["bindings"]]  # type: ignore[index]
    sw.setReturnFormat(XML)
    doc = sw.query().convert()
    assert "중기부" in [n.firstChild.data for n in doc.getElementsByTagName("literal")]  # type: ignore[union-attr]
    sw.setMethod("POST")
    sw.setReturnFormat(SW_JSON)
    assert sw.query().convert()["results"]["bindings"]  # type: ignore[index]


@pytest.mark.parametrize("fmt", ["JSONLD", "N3", "TURTLE", "XML", "RDFXML", "JSON"])
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_sparqlwrapper_construct_in_every_format_it_asks_for(live: LiveServer, fmt: str, method: str) -> None:
    """Regression (issue 12): SPARQLWrapper asks a CONSTRUCT as JSON-LD or N3 with `format=`
    values of its own (`n3`, a repeated media-type list) beside a usable Accept header, and
    got 400."""
    import SPARQLWrapper

    sw = SPARQLWrapper.SPARQLWrapper(f"{live.url}/sparql")
    sw.setQuery(f"CONSTRUCT {{ <{MSS}> ?p ?o }} WHERE {{ <{MSS}> ?p ?o }}")
    sw.setReturnFormat(getattr(SPARQLWrapper, fmt))
    sw.setMethod(method)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # SPARQLWrapper's note on JSON for CONSTRUCT
        result = sw.query()
    data = result.response.read()
    media = result.response.headers["Content-Type"].split(";")[0]
    rdf_format = {
        "application/ld+json": "json-ld",
        "text/turtle": "turtle",
        "application/rdf+xml": "xml",
        "application/n-triples": "nt",
    }[media]
    graph = rdflib.Graph().parse(data=data, format=rdf_format)
    assert (
        rdflib.URIRef(MSS),
        rdflib.URIRef(iri("skos:altLabel")),
        rdflib.Literal("중기부", lang="ko"),
    ) in graph


@pytest.mark.parametrize("return_format", ["json", "xml"])
def test_rdflib_sparqlstore_construct_and_select(live: LiveServer, return_format: str) -> None:
    """Regression (issue 12): rdflib's SPARQLStore(returnFormat="json") sends a CONSTRUCT with
    `Accept: application/sparql-results+json` and got 406; it parses whatever RDF comes back."""
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    graph = rdflib.Graph(store=SPARQLStore(f"{live.url}/sparql", returnFormat=return_format))
    built = graph.query(f"CONSTRUCT {{ <{MSS}> ?p ?o }} WHERE {{ <{MSS}> ?p ?o }}")
    alt = (rdflib.URIRef(MSS), rdflib.URIRef(iri("skos:altLabel")), rdflib.Literal("중기부", lang="ko"))
    assert built.graph is not None and alt in built.graph
    assert {"중소벤처기업부", "중기부"} <= {str(row[0]) for row in graph.query(LABELS)}


def test_unknown_format_values_yield_to_accept_but_typos_are_reported(client: TestClient) -> None:
    construct = f"CONSTRUCT {{ <{MSS}> ?p ?o }} WHERE {{ <{MSS}> ?p ?o }}"
    resp = client.get(
        "/sparql", params={"query": construct, "format": "n3"}, headers={"Accept": "text/n3, text/turtle"}
    )
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/turtle")
    listed = client.get(
        "/sparql",
        params=[
            ("query", construct),
            ("format", "json-ld"),
            ("format", "application/ld+json,application/x-json+ld"),
        ],
    )
    assert listed.headers["content-type"].startswith("application/ld+json")
    typo = client.get("/sparql", params={"query": construct, "format": "turtel"}, headers={"Accept": "*/*"})
    assert typo.status_code == 400 and "turtel" in typo.text


def test_rdflib_sparqlstore(live: LiveServer) -> None:
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    graph = rdflib.Graph(store=SPARQLStore(f"{live.url}/sparql"))
    labels = {str(row[0]) for row in graph.query(LABELS)}
    assert {"중소벤처기업부", "중기부"} <= labels
    pref = rdflib.URIRef(iri("skos:prefLabel"))
    assert (rdflib.URIRef(MSS), pref, rdflib.Literal("중소벤처기업부", lang="ko")) in graph


def test_plain_http_requests_with_accept_headers(live: LiveServer) -> None:
    import urllib.parse
    import urllib.request

    url = f"{live.url}/sparql?" + urllib.parse.urlencode({"query": LABELS})
    for accept, media in [
        ("text/csv", "text/csv"),
        ("application/sparql-results+xml;q=1, */*;q=0.1", "application/sparql-results+xml"),
    ]:
        req = urllib.request.Request(url, headers={"Accept": accept})
        with urllib.request.urlopen(req, timeout=10) as resp:
            assert resp.headers["Content-Type"].startswith(media)
            assert "중기부" in resp.read().decode()


def test_tsv_interchange_keeps_every_term_kind() -> None:
    store = ox.Store()
    rows = 'SELECT ?a ?b ?c ?d WHERE { BIND(<urn:x> AS ?a) BIND("줄\\n바꿈\\t탭"@ko AS ?b) BIND(3 AS ?c) BIND(BNODE() AS ?d) }'
    expected = store.query(rows).serialize(format=ox.QueryResultsFormat.JSON)
    from kg.store.oxigraph import OxigraphStore

    mem = OxigraphStore(None)
    raw = mem.evaluate(rows, "SELECT")
    fmt = sparql.negotiate("SELECT", JSON)
    got = json.loads(sparql.render(raw, fmt))
    want = json.loads(expected or b"{}")
    assert got["results"]["bindings"][0]["b"] == want["results"]["bindings"][0]["b"]
    assert got["results"]["bindings"][0]["c"] == want["results"]["bindings"][0]["c"]
    assert got["results"]["bindings"][0]["d"]["type"] == "bnode"
