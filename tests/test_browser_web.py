# ruff: noqa: F811  (pytest fixtures are imported from test_api_support and named as arguments)
"""The app's own pages in headless Chromium: the SPARQL editor at /, /docs and /redoc, and the
reconciliation preview, served by the real app on 127.0.0.1 over the bundled posts.

The page may talk to its own origin (the app) and to data:/blob: URLs; no host name resolves
but 127.0.0.1 (tests/cdp.py), and every test checks that no request went anywhere else, no dialog opened and
no script error happened.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from .cdp import Browser
from .test_api_support import LiveServer, memory_store, sample_nquads, settings, site  # noqa: F401  (fixtures)
from .test_browser import ARTIFACTS, chromium  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def web(chromium, tmp_path_factory) -> Iterator[Browser]:
    b = Browser(tmp_path_factory.mktemp("chromium-web"), executable=chromium, loopback=True)
    try:
        yield b
    finally:
        b.close()


def assert_stayed_home(browser: Browser, origin: str) -> list[str]:
    """Every request went to the app itself (or was a data:/blob: URL); no dialog, no script error."""
    urls = browser.requested_urls()
    left = [u for u in urls if not u.startswith((origin + "/", "data:", "blob:", "about:"))]
    assert left == [], left
    assert browser.dialogs == []
    assert browser.exceptions() == []
    return urls


def test_swagger_ui_renders_the_operations_offline(web: Browser, site: LiveServer) -> None:
    web.open(site.url + "/docs")
    count = web.wait_for("document.querySelectorAll('.opblock').length", timeout=60)
    paths = web.evaluate(
        "[...document.querySelectorAll('.opblock-summary-path')].map(e => e.innerText.trim())"
    )
    assert count == len(paths) > 10
    assert "/sparql" in paths and "/entities/{kind}/{key}/related" in paths and "/reconcile" in paths
    web.screenshot(ARTIFACTS / "docs-swagger.png")
    urls = assert_stayed_home(web, site.url)
    assert site.url + "/static/vendor/swagger-ui/swagger-ui-bundle.js" in urls
    assert site.url + "/openapi.json" in urls


def test_redoc_renders_offline(web: Browser, site: LiveServer) -> None:
    web.open(site.url + "/redoc")
    web.wait_for("document.querySelectorAll('[data-section-id]').length > 5", timeout=60)
    text = web.evaluate("document.body.innerText")
    assert "Search entities by name or alias" in text and "SPARQL query (GET)" in text
    urls = assert_stayed_home(web, site.url)
    assert site.url + "/redoc/redoc.standalone.js" in urls


def _rows(web: Browser) -> list[list[str]]:
    return web.evaluate(
        "[...document.querySelectorAll('.tabPanel.active .yasr table.dataTable tbody tr')]"
        ".map(r => [...r.cells].map(c => c.textContent.trim()))"
    )


def test_editor_runs_an_example_and_links_entities(web: Browser, site: LiveServer) -> None:
    from urllib.parse import quote

    from kg.read.examples import EXAMPLES

    web.open(site.url + "/")
    web.wait_for("!!(window.kgEditor && document.querySelector('.yasqe .CodeMirror'))")
    # the example menu lists kg.read.examples; choosing one opens it in a new tab
    titles = web.evaluate(
        "[...document.querySelectorAll('#example option')].slice(1).map(o => o.textContent)"
    )
    assert [t.split(" — ")[0] for t in titles] == [e.question for e in EXAMPLES.values()]
    web.evaluate(
        "const s = document.getElementById('example'); s.value = '0'; s.dispatchEvent(new Event('change')); 1"
    )
    assert web.evaluate("kgEditor.yasgui.getTab().getYasqe().getValue()") == EXAMPLES["ministers"].sparql()
    web.evaluate("document.querySelector('.tabPanel.active .yasqe_queryButton').click(); 1")
    web.wait_for(
        "document.querySelectorAll('.tabPanel.active .yasr table.dataTable tbody tr').length > 0", timeout=30
    )
    rows = _rows(web)
    answer = web.evaluate(
        "fetch('/sparql', {method: 'POST', headers: {'Accept': 'application/sparql-results+json'},"
        " body: new URLSearchParams({query: kgEditor.examples[0].query})}).then(r => r.json())"
        ".then(j => j.results.bindings.map(b => b.minister.value))"
    )
    assert [r[1] for r in rows] == [f'"{m}"@ko' for m in answer] and answer[0] == "홍종학"
    (han,) = [r for r in rows if r[1] == '"한성숙"@ko']
    assert "kstartup-20251203-sogongin-task-force" in han[-1]
    assert web.evaluate("document.getElementById('kg-status').textContent").startswith("200 · ")
    # the query just run heads the history menu, which opens it again in a new tab
    assert web.evaluate("kgEditor.history()[0].query") == EXAMPLES["ministers"].sparql()
    assert "SELECT ?minister" in web.evaluate(
        "document.querySelector('#history option:nth-child(2)').textContent"
    )
    # an entity IRI in a result links to its entity page and its network view
    web.evaluate(
        "kgEditor.yasgui.getTab().setQuery('PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\\n"
        'SELECT ?unit WHERE { ?unit skos:prefLabel "소공인성장촉진단"@ko }\'); kgEditor.yasgui.getTab().query(); 1'
    )
    web.wait_for("!!document.querySelector('.tabPanel.active .yasr a.kg-graph')", timeout=30)
    links = web.evaluate(
        "[...document.querySelectorAll('.tabPanel.active .yasr td a')].map(a => [a.textContent, a.href])"
    )
    (hit,) = httpx.get(
        site.url + "/entities", params={"q": "소공인성장촉진단", "type": "Organization"}
    ).json()["data"]
    kind, key = hit["id"].split("/", 1)
    page = f"{site.url}/entities/{kind}/{quote(key)}"
    assert links == [[f"kgr:{hit['id']}", page], ["graph", page + "/graph.html"]]
    for url in (page, page + "/graph.html"):
        assert web.evaluate(f"fetch({url!r}).then(r => r.status)") == 200
    # errors as you type: a broken query is marked in the gutter
    web.evaluate("kgEditor.yasgui.getTab().getYasqe().setValue('SELECT ?x WHERE { ?x a }'); 1")
    web.wait_for("document.querySelectorAll('.parseErrorIcon').length > 0", timeout=10)
    # autocompletion from the ontology: kg:roleL → kg:roleLabel
    web.evaluate(
        "(() => { const y = kgEditor.yasgui.getTab().getYasqe();"
        " y.setValue('PREFIX kg: <https://kg.example.org/ontology#>\\nSELECT * WHERE { ?m kg:roleL');"
        " y.focus(); y.setCursor({line: 1, ch: 200}); y.autocomplete(); })()"
    )
    hints = web.wait_for(
        "[...document.querySelectorAll('.CodeMirror-hints li')].map(l => l.innerText)", timeout=10
    )
    assert hints == ["kg:roleLabel"]
    # typing a prefixed name adds its PREFIX line
    web.evaluate(
        "(() => { const y = kgEditor.yasgui.getTab().getYasqe(); y.setValue('SELECT * WHERE { ?m a ');"
        " y.setCursor({line: 0, ch: 200}); y.replaceRange('org:', y.getCursor()); })()"
    )
    web.wait_for(
        "kgEditor.yasgui.getTab().getYasqe().getValue().startsWith('PREFIX org: <http://www.w3.org/ns/org#>')"
    )
    # tabs: the first one and the example
    assert web.evaluate("document.querySelectorAll('.tabsList .tab').length") >= 2
    web.screenshot(ARTIFACTS / "editor.png")
    urls = assert_stayed_home(web, site.url)
    assert site.url + "/sparql" in urls


def test_editor_share_link_opens_the_query(web: Browser, site: LiveServer) -> None:
    """YASGUI's share link carries the query in the URL; opening it fills a tab with it."""
    web.open(site.url + "/")
    web.wait_for("!!(window.kgEditor && document.querySelector('.yasqe .CodeMirror'))")
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    link = web.evaluate(
        f"(() => {{ const y = kgEditor.yasgui.getTab().getYasqe(); y.setValue({query!r}); return y.config.createShareableLink(y); }})()"
    )
    assert link.startswith(site.url + "/#")
    web.open("about:blank")  # a fresh load: the link differs from this page only after the #
    web.open(link)
    web.wait_for("!!(window.kgEditor && document.querySelector('.yasqe .CodeMirror'))")
    assert web.evaluate("kgEditor.yasgui.getTab().getYasqe().getValue()") == query
    assert_stayed_home(web, site.url)


def test_editor_runs_a_query_given_in_the_address(web: Browser, site: LiveServer) -> None:
    """`/?query=…&run=1`, the form links to the earlier query page took, still opens and runs the query."""
    from urllib.parse import quote

    query = "SELECT ?l WHERE { kgr:org\\/중소벤처기업부 skos:altLabel ?l }"
    from kg.vocab.ontology import sparql_prefixes

    web.open(f"{site.url}/?run=1&query=" + quote(sparql_prefixes() + query))
    web.wait_for(
        "document.querySelectorAll('.tabPanel.active .yasr table.dataTable tbody tr').length > 0", timeout=30
    )
    assert ["1", '"중기부"@ko'] in _rows(web)
    assert_stayed_home(web, site.url)


def test_reconciliation_preview_card(web: Browser, site: LiveServer) -> None:
    """The card OpenRefine shows in an iframe when a candidate is hovered: name, type, aliases,
    parent, head, counts and links, drawn without anything from outside."""
    manifest = httpx.get(site.url + "/reconcile").json()
    preview = manifest["preview"]
    web.call(
        "Emulation.setDeviceMetricsOverride",
        {"width": preview["width"], "height": preview["height"], "deviceScaleFactor": 1, "mobile": False},
    )
    try:
        web.open(
            preview["url"].replace(
                "{{id}}", "org/%EC%A4%91%EC%86%8C%EB%B2%A4%EC%B2%98%EA%B8%B0%EC%97%85%EB%B6%80"
            )
        )
        text = web.evaluate("document.body.innerText")
        assert text.startswith("중소벤처기업부\n\n조직 (Organization) · org/중소벤처기업부")
        assert "중기부" in text and "한성숙" in text and "게시물" in text
        links = web.evaluate("[...document.querySelectorAll('a')].map(a => a.href)")
        assert links[1] == links[0] + "/graph.html" and links[0].startswith(site.url + "/entities/org/")
        assert web.evaluate("document.documentElement.scrollHeight") <= preview["height"] + 40
        web.screenshot(ARTIFACTS / "reconcile-preview.png")
    finally:
        web.call("Emulation.clearDeviceMetricsOverride")
    assert_stayed_home(web, site.url)
