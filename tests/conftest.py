"""Shared fixtures: real stores, real extraction, the real app. ../shared is read, never copied."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
FOUNDING_POST = SHARED / "corpus" / "posts" / "kstartup-20251203-sogongin-task-force.txt"
DEV_GOLD = SHARED / "corpus" / "gold" / "dev.jsonl"
SAMPLES = ROOT / "data" / "samples"
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


def need_shared() -> None:
    if not FOUNDING_POST.exists():
        pytest.skip(f"{SHARED} is not present (the shared corpus lives beside the repository)")


@pytest.fixture(scope="session")
def extractor():
    from kg.extract import Extractor

    return Extractor()


@pytest.fixture(scope="session")
def founding_store(extractor):
    """An in-memory store holding the founding post."""
    need_shared()
    from kg.build.pipeline import ingest
    from kg.ingest import read_posts
    from kg.store import open_store

    store = open_store("memory")
    report = ingest(store, read_posts([FOUNDING_POST]), lambda posts: extractor.pipe(posts))
    assert report.ok and report.written == 1
    return store


@pytest.fixture(scope="session")
def samples_store(extractor):
    """An in-memory store holding the bundled sample posts, plus the founding post when ../shared is there."""
    from kg.build.pipeline import ingest
    from kg.ingest import read_posts
    from kg.read.examples import sample_paths
    from kg.store import open_store

    store = open_store("memory")
    report = ingest(store, read_posts(sample_paths()), lambda posts: extractor.pipe(posts))
    assert report.ok and report.written == len(sample_paths())
    return store
