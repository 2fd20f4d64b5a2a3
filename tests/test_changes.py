"""The change log: every ingest, load and removal is a prov:Activity; /changes lists exactly the
facts a run added and removed (JSON and Atom); an entity's feed shows the new facts about it.

The facts the log reports are checked against the store itself: the kg:Fact statements of the
edited post before and after, read with SPARQL.
"""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import quote

import html5rdf
import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from api.schemas import ChangesPublic
from kg.build.changelog import ChangeLog
from kg.build.pipeline import ingest
from kg.build.shards import load_files
from kg.ingest import read_posts
from kg.read import changes
from kg.store import open_store
from kg.store.oxigraph import OxigraphStore
from kg.vocab.ontology import curie, sparql_prefixes

from .conftest import SAMPLES
from .test_api_support import settings

ATOM = "{http://www.w3.org/2005/Atom}"
EDITED = "sample-2019-03-mss-smart-factory"
OTHERS = ("sample-2017-12-mss-venture-ecosystem-meeting", "sample-2019-06-kised-pre-startup-package")
MSS = "https://kg.example.org/id/org/중소벤처기업부"


def facts_of(store: OxigraphStore, post_id: str) -> set[tuple[str, str, str]]:
    rows = store.select(
        sparql_prefixes()
        + f"""SELECT ?s ?p ?o WHERE {{ GRAPH ?g {{ ?g dcterms:identifier "{post_id}" .
  ?f a kg:Fact ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o }} }}"""
    )
    return {(r["s"].value, curie(r["p"].value), r["o"].value) for r in rows}


def listed(facts: list[dict]) -> set[tuple[str, str, str]]:
    def value(term: dict) -> str:
        return term["iri"] if "iri" in term else term["value"]

    return {(value(f["subject"]), f["predicate"], value(f["object"])) for f in facts}


@pytest.fixture(scope="module")
def edited(extractor, tmp_path_factory) -> dict:
    """Three sample posts ingested; then one of them edited (its minister renamed, a sentence
    dropped) and ingested again with the others."""
    folder = tmp_path_factory.mktemp("posts")
    for name in (EDITED, *OTHERS):
        shutil.copy(SAMPLES / f"{name}.md", folder / f"{name}.md")
    store = open_store("memory")
    extract = lambda posts: extractor.pipe(posts)  # noqa: E731
    first = ingest(store, read_posts([folder]), extract)
    before = facts_of(store, EDITED)
    path = folder / f"{EDITED}.md"
    text = path.read_text(encoding="utf-8")
    assert "장관 홍종학" in text
    dropped = next(line for line in text.splitlines() if "권대역 대표는" in line)
    path.write_text(text.replace("장관 홍종학", "장관 김가상").replace(dropped, ""), encoding="utf-8")
    second = ingest(store, read_posts([folder]), extract)
    after = facts_of(store, EDITED)
    assert (first.written, second.written, second.skipped) == (3, 1, 2)
    return {"store": store, "first": first, "second": second, "before": before, "after": after}


def test_changes_since_a_run_lists_exactly_the_removed_and_added_facts(edited: dict) -> None:
    client = TestClient(create_app(settings(), edited["store"]))
    answer = client.get("/changes", params={"since": edited["first"].run}).json()
    assert answer["count"] == 1 and answer["next"] is None
    (cs,) = answer["data"]
    assert cs["change"] == "changed" and cs["post"]["id"] == EDITED and cs["run"] == edited["second"].run
    added, removed = edited["after"] - edited["before"], edited["before"] - edited["after"]
    assert added and removed
    assert listed(cs["added"]) == added and listed(cs["removed"]) == removed
    assert any(f["sentence"] and "김가상" in f["sentence"] for f in cs["added"])
    assert any(
        f["organization"] and f["organization"]["iri"] == MSS and f["role"] == "장관" for f in cs["added"]
    )
    (run,) = answer["runs"]
    assert run["kind"] == "ingest" and run["posts_changed"] == 1 and run["posts_added"] == 0
    assert (run["facts_added"], run["facts_removed"]) == (len(added), len(removed))
    assert run["extractor_versions"] and run["ended"] >= run["started"]
    assert answer["latest"] == {"time": cs["time"], "run": edited["second"].run}
    ChangesPublic.model_validate(answer)  # the answer is what /docs says it is
    # the same, asked by time: strictly after the first run's last change
    first_end = client.get("/changes", params={"limit": 1000}).json()["data"][2]["time"]
    by_time = client.get("/changes", params={"since": first_end}).json()
    assert [c["iri"] for c in by_time["data"]] == [cs["iri"]]
    # and nothing after the latest change
    assert client.get("/changes", params={"since": answer["latest"]["time"]}).json()["count"] == 0


def test_the_whole_log_replays_to_the_store(edited: dict) -> None:
    """Applying every change set in order, oldest first, gives the facts the store holds."""
    client = TestClient(create_app(settings(), edited["store"]))
    state: dict[str, set] = {}
    url: str | None = "/changes?limit=2"
    pages = 0
    while url:
        answer = client.get(url).json()
        pages += 1
        for cs in answer["data"]:
            facts = state.setdefault(cs["post"]["id"], set())
            facts -= listed(cs["removed"])
            facts |= listed(cs["added"])
        url = answer["next"]
    assert pages == 2  # four change sets, two per page
    for post_id, facts in state.items():
        assert facts == facts_of(edited["store"], post_id), post_id


def test_atom_feeds_of_the_changes_and_of_a_body(edited: dict) -> None:
    client = TestClient(create_app(settings(), edited["store"]))
    answer = client.get(
        "/changes", params={"since": edited["first"].run}, headers={"accept": "application/atom+xml"}
    )
    assert answer.headers["content-type"] == "application/atom+xml"
    feed = ET.fromstring(answer.content)
    (entry,) = feed.findall(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}title").startswith("[changed] 중기부, 스마트공장 보급 확산 간담회 개최 (+")
    assert feed.findtext(f"{ATOM}updated") and feed.find(f"{ATOM}author/{ATOM}name").text == "kg"
    # the body's feed: its newest entry is the edit, with the new minister; a person page link
    body = client.get(f"/entities/org/{quote('중소벤처기업부')}/feed.atom")
    assert body.status_code == 200
    entries = ET.fromstring(body.content).findall(f"{ATOM}entry")
    assert len(entries) == 4  # the three posts that name it, then the edit
    newest = entries[0]
    assert newest.findtext(f"{ATOM}title").startswith("[changed]")
    content = newest.findtext(f"{ATOM}content")
    assert "김가상" in content and "/entities/person/" in content and "추가된 사실" in content
    parser = html5rdf.HTMLParser(strict=False)
    parser.parseFragment(content)
    assert parser.errors == []
    # a person named only in the edit: one entry, the post that first named them
    person = client.get(f"/entities/person/{quote('김가상@중소벤처기업부')}/feed.atom")
    (only,) = ET.fromstring(person.content).findall(f"{ATOM}entry")
    assert "김가상" in only.findtext(f"{ATOM}content")
    assert client.get(f"/entities/org/{quote('없는기관')}/feed.atom").status_code == 404


def test_bad_since_is_explained(edited: dict) -> None:
    client = TestClient(create_app(settings(), edited["store"]))
    bad = client.get("/changes", params={"since": "last tuesday"})
    assert bad.status_code == 422 and "a run id" in bad.json()["detail"]
    unknown = client.get("/changes", params={"since": "20000101T000000Z-abcdef"})
    assert unknown.status_code == 404 and "no run" in unknown.json()["detail"]
    assert client.get("/changes", params={"since": "2000-01-01"}).json()["count"] == 4
    # regression: an offset past 2^64 reached the store as a SPARQL OFFSET Oxigraph rejects (a 500)
    assert client.get("/changes", params={"offset": 2**64}).status_code == 422
    assert client.get("/changes", params={"offset": 10**9}).json()["data"] == []


def test_removal_and_load_are_runs_too(edited: dict, tmp_path: Path) -> None:
    store = edited["store"]
    nq = tmp_path / "all.nq"
    nq.write_bytes(store.dump("nq"))
    fresh = open_store("memory")
    report = load_files(fresh, [nq])
    assert report.posts == 3 and not report.errors
    log = ChangeLog(fresh, "removal")
    log.start()
    iri = next(cs["post"]["iri"] for cs in changes.change_sets(fresh)[1] if cs["post"]["id"] == EDITED)
    assert log.remove_posts([iri]) == 1
    log.finish()
    load_run, removal_run = sorted(changes.runs(fresh), key=lambda r: r["started"])
    assert load_run["kind"] == "load" and load_run["posts_added"] == 3 and load_run["extractor_versions"]
    assert removal_run["kind"] == "removal" and removal_run["posts_removed"] == 1
    total, sets = changes.change_sets(fresh, changes.parse_since(load_run["id"]))
    assert total == 1 and sets[0]["change"] == "removed" and sets[0]["added"] == []
    assert listed(sets[0]["removed"]) == edited["after"]
    assert sets[0]["post"]["title"] == "중기부, 스마트공장 보급 확산 간담회 개최"  # kept: the post is gone


def test_parse_since() -> None:
    assert changes.parse_since("2026-01-22") == changes.Since(
        "2026-01-22", "2026-01-22T00:00:00.000000Z", True
    )
    assert changes.parse_since("2026-01-22T10:15:30+09:00").moment == "2026-01-22T01:15:30.000000Z"
    assert changes.parse_since("20260122T101530Z-3f9c2a").run == "20260122T101530Z-3f9c2a"
    assert changes.parse_since(None) == changes.Since()
    with pytest.raises(ValueError, match="a day"):
        changes.parse_since("2026-13-45")


def test_the_log_reads_the_same_from_an_oxigraph_server(edited: dict, tmp_path: Path) -> None:
    """The change log's queries are plain SPARQL 1.1: a remote store answers them alike."""
    from kg.store.remote import RemoteStore
    from kg.store.server import OxigraphServer

    server = OxigraphServer(tmp_path / "server", timeout_s=10)
    try:
        remote = RemoteStore(server.url, timeout=30)
        remote.load(edited["store"].dump("nq"), "nq")
        here = TestClient(create_app(settings(), edited["store"])).get("/changes").json()
        there = TestClient(create_app(settings(), remote)).get("/changes").json()
        assert there == here
        page = TestClient(create_app(settings(), remote)).get(
            f"/entities/org/{quote('중소벤처기업부')}", headers={"accept": "text/html"}
        )
        assert page.status_code == 200 and "김가상" in page.text
    finally:
        server.stop()
