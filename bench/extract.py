"""Extraction throughput: posts/s and characters/s on one core and with two processes.

    .venv/bin/python -m bench.extract [--posts 2000]     # writes bench/results/extract.json
    .venv/bin/python -m bench.extract --one-core --without kg_relation_model --output /tmp/x.json
    .venv/bin/python -m bench.extract --one-core --batch-size 1 --output /tmp/x.json   # post by post

Posts come from bench/corpus.py (synthetic ~1,500-character press releases built from the
lexicon; deterministic). The model load is timed apart from the run. Peak memory is the
largest resident set of this process (one core) or of any worker (two processes). The real
annotated texts (every set of kg.extract.corpora but the locked test split, as they are read
for scoring) are timed too, on one core, as characters per second: real text reads slower
per character than the synthetic posts. The machine's load average is recorded before and
after: on a shared machine a figure means little without it (bench/extract_ab.py compares
checkouts interleaved, for figures that do).
Targets (issue 16): ≥ 25 posts/s on one core, ≥ 35 posts/s with two processes, ≤ 1.5 GB.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import time
from pathlib import Path

from bench.corpus import generate_posts
from kg.extract import BATCH_SIZE, Extractor, corpora
from kg.model import InputError, Post

RESULTS = Path(__file__).resolve().parent / "results" / "extract.json"


def _rss_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


def run(posts: list, processes: int, extractor: Extractor, batch_size: int = BATCH_SIZE) -> dict:
    start = time.perf_counter()
    failed = 0
    for result in extractor.pipe(posts, processes=processes, chunksize=8, batch_size=batch_size):
        failed += isinstance(result, InputError)
    seconds = time.perf_counter() - start
    chars = sum(len(p.text) for p in posts)
    return {
        "processes": processes,
        "posts": len(posts),
        "failed": failed,
        "seconds": round(seconds, 2),
        "posts_per_s": round(len(posts) / seconds, 1),
        "chars_per_s": round(chars / seconds),
    }


def real_posts() -> list[Post]:
    """The real annotated texts, read as `kg extract` reads them (the test split left out)."""
    return [corpora.post_of(r) for name in corpora.TRAINING_SETS for r in corpora.load(name)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--posts", type=int, default=2000)
    ap.add_argument(
        "--without",
        nargs="*",
        default=[],
        metavar="PIPE",
        help="pipeline components to leave out (e.g. kg_relation_model: the speed before it)",
    )
    ap.add_argument("--one-core", action="store_true", help="skip the two-process run")
    ap.add_argument(
        "--batch-size", type=int, default=BATCH_SIZE, help="posts the pipeline reads at a time in one process"
    )
    ap.add_argument("--output", type=Path, default=RESULTS, help="where the JSON goes")
    args = ap.parse_args()
    posts = list(generate_posts(args.posts, seed=11))
    mean_chars = sum(len(p.text) for p in posts) / len(posts)
    t0 = time.perf_counter()
    extractor = Extractor()
    for name in args.without:
        extractor.nlp.remove_pipe(name)
    load_s = time.perf_counter() - t0
    load_before = [round(x, 2) for x in os.getloadavg()]
    one = run(posts, 1, extractor, args.batch_size)
    one["peak_rss_mb"] = round(_rss_mb(resource.RUSAGE_SELF))
    texts = real_posts()
    if args.one_core:
        real = run(texts, 1, extractor, args.batch_size) if texts else None
        load_after = [round(x, 2) for x in os.getloadavg()]
        print(
            f"without {args.without or 'nothing'}, batch {args.batch_size}: one core {one['posts_per_s']} posts/s "
            f"{one['chars_per_s']:,} chars/s; real texts {real['posts_per_s'] if real else '-'} posts/s "
            f"{real['chars_per_s'] if real else '-':,} chars/s; load average {load_before} → {load_after}"
        )
        args.output.write_text(
            json.dumps(
                {
                    "machine": platform.platform(),
                    "without": args.without,
                    "batch_size": args.batch_size,
                    "load_average_before": load_before,
                    "load_average_after": load_after,
                    "one_core": one,
                    "real_texts_one_core": real,
                    "real_vs_synthetic_chars_per_s": round(real["chars_per_s"] / one["chars_per_s"], 2)
                    if real
                    else None,
                    "targets": {"one_core_posts_per_s": 25},
                    "ratio_to_target": {"one_core": round(one["posts_per_s"] / 25, 2)},
                },
                indent=2,
            )
            + "\n"
        )
        return
    two = run(posts, 2, extractor)
    two["peak_rss_mb_per_worker"] = round(_rss_mb(resource.RUSAGE_CHILDREN))
    real = run(texts, 1, extractor, args.batch_size) if texts else None
    result = {
        "load_average_before": load_before,
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "batch_size": args.batch_size,
        "machine": platform.platform(),
        "python": platform.python_version(),
        "mean_post_chars": round(mean_chars),
        "model_load_s": round(load_s, 2),
        "one_core": one,
        "two_processes": two,
        "real_texts_one_core": real,
        "real_vs_synthetic_chars_per_s": round(real["chars_per_s"] / one["chars_per_s"], 2) if real else None,
        "speedup_two_vs_one": round(two["posts_per_s"] / one["posts_per_s"], 2),
        "targets": {"one_core_posts_per_s": 25, "two_processes_posts_per_s": 35, "peak_mb": 1536},
        "ratio_to_target": {
            "one_core": round(one["posts_per_s"] / 25, 2),
            "two_processes": round(two["posts_per_s"] / 35, 2),
            "memory": round(max(one["peak_rss_mb"], two["peak_rss_mb_per_worker"]) / 1536, 2),
        },
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"{len(posts)} posts, {mean_chars:.0f} characters on average; model load {load_s:.1f} s")
    print(
        f"one core:      {one['posts_per_s']:7.1f} posts/s  {one['chars_per_s']:>9,} chars/s  "
        f"peak {one['peak_rss_mb']} MB  ({result['ratio_to_target']['one_core']}x target)"
    )
    print(
        f"two processes: {two['posts_per_s']:7.1f} posts/s  {two['chars_per_s']:>9,} chars/s  "
        f"peak {two['peak_rss_mb_per_worker']} MB/worker  ({result['ratio_to_target']['two_processes']}x target)"
    )
    if real:
        print(
            f"real texts:    {real['posts_per_s']:7.1f} posts/s  {real['chars_per_s']:>9,} chars/s  "
            f"({result['real_vs_synthetic_chars_per_s']}x the synthetic posts' chars/s, {real['posts']} texts)"
        )
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
