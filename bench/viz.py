"""Benchmark of the network views: generation time at 5,000 and 20,000 nodes, pyvis for the ratio,
and a real browser on the 5,000-node page (time to stabilise, then frame times while panning and zooming).

    python bench/viz.py                # writes bench/results/viz.json
    python bench/viz.py --no-browser   # generation only
    python bench/viz.py --pyvis-sizes 1000 2000 5000 20000   # pyvis at 20,000 takes about a minute

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


def generation(store: Store, runs: int) -> dict[str, Any]:
    query_s, (nodes, edges) = best_of(runs, lambda: viz.whole_graph(store, limit=10**6))
    render_s, page = best_of(runs, lambda: viz.render(nodes, edges, title="bench"))
    return {
        "nodes": len(nodes),
        "edges": len(edges),
        "query_s": round(query_s, 3),
        "render_s": round(render_s, 3),
        "total_s": round(query_s + render_s, 3),
        "page_mb": round(len(page.encode("utf-8")) / 1e6, 2),
        "_data": (nodes, edges, page),
    }


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


def pyvis_from_nx(nodes: list[viz.Node], edges: list[viz.EdgeView], size: int) -> dict[str, Any]:
    """pyvis's own path for the same graph cut to `size` nodes: from_nx, then generate_html."""
    import networkx as nx
    from pyvis.network import Network

    keep = set(_connected_cut(edges, size))
    g = nx.Graph()
    for n in nodes:
        if n.id in keep:
            g.add_node(n.id, label=n.label, group=n.type, title=n.label)
    for e in edges:
        if e.source in keep and e.target in keep:
            g.add_edge(e.source, e.target, title=e.role or e.relation)
    started = time.perf_counter()
    net = Network(cdn_resources="in_line")
    net.from_nx(g)
    from_nx_s = time.perf_counter() - started
    net.generate_html()
    total = time.perf_counter() - started
    ours_started = time.perf_counter()
    viz.render(
        [n for n in nodes if n.id in keep], [e for e in edges if e.source in keep and e.target in keep]
    )
    ours = time.perf_counter() - ours_started
    return {
        "nodes": g.number_of_nodes(),
        "edges": g.number_of_edges(),
        "pyvis_from_nx_s": round(from_nx_s, 3),
        "pyvis_total_s": round(total, 3),
        "kg_render_s": round(ours, 3),
        "ratio": round(total / ours, 1) if ours else None,
    }


def browser_check(page: str, label: str) -> dict[str, Any]:
    """Open the page in headless Chromium (offline), time stabilisation, then pan and zoom it."""
    from tests.cdp import Browser, chromium_available

    if not chromium_available():
        return {"skipped": "no Chromium at /usr/bin/chromium (apt-get install chromium)"}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{label}.html"
        path.write_text(page, encoding="utf-8")
        browser = Browser(Path(tmp) / "profile")
        try:
            browser.offline()
            t = time.perf_counter()
            browser.open(path.as_uri(), timeout=120)
            loaded = time.perf_counter() - t
            browser.wait_for("window.kgStable === true", timeout=600, every=0.25)
            wall = time.perf_counter() - t
            stats = browser.evaluate(
                "({stabilized_ms: Math.round(kgStabilizedMs), iterations: kgIterations,"
                " nodes: kgNetwork.body.nodeIndices.length, edges: kgNetwork.body.edgeIndices.length})"
            )
            intervals = pan_and_zoom(browser)
            left = [u for u in browser.requested_urls() if u != path.as_uri() and not u.startswith("data:")]
        finally:
            browser.close()
    intervals.sort()
    return {
        **stats,
        "load_s": round(loaded, 2),
        "stable_wall_s": round(wall, 2),
        "pan_zoom_frames": len(intervals),
        "frame_ms_median": round(statistics.median(intervals), 1) if intervals else None,
        "frame_ms_p95": round(intervals[int(0.95 * (len(intervals) - 1))], 1) if intervals else None,
        "fps": round(1000 / statistics.mean(intervals), 1) if intervals else None,
        "requests_left_page": left,
    }


def pan_and_zoom(browser: Any) -> list[float]:
    """What a user does: wheel-zoom in, drag across, wheel-zoom out (real input events).

    The page records every animation frame meanwhile; the gaps between frames are returned.
    """
    browser.evaluate(
        "window.kgFrames = []; (function tick(t) { kgFrames.push(t); if (!window.kgStopFrames)"
        " requestAnimationFrame(tick); })(performance.now())"
    )
    x, y = 500, 400
    for _ in range(8):
        browser.call(
            "Input.dispatchMouseEvent", {"type": "mouseWheel", "x": x, "y": y, "deltaX": 0, "deltaY": -120}
        )
        browser.pump(0.05)
    browser.mouse("mouseMoved", x, y)
    browser.call(
        "Input.dispatchMouseEvent",
        {"type": "mousePressed", "x": x, "y": y, "button": "left", "clickCount": 1},
    )
    for step in range(1, 25):
        browser.call(
            "Input.dispatchMouseEvent",
            {"type": "mouseMoved", "x": x - 12 * step, "y": y - 6 * step, "button": "left", "buttons": 1},
        )
        browser.pump(0.03)
    browser.call(
        "Input.dispatchMouseEvent",
        {"type": "mouseReleased", "x": x - 288, "y": y - 144, "button": "left", "clickCount": 1},
    )
    for _ in range(8):
        browser.call(
            "Input.dispatchMouseEvent", {"type": "mouseWheel", "x": x, "y": y, "deltaX": 0, "deltaY": 120}
        )
        browser.pump(0.05)
    browser.pump(0.5)
    frames: list[float] = browser.evaluate("window.kgStopFrames = true; kgFrames")
    return [b - a for a, b in itertools.pairwise(frames)]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[5000, 20000])
    parser.add_argument("--pyvis-sizes", type=int, nargs="+", default=[1000, 2000, 5000])
    parser.add_argument("--browser-size", type=int, default=5000, help="The view opened in Chromium.")
    parser.add_argument("--runs", type=int, default=3, help="Best of this many runs.")
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()

    results: dict[str, Any] = {
        "command": "python bench/viz.py " + " ".join(sys.argv[1:]),
        "machine": {
            "python": platform.python_version(),
            "cpu": platform.processor() or platform.machine(),
            "cores": os.cpu_count(),
            "load_average_at_start": [round(x, 1) for x in os.getloadavg()],
        },
        "generation": [],
        "pyvis": [],
        "browser": {},
    }
    biggest: tuple[list[viz.Node], list[viz.EdgeView]] | None = None
    for size in args.sizes:
        store, build_s, n_posts = build_store(size)
        row = generation(store, args.runs)
        nodes, edges, page = row.pop("_data")
        row.update(target=size, posts=n_posts, store_build_s=round(build_s, 1))
        results["generation"].append(row)
        print(
            f"{row['nodes']:>6} nodes {row['edges']:>6} edges: query {row['query_s']:.3f} s + render "
            f"{row['render_s']:.3f} s = {row['total_s']:.3f} s ({row['page_mb']} MB page)"
        )
        if size == args.browser_size and not args.no_browser:
            results["browser"][str(size)] = browser_check(page, str(size))
            print(f"browser, {size} nodes:", json.dumps(results["browser"][str(size)]))
        biggest = (nodes, edges)
    if biggest is not None:
        for size in args.pyvis_sizes:
            row = pyvis_from_nx(*biggest, size)
            results["pyvis"].append(row)
            print(
                f"pyvis from_nx+generate_html at {row['nodes']} nodes: {row['pyvis_total_s']} s; "
                f"kg render {row['kg_render_s']} s; ratio {row['ratio']}x"
            )
    results["machine"]["load_average_at_end"] = [round(x, 1) for x in os.getloadavg()]
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
