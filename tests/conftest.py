"""Shared fixtures: real stores, real extraction, the real app.

../shared is read, never copied, except the founding post, which ships in data/samples
(KOGL type 1, see data/samples/README.md).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
DEV_GOLD = SHARED / "corpus" / "gold" / "dev.jsonl"
SAMPLES = ROOT / "data" / "samples"
FOUNDING_POST = SAMPLES / "kstartup-20251203-sogongin-task-force.txt"
SAMPLES_GOLD = ROOT / "data" / "gold" / "samples.jsonl"


def kg_cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """`kg ARGS…` in its own process, from the checkout, with `env`."""
    return subprocess.run(
        [sys.executable, "-m", "kg.cli.commands", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def readme_query_blocks() -> list[tuple[str, str]]:
    """The README's ```sparql blocks that an output block follows directly, with that output
    (a query without one is not matched together with the next query's output: the query part
    cannot contain a fence)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```sparql\n((?:(?!```).)*?)```\n```\n(.*?)```", readme, re.S)


def data_lines(nquads: str) -> list[str]:
    """The lines of an N-Quads export that are data, sorted: kg's bookkeeping graphs (the store
    generation, the change log with its run ids and times) differ between two builds of the same
    data, so comparisons of builds leave them out."""
    from kg.store.base import bookkeeping_graphs

    skip = tuple(f"<{g}> ." for g in bookkeeping_graphs())
    return sorted(
        line
        for line in nquads.splitlines()
        if not line.rstrip().endswith(skip) and "ontology#generation" not in line
    )


@pytest.fixture(scope="session")
def extractor():
    from kg.extract import Extractor

    return Extractor()


@pytest.fixture(scope="session")
def founding_store(extractor):
    """An in-memory store holding the founding post."""
    from kg.build.pipeline import ingest
    from kg.ingest import read_posts
    from kg.store import open_store

    store = open_store("memory")
    report = ingest(store, read_posts([FOUNDING_POST]), lambda posts: extractor.pipe(posts))
    assert report.ok and report.written == 1
    return store


@pytest.fixture(scope="session")
def samples_store(extractor):
    """An in-memory store holding the bundled posts: the sample posts and the founding post."""
    from kg.build.pipeline import ingest
    from kg.ingest import read_posts
    from kg.read.examples import sample_paths
    from kg.store import open_store

    store = open_store("memory")
    report = ingest(store, read_posts(sample_paths()), lambda posts: extractor.pipe(posts))
    assert report.ok and report.written == len(sample_paths())
    return store
