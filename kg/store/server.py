"""An Oxigraph server (`oxigraph serve`, from the pip package `oxigraph`) as a child process.

`kg serve` on an on-disk store runs the store through it: the server is the store's only
writer (RocksDB allows one), it stops most queries at `--timeout-s` (pyoxigraph in-process
cannot), and any number of API worker processes share it over loopback HTTP.
`kg.store.supervisor` restarts it when it dies or keeps running a query past its limit.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from kg.model import KgError


def binary() -> str:
    found = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
    if not os.access(found, os.X_OK):
        raise KgError("the Oxigraph server (`oxigraph`, pip package oxigraph) is not installed")
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class OxigraphServer:
    """`oxigraph serve --location DIR` on 127.0.0.1; `stop()` ends it (also on Ctrl-C).

    Its error output goes to a temporary file (a pipe nobody reads would block the server
    once full); `error_tail()` reads the end of it, e.g. Rust's stack-overflow message."""

    def __init__(self, location: Path, port: int = 0, timeout_s: float = 10.0) -> None:
        self.location = location
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        location.mkdir(parents=True, exist_ok=True)
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 (closed in stop())
        self.proc = subprocess.Popen(
            [
                binary(),
                "serve",
                "--location",
                str(location),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--timeout-s",
                str(max(1, round(timeout_s))),
            ],
            stdout=subprocess.DEVNULL,
            stderr=self._stderr,
        )
        self.started = time.time()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                err = self.error_tail()
                self._stderr.close()
                if "lock" in err.lower():
                    raise KgError(
                        f"the store {location} is in use by another process (is `kg serve` running?)"
                    )
                raise KgError(f"the Oxigraph server for {location} did not start: {err[-500:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise KgError(f"the Oxigraph server for {location} did not answer within 30 s")

    @property
    def pid(self) -> int:
        return self.proc.pid

    def error_tail(self, limit: int = 2000) -> str:
        """The end of what the server wrote to its error output."""
        if self._stderr.closed:
            return ""
        self._stderr.flush()
        size = self._stderr.seek(0, os.SEEK_END)
        self._stderr.seek(max(0, size - limit))
        return self._stderr.read().decode("utf-8", "replace").strip()

    def exit_description(self) -> str:
        """How the process ended: its exit status or signal and the last line it wrote."""
        code = self.proc.poll()
        if code is None:
            return "running"
        how = f"killed by {signal.Signals(-code).name}" if code < 0 else f"exited with status {code}"
        lines = [line for line in self.error_tail().splitlines() if line.strip()]
        return f"{how}: {' / '.join(lines[-2:])}" if lines else how

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        if not self._stderr.closed:
            self._stderr.close()
