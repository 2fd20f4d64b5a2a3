"""The store port `kg serve` prints: a small HTTP gate in front of its Oxigraph server.

`http://127.0.0.1:PORT/TOKEN` is a SPARQL store URL like any other (`/query`, `/update`,
`/store` beside it), so `kg ingest --store <that URL>` needs nothing else. The gate

* wants the token as the first path segment (a per-run secret, compared in constant time);
* refuses requests whose Host is not this loopback address (DNS rebinding) and requests a
  web page sends from another origin (`Origin`, `Sec-Fetch-Site: cross-site`), so a page in
  the user's browser cannot write to the store even if it learnt the URL;
* forwards the rest unchanged, streaming bodies both ways, and waits (up to `wait_s`) for
  the server while the supervisor restarts it, so a write arriving then is not lost;
* answers `TOKEN/_kg/status` and `TOKEN/_kg/overrun` for the supervisor (kg's API workers).
"""

from __future__ import annotations

import hmac
import http.client
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol
from urllib.parse import urlsplit

HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "host",
    "content-length",
}
CHUNK = 64 * 1024


class Control(Protocol):
    def status(self) -> dict[str, Any]: ...

    def overrun(self, query_started: float) -> bool: ...


class Gate:
    """A threaded HTTP server on 127.0.0.1:`port` (0: a free port) forwarding to `upstream`."""

    def __init__(
        self, upstream: str, token: str, port: int = 0, control: Control | None = None, wait_s: float = 15.0
    ) -> None:
        parts = urlsplit(upstream)
        self.upstream = (parts.hostname or "127.0.0.1", parts.port or 80)
        self.token = token
        self.control = control
        self.wait_s = wait_s
        handler = type("GateHandler", (_Handler,), {"gate": self})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.hosts = {f"127.0.0.1:{self.port}", f"localhost:{self.port}"}
        self.origins = {f"http://{h}" for h in self.hosts}
        self._thread = threading.Thread(target=self.httpd.serve_forever, name="kg-store-gate", daemon=True)
        self._thread.start()

    def connect(self) -> http.client.HTTPConnection:
        """A connection to the server, waiting while it is being restarted."""
        deadline = time.monotonic() + self.wait_s
        while True:
            conn = http.client.HTTPConnection(*self.upstream, timeout=3600)
            try:
                conn.connect()
                return conn
            except ConnectionRefusedError:
                conn.close()
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class _Handler(BaseHTTPRequestHandler):
    gate: Gate
    protocol_version = "HTTP/1.1"
    server_version = "kg-store-gate"

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: kg serve prints what matters."""

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def do_PUT(self) -> None:
        self._handle()

    def do_DELETE(self) -> None:
        self._handle()

    def do_HEAD(self) -> None:
        self._handle()

    def _refuse(self, status: int, message: str, body_read: bool = False) -> None:
        # read what the client sent (a little of it) before answering: a socket closed with
        # unread data is reset, and the client may lose the answer
        left = 0 if body_read else min(int(self.headers.get("Content-Length") or 0), 1 << 20)
        while left > 0 and (chunk := self.rfile.read(min(CHUNK, left))):
            left -= len(chunk)
        body = (message + "\n").encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)
        self.close_connection = True

    def _handle(self) -> None:
        gate = self.gate
        if self.headers.get("Host", "") not in gate.hosts:
            return self._refuse(403, "this store answers requests to 127.0.0.1 only")
        origin = self.headers.get("Origin")
        if (origin is not None and origin not in gate.origins) or self.headers.get(
            "Sec-Fetch-Site"
        ) == "cross-site":
            return self._refuse(403, "cross-origin requests to the store are refused")
        token, _, rest = self.path.lstrip("/").partition("/")
        token = token.split("?", 1)[0]
        if not hmac.compare_digest(token.encode(), gate.token.encode()):
            return self._refuse(403, "this store wants the URL kg serve printed (with its token)")
        target = "/" + rest
        if target.startswith("/_kg/"):
            return self._control(target)
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            return self._refuse(411, "send a Content-Length")
        self._forward(target)

    def _control(self, target: str) -> None:
        control = self.gate.control
        if control is None:
            return self._refuse(404, "no supervisor")
        if target == "/_kg/status" and self.command == "GET":
            data: dict[str, Any] = control.status()
        elif target == "/_kg/overrun" and self.command == "POST":
            length = int(self.headers.get("Content-Length") or 0)
            try:
                started = float(json.loads(self.rfile.read(min(length, 4096)))["query_started"])
            except (ValueError, KeyError, TypeError):
                return self._refuse(400, 'send {"query_started": <unix time>}')
            data = {"restarted": control.overrun(started)}
        else:
            return self._refuse(404, "unknown control route")
        body = json.dumps(data).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _forward(self, target: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
        try:
            upstream = self.gate.connect()
        except OSError as exc:
            return self._refuse(503, f"the store server is not answering (it may be restarting): {exc}")
        try:
            upstream.putrequest(self.command, target, skip_host=True, skip_accept_encoding=True)
            upstream.putheader("Host", "{}:{}".format(*self.gate.upstream))
            for name, value in headers.items():
                upstream.putheader(name, value)
            upstream.putheader("Content-Length", str(length))
            upstream.putheader("Connection", "close")
            upstream.endheaders()
            left = length
            while left > 0:
                chunk = self.rfile.read(min(CHUNK, left))
                if not chunk:
                    break
                upstream.send(chunk)
                left -= len(chunk)
            response = upstream.getresponse()
        except (OSError, http.client.HTTPException) as exc:
            upstream.close()
            self.close_connection = True
            return self._refuse(502, f"the store server broke off the request: {exc}", body_read=True)
        try:
            self._relay(response)
        except (OSError, http.client.HTTPException):
            self.close_connection = True  # the answer broke off: the client sees a short body
        finally:
            upstream.close()

    def _relay(self, response: http.client.HTTPResponse) -> None:
        self.send_response(response.status, response.reason)
        length = response.getheader("Content-Length")
        for name, value in response.getheaders():
            if name.lower() not in HOP_BY_HOP:
                self.send_header(name, value)
        # HEAD, 1xx, 204 and 304 answers have no body (RFC 9112 6.3): no chunked framing either,
        # or a keep-alive client reads the terminating "0" as the next answer's status line
        bodiless = self.command == "HEAD" or response.status in (204, 304) or response.status < 200
        chunked = length is None and not bodiless
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        elif length is not None:
            self.send_header("Content-Length", length)
        self.end_headers()
        if bodiless:
            return
        while True:
            chunk = response.read1(CHUNK)
            if not chunk:
                break
            self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk) if chunked else chunk)
        if chunked:
            self.wfile.write(b"0\r\n\r\n")
