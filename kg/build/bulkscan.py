"""Reading N-Quads files for `kg load`'s bulk path (kg.build.bulk) before anything is written.

One pass of pyoxigraph's parser per file sorts the quads into post graphs, the reference graphs
(ontology, lexicon, judgements) and those kg derives or keeps itself (default, derived, meta:
ignored), and writes the post quads to a staging file for the store's loader, so no quad is
parsed twice in Python. A file larger than `PART_BYTES` is cut at line ends (an N-Quads
statement never spans lines) into parts that worker processes read at the same time, one per
core: the parse is the part of `kg load` that runs in Python, and the bulk load after it uses
every core anyway. Blank-node labels are kept as written, so a label means the same node in
every part of a file.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.model import InputError
from kg.store.base import bookkeeping_graphs, graph_node
from kg.vocab.ontology import iri

PART_BYTES = 64 * 2**20  # files above this are read in parts by several processes
REFERENCE_GRAPHS = ("ontology", "lexicon", "judgements")


@dataclass
class ScannedFile:
    """What one N-Quads file holds, read once before anything is written."""

    path: Path
    posts: set[str] = field(default_factory=set)
    reference: dict[str, list[ox.Quad]] = field(default_factory=dict)  # name → quads
    memberships: set[str] = field(default_factory=set)
    ignored: int = 0  # default-graph, derived or meta quads (kg computes those itself)
    staged: list[Path] = field(default_factory=list)  # its post quads, in order, for the loader

    @property
    def only_posts(self) -> bool:
        return not self.reference and not self.ignored


@dataclass
class _Part:
    """What one part of a file holds (picklable: it comes back from a worker process)."""

    posts: set[str] = field(default_factory=set)
    memberships: set[str] = field(default_factory=set)
    reference: dict[str, bytes] = field(default_factory=dict)  # name → N-Quads
    ignored: int = 0
    error: str | None = None

    def to_json(self) -> bytes:
        data = {**asdict(self), "posts": sorted(self.posts), "memberships": sorted(self.memberships)}
        data["reference"] = {name: nq.decode() for name, nq in self.reference.items()}
        return json.dumps(data).encode()

    @classmethod
    def from_json(cls, text: bytes) -> _Part:
        data = json.loads(text)
        return cls(
            posts=set(data["posts"]),
            memberships=set(data["memberships"]),
            reference={name: nq.encode() for name, nq in data["reference"].items()},
            ignored=data["ignored"],
            error=data["error"],
        )


class _Slice(io.RawIOBase):
    """Bytes `start` … `end` of a file (to its end when `end` is None)."""

    def __init__(self, path: str, start: int, end: int | None) -> None:
        self.fh = open(path, "rb")  # noqa: SIM115 (closed with the slice)
        self.fh.seek(start)
        self.left = None if end is None else end - start

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer)
        if self.left is not None:
            view = view[: self.left]
        got = self.fh.readinto(view)
        if self.left is not None:
            self.left -= got
        return got

    def close(self) -> None:
        self.fh.close()
        super().close()


def _scan_part(path: str, start: int, end: int | None, staging: str | None, copies: bool) -> _Part:
    """Sort the quads of one part of a file; with `staging`, write its post quads there (with
    `copies`, each followed by its triple in the default graph)."""
    reference = {graph_node(name): name for name in REFERENCE_GRAPHS}
    skipped = {ox.DefaultGraph(), graph_node("derived"), *(ox.NamedNode(g) for g in bookkeeping_graphs())}
    attested = ox.NamedNode(iri("kg:attestedOn"))
    part = _Part()
    posts: set[Any] = set()
    memberships: set[Any] = set()
    kept: dict[str, list[ox.Quad]] = {}

    def post_quads(source: Any) -> Iterator[Any]:  # quads, each maybe followed by its triple
        # a file holds each graph's quads together: its kind is looked up once per run of quads
        current: Any = None
        kind: str | None = None
        for quad in ox.parse(source, format=ox.RdfFormat.N_QUADS):
            graph = quad.graph_name
            if graph != current:
                current = graph
                kind = "skip" if graph in skipped else reference.get(graph)
                if kind is None:
                    posts.add(graph)
            if kind is None:
                if quad.predicate == attested:
                    memberships.add(quad.subject)
                yield quad
                if copies:
                    yield quad.triple
            elif kind == "skip":
                part.ignored += 1
            else:
                kept.setdefault(kind, []).append(quad)

    try:
        with io.BufferedReader(_Slice(path, start, end), 2**20) as source:
            if staging is None:
                for _ in post_quads(source):
                    pass
            else:
                with open(staging, "wb") as out:
                    ox.serialize(post_quads(source), out, format=ox.RdfFormat.N_QUADS)
    except (SyntaxError, ValueError) as exc:
        part.error = f"not N-Quads ({exc})"
        return part
    except OSError as exc:
        part.error = f"cannot read ({exc.strerror or exc})"
        return part
    part.posts = {g.value for g in posts}
    part.memberships = {m.value for m in memberships if isinstance(m, ox.NamedNode)}
    part.reference = {
        name: ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b"" for name, quads in kept.items()
    }
    return part


Job = tuple[str, int, "int | None", "str | None", bool]  # path, start, end, staging, copies


def _scan_in_process(jobs: list[Job]) -> list[_Part]:
    """`_scan_part` of each job in a new Python process (`python -m kg.build.bulkscan`): a fresh
    interpreter, whatever the caller's main module or threads (the store's are not forked)."""
    done = subprocess.run(
        [sys.executable, "-m", "kg.build.bulkscan"],
        input=json.dumps(jobs).encode(),
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"a worker process reading N-Quads failed: {done.stderr.decode()[-2000:]}")
    return [_Part.from_json(line) for line in done.stdout.splitlines()]


def _batches(jobs: list[Job], sizes: list[int], count: int) -> list[list[int]]:
    """Job indexes in `count` groups of about equal bytes (largest first, each to the lightest)."""
    groups: list[list[int]] = [[] for _ in range(count)]
    load = [0] * count
    for k in sorted(range(len(jobs)), key=lambda k: -sizes[k]):
        lightest = load.index(min(load))
        groups[lightest].append(k)
        load[lightest] += sizes[k]
    return [g for g in groups if g]


def cuts(path: Path, parts: int) -> list[tuple[int, int | None]]:
    """Byte ranges splitting a file into about `parts` pieces, each ending at a line end."""
    size = path.stat().st_size
    starts = [0]
    with path.open("rb") as fh:
        for k in range(1, parts):
            fh.seek(max(size * k // parts, starts[-1]))
            fh.readline()  # to the next line end
            at = fh.tell()
            if at >= size or at <= starts[-1]:
                break
            starts.append(at)
    return [(s, e) for s, e in zip(starts, [*starts[1:], None], strict=True)]


def scan_files(
    paths: Sequence[Path],
    staging: Path | None,
    copies: bool,
    workers: int | None = None,
    part_bytes: int | None = None,
) -> tuple[list[ScannedFile], list[InputError]]:
    """Scan every file (in parts over `workers` processes, default one per core); with `staging`
    (a folder), the post quads go to files there. A broken file is read again whole in this
    process for its error (the line numbers of a part start at its first line), and nothing of
    it is left in `staging`."""
    workers = workers or os.cpu_count() or 1
    part_bytes = part_bytes or PART_BYTES
    owners: list[int] = []  # job → index of its file
    jobs: list[Job] = []
    sizes: list[int] = []
    for index, path in enumerate(paths):
        try:
            size = path.stat().st_size
        except OSError:
            size = 0  # the scan reports it
        pieces = min(workers, -(-size // part_bytes)) if size > part_bytes else 1
        ranges = cuts(path, pieces) if pieces > 1 else [(0, None)]
        for k, (start, end) in enumerate(ranges):
            out = str(staging / f"{index:05d}-{k:03d}.nq") if staging is not None else None
            owners.append(index)
            jobs.append((str(path), start, end, out, copies))
            sizes.append((end if end is not None else size) - start)
    results: list[_Part | None] = [None] * len(jobs)
    if workers > 1 and sum(sizes) > part_bytes:
        groups = _batches(jobs, sizes, workers)
        with ThreadPoolExecutor(len(groups)) as pool:
            for group, parts in zip(
                groups, pool.map(lambda g: _scan_in_process([jobs[k] for k in g]), groups), strict=True
            ):
                for k, part in zip(group, parts, strict=True):
                    results[k] = part
    else:
        results = [_scan_part(*job) for job in jobs]
    files: list[ScannedFile] = []
    errors: list[InputError] = []
    by_file: dict[int, list[tuple[Job, _Part]]] = {}
    for k, result in enumerate(results):
        if result is not None:
            by_file.setdefault(owners[k], []).append((jobs[k], result))
    for index, path in enumerate(paths):
        mine = by_file[index]
        staged = [Path(job[3]) for job, _ in mine if job[3] is not None]
        if any(part.error for _, part in mine):
            for file in staged:
                file.unlink(missing_ok=True)
            whole = mine[0][1] if len(mine) == 1 else _scan_part(str(path), 0, None, None, False)
            errors.append(InputError(str(path), whole.error or "not N-Quads"))
            continue
        found = ScannedFile(path, staged=staged)
        for _, part in mine:
            found.posts |= part.posts
            found.memberships |= part.memberships
            found.ignored += part.ignored
            for name, data in part.reference.items():
                found.reference.setdefault(name, []).extend(ox.parse(data, format=ox.RdfFormat.N_QUADS))
        files.append(found)
    return files, errors


if __name__ == "__main__":  # a worker of `scan_files`: jobs as JSON on stdin, one line of findings each
    for job in json.loads(sys.stdin.buffer.read()):
        sys.stdout.buffer.write(_scan_part(*job).to_json() + b"\n")
