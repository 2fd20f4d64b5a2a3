"""The same writes and reads on the embedded store, a real Oxigraph server and a real Virtuoso
(Debian's virtuoso-opensource, started on 127.0.0.1 in a scratch folder) give the same answers:
the README queries, `/entities` search, `/related` from the index and from the store,
`graph.html`, `kg export`, re-ingest of an edited post, `kg remove` and `kg validate`.
Virtuoso also bulk-loads shards with its own loader through `kg load`."""

from __future__ import annotations

import gc
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from api.main import create_app
from kg.build.pipeline import ingest
from kg.cli.commands import main
from kg.ingest import read_posts
from kg.read.examples import complete_prefixes
from kg.sparql.protocol import answer, render
from kg.store import open_store
from kg.store.base import Store
from kg.store.server import OxigraphServer

from .conftest import ROOT, SAMPLES, data_lines
from .test_api_support import settings, start_virtuoso, virtuoso_settings

README = (ROOT / "README.md").read_text(encoding="utf-8")
POSTS = [
    "sample-2017-12-mss-venture-ecosystem-meeting.md",
    "sample-2019-03-mss-smart-factory.md",
    "sample-2019-06-kised-pre-startup-package.md",
    "sample-2021-11-mss-gangneung-local-creators.md",
    "sample-2025-09-mss-hansungsook-smallbiz-ai.md",
]
KINDS = ["embedded", "oxigraph-server", "virtuoso"]
GENERATION = "ontology#generation"


class Backend:
    """One store kind: how to open it in-process and which settings point `kg` at it."""

    def __init__(self, kind: str, env: dict[str, str], stop: Any = None) -> None:
        self.kind = kind
        self.env = env
        self.stop = stop

    def open(self, read_only: bool = False) -> Store:
        return open_store(settings=self.settings(), timeout=60, read_only=read_only)

    def settings(self, **overrides: Any) -> Any:
        values = {k[3:].lower(): v for k, v in self.env.items()}
        return settings(**{**values, **overrides})

    def kg(self, *args: str) -> Any:
        result = CliRunner().invoke(main, list(args), env=self.env, catch_exceptions=False)
        return result


@pytest.fixture(scope="module")
def posts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("posts")
    for name in POSTS:
        shutil.copy(SAMPLES / name, folder / name)
    return folder


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the stores live; Virtuoso's bulk loader may read files under it."""
    return tmp_path_factory.mktemp("stores")


@pytest.fixture(scope="module")
def backends(root: Path) -> Iterator[dict[str, Backend]]:
    oxigraph = OxigraphServer(root / "oxigraph", timeout_s=30)
    virtuoso = start_virtuoso(root / "virtuoso", timeout_s=120, load_dirs=[root])
    env = {k: str(v) for k, v in virtuoso.settings().items()}
    made = {
        "embedded": Backend("embedded", {"KG_STORE": str(root / "embedded")}),
        "oxigraph-server": Backend("oxigraph-server", {"KG_STORE": oxigraph.url}),
        "virtuoso": Backend("virtuoso", {**env, "KG_STORE_ENFORCES_TIMEOUT": "true"}),
    }
    assert virtuoso_settings(virtuoso).store_dialect == "virtuoso"
    yield made
    oxigraph.stop()
    virtuoso.stop()


def write(backend: Backend, folder: Path, extractor: Any) -> str:
    store = backend.open()
    try:
        report = ingest(store, read_posts([folder]), lambda items: extractor.pipe(items))
    finally:
        store.close()
        del store
    assert report.ok, report.errors
    return report.summary()


def exported(backend: Backend) -> list[str]:
    result = backend.kg("export", "--format", "nq")
    assert result.exit_code == 0, result.output
    return data_lines(result.stdout)


def readme_answers(store: Store) -> list[list[str]]:
    blocks = re.findall(r"```sparql\n(.*?)```", README, re.S)
    assert len(blocks) >= 3
    out = []
    for query in blocks:
        body = render(*answer(store, complete_prefixes(query), "text/tab-separated-values")).decode("utf-8")
        lines = body.splitlines()
        out.append(lines[:1] + (lines[1:] if "ORDER BY" in query else sorted(lines[1:])))
    return out


def reading(backend: Backend, read: Any) -> Any:
    """`read(store)` on a store opened for it and closed after (the embedded store's lock is
    released only when nothing refers to it any more)."""
    store = backend.open(read_only=True)  # the embedded store: no lock held by what the app keeps
    try:
        return read(store) if read is readme_answers else read(backend, store)
    finally:
        store.close()
        del store
        gc.collect()


def api_answers(backend: Backend, store: Store) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for index in (True, False):
        app = create_app(backend.settings(graph_index=index), store)
        with TestClient(app) as client:
            if index:
                assert app.state.index.wait(120) is not None
            related = client.get("/entities/org/중소벤처기업부/related", params={"limit": 500}).json()
            answers[f"related index={index}"] = related
            answers[f"related depth 2 index={index}"] = client.get(
                "/entities/org/중소벤처기업부/related", params={"depth": 2, "limit": 500}
            ).json()
    with TestClient(create_app(backend.settings(), store)) as client:
        answers["search"] = client.get("/entities", params={"q": "중기"}).json()
        answers["search 창업"] = client.get("/entities", params={"q": "창업", "limit": 50}).json()
        answers["entity"] = client.get("/entities/org/중소벤처기업부").json()
        answers["posts"] = client.get("/posts", params={"limit": 50}).json()
        answers["graph.html"] = page_graph(client.get("/entities/org/중소벤처기업부/graph.html").text)
        stats = client.get("/stats").json()
        answers["stats"] = {k: v for k, v in stats.items() if k != "generation"}
    return answers


def page_graph(page: str) -> tuple[list[Any], list[Any]]:
    """The graph a network page draws, independent of the order the store gave rows in:
    its nodes and its edges with their evidence spelt out (sentence, post), sorted."""
    data = json.loads(re.search(r'<script [^>]*id="kg-data"[^>]*>(.*?)</script>', page, re.S).group(1))  # type: ignore[union-attr]
    for node in data["nodes"]:
        node["kg"]["aliases"] = sorted(node["kg"]["aliases"])
    nodes = sorted(json.dumps(n, ensure_ascii=False, sort_keys=True) for n in data["nodes"])
    edges = []
    for e in data["edges"]:
        kg = dict(e["kg"])
        kg["evidence"] = sorted((data["sentences"][s], data["posts"][p]["id"]) for s, p in kg["evidence"])
        edges.append(json.dumps([e["from"], e["to"], kg], ensure_ascii=False, sort_keys=True))
    return nodes, sorted(edges)


def all_alike(values: dict[str, Any], what: str) -> None:
    first = values["embedded"]
    for kind in KINDS[1:]:
        assert values[kind] == first, f"{what}: {kind} differs from the embedded store"


def test_virtuoso_answers_like_oxigraph_after_ingest_edit_and_remove(
    backends: dict[str, Backend], posts: Path, extractor: Any, tmp_path: Path
) -> None:
    for backend in backends.values():
        assert "written 5" in write(backend, posts, extractor)
    all_alike({k: exported(b) for k, b in backends.items()}, "kg export after ingest")
    all_alike({k: reading(b, readme_answers) for k, b in backends.items()}, "README queries")
    answers = {k: reading(b, api_answers) for k, b in backends.items()}
    for key in answers["embedded"]:
        all_alike({k: a[key] for k, a in answers.items()}, key)
    assert answers["virtuoso"]["related index=True"]["count"] > 5
    for a in answers.values():
        assert a["related index=True"] == a["related index=False"]
    validated = {k: b.kg("validate") for k, b in backends.items()}
    assert all(v.exit_code == 0 for v in validated.values()), {
        k: v.output[-600:] for k, v in validated.items()
    }
    all_alike({k: v.output for k, v in validated.items()}, "kg validate")

    # an edited post replaces its facts; nothing else changes
    edited = tmp_path / "edited"
    shutil.copytree(posts, edited)
    post = edited / POSTS[0]
    post.write_text(
        post.read_text(encoding="utf-8") + "\n\n중소벤처기업부 홍길동 과장이 행사를 마무리했다.\n", "utf-8"
    )
    for backend in backends.values():
        summary = write(backend, edited, extractor)
        assert "written 1" in summary and "skipped as unchanged 4" in summary
    after_edit = {k: exported(b) for k, b in backends.items()}
    all_alike(after_edit, "kg export after an edit")

    for backend in backends.values():
        result = backend.kg("remove", POSTS[1].removesuffix(".md"))
        assert result.exit_code == 0 and "removed 1 post(s)" in result.output, result.output
    after_remove = {k: exported(b) for k, b in backends.items()}
    all_alike(after_remove, "kg export after kg remove")
    assert len(after_remove["virtuoso"]) < len(after_edit["virtuoso"])


def test_virtuoso_bulk_loads_shards_with_its_own_loader(root: Path, posts: Path) -> None:
    """`kg extract --format nq` shards into a fresh store of each kind with `kg load`
    (Virtuoso: ld_add + rdf_loader_run through isql; loading twice changes nothing)."""
    shards = root / "shards"  # under the folder Virtuoso may read (DirsAllowed)
    extracted = CliRunner().invoke(
        main, ["extract", "--format", "nq", "--shard-size", "2", "-o", str(shards), str(posts)]
    )
    assert extracted.exit_code == 0, extracted.output
    fresh = start_virtuoso(root / "virtuoso-fresh", timeout_s=120, load_dirs=[root])
    try:
        target = Backend("virtuoso", {**fresh.settings(), "KG_STORE_ENFORCES_TIMEOUT": "true"})
        embedded = Backend("embedded", {"KG_STORE": str(root / "embedded-load")})
        for backend in (target, embedded, target):  # Virtuoso twice: the second load replaces the first
            loaded = backend.kg("load", str(shards))
            assert loaded.exit_code == 0 and "loaded 5 posts" in loaded.output, loaded.output
            assert "bulk loader" in loaded.output
        assert exported(target) == exported(embedded)
        validated = target.kg("validate")
        assert validated.exit_code == 0, validated.output
    finally:
        fresh.stop()
