"""Versioned extraction (issue 13, part 1): the extractor's version is a digest of what it reads,
every post graph and fact records it, a changed extractor makes `kg ingest` re-extract the
same posts, and `kg reextract` rebuilds stale posts from the store alone (embedded and remote).

Regression: adding one lexicon entry and re-ingesting said `written 0, skipped as unchanged 1`
and kept the old facts under the same provenance.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

import kg.version
from kg.build.pipeline import ingest
from kg.build.reextract import reextract, stale_posts, stored_posts
from kg.ingest import read_posts
from kg.model import Post
from kg.read.queries import extractor_versions
from kg.store import open_store
from kg.store.base import Store
from kg.store.server import OxigraphServer
from kg.vocab.ontology import sparql_prefixes

from .conftest import ROOT, SAMPLES, kg_cli

POSTS = [
    SAMPLES / "sample-2017-12-mss-venture-ecosystem-meeting.md",
    SAMPLES / "sample-2019-03-mss-smart-factory.md",
]


@pytest.fixture
def fresh_version():
    """Clear the once-per-process caches around a test that changes what the digest covers."""
    kg.version.extractor_digest.cache_clear()
    kg.version.extractor_version.cache_clear()
    yield
    kg.version.extractor_digest.cache_clear()
    kg.version.extractor_version.cache_clear()


def _data_copy(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    for name in kg.version.DATA_FOLDERS:
        shutil.copytree(ROOT / "data" / name, data / name)
    return data


def test_the_version_is_the_package_version_and_a_digest_of_what_extraction_reads() -> None:
    version = kg.version.extractor_version()
    assert version.startswith("kg-extract/0.") and "+" in version
    names = {name for name, _ in kg.version.extractor_inputs()}
    assert {"kg/extract/pipeline.cfg", "data/patterns/rules.jsonl", "data/lexicon/government.jsonl"} <= names
    assert any(n.startswith("data/models/ner-klue/ner/") for n in names)
    assert "kg/text/clean.py" in names and "kg/vocab/lexicon.py" in names


@pytest.mark.parametrize(
    "change",
    [
        ("lexicon/government.jsonl", "edit"),
        ("patterns/rules.jsonl", "edit"),
        ("models/ner-klue/meta.json", "edit"),
        ("patterns/new-rules.jsonl", "add"),  # a new file in a covered folder counts without code changes
        ("lexicon/terms.txt", "remove"),
    ],
)
def test_changing_any_file_extraction_reads_changes_the_digest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: tuple[str, str]
) -> None:
    data = _data_copy(tmp_path)
    monkeypatch.setattr(kg.version, "DATA_DIR", data)
    before = kg.version.compute_digest()
    assert kg.version.compute_digest() == before  # stable
    path, how = change
    target = data / path
    if how == "edit":
        target.write_bytes(target.read_bytes() + b"\n")
    elif how == "add":
        target.write_text('{"id": "x"}\n', encoding="utf-8")
    else:
        target.unlink()
    assert kg.version.compute_digest() != before


def test_the_digest_does_not_load_spacy() -> None:
    code = (
        "import sys; from kg.version import extractor_version; extractor_version(); "
        "import api.main; print(sorted(m for m in sys.modules if m.split('.')[0] in ('spacy', 'mecab')))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def _facts_by_version(store: Store) -> dict[str, int]:
    return {v: facts for v, _posts, facts in extractor_versions(store)}


def test_a_changed_lexicon_makes_the_next_ingest_re_extract_and_nothing_changed_writes_nothing(
    extractor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_version
) -> None:
    store = open_store("memory")

    def extract(posts):  # a new process computes its version afresh: stamp the one of this moment
        for ex in extractor.pipe(posts):
            yield replace(ex, extractor_version=kg.version.extractor_version())

    first = ingest(store, read_posts(POSTS), extract)
    assert (first.written, first.reextracted) == (2, 0)
    old = kg.version.extractor_version()
    facts = sum(_facts_by_version(store).values())
    assert _facts_by_version(store) == {old: facts}
    again = ingest(store, read_posts(POSTS), extract)
    assert (again.written, again.skipped, again.reextracted) == (0, 2, 0)

    # one more lexicon entry (the measurement of the issue) makes a new extractor version
    data = _data_copy(tmp_path)
    with (data / "lexicon" / "agencies.jsonl").open("a", encoding="utf-8") as fh:
        fh.write(json.dumps({"id": "test-body", "name": "시험용기관진흥원", "subtype": "agency"}) + "\n")
    monkeypatch.setattr(kg.version, "DATA_DIR", data)
    kg.version.extractor_digest.cache_clear()
    kg.version.extractor_version.cache_clear()
    new = kg.version.extractor_version()
    assert new != old
    assert stale_posts(store, new) == sorted(stale_posts(store, new)) and len(stale_posts(store, new)) == 2
    third = ingest(store, read_posts(POSTS), extract)
    assert (third.written, third.skipped, third.reextracted) == (2, 0, 2)
    assert "re-extracted 2" in third.summary()
    assert _facts_by_version(store) == {new: facts}  # no fact is left under the old version
    post_versions = store.select(
        sparql_prefixes()
        + "SELECT DISTINCT ?v WHERE { GRAPH ?g { ?g a schema:Article ; kg:extractorVersion ?v } }"
    )
    assert [r["v"].value for r in post_versions] == [new]
    assert ingest(store, read_posts(POSTS), extract).written == 0


def test_posts_rebuilt_from_the_store_are_the_posts_that_were_ingested(extractor) -> None:
    store = open_store("memory")
    originals = [p for p in read_posts(POSTS) if isinstance(p, Post)]
    ingest(store, iter(originals), lambda posts: extractor.pipe(posts))
    rebuilt = {p.id: p for p in stored_posts(store, store.post_iris()) if isinstance(p, Post)}
    assert set(rebuilt) == {p.id for p in originals}
    for post in originals:
        back = rebuilt[post.id]
        assert back.content_hash == post.content_hash
        assert (back.title, back.url, back.published, back.publisher) == (
            post.title,
            post.url,
            post.published,
            post.publisher,
        )
        # the stored text is the cleaned text; cleaning it again changes nothing
        assert extractor.clean(back) == back.text == extractor.clean(post)


def _graph_without_versions(store: Store) -> set[str]:
    """Every quad of the post graphs and derived intervals, with version strings blanked."""
    rows = store.select(
        "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } FILTER(CONTAINS(STR(?g), '/id/post/')) }"
    )
    lines = set()
    for r in rows:
        line = f"{r['s']} {r['p']} {r['o']} {r['g']}"
        lines.add(line.replace(OLD_VERSION, "V").replace(kg.version.extractor_version().split("/")[1], "V"))
    return lines


OLD_VERSION = "0.0.0+000000000000"


def _reextract_round(store: Store, extractor) -> None:
    extract = lambda posts: extractor.pipe(posts)  # noqa: E731

    def older(posts):  # the same extraction, as an older extractor version would record it
        for ex in extractor.pipe(posts):
            yield replace(ex, extractor_version=f"kg-extract/{OLD_VERSION}")

    ingest(store, read_posts(POSTS), older, extractor_version=f"kg-extract/{OLD_VERSION}")
    # the posts were read by an "older" extractor than the running one
    assert len(stale_posts(store)) == 2
    before = _graph_without_versions(store)
    report = reextract(store, extract)
    assert report.ok and (report.written, report.reextracted) == (2, 2), report.summary()
    assert stale_posts(store) == []
    assert list(_facts_by_version(store)) == [kg.version.extractor_version()]
    assert _graph_without_versions(store) == before  # the same facts, now under the current version
    assert reextract(store, extract).written == 0  # nothing stale is left


def test_reextract_on_an_embedded_store(extractor, tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "store"))
    try:
        _reextract_round(store, extractor)
    finally:
        store.close()


def test_reextract_on_a_remote_store(extractor, tmp_path: Path) -> None:
    server = OxigraphServer(tmp_path / "store", timeout_s=5)
    try:
        _reextract_round(open_store(server.url), extractor)
    finally:
        server.stop()


def test_reextract_keeps_open_data_facts(tmp_path: Path) -> None:
    """An open-data record's structured facts come back from the stored payload, not from NLP."""
    from .test_opendata import FIXTURES, no_nlp

    store = open_store("memory")
    posts = list(read_posts([FIXTURES / "bizinfo-programs.json"]))
    first = ingest(store, iter(posts), no_nlp, extractor_version="none/0")
    assert first.written == len(posts) and first.facts > 0
    report = reextract(store, no_nlp, extractor_version="none/1")
    assert report.ok and report.written == len(posts) and report.facts == first.facts


def test_cli_version_reextract_and_stats(tmp_path: Path) -> None:
    env = {**os.environ, "KG_STORE": str(tmp_path / "store")}

    version = kg_cli(env, "--version")
    assert version.returncode == 0 and kg.version.extractor_version() in version.stdout
    assert kg_cli(env, "ingest", "-j", "1", str(POSTS[0])).returncode == 0
    out = kg_cli(env, "reextract", "-j", "1")
    assert out.returncode == 0, out.stderr
    assert "0 post(s) to extract again" in out.stderr and "re-extracted 0" in out.stderr
    out = kg_cli(env, "reextract", "-j", "1", "--all")
    assert out.returncode == 0 and "re-extracted 1" in out.stderr, out.stderr
    stats = json.loads(kg_cli(env, "stats").stdout)
    assert stats["current_extractor"] == kg.version.extractor_version()
    assert [v["version"] for v in stats["extractor_versions"]] == [kg.version.extractor_version()]
    assert stats["extractor_versions"][0]["posts"] == 1


def test_health_and_stats_show_the_extractor_version(extractor) -> None:
    from fastapi.testclient import TestClient

    from api.main import create_app

    from .test_api_support import settings

    store = open_store("memory")
    ingest(store, read_posts(POSTS[:1]), lambda posts: extractor.pipe(posts))
    client = TestClient(create_app(settings(), store))
    assert client.get("/health").json()["extractor"] == kg.version.extractor_version()
    stats = client.get("/stats").json()
    assert stats["current_extractor"] == kg.version.extractor_version()
    assert [v["version"] for v in stats["extractor_versions"]] == [kg.version.extractor_version()]
