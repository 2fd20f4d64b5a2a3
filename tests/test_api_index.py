# ruff: noqa: F811  (pytest fixtures are imported from test_api_support and named as arguments)
"""The in-memory graph index (kg.read.graph_index) answers /related exactly as the store does, on both
backends; it reads big scans in pages; it follows writes; hub pages are stable."""

from __future__ import annotations

import threading
import urllib.parse
from typing import Any

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from kg.read.graph_index import GraphIndex, load_snapshot
from kg.read.labels import load_labels
from kg.read.queries import Lookup
from kg.read.related import SparqlSource, related
from kg.store import scan
from kg.store.base import Store
from kg.store.oxigraph import OxigraphStore
from kg.vocab.ontology import data_iri, iri

from .test_api_support import (  # noqa: F401  (fixtures)
    backend,
    memory_store,
    oxigraph_server,
    sample_nquads,
    settings,
    virtuoso_server,
)

MSS = data_iri("id/org/중소벤처기업부")
PARAMS: list[dict[str, Any]] = [
    {},
    {"relation": "holdsPosition"},
    {"type_name": "Person", "limit": 5, "offset": 2},
    {"since": "2024-01-01", "until": "2024-12-31"},
    {"depth": 2, "limit": 40},
    {"depth": 3, "relation": "participatedIn", "limit": 30, "offset": 10},
]


def _answer(store: Store, entity: str, source: object = None, **params: object) -> object:
    try:
        if source is None:
            return related(store, entity, lookup=Lookup(store), **params)  # type: ignore[arg-type]
        return related(store, entity, source=source, **params)  # type: ignore[arg-type]
    except KeyError:
        return "unknown entity"


def test_index_answers_like_the_store(backend: Store) -> None:
    snapshot = load_snapshot(backend, backend.generation(), page_rows=0)
    nodes = snapshot.nodes()
    assert MSS in nodes and len(nodes) > 100
    # every entity on the in-process store; a sample (and the hub) over HTTP, where each
    # SPARQL answer costs a few round trips
    step = 1 if isinstance(backend, OxigraphStore) else max(1, len(nodes) // 25)
    picked = [*nodes[::step], MSS, data_iri("id/org/없는기관")]
    compared = 0
    for entity in picked:
        for params in PARAMS if entity == MSS or step == 1 else PARAMS[:1] + PARAMS[3:5]:
            from_index = _answer(backend, entity, snapshot, **params)
            from_store = _answer(backend, entity, None, **params)
            assert from_index == from_store, (entity, params)
            compared += 1
    assert compared > 60


def test_index_labels_equal_the_label_index(backend: Store) -> None:
    snapshot = load_snapshot(backend, backend.generation())
    alone = load_labels(backend)
    assert snapshot.labels.weights == alone.weights
    assert snapshot.labels.names == alone.names and snapshot.labels.types == alone.types
    assert snapshot.labels.search("소공인", limit=50) == alone.search("소공인", limit=50)


def test_scans_read_in_pages_give_the_same_index(backend: Store) -> None:
    whole = load_snapshot(backend, None, page_rows=0)
    paged = load_snapshot(backend, None, page_rows=97)
    assert paged.nodes() == whole.nodes()
    for node in whole.nodes():
        links = whole.links(node, None, True)
        assert paged.links(node, None, True) == links, node
        assert paged.evidence(node, list(links[1])) == whole.evidence(node, list(links[1])), node
    assert paged.labels.post_meta == whole.labels.post_meta
    assert paged.stats() | {"loaded_in_s": 0} == whole.stats() | {"loaded_in_s": 0}


def test_tsv_cells_decode_like_the_store_reads_them() -> None:
    store = OxigraphStore(None)
    tricky: list[ox.NamedNode | ox.Literal] = [
        ox.Literal('탭\t줄\n따옴표" 역슬래시\\ 끝'),
        ox.Literal("중기부", language="ko"),
        ox.Literal("2024-05-01", datatype=ox.NamedNode(iri("xsd:date"))),
        ox.Literal("42", datatype=ox.NamedNode(iri("xsd:integer"))),
        ox.Literal("true", datatype=ox.NamedNode(iri("xsd:boolean"))),
        ox.Literal("\U0001f600 \u0007"),
        ox.NamedNode("https://kg.example.org/id/org/a%20b"),
    ]
    s, p = ox.NamedNode("urn:x:s"), ox.NamedNode("urn:x:p")
    for o in tricky:
        store.db.add(ox.Quad(s, p, o))
    query = "SELECT ?o ?lang WHERE { <urn:x:s> <urn:x:p> ?o BIND(LANG(?o) AS ?lang) }"
    expected = sorted((r["o"].value, getattr(r["o"], "language", None) or "") for r in store.select(query))
    cells = sorted(scan.term(c[0]) for c in scan.rows(store, "SELECT ?o WHERE { <urn:x:s> <urn:x:p> ?o }"))  # type: ignore[type-var]
    assert cells == expected
    assert scan.term("") is None and scan.term("_:b0") == ("_:b0", "")


def _post(name: str, partner: str) -> tuple[str, list[ox.Quad]]:
    """A post stating that 중소벤처기업부 and `partner` signed an agreement (kg.build.rdf's shape, by hand)."""
    post = data_iri(f"id/post/test-index-{name}")
    g = ox.NamedNode(post)
    mss, other = ox.NamedNode(MSS), ox.NamedNode(data_iri(f"id/org/{partner}"))
    fact = ox.NamedNode(post + "#fact-1")

    def n(curie: str) -> ox.NamedNode:
        return ox.NamedNode(iri(curie))

    triples: list[tuple[ox.NamedNode, ox.NamedNode, ox.NamedNode | ox.Literal]] = [
        (g, n("rdf:type"), n("schema:Article")),
        (g, n("dcterms:identifier"), ox.Literal(f"test-index-{name}")),
        (g, n("kg:contentHash"), ox.Literal(f"hash-{name}")),
        (g, n("dcterms:title"), ox.Literal(f"{partner}와 업무협약", language="ko")),
        (g, n("dcterms:issued"), ox.Literal("2031-02-03", datatype=n("xsd:date"))),
        (other, n("rdf:type"), n("org:Organization")),
        (other, n("skos:prefLabel"), ox.Literal(partner, language="ko")),
        (mss, n("kg:partnerOf"), other),
        (fact, n("rdf:type"), n("kg:Fact")),
        (fact, n("rdf:subject"), mss),
        (fact, n("rdf:predicate"), n("kg:partnerOf")),
        (fact, n("rdf:object"), other),
        (
            fact,
            n("kg:evidenceText"),
            ox.Literal(f"중소벤처기업부는 {partner}와 협약을 맺었다.", language="ko"),
        ),
        (fact, n("prov:wasDerivedFrom"), g),
    ]
    return post, [ox.Quad(s, p, o, g) for s, p, o in triples]


def test_the_index_follows_writes(sample_nquads: bytes) -> None:
    store = memory_store(sample_nquads)
    app = create_app(settings(), store)
    client = TestClient(app)
    index: GraphIndex = app.state.index
    url = "/entities/org/중소벤처기업부/related"
    partners = {"relation": "partnerOf", "limit": 500}

    def names() -> set[str]:
        return {e["entity"]["name"] for e in client.get(url, params=partners).json()["data"]}

    assert "테스트협약기관" not in names()
    post, quads = _post("a", "테스트협약기관")
    store.replace_posts([(post, quads)])
    assert "테스트협약기관" in names()  # right after the write: from the store or a fresh index
    snapshot = index.wait(30)
    assert snapshot is not None and snapshot.generation == store.generation()
    assert client.get("/health").json()["detail"]["index"]["state"] == "ready"
    item = next(
        e for e in client.get(url, params=partners).json()["data"] if e["entity"]["name"] == "테스트협약기관"
    )
    assert item["direction"] == "both" and item["evidence"][0]["post_id"] == "test-index-a"
    assert item["evidence"][0]["date"] == "2031-02-03" and "협약" in item["evidence"][0]["sentence"]
    found = client.get("/entities", params={"q": "테스트협약"}).json()["data"]
    assert found and found[0]["name"] == "테스트협약기관"
    dated = client.get(url, params={**partners, "since": "2031-01-01"}).json()["data"]
    assert [e["entity"]["name"] for e in dated] == ["테스트협약기관"]
    store.remove_posts([post])
    assert "테스트협약기관" not in names()
    assert index.wait(30) is not None
    assert "테스트협약기관" not in names()


def test_hub_pages_are_stable_and_the_same_on_both_paths(sample_nquads: bytes) -> None:
    store = memory_store(sample_nquads)
    app = create_app(settings(), store)
    assert app.state.index.wait(30) is not None
    with_index = TestClient(app)
    without = TestClient(create_app(settings(graph_index=False), store))
    url = "/entities/org/중소벤처기업부/related"
    for params in ({}, {"depth": 2}, {"type": "Person"}, {"since": "2019-01-01", "until": "2024-12-31"}):
        full = with_index.get(url, params={**params, "limit": 500}).json()
        assert full == without.get(url, params={**params, "limit": 500}).json()
        assert full["count"] == len(full["data"]) > 3
        pages = []
        for offset in range(0, full["count"], 7):
            page = with_index.get(url, params={**params, "limit": 7, "offset": offset}).json()
            assert page["count"] == full["count"]
            pages += page["data"]
        assert pages == full["data"]
        again = with_index.get(url, params={**params, "limit": 7, "offset": 7}).json()
        assert again["data"] == full["data"][7:14]
    assert app.state.index.current() is not None  # the answers above came from memory
    assert without.get("/health").json()["detail"]["index"]["state"] == "off"


class GatedStore(OxigraphStore):
    """An in-memory store whose scans (what the index loads from) wait until the gate opens,
    as a big store's load takes seconds; the store's other answers come at once."""

    def __init__(self) -> None:
        super().__init__(None)
        self.gate = threading.Event()

    def select_tsv(self, query: str) -> bytes:
        self.gate.wait(60)
        return super().select_tsv(query)


def test_requests_are_answered_while_the_index_loads(sample_nquads: bytes) -> None:
    """Before the first snapshot is there (a big store loads for seconds), the store answers."""
    store = GatedStore()
    store.load(sample_nquads, "nq")
    app = create_app(settings(refresh_seconds=3600.0), store)
    index: GraphIndex = app.state.index
    with TestClient(app) as client:  # the start-up load begins and waits at the gate
        assert index.current() is None
        answer = client.get("/entities/org/중소벤처기업부/related", params={"limit": 500}).json()
        assert index.current() is None and answer["count"] > 3
        store.gate.set()
        assert index.wait(30) is not None
    assert client.get("/entities/org/중소벤처기업부/related", params={"limit": 500}).json() == answer


def test_a_page_of_a_hub_is_a_slice(backend: Store) -> None:
    """Answers as long as a hub's are kept sorted per snapshot: the next page costs a slice."""
    snapshot = load_snapshot(backend, backend.generation())
    first = snapshot.hops(MSS, 2, None, None, None)
    assert len(first) >= 200, "the sample hub is big enough for the cache"
    assert snapshot.stats()["cached_answers"] == 1
    assert snapshot.hops(MSS, 2, None, None, None) == first
    assert snapshot.stats()["cached_answers"] == 1, "the second request is answered from the kept list"
    snapshot.hops(MSS, 1, None, None, None)  # short answers are not kept
    assert snapshot.stats()["cached_answers"] == 1
    from_store = SparqlSource(backend).hops(MSS, 2, None, None, None)
    assert [h[:8] for h in from_store] == [h[:8] for h in first]  # (the index's links also carry dates)


@pytest.mark.parametrize("key", ["a>b", "a b", "%ZZ"])
def test_bad_ids_are_unknown(backend: Store, key: str) -> None:
    snapshot = load_snapshot(backend, backend.generation())
    with pytest.raises(KeyError):
        related(backend, "org/" + urllib.parse.unquote(key), source=snapshot)
