"""Scale point: the same generator at ~2 M and ~10 M quads, and how every figure grows.

    python -m bench.scale                      # 7,000 and 34,000 posts (≈ 2.1 M and ≈ 10 M quads)
    python -m bench.scale --posts 7000 --skip-virtuoso
    python -m bench.scale --virtuoso-up-to 7000       # Virtuoso at the smaller size only

For each size, on fresh stores in --work (default /tmp/kg-scale):

* bulk load of the generated N-Quads file: pyoxigraph's raw `bulk_load` (nothing derived, the
  file's default graph taken as it is) beside `kg load` (post graphs by the bulk loader, then
  the merged default graph and the membership intervals derived in one pass, with the intent
  record), and at the smaller size `kg load --atomic-batches` (the transactional path);
  Virtuoso's own loader (ld_add + rdf_loader_run) beside `kg load` into Virtuoso;
  store sizes on disk;
* `kg serve` on the `kg load` store: start and index-ready time, API worker memory, /related
  req/s and p99 (uniform and Zipf), label search p50, typical /sparql queries (bench.api).

Writes bench/results/scale.json with both sizes and the ratios 10 M / 2 M. The machine's load
average is recorded before each step; the machine is shared, so read the figures with it.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from bench.api import loadavg, measure
from bench.gen_graph import generate
from kg.store.dialect import VirtuosoDialect

RESULTS = Path(__file__).resolve().parent / "results" / "scale.json"
ROOT = Path(__file__).resolve().parents[1]


def du_mb(path: Path) -> float:
    total = sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    return round(total / 2**20, 1)


def timed(step: Any) -> float:
    """Wall seconds of `step`."""
    started = time.perf_counter()
    step()
    return round(time.perf_counter() - started, 2)


def cpu_of(step: Any) -> tuple[float, float]:
    """Wall seconds and CPU seconds (this process's threads and its finished children) of `step`:
    CPU time does not grow when other work shares the machine, wall time does."""
    before = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = timed(step)
    after = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = sum(a.ru_utime + a.ru_stime - b.ru_utime - b.ru_stime for a, b in zip(after, before, strict=True))
    return wall, round(cpu, 2)


def kg(*args: str, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "kg.cli.commands", *args],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise SystemExit(f"kg {' '.join(args)} failed: {done.stderr[-2000:]}")
    return done.stderr


def oxigraph_loads(nq: Path, work: Path, atomic: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    raw = work / "raw"

    def raw_load() -> None:
        store = ox.Store(str(raw))
        store.bulk_load(path=str(nq), format=ox.RdfFormat.N_QUADS)
        store.flush()

    out["loadavg_before"] = loadavg()
    out["raw_bulk_load_s"], out["raw_bulk_load_cpu_s"] = cpu_of(raw_load)
    out["raw_store_mb"] = du_mb(raw)
    shutil.rmtree(raw)
    loaded = work / "kg-load"
    out["loadavg_before_kg_load"] = loadavg()
    out["kg_load_s"], out["kg_load_cpu_s"] = cpu_of(lambda: kg("load", "--store", str(loaded), str(nq)))
    out["kg_load_store_mb"] = du_mb(loaded)
    out["kg_load_over_raw"] = round(out["kg_load_s"] / out["raw_bulk_load_s"], 2)
    out["kg_load_over_raw_cpu"] = round(out["kg_load_cpu_s"] / out["raw_bulk_load_cpu_s"], 2)
    if atomic:
        batches = work / "kg-load-atomic"
        out["loadavg_before_atomic"] = loadavg()
        out["kg_load_atomic_batches_s"], out["kg_load_atomic_batches_cpu_s"] = cpu_of(
            lambda: kg("load", "--atomic-batches", "--store", str(batches), str(nq))
        )
        out["atomic_batches_over_raw"] = round(out["kg_load_atomic_batches_s"] / out["raw_bulk_load_s"], 2)
        shutil.rmtree(batches)
    return out


def virtuoso_loads(nq: Path, work: Path, buffers: int) -> dict[str, Any]:
    from kg.store.virtuoso import VirtuosoServer, bulk_load

    out: dict[str, Any] = {}
    raw = VirtuosoServer(work / "virtuoso-raw", timeout_s=60, load_dirs=[nq.parent], buffers=buffers)
    try:
        out["loadavg_before"] = loadavg()
        union = VirtuosoDialect().union
        out["raw_bulk_load_s"] = timed(lambda: bulk_load(raw.isql, [nq], default_graph=union))
    finally:
        raw.stop()
    out["raw_store_mb"] = du_mb(work / "virtuoso-raw")
    shutil.rmtree(work / "virtuoso-raw")
    target = VirtuosoServer(work / "virtuoso-kg", timeout_s=600, load_dirs=[nq.parent], buffers=buffers)
    try:
        out["loadavg_before_kg_load"] = loadavg()
        out["kg_load_s"] = timed(lambda: kg("load", str(nq), env=target.settings()))
        out["kg_load_over_raw"] = round(out["kg_load_s"] / out["raw_bulk_load_s"], 2)
    finally:
        target.stop()
    out["kg_load_store_mb"] = du_mb(work / "virtuoso-kg")
    shutil.rmtree(work / "virtuoso-kg")
    return out


def ratios(small: dict[str, Any], big: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """big / small for every number both have, nested like the figures."""
    out: dict[str, Any] = {}
    for key, value in small.items():
        other = big.get(key)
        if isinstance(value, dict) and isinstance(other, dict):
            inner = ratios(value, other)
            if inner:
                out[key] = inner
        elif (
            isinstance(value, int | float)
            and isinstance(other, int | float)
            and not isinstance(value, bool)
            and value
            and "loadavg" not in key
        ):
            out[key] = round(other / value, 2)
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--posts", type=int, nargs="+", default=[7000, 34000])
    ap.add_argument("--work", type=Path, default=Path("/tmp/kg-scale"))
    ap.add_argument("--seconds", type=int, default=15, help="wrk run per load mix")
    ap.add_argument("--skip-virtuoso", action="store_true")
    ap.add_argument(
        "--virtuoso-up-to",
        type=int,
        default=None,
        help="load Virtuoso only for sizes of at most this many posts (its kg load is the slow step)",
    )
    ap.add_argument("--virtuoso-buffers", type=int, default=400_000, help="8 KB pages (≈ 3.2 GB)")
    args = ap.parse_args(argv)
    figures: dict[str, Any] = {}
    for posts in args.posts:
        work = args.work / f"posts-{posts}"
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        nq = work / "graph.nq"
        size: dict[str, Any] = {"posts": posts, "loadavg_before": loadavg()}
        started = time.perf_counter()
        size["quads"] = generate(nq, posts, 7)
        size["generate_s"] = round(time.perf_counter() - started, 2)
        print(posts, "posts:", size["quads"], "quads", flush=True)
        size["oxigraph"] = oxigraph_loads(nq, work, atomic=posts == min(args.posts))
        print(json.dumps(size["oxigraph"]), flush=True)
        if not args.skip_virtuoso and (args.virtuoso_up_to is None or posts <= args.virtuoso_up_to):
            size["virtuoso"] = virtuoso_loads(nq, work, args.virtuoso_buffers)
            print(json.dumps(size["virtuoso"]), flush=True)
        nq.unlink()
        size["serve"] = measure(work / "kg-load", seconds=args.seconds)
        figures[f"{posts}_posts"] = size
        shutil.rmtree(work)
        write(figures, argv)  # after every size: a long run stopped later keeps what it measured


def write(figures: dict[str, Any], argv: list[str] | None) -> None:
    result: dict[str, Any] = {
        "machine_cores": os.cpu_count(),
        "sizes": figures,
        "command": "python -m bench.scale " + " ".join(argv if argv is not None else sys.argv[1:]),
    }
    keys = list(figures)
    if len(keys) == 2:
        result["growth_big_over_small"] = ratios(figures[keys[0]], figures[keys[1]])
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
