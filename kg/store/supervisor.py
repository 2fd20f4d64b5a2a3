"""`kg serve`'s store: an Oxigraph server that is restarted when it dies or runs away, reached
from outside only through a gate that wants a token.

* **Restarts.** A thread waits on the server process; when it ends without being asked to
  (a stack overflow, a crash, a kill) it is started again on the same port, and the count,
  time and reason are kept for `/health`. A crash loop backs off (up to 30 s between starts).
* **Runaway queries.** Oxigraph 0.5 checks a query's cancellation only when it reads quads,
  so a cartesian product or a sort over materialised rows runs on after `--timeout-s` (the
  issue measured a core at 100 % for minutes). The API reports such a query (no answer by the
  limit plus a grace) to the supervisor, which restarts the server if the query started on
  the running instance: the only way to stop the work. Other queries in flight at that moment
  fail; the API's store client reconnects once the server is back.
* **Who can reach it.** The Oxigraph server has no authentication and accepts a form-encoded
  update from any web page that guesses its port. It therefore listens on a port every browser
  refuses to contact (the Fetch Standard's "bad ports", e.g. 10080 or 6665–6669) when one is
  free; kg's own processes use it directly. The port printed for `kg ingest` belongs to the
  gate (`kg.store.gate`): a URL with a per-run token in its path, refusing foreign Origin and
  Host headers, forwarding everything else to the server.
"""

from __future__ import annotations

import contextlib
import json
import secrets
import socket
import threading
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kg.model import KgError
from kg.store.gate import Gate
from kg.store.server import OxigraphServer, free_port

# Ports that browsers never connect to (Fetch Standard, "port blocking"), above 1024.
BROWSER_BLOCKED_PORTS = (
    10080,
    6665,
    6666,
    6667,
    6668,
    6669,
    6679,
    6697,
    6566,
    6000,
    5060,
    5061,
    4190,
    4045,
    3659,
    2049,
    1719,
    1720,
    1723,
)
MAX_BACKOFF = 30.0


def blocked_port() -> int | None:
    """A free loopback port from the browsers' blocked list, or None."""
    for port in BROWSER_BLOCKED_PORTS:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    return None


def _iso(at: float | None) -> str | None:
    return datetime.fromtimestamp(at, UTC).isoformat(timespec="seconds") if at else None


class StoreSupervisor:
    """Starts the Oxigraph server and its gate; `stop()` ends both."""

    def __init__(self, location: Path, gate_port: int = 0, timeout_s: float = 10.0) -> None:
        self.location = location
        self.timeout_s = timeout_s
        internal = blocked_port()
        self.browser_blocked = internal is not None
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self.restarts = 0
        self.last_error: str | None = None
        self.last_restart: float | None = None
        self._pending_reason: str | None = None
        self.server = OxigraphServer(location, internal or free_port(), timeout_s)
        self.token = secrets.token_urlsafe(24)
        try:
            self.gate = Gate(self.server.url, self.token, gate_port, control=self)
        except OSError as exc:
            self.server.stop()
            raise KgError(f"cannot listen on 127.0.0.1:{gate_port} for the store: {exc}") from exc
        self._watcher = threading.Thread(target=self._watch, name="kg-store-supervisor", daemon=True)
        self._watcher.start()

    # -- addresses ----------------------------------------------------------------------------

    @property
    def internal_url(self) -> str:
        """The server itself, for kg's own processes (the API workers)."""
        return self.server.url

    @property
    def public_url(self) -> str:
        """What `kg ingest --store` takes: the gate, with the token."""
        return f"{self.gate.url}/{self.token}"

    @property
    def control_url(self) -> str:
        """Where the API workers read the status and report runaway queries."""
        return f"{self.public_url}/_kg"

    # -- what the gate's control routes call --------------------------------------------------

    def status(self) -> dict[str, Any]:
        with self._lock:
            server = self.server
            alive = server.proc.poll() is None
            return {
                "state": "running" if alive else ("stopped" if self._stopping.is_set() else "restarting"),
                "pid": server.pid,
                "started": _iso(server.started),
                "restarts": self.restarts,
                "last_restart": _iso(self.last_restart),
                "last_error": self.last_error,
                "port_blocked_in_browsers": self.browser_blocked,
            }

    def overrun(self, query_started: float) -> bool:
        """A query sent at `query_started` ran past its time limit and the server did not stop
        it: restart the server if that query ran on the current instance. True if restarted."""
        with self._lock:
            server = self.server
            if query_started < server.started or server.proc.poll() is not None:
                return False  # already restarted (another worker reported the same runaway)
            self._pending_reason = (
                f"a query ran past the time limit of {self.timeout_s:g} s and the server did not "
                "stop it; the server was restarted to end it"
            )
            server.proc.terminate()
        return True

    # -- the watcher ------------------------------------------------------------------------

    def _watch(self) -> None:
        backoff = 0.25
        while not self._stopping.is_set():
            server = self.server
            server.proc.wait()
            if self._stopping.is_set():
                return
            with self._lock:
                requested = self._pending_reason is not None
                reason = self._pending_reason or f"the store server stopped: {server.exit_description()}"
                self._pending_reason = None
                self.last_error = reason
            server.stop()
            # a server that keeps dying right after its start is restarted less and less often
            crash_loop = not requested and time.time() - server.started < 10
            backoff = min(MAX_BACKOFF, backoff * 2) if crash_loop else 0.25
            if crash_loop:
                self._stopping.wait(backoff)
            while not self._stopping.is_set():
                try:
                    fresh = OxigraphServer(self.location, server.port, self.timeout_s)
                except KgError as exc:
                    with self._lock:
                        self.last_error = f"{reason}; restarting failed: {exc}"
                    backoff = min(MAX_BACKOFF, backoff * 2)
                    self._stopping.wait(backoff)
                    continue
                with self._lock:
                    if self._stopping.is_set():  # stop() came while it started
                        fresh.stop()
                        return
                    self.server = fresh
                    self.restarts += 1
                    self.last_restart = time.time()
                break

    def stop(self) -> None:
        self._stopping.set()
        self.gate.close()
        with self._lock:
            server = self.server
        server.stop()


class SupervisorClient:
    """What an API worker asks the supervisor (over the gate's control routes)."""

    def __init__(self, url: str, timeout: float = 2.0) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout

    def status(self) -> dict[str, Any]:
        try:
            with urllib.request.urlopen(self.url + "/status", timeout=self.timeout) as resp:
                data: dict[str, Any] = json.loads(resp.read())
                return data
        except (OSError, ValueError) as exc:
            return {"state": "unknown", "error": f"the store supervisor did not answer: {exc}"}

    def report_overrun(self, query_started: float) -> None:
        body = json.dumps({"query_started": query_started}).encode()
        request = urllib.request.Request(
            self.url + "/overrun", data=body, headers={"Content-Type": "application/json"}
        )
        with contextlib.suppress(OSError), urllib.request.urlopen(request, timeout=self.timeout) as resp:
            resp.read()
