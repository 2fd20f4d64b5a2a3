"""Your own base IRI: with KG_BASE_IRI=https://example.go.kr/kg/ every IRI kg makes is under it,
end to end (ingest → API ids → export); a graph built under one base is re-based by
`kg export --base` into exactly what an ingest under the new base gives; IRIs dereference with
303 See Other; a store refuses a process with another base."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from api.main import create_app
from kg.build.pipeline import ingest
from kg.build.shards import load_files
from kg.cli.commands import main
from kg.config import Settings
from kg.ingest import read_posts
from kg.store import open_store
from kg.store.base import bookkeeping_graphs
from kg.store.oxigraph import OxigraphStore
from kg.vocab.ontology import default_base, set_base, vocabulary

from .conftest import SAMPLES, kg_cli

BASE = "https://example.go.kr/kg/"
POSTS = [
    SAMPLES / f"{name}.md"
    for name in ("sample-2019-03-mss-smart-factory", "sample-2019-06-kised-pre-startup-package")
]
VOCABULARY = vocabulary()  # the ontology's terms: the same for every deployment


def kg(*args: str, base: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "KG_BASE_IRI"}
    if base:
        env["KG_BASE_IRI"] = base
    return kg_cli(env, *args)


@pytest.fixture
def under(request: pytest.FixtureRequest) -> Iterator[None]:
    """This process makes IRIs under BASE for the test, then under the default again."""
    set_base(BASE)
    yield
    set_base(None)


def data_quads(store: OxigraphStore) -> set[str]:
    bookkeeping = set(bookkeeping_graphs())
    return {
        f"{q.subject} {q.predicate} {q.object} {q.graph_name}"
        for q in store.db.quads_for_pattern(None, None, None, None)
        if isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value not in bookkeeping
    }


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The two posts ingested by `kg ingest` under KG_BASE_IRI=BASE (a real process)."""
    store = tmp_path_factory.mktemp("base") / "store"
    done = kg("ingest", "--store", str(store), "-j", "1", *map(str, POSTS), base=BASE)
    assert done.returncode == 0, done.stderr
    return store


def iris(quads: list[ox.Quad]) -> set[str]:
    found = set()
    for q in quads:
        for term in (q.subject, q.predicate, q.object, q.graph_name):
            if isinstance(term, ox.NamedNode):
                found.add(term.value)
            if isinstance(term, ox.Literal) and term.datatype.value.startswith("http"):
                found.add(term.datatype.value)
    return found


def test_ingest_and_export_under_your_base(built: Path) -> None:
    exported = kg("export", "--store", str(built), "--format", "nq", base=BASE)
    assert exported.returncode == 0, exported.stderr
    quads = list(ox.parse(exported.stdout.encode("utf-8"), format=ox.RdfFormat.N_QUADS))
    found = iris(quads)
    ours = {i for i in found if i.startswith(BASE)}
    assert any(i.startswith(BASE + "id/org/") for i in ours) and any(
        i.startswith(BASE + "id/post/") for i in ours
    )
    assert (
        any("#fact-" in i for i in ours) and BASE + "graph/derived" in ours and BASE + "graph/changes" in ours
    )
    # nothing else under the placeholder base: only the vocabulary's own namespaces stay there
    stray = {i for i in found if i.startswith(default_base()) and not i.startswith(VOCABULARY)}
    assert stray == set()
    data_like = {i for i in found if "/id/" in i or "/graph/" in i or "/releases/" in i}
    assert data_like <= ours, sorted(data_like - ours)[:5]


def test_api_ids_and_iris_under_your_base(built: Path, under: None) -> None:
    client = TestClient(
        create_app(Settings(base_iri=BASE, refresh_seconds=0), OxigraphStore(built, read_only=True))
    )
    hit = client.get("/entities", params={"q": "중기"}).json()["data"][0]
    assert hit == {**hit, "id": "org/중소벤처기업부", "iri": BASE + "id/org/중소벤처기업부"}
    entity = client.get("/entities/org/중소벤처기업부").json()
    assert entity["iri"] == BASE + "id/org/중소벤처기업부"
    turtle = client.get("/entities/org/중소벤처기업부", params={"format": "turtle"}).text
    assert f"@prefix kgr: <{BASE}id/>" in turtle and default_base() + "id/" not in turtle
    context = client.get("/context.jsonld").json()["@context"]
    assert context["kgr"] == BASE + "id/"
    related = client.get("/entities/org/중소벤처기업부/related").json()["data"]
    assert related and all(e["entity"]["iri"].startswith(BASE) for e in related)
    changes = client.get("/changes").json()
    assert changes["data"][0]["post"]["iri"].startswith(BASE + "id/post/")
    assert changes["runs"][0]["iri"].startswith(BASE + "id/run/")
    page = client.get("/entities/org/중소벤처기업부", headers={"accept": "text/html"}).text
    assert BASE + "id/org/중소벤처기업부" in page


def test_an_iri_dereferences_with_303_see_other(built: Path, under: None) -> None:
    client = TestClient(
        create_app(Settings(base_iri=BASE, refresh_seconds=0), OxigraphStore(built, read_only=True))
    )
    path = "/id/org/" + quote("중소벤처기업부")
    for accept, fmt in (
        ("text/html,application/xhtml+xml,*/*;q=0.8", "html"),
        ("text/turtle", "turtle"),
        ("application/ld+json", "jsonld"),
        ("*/*", "json"),
    ):
        answer = client.get(path, headers={"accept": accept}, follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["vary"] == "Accept"
        assert answer.headers["location"] == f"/entities/org/{quote('중소벤처기업부')}?format={fmt}"
        document = client.get(answer.headers["location"], headers={"accept": accept})
        assert document.status_code == 200
    post = client.get(
        "/id/post/sample-2019-03-mss-smart-factory", headers={"accept": "text/html"}, follow_redirects=True
    )
    assert post.status_code == 200 and "스마트공장" in post.text
    assert client.get("/id/org/" + quote("없는기관"), follow_redirects=False).status_code == 404


def test_rebase_gives_what_an_ingest_under_the_new_base_gives(extractor, built: Path, tmp_path: Path) -> None:
    original = tmp_path / "original"
    store = open_store(str(original))
    try:
        report = ingest(store, read_posts(POSTS), lambda posts: extractor.pipe(posts))
        assert report.written == 2
    finally:
        store.close()
        del store
    out = tmp_path / "rebased.nq"
    result = CliRunner().invoke(
        main, ["export", "--store", str(original), "--format", "nq", "--base", BASE, "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    set_base(BASE)
    try:
        rebased = OxigraphStore(None)
        loaded = load_files(rebased, [out])
        assert loaded.posts == 2 and not loaded.errors
        direct = OxigraphStore(built, read_only=True)
        assert data_quads(rebased) == data_quads(direct)
    finally:
        set_base(None)


def test_a_store_refuses_another_base(built: Path) -> None:
    done = kg("ingest", "--store", str(built), "-j", "1", str(POSTS[0]))  # the placeholder base
    assert done.returncode == 1
    assert f"made under the base IRI {BASE}" in done.stderr and "KG_BASE_IRI" in done.stderr
    assert "Traceback" not in done.stderr
    nq = Path(built.parent / "other.nq")
    nq.write_text(
        f'<{default_base()}id/post/x> <http://purl.org/dc/terms/title> "x" <{default_base()}id/post/x> .\n',
        encoding="utf-8",
    )
    set_base(BASE)
    try:
        report = load_files(OxigraphStore(None), [nq])
        assert report.posts == 0 and "not a post under the base IRI" in report.errors[0].reason
    finally:
        set_base(None)


def test_bad_base_iris_are_refused() -> None:
    for bad in ("example.go.kr/kg/", "https://example.go.kr/kg", "https://example.go.kr/k g/", "ftp://x/"):
        with pytest.raises(ValueError, match="KG_BASE_IRI"):
            Settings(base_iri=bad)
    with pytest.raises(ValueError, match="KG_BASE_IRI"):
        set_base("https://example.go.kr/kg")
    result = CliRunner().invoke(main, ["export", "--store", "memory", "--base", "https://x.kr/no-slash"])
    assert result.exit_code != 0 and "must end with '/'" in result.output
