"""Materialised union default graph vs Oxigraph's native union default graph, in-process.

    python -m bench.gen_graph --posts 2000 --store /tmp/kg-union          # ≈ 0.6 M quads
    python -m bench.union --store /tmp/kg-union

kg keeps the store's default graph equal to the union of the named graphs (written with every
post). Oxigraph can instead answer a query's default graph as the union of all graphs
(`use_default_graph_as_union`, `oxigraph serve --union-default-graph`), which halves the
stored quads. This runs bench.api's typical and user-written queries both ways on the same
data (a copy of the store with the default graph emptied answers the native way) and writes
the medians and their ratios to bench/results/union.json.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import time
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from bench.api import PREFIXES, typical_queries, user_queries

RESULTS = Path(__file__).resolve().parent / "results" / "union.json"
BASE = "https://kg.example.org/id/"


def median_ms(store: ox.Store, query: str, union: bool, times: int) -> float:
    spent = []
    for _ in range(times):
        t = time.perf_counter()
        result: Any = store.query(query, use_default_graph_as_union=union)
        if isinstance(result, ox.QuerySolutions | ox.QueryTriples):
            for _row in result:
                pass
        spent.append(time.perf_counter() - t)
    return round(statistics.median(spent) * 1e3, 3)


def pick(store: ox.Store, query: str) -> str:
    rows = list(store.query(PREFIXES + query))
    return rows[0][0].value


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", type=Path, required=True, help="A store made by bench.gen_graph.")
    ap.add_argument("--times", type=int, default=5, help="Runs per query (median).")
    args = ap.parse_args()
    native_dir = args.store.with_name(args.store.name + "-native")
    shutil.rmtree(native_dir, ignore_errors=True)
    shutil.copytree(args.store, native_dir)
    materialised = ox.Store.read_only(str(args.store))
    native = ox.Store(str(native_dir))
    native.update("CLEAR DEFAULT")
    native.flush()
    count = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    quads = {
        "materialised": len(materialised),
        "native": len(native),
        "named_graph_quads": int(next(iter(materialised.query(count)))[0].value),
    }
    org = pick(materialised, "SELECT ?o WHERE { ?o a org:Organization } LIMIT 1")
    person = pick(materialised, "SELECT ?p WHERE { ?m org:member ?p } LIMIT 1")
    child = pick(materialised, "SELECT ?c WHERE { ?c org:subOrganizationOf ?p } LIMIT 1")
    queries = {**typical_queries(org, person, child), **user_queries()}
    rows = []
    for name, body in queries.items():
        query = PREFIXES + body
        a = median_ms(materialised, query, False, args.times)
        b = median_ms(native, query, True, args.times)
        rows.append(
            {
                "query": name,
                "materialised_ms": a,
                "native_union_ms": b,
                "ratio": round(b / a, 2) if a else None,
            }
        )
        print(f"{a:>10.1f} ms  {b:>10.1f} ms  ×{b / a if a else float('nan'):.2f}  {name}")
    ratios = [r["ratio"] for r in rows if r["ratio"]]
    summary = {
        "store": str(args.store),
        "quads": quads,
        "queries": rows,
        "median_ratio_native_over_materialised": round(statistics.median(ratios), 2),
        "pyoxigraph": ox.__version__,
    }
    RESULTS.write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({k: v for k, v in summary.items() if k != "queries"}, ensure_ascii=False))
    shutil.rmtree(native_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
