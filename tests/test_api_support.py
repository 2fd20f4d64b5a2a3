"""Fixtures for the API tests: the sample posts ingested once, served in-process, by a real
Oxigraph server and by a real Virtuoso on 127.0.0.1, and a real uvicorn server for HTTP clients
(SPARQLWrapper, rdflib).

Test modules import the fixtures from here; this module has no tests of its own.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from kg.config import Settings
from kg.model import KgError
from kg.store import open_store
from kg.store.base import Store
from kg.store.dialect import VirtuosoDialect
from kg.store.oxigraph import OxigraphStore
from kg.store.remote import RemoteStore
from kg.store.server import OxigraphServer, free_port
from kg.store.virtuoso import VirtuosoServer, bulk_load

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


def start_virtuoso(folder: Path, **options: Any) -> VirtuosoServer:
    """A Virtuoso of its own in `folder`; where Virtuoso is not installed the test is skipped,
    and the reason is printed in the run's summary (pytest -ra)."""
    try:
        return VirtuosoServer(folder, **options)
    except KgError as exc:
        if "not installed" in str(exc):
            pytest.skip(f"virtuoso: {exc}")
        raise


def virtuoso_settings(server: VirtuosoServer, **overrides: object) -> Settings:
    env = {k[3:].lower(): v for k, v in server.settings().items()}
    return Settings(**{**env, "store_enforces_timeout": True, **overrides})  # type: ignore[arg-type]


def virtuoso_store(server: VirtuosoServer) -> Store:
    """kg's client for the server, set up as `KG_STORE_DIALECT=virtuoso` and the rest say."""
    return open_store(settings=virtuoso_settings(server), timeout=15)


@pytest.fixture(scope="session")
def virtuoso_server(
    sample_nquads: bytes, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[VirtuosoServer]:
    folder = tmp_path_factory.mktemp("virtuoso")
    server = start_virtuoso(folder, timeout_s=3)
    dump = folder / "samples.nq"
    dump.write_bytes(sample_nquads)
    # Virtuoso's own loader (SPARQL updates of this size may outlast the 3 s limit on a busy machine)
    bulk_load(server.isql, [dump], default_graph=VirtuosoDialect().union)
    yield server
    server.stop()


SERVERS = {"oxigraph-server": "oxigraph_server", "virtuoso": "virtuoso_server"}


def make_store(kind: str, sample_nquads: bytes, server: OxigraphServer | VirtuosoServer | None) -> Store:
    if kind == "memory":
        return memory_store(sample_nquads)
    if isinstance(server, VirtuosoServer):
        return virtuoso_store(server)
    assert server is not None
    return RemoteStore(server.url, timeout=15, server_cancels=True)


@pytest.fixture(scope="session", params=["memory", "oxigraph-server", "virtuoso"])
def backend(request: pytest.FixtureRequest, sample_nquads: bytes) -> Store:
    """The same data in an in-process store, a real Oxigraph server and a real Virtuoso (read-only tests)."""
    server = request.getfixturevalue(SERVERS[request.param]) if request.param != "memory" else None
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
