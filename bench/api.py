"""API benchmark: `kg serve` (default settings) on a generated store, loaded by wrk from another process.

    python -m bench.gen_graph --posts 7000 --store /tmp/kg-bench     # ≈ 2.2 M quads
    python -m bench.api --store /tmp/kg-bench                        # needs wrk (apt-get install wrk)

Measures: /entities/{id}/related depth 1 under 20 connections over 2,000 different entities
(requests/s, latency percentiles); /sparql for a point query against the same query run
in-process on pyoxigraph (before the server starts: one process may open the store).
Writes bench/results/api.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results" / "api.json"
POINT = "SELECT ?o WHERE { <%s> <http://www.w3.org/2004/02/skos/core#prefLabel> ?o }"


def in_process_point_ms(store: Path, iris: list[str]) -> float:
    import pyoxigraph as ox

    db = ox.Store.read_only(str(store))
    times = []
    for i in iris[:300]:
        t = time.perf_counter()
        list(db.query(POINT % i))
        times.append(time.perf_counter() - t)
    del db
    return statistics.median(times) * 1e3


def wrk(url: str, script: Path, seconds: int) -> dict[str, object]:
    out = subprocess.run(
        ["wrk", "-t1", "-c20", f"-d{seconds}s", "--latency", "-s", str(script), url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    lat = dict(re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", out, re.M))
    rps = float(re.search(r"Requests/sec:\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"requests_per_s": rps, "latency": lat, "non_2xx": int(errors.group(1)) if errors else 0}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", type=Path, required=True)
    ap.add_argument("--port", type=int, default=8765)
    ap.add_argument("--seconds", type=int, default=20)
    args = ap.parse_args(argv)
    import pyoxigraph as ox

    db = ox.Store.read_only(str(args.store))
    classes = ["http://xmlns.com/foaf/0.1/Person", "http://www.w3.org/ns/org#Organization"]
    iris = [
        str(s["e"].value)
        for c in classes
        for s in db.query(f"SELECT ?e WHERE {{ ?e a <{c}> }}")  # type: ignore[union-attr]
    ]
    quads = len(db)
    del db
    random.seed(1)
    random.shuffle(iris)
    iris = iris[:2000]
    point_ms = in_process_point_ms(args.store, iris)
    script = Path("/tmp/kg-bench-related.lua")
    base = "https://kg.example.org/id/"
    paths = ",\n".join(f'"/entities/{urllib.parse.quote(i[len(base) :])}/related"' for i in iris)
    script.write_text(
        "paths = {\n" + paths + "\n}\ni = 0\nrequest = function()\n  i = i % #paths + 1\n"
        '  return wrk.format("GET", paths[i])\nend\n'
    )
    env = {**os.environ, "KG_STORE": str(args.store)}
    serve = subprocess.Popen(
        [sys.executable, "-m", "kg.cli", "serve", "--port", str(args.port)],
        env=env,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{args.port}"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(url + "/health", timeout=1).read()
                break
            except OSError:
                time.sleep(0.2)
        wrk(url, script, 5)  # warm-up
        related = wrk(url, script, args.seconds)
        sparql_times = []
        for i in iris[:300]:
            q = urllib.parse.urlencode({"query": POINT % i})
            req = urllib.request.Request(
                f"{url}/sparql?{q}", headers={"Accept": "application/sparql-results+json"}
            )
            t = time.perf_counter()
            urllib.request.urlopen(req, timeout=10).read()
            sparql_times.append(time.perf_counter() - t)
        endpoint_ms = statistics.median(sparql_times) * 1e3
    finally:
        os.killpg(serve.pid, signal.SIGINT)
        serve.wait(30)
    result = {
        "store_quads": quads,
        "machine_cores": os.cpu_count(),
        "related_depth1_20_connections": related,
        "sparql_point_query_ms": {
            "in_process_pyoxigraph_median": round(point_ms, 3),
            "endpoint_median_over_http": round(endpoint_ms, 3),
            "budget_1_5x_plus_2ms": round(1.5 * point_ms + 2, 3),
        },
        "command": "python -m bench.api --store " + str(args.store),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
