"""Fixtures for the API tests: the sample posts ingested once, served in-process and by a real
Oxigraph server on 127.0.0.1, and a real uvicorn server for HTTP clients (SPARQLWrapper, rdflib).

Test modules import the fixtures from here; this module has no tests of its own.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from kg.config import Settings
from kg.store.base import Store
from kg.store.oxigraph import OxigraphStore
from kg.store.remote import RemoteStore
from kg.store.server import OxigraphServer, free_port

from .conftest import SAMPLES

ADMIN = "s3cret-admin-token"


@pytest.fixture(scope="session")
def sample_nquads(extractor) -> bytes:
    """The bundled posts (the sample posts and the founding post) through the real pipeline, as N-Quads."""
    from kg.build.pipeline import ingest
    from kg.ingest import read_posts

    store = OxigraphStore(None)
    report = ingest(
        store,
        read_posts([SAMPLES]),
        lambda posts: extractor.pipe(posts),
    )
    assert report.ok and report.written >= 30
    return store.dump("nq")


def memory_store(nquads: bytes) -> OxigraphStore:
    store = OxigraphStore(None)
    store.db.load(nquads, format=ox.RdfFormat.N_QUADS)
    return store


@pytest.fixture(scope="session")
def oxigraph_server(
    sample_nquads: bytes, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[OxigraphServer]:
    server = OxigraphServer(tmp_path_factory.mktemp("oxigraph"), timeout_s=3)
    RemoteStore(server.url).load(sample_nquads, "nq")
    yield server
    server.stop()


def make_store(kind: str, sample_nquads: bytes, server: OxigraphServer | None) -> Store:
    if kind == "memory":
        return memory_store(sample_nquads)
    assert server is not None
    return RemoteStore(server.url, timeout=15, server_cancels=True)


@pytest.fixture(scope="session", params=["memory", "oxigraph-server"])
def backend(request: pytest.FixtureRequest, sample_nquads: bytes) -> Store:
    """The same data in an in-process store and in a real Oxigraph server (read-only tests)."""
    server = request.getfixturevalue("oxigraph_server") if request.param != "memory" else None
    return make_store(request.param, sample_nquads, server)


def settings(**overrides: object) -> Settings:
    base: dict[str, object] = {"store": "memory", "refresh_seconds": 0.0, "admin_token": ADMIN}
    base.update(overrides)
    return Settings(**base)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def client(backend: Store) -> TestClient:
    return TestClient(create_app(settings(), backend))


class LiveServer:
    """The app under uvicorn on a free loopback port, in a thread (for real HTTP clients)."""

    def __init__(self, app: object) -> None:
        import uvicorn

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")  # type: ignore[arg-type]
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started and time.monotonic() < deadline:
            time.sleep(0.02)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)


@pytest.fixture(scope="session")
def live(backend: Store) -> Iterator[LiveServer]:
    server = LiveServer(create_app(settings(), backend))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def site(sample_nquads: bytes) -> Iterator[LiveServer]:
    """The app over the bundled posts in memory, under uvicorn on 127.0.0.1 (one per test module)."""
    server = LiveServer(create_app(settings(), memory_store(sample_nquads)))
    yield server
    server.stop()
