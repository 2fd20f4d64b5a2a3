"""The founding example, end to end: every required fact comes out with its sentence."""

from __future__ import annotations

from kg.vocab.ontology import sparql_prefixes

from .conftest import FOUNDING_POST, SHARED


def test_founding_post_extraction(extractor) -> None:
    from kg.ingest import read_posts

    (post,) = list(read_posts([FOUNDING_POST]))
    ex = extractor.extract(post)
    names = {(e.type, e.name) for e in ex.entities}
    for required in [
        ("Organization", "중소벤처기업부"),
        ("Organization", "소공인성장촉진단"),
        ("Organization", "삼호정밀"),
        ("Organization", "전국도시형소공인연합회"),
        ("Organization", "한국소공인협회"),
        ("Organization", "창업진흥원"),
        ("Person", "한성숙"),
        ("Person", "이병권"),
    ]:
        assert required in names, required
    mss = next(e for e in ex.entities if e.name == "중소벤처기업부")
    assert "중기부" in mss.aliases
    rels = {(r.head, r.relation, r.tail, r.role or "") for r in ex.relations}
    assert ("한성숙", "holdsPosition", "중소벤처기업부", "장관") in rels
    assert ("이병권", "holdsPosition", "중소벤처기업부", "제2차관") in rels
    assert ("소공인성장촉진단", "subOrganizationOf", "중소벤처기업부", "") in rels
    assert ("소공인성장촉진단", "foundedOn", "2025-12-01", "") in rels
    assert ("이병권", "participatedIn", "2025-12-01", "") in rels
    for r in ex.relations:
        assert r.evidence.sentence and ex.text[r.evidence.start : r.evidence.end]


def test_founding_post_in_sparql(founding_store) -> None:
    q = (
        sparql_prefixes()
        + """
SELECT ?person ?role ?org WHERE {
  ?m a org:Membership ; org:member/foaf:name ?person ; org:organization/skos:prefLabel ?org ; kg:roleLabel ?role }"""
    )
    rows = {(r["person"].value, r["role"].value, r["org"].value) for r in founding_store.select(q)}
    assert ("한성숙", "장관", "중소벤처기업부") in rows
    assert ("이병권", "제2차관", "중소벤처기업부") in rows
    q2 = (
        sparql_prefixes()
        + """
SELECT ?founded WHERE { ?t skos:prefLabel "소공인성장촉진단"@ko ; org:subOrganizationOf/skos:prefLabel "중소벤처기업부"@ko ;
  schema:foundingDate ?founded }"""
    )
    assert [r["founded"].value for r in founding_store.select(q2)] == ["2025-12-01"]
    q3 = sparql_prefixes() + 'ASK { ?o skos:prefLabel "중소벤처기업부"@ko ; skos:altLabel "중기부"@ko }'
    assert founding_store.ask(q3)


def test_founding_post_ships_with_the_repository(tmp_path, monkeypatch) -> None:
    """A fresh clone has no ../shared: the founding post is bundled, with its source and licence,
    and a checkout beside ../shared reads it once, not twice."""
    from kg.read import examples

    assert FOUNDING_POST.parent == examples.SAMPLES
    readme = (examples.SAMPLES / "README.md").read_text(encoding="utf-8")
    assert FOUNDING_POST.name in readme and "공공누리 제1유형" in readme and "창업진흥원" in readme
    shared = SHARED / "corpus" / "posts" / FOUNDING_POST.name
    if shared.exists():
        assert shared.read_bytes() == FOUNDING_POST.read_bytes()
    beside = tmp_path / "posts"
    beside.mkdir()
    (beside / FOUNDING_POST.name).write_bytes(FOUNDING_POST.read_bytes())
    (beside / "another-post.txt").write_text("중소벤처기업부는 1일 밝혔다.", encoding="utf-8")
    monkeypatch.setattr(examples, "SHARED_POSTS", beside)
    names = [p.name for p in examples.sample_paths()]
    assert names.count(FOUNDING_POST.name) == 1 and "another-post.txt" in names
    assert [p.name for p in examples.sample_paths(include_shared=False)].count(FOUNDING_POST.name) == 1
    assert "README.md" not in names


def test_the_ministry_view_shows_the_founding_facts(samples_store) -> None:
    """What the README promises on a fresh clone: the view of 중소벤처기업부 shows the task force,
    the minister and the second vice minister."""
    from kg.views import network as viz

    nodes, _edges = viz.neighbourhood(samples_store, "org/중소벤처기업부", hops=1)
    labels = {n.label for n in nodes}
    assert {"소공인성장촉진단", "한성숙", "이병권"} <= labels
