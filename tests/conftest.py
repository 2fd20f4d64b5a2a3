"""Shared fixtures: real stores, real extraction, the real app.

../shared is read, never copied, except the founding post, which ships in data/samples
(KOGL type 1, see data/samples/README.md).
"""

from __future__ import annotations

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
