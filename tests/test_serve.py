"""`kg serve` as a user runs it: a subprocess on a free port over an on-disk store, with its
Oxigraph server child and two API workers; Ctrl-C (SIGINT) stops all of them."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import psutil

from kg.store.server import free_port

from .conftest import ROOT, SAMPLES
from .test_remote import POSTS, ingest


def _get(url: str, accept: str = "application/json") -> bytes:
    req = urllib.request.Request(url, headers={"Accept": accept})
    with urllib.request.urlopen(req, timeout=10) as resp:
        data: bytes = resp.read()
        return data


def test_kg_serve_answers_and_stops_its_store_server_on_ctrl_c(tmp_path: Path) -> None:
    posts = tmp_path / "posts"
    posts.mkdir()
    for name in POSTS[:2]:
        shutil.copy(SAMPLES / name, posts / name)
    store = tmp_path / "kgdata"
    ingest(str(store), posts)
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("w") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "kg.cli.commands", "serve", "--store", str(store), "--port", str(port)],
            cwd=ROOT,
            env={**os.environ, "KG_REFRESH_SECONDS": "0"},
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
    url = f"http://127.0.0.1:{port}"
    children: list[psutil.Process] = []
    try:
        deadline = time.monotonic() + 30
        health = None
        while time.monotonic() < deadline and health is None:
            try:
                health = json.loads(_get(url + "/health"))
            except OSError:
                assert proc.poll() is None, log.read_text()
                time.sleep(0.1)
        assert health is not None and health["status"] == "ok" and health["store"] == "RemoteStore"
        printed = log.read_text()
        assert f"SPARQL endpoint  {url}/sparql" in printed and f"{url}/entities?q=" in printed
        store_url = re.search(r"Store \(SPARQL 1\.1.*?(http://127\.0\.0\.1:\d+/\S+)", printed)
        assert store_url, printed
        children = psutil.Process(proc.pid).children(recursive=True)
        oxigraph = [c for c in children if "oxigraph" in c.name()]
        assert len(oxigraph) == 1 and len(children) >= 3  # the store server and two API workers

        query = "SELECT ?l WHERE { <https://kg.example.org/id/org/중소벤처기업부> <http://www.w3.org/2004/02/skos/core#altLabel> ?l }"
        answer = json.loads(
            _get(
                f"{url}/sparql?" + urllib.parse.urlencode({"query": query}), "application/sparql-results+json"
            )
        )
        assert "중기부" in {b["l"]["value"] for b in answer["results"]["bindings"]}
        hits = json.loads(_get(f"{url}/entities?" + urllib.parse.urlencode({"q": "중기"})))["data"]
        assert hits[0]["id"] == "org/중소벤처기업부"

        # the printed store URL takes writes while it serves
        shutil.copy(SAMPLES / POSTS[2], posts / POSTS[2])
        assert "written 1" in ingest(store_url.group(1), posts)
        stats = json.loads(_get(url + "/stats"))
        assert stats["posts"] == 3

        proc.send_signal(signal.SIGINT)  # Ctrl-C reaches the whole group; this is the harder case
        proc.wait(30)
        _gone, alive = psutil.wait_procs(children, timeout=15)
        alive = [c for c in alive if c.is_running() and c.status() != psutil.STATUS_ZOMBIE]
        assert not alive, alive
        assert "store server stopped" in log.read_text()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
        for child in children:  # only when the test failed before they stopped
            if child.is_running():
                child.kill()
