"""Benchmark: what the change log costs when posts are written, and what reading it costs.

    python bench/changes.py                 # 400 synthetic posts
    python bench/changes.py --posts 1000

The posts (bench/corpus.py) are extracted and resolved once; then the same quads are written
into fresh on-disk stores in batches of 16, as `kg ingest` writes them, twice:

- `plain`: `Store.replace_posts` alone (what ingest did before the log);
- `logged`: `kg.build.changelog.ChangeLog.replace_posts` (reads the batch's stored state,
  writes the change sets in the same update);

first as new posts, then all of them again after an edit (every post changed: the log diffs
old and new facts). Reported per post in CPU milliseconds of this process (`time.process_time`:
the store is embedded, so its work is counted; other load on the machine barely moves it) and
wall milliseconds, the ratio logged/plain, and the quads the log adds per post. Then the
reading side on the logged store: `/changes` pages of 100 change sets, an entity's feed and the
`/changes` page for a browser, through the real app in-process. Results: bench/results/changes.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.corpus import generate_posts  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "changes.json"
BATCH = 16


def _resolved(posts: list[Any]) -> list[tuple[str, list[Any]]]:
    from kg.build.pipeline import extract_posts
    from kg.build.rdf import post_quads
    from kg.build.resolve import Resolver
    from kg.extract import Extractor

    extractor = Extractor()
    resolver = Resolver()
    out = []
    for result in extract_posts(posts, lambda ps: extractor.pipe(ps)):
        resolved = resolver.resolve(result)  # type: ignore[arg-type]
        out.append((resolved.iri, post_quads(resolved)))
    return out


def _write(store: Any, batches: list[list[tuple[str, list[Any]]]], logged: bool) -> tuple[float, float]:
    from kg.build.changelog import ChangeLog

    log = ChangeLog(store, "ingest") if logged else None
    if log is not None:
        log.start()
    cpu, wall = time.process_time(), time.perf_counter()
    for batch in batches:
        if log is not None:
            log.replace_posts(batch)
        else:
            store.replace_posts(batch)
    if log is not None:
        log.finish()
    return time.process_time() - cpu, time.perf_counter() - wall


def _timed(call: Any, repeat: int = 5) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        best = min(best, time.perf_counter() - started)
    return round(best * 1000, 1)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--posts", type=int, default=400)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)
    from kg.build.pipeline import ensure_reference_graphs
    from kg.store.base import graph_node
    from kg.store.oxigraph import OxigraphStore

    posts = list(generate_posts(args.posts, seed=args.seed))
    edited = [replace(p, text=p.text.replace("밝혔다", "전했다", 1) + "\n추가 문단입니다.") for p in posts]
    print(f"extracting {len(posts)} posts twice (original and edited) …", file=sys.stderr)
    first, second = _resolved(posts), _resolved(edited)
    runs: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="kg-bench-changes-") as tmp:
        stores = {}
        for mode in ("plain", "logged"):
            store = OxigraphStore(Path(tmp) / mode)
            ensure_reference_graphs(store)
            for phase, data in (("new", first), ("edited", second)):
                batches = [data[i : i + BATCH] for i in range(0, len(data), BATCH)]
                cpu, wall = _write(store, batches, mode == "logged")
                runs[f"{mode}/{phase}"] = {
                    "cpu_ms_per_post": round(cpu * 1000 / len(data), 2),
                    "wall_ms_per_post": round(wall * 1000 / len(data), 2),
                }
            stores[mode] = store
        logged = stores["logged"]
        log_quads = logged.select(
            f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {graph_node('changes')} {{ ?s ?p ?o }} }}"
        )[0]["n"].value
        data_quads = logged.quad_count()

        from fastapi.testclient import TestClient

        from api.main import create_app
        from kg.config import Settings
        from kg.read import changes

        client = TestClient(create_app(Settings(store="memory", refresh_seconds=0.0), logged))
        hub = "org/중소벤처기업부"
        total = changes.change_sets(logged)[0]
        reading = {
            "change_sets": total,
            "changes_json_first_page_ms": _timed(lambda: client.get("/changes?limit=100")),
            "changes_json_last_page_ms": _timed(
                lambda: client.get(f"/changes?limit=100&offset={max(0, total - 100)}")
            ),
            "changes_since_a_day_ms": _timed(lambda: client.get("/changes?since=2000-01-01&limit=100")),
            "changes_atom_ms": _timed(lambda: client.get("/changes?format=atom")),
            "changes_page_html_ms": _timed(lambda: client.get("/changes", headers={"accept": "text/html"})),
            "entity_feed_hub_ms": _timed(lambda: client.get(f"/entities/{hub}/feed.atom")),
        }
    ratio_new = runs["logged/new"]["cpu_ms_per_post"] / runs["plain/new"]["cpu_ms_per_post"]
    ratio_edit = runs["logged/edited"]["cpu_ms_per_post"] / runs["plain/edited"]["cpu_ms_per_post"]
    result = {
        "benchmark": "changes",
        "command": "python bench/changes.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "posts": len(posts),
        "batch": BATCH,
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_average": os.getloadavg()[0],
        },
        "writes": runs,
        "cpu_ratio_logged_over_plain": {"new": round(ratio_new, 2), "edited": round(ratio_edit, 2)},
        "quads": {
            "data": data_quads,
            "log": int(log_quads),
            "log_per_post": round(int(log_quads) / len(posts), 1),
        },
        "reading": reading,
    }
    RESULTS.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False, indent=2))
    print(
        f"change log: writing new posts costs {ratio_new:.2f}x, edited posts {ratio_edit:.2f}x the CPU of "
        f"writing without it; {result['quads']['log_per_post']} log quads per post "
        f"(data: {data_quads / len(posts):.0f} per post); wrote {RESULTS}",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
