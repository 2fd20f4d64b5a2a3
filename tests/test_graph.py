"""The graph model: standard terms with labels, SHACL conformance, provenance on every
fact, idempotent and replaceable posts, export round trips."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.namespace import RDF, RDFS

from kg.build.pipeline import ingest
from kg.ingest import read_posts
from kg.model import Post
from kg.read import changes
from kg.read.validate import validate_store
from kg.store import open_store
from kg.store.base import bookkeeping_graphs, graph_node
from kg.vocab.ontology import ONTOLOGY_FILE, SHAPES_FILE, iri, sparql_prefixes

from .conftest import FOUNDING_POST, SAMPLES

STANDARD = ("http://www.w3.org/2002/07/owl#", "http://www.w3.org/ns/shacl#")


@pytest.fixture(scope="module")
def samples_store(extractor):
    """The bundled samples plus the founding post, in memory."""
    store = open_store("memory")
    report = ingest(store, read_posts([SAMPLES]), lambda posts: extractor.pipe(posts))
    assert report.ok, report.errors
    return store


def test_every_emitted_term_is_defined_with_korean_and_english_labels(samples_store) -> None:
    onto = rdflib.Graph().parse(ONTOLOGY_FILE, format="turtle")
    used: set[str] = set()
    not_ontology = f"FILTER(?g != <{graph_node('ontology').value}>)"
    for row in samples_store.select(f"SELECT DISTINCT ?p WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {not_ontology} }}"):
        used.add(row["p"].value)
    for row in samples_store.select(f"SELECT DISTINCT ?c WHERE {{ GRAPH ?g {{ ?s a ?c }} {not_ontology} }}"):
        used.add(row["c"].value)
    missing = []
    for term in sorted(used):
        if term.startswith(STANDARD):
            continue
        langs = {lit.language for lit in onto.objects(rdflib.URIRef(term), RDFS.label)}
        if not {"ko", "en"} <= langs:
            missing.append(term)
    assert not missing, f"terms without @ko and @en labels in {ONTOLOGY_FILE.name}: {missing}"


def test_own_terms_have_definitions() -> None:
    onto = rdflib.Graph().parse(ONTOLOGY_FILE, format="turtle")
    kg_ns = iri("kg:")
    skos_def = rdflib.URIRef(iri("skos:definition"))
    for s in set(onto.subjects(RDF.type, None)):
        if str(s).startswith(kg_ns) and (s, RDF.type, rdflib.URIRef(iri("skos:Concept"))) not in onto:
            kinds = set(onto.objects(s, RDF.type))
            if kinds & {
                rdflib.URIRef(iri("owl:Class")),
                rdflib.URIRef(iri("owl:ObjectProperty")),
                rdflib.URIRef(iri("owl:DatatypeProperty")),
            }:
                assert {lit.language for lit in onto.objects(s, skos_def)} >= {"ko", "en"}, s


def test_shapes_parse_and_catch_a_violation() -> None:
    shapes = rdflib.Graph().parse(SHAPES_FILE, format="turtle")
    assert len(shapes) > 50
    store = open_store("memory")
    m = ox.NamedNode("https://kg.example.org/id/membership/broken")
    g = ox.NamedNode("https://kg.example.org/id/post/broken")
    store.replace_posts(
        [(g.value, [ox.Quad(m, ox.NamedNode(iri("rdf:type")), ox.NamedNode(iri("org:Membership")), g)])]
    )
    messages = {v.message for v in validate_store(store)}
    assert "Every membership has a member who is a person." in messages


def test_samples_and_founding_post_conform(samples_store) -> None:
    assert validate_store(samples_store) == []


def test_every_fact_is_traceable(samples_store) -> None:
    rows = samples_store.select(
        sparql_prefixes()
        + """SELECT (COUNT(?f) AS ?n) WHERE { GRAPH ?g { ?f a kg:Fact .
  FILTER NOT EXISTS { ?f prov:wasDerivedFrom ?g ; kg:evidenceText ?t ; kg:charStart ?a ; kg:charEnd ?b ;
    kg:confidence ?c ; prov:wasAttributedTo ?x } } }"""
    )
    assert int(rows[0]["n"].value) == 0
    # offsets point into the cleaned text stored on the post
    row = samples_store.select(
        sparql_prefixes()
        + """SELECT ?text ?a ?b ?t WHERE { GRAPH ?g { ?f kg:evidenceText ?t ; kg:charStart ?a ; kg:charEnd ?b .
  ?g schema:text ?text } } LIMIT 20"""
    )
    for r in row:
        a, b = int(r["a"].value), int(r["b"].value)
        assert r["text"].value[a:b].split() == r["t"].value.split()


def _quads(store) -> set[str]:
    """The data: every quad but those of kg's bookkeeping graphs (generation, change log)."""
    bookkeeping = bookkeeping_graphs()
    return {
        f"{q.subject} {q.predicate} {q.object} {q.graph_name}"
        for q in store.db.quads_for_pattern(None, None, None, None)
        if not (isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value in bookkeeping)
    }


def test_ingesting_twice_changes_nothing(extractor) -> None:
    store = open_store("memory")
    run = lambda: ingest(store, read_posts([FOUNDING_POST]), lambda p: extractor.pipe(p))  # noqa: E731
    first = run()
    before = _quads(store)
    second = run()
    assert (first.written, second.written, second.skipped) == (1, 0, 1)
    assert _quads(store) == before
    third = ingest(store, read_posts([FOUNDING_POST]), lambda p: extractor.pipe(p), force=True)
    assert third.written == 1 and _quads(store) == before
    # every run is in the change log; only the first changed anything
    runs = {r["id"]: r for r in changes.runs(store)}
    assert [runs[r.run]["kind"] for r in (first, second, third)] == ["ingest", "ingest", "reextraction"]
    assert [runs[r.run]["posts_added"] for r in (first, second, third)] == [1, 0, 0]
    assert [runs[r.run]["posts_changed"] + runs[r.run]["facts_removed"] for r in (second, third)] == [0, 0]
    assert changes.change_sets(store)[0] == 1


def _post(pid: str, text: str, day: int = 1) -> Post:
    from datetime import date

    return Post(id=pid, text=text, published=date(2024, 5, day), title=pid)


def test_edit_replaces_only_that_post_and_shared_facts_survive(extractor) -> None:
    a = _post("a", "중소벤처기업부(장관 오영주, 이하 중기부)는 3일 간담회를 개최했다.", 3)
    b = _post("b", "중소벤처기업부(장관 오영주)는 10일 설명회를 열었다.", 10)
    store = open_store("memory")
    ingest(store, [a, b], lambda p: extractor.pipe(p))
    graph_b = {q for q in _quads(store) if q.endswith("/post/b>")}
    ask = sparql_prefixes() + 'ASK { ?m org:member/foaf:name "오영주"@ko ; kg:roleLabel "장관"@ko }'
    assert store.ask(ask)
    edited = _post(
        "a",
        "중소벤처기업부(장관 오영주, 이하 중기부)는 3일 기자간담회를 개최했다. 한편 김철수 과장이 참석했다.",
        3,
    )
    ingest(store, [edited], lambda p: extractor.pipe(p))
    assert {q for q in _quads(store) if q.endswith("/post/b>")} == graph_b
    assert store.ask(sparql_prefixes() + 'ASK { ?p foaf:name "김철수"@ko }')
    assert store.remove_posts(["https://kg.example.org/id/post/a"]) == 1
    assert store.ask(ask), "a fact stated by two posts survives the removal of one"
    assert not store.ask(sparql_prefixes() + 'ASK { ?p foaf:name "김철수"@ko }')
    assert not any(q.endswith("/post/a>") for q in _quads(store))


def test_membership_interval_spans_the_posts_that_attest_it(extractor) -> None:
    a = _post("a", "중소벤처기업부(장관 오영주)는 간담회를 개최했다.", 3)
    b = _post("b", "중소벤처기업부(장관 오영주)는 설명회를 열었다.", 20)
    store = open_store("memory")
    ingest(store, [a, b], lambda p: extractor.pipe(p))
    q = (
        sparql_prefixes()
        + """SELECT ?start ?end WHERE { ?m org:member/foaf:name "오영주"@ko ;
      org:memberDuring [ time:hasBeginning/time:inXSDDate ?start ; time:hasEnd/time:inXSDDate ?end ] }"""
    )
    assert [(r["start"].value, r["end"].value) for r in store.select(q)] == [("2024-05-03", "2024-05-20")]
    store.remove_posts(["https://kg.example.org/id/post/b"])
    assert [(r["start"].value, r["end"].value) for r in store.select(q)] == [("2024-05-03", "2024-05-03")]


@pytest.mark.parametrize("fmt", ["nq", "trig", "jsonld"])
def test_export_round_trips(samples_store, fmt: str, tmp_path: Path) -> None:
    data = samples_store.dump(fmt)
    fresh = open_store("memory")
    fresh.load(data, fmt)
    assert _all_quads(fresh) == _all_quads(samples_store)


def _all_quads(store) -> set[str]:
    return {
        f"{q.subject} {q.predicate} {q.object} {q.graph_name}"
        for q in store.db.quads_for_pattern(None, None, None, None)
    }


def test_turtle_export_is_the_merged_graph(samples_store) -> None:
    data = samples_store.dump("ttl")
    g = rdflib.Graph().parse(data=data, format="turtle")
    merged = {
        (str(q.subject), str(q.predicate), str(q.object))
        for q in samples_store.db.quads_for_pattern(None, None, None, ox.DefaultGraph())
    }
    assert len(g) == len(merged)


def _iris(store, label: str) -> set[str]:
    rows = store.select(
        sparql_prefixes() + f'SELECT DISTINCT ?s WHERE {{ ?s skos:prefLabel|skos:altLabel "{label}"@ko }}'
    )
    return {r["s"].value for r in rows}


def test_entity_resolution_across_posts(extractor) -> None:
    posts = [
        _post(
            "p1", "중기부는 3일 소상공인 지원 방안을 발표했다. (사)한국소공인협회 김하나 회장이 참석했다.", 3
        ),
        _post("p2", "중소벤처기업부(장관 오영주)는 10일 한국소공인협회와 간담회를 열었다.", 10),
        _post("p3", "근로복지공단 익산지사 박민준 지사장은 상담 창구를 열었다.", 11),
        _post(
            "p4",
            "근로복지공단(이사장 박종길)은 산하 익산지사가 교육을 진행한다고 밝혔다. 익산지사는 전북 지역을 맡는다.",
            12,
        ),
        _post("p5", "행정안전부 김철수 과장은 현장을 점검했다.", 13),
        _post("p6", "행정안전부 김철수 과장은 설명회를 열었다.", 14),
        _post("p7", "주식회사 물결 김철수 대표는 제품을 소개했다.", 15),
    ]
    store = open_store("memory")
    ingest(store, posts, lambda p: extractor.pipe(p))
    # an alias and the official name are one body; so are a name with and without its legal form
    assert _iris(store, "중기부") == _iris(store, "중소벤처기업부") and len(_iris(store, "중기부")) == 1
    assert len(_iris(store, "한국소공인협회")) == 1
    # a unit named with or without its parent is one unit under that parent
    units = _iris(store, "익산지사") | _iris(store, "근로복지공단 익산지사")
    assert len(units) == 1, units
    assert store.ask(
        sparql_prefixes()
        + f'ASK {{ <{units.pop()}> org:subOrganizationOf/skos:prefLabel "근로복지공단"@ko }}'
    )
    # the same name in the same body is one person; in an unrelated body, another
    people = store.select(
        sparql_prefixes() + 'SELECT ?p ?why WHERE { ?p foaf:name "김철수"@ko ; kg:identityBasis ?why }'
    )
    assert len({r["p"].value for r in people}) == 2
    assert any("행정안전부" in r["why"].value for r in people)
