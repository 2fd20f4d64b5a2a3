"""Benchmark: releases and pages on a big graph (bench/gen_graph.py, ≈ 2 M quads at 7,000 posts).

    python bench/publish.py --store /tmp/kg-bench            # made by gen_graph if missing
    python bench/publish.py --store /tmp/kg-bench --posts 7000

Measures `kg release` (kg.publish.release.write_release) on the store: wall and CPU seconds,
peak memory of this process (resource.getrusage), and the size of every file; then the HTML
pages through the real app in-process with the graph index loaded: the page of the biggest hub
(중소벤처기업부), of a person, of a post, the search page — best of five, in milliseconds.
Results: bench/results/publish.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

RESULTS = ROOT / "bench" / "results" / "publish.json"


def best_ms(call: object, repeat: int = 5) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        answer = call()  # type: ignore[operator]
        assert answer.status_code == 200, answer.status_code
        best = min(best, time.perf_counter() - started)
    return round(best * 1000, 1)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", type=Path, required=True)
    ap.add_argument(
        "--posts", type=int, default=7000, help="Posts gen_graph makes when the store is missing."
    )
    args = ap.parse_args(argv)
    if not args.store.exists():
        from bench import gen_graph

        gen_graph.main(["--posts", str(args.posts), "--store", str(args.store)])
    from fastapi.testclient import TestClient

    from api.main import create_app
    from kg.config import Settings
    from kg.publish.release import write_release
    from kg.store.oxigraph import OxigraphStore

    store = OxigraphStore(args.store, read_only=True)
    quads = store.quad_count()
    with tempfile.TemporaryDirectory(prefix="kg-bench-release-") as tmp:
        cpu, wall = time.process_time(), time.perf_counter()
        made = write_release(store, Path(tmp))
        release = {
            "seconds": round(time.perf_counter() - wall, 1),
            "cpu_seconds": round(time.process_time() - cpu, 1),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "files": {f.name: {"bytes": f.size, "items": f.items} for f in made.files},
        }
    print(f"release of {quads} quads: {release['seconds']} s", file=sys.stderr)
    app = create_app(Settings(store="memory", refresh_seconds=3600.0), store)
    client = TestClient(app)
    started = time.perf_counter()
    app.state.index.check(force=True)
    while app.state.index.current() is None:
        time.sleep(0.2)
    index_seconds = round(time.perf_counter() - started, 1)
    html = {"accept": "text/html"}
    hub = "/entities/" + quote("org/중소벤처기업부", safe="/")
    person = store.select("SELECT ?p WHERE { ?m <http://www.w3.org/ns/org#member> ?p } LIMIT 1")[0]["p"].value
    post = store.select("SELECT ?g WHERE { GRAPH ?g { ?g a <https://schema.org/Article> } } LIMIT 1")[0][
        "g"
    ].value
    from kg.read.queries import entity_id

    pages = {
        "hub_entity_page_ms": best_ms(lambda: client.get(hub, headers=html)),
        "person_page_ms": best_ms(
            lambda: client.get("/entities/" + quote(entity_id(person), safe="/@"), headers=html)
        ),
        "post_page_ms": best_ms(
            lambda: client.get("/posts/" + quote(entity_id(post).split("/", 1)[1]), headers=html)
        ),
        "search_page_ms": best_ms(lambda: client.get("/search?q=" + quote("중기"), headers=html)),
        "hub_entity_json_ms": best_ms(lambda: client.get(hub)),
    }
    result = {
        "benchmark": "publish",
        "command": "python bench/publish.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "quads": quads,
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_average": os.getloadavg()[0],
        },
        "release": release,
        "graph_index_load_seconds": index_seconds,
        "pages": pages,
    }
    RESULTS.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
