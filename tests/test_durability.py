"""Nothing lost: kill -9 in the middle of a 1,000-post ingest leaves only whole posts, and a
re-run finishes the rest with no duplicates. The real CLI, in a subprocess, on a real
on-disk store; the posts are short so the test takes seconds."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.read import changes
from kg.store.base import bookkeeping_graphs
from kg.store.oxigraph import OxigraphStore
from kg.vocab.ontology import sparql_prefixes

ROOT = Path(__file__).resolve().parents[1]
N_POSTS = 1000
ORGS = ("창업진흥원", "소상공인시장진흥공단", "중소벤처기업진흥공단", "기술보증기금", "한국벤처투자")


def _corpus(path: Path) -> Path:
    with path.open("w", encoding="utf-8") as out:
        for i in range(N_POSTS):
            org = ORGS[i % len(ORGS)]
            text = f"중소벤처기업부는 3월 {i % 28 + 1}일 {org}과 함께 지역 창업 설명회 {i}회차를 열었다."
            out.write(
                json.dumps(
                    {"id": f"post-{i:04d}", "text": text, "published": "2025-03-01"}, ensure_ascii=False
                )
                + "\n"
            )
    return path


def _ingest(corpus: Path, store: Path, *extra: str) -> subprocess.Popen[str]:
    cmd = [
        sys.executable,
        "-m",
        "kg.cli.commands",
        "ingest",
        str(corpus),
        "--store",
        str(store),
        "--batch-size",
        "8",
    ]
    return subprocess.Popen(
        [*cmd, *extra],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )


def _post_graphs(store_dir: Path) -> dict[str, frozenset[str]]:
    store = OxigraphStore(store_dir)
    try:
        graphs: dict[str, set[str]] = {}
        for q in store.db.quads_for_pattern(None, None, None, None):
            if isinstance(q.graph_name, ox.NamedNode) and "/id/post/" in q.graph_name.value:
                graphs.setdefault(q.graph_name.value, set()).add(f"{q.subject} {q.predicate} {q.object}")
        _assert_union_default_graph(store)
        hashes = store.select(
            sparql_prefixes()
            + "SELECT ?g (COUNT(?h) AS ?n) WHERE { GRAPH ?g { ?g kg:contentHash ?h } } GROUP BY ?g"
        )
        assert all(int(r["n"].value) == 1 for r in hashes)
        return {g: frozenset(t) for g, t in graphs.items()}
    finally:
        store.db.flush()
        del store


def _assert_union_default_graph(store: OxigraphStore) -> None:
    bookkeeping = {ox.NamedNode(g) for g in bookkeeping_graphs()}
    named = {
        (q.subject, q.predicate, q.object)
        for q in store.db.quads_for_pattern(None, None, None, None)
        if not isinstance(q.graph_name, ox.DefaultGraph) and q.graph_name not in bookkeeping
    }
    default = {
        (q.subject, q.predicate, q.object)
        for q in store.db.quads_for_pattern(None, None, None, ox.DefaultGraph())
    }
    assert default == named


@pytest.mark.slow
def test_kill_9_mid_ingest_leaves_whole_posts_and_a_rerun_finishes(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path / "posts.jsonl")
    store = tmp_path / "store"
    proc = _ingest(corpus, store, "-j", "2", "--log-every", "0.1")
    assert proc.stderr is not None
    written = 0
    deadline = time.monotonic() + 240
    for line in proc.stderr:
        if line.startswith("progress:"):
            written = int(line.split("written ")[1].split(",")[0])
            if written >= 100:
                break
        assert time.monotonic() < deadline, "no progress"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL

    before = _post_graphs(store)
    assert written <= len(before) < N_POSTS, "the kill must land mid-run"

    rerun = _ingest(corpus, store, "-j", "2")
    _, err = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, err
    summary = err.strip().splitlines()[-1]
    assert summary.startswith(
        f"posts read {N_POSTS}, written {N_POSTS - len(before)}, skipped as unchanged {len(before)}, failed 0"
    ), summary

    after = _post_graphs(store)
    assert len(after) == N_POSTS
    for graph, triples in before.items():
        assert after[graph] == triples, f"{graph} was not whole after the kill"
    # the change log was written with each batch: one "added" change set per post, none lost or doubled
    db = OxigraphStore(store)
    try:
        total, sets = changes.change_sets(db, limit=N_POSTS + 10)
        assert total == N_POSTS and sorted(cs["post"]["iri"] for cs in sets) == sorted(after)
        assert {cs["change"] for cs in sets} == {"added"}
        killed, finished = sorted(changes.runs(db), key=lambda r: r["started"])
        assert killed["ended"] is None and finished["ended"] is not None  # the killed run never finished
    finally:
        db.db.flush()
        del db
