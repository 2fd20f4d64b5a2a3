"""Bodies that change (issue 13, part 3): dated changes in the lexicon with public sources, W3C
ORG change events in the graph, mentions resolved to the body that existed on the post's date,
the related walk and its in-memory index following succession, and SHACL over both."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from kg.build.identity import Identity
from kg.build.pipeline import ensure_reference_graphs, ingest
from kg.model import Post
from kg.read.graph_index import load_snapshot
from kg.read.related import related
from kg.read.validate import validate_store
from kg.store import open_store
from kg.vocab.lexicon import load_lexicon
from kg.vocab.ontology import data_iri, sparql_prefixes

from .conftest import ROOT
from .test_api_support import settings

MSS = data_iri("id/org/중소벤처기업부")
SMBA = data_iri("id/org/중소기업청")


@pytest.fixture(scope="module")
def reference_store():
    store = open_store("memory")
    ensure_reference_graphs(store)
    return store


def test_at_least_30_dated_changes_each_with_a_public_source() -> None:
    lexicon = load_lexicon()
    assert len(lexicon.changes) >= 30
    for change in lexicon.changes:
        assert change.source.startswith(("http://", "https://")) and change.note
        date.fromisoformat(change.date)
        assert all(lexicon.by_id(b) for b in (*change.originals, *change.results))


@pytest.mark.parametrize(
    ("written", "day", "body"),
    [
        ("중소기업청", "2016-01-04", "중소기업청"),
        ("중소기업청", "2018-01-04", "중소벤처기업부"),  # the old name in a later post: the body of then
        ("중소벤처기업부", "2016-05-01", "중소기업청"),
        ("중기부", "2024-02-01", "중소벤처기업부"),
        ("산업부", "2020-01-01", "산업통상자원부"),
        ("산업부", "2025-11-01", "산업통상부"),
        ("행정안전부", "2015-01-01", "행정자치부"),  # renamed 2013, then reorganised with `continues`
        ("보건복지부", "2009-06-01", "보건복지가족부"),
        ("보건복지부", "2015-06-01", "보건복지부"),  # existed again from 2010
        ("기획재정부", "2026-03-01", "기획재정부"),  # a split seen from after it: kept as written
        ("중진공", "2018-06-01", "중소기업진흥공단"),
    ],
)
def test_a_name_resolves_to_the_body_that_existed_on_the_day(written: str, day: str, body: str) -> None:
    lexicon = load_lexicon()
    entry = lexicon.lookup(written)
    assert entry is not None
    assert lexicon.as_of(entry, day).name == body


def test_the_change_event_linking_the_two_bodies_is_queryable(reference_store) -> None:
    rows = reference_store.select(
        sparql_prefixes()
        + f"""SELECT ?e ?date ?kind ?source WHERE {{
  ?e a org:ChangeEvent ; org:originalOrganization <{SMBA}> ; org:resultingOrganization <{MSS}> ;
     dcterms:date ?date ; kg:changeKind/skos:notation ?kind ; dcterms:source ?source .
  <{SMBA}> org:changedBy ?e . <{MSS}> org:resultedFrom ?e }}"""
    )
    assert [(r["date"].value, r["kind"].value) for r in rows] == [("2017-07-26", "upgrade")]
    assert rows[0]["source"].value.startswith("https://")


def test_shacl_covers_change_events(reference_store) -> None:
    assert validate_store(reference_store) == []
    broken = open_store("memory")
    ensure_reference_graphs(broken)
    bad = f"<{data_iri('id/change/bad')}> a org:ChangeEvent ; org:originalOrganization <{SMBA}> ."
    # written as kg writes: into a named graph and the union default graph
    broken.update(sparql_prefixes() + f"INSERT DATA {{ GRAPH <{data_iri('graph/test')}> {{ {bad} }} {bad} }}")
    messages = {v.message for v in validate_store(broken) if v.focus.endswith("/change/bad")}
    assert any("one date" in m for m in messages) and any("after it" in m for m in messages)
    assert any("public source" in m for m in messages) and any("links back" in m for m in messages)


def test_related_follows_succession_from_store_and_index_alike(reference_store) -> None:
    snapshot = load_snapshot(reference_store, None)
    for entity in ("org/중소벤처기업부", "org/행정안전부", "org/과학기술정보통신부"):
        from_store = related(reference_store, entity, relation="succession")
        from_index = related(reference_store, entity, relation="succession", source=snapshot)
        assert from_store[0] > 0 and from_store == from_index
    _n, edges = related(reference_store, "org/과학기술정보통신부", relation="succession")
    line = {(e.other_name, e.direction, e.role, e.start) for e in edges}
    assert ("미래창조과학부", "in", "rename", "2017-07-26") in line
    assert ("교육과학기술부", "in", "split", "2013-03-23") in line  # two changes back: the whole line
    first = next(e for e in edges if e.other_name == "미래창조과학부")
    assert first.evidence[0]["url"].startswith("https://") and first.evidence[0]["date"] == "2017-07-26"


def test_api_follow_succession(reference_store) -> None:
    client = TestClient(create_app(settings(), reference_store))
    answer = client.get("/entities/org/중소벤처기업부/related", params={"follow": "succession"}).json()
    assert [(e["relation"], e["direction"], e["entity"]["name"], e["start"]) for e in answer["data"]] == [
        ("succession", "in", "중소기업청", "2017-07-26")
    ]
    back = client.get("/entities/org/중소기업청/related", params={"relation": "succession"}).json()
    assert back["data"][0]["entity"]["id"] == "org/중소벤처기업부" and back["data"][0]["direction"] == "out"


def test_a_post_of_2016_names_the_body_of_2016(extractor) -> None:
    store = open_store("memory")
    posts = [
        Post(
            "sc-2016",
            "□ 김영수 중소벤처기업부 국장은 7일 대전에서 열린 벤처기업 간담회에 참석했다.",
            published=date(2016, 4, 7),
        ),
        Post(
            "sc-2024",
            "□ 김영수 중기부 국장은 7일 대전에서 열린 벤처기업 간담회에 참석했다.",
            published=date(2024, 4, 7),
        ),
    ]
    ingest(store, iter(posts), lambda p: extractor.pipe(p), identity=Identity())
    rows = store.select(
        sparql_prefixes() + "SELECT ?g ?o WHERE { GRAPH ?g { ?m org:organization ?o } } ORDER BY ?g"
    )
    assert [(r["g"].value.rsplit("/", 1)[1], r["o"].value) for r in rows] == [
        ("sc-2016", SMBA),
        ("sc-2024", MSS),
    ]


def test_bad_change_records_name_the_line(tmp_path: Path) -> None:
    folder = tmp_path / "lexicon"
    folder.mkdir()
    (folder / "a.jsonl").write_text(
        json.dumps({"id": "x", "name": "가나다청"}, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    bad = {
        "id": "c1",
        "date": "2020-13-01",
        "kind": "rename",
        "from": ["x"],
        "to": ["x"],
        "note": "n",
        "source": "https://e.org",
    }
    (folder / "changes.jsonl").write_text(json.dumps(bad) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"changes.jsonl:1: date '2020-13-01'"):
        load_lexicon(folder)
    bad.update(date="2020-01-01", to=["nobody"])
    (folder / "changes.jsonl").write_text(json.dumps(bad) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match="names 'nobody'"):
        load_lexicon(folder)
    assert (ROOT / "data" / "lexicon" / "changes.jsonl").exists()
