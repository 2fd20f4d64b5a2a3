"""A small Chrome DevTools Protocol client: headless Chromium, one page, every event kept.

Used by the browser tests and by bench/viz.py. It speaks CDP over the websocket that
Chromium opens on 127.0.0.1 (`--remote-debugging-port=0`; the port is read from the
profile's DevToolsActivePort file), so it needs no driver binary and no extra package.
JavaScript dialogs (alert, confirm) are recorded and dismissed at once.
"""

from __future__ import annotations

import base64
import contextlib
import json
import shutil
import subprocess
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from websockets.sync.client import connect

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--no-first-run",
    "--no-default-browser-check",
    "--mute-audio",
    "--remote-debugging-port=0",
    "--remote-allow-origins=*",
]


class CdpError(RuntimeError):
    pass


# no name resolves: a request that tried to leave would fail (and still be seen)
NO_HOSTS = "--host-resolver-rules=MAP * ~NOTFOUND"
# ... but the app under test on the loopback address is reached (pages served by a live server)
ONLY_LOOPBACK = "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"


class Browser:
    """Headless Chromium with one page attached (`call` sends to that page).

    `loopback`: let the page reach 127.0.0.1 (an app served by the test); every other host
    still fails to resolve.
    """

    def __init__(
        self,
        profile: Path,
        executable: str = CHROMIUM,
        size: tuple[int, int] = (1400, 900),
        loopback: bool = False,
    ) -> None:
        profile.mkdir(parents=True, exist_ok=True)
        port_file = profile / "DevToolsActivePort"
        port_file.unlink(missing_ok=True)
        self.log = open(profile / "chromium.log", "wb")  # noqa: SIM115 (closed in close())
        self.proc = subprocess.Popen(
            [
                executable,
                *FLAGS,
                ONLY_LOOPBACK if loopback else NO_HOSTS,
                f"--user-data-dir={profile}",
                f"--window-size={size[0]},{size[1]}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=self.log,
        )
        deadline = time.monotonic() + 30
        while not (port_file.exists() and len(port_file.read_text().splitlines()) >= 2):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.close()
                raise CdpError(f"Chromium did not start; see {profile / 'chromium.log'}")
            time.sleep(0.05)
        port, path = port_file.read_text().splitlines()[:2]
        self._closing = ExitStack()
        self.ws = self._closing.enter_context(
            connect(f"ws://127.0.0.1:{port}{path}", max_size=None, open_timeout=10)
        )
        self._next = 0
        self.events: list[dict[str, Any]] = []
        self.dialogs: list[str] = []
        target = self.call("Target.createTarget", {"url": "about:blank"}, session=False)["targetId"]
        self.session = self.call(
            "Target.attachToTarget", {"targetId": target, "flatten": True}, session=False
        )["sessionId"]
        for domain in ("Page", "Network", "Runtime", "Log"):
            self.call(f"{domain}.enable")

    # -- protocol --------------------------------------------------------------------

    def call(
        self, method: str, params: dict[str, Any] | None = None, session: bool = True, timeout: float = 60
    ) -> Any:
        self._next += 1
        msg: dict[str, Any] = {"id": self._next, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = self.session
        self.ws.send(json.dumps(msg))
        deadline = time.monotonic() + timeout
        while True:
            reply = self._receive(max(0.01, deadline - time.monotonic()))
            if reply.get("id") == msg["id"]:
                if "error" in reply:
                    raise CdpError(f"{method}: {reply['error']}")
                return reply.get("result", {})

    def _receive(self, timeout: float) -> dict[str, Any]:
        try:
            message: dict[str, Any] = json.loads(self.ws.recv(timeout=timeout))
        except TimeoutError:
            raise CdpError(f"no answer from Chromium within {timeout:.0f} s") from None
        if "method" in message:
            self.events.append(message)
            if message["method"] == "Page.javascriptDialogOpening":
                self.dialogs.append(message["params"].get("message", ""))
                self._next += 1
                self.ws.send(
                    json.dumps(
                        {
                            "id": self._next,
                            "method": "Page.handleJavaScriptDialog",
                            "params": {"accept": False},
                            "sessionId": message.get("sessionId"),
                        }
                    )
                )
        return message

    def pump(self, seconds: float) -> None:
        """Let events arrive for a while (no call in flight)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                self._receive(deadline - time.monotonic())
            except CdpError:
                return

    # -- page ------------------------------------------------------------------------

    def offline(self) -> None:
        """Emulate a machine with no network at all."""
        self.call(
            "Network.emulateNetworkConditions",
            {"offline": True, "latency": 0, "downloadThroughput": 0, "uploadThroughput": 0},
        )

    def open(self, url: str, timeout: float = 60) -> None:
        self.events.clear()
        self.dialogs.clear()
        self.call("Page.navigate", {"url": url})
        deadline = time.monotonic() + timeout
        while not any(e["method"] == "Page.loadEventFired" for e in self.events):
            if time.monotonic() > deadline:
                raise CdpError(f"{url} did not load within {timeout} s")
            self._receive(deadline - time.monotonic())

    def evaluate(self, expression: str, timeout: float = 60) -> Any:
        result = self.call(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
            timeout=timeout,
        )
        if "exceptionDetails" in result:
            details = result["exceptionDetails"]
            raise CdpError(f"{expression[:80]}: {details.get('exception', {}).get('description') or details}")
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 60, every: float = 0.1) -> Any:
        deadline = time.monotonic() + timeout
        while True:
            value = self.evaluate(expression)
            if value:
                return value
            if time.monotonic() > deadline:
                raise CdpError(f"still false after {timeout} s: {expression}")
            self.pump(every)

    def mouse(self, kind: str, x: float, y: float) -> None:
        params: dict[str, Any] = {"type": kind, "x": x, "y": y}
        if kind in ("mousePressed", "mouseReleased"):
            params.update(button="left", clickCount=1)
        self.call("Input.dispatchMouseEvent", params)

    def click(self, x: float, y: float) -> None:
        self.mouse("mouseMoved", x, y)
        self.mouse("mousePressed", x, y)
        self.mouse("mouseReleased", x, y)

    def screenshot(self, path: Path) -> Path:
        data = self.call("Page.captureScreenshot", {"format": "png"})["data"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))
        return path

    def requested_urls(self) -> list[str]:
        return [
            e["params"]["request"]["url"] for e in self.events if e["method"] == "Network.requestWillBeSent"
        ]

    def exceptions(self) -> list[str]:
        return [
            str(e["params"]["exceptionDetails"].get("exception", {}).get("description") or e["params"])
            for e in self.events
            if e["method"] == "Runtime.exceptionThrown"
        ]

    def close(self) -> None:
        try:
            if hasattr(self, "ws"):
                with contextlib.suppress(Exception):
                    self.call("Browser.close", session=False, timeout=5)
                self._closing.close()
        finally:
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.log.close()


def chromium_available() -> bool:
    return Path(CHROMIUM).exists() or shutil.which("chromium") is not None
