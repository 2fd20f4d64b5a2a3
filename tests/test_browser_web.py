"""The app's own pages in headless Chromium: the SPARQL editor at /, /docs and /redoc, and the
reconciliation preview, served by the real app on 127.0.0.1 over the bundled posts.

The page may talk to its own origin (the app) and to data:/blob: URLs; no host name resolves
but 127.0.0.1 (tests/cdp.py), and every test checks that no request went anywhere else, no dialog opened and
no script error happened.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from api.main import create_app

from .cdp import Browser
from .test_api_support import LiveServer, memory_store, sample_nquads, settings  # noqa: F401  (fixtures)
from .test_browser import ARTIFACTS, chromium  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(sample_nquads: bytes) -> Iterator[LiveServer]:  # noqa: F811
    server = LiveServer(create_app(settings(), memory_store(sample_nquads)))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def web(chromium, tmp_path_factory) -> Iterator[Browser]:  # noqa: F811
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
    paths = web.evaluate("[...document.querySelectorAll('.opblock-summary-path')].map(e => e.innerText.trim())")
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
