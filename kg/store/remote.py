"""A remote SPARQL 1.1 store (Oxigraph server, Fuseki, Virtuoso, QLever …) over HTTP.

`KG_STORE=http://host:port` uses Oxigraph's layout (`/query`, `/update`, `/store`);
a URL ending in `/sparql` or `/query` is used as given for queries, with `/update`
beside it for updates (or the same URL for `/sparql`). The settings `store_update` and
`store_gsp` (KG_STORE_UPDATE, KG_STORE_GSP) override the update and Graph Store URLs.

The client is http.client on one keep-alive connection per thread: a request costs about a
third of what httpx costs, which matters when every API request is one or two store
round trips. User queries are streamed: reading stops (and the connection is dropped, so
the server stops too) once the row cap is reached or the time limit passes.
"""

from __future__ import annotations

import contextlib
import errno
import http.client
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlencode, urlsplit

import orjson
import pyoxigraph as ox

from kg.model import KgError
from kg.store.base import (
    Dataset,
    QueryTimeout,
    RawResult,
    Row,
    SparqlError,
    SparqlSyntaxError,
    Store,
    StoreUnavailable,
    empty_graph_iri,
    prefix_map,
)
from kg.store.formats import rdf_format

TSV = "text/tab-separated-values"
# What an Oxigraph server appends to a streamed answer it stops at its --timeout-s.
CANCELLED = b"The SPARQL operation has been cancelled"
RETRYABLE = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError, ConnectionAbortedError)


class _Endpoint:
    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise KgError(f"not an http(s) URL of a SPARQL store: {url}")
        self.url = url
        self.https = parts.scheme == "https"
        self.host = parts.hostname
        self.port = parts.port or (443 if self.https else 80)
        self.path = parts.path or "/"
        self.query = parts.query


class RemoteStore(Store):
    """A SPARQL 1.1 store over HTTP: Query, Update and Graph Store Protocol.

    `timeout` bounds every request (seconds without an answer). `server_cancels` says that
    the server enforces the user-query time limit itself (an Oxigraph server started with
    `--timeout-s`, as `kg serve` does): the client then waits a little longer than the
    limit, so the server's cancellation is what stops the work. When even then no answer
    came, `on_overrun(sent_at)` is called (kg serve's supervisor restarts the server: the
    query would otherwise run on). A refused connection is tried again for `reconnect_s`
    seconds (nothing was sent; the server may be restarting).
    """

    def __init__(
        self,
        url: str,
        timeout: float = 60.0,
        server_cancels: bool = False,
        update_url: str | None = None,
        gsp_url: str | None = None,
        on_overrun: Callable[[float], None] | None = None,
        reconnect_s: float = 0.0,
    ) -> None:
        url = url.rstrip("/")
        if url.endswith(("/sparql", "/query")):
            query_url = url
            base = url.rsplit("/", 1)[0]
            default_update = url if url.endswith("/sparql") else base + "/update"
        else:
            base = url
            query_url = url + "/query"
            default_update = url + "/update"
        self.url = url
        self.query_url = query_url
        self.update_url = update_url or default_update
        self.gsp_url = gsp_url or base + "/store"
        self._query_ep = _Endpoint(query_url)
        self._update_ep = _Endpoint(self.update_url)
        self._gsp_ep = _Endpoint(self.gsp_url)
        self.timeout = timeout
        self.server_cancels = server_cancels
        self.on_overrun = on_overrun
        self.reconnect_s = reconnect_s
        self._local = threading.local()
        self._graphs: tuple[str | None, tuple[str, ...]] = ("never", ())

    # -- HTTP ---------------------------------------------------------------------------

    def _connection(self, ep: _Endpoint) -> http.client.HTTPConnection:
        conns: dict[tuple[str, int], http.client.HTTPConnection] | None = getattr(self._local, "conns", None)
        if conns is None:
            conns = self._local.conns = {}
        conn = conns.get((ep.host, ep.port))
        if conn is None:
            cls = http.client.HTTPSConnection if ep.https else http.client.HTTPConnection
            conn = cls(ep.host, ep.port, timeout=self.timeout)
            conns[(ep.host, ep.port)] = conn
        return conn

    def _drop(self, ep: _Endpoint) -> None:
        conns = getattr(self._local, "conns", {})
        conn = conns.pop((ep.host, ep.port), None)
        if conn is not None:
            conn.close()

    def _send(
        self,
        ep: _Endpoint,
        method: str,
        params: dict[str, Any] | list[tuple[str, str]] | None,
        body: bytes,
        headers: dict[str, str],
        timeout: float | None = None,
    ) -> http.client.HTTPResponse:
        """Send a request on this thread's connection; retry once if a kept-alive one went stale."""
        target = ep.path
        query = "&".join(q for q in (ep.query, urlencode(params or {}, doseq=True)) if q)
        if query:
            target += "?" + query
        headers = {"Host": f"{ep.host}:{ep.port}", **headers}
        refused_until = time.monotonic() + self.reconnect_s
        attempt = 0
        while True:
            attempt += 1
            conn = self._connection(ep)
            reused = conn.sock is not None
            try:
                if conn.sock is None:
                    conn.connect()
                    assert conn.sock is not None
                    conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                conn.sock.settimeout(timeout if timeout is not None else self.timeout)
                conn.request(method, target, body=body, headers=headers)
                return conn.getresponse()
            except RETRYABLE as exc:
                self._drop(ep)
                if attempt >= 2 or not reused:
                    raise KgError(f"SPARQL store {ep.url} closed the connection: {exc}") from exc
            except TimeoutError as exc:
                self._drop(ep)
                raise _Timeout(str(exc)) from exc
            except OSError as exc:
                self._drop(ep)
                if exc.errno == errno.ECONNREFUSED and time.monotonic() < refused_until:
                    time.sleep(0.1)  # the server is (re)starting; nothing was sent
                    continue
                raise KgError(f"SPARQL store {ep.url} unreachable: {exc}") from exc

    @contextlib.contextmanager
    def _reading(self, ep: _Endpoint, resp: http.client.HTTPResponse) -> Iterator[None]:
        """Reading an answer: a timeout or a broken connection drops the connection and is
        reported; a connection the server closes after the answer is dropped too."""
        try:
            yield
        except TimeoutError as exc:
            self._drop(ep)
            raise _Timeout(str(exc)) from exc
        except (OSError, http.client.HTTPException) as exc:
            self._drop(ep)
            raise KgError(f"SPARQL store {ep.url}: the answer broke off: {exc}") from exc
        if resp.will_close:
            self._drop(ep)

    def _read_all(self, ep: _Endpoint, resp: http.client.HTTPResponse) -> bytes:
        with self._reading(ep, resp):
            data = resp.read()
        return data

    def _query(self, query: str, accept: str) -> bytes:
        """Run one of the library's own queries; the answer's bytes."""
        try:
            resp = self._send(
                self._query_ep,
                "POST",
                None,
                query.encode("utf-8"),
                {"Content-Type": "application/sparql-query; charset=utf-8", "Accept": accept},
            )
            data = self._read_all(self._query_ep, resp)
        except _Timeout as exc:
            raise KgError(f"SPARQL store {self.query_url} gave no answer within {self.timeout:g} s") from exc
        if resp.status >= 400:
            raise KgError(
                f"SPARQL store {self.query_url} answered {resp.status}: {data[:300].decode('utf-8', 'replace')}"
            )
        if data.endswith(CANCELLED):
            raise KgError(f"SPARQL store {self.query_url} stopped the query at its time limit")
        return data

    # -- the library's queries -------------------------------------------------------------

    def select(self, query: str) -> list[Row]:
        data = self._query(query, TSV)
        result: Any = ox.parse_query_results(data, ox.QueryResultsFormat.TSV)
        names = [v.value for v in result.variables]
        return [{n: sol[n] for n in names if sol[n] is not None} for sol in result]

    def select_tsv(self, query: str) -> bytes:
        """A SELECT answer as the TSV the server sent (kg.store.scan decodes big answers itself)."""
        return self._query(query, TSV)

    def ask(self, query: str) -> bool:
        data = self._query(query, "application/sparql-results+json")
        return bool(orjson.loads(data).get("boolean"))

    def construct(self, query: str) -> list[ox.Triple]:
        data = self._query(query, "application/n-triples")
        return [q.triple for q in ox.parse(data, ox.RdfFormat.N_TRIPLES)]

    # -- user queries ------------------------------------------------------------------------

    def named_graphs(self) -> tuple[str, ...]:
        """Every named graph, cached per store generation (for an empty default graph)."""
        generation = self.generation()
        if self._graphs[0] != generation:
            rows = self.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }")
            self._graphs = (generation, tuple(r["g"].value for r in rows))
        return self._graphs[1]

    def _dataset_params(self, dataset: Dataset | None) -> list[tuple[str, str]]:
        if dataset is None or (dataset.default is None and dataset.named is None):
            return []
        default = dataset.default
        named = dataset.named
        if named is None:
            named = self.named_graphs()  # the protocol would otherwise give no named graphs
        if default is None:
            default = ()
        params = [("default-graph-uri", g) for g in default] + [("named-graph-uri", g) for g in named]
        if not default:
            # The protocol has no way to say "empty default graph" other than naming a graph
            # that does not exist.
            params.insert(0, ("default-graph-uri", empty_graph_iri()))
        return params

    def evaluate(
        self,
        query: str,
        form: str,
        dataset: Dataset | None = None,
        timeout: float | None = None,
        max_rows: int | None = None,
    ) -> RawResult:
        accept = {"SELECT": TSV, "ASK": "application/sparql-results+json"}.get(form, "application/n-triples")
        params = self._dataset_params(dataset)
        limit = timeout if timeout is not None else self.timeout
        wait = limit + 2.0 if self.server_cancels else limit
        deadline = time.monotonic() + wait
        ep = self._query_ep
        sent_at = time.time()
        if sum(len(v) for _, v in params) > 4000:
            # too long for a URL: the protocol's form-encoded POST carries the dataset too
            body = urlencode([("query", query), *params]).encode("ascii")
            ctype = "application/x-www-form-urlencoded"
            url_params: list[tuple[str, str]] = []
        else:
            body = query.encode("utf-8")
            ctype = "application/sparql-query; charset=utf-8"
            url_params = params
        try:
            resp = self._send(ep, "POST", url_params, body, {"Content-Type": ctype, "Accept": accept}, wait)
            if resp.status >= 400:
                text = self._read_all(ep, resp).decode("utf-8", "replace").strip()
                if resp.status == 400:
                    raise SparqlSyntaxError(text[:2000] or "the store refused the query (400)")
                if resp.status in (503, 504) and "timeout" in text.lower():
                    raise QueryTimeout(f"the store stopped the query at the time limit: {text[:300]}")
                raise StoreUnavailable(f"SPARQL store {self.query_url} answered {resp.status}: {text[:300]}")
            data, rows, truncated = self._stream(ep, resp, form, max_rows, deadline)
        except _Timeout:
            if self.server_cancels and self.on_overrun is not None:
                self.on_overrun(sent_at)  # the server did not stop it: have it stopped
            raise QueryTimeout(f"the query ran longer than the time limit of {limit:g} s") from None
        except SparqlError:
            raise
        except KgError as exc:
            raise StoreUnavailable(str(exc)) from exc
        if data.endswith(CANCELLED):
            raise QueryTimeout(f"the query ran longer than the time limit of {limit:g} s")
        if form == "ASK":
            try:
                value = orjson.loads(data).get("boolean")
            except orjson.JSONDecodeError as exc:
                raise StoreUnavailable(f"SPARQL store {self.query_url} sent a broken ASK answer") from exc
            return RawResult("ASK", b"true" if value else b"false", 1)
        if data and not data.endswith(b"\n"):
            raise StoreUnavailable(f"SPARQL store {self.query_url}: the answer broke off: …{data[-200:]!r}")
        return RawResult(form, data, rows, truncated)

    def _stream(
        self,
        ep: _Endpoint,
        resp: http.client.HTTPResponse,
        form: str,
        max_rows: int | None,
        deadline: float,
    ) -> tuple[bytes, int, bool]:
        """Read an answer line by line until its end, the row cap or the deadline."""
        if form == "ASK":
            return self._read_all(ep, resp), 1, False
        header = 1 if form == "SELECT" else 0
        want = max_rows + header if max_rows is not None else -1  # lines to keep
        chunks: list[bytes] = []
        lines = 0
        with self._reading(ep, resp):
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    self._drop(ep)
                    raise _Timeout("deadline")
                sock = self._connection(ep).sock
                if sock is not None:
                    sock.settimeout(remaining)
                chunk = resp.read1(65536)
                if not chunk:
                    break
                chunks.append(chunk)
                lines += chunk.count(b"\n")
                if 0 <= want < lines:
                    # enough rows: drop the connection, which also stops the server's work
                    self._drop(ep)
                    data = b"".join(chunks)
                    cut = _nth_newline(data, want)
                    return data[: cut + 1], want - header, True
        data = b"".join(chunks)
        return data, max(0, data.count(b"\n") - header), False

    def update(self, update: str) -> None:
        try:
            resp = self._send(
                self._update_ep,
                "POST",
                None,
                update.encode("utf-8"),
                {"Content-Type": "application/sparql-update; charset=utf-8"},
            )
            data = self._read_all(self._update_ep, resp)
        except _Timeout as exc:
            raise KgError(
                f"SPARQL update at {self.update_url} gave no answer within {self.timeout:g} s"
            ) from exc
        if resp.status >= 400:
            raise KgError(
                f"SPARQL update at {self.update_url} failed ({resp.status}): {data[:300].decode('utf-8', 'replace')}"
            )

    def dump(self, fmt: str) -> bytes:
        rdf = rdf_format(fmt)
        if rdf.supports_datasets:
            rows = self.select("SELECT ?s ?p ?o ?g WHERE { { GRAPH ?g { ?s ?p ?o } } UNION { ?s ?p ?o } }")
            quads = (ox.Quad(r["s"], r["p"], r["o"], r.get("g", ox.DefaultGraph())) for r in rows)
            return ox.serialize(quads, format=rdf, prefixes=prefix_map()) or b""
        triples = self.construct("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
        return ox.serialize(triples, format=rdf, prefixes=prefix_map()) or b""

    def load(self, data: bytes, fmt: str, graph: str | None = None) -> None:
        """Bulk load through the Graph Store Protocol (a dataset format keeps its graphs)."""
        params: dict[str, str] = {"graph": graph} if graph else {"default": ""}
        rdf = rdf_format(fmt)
        if rdf.supports_datasets:
            params = {}
        try:
            resp = self._send(self._gsp_ep, "POST", params, data, {"Content-Type": rdf.media_type}, None)
            body = self._read_all(self._gsp_ep, resp)
        except _Timeout as exc:
            raise KgError(f"loading into {self.gsp_url} gave no answer within {self.timeout:g} s") from exc
        if resp.status >= 400:
            raise KgError(
                f"loading into {self.gsp_url} failed ({resp.status}): {body[:300].decode('utf-8', 'replace')}"
            )

    def close(self) -> None:
        for conn in getattr(self._local, "conns", {}).values():
            conn.close()
        self._local = threading.local()


class _Timeout(Exception):
    """No answer in time (socket timeout or the caller's deadline)."""


def _nth_newline(data: bytes, n: int) -> int:
    """Index of the n-th newline (1-based)."""
    at = -1
    for _ in range(n):
        at = data.index(b"\n", at + 1)
    return at
