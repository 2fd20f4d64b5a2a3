"""Identity judgements (issue 13, part 2): `different` keeps namesakes in one body apart, `same`
merges two IRIs into one canonical IRI that the API (301), SPARQL (owl:sameAs) and the views
follow; a rewrite in place gives the graph a fresh build gives; `kg candidates` proposes the
pair of a person whose body was renamed."""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from kg.build.identity import Identity, parse, read_judgements, sync
from kg.build.pipeline import ingest
from kg.model import Post
from kg.read.candidates import candidates
from kg.store import open_store
from kg.store.base import Store
from kg.views import network as viz
from kg.vocab.ontology import data_iri, sparql_prefixes

from .conftest import kg_cli
from .test_api_support import settings

BLOCK = data_iri("id/person/김철수@중소벤처기업부")
OLD_BODY = data_iri("id/person/김철수@중소기업청")
POSTS = [
    Post(
        "jg-a",
        "□ 김철수 중소벤처기업부 국장은 10일 서울에서 열린 창업기업 간담회에 참석했다.",
        published=date(2020, 3, 10),
    ),
    Post(
        "jg-b",
        "□ 김철수 중소벤처기업부 국장은 5일 부산에서 열린 수출기업 간담회에 참석했다.",
        published=date(2021, 6, 5),
    ),
    Post(
        "jg-c",
        "□ 김철수 중소기업청 국장은 7일 대전에서 열린 벤처기업 간담회에 참석했다.",
        published=date(2016, 4, 7),
    ),
]


def judged(verdict: str, a: str, b: str) -> object:
    return parse(
        {
            "judgement": verdict,
            "a": a,
            "b": b,
            "reason": "test",
            "by": "tester",
            "at": "2026-01-05T10:00:00+00:00",
        },
        "test",
    )


def people(store: Store, post_id: str) -> set[str]:
    g = data_iri(f"id/post/{post_id}")
    rows = store.select(
        sparql_prefixes() + f"SELECT DISTINCT ?p WHERE {{ GRAPH <{g}> {{ ?p a foaf:Person }} }}"
    )
    return {r["p"].value for r in rows}


def post_graphs(store: Store) -> set[str]:
    rows = store.select(
        "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } FILTER(CONTAINS(STR(?g), '/id/post/')) }"
    )
    return {f"{r['s']} {r['p']} {r['o']} {r['g']}" for r in rows}


@pytest.fixture
def store(extractor) -> Store:
    s = open_store("memory")
    report = ingest(s, iter(POSTS), lambda posts: extractor.pipe(posts), identity=Identity())
    assert report.ok and report.written == 3
    assert people(s, "jg-a") == people(s, "jg-b") == {BLOCK}  # the default rule: one person
    assert people(s, "jg-c") == {OLD_BODY}  # the body of 2016 was 중소기업청
    return s


def test_different_keeps_namesakes_in_one_body_apart(store: Store, extractor) -> None:
    record_b = data_iri("id/person/김철수@post-jg-b")
    identity = Identity([judged("different", record_b, BLOCK)])
    assert sync(store, identity) == 2  # the posts naming the block IRI or the record
    assert people(store, "jg-a") == {BLOCK}
    assert people(store, "jg-b") == {record_b}
    assert sync(store, identity) == 0  # nothing changed since
    # the same graph as a fresh build with the judgement
    fresh = open_store("memory")
    ingest(fresh, iter(POSTS), lambda posts: extractor.pipe(posts), identity=identity)
    assert post_graphs(fresh) == post_graphs(store)
    # back to the default: judged same again
    identity = Identity([judged("same", record_b, BLOCK)])
    sync(store, identity)
    assert people(store, "jg-b") == {BLOCK}


def test_same_merges_two_iris_and_api_sparql_and_views_follow(store: Store, extractor) -> None:
    found = candidates(store, kind="person")
    pair = next(c for c in found if {c.a, c.b} == {BLOCK, OLD_BODY})
    assert "their bodies are one line of succession" in pair.reasons
    assert any(r.startswith("same role family") for r in pair.reasons)
    identity = Identity([judged("same", OLD_BODY, BLOCK)])
    canonical = identity.canonical(OLD_BODY)
    other = OLD_BODY if canonical == BLOCK else BLOCK
    assert sync(store, identity) == 3
    for post in ("jg-a", "jg-b", "jg-c"):
        assert people(store, post) == {canonical}
    assert not any(c for c in candidates(store, kind="person") if {c.a, c.b} == {BLOCK, OLD_BODY})
    # SPARQL: owl:sameAs from the merged IRI, and every fact names the canonical one
    assert store.ask(sparql_prefixes() + f"ASK {{ <{other}> owl:sameAs <{canonical}> }}")
    # (in the post graphs: the change log keeps the history of what was stated under which IRI)
    assert not store.ask(
        f"ASK {{ GRAPH ?g {{ ?f <http://www.w3.org/1999/02/22-rdf-syntax-ns#object> <{other}> }}"
        " FILTER(CONTAINS(STR(?g), '/id/post/')) }"
    )
    # a rewrite in place is a fresh build
    fresh = open_store("memory")
    ingest(fresh, iter(POSTS), lambda posts: extractor.pipe(posts), identity=identity)
    assert post_graphs(fresh) == post_graphs(store)
    # the API redirects the old id and answers the canonical one with both bodies
    client = TestClient(create_app(settings(), store))
    old_id, new_id = other.split("/id/", 1)[1], canonical.split("/id/", 1)[1]
    for suffix in ("", "/related?limit=10", "/graph.html"):
        answer = client.get(f"/entities/{old_id}{suffix}", follow_redirects=False)
        assert answer.status_code == 301, (suffix, answer.text)
        assert answer.headers["location"].startswith("/entities/")
        assert client.get(answer.headers["location"]).status_code == 200
    assert client.get("/entities/person/아무개@없는기관").status_code == 404
    related = client.get(f"/entities/{new_id}/related", params={"relation": "holdsPosition"}).json()
    assert {e["entity"]["name"] for e in related["data"]} == {"중소벤처기업부", "중소기업청"}
    nodes, _edges = viz.neighbourhood(store, canonical, 1)
    assert {n.label for n in nodes} >= {"중소벤처기업부", "중소기업청"}


def test_a_same_cluster_that_contradicts_a_different_judgement_is_refused() -> None:
    from kg.model import KgError

    a, b, c = (data_iri(f"id/org/{n}") for n in ("가", "나", "다"))
    with pytest.raises(KgError, match="judged different"):
        Identity([judged("same", a, b), judged("same", b, c), judged("different", a, c)])


def test_bad_judgement_files_name_the_line(tmp_path: Path) -> None:
    (tmp_path / "x.jsonl").write_text(
        '{"judgement": "maybe", "a": "org/가", "b": "org/나", "reason": "r", "by": "b", "at": "2026-01-01T00:00:00"}\n',
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match=r"x.jsonl:1: judgement 'maybe'"):
        read_judgements(tmp_path)


def _cli_setup(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """The posts as JSON Lines files, ingested by `kg ingest` into a store of its own."""
    folder = tmp_path / "posts"
    folder.mkdir()
    for post in POSTS:
        assert post.published is not None
        record = {"id": post.id, "text": post.text, "published": post.published.isoformat()}
        (folder / f"{post.id}.jsonl").write_text(
            json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8"
        )
    env = {**os.environ, "KG_STORE": str(tmp_path / "store"), "KG_JUDGEMENTS": str(tmp_path / "judgements")}
    assert kg_cli(env, "ingest", "-j", "1", str(folder)).returncode == 0
    return folder, env


def test_cli_candidates_accepts_strong_signals(tmp_path: Path) -> None:
    _folder, env = _cli_setup(tmp_path)
    none = kg_cli(env, "candidates", "--accept-from", "99")
    assert none.returncode == 0 and "accepted 0" in none.stderr
    out = kg_cli(env, "candidates", "--accept-from", "5")
    assert out.returncode == 0 and "accepted 1" in out.stderr, out.stderr
    (line,) = (tmp_path / "judgements" / "judgements.jsonl").read_text(encoding="utf-8").splitlines()
    accepted = json.loads(line)
    assert accepted["by"] == "kg candidates" and "one line of succession" in accepted["reason"]
    store = open_store(str(tmp_path / "store"))
    try:
        assert len({p for post in ("jg-a", "jg-c") for p in people(store, post)}) == 1
    finally:
        store.close()


def test_cli_same_different_and_candidates(tmp_path: Path) -> None:
    folder, env = _cli_setup(tmp_path)
    out = kg_cli(env, "candidates", "--json")
    assert out.returncode == 0, out.stderr
    pairs = [json.loads(line) for line in out.stdout.splitlines()]
    assert {pairs[0]["a"], pairs[0]["b"]} == {"person/김철수@중소기업청", "person/김철수@중소벤처기업부"}
    out = kg_cli(
        env,
        "same",
        "person/김철수@중소기업청",
        "person/김철수@중소벤처기업부",
        "--reason",
        "same 국장",
        "--by",
        "tester",
    )
    assert out.returncode == 0, out.stderr
    assert "rewrote 3 post graph(s)" in out.stderr
    lines = (tmp_path / "judgements" / "judgements.jsonl").read_text(encoding="utf-8").splitlines()
    assert json.loads(lines[0])["judgement"] == "same" and json.loads(lines[0])["by"] == "tester"
    refused = kg_cli(
        env, "different", "person/김철수@중소기업청", "person/김철수@중소벤처기업부", "--reason", "x"
    )
    assert refused.returncode != 0 and "judged different" in refused.stderr
    assert (
        kg_cli(env, "same", "person/없는@사람", "person/김철수@중소벤처기업부", "--reason", "x").returncode
        != 0
    )
    # a re-ingest applies the recorded judgement and finds nothing to change
    again = kg_cli(env, "ingest", "-j", "1", str(folder))
    assert "written 0" in again.stderr, again.stderr
