"""An Oxigraph server (`oxigraph serve`, from the pip package `oxigraph`) as a child process.

`kg serve` on an on-disk store runs the store through it: the server is the store's only
writer (RocksDB allows one), it stops a query at `--timeout-s` (pyoxigraph in-process cannot),
and any number of API worker processes share it over loopback HTTP.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
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
    """`oxigraph serve --location DIR` on 127.0.0.1; `stop()` ends it (also on Ctrl-C)."""

    def __init__(self, location: Path, port: int = 0, timeout_s: float = 10.0) -> None:
        self.location = location
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        location.mkdir(parents=True, exist_ok=True)
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
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                err = self.proc.stderr.read().decode("utf-8", "replace") if self.proc.stderr else ""
                if "lock" in err.lower():
                    raise KgError(
                        f"the store {location} is in use by another process (is `kg serve` running?)"
                    )
                raise KgError(f"the Oxigraph server for {location} did not start: {err.strip()[-500:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise KgError(f"the Oxigraph server for {location} did not answer within 30 s")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
