"""`kg ingest https://…` against a real HTTP server on 127.0.0.1 serving saved pages."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from kg.ingest import read_posts
from kg.ingest.fetch import FetchOptions
from kg.model import InputError, Post

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"
FAST = FetchOptions(timeout=0.5, retries=1, backoff=0.01, allow_private=True)


class Handler(BaseHTTPRequestHandler):
    hits: ClassVar[Counter[str]] = Counter()

    def log_message(self, format: str, *args: object) -> None:  # keep test output quiet
        pass

    def _send(self, status: int, body: bytes, media: str, length: bool = True) -> None:
        self.send_response(status)
        self.send_header("Content-Type", media)
        if length:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        Handler.hits[self.path] += 1
        if self.path == "/news/kstartup.html":
            page = (FIXTURES / "html" / "kstartup-news-20251215-youth-academy.html").read_bytes()
            self._send(200, page, "text/html; charset=utf-8")
        elif self.path == "/press/mss":  # no suffix, legacy encoding declared in the header only
            page = (FIXTURES / "html" / "mss-press-20251210-smallbiz-digital.html").read_bytes()
            self._send(200, page, "text/html; charset=EUC-KR")
        elif self.path == "/files/release.pdf":
            pdf = (FIXTURES / "docs" / "mss-press-20251120-regional-hubs.pdf").read_bytes()
            self._send(200, pdf, "application/octet-stream")
        elif self.path == "/api/programs":
            self._send(
                200, (FIXTURES / "opendata" / "bizinfo-programs.json").read_bytes(), "application/json"
            )
        elif self.path == "/flaky":
            if Handler.hits[self.path] == 1:
                self._send(503, b"busy", "text/plain")
            else:
                self._send(
                    200,
                    "<html><body><article><h1>재시도 후 성공</h1><p>중소벤처기업부는 재시도 끝에 받은 글을 공개했다.</p></article></body></html>".encode(),
                    "text/html; charset=utf-8",
                )
        elif self.path.startswith("/to/"):  # a redirect to the URL after /to/
            self.send_response(302)
            self.send_header("Location", self.path[len("/to/") :])
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif self.path == "/error":
            self._send(500, b"internal error", "text/plain")
        elif self.path == "/slow":
            time.sleep(1.5)
            self._send(200, b"<html><body><p>too late</p></body></html>", "text/html")
        elif self.path == "/huge-declared":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(30 * 1024 * 1024))
            self.end_headers()
        elif self.path == "/huge-streamed":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            try:
                for _ in range(40):  # 40 × 64 KB, no Content-Length
                    self.wfile.write(b"<p>" + b"x" * 65536 + b"</p>")
            except (BrokenPipeError, ConnectionResetError):
                pass
        else:
            self._send(404, b"not found", "text/plain")


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def _read(urls: list[str], options: FetchOptions = FAST) -> tuple[list[Post], dict[str, str]]:
    items = list(read_posts(urls, fetch_options=options))
    posts = [i for i in items if isinstance(i, Post)]
    errors = {i.source.rsplit("/", 1)[-1]: i.reason for i in items if isinstance(i, InputError)}
    return posts, errors


def test_saved_pages_documents_and_payloads_are_fetched_and_read(server: str) -> None:
    posts, errors = _read(
        [
            f"{server}/news/kstartup.html",
            f"{server}/press/mss",
            f"{server}/files/release.pdf",
            f"{server}/api/programs",
        ]
    )
    assert errors == {}
    page, mss, pdf, *programs = posts
    assert page.title == "청년창업사관학교 15기 졸업생, 글로벌 투자설명회서 성과"
    assert page.url and "k-startup.go.kr" in page.url  # the page's canonical URL
    assert page.source == f"{server}/news/kstartup.html"
    assert mss.published == date(2025, 12, 10) and "소상공인시장진흥공단" in mss.text
    assert pdf.title == "중기부, 지역 창업 거점 10곳 추가 지정"
    assert [p.id for p in programs] == [
        "bizinfo-PBLN_000000000110001",
        "bizinfo-PBLN_000000000110002",
        "bizinfo-PBLN_000000000110003",
    ]


def test_failures_are_one_clear_line_each_and_retried_only_when_it_may_help(server: str) -> None:
    Handler.hits.clear()
    started = time.monotonic()
    posts, errors = _read(
        [
            f"{server}/missing",
            f"{server}/error",
            f"{server}/slow",
            f"{server}/flaky",
            f"{server}/huge-declared",
        ]
    )
    assert [p.title for p in posts] == ["재시도 후 성공"]
    assert errors["missing"] == "HTTP 404 Not Found"
    assert errors["error"] == "HTTP 500 Internal Server Error (2 tries)"
    assert errors["slow"] == "timed out after 0.5 s (2 tries)"
    # the same unit and limit as a file's (the URL limit said "21 MB" when the file limit said 20)
    assert errors["huge-declared"] == "too large (30.0 MB; the limit is 20 MB)"
    assert Handler.hits["/missing"] == 1  # a 404 is final
    assert Handler.hits["/error"] == 2 and Handler.hits["/flaky"] == 2
    assert time.monotonic() - started < 10


def test_an_oversized_body_without_length_is_cut_off(server: str) -> None:
    _, errors = _read(
        [f"{server}/huge-streamed"],
        FetchOptions(timeout=5, retries=0, max_bytes=1024 * 1024, allow_private=True),
    )
    assert errors == {"huge-streamed": "too large (over the 1 MB limit)"}


def test_private_addresses_are_refused_unless_allowed(server: str) -> None:
    """Regression (issue 12): `kg ingest URL` fetched loopback and private addresses and
    followed redirects into them."""
    port = server.rsplit(":", 1)[1]
    strict = FetchOptions(timeout=2, retries=0)
    _, errors = _read([f"{server}/news/kstartup.html"], strict)
    assert errors == {
        "kstartup.html": "refused: 127.0.0.1 is a loopback address "
        "(loopback, private and link-local targets need --allow-private-urls)"
    }
    _, errors = _read([f"http://localhost:{port}/news/kstartup.html"], strict)
    assert errors["kstartup.html"].startswith("refused: localhost resolves to ")  # a DNS answer
    hits = sum(Handler.hits.values())
    # 127.0.0.1 allowed on its own, a redirect to another loopback address is checked again
    one = FetchOptions(timeout=2, retries=0, allowed_networks=("127.0.0.1/32",))
    posts, errors = _read([f"{server}/to/{server}/news/kstartup.html"], one)
    assert [p.title for p in posts] == [
        "청년창업사관학교 15기 졸업생, 글로벌 투자설명회서 성과"
    ] and not errors
    _, errors = _read([f"{server}/to/http://127.0.0.2:{port}/news/kstartup.html"], one)
    assert errors == {
        "kstartup.html": f"redirected to http://127.0.0.2:{port}/news/kstartup.html: refused: 127.0.0.2 "
        "is a loopback address (loopback, private and link-local targets need --allow-private-urls)"
    }
    _, errors = _read([f"{server}/to/file:///etc/passwd"], one)
    assert errors == {"passwd": "redirected to file:///etc/passwd, which is not an http(s) URL"}
    assert sum(Handler.hits.values()) == hits + 4  # the refused targets were never contacted


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("10.1.2.3", "a private address"),
        ("192.168.0.1", "a private address"),
        ("169.254.169.254", "a link-local address"),
        ("::1", "a loopback address"),
        ("::ffff:127.0.0.1", "a loopback address"),
        ("fc00::1", "a private address"),
        ("0.0.0.0", "a private address"),
        ("100.64.0.1", "not a public address"),
        ("93.184.216.34", None),
        ("2606:4700::1111", None),
    ],
)
def test_which_addresses_are_refused(address: str, kind: str | None) -> None:
    import ipaddress

    from kg.ingest.fetch import refusal

    assert refusal(ipaddress.ip_address(address), FetchOptions()) == kind
    assert refusal(ipaddress.ip_address(address), FetchOptions(allow_private=True)) is None


def test_cli_ingests_urls_and_exits_non_zero_when_one_fails(server: str, tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "kg.cli.commands",
            "ingest",
            "--store",
            str(tmp_path / "store"),
            "-j",
            "1",
            "--timeout",
            "2",
            "--retries",
            "0",
            "--allow-private-urls",
            f"{server}/news/kstartup.html",
            f"{server}/missing",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith(("error:", "posts read"))]
    assert lines == [
        f"error: {server}/missing: HTTP 404 Not Found",
        "posts read 1, written 1, skipped as unchanged 0, failed 1; " + lines[-1].split("failed 1; ")[1],
    ]
