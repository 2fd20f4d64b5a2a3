"""The network view in a real browser: Debian's Chromium, headless and offline, driven over CDP.

The session fixture installs `chromium` (and `fonts-nanum`, so the screenshot shows Hangul)
with apt-get when /usr/bin/chromium is missing. Every test checks that nothing left the
page: no request but the page's own file and data: URLs, no dialog, no script error, no
Content-Security-Policy violation. Screenshots go to test-artifacts/ (gitignored).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from kg.read.queries import entity_id, entity_iri
from kg.views import network as viz

from .cdp import CHROMIUM, Browser
from .conftest import ROOT
from .test_viz import HOSTILE, hostile_view

pytestmark = pytest.mark.browser
ARTIFACTS = ROOT / "test-artifacts"
MSS = entity_iri("org/중소벤처기업부")


@pytest.fixture(scope="session")
def chromium() -> str:
    if not Path(CHROMIUM).exists():
        apt = shutil.which("apt-get")
        if apt is None:
            pytest.skip("Chromium is missing and apt-get is not available to install Debian's chromium")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        for cmd in ([apt, "update", "-q"], [apt, "install", "-y", "-q", "chromium", "fonts-nanum"]):
            done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
            if done.returncode != 0:
                pytest.fail(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return CHROMIUM


@pytest.fixture(scope="module")
def browser(chromium, tmp_path_factory):
    b = Browser(tmp_path_factory.mktemp("chromium-profile"), executable=chromium)
    try:
        b.offline()
        yield b
    finally:
        b.close()


def open_view(browser: Browser, path: Path, nodes, edges, title: str = "kg") -> str:
    path.write_text(viz.render(nodes, edges, title=title), encoding="utf-8")
    browser.open(path.as_uri())
    browser.wait_for("window.kgStable === true", timeout=90)
    return path.as_uri()


def assert_nothing_left(browser: Browser, page: str) -> None:
    left = [u for u in browser.requested_urls() if u != page and not u.startswith(("data:", "about:"))]
    assert left == [], left
    assert browser.dialogs == []
    assert browser.exceptions() == []
    assert browser.evaluate("window.kgCspViolations") == []


def drawn(browser: Browser) -> tuple[int, int]:
    n, e = browser.evaluate("[kgNetwork.body.nodeIndices.length, kgNetwork.body.edgeIndices.length]")
    return n, e


def test_request_watch_sees_a_request_that_leaves(browser) -> None:
    """The control for every other test here: a page that reaches out is caught."""
    browser.open(
        "data:text/html,<img src='https://example.org/pixel.png'><script>fetch('https://example.net/x')</script>"
    )
    browser.pump(1.0)
    urls = browser.requested_urls()
    assert "https://example.org/pixel.png" in urls and "https://example.net/x" in urls


def test_whole_graph_draws_offline(browser, samples_store, tmp_path) -> None:
    nodes, edges = viz.whole_graph(samples_store)
    page = open_view(browser, tmp_path / "all.html", nodes, edges, "전체 — kg")
    assert drawn(browser) == (len(nodes), len(edges))
    assert browser.evaluate("kgNetwork.physics.options.enabled") is False  # settled, then stopped
    types = {n.type for n in nodes}
    assert browser.evaluate("document.querySelectorAll('#types label').length") == len(types)
    shot = browser.screenshot(ARTIFACTS / "view-samples.png")
    assert shot.stat().st_size > 20_000
    assert_nothing_left(browser, page)


def test_clicks_show_the_evidence(browser, samples_store, tmp_path) -> None:
    nodes, edges = viz.neighbourhood(samples_store, "org/중소벤처기업부", hops=1)
    page = open_view(browser, tmp_path / "mss.html", nodes, edges, "중소벤처기업부 — kg")
    assert drawn(browser) == (len(nodes), len(edges))

    def screen(node_iri: str) -> tuple[float, float]:
        p = browser.evaluate(f"kgNetwork.canvasToDOM(kgNetwork.getPosition({entity_id(node_iri)!r}))")
        return p["x"], p["y"]

    # a real click on the ministry shows its type, aliases and counts
    browser.click(*screen(MSS))
    details = browser.evaluate("document.getElementById('details').innerText")
    assert details.startswith("중소벤처기업부") and "중기부" in details and "조직" in details
    # a real click halfway along the 장관 edge shows the sentence, the post title, date and link
    (minister,) = [e for e in edges if e.target == MSS and e.role == "장관" and "한성숙" in e.source]
    browser.evaluate("kgNetwork.moveTo({scale: 1.5})")
    (ax, ay), (bx, by) = screen(minister.source), screen(minister.target)
    browser.evaluate(
        f"kgNetwork.moveTo({{position: kgNetwork.DOMtoCanvas({{x: {(ax + bx) / 2}, y: {(ay + by) / 2}}}), scale: 1.5}})"
    )
    (ax, ay), (bx, by) = screen(minister.source), screen(minister.target)
    browser.click((ax + bx) / 2, (ay + by) / 2)
    details = browser.evaluate("document.getElementById('details').innerText")
    first = minister.evidence[0]
    assert details.startswith("보유 직위 · 장관")
    assert first["sentence"] in details and first["title"] in details and first["date"] in details
    links = browser.evaluate("[...document.querySelectorAll('#details a')].map(a => a.href)")
    assert [ev["url"] for ev in minister.evidence[:5] if ev.get("url")] == links
    # hovering a node shows its tooltip as text
    browser.mouse("mouseMoved", *screen(MSS))
    tip = browser.wait_for(
        "(t => t && t.style.visibility === 'visible' && t.innerText)(document.querySelector('div.vis-tooltip'))",
        timeout=10,
    )
    assert tip.startswith("중소벤처기업부")
    assert_nothing_left(browser, page)


@pytest.mark.parametrize("renderer", ["vis", "webgl"])
def test_filters_search_and_ego_network_in_the_page(browser, samples_store, tmp_path, renderer: str) -> None:
    """The same filters on both pages: each leaves exactly the nodes and links it should."""
    nodes, edges = viz.whole_graph(samples_store)
    if renderer == "vis":
        page = open_view(browser, tmp_path / "filters.html", nodes, edges)
        shown, select = drawn, "kgView.showNode({id})"
        selected = "kgNetwork.getSelectedNodes()[0]"
    else:
        page = open_webgl(browser, tmp_path / "filters-webgl.html", nodes, edges)
        shown, select = webgl_shown, "kgView.showNode(kgView.ids.indexOf({id}))"
        selected = "kgView.ids[kgView.state.selected]"
    kind = {n.id: n.type for n in nodes}

    def click_box(box: str, text: str) -> None:
        browser.evaluate(
            f"[...document.querySelectorAll('#{box} label')].find(l => l.innerText.includes({text!r})).querySelector('input').click(); 1"
        )

    # entity type: people hidden, with their edges
    click_box("types", "인물")
    assert shown(browser) == (
        sum(t != "Person" for t in kind.values()),
        sum(kind[e.source] != "Person" and kind[e.target] != "Person" for e in edges),
    )
    click_box("types", "인물")
    assert shown(browser) == (len(nodes), len(edges))
    # relation: memberships hidden; entities left without an edge go too
    click_box("relations", "보유 직위")
    kept = [e for e in edges if e.relation != "holdsPosition"]
    assert shown(browser) == (len({e.source for e in kept} | {e.target for e in kept}), len(kept))
    click_box("relations", "보유 직위")
    # date range
    start, end = "2020-01-01", "2022-12-31"
    browser.evaluate(
        f"for (const [id, v] of [['date-from', {start!r}], ['date-until', {end!r}]]) {{"
        " const i = document.getElementById(id); i.value = v; i.dispatchEvent(new Event('change')); } 1"
    )

    def span(e: viz.EdgeView) -> list[str]:
        return sorted([ev["date"] for ev in e.evidence if ev.get("date")] + ([e.date] if e.date else []))

    in_range = [e for e in edges if span(e) and not (span(e)[-1] < start or span(e)[0] > end)]
    assert shown(browser)[1] == len(in_range) > 0
    browser.evaluate("document.getElementById('date-clear').click(); 1")
    assert shown(browser) == (len(nodes), len(edges))
    # ego network: one hop around the ministry
    browser.evaluate(
        select.format(id=repr(entity_id(MSS))) + "; document.getElementById('ego-on').click(); 1"
    )
    around = (
        {e.source for e in edges if e.target == MSS} | {e.target for e in edges if e.source == MSS} | {MSS}
    )
    assert shown(browser)[0] == len(around)
    browser.evaluate("document.getElementById('ego-off').click(); 1")
    assert shown(browser) == (len(nodes), len(edges))
    # search by alias, spaces ignored
    browser.evaluate(
        "const s = document.getElementById('search'); s.value = '중 기부'; s.dispatchEvent(new Event('input')); 1"
    )
    assert browser.evaluate("document.querySelector('#matches li').innerText").startswith("중소벤처기업부")
    browser.evaluate("document.querySelector('#matches li').click(); 1")
    assert browser.evaluate(selected) == entity_id(MSS)
    assert_nothing_left(browser, page)


def test_hostile_names_render_as_text(browser, tmp_path) -> None:
    nodes, edges = hostile_view()
    page = open_view(browser, tmp_path / "hostile.html", nodes, edges, title=HOSTILE[1])
    assert drawn(browser) == (len(nodes), len(edges))
    assert browser.evaluate("document.title") == HOSTILE[1]
    for n in nodes[:4]:
        browser.evaluate(f"kgView.showNode({entity_id(n.id)!r})")
        assert browser.evaluate("document.querySelector('#details h2').textContent") == n.label
    browser.evaluate("kgView.showEdge(0)")
    details = browser.evaluate("document.getElementById('details').textContent")
    assert HOSTILE[0] + " 문장" in details and HOSTILE[2] in details and HOSTILE[1] in details
    assert browser.evaluate("document.querySelectorAll('#details a').length") == 0  # javascript: link dropped
    browser.evaluate(
        "const s = document.getElementById('search'); s.value = '<img'; s.dispatchEvent(new Event('input'))"
    )
    assert HOSTILE[0] in browser.evaluate("document.getElementById('matches').textContent")
    p = browser.evaluate(f"kgNetwork.canvasToDOM(kgNetwork.getPosition({entity_id(nodes[0].id)!r}))")
    browser.mouse("mouseMoved", p["x"], p["y"])
    tip = browser.wait_for(
        "(t => t && t.style.visibility === 'visible' && t.innerText)(document.querySelector('div.vis-tooltip'))",
        timeout=10,
    )
    assert tip.startswith(HOSTILE[0])
    browser.pump(0.5)
    assert (
        browser.evaluate(
            "document.querySelectorAll('img, iframe, object, embed, a[href^=javascript]').length"
        )
        == 0
    )
    assert (
        browser.evaluate("document.scripts.length") == 4
    )  # vis-network, the data, the evidence helper, the page
    browser.screenshot(ARTIFACTS / "view-hostile.png")
    assert_nothing_left(browser, page)


# -- the WebGL page (sigma.js) of large views -------------------------------------------------


def open_webgl(
    browser: Browser, path: Path, nodes, edges, title: str = "kg", overview: bool | None = None
) -> str:
    path.write_text(viz.render_webgl(nodes, edges, title=title, overview=overview), encoding="utf-8")
    browser.open(path.as_uri())
    browser.wait_for("window.kgReady === true", timeout=90)
    return path.as_uri()


def webgl_shown(browser: Browser) -> tuple[int, int]:
    """Nodes and edges sigma draws now (not hidden by the reducers)."""
    n, e = browser.evaluate(
        "(() => { const r = kgNetwork, g = r.getGraph(); let n = 0, e = 0;"
        " g.forEachNode(k => { const d = r.getNodeDisplayData(k); if (d && !d.hidden) n++; });"
        " g.forEachEdge(k => { const d = r.getEdgeDisplayData(k); if (d && !d.hidden) e++; }); return [n, e]; })()"
    )
    return n, e


def test_large_view_draws_with_webgl_offline(browser, samples_store, tmp_path) -> None:
    """Above the threshold `render` switches to sigma.js at positions computed before the page
    opens; the positions drawn are the ones in the page (nothing moves)."""
    nodes, edges = viz.whole_graph(samples_store)
    assert "sigma" in viz.render(nodes, edges, renderer="webgl")
    page = open_webgl(browser, tmp_path / "webgl.html", nodes, edges, "전체 — kg")
    assert webgl_shown(browser) == (len(nodes), len(edges))
    assert browser.evaluate("kgNetwork.getGraph() === kgView.graph")  # small: every node at once
    data = viz.webgl_data(nodes, edges, "x")
    first = data["nodes"][0]
    assert browser.evaluate(
        f"[kgView.graph.getNodeAttribute({first[0]!r}, 'x'), kgView.graph.getNodeAttribute({first[0]!r}, 'y')]"
    ) == [first[3], first[4]]
    assert browser.evaluate("document.querySelectorAll('#types label').length") == len(
        {n.type for n in nodes}
    )
    shot = browser.screenshot(ARTIFACTS / "view-webgl.png")
    assert shot.stat().st_size > 20_000
    assert_nothing_left(browser, page)


def test_webgl_overview_drills_down_and_clicks_show_evidence(browser, samples_store, tmp_path) -> None:
    nodes, edges = viz.whole_graph(samples_store)
    page = open_webgl(browser, tmp_path / "overview.html", nodes, edges, overview=True)
    data = viz.webgl_data(nodes, edges, "x", overview=True)
    groups = data["groups"]
    assert (
        browser.evaluate("kgNetwork.getGraph() === kgView.overview && kgView.overview.order")
        == len(groups)
        > 1
    )
    assert sum(g["size"] for g in groups) == len(nodes)
    browser.screenshot(ARTIFACTS / "view-webgl-overview.png")
    # a real click on the largest community's super-node opens its members
    p = browser.evaluate("kgNetwork.framedGraphToViewport(kgNetwork.getNodeDisplayData('g0'))")
    browser.click(p["x"], p["y"])
    browser.wait_for("kgView.state.view === 'group'", timeout=10)
    members = {row[0] for row in data["nodes"] if row[6] == 0}
    shown = set(browser.evaluate("Array.from(kgView.visibleNodes()).map(i => kgView.ids[i])"))
    assert shown and shown <= members
    # a real click on the ministry shows its type and aliases; hovering shows its tooltip as text
    mss = entity_id(MSS)
    browser.evaluate(f"kgView.focusNode(kgView.ids.indexOf({mss!r})); 1")
    browser.pump(0.3)
    p = browser.evaluate(f"kgNetwork.framedGraphToViewport(kgNetwork.getNodeDisplayData({mss!r}))")
    browser.evaluate("document.getElementById('details').textContent = ''; 1")
    browser.click(p["x"], p["y"])
    details = browser.wait_for("document.getElementById('details').innerText", timeout=10)
    assert details.startswith("중소벤처기업부") and "중기부" in details and "조직" in details
    browser.mouse("mouseMoved", p["x"] + 1, p["y"] + 1)
    tip = browser.wait_for(
        "(t => t.style.display === 'block' && t.textContent)(document.getElementById('tooltip'))", timeout=10
    )
    assert tip.startswith("중소벤처기업부\n")
    # the 장관 edge: every sentence with the post's title, date and link
    (minister,) = [e for e in edges if e.target == MSS and e.role == "장관" and "한성숙" in e.source]
    k = next(
        i
        for i, row in enumerate(data["edges"])
        if data["nodes"][row[0]][0] == entity_id(minister.source)
        and data["nodes"][row[1]][0] == mss
        and row[3] == "장관"
    )
    browser.evaluate(f"kgView.showEdge({k}); 1")
    details = browser.evaluate("document.getElementById('details').innerText")
    first = minister.evidence[0]
    assert (
        details.startswith("보유 직위 · 장관") and first["sentence"] in details and first["title"] in details
    )
    assert [ev["url"] for ev in minister.evidence[:5] if ev.get("url")] == browser.evaluate(
        "[...document.querySelectorAll('#details a')].map(a => a.href)"
    )
    # back to the overview
    browser.evaluate("document.getElementById('show-overview').click(); 1")
    assert browser.evaluate("kgNetwork.getGraph() === kgView.overview")
    assert_nothing_left(browser, page)


def assert_bitmap_matches_redraw(browser: Browser, node: str) -> float:
    """The last bitmap frame of a gesture showed `node` where a redraw at that frame's camera
    draws it; the bitmap's scale."""
    drawn = browser.evaluate(
        f"kgNetwork.framedGraphToViewport(kgNetwork.getNodeDisplayData({node!r}), {{cameraState: kgView.gestures.bitmapOf}})"
    )
    shown = browser.evaluate(
        f"kgNetwork.framedGraphToViewport(kgNetwork.getNodeDisplayData({node!r}), {{cameraState: kgView.gestures.bitmapCamera}})"
    )
    a, b, c, d, e, f = browser.evaluate(
        "document.querySelector('.kg-gesture').style.transform.slice(7, -1).split(',').map(Number)"
    )
    assert abs(a * drawn["x"] + c * drawn["y"] + e - shown["x"]) < 1.5
    assert abs(b * drawn["x"] + d * drawn["y"] + f - shown["y"]) < 1.5
    return a


def test_webgl_gesture_on_software_webgl_moves_one_bitmap_then_redraws(
    browser, samples_store, tmp_path
) -> None:
    """Regression (issue 17, bench/viz.py): on software WebGL (headless Chromium's SwiftShader)
    every sigma redraw took 150-400 ms whatever the graph's size, so pan and zoom ran at 3-6
    frames/s. While the camera moves, the last frame now moves as one bitmap; at rest the graph
    is drawn again where the bitmap put it, and picking (hover, click) works there."""
    nodes, edges = viz.whole_graph(samples_store)
    page = open_webgl(browser, tmp_path / "gesture.html", nodes, edges)
    assert browser.evaluate("kgView.gestures.mode") == "bitmap", browser.evaluate("kgView.gestures.device")
    mss = entity_id(MSS)
    where = f"kgNetwork.framedGraphToViewport(kgNetwork.getNodeDisplayData({mss!r}))"
    before = browser.evaluate(where)
    counts = "[kgView.gestures.bitmapFrames, kgView.gestures.redraws]"
    frames0, redraws0 = browser.evaluate(counts)
    x, y = 200, 300  # a real drag across the canvas, then the camera rests
    browser.mouse("mouseMoved", x, y)
    browser.call(
        "Input.dispatchMouseEvent",
        {"type": "mousePressed", "x": x, "y": y, "button": "left", "clickCount": 1},
    )
    for step in range(1, 13):
        browser.call(
            "Input.dispatchMouseEvent",
            {"type": "mouseMoved", "x": x + 10 * step, "y": y + 5 * step, "button": "left", "buttons": 1},
        )
        browser.pump(0.02)
    browser.call(
        "Input.dispatchMouseEvent",
        {"type": "mouseReleased", "x": x + 120, "y": y + 60, "button": "left", "clickCount": 1},
    )
    browser.wait_for(
        "!kgView.gestures.moving && document.querySelector('.kg-gesture').style.display === 'none'",
        timeout=20,
    )
    frames, redraws = browser.evaluate(counts)
    assert frames > frames0 and redraws > redraws0
    assert browser.evaluate("document.getElementById('network').classList.contains('kg-moving')") is False
    after = browser.evaluate(where)
    assert (
        after["x"] > before["x"] + 100 and after["y"] > before["y"] + 50
    )  # moved with the drag (and its inertia)
    assert_bitmap_matches_redraw(browser, mss)
    # a real wheel zoom: the bitmap scales about the pointer
    browser.call(
        "Input.dispatchMouseEvent", {"type": "mouseWheel", "x": 400, "y": 300, "deltaX": 0, "deltaY": -120}
    )
    browser.wait_for(f"kgView.gestures.bitmapFrames > {frames} && !kgView.gestures.moving", timeout=20)
    assert assert_bitmap_matches_redraw(browser, mss) > 1.2
    after = browser.evaluate(where)
    # picking was drawn again: hovering the node where it is now shows its tooltip
    browser.mouse("mouseMoved", after["x"] + 1, after["y"] + 1)
    tip = browser.wait_for(
        "(t => t.style.display === 'block' && t.textContent)(document.getElementById('tooltip'))", timeout=10
    )
    assert tip.startswith("중소벤처기업부\n")
    assert_nothing_left(browser, page)


def test_webgl_hostile_names_render_as_text(browser, tmp_path) -> None:
    nodes, edges = hostile_view()
    page = open_webgl(browser, tmp_path / "hostile-webgl.html", nodes, edges, title=HOSTILE[1])
    assert browser.evaluate("document.title") == HOSTILE[1]
    for n in nodes[:4]:
        browser.evaluate(f"kgView.showNode(kgView.ids.indexOf({entity_id(n.id)!r})); 1")
        assert browser.evaluate("document.querySelector('#details h2').textContent") == n.label
    browser.evaluate("kgView.showEdge(0); 1")
    details = browser.evaluate("document.getElementById('details').textContent")
    assert HOSTILE[0] + " 문장" in details and HOSTILE[2] in details
    assert browser.evaluate("document.querySelectorAll('#details a').length") == 0
    assert browser.evaluate("document.querySelectorAll('img, iframe, object, embed').length") == 0
    assert (
        browser.evaluate("document.scripts.length") == 5
    )  # graphology, sigma, the data, the evidence helper, the page
    assert_nothing_left(browser, page)
