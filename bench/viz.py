"""Benchmark of the network views at 5,000, 20,000 and 100,000 entities: what `kg viz` does
(query, layout, page), the page in headless Chromium (offline; time from navigation to the first
frame at the final positions, then frame times while panning and zooming), and pyvis's own
rendering of the same graph (pyvis `from_nx` + `generate_html`, and that page in the same browser
until its physics settles).

    python bench/viz.py                      # writes bench/results/viz.json (about half an hour)
    python bench/viz.py --sizes 5000 --no-pyvis-browser
    python bench/viz.py --graph-cache /tmp/kg-viz-graphs   # keep the built graphs between runs

The graph is synthetic but built the way kg builds graphs: made-up extractions (posts with
organisations, people, programs, events and places, and every relation kind) are resolved
and turned into quads by kg.build.rdf, then loaded into an in-memory Oxigraph store. "Generation" is what `kg viz` does: query the store
(`whole_graph`) and write the page (`render`); both parts are reported.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import pickle
import platform
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.build.rdf import post_quads  # noqa: E402
from kg.build.resolve import Resolver  # noqa: E402
from kg.model import Entity, Evidence, Extraction, Post, Relation  # noqa: E402
from kg.store.base import Store  # noqa: E402
from kg.store.oxigraph import OxigraphStore  # noqa: E402
from kg.views import network as viz  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "viz.json"
SYLLABLES = "가나다라마바사아자차카타파하거너더러머버서어저처커터퍼허고노도로모보소오조초코토포호"
ROLES = ["장관", "차관", "청장", "원장", "이사장", "본부장", "센터장", "단장", "대표", "과장"]


def _word(i: int, width: int = 3) -> str:
    out = []
    for _ in range(width):
        i, r = divmod(i, len(SYLLABLES))
        out.append(SYLLABLES[r])
    return "".join(out)


def synthetic_posts(n_entities: int, seed: int = 7) -> list[Extraction]:
    """Posts until about `n_entities` distinct entities exist; a few hubs, a long tail."""
    rng = random.Random(seed)
    made: dict[str, list[str]] = {t: [] for t in ("Organization", "Person", "Program", "Event", "Place")}
    posts: list[Extraction] = []
    day = date(2017, 1, 1)

    def new(type_name: str, name: str) -> str:
        made[type_name].append(name)
        return name

    def old(type_name: str) -> str | None:
        pool = made[type_name]
        return pool[int(len(pool) * rng.random() ** 3)] if pool else None  # skewed: early ones are hubs

    i = 0
    while sum(len(v) for v in made.values()) < n_entities:
        i += 1
        day += timedelta(days=rng.randint(0, 2))
        org = new("Organization", f"{_word(i)}진흥원")
        parent = old("Organization") or new("Organization", "가상중앙부처")
        partner = old("Organization") or parent
        person = new("Person", _word(i * 7 + 3))
        program = (
            new("Program", f"{_word(i)} 지원사업") if i % 3 == 0 else (old("Program") or "기본 지원사업")
        )
        if program not in made["Program"]:
            made["Program"].append(program)
        place = new("Place", f"{_word(i, 2)}시") if i % 5 == 0 else (old("Place") or "가상시")
        if place not in made["Place"]:
            made["Place"].append(place)
        event = new("Event", f"{_word(i)} 간담회")
        role = rng.choice(ROLES)
        sentence = f"{parent} 산하 {org}({role} {person})는 {day:%Y-%m-%d} {place}에서 {event}를 열고 {program}을 {partner}와 함께 운영한다고 밝혔다."

        def ev(component: str, s: str = sentence) -> Evidence:
            return Evidence(s, 0, len(s), component, 0.9)

        entities = [Entity(n, "Organization") for n in dict.fromkeys([org, parent, partner])]
        entities += [
            Entity(person, "Person"),
            Entity(program, "Program"),
            Entity(place, "Place"),
            Entity(event, "Event", date=day.isoformat()),
        ]
        relations = [
            Relation(person, "holdsPosition", org, ev("bench"), role=role),
            Relation(org, "subOrganizationOf", parent, ev("bench")) if org != parent else None,
            Relation(org, "operates", program, ev("bench")),
            Relation(org, "partnerOf", partner, ev("bench")) if partner not in (org, parent) else None,
            Relation(person, "participatedIn", day.isoformat(), ev("bench"), event=event),
            Relation(parent, "participatedIn", day.isoformat(), ev("bench"), event=event),
            Relation(event, "locatedIn", place, ev("bench")),
        ]
        post = Post(
            id=f"bench-{i:06d}",
            text=sentence,
            title=f"{event} 개최",
            url=f"https://example.org/bench/{i}",
            published=day,
            publisher=parent,
        )
        posts.append(Extraction(post, sentence, entities, [r for r in relations if r is not None], "bench/0"))
    return posts


def build_store(n_entities: int) -> tuple[Store, float, int]:
    """The synthetic posts as kg.build.rdf writes them, loaded with Store.load.

    Each post's quads go into its named graph and their triples into the default graph (the
    union the store keeps). Store.replace_posts would do the same plus the derived membership
    intervals, which the views do not read; its interval update slows down as the store grows
    (about 3.5 s per 100 posts at 2,500 posts), too slow to build 20,000 entities here.
    """
    import pyoxigraph as ox

    store = OxigraphStore(None)
    resolver = Resolver()
    started = time.perf_counter()
    posts = synthetic_posts(n_entities)
    quads = [q for ex in posts for q in post_quads(resolver.resolve(ex))]
    store.load(ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b"", "nq")
    triples = {q.triple for q in quads}
    store.load(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"", "nt")
    return store, time.perf_counter() - started, len(posts)


def best_of(runs: int, fn: Any) -> tuple[float, Any]:
    best = float("inf")
    result = None
    for _ in range(runs):
        t = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t)
    return best, result


def graph_for(size: int, cache: Path | None) -> tuple[list[viz.Node], list[viz.EdgeView], dict[str, Any]]:
    """The whole graph of a synthetic store of about `size` entities, as `kg viz` collects it."""
    path = cache / f"whole-{size}.pickle" if cache else None
    if path is not None and path.exists():
        with path.open("rb") as f:
            nodes, edges, info = pickle.load(f)
        return nodes, edges, {**info, "from_cache": str(path)}
    store, build_s, n_posts = build_store(size)
    t = time.perf_counter()
    nodes, edges = viz.whole_graph(store, limit=10**7)
    info = {
        "posts": n_posts,
        "store_build_s": round(build_s, 1),
        "query_s": round(time.perf_counter() - t, 2),
    }
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as f:
            pickle.dump((nodes, edges, info), f)
    return nodes, edges, info


def generation(nodes: list[viz.Node], edges: list[viz.EdgeView]) -> tuple[dict[str, Any], str]:
    """The page as `kg viz` writes it: the first time (layout computed) and again (layout cached)."""
    viz._layouts.clear()
    t = time.perf_counter()
    page = viz.render(nodes, edges, title="bench")
    cold = time.perf_counter() - t
    warm, page = best_of(2, lambda: viz.render(nodes, edges, title="bench"))
    data = json.loads(page.split('id="kg-data">', 1)[1].split("</script>", 1)[0]) if "kg-data" in page else {}
    return {
        "renderer": "webgl" if len(nodes) > viz.WEBGL_ABOVE else "vis",
        "page_cold_s": round(cold, 2),
        "layout_s": data.get("layoutSeconds"),
        "page_warm_s": round(warm, 2),
        "page_mb": round(len(page.encode("utf-8")) / 1e6, 2),
        "communities": len(data.get("groups", [])),
    }, page


def _connected_cut(edges: list[viz.EdgeView], size: int) -> list[str]:
    """`size` entities in breadth-first order from the best connected one: a dense, connected cut."""
    adjacent: dict[str, list[str]] = {}
    for e in edges:
        adjacent.setdefault(e.source, []).append(e.target)
        adjacent.setdefault(e.target, []).append(e.source)
    order: list[str] = []
    seen: set[str] = set()
    for start in sorted(adjacent, key=lambda n: -len(adjacent[n])):
        if start in seen:
            continue
        seen.add(start)
        queue = [start]
        for node in queue:
            order.append(node)
            for other in adjacent[node]:
                if other not in seen:
                    seen.add(other)
                    queue.append(other)
        if len(order) >= size:
            break
    return order[:size]


def pyvis_page(nodes: list[viz.Node], edges: list[viz.EdgeView]) -> tuple[dict[str, Any], str]:
    """pyvis's own path for the same graph: from_nx, then generate_html (vis-network inlined)."""
    import networkx as nx
    from pyvis.network import Network

    g = nx.Graph()
    for n in nodes:
        g.add_node(n.id, label=n.label, group=n.type, title=n.label)
    for e in edges:
        g.add_edge(e.source, e.target, title=e.role or e.relation)
    started = time.perf_counter()
    net = Network(cdn_resources="in_line")
    net.from_nx(g)
    from_nx_s = time.perf_counter() - started
    html = net.generate_html()
    return {
        "nodes": g.number_of_nodes(),
        "edges": g.number_of_edges(),
        "from_nx_s": round(from_nx_s, 2),
        "generate_s": round(time.perf_counter() - started, 2),
        "page_mb": round(len(html.encode("utf-8")) / 1e6, 2),
    }, html


def _browser(tmp: str) -> Any:
    from tests.cdp import Browser

    browser = Browser(Path(tmp) / "profile")
    browser.offline()
    return browser


def kg_in_browser(page: str, label: str) -> dict[str, Any]:
    """The kg page offline: navigation → first frame at the final positions, in the mode it opens
    in and with every node (`#all`); then pan and zoom over every node."""
    from tests.cdp import CdpError, chromium_available

    if not chromium_available():
        return {"skipped": "no Chromium at /usr/bin/chromium (apt-get install chromium)"}
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{label}.html"
        path.write_text(page, encoding="utf-8")
        browser = _browser(tmp)
        try:
            for mode, url in (("opens_on", path.as_uri()), ("all_nodes", path.as_uri() + "#all")):
                browser.open("about:blank")
                t = time.perf_counter()
                browser.open(url, timeout=300)
                ready = (
                    "window.kgReady === true"
                    if "kg-data" in page and "sigma" in page
                    else "window.kgStable === true"
                )
                browser.wait_for(ready, timeout=600, every=0.05)
                wall = time.perf_counter() - t
                stats = browser.evaluate(
                    "({first_frame_ms: Math.round(window.kgPaintedMs || window.kgStabilizedMs),"
                    " view: window.kgView && kgView.state ? kgView.state.view : 'vis',"
                    " summary: document.getElementById('summary').textContent})"
                )
                out[mode] = {**stats, "wall_s": round(wall, 2)}
            try:
                intervals = pan_and_zoom(browser, timeout=600)
                # on software WebGL the page moves one bitmap while the camera moves (docs/views.md)
                out["gestures"] = browser.evaluate(
                    "window.kgView && kgView.gestures ? {mode: kgView.gestures.mode, device: kgView.gestures.device,"
                    " bitmap_frames: kgView.gestures.bitmapFrames, redraws: kgView.gestures.redraws} : null"
                )
            except CdpError as exc:  # a frame that takes longer than the protocol waits
                intervals, out["pan_zoom_error"] = [], str(exc)
            left = [u for u in browser.requested_urls() if not u.startswith(("file:", "data:", "about:"))]
        finally:
            browser.close()
    intervals.sort()
    out.update(
        pan_zoom_frames=len(intervals),
        frame_ms_median=round(statistics.median(intervals), 1) if intervals else None,
        frame_ms_p95=round(intervals[int(0.95 * (len(intervals) - 1))], 1) if intervals else None,
        requests_left_page=left,
    )
    return out


def pyvis_in_browser(html: str, label: str, budget_s: float) -> dict[str, Any]:
    """pyvis's page offline until vis-network's physics reports it stabilised (or the budget ends)."""
    from tests.cdp import CdpError

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"pyvis-{label}.html"
        path.write_text(html, encoding="utf-8")
        browser = _browser(tmp)
        try:
            t = time.perf_counter()
            browser.open(path.as_uri(), timeout=300)
            loaded = time.perf_counter() - t
            try:
                browser.wait_for(
                    "typeof network !== 'undefined' && network.physics && network.physics.stabilized === true",
                    timeout=budget_s,
                    every=0.25,
                )
                settled: float | None = round(time.perf_counter() - t, 1)
            except CdpError:
                settled = None
            left = [u for u in browser.requested_urls() if not u.startswith(("file:", "data:", "about:"))]
        finally:
            browser.close()
    return {
        "load_s": round(loaded, 1),
        "settled_s": settled,
        "budget_s": budget_s,
        "requests_left_page": sorted(set(left)),
    }


def pan_and_zoom(browser: Any, timeout: float = 60) -> list[float]:
    """What a user does: wheel-zoom in, drag across, wheel-zoom out (real input events).

    The page records every animation frame meanwhile; the gaps between frames are returned.
    """
    browser.evaluate(
        "window.kgStopFrames = false; window.kgFrames = []; (function tick(t) { kgFrames.push(t); if (!window.kgStopFrames)"
        " requestAnimationFrame(tick); })(performance.now())"
    )
    x, y = 500, 400
    for _ in range(8):
        browser.call(
            "Input.dispatchMouseEvent",
            {"type": "mouseWheel", "x": x, "y": y, "deltaX": 0, "deltaY": -120},
            timeout=timeout,
        )
        browser.pump(0.05)
    browser.call("Input.dispatchMouseEvent", {"type": "mouseMoved", "x": x, "y": y}, timeout=timeout)
    browser.call(
        "Input.dispatchMouseEvent",
        {"type": "mousePressed", "x": x, "y": y, "button": "left", "clickCount": 1},
        timeout=timeout,
    )
    for step in range(1, 25):
        browser.call(
            "Input.dispatchMouseEvent",
            {"type": "mouseMoved", "x": x - 12 * step, "y": y - 6 * step, "button": "left", "buttons": 1},
            timeout=timeout,
        )
        browser.pump(0.03)
    browser.call(
        "Input.dispatchMouseEvent",
        {"type": "mouseReleased", "x": x - 288, "y": y - 144, "button": "left", "clickCount": 1},
        timeout=timeout,
    )
    for _ in range(8):
        browser.call(
            "Input.dispatchMouseEvent",
            {"type": "mouseWheel", "x": x, "y": y, "deltaX": 0, "deltaY": 120},
            timeout=timeout,
        )
        browser.pump(0.05)
    browser.pump(0.5)
    frames: list[float] = browser.evaluate("window.kgStopFrames = true; kgFrames", timeout=timeout)
    return [b - a for a, b in itertools.pairwise(frames)]


TARGETS_S = {5000: 1.0, 20000: 3.0, 100000: 10.0}  # issue 17: first frame, pan/zoom median ≤ 33 ms


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[5000, 20000, 100000])
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--no-pyvis-browser", action="store_true", help="Time pyvis's page generation only.")
    parser.add_argument(
        "--pyvis-up-to", type=int, default=25000, help="Largest graph pyvis builds (from_nx is quadratic)."
    )
    parser.add_argument(
        "--pyvis-budget", type=float, default=180.0, help="Seconds pyvis's page may take to settle."
    )
    parser.add_argument("--graph-cache", type=Path, default=None, help="Folder to keep the built graphs in.")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()

    results: dict[str, Any] = {
        "command": "python bench/viz.py " + " ".join(sys.argv[1:]),
        "machine": {
            "python": platform.python_version(),
            "cpu": platform.processor() or platform.machine(),
            "cores": os.cpu_count(),
            "load_average_at_start": [round(x, 1) for x in os.getloadavg()],
            "browser": "Debian Chromium, headless, offline, WebGL on SwiftShader (software)",
        },
        "thresholds": {"webgl_above": viz.WEBGL_ABOVE, "overview_above": viz.OVERVIEW_ABOVE},
        "targets": {str(k): {"first_frame_s": v, "frame_ms_median": 33} for k, v in TARGETS_S.items()},
        "views": [],
    }
    for size in args.sizes:
        nodes, edges, info = graph_for(size, args.graph_cache)
        row: dict[str, Any] = {"target": size, "nodes": len(nodes), "edges": len(edges), **info}
        gen, page = generation(nodes, edges)
        row["kg"] = gen
        print(f"{size}: {len(nodes)} nodes {len(edges)} edges; kg page {json.dumps(gen)}", flush=True)
        if not args.no_browser:
            row["kg"]["browser"] = kg_in_browser(page, str(size))
            print(f"  kg in Chromium: {json.dumps(row['kg']['browser'], ensure_ascii=False)}", flush=True)
        if len(nodes) <= args.pyvis_up_to:
            pyvis, html = pyvis_page(nodes, edges)
            if not args.no_browser and not args.no_pyvis_browser:
                pyvis["browser"] = pyvis_in_browser(html, str(size), args.pyvis_budget)
            row["pyvis"] = pyvis
        else:
            row["pyvis"] = {"skipped": f"pyvis's from_nx checks duplicates by scanning lists (quadratic): "
                                       f"not run above {args.pyvis_up_to} entities"}  # fmt: skip
        print(f"  pyvis: {json.dumps(row['pyvis'], ensure_ascii=False)}", flush=True)
        results["views"].append(row)
        del page
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    results["machine"]["load_average_at_end"] = [round(x, 1) for x in os.getloadavg()]
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
