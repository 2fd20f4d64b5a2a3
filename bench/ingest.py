"""Benchmark: synthetic posts end to end into the on-disk store, through the real CLI.

    python bench/ingest.py                   # 1,000 and 10,000 posts, two processes
    python bench/ingest.py --sizes 200 1000  # a quicker look

For each size, a JSON Lines corpus from bench/corpus.py (~1,500-character Korean
press-release posts) is ingested by `python -m kg.cli.commands ingest FILE --store DIR -j N` into a
fresh on-disk store, timed from process start to exit, with the peak memory of the
process tree sampled every 0.2 s (psutil; the sum of the RSS of kg and its workers, an
upper bound since forked workers share pages). Targets (issue 7): ≥ 30 posts/s with two
processes, peak memory ≤ 2 GB, and time growing linearly with the number of posts: the
per-post time at the largest size over that at the smallest is printed as
`per-post time ratio` (1.0 = perfectly linear). Results: bench/results/ingest.json.

The CPU time of kg and its workers is recorded too (getrusage of reaped children):
`posts_per_second_on_free_cores` = posts / (CPU seconds / processes) is the rate the same
work gives when nothing else competes for the cores; compare it with the wall-clock rate
and `load_average_before` to tell a slow pipeline from a busy machine.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.corpus import write_jsonl  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "ingest.json"
TARGET_RATE = 30.0
TARGET_MEMORY_MB = 2048


def tree_rss(proc: psutil.Process) -> int:
    total = 0
    for p in [proc, *proc.children(recursive=True)]:
        with contextlib.suppress(psutil.Error):  # a worker may end between listing and reading
            total += p.memory_info().rss
    return total


def run_once(size: int, processes: int, seed: int, workdir: Path) -> dict[str, object]:
    corpus = write_jsonl(workdir / f"corpus-{size}.jsonl", size, seed)
    store = workdir / f"store-{size}"
    cmd = [sys.executable, "-m", "kg.cli.commands", "ingest", str(corpus), "--store", str(store)]
    cmd += ["-j", str(processes), "--log-every", "30"]
    load_before = os.getloadavg()[0]
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    log = (workdir / f"ingest-{size}.log").open("w+", encoding="utf-8")  # a file: a full pipe would stall kg
    proc = subprocess.Popen(cmd, cwd=ROOT, stderr=log, text=True)
    watched = psutil.Process(proc.pid)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, tree_rss(watched))
        time.sleep(0.2)
    elapsed = time.perf_counter() - started
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    log.seek(0)
    stderr = log.read()
    log.close()
    if proc.returncode != 0:
        raise SystemExit(f"kg ingest failed ({proc.returncode}):\n{stderr}")
    summary = [line for line in stderr.splitlines() if line.startswith("posts read")]
    store_mb = sum(f.stat().st_size for f in store.rglob("*") if f.is_file()) / 2**20
    return {
        "posts": size,
        "seconds": round(elapsed, 2),
        "posts_per_second": round(size / elapsed, 2),
        "ms_per_post": round(1000 * elapsed / size, 2),
        "cpu_seconds": round(cpu, 1),
        "cpu_ms_per_post": round(1000 * cpu / size, 2),
        # what the same CPU work gives when the cores are not shared with other jobs
        "posts_per_second_on_free_cores": round(
            size / max(cpu / min(processes, os.cpu_count() or 1), 1e-9), 2
        ),
        "load_average_before": round(load_before, 2),
        "peak_rss_mb": round(peak / 2**20, 1),
        "store_mb": round(store_mb, 1),
        "summary": summary[-1] if summary else "",
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--processes", "-j", type=int, default=2)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()
    runs = []
    with tempfile.TemporaryDirectory(prefix="kg-bench-ingest-") as tmp:
        for size in sorted(args.sizes):
            result = run_once(size, args.processes, args.seed, Path(tmp))
            runs.append(result)
            print(
                f"{size:>6} posts: {result['seconds']:>7} s, {result['posts_per_second']:>6} posts/s, "
                f"cpu {result['cpu_ms_per_post']} ms/post (≈{result['posts_per_second_on_free_cores']} posts/s "
                f"on {args.processes} free cores), peak {result['peak_rss_mb']} MB, store {result['store_mb']} MB, "
                f"load before {result['load_average_before']}",
                flush=True,
            )
    small, large = runs[0], runs[-1]
    ratio = float(large["ms_per_post"]) / float(small["ms_per_post"])  # type: ignore[arg-type]
    rate = float(large["posts_per_second"])  # type: ignore[arg-type]
    peak = max(float(r["peak_rss_mb"]) for r in runs)  # type: ignore[arg-type]
    verdict = {
        "rate_ok": rate >= TARGET_RATE,
        "memory_ok": peak <= TARGET_MEMORY_MB,
        "per_post_time_ratio": round(ratio, 3),
    }
    print(
        f"rate at {large['posts']} posts: {rate} posts/s (target ≥ {TARGET_RATE}); "
        f"peak memory {peak} MB (target ≤ {TARGET_MEMORY_MB}); "
        f"per-post time ratio {large['posts']}/{small['posts']}: {ratio:.3f} (1.0 = linear)"
    )
    out = {
        "benchmark": "ingest",
        "command": "python bench/ingest.py " + " ".join(sys.argv[1:]),
        "processes": args.processes,
        "seed": args.seed,
        "machine": {
            "cpus": psutil.cpu_count(),
            "python": platform.python_version(),
            "system": platform.system(),
        },
        "runs": runs,
        "targets": {"posts_per_second": TARGET_RATE, "peak_rss_mb": TARGET_MEMORY_MB},
        "verdict": verdict,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(out, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
