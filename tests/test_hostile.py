# ruff: noqa: F811  (pytest fixtures are imported from test_api_support and named as arguments)
"""Issue 12, tried as an attacker would, against the real `kg serve` with its managed store:
a deep query, a runaway query, SERVICE in every spelling, the store port from a web page,
oversized bodies. Each test pins a failure the issue measured on the code before it."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import psutil
import pytest

from kg.store.oxigraph import OxigraphStore
from kg.store.server import free_port

from .cdp import Browser
from .conftest import ROOT
from .test_api_support import ADMIN, sample_nquads  # noqa: F401  (fixture)
from .test_browser import chromium  # noqa: F401  (fixture)
from .test_guard import Listener, escaped, spellings

TIME_LIMIT = 2
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
DEEP = "SELECT * WHERE " + "{" * 3200 + " ?s ?p ?o " + "}" * 3200  # the 6 KB query
JSON = "application/sparql-results+json"


@dataclass
class Served:
    url: str
    store_url: str  # the printed one, with its token
    proc: subprocess.Popen[bytes]
    log: Path

    def request(
        self, path: str, data: bytes | None = None, headers: dict[str, str] | None = None, timeout: float = 30
    ) -> tuple[int, bytes]:
        url = path if path.startswith("http") else self.url + path
        req = urllib.request.Request(url, data=data, headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                return resp.status, resp.read()
        except urllib.error.HTTPError as err:
            return err.code, err.read()

    def query(self, text: str, timeout: float = 30) -> tuple[int, bytes]:
        return self.request(
            "/sparql?" + urllib.parse.urlencode({"query": text}), None, {"Accept": JSON}, timeout
        )

    def health(self) -> dict:  # type: ignore[type-arg]
        status, body = self.request("/health")
        return dict(json.loads(body), http_status=status)

    def store_server(self) -> psutil.Process:
        for child in psutil.Process(self.proc.pid).children(recursive=True):
            if "oxigraph" in child.name() and child.status() != psutil.STATUS_ZOMBIE:
                return child
        raise AssertionError("no Oxigraph server is running")


@pytest.fixture(scope="module")
def served(sample_nquads: bytes, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    folder = tmp_path_factory.mktemp("hostile")
    store = OxigraphStore(folder / "kgdata")
    store.load(sample_nquads, "nq")
    store.close()
    del store
    port = free_port()
    log = folder / "serve.log"
    with log.open("w") as err:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "kg.cli.commands",
                "serve",
                "--store",
                str(folder / "kgdata"),
                "--port",
                str(port),
            ],
            cwd=ROOT,
            env={
                **os.environ,
                "KG_QUERY_TIMEOUT": str(TIME_LIMIT),
                "KG_REFRESH_SECONDS": "0",
                "KG_ADMIN_TOKEN": ADMIN,
            },
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
    served = Served(f"http://127.0.0.1:{port}", "", proc, log)
    children: list[psutil.Process] = []
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert proc.poll() is None, log.read_text()
            try:
                if served.health()["status"] == "ok":
                    break
            except OSError:
                time.sleep(0.2)
        found = re.search(r"Store \(SPARQL 1\.1.*?(http://127\.0\.0\.1:\d+/\S+)", log.read_text())
        assert found, log.read_text()
        served.store_url = found.group(1)
        children = psutil.Process(proc.pid).children(recursive=True)
        yield served
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
        # only what this kg serve started (the test session has an Oxigraph server of its own);
        # the store server may have been restarted since `children` was taken
        for child in children + [c for c in _descendants(proc.pid) if c not in children]:
            with contextlib.suppress(psutil.NoSuchProcess):
                if child.is_running() and child.status() != psutil.STATUS_ZOMBIE:
                    child.kill()


def _descendants(pid: int) -> list[psutil.Process]:
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def _tree_cpu(root: int) -> dict[tuple[int, float], float]:
    """CPU seconds of every process in the tree, by (pid, start time)."""
    out = {}
    try:
        procs = [psutil.Process(root), *psutil.Process(root).children(recursive=True)]
    except psutil.NoSuchProcess:
        return out
    for p in procs:
        try:
            times = p.cpu_times()
            out[(p.pid, p.create_time())] = (
                times.user + times.system + times.children_user + times.children_system
            )
        except psutil.NoSuchProcess:
            continue
    return out


def _cpu_rate(root: int, seconds: float = 1.0) -> float:
    """CPU seconds per second the whole tree used over the next `seconds`."""
    before = _tree_cpu(root)
    started = time.monotonic()
    time.sleep(seconds)
    after = _tree_cpu(root)
    used = sum(cpu - before.get(key, 0.0) for key, cpu in after.items())
    return used / (time.monotonic() - started)


def _restarted(served: Served, count: int) -> dict:  # type: ignore[type-arg]
    """The supervisor's state once it has counted `count` restarts (it counts a restart when
    the new server answers, a moment after a client may already have been answered)."""
    started = time.monotonic()
    while True:
        state: dict = served.health()["detail"]["store_server"]  # type: ignore[type-arg]
        if state["restarts"] >= count and state["state"] == "running":
            assert state["restarts"] == count, state
            return state
        assert time.monotonic() - started < 10, state
        time.sleep(0.1)


def test_a_deep_query_is_refused_and_the_store_lives_on(served: Served) -> None:
    """Regression: 3,200 nested braces overflowed the store server's stack; /sparql, /health and
    /stats answered 502 until a restart by hand."""
    pid = served.store_server().pid
    started = time.monotonic()
    status, body = served.request(
        "/sparql", DEEP.encode(), {"Content-Type": "application/sparql-query", "Accept": JSON}
    )
    assert status == 400 and b"deeper than 64 levels" in body, body
    assert time.monotonic() - started < 10
    assert served.query("ASK { ?s ?p ?o }")[0] == 200
    assert served.request("/stats")[0] == 200
    health = served.health()
    assert health["http_status"] == 200 and health["status"] == "ok"
    assert served.store_server().pid == pid  # never reached the store


def test_a_dead_store_server_is_restarted_and_health_says_so(served: Served) -> None:
    """The supervisor's part: whatever kills the store server (here the deep query sent straight
    to the store port, then a SIGKILL), the endpoint answers again within 10 s."""
    restarts = served.health()["detail"]["store_server"]["restarts"]
    # a token holder's deep query still crashes Oxigraph itself: the supervisor restarts it
    status, _ = served.request(
        served.store_url + "/query", DEEP.encode(), {"Content-Type": "application/sparql-query"}
    )
    assert status in (502, 503)
    started = time.monotonic()
    while served.query("ASK { ?s ?p ?o }")[0] != 200:
        assert time.monotonic() - started < 10, served.health()
        time.sleep(0.2)
    state = _restarted(served, restarts + 1)
    assert "overflowed its stack" in state["last_error"], state

    served.store_server().send_signal(signal.SIGKILL)
    started = time.monotonic()
    while True:
        status, _ = served.query("ASK { ?s ?p ?o }", timeout=10)
        if status == 200:
            break
        assert time.monotonic() - started < 10, served.health()
        time.sleep(0.2)
    state = _restarted(served, restarts + 2)
    assert "SIGKILL" in state["last_error"], state
    # the printed store URL keeps working across restarts
    update = urllib.parse.urlencode({"update": "INSERT DATA { <urn:kg:test> <urn:kg:p> 1 }"}).encode()
    assert served.request(served.store_url + "/update", update)[0] == 204
    assert json.loads(served.query("ASK { <urn:kg:test> ?p ?o }")[1])["boolean"] is True
    update = urllib.parse.urlencode({"update": "DELETE DATA { <urn:kg:test> <urn:kg:p> 1 }"}).encode()
    assert served.request(served.store_url + "/update", update)[0] == 204


def test_a_runaway_query_stops_burning_cpu_after_its_503(served: Served) -> None:
    """Regression: after the 503 a 4-way cartesian COUNT(*) kept a core at 100 % for minutes
    (Oxigraph 0.5 checks cancellation only when it reads quads)."""
    restarts = served.health()["detail"]["store_server"]["restarts"]
    started = time.monotonic()
    status, body = served.query(RUNAWAY, timeout=60)
    answered = time.monotonic()
    assert status == 503 and b"time limit" in body, body
    assert answered - started < TIME_LIMIT + 5
    rates = []
    while time.monotonic() - answered < 5:
        rates.append(_cpu_rate(served.proc.pid))
        if rates[-1] < 0.25:
            break
    assert rates[-1] < 0.25, f"CPU-s/s of kg serve's processes after the 503: {rates}"
    state = _restarted(served, restarts + 1)
    assert "time limit" in state["last_error"], state
    assert served.query("ASK { ?s ?p ?o }")[0] == 200


def test_no_spelling_of_service_sends_a_request(served: Served) -> None:
    """Regression: `?x ?y ?z .SERVICE <http://127.0.0.1:…>` passed the keyword check, the store
    sent the request and the rows came back (and error text from the target leaked)."""
    listener = Listener()
    try:
        for query in spellings(listener.url) + escaped(listener.url):
            for method in ("GET", "POST form", "POST body"):
                if method == "GET":
                    status, body = served.query(query)
                elif method == "POST form":
                    data = urllib.parse.urlencode({"query": query}).encode()
                    status, body = served.request("/sparql", data, {"Accept": JSON})
                else:
                    status, body = served.request(
                        "/sparql", query.encode(), {"Content-Type": "application/sparql-query"}
                    )
                assert status == 403, (method, query, status, body)
        # an admin's update too (its WHERE is a query)
        update = f"INSERT {{ ?a ?b ?c }} WHERE {{ ?x ?y ?z .SERVICE <{listener.url}> {{ ?a ?b ?c }} }}"
        form = urllib.parse.urlencode({"update": update}).encode()
        status, body = served.request("/sparql", form, {"Authorization": f"Bearer {ADMIN}"})
        assert status == 403 and b"SERVICE" in body, body
        assert listener.hits == 0
    finally:
        listener.close()


def test_the_store_port_wants_its_token_and_refuses_other_origins(served: Served) -> None:
    """Regression: the managed store port took a cross-origin form-encoded update
    (`Origin: http://evil.example` → 204): any web page could DROP ALL if it guessed the port."""
    drop = urllib.parse.urlencode({"update": "DROP ALL"}).encode()
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    base = served.store_url.rsplit("/", 1)[0]
    assert (
        served.request(served.store_url + "/update", drop, {**form, "Origin": "http://evil.example"})[0]
        == 403
    )
    assert (
        served.request(served.store_url + "/update", drop, {**form, "Sec-Fetch-Site": "cross-site"})[0] == 403
    )
    assert served.request(base + "/update", drop, form)[0] == 403  # no token
    assert served.request(base + "/wrong-token/update", drop, form)[0] == 403
    status, _ = served.request(served.store_url + "/update", drop, {**form, "Host": "evil.example"})
    assert status == 403  # DNS rebinding
    assert json.loads(served.request("/stats")[1])["posts"] > 0  # nothing was dropped
    # the Oxigraph server itself listens on a port browsers refuse to contact
    assert served.health()["detail"]["store_server"]["port_blocked_in_browsers"] is True


class _Page(BaseHTTPRequestHandler):
    """A plain page on another loopback port: the web page an attacker controls."""

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        body = b"<!doctype html><title>elsewhere</title><p>a page"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.mark.browser
def test_a_web_page_cannot_reach_the_store(served: Served, chromium: str, tmp_path: Path) -> None:
    """In a real browser: a page from another origin posts `update=DROP ALL` to the Oxigraph
    server's own port (the browser refuses to connect) and to the store port (the gate
    answers 403)."""
    bind = next(a for a in served.store_server().cmdline() if a.startswith("127.0.0.1:"))
    internal = f"http://{bind}/update"
    gate = served.store_url.rsplit("/", 1)[0] + "/update"
    page = ThreadingHTTPServer(("127.0.0.1", 0), _Page)
    threading.Thread(target=page.serve_forever, daemon=True).start()
    # names still resolve nowhere; loopback addresses are reached (this test is about them)
    browser = Browser(tmp_path / "profile", executable=chromium, loopback=True)
    try:
        browser.open(f"http://127.0.0.1:{page.server_address[1]}/")
        script = """
          (async (url) => {
            try {
              await fetch(url, {method: "POST", mode: "no-cors", body: "update=DROP%20ALL",
                                headers: {"Content-Type": "application/x-www-form-urlencoded"}});
              return "sent";
            } catch (e) { return "blocked: " + e; }
          })(TARGET)
        """
        assert browser.evaluate(script.replace("TARGET", json.dumps(internal))).startswith("blocked")
        failed = [
            e["params"].get("errorText") for e in browser.events if e["method"] == "Network.loadingFailed"
        ]
        assert "net::ERR_UNSAFE_PORT" in failed, failed
        assert browser.evaluate(script.replace("TARGET", json.dumps(gate))) == "sent"
        answered = [
            e["params"]["response"]["status"]
            for e in browser.events
            if e["method"] == "Network.responseReceived" and e["params"]["response"]["url"] == gate
        ]
        assert answered == [403], answered
    finally:
        browser.close()
        page.shutdown()
        page.server_close()
    assert json.loads(served.request("/stats")[1])["posts"] > 0


def test_request_bodies_and_queries_are_capped(served: Served) -> None:
    """Regression: POST bodies had no size limit (50 MB accepted)."""
    big = b"query=" + b"x" * (2 * 1024 * 1024)
    status, body = served.request("/sparql", big, {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 413 and b"KG_MAX_BODY_BYTES" in body
    long_query = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 70000
    status, body = served.request(
        "/sparql", long_query.encode(), {"Content-Type": "application/sparql-query"}
    )
    assert status == 413 and b"at most 65,536 bytes" in body
