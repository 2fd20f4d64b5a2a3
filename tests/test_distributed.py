"""Extraction on a Dask cluster (`--engine dask://HOST:PORT`): a real LocalCluster of two worker
processes on 127.0.0.1, the real `kg` command in its own process. The shards the workers write
equal the local run's; `kg ingest` through the cluster stores what a local ingest stores; bad
inputs are reported the same way; a worker killed mid-run is reported and a re-run completes."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from distributed import Client, LocalCluster

from .conftest import ROOT, SAMPLES, data_lines

POSTS = sorted(SAMPLES.glob("sample-*.md"))[:16]


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    ) as local:
        yield local


def engine(cluster: LocalCluster) -> str:
    return "dask://" + cluster.scheduler_address.removeprefix("tcp://")


@pytest.fixture(scope="module")
def posts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("posts")
    for path in POSTS:
        shutil.copy(path, folder / path.name)
    (folder / "broken.html").write_text("<html><body><p>잘린 페이지", encoding="utf-8")
    return folder


def kg(*args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kg.cli.commands", *args],
        cwd=ROOT,
        env={**os.environ, "KG_STORE": "memory"},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def dask_shards(cluster: LocalCluster, out: Path, posts: Path) -> subprocess.CompletedProcess[str]:
    return kg(
        "extract",
        "--format",
        "nq",
        "--shard-size",
        "3",
        "--engine",
        engine(cluster),
        "-o",
        str(out),
        str(posts),
    )


def shard_lines(folder: Path) -> dict[str, list[str]]:
    """Every .nq file of a folder: its lines, sorted."""
    return {p.name: sorted(p.read_text(encoding="utf-8").splitlines()) for p in sorted(folder.glob("*.nq"))}


def error_lines(stderr: str) -> list[str]:
    return sorted(line for line in stderr.splitlines() if line.startswith("error:"))


@pytest.fixture(scope="module")
def local_shards(posts: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("local-shards")
    done = kg("extract", "--format", "nq", "--shard-size", "3", "-j", "1", "-o", str(out), str(posts))
    assert done.returncode == 1, done.stderr  # the broken page
    return out, done.stderr


def test_distributed_shards_equal_the_local_ones(
    cluster: LocalCluster, posts: Path, local_shards: tuple[Path, str], tmp_path: Path
) -> None:
    local, local_err = local_shards
    out = tmp_path / "dask"
    done = dask_shards(cluster, out, posts)
    assert done.returncode == 1, done.stderr
    assert error_lines(done.stderr) == error_lines(local_err) != []
    assert "truncated HTML" in done.stderr
    expected = shard_lines(local)
    assert len(expected) == 1 + -(-len(POSTS) // 3)  # reference.nq and one shard per 3 posts
    assert shard_lines(out) == expected
    assert f"wrote {len(POSTS)} posts in {len(expected) - 1} shard(s)" in done.stderr


def test_distributed_ingest_stores_what_a_local_ingest_stores(
    cluster: LocalCluster, posts: Path, tmp_path: Path
) -> None:
    exports = []
    for run, extra in (
        ("local", ["-j", "1"]),
        ("dask", ["--engine", engine(cluster), "--partition-size", "4"]),
    ):
        store = str(tmp_path / run)
        done = kg("ingest", "--store", store, *extra, str(posts))
        assert done.returncode == 1 and f"written {len(POSTS)}" in done.stderr, done.stderr
        assert "failed 1" in done.stderr
        exported = kg("export", "--store", store, "--format", "nq")
        exports.append(data_lines(exported.stdout))
    assert exports[0] == exports[1] and len(exports[0]) > 1000


def test_distributed_jsonl_lines_equal_the_local_ones(cluster: LocalCluster, posts: Path) -> None:
    local = kg("extract", "-j", "1", str(posts))
    remote = kg("extract", "--engine", engine(cluster), "--partition-size", "5", str(posts))
    assert local.stdout.splitlines() == remote.stdout.splitlines() and len(local.stdout.splitlines()) == len(
        POSTS
    )


def test_distributed_bad_engine_is_a_usage_error(posts: Path) -> None:
    done = kg("extract", "--engine", "spark://x", str(posts))
    assert done.returncode == 2 and "dask://HOST:PORT" in done.stderr
    gone = kg("extract", "--engine", "dask://127.0.0.1:1", str(posts), timeout=120)
    assert gone.returncode == 1 and "no Dask scheduler at tcp://127.0.0.1:1" in gone.stderr


def test_distributed_worker_killed_mid_run_is_reported_and_a_rerun_completes(
    cluster: LocalCluster, posts: Path, local_shards: tuple[Path, str], tmp_path: Path
) -> None:
    local, _ = local_shards
    out = tmp_path / "killed"
    args = ["extract", "--format", "nq", "--shard-size", "3", "--log-every", "1"]
    run = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kg.cli.commands",
            *args,
            "--engine",
            engine(cluster),
            "-o",
            str(out),
            str(posts),
        ],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        text=True,
    )
    with Client(cluster.scheduler_address) as client:
        # kill a worker while it holds the run's partitions (waiting for the first shard, as
        # before, left too little run once extraction got faster: the loss went unreported)
        deadline = time.monotonic() + 300
        while not any(client.processing().values()) and time.monotonic() < deadline and run.poll() is None:
            time.sleep(0.05)
        assert run.poll() is None, "the run ended before a worker could be killed"
        pids = client.run(os.getpid)
        busy = sorted(w for w, keys in client.processing().items() if keys and w in pids)
        victim = (busy or sorted(pids))[0]
        os.kill(pids[victim], signal.SIGKILL)
    _, stderr = run.communicate(timeout=600)
    assert f"worker {victim} left the cluster" in stderr
    assert run.returncode in (0, 1)  # 1: the broken page (and any partition the cluster gave up on)
    again = dask_shards(cluster, out, posts)
    assert error_lines(again.stderr) == [
        "error: " + str(posts / "broken.html") + ": truncated HTML: the page ends before </html>"
    ]
    assert shard_lines(out) == shard_lines(local)
