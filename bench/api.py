"""API benchmark: `kg serve` (default settings) on a generated store, loaded by wrk from another process.

    python -m bench.gen_graph --posts 7000 --store /tmp/kg-bench     # ≈ 2.1 M quads
    python -m bench.api --store /tmp/kg-bench                        # needs wrk (apt-get install wrk)

Measures, in this order:

* in-process pyoxigraph (before the server starts: one process may open the store): the
  typical queries below and a point query;
* `kg serve --store DIR` with its defaults (an Oxigraph server child, 2 API workers): time to
  /health and until the in-memory graph index of the workers is ready;
* /entities/{id}/related depth 1 under wrk (1 thread, 20 connections) over 2,000 entities:
  the hubs (the 20 entities with most edges) plus a random sample of people, organisations,
  events and programs; two load mixes: *uniform* (round robin over the 2,000) and *zipf*
  (entity ranked k by degree is asked with probability ∝ 1/k, so the hubs get most requests);
* /entities?q= label search, /sparql for the point query and the typical queries (medians),
  and date-range queries written the way a user writes them (finish or 503 at the time limit).

Writes bench/results/api.json.
"""

from __future__ import annotations

import argparse
import bisect
import http.client
import json
import os
import random
import re
import resource
import signal
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results" / "api.json"
BASE = "https://kg.example.org/id/"
HUB = BASE + "org/중소벤처기업부"
PREFIXES = """PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX schema: <https://schema.org/>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX time: <http://www.w3.org/2006/time#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX kg: <https://kg.example.org/ontology#>
"""
POINT = "SELECT ?o WHERE { <%s> <http://www.w3.org/2004/02/skos/core#prefLabel> ?o }"
SEARCHES = ["중기", "소공인", "창업진흥", "테크", "한빛", "김민", "벤처기업", "서울", "박람회", "AI"]


def typical_queries(org: str, person: str, child: str) -> dict[str, str]:
    """The questions people ask most, as they would write them (prefixes included)."""
    return {
        "1-hop (an organisation's neighbours)": f"""SELECT ?p ?x WHERE {{
  {{ <{org}> ?p ?x FILTER(isIRI(?x)) }} UNION {{ ?x ?p <{org}> }} }}""",
        "1-hop (the hub 중소벤처기업부)": f"""SELECT ?p ?x WHERE {{
  {{ <{HUB}> ?p ?x FILTER(isIRI(?x)) }} UNION {{ ?x ?p <{HUB}> }} }}""",
        "2-hop (a person's colleagues)": f"""SELECT DISTINCT ?colleague WHERE {{
  ?m org:member <{person}> ; org:organization ?o . ?m2 org:organization ?o ; org:member ?colleague }}""",
        "label search (CONTAINS)": """SELECT ?s ?l WHERE { ?s skos:prefLabel ?l FILTER(CONTAINS(?l, "소공인")) }""",
        "posts in a date range (one month)": """SELECT ?post ?title ?d WHERE {
  ?post a schema:Article ; dcterms:issued ?d ; dcterms:title ?title
  FILTER(?d >= "2021-03-01"^^xsd:date && ?d < "2021-04-01"^^xsd:date) } ORDER BY ?d""",
        "counts by type": "SELECT ?c (COUNT(?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c ORDER BY DESC(?n)",
        "ancestors (sub-organisation chain up)": f"SELECT ?a WHERE {{ <{child}> org:subOrganizationOf+ ?a }}",
    }


def user_queries() -> dict[str, str]:
    """Date-range questions typed the naive way: whole-store scans with FILTERs."""
    return {
        "posts of 2021 with titles (FILTER on dcterms:issued)": """SELECT ?post ?title WHERE {
  ?post dcterms:issued ?d ; dcterms:title ?title
  FILTER(?d >= "2021-01-01"^^xsd:date && ?d <= "2021-12-31"^^xsd:date) } ORDER BY ?d""",
        "who held a post at 중소벤처기업부 on 2021-06-01": f"""SELECT ?person ?role ?b ?e WHERE {{
  ?m org:organization <{HUB}> ; org:member ?person ; kg:roleLabel ?role ; org:memberDuring ?i .
  ?i time:hasBeginning/time:inXSDDate ?b ; time:hasEnd/time:inXSDDate ?e
  FILTER(?b <= "2021-06-01"^^xsd:date && ?e >= "2021-06-01"^^xsd:date) }}""",
        "every fact stated in 2021, with its sentence (STR compare)": """SELECT ?s ?p ?o ?sentence WHERE {
  ?f rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; kg:evidenceText ?sentence ;
     prov:wasDerivedFrom ?post . ?post dcterms:issued ?d
  FILTER(STR(?d) >= "2021-01-01" && STR(?d) <= "2021-12-31") } ORDER BY ?post""",
        "people by number of events attended in 2020 (GROUP BY)": """SELECT ?person (COUNT(?e) AS ?n) WHERE {
  ?e schema:attendee ?person ; schema:startDate ?d . ?person a <http://xmlns.com/foaf/0.1/Person>
  FILTER(YEAR(?d) = 2020) } GROUP BY ?person ORDER BY DESC(?n) LIMIT 20""",
        "pairs of posts issued on the same day (FILTER on a cross product)": """SELECT ?a ?b ?d WHERE {
  ?a dcterms:issued ?d . ?b dcterms:issued ?d2 FILTER(?a != ?b && STR(?d) = STR(?d2)) } ORDER BY ?d""",
    }


def median_ms(run: Any, times: int) -> float:
    spent = []
    for _ in range(times):
        t = time.perf_counter()
        run()
        spent.append(time.perf_counter() - t)
    return round(statistics.median(spent) * 1e3, 3)


def median_each(runs: list[Any]) -> float:
    """The median time of single runs (one per entity: a point query on each)."""
    spent = []
    for run in runs:
        t = time.perf_counter()
        run()
        spent.append(time.perf_counter() - t)
    return round(statistics.median(spent) * 1e3, 3)


def pick_entities(db: Any, count: int) -> tuple[list[str], dict[str, int]]:
    """The hubs and a random sample, most edges first."""
    from bench.gen_graph import degrees

    degree = degrees(db)
    kinds = ("person/", "org/", "event/", "program/")
    candidates = sorted(i for i in degree if i[len(BASE) :].startswith(kinds))
    hubs = sorted(candidates, key=lambda i: -degree[i])[:20]
    rest = [i for i in candidates if i not in set(hubs)]
    random.seed(1)
    chosen = hubs + random.sample(rest, min(count - len(hubs), len(rest)))
    chosen.sort(key=lambda i: (-degree[i], i))
    return chosen, degree


def wrk_script(iris: list[str], path: Path, zipf: bool) -> None:
    """A wrk Lua script asking /related for the entities, round robin or by a Zipf law."""
    paths = ",\n".join(f'"/entities/{urllib.parse.quote(i[len(BASE) :])}/related"' for i in iris)
    if zipf:
        weights = [1 / (k + 1) for k in range(len(iris))]
        total = sum(weights)
        acc, cdf = 0.0, []
        for w in weights:
            acc += w / total
            cdf.append(acc)
        rng = random.Random(2)
        order = [min(bisect.bisect_left(cdf, rng.random()), len(iris) - 1) + 1 for _ in range(50000)]
    else:
        order = list(range(1, len(iris) + 1))
    path.write_text(
        "paths = {\n"
        + paths
        + "\n}\norder = {"
        + ",".join(map(str, order))
        + "}\ni = 0\nrequest = function()\n  i = i % #order + 1\n"
        + '  return wrk.format("GET", paths[order[i]])\nend\n'
    )


def cpu_seconds(pid: int) -> float:
    """CPU time used so far by a process and its descendants (the API workers, the Oxigraph server)."""
    import psutil

    root = psutil.Process(pid)
    total = 0.0
    for proc in [root, *root.children(recursive=True)]:
        try:
            t = proc.cpu_times()
            total += t.user + t.system
        except psutil.NoSuchProcess:
            pass
    return total


def memory_mb(pid: int) -> dict[str, float]:
    """Resident memory of the API workers (each holds its own index) and of the store server."""
    import psutil

    out: dict[str, float] = {}
    workers = 0
    for proc in psutil.Process(pid).children(recursive=True):
        rss = round(proc.memory_info().rss / 2**20, 1)
        cmdline = " ".join(proc.cmdline())
        if "oxigraph" in proc.name():
            out["oxigraph_server"] = rss
        elif "spawn_main" in cmdline and "resource_tracker" not in cmdline:
            workers += 1
            out[f"api_worker_{workers}"] = rss
    return out


def wrk(url: str, script: Path, seconds: int, server_pid: int | None = None) -> dict[str, Any]:
    """wrk's figures; with `server_pid`, also the CPU time the server and wrk spent per request,
    which other load on the machine does not change (it is shared: the other figures are not)."""
    server_before = cpu_seconds(server_pid) if server_pid else 0.0
    wrk_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run(
        ["wrk", "-t1", "-c20", f"-d{seconds}s", "--latency", "-s", str(script), url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    wrk_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    lat = dict(re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", out, re.M))
    rps = float(re.search(r"Requests/sec:\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    requests = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    result: dict[str, Any] = {
        "requests_per_s": rps,
        "latency": lat,
        "requests": requests,
        "non_2xx": int(errors.group(1)) if errors else 0,
    }
    if server_pid:
        server_ms = (cpu_seconds(server_pid) - server_before) * 1e3 / max(requests, 1)
        wrk_ms = (
            (wrk_after.ru_utime + wrk_after.ru_stime - wrk_before.ru_utime - wrk_before.ru_stime)
            * 1e3
            / max(requests, 1)
        )
        result["cpu_ms_per_request"] = {"server": round(server_ms, 3), "wrk": round(wrk_ms, 3)}
        result["requests_per_s_two_idle_cores"] = round(2000 / (server_ms + wrk_ms))
    return result


_CONNECTIONS: dict[str, http.client.HTTPConnection] = {}


def get(url: str, accept: str = "application/json", timeout: float = 60) -> tuple[int, bytes]:
    """GET on a kept-alive connection (as a client that sends many requests would); a
    connection the server closed meanwhile is opened again."""
    parts = urllib.parse.urlsplit(url)
    target = parts.path + ("?" + parts.query if parts.query else "")
    for attempt in (1, 2):
        conn = _CONNECTIONS.get(parts.netloc)
        if conn is None:
            conn = _CONNECTIONS[parts.netloc] = http.client.HTTPConnection(parts.netloc, timeout=timeout)
        try:
            conn.request("GET", target, headers={"Accept": accept})
            resp = conn.getresponse()
            return resp.status, resp.read()
        except (http.client.HTTPException, OSError):
            conn.close()
            del _CONNECTIONS[parts.netloc]
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def sparql_url(url: str, query: str) -> str:
    return f"{url}/sparql?" + urllib.parse.urlencode({"query": query})


def loadavg() -> float:
    return round(os.getloadavg()[0], 2)


def measure_in_process(db: Any, iris: list[str]) -> tuple[dict[str, str], dict[str, float], float]:
    """The typical queries (and their medians) and the point query's median, on pyoxigraph."""
    people = [i for i in iris if "/person/" in i]
    orgs = [i for i in iris if "/org/" in i]
    org = orgs[len(orgs) // 10]  # an organisation at the 90th percentile of degree
    person = people[len(people) // 10]
    child = next(
        str(r["s"].value)
        for r in db.query(
            PREFIXES + "SELECT ?s WHERE { ?s org:subOrganizationOf ?p . ?p org:subOrganizationOf ?q } LIMIT 1"
        )
    )
    typical = typical_queries(org, person, child)
    medians = {name: median_ms(lambda q=q: list(db.query(PREFIXES + q)), 5) for name, q in typical.items()}
    point_ms = median_each([lambda i=i: list(db.query(POINT % i)) for i in iris[:300]])
    return typical, medians, point_ms


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", type=Path, required=True)
    ap.add_argument("--port", type=int, default=8765)
    ap.add_argument("--seconds", type=int, default=20)
    args = ap.parse_args(argv)
    result = measure(args.store, args.port, args.seconds)
    result["command"] = "python -m bench.api --store " + str(args.store)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(result, indent=2, ensure_ascii=False))


def measure(store: Path, port: int = 8765, seconds: int = 20) -> dict[str, Any]:
    """Every figure of this benchmark for the store in `store` (see the module's docstring)."""
    import pyoxigraph as ox

    db = ox.Store.read_only(str(store))
    quads = len(db)
    iris, degree = pick_entities(db, 2000)
    typical, in_process, point_ms = measure_in_process(db, iris)
    del db  # the server takes the store over

    scripts = {}
    for mix in ("uniform", "zipf"):
        scripts[mix] = Path(f"/tmp/kg-bench-related-{mix}.lua")
        wrk_script(iris, scripts[mix], zipf=mix == "zipf")
    env = {**os.environ, "KG_STORE": str(store)}
    started = time.monotonic()
    serve = subprocess.Popen(
        [sys.executable, "-m", "kg.cli.commands", "serve", "--port", str(port)],
        env=env,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    result: dict[str, Any] = {
        "store_quads": quads,
        "machine_cores": os.cpu_count(),
        "entities_asked": len(iris),
        "degree_of_asked": {
            "hub": degree[HUB],
            "p50": degree[iris[len(iris) // 2]],
            "max": degree[iris[0]],
        },
    }
    try:
        health: dict[str, Any] = {}
        while time.monotonic() - started < 120:
            try:
                health = json.loads(urllib.request.urlopen(url + "/health", timeout=2).read())
                break
            except OSError:
                time.sleep(0.1)
        up = time.monotonic() - started
        ready_in_a_row = 0
        while ready_in_a_row < 10 and time.monotonic() - started < 600:
            health = json.loads(get(url + "/health")[1])
            ready_in_a_row = ready_in_a_row + 1 if health["detail"]["index"]["state"] == "ready" else 0
            time.sleep(0.05 if ready_in_a_row else 0.5)
        result["startup"] = {
            "health_after_s": round(up, 2),
            "index_ready_after_s": round(time.monotonic() - started, 2),
            "index": health["detail"]["index"],
            "memory_mb": memory_mb(serve.pid),
        }
        print(json.dumps(result, indent=2, ensure_ascii=False), flush=True)
        result["related_depth1_20_connections"] = {}
        for mix, script in scripts.items():
            wrk(url, script, 5)  # warm-up
            before = loadavg()
            measured = wrk(url, script, seconds, serve.pid)
            measured["loadavg_1min_before"] = before
            result["related_depth1_20_connections"][mix] = measured
            print(mix, measured, flush=True)
        search_ms = {
            q: median_ms(lambda q=q: get(f"{url}/entities?q={urllib.parse.quote(q)}"), 21) for q in SEARCHES
        }
        result["label_search_ms"] = {
            "median_of_queries": statistics.median(search_ms.values()),
            "each": search_ms,
        }
        endpoint_ms = median_each(
            [
                lambda i=i: get(sparql_url(url, POINT % i), "application/sparql-results+json")
                for i in iris[:300]
            ]
        )
        result["sparql_point_query_ms"] = {
            "in_process_pyoxigraph_median": round(point_ms, 3),
            "endpoint_median_over_http": round(endpoint_ms, 3),
            "budget_1_5x_plus_2ms": round(1.5 * point_ms + 2, 3),
        }
        table = {}
        for name, q in typical.items():
            status, body = get(sparql_url(url, PREFIXES + q), "application/sparql-results+json")
            rows = len(json.loads(body)["results"]["bindings"]) if status == 200 else None
            table[name] = {
                "in_process_ms": in_process[name],
                "sparql_endpoint_ms": median_ms(lambda q=q: get(sparql_url(url, PREFIXES + q)), 5),
                "rows": rows,
                "status": status,
            }
        related_hub = median_ms(
            lambda: get(f"{url}/entities/org/{urllib.parse.quote('중소벤처기업부')}/related"), 21
        )
        related_hub2 = median_ms(
            lambda: get(f"{url}/entities/org/{urllib.parse.quote('중소벤처기업부')}/related?depth=2"), 5
        )
        table["REST /entities/{hub} (describe: labels, counts)"] = {
            "rest_ms": median_ms(lambda: get(f"{url}/entities/org/{urllib.parse.quote('중소벤처기업부')}"), 5)
        }
        table["REST /related depth 1 of the hub"] = {"rest_ms": related_hub}
        table["REST /related depth 2 of the hub"] = {"rest_ms": related_hub2}
        table["REST /entities?q=소공인 (label index)"] = {"rest_ms": search_ms["소공인"]}
        result["typical_queries"] = table
        naive = {}
        for name, q in user_queries().items():
            t = time.perf_counter()
            status, body = get(sparql_url(url, PREFIXES + q), "application/sparql-results+json", timeout=60)
            spent = time.perf_counter() - t
            naive[name] = {
                "status": status,
                "seconds": round(spent, 2),
                "rows": len(json.loads(body)["results"]["bindings"]) if status == 200 else None,
                "answer": body[:160].decode("utf-8", "replace") if status != 200 else "ok",
            }
        result["user_date_range_queries"] = naive
    finally:
        os.killpg(serve.pid, signal.SIGINT)
        serve.wait(30)
    return result


if __name__ == "__main__":
    main()
