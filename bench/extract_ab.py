"""Extraction speed of several checkouts of kg on the same posts, interleaved, one core.

    git -C . archive 234f925 | tar -x -C /tmp/kg-round1          # a checkout to compare with
    flock /tmp/kg-bench.lock .venv/bin/python -m bench.extract_ab \\
        --checkout round1=/tmp/kg-round1 --checkout main=/work/main --checkout branch=. --repeats 3

On a machine shared with other work a figure from one hour is not comparable with one from
another. Here every checkout extracts the same posts (bench/corpus.py's synthetic posts and
the real annotated texts this checkout reads, handed over as JSON) in a fresh child process
that imports that checkout's code (`PYTHONPATH=checkout`, this interpreter and its installed
libraries), one checkout after the other, round after round: the machine's state changes
alike for all. Each run's load average is recorded. Prints posts/s and chars/s per checkout
(median of the rounds and each round) and the ratio to the first checkout; writes
bench/results/extract_ab.json. Like bench/extract.py, the model load is not timed.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.corpus import generate_posts
from kg.extract import corpora
from kg.model import Post

RESULTS = Path(__file__).resolve().parent / "results" / "extract_ab.json"

# what runs in each checkout: read the posts, build its Extractor, time its `pipe` on one core
CHILD = """
import json, sys, time
from datetime import date
from kg.extract import Extractor
from kg.model import Post
sets = json.load(open(sys.argv[1], encoding="utf-8"))
extractor = Extractor()
out = {}
for name, rows in sets.items():
    posts = [Post(id=r["id"], text=r["text"], title=r.get("title"),
                  published=date.fromisoformat(r["published"]) if r.get("published") else None)
             for r in rows]
    start = time.perf_counter()
    failed = sum(not hasattr(x, "relations") for x in extractor.pipe(posts))
    seconds = time.perf_counter() - start
    out[name] = {"posts": len(posts), "failed": failed, "seconds": seconds,
                 "chars": sum(len(p.text) for p in posts)}
print(json.dumps(out))
"""


def _row(post: Post) -> dict:
    return {
        "id": post.id,
        "text": post.text,
        "title": post.title,
        "published": post.published.isoformat() if post.published else None,
    }


def run_checkout(path: Path, posts_file: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(path)}
    load = [round(x, 2) for x in os.getloadavg()]
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, str(posts_file)],
        cwd=path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise SystemExit(f"{path}: extraction failed:\n{proc.stderr[-2000:]}")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    for r in result.values():
        r["posts_per_s"] = round(r["posts"] / r["seconds"], 2)
        r["chars_per_s"] = round(r["chars"] / r["seconds"])
        r["seconds"] = round(r["seconds"], 2)
    result["load_average"] = load
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--checkout",
        action="append",
        required=True,
        metavar="NAME=PATH",
        help="a checkout of kg to time (repeat; the first is the baseline)",
    )
    ap.add_argument("--posts", type=int, default=300, help="synthetic posts (bench/corpus.py, seed 11)")
    ap.add_argument("--repeats", type=int, default=3, help="rounds over all checkouts")
    ap.add_argument("--output", type=Path, default=RESULTS)
    args = ap.parse_args()
    checkouts = {}
    for item in args.checkout:
        name, _, path = item.partition("=")
        if not path or not (Path(path) / "kg" / "extract").is_dir():
            raise SystemExit(f"--checkout {item}: expected NAME=PATH to a checkout of kg")
        checkouts[name] = Path(path).resolve()
    sets = {
        "synthetic": [_row(p) for p in generate_posts(args.posts, seed=11)],
        "real": [_row(corpora.post_of(r)) for name in corpora.TRAINING_SETS for r in corpora.load(name)],
    }
    if not sets["real"]:
        del sets["real"]
    runs: dict[str, list[dict]] = {name: [] for name in checkouts}
    with tempfile.TemporaryDirectory() as tmp:
        posts_file = Path(tmp) / "posts.json"
        posts_file.write_text(json.dumps(sets, ensure_ascii=False), encoding="utf-8")
        for round_ in range(args.repeats):
            for name, path in checkouts.items():
                r = run_checkout(path, posts_file)
                runs[name].append(r)
                print(
                    f"round {round_ + 1} {name:>10}: "
                    + "  ".join(
                        f"{s} {r[s]['posts_per_s']:6.2f} posts/s {r[s]['chars_per_s']:>7,} chars/s"
                        for s in sets
                    )
                    + f"  (load {r['load_average'][0]})",
                    flush=True,
                )
    base = next(iter(checkouts))
    summary: dict[str, dict] = {}
    for name in checkouts:
        summary[name] = {}
        for s in sets:
            pps = statistics.median(r[s]["posts_per_s"] for r in runs[name])
            cps = statistics.median(r[s]["chars_per_s"] for r in runs[name])
            base_pps = statistics.median(r[s]["posts_per_s"] for r in runs[base])
            summary[name][s] = {
                "median_posts_per_s": round(pps, 2),
                "median_chars_per_s": round(cps),
                "vs_" + base: round(pps / base_pps, 2),
            }
    for name, by_set in summary.items():
        print(
            f"{name:>10}: "
            + "  ".join(
                f"{s} {v['median_posts_per_s']:6.2f} posts/s {v['median_chars_per_s']:>7,} chars/s "
                f"({v['vs_' + base]}x {base})"
                for s, v in by_set.items()
            )
        )
    result = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "python": sys.version.split()[0],
        "checkouts": {name: str(path) for name, path in checkouts.items()},
        "posts": {s: len(rows) for s, rows in sets.items()},
        "summary": summary,
        "runs": runs,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
