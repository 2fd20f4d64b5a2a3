"""Extraction on a Dask cluster: `kg ingest|extract --engine dask://HOST:PORT`.

Dask distributed (not Ray): it is pure Python from PyPI with no second runtime, a scheduler
and workers start with two commands (`dask scheduler`, `dask worker tcp://…`), and a
`LocalCluster` runs the same code in tests. The map step is plain functions over lists of
posts, which is what Dask's futures do; Ray's actors would buy nothing here and bring a
large native runtime.

- One extractor per worker: `ExtractorPlugin` (a WorkerPlugin) loads the spaCy pipeline and
  MeCab once when a worker joins (also a worker that restarts after a crash).
- Posts are streamed: the input is read lazily and cut into partitions; at most `window`
  partitions are on the cluster at a time, and results come back in input order.
- `kg extract --format nq`: each partition is one shard, written by the worker that
  extracted it (the output folder must be shared by the workers, e.g. NFS), with the same
  code as a local run, so the shards are the same files.
- `kg ingest` / `kg extract --format jsonl`: workers return the extractions and this process
  resolves and writes them, as with the local pool.
- A post whose extraction fails is reported as an InputError, as locally. A worker that
  leaves the cluster is reported; Dask re-runs its partitions on the others, and a partition
  that keeps killing workers (Dask's `allowed-failures`) is reported post by post, so a re-run
  finishes it.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from distributed import Client, Future, WorkerPlugin

from kg.build.shards import ShardReport, partitions, tally, write_reference, write_shard
from kg.model import Extraction, InputError, KgError, Post

OnEvent = Callable[[str, Any], None]
SCHEME = "dask://"

_extractor: Any = None
_lock = threading.Lock()


def cluster_address(engine: str) -> str | None:
    """`local` → None (this machine's process pool); `dask://HOST:PORT` → the scheduler's address."""
    if engine == "local":
        return None
    if engine.startswith(SCHEME) and len(engine) > len(SCHEME):
        return "tcp://" + engine[len(SCHEME) :]
    raise KgError(f"unknown engine {engine!r}: use `local` or `dask://HOST:PORT` (a Dask scheduler)")


class ExtractorPlugin(WorkerPlugin):
    """Loads kg's extractor once per worker process."""

    name = "kg-extractor"

    def setup(self, worker: Any) -> None:
        _worker_extractor()


def _worker_extractor() -> Any:
    global _extractor
    with _lock:
        if _extractor is None:
            from kg.extract import Extractor

            _extractor = Extractor()
        return _extractor


def extract_partition(posts: Iterable[Post]) -> list[Extraction | InputError]:
    """On a worker: each post's extraction, or its error (per-mention detail stays behind)."""
    extractor = _worker_extractor()
    results = []
    with _lock:  # one spaCy pipeline per worker: its threads take turns
        for post in posts:
            result = extractor.safe_extract(post)
            if isinstance(result, Extraction):
                for entity in result.entities:
                    entity.mentions = []
            results.append(result)
    return results


def write_partition(posts: list[Post], out_dir: str, index: int) -> tuple[ShardReport, list[InputError]]:
    """On a worker: extract a partition and write it as shard `index` into `out_dir`."""
    from kg.build.pipeline import extract_posts
    from kg.build.resolve import Resolver

    results = list(extract_posts(posts, extract_partition))
    return write_shard(Path(out_dir), index, results, Resolver())


@dataclass
class Cluster:
    """A connection to a Dask scheduler with kg's extractor on every worker."""

    address: str
    on_event: OnEvent | None = None
    client: Any = None
    workers: set[str] = field(default_factory=set)
    checked: float = 0.0

    def __enter__(self) -> Cluster:
        try:
            self.client = Client(self.address, timeout=30)
        except OSError as exc:
            raise KgError(f"no Dask scheduler at {self.address}: {exc}") from exc
        if not self.client.scheduler_info()["workers"]:
            self.client.wait_for_workers(1, timeout=60)
        self.client.register_plugin(ExtractorPlugin(), name=ExtractorPlugin.name)
        self.workers = set(self.client.scheduler_info()["workers"])
        return self

    def __exit__(self, *exc: object) -> None:
        self.client.close()

    def watch(self, now_or_never: bool = False) -> None:
        """Report workers that left since the last look (at most once a second, unless
        `now_or_never`: the run's last look)."""
        now = time.monotonic()
        if now - self.checked < 1.0 and not now_or_never:
            return
        self.checked = now
        current = set(self.client.scheduler_info()["workers"])
        for gone in sorted(self.workers - current):
            self._say(f"worker {gone} left the cluster; Dask re-runs its partitions on the other workers")
        self.workers = current

    def _say(self, text: str) -> None:
        if self.on_event is not None:
            self.on_event("notice", text)

    def window(self) -> int:
        threads = sum(w.get("nthreads", 1) for w in self.client.scheduler_info()["workers"].values())
        return max(2, 2 * threads)

    def map_ordered(
        self, fn: Callable[..., Any], tasks: Iterable[tuple[Any, ...]]
    ) -> Iterator[tuple[Any, Any]]:
        """(task, result or the exception that ended it), in task order, with a bounded window."""
        pending: deque[tuple[tuple[Any, ...], Future]] = deque()
        todo = iter(tasks)
        exhausted = False
        while pending or not exhausted:
            while not exhausted and len(pending) < self.window():
                task = next(todo, None)
                if task is None:
                    exhausted = True
                    break
                pending.append((task, self.client.submit(fn, *task, pure=False)))
            if not pending:
                break
            task, future = pending.popleft()
            while True:
                try:
                    result = future.result(timeout=1.0)
                    break
                except TimeoutError:
                    self.watch()
                except Exception as exc:  # a partition the cluster could not finish
                    result = exc
                    break
            self.watch()
            yield task, result
        self.watch(now_or_never=True)  # a worker lost in the run's last second is reported too


def _lost(posts: list[Post], exc: BaseException) -> list[InputError]:
    reason = f"extraction failed on the cluster: {type(exc).__name__}: {exc}"
    return [InputError(post.source or post.id, reason) for post in posts]


def dask_extract(address: str, partition_size: int = 16, on_event: OnEvent | None = None) -> Any:
    """An `Extract` (kg.build.pipeline) that runs on the cluster: posts in, results in order."""

    def extract(posts: Iterable[Post]) -> Iterator[Extraction | InputError]:
        with Cluster(address, on_event) as cluster:
            tasks = ((chunk,) for chunk in partitions(posts, partition_size))
            for (chunk,), result in cluster.map_ordered(extract_partition, tasks):
                yield from _lost(chunk, result) if isinstance(result, BaseException) else result

    return extract


def write_shards_on_cluster(
    posts: Iterable[Post],
    out_dir: Path,
    shard_size: int,
    address: str,
    errors: list[InputError],
    on_event: OnEvent | None = None,
) -> ShardReport:
    """`kg extract --format nq` on a cluster: shard k (inputs k·N … k·N+N-1) written by a worker."""
    notify = on_event or (lambda kind, data: None)
    out_dir.mkdir(parents=True, exist_ok=True)
    write_reference(out_dir)
    report = ShardReport()
    with Cluster(address, notify) as cluster:
        tasks = (
            (chunk, str(out_dir.resolve()), index)
            for index, chunk in enumerate(partitions(posts, shard_size))
        )
        for (chunk, _, _), result in cluster.map_ordered(write_partition, tasks):
            lost = isinstance(result, BaseException)
            tally(report, errors, notify, *((ShardReport(), _lost(chunk, result)) if lost else result))
    return report
