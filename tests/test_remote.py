"""`kg ingest` writing to a real Oxigraph server (`oxigraph serve` on 127.0.0.1) through the CLI,
and the API reading it back over HTTP, in-memory index included."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from fastapi.testclient import TestClient

from api.main import create_app
from kg.store.remote import RemoteStore
from kg.store.server import OxigraphServer

from .conftest import ROOT, SAMPLES
from .test_api_support import settings

POSTS = [
    "sample-2017-12-mss-venture-ecosystem-meeting.md",
    "sample-2019-03-mss-smart-factory.md",
    "sample-2019-06-kised-pre-startup-package.md",
]


def ingest(store_url: str, folder: Path) -> str:
    """`kg ingest FOLDER` in its own process with KG_STORE set; its report line."""
    out = subprocess.run(
        [sys.executable, "-m", "kg.cli.commands", "ingest", str(folder)],
        cwd=ROOT,
        env={**os.environ, "KG_STORE": store_url},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    return out.stderr


def test_cli_ingest_into_an_oxigraph_server_and_read_back(tmp_path: Path) -> None:
    server = OxigraphServer(tmp_path / "store", timeout_s=3)
    try:
        posts = tmp_path / "posts"
        posts.mkdir()
        for name in POSTS:
            shutil.copy(SAMPLES / name, posts / name)
        report = ingest(server.url, posts)
        assert "written 3" in report and "failed 0" in report

        store = RemoteStore(server.url, timeout=15, server_cancels=True)
        app = create_app(settings(store=server.url), store)
        client = TestClient(app)
        assert client.get("/stats").json()["posts"] == 3
        ids = {p["id"] for p in client.get("/posts").json()["data"]}
        assert len(ids) == 3
        hits = client.get("/entities", params={"q": "중기"}).json()["data"]
        assert hits[0]["id"] == "org/중소벤처기업부"
        related = client.get("/entities/org/중소벤처기업부/related", params={"limit": 500}).json()
        assert related["count"] > 0
        post_evidence = [ev for e in related["data"] if e["relation"] != "succession" for ev in e["evidence"]]
        assert {ev["post_id"] for ev in post_evidence} <= ids  # (a succession's evidence is its change)
        assert app.state.index.wait(30) is not None  # the index loads over HTTP too
        assert client.get("/entities/org/중소벤처기업부/related", params={"limit": 500}).json() == related

        # again: nothing changed, nothing written; an edited post replaces its own facts
        assert "skipped as unchanged 3" in ingest(server.url, posts)
        edited = posts / POSTS[0]
        edited.write_text(edited.read_text(encoding="utf-8") + "\n\n추가 문단: 행사는 성황리에 끝났다.\n")
        before = client.get("/health").json()["detail"]["generation"]
        assert "written 1" in ingest(server.url, posts)
        assert client.get("/health").json()["detail"]["generation"] != before
        assert client.get("/stats").json()["posts"] == 3
        assert app.state.index.wait(30) is not None
        assert client.get("/health").json()["detail"]["index"]["state"] == "ready"
    finally:
        server.stop()
