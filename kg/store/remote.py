"""A remote SPARQL 1.1 store (Oxigraph server, Fuseki, Virtuoso, QLever …) over HTTP.

`KG_STORE=http://host:port` uses Oxigraph's layout (`/query`, `/update`, `/store`);
a URL ending in `/sparql` or `/query` is used as given for queries, with `/update`
beside it for updates (or the same URL for `/sparql`). The settings `store_update` and
`store_gsp` (KG_STORE_UPDATE, KG_STORE_GSP) override the update and Graph Store URLs;
`store_user`/`store_password` authenticate updates and loads (HTTP Digest or Basic, as the
server asks). How a server departs from the standard (Virtuoso) is its dialect
(kg.store.dialect, KG_STORE_DIALECT).

Queries go through http.client on one keep-alive connection per thread: a request costs
about a third of what httpx costs, which matters when every API request is one or two store
round trips. Updates and loads, rarer and heavier, go through httpx, which does the
authentication. User queries are streamed: reading stops (and the connection is dropped, so
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

import httpx
import orjson
import pyoxigraph as ox

from kg.model import KgError
from kg.store.base import (
    INSERT_CHUNK,
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
    quads_data,
)
from kg.store.dialect import Dialect
from kg.store.formats import rdf_format

TSV = "text/tab-separated-values"
FORM = "application/x-www-form-urlencoded"
LOAD_CHUNK_QUADS = 5000  # quads per INSERT DATA when a store has no Graph Store endpoint
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
    seconds (nothing was sent; the server may be restarting). `page_rows` bounds the rows
    asked for in one request by `dump` (a store's own row cap, e.g. Virtuoso's ResultSetMaxRows;
    0: one request).
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
        dialect: Dialect | None = None,
        user: str | None = None,
        password: str | None = None,
        page_rows: int = 0,
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
        self.dialect = dialect or Dialect()
        self.union_graph = self.dialect.union_graph
        self.page_rows = page_rows
        self._auth = _PasswordAuth(user, password or "") if user else None
        self._http: httpx.Client | None = None
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

    def _body(self, query: str, params: list[tuple[str, str]] | None = None) -> tuple[bytes, str]:
        """A query request's body and content type (form-encoded when the dialect wants it)."""
        if self.dialect.form_encoded or params:
            return urlencode([("query", query), *(params or [])]).encode("ascii"), FORM
        return query.encode("utf-8"), "application/sparql-query; charset=utf-8"

    def _query(self, query: str, accept: str) -> bytes:
        """Run one of the library's own queries; the answer's bytes."""
        body, ctype = self._body(self.dialect.query(query))
        try:
            resp = self._send(self._query_ep, "POST", None, body, {"Content-Type": ctype, "Accept": accept})
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
        data = self.select_tsv(query)
        result: Any = ox.parse_query_results(data, ox.QueryResultsFormat.TSV)
        names = [v.value for v in result.variables]
        return [{n: sol[n] for n in names if sol[n] is not None} for sol in result]

    def select_tsv(self, query: str) -> bytes:
        """A SELECT answer as TSV (kg.store.scan decodes big answers itself)."""
        return self.dialect.select_tsv(self._query(query, self.dialect.select_accept))

    def ask(self, query: str) -> bool:
        return self.dialect.ask(self._query(query, "application/sparql-results+json"))

    def construct(self, query: str) -> list[ox.Triple]:
        data = self._query(query, "application/n-triples")
        return [q.triple for q in ox.parse(data, ox.RdfFormat.N_TRIPLES)]

    # -- user queries ------------------------------------------------------------------------

    def named_graphs(self) -> tuple[str, ...]:
        """Every named graph, cached per store generation (for an empty default graph)."""
        generation = self.generation()
        if self._graphs[0] != generation:
            rows = self.select(self.dialect.graphs_query)
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
        accept = {"SELECT": self.dialect.select_accept, "ASK": "application/sparql-results+json"}.get(
            form, "application/n-triples"
        )
        params = self._dataset_params(dataset)
        query = self.dialect.query(query, dataset=bool(params))
        params += self.dialect.row_cap(max_rows)
        limit = timeout if timeout is not None else self.timeout
        wait = limit + 2.0 if self.server_cancels else limit
        deadline = time.monotonic() + wait
        ep = self._query_ep
        sent_at = time.time()
        if self.dialect.form_encoded or sum(len(v) for _, v in params) > 4000:
            # too long for a URL: the protocol's form-encoded POST carries the dataset too
            body, ctype = self._body(query, params)
            url_params: list[tuple[str, str]] = []
        else:
            body, ctype = self._body(query)
            url_params = params
        try:
            resp = self._send(ep, "POST", url_params, body, {"Content-Type": ctype, "Accept": accept}, wait)
            if resp.status >= 400:
                text = self._read_all(ep, resp).decode("utf-8", "replace").strip()
                known = self.dialect.error(resp.status, text)
                if known is not None:
                    raise known
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
        if form == "SELECT" and self.dialect.select_accept != TSV:
            return self._as_tsv(data, max_rows)
        if data and not data.endswith(b"\n"):
            raise StoreUnavailable(f"SPARQL store {self.query_url}: the answer broke off: …{data[-200:]!r}")
        return RawResult(form, data, rows, truncated)

    def _as_tsv(self, data: bytes, max_rows: int | None) -> RawResult:
        """A whole SELECT answer in the dialect's format → TSV, cut at the row cap."""
        try:
            tsv = self.dialect.select_tsv(data)
        except (SyntaxError, ValueError) as exc:
            raise StoreUnavailable(f"SPARQL store {self.query_url} sent a broken answer: {exc}") from exc
        lines = tsv.count(b"\n") - 1
        if max_rows is None or lines <= max_rows:
            return RawResult("SELECT", tsv, lines)
        return RawResult("SELECT", tsv[: _nth_newline(tsv, max_rows + 1) + 1], max_rows, True)

    def _stream(
        self,
        ep: _Endpoint,
        resp: http.client.HTTPResponse,
        form: str,
        max_rows: int | None,
        deadline: float,
    ) -> tuple[bytes, int, bool]:
        """Read an answer line by line until its end, the row cap or the deadline."""
        if form == "ASK" or (form == "SELECT" and self.dialect.select_accept != TSV):
            return self._read_all(ep, resp), 1, False  # read whole (not by lines)
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
                    # with a Content-Length, http.client's read1 reaches the end without marking
                    # the answer done, and the connection refuses the next request: mark it
                    resp.close()
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

    # -- updates and loads (httpx: rarer, heavier, authenticated) -------------------------

    def _client(self) -> httpx.Client:
        if self._http is None:
            self._http = httpx.Client(auth=self._auth, timeout=self.timeout)
        return self._http

    def _post(self, url: str, what: str, **kwargs: Any) -> None:
        """POST an update or a load; any failure is a KgError naming the store and the answer."""
        try:
            resp = self._client().post(url, **kwargs)
        except httpx.TimeoutException as exc:
            raise KgError(f"{what} at {url} gave no answer within {self.timeout:g} s") from exc
        except httpx.HTTPError as exc:
            raise KgError(f"{what} at {url} failed: {exc}") from exc
        if resp.status_code == 401:
            raise KgError(
                f"{what} at {url} was refused (401): the store wants a user and password "
                "(KG_STORE_USER, KG_STORE_PASSWORD) or these are wrong"
            )
        if resp.status_code >= 400:
            raise KgError(f"{what} at {url} failed ({resp.status_code}): {resp.text[:300]}")

    def update(self, update: str) -> None:
        update = self.dialect.update(update)
        if self.dialect.form_encoded:
            self._post(self.update_url, "SPARQL update", data={"update": update})
        else:
            self._post(
                self.update_url,
                "SPARQL update",
                content=update.encode("utf-8"),
                headers={"Content-Type": "application/sparql-update; charset=utf-8"},
            )

    def dump(self, fmt: str) -> bytes:
        rdf = rdf_format(fmt)
        if rdf.supports_datasets:
            query = "SELECT ?s ?p ?o ?g WHERE { { GRAPH ?g { ?s ?p ?o } } UNION { ?s ?p ?o } }"
            quads = (
                ox.Quad(r["s"], r["p"], r["o"], r.get("g", ox.DefaultGraph())) for r in self._pages(query)
            )
            return ox.serialize(quads, format=rdf, prefixes=prefix_map()) or b""
        triples = (
            ox.Triple(r["s"], r["p"], r["o"]) for r in self._pages("SELECT ?s ?p ?o WHERE { ?s ?p ?o }")
        )
        return ox.serialize(triples, format=rdf, prefixes=prefix_map()) or b""

    def _pages(self, query: str) -> Iterator[Row]:
        """Every row of a SELECT, `page_rows` at a time (LIMIT/OFFSET) when the store caps rows."""
        if self.page_rows <= 0:
            yield from self.select(query)
            return
        offset = 0
        while True:
            rows = self.select(f"{query}\nLIMIT {self.page_rows} OFFSET {offset}")
            yield from rows
            if len(rows) < self.page_rows:
                return
            offset += self.page_rows

    def load(self, data: bytes, fmt: str, graph: str | None = None) -> None:
        """Bulk load through the Graph Store Protocol (a dataset format keeps its graphs); a
        store without one (Virtuoso takes no N-Quads there) gets INSERT DATA requests."""
        rdf = rdf_format(fmt)
        if self.union_graph is not None:
            self._load_by_updates(data, rdf, graph)
            return
        params: dict[str, str] = {"graph": graph} if graph else {"default": ""}
        if rdf.supports_datasets:
            params = {}
        self._post(
            self.gsp_url, "loading", params=params, content=data, headers={"Content-Type": rdf.media_type}
        )

    def _load_by_updates(self, data: bytes, rdf: ox.RdfFormat, graph: str | None) -> None:
        """Default-graph triples go to `graph`, or to the union graph that stands for the default graph."""
        name = graph or self.union_graph
        assert name is not None  # only stores with a union graph load this way
        target = ox.NamedNode(name)
        chunk: list[ox.Quad] = []
        for quad in ox.parse(data, format=rdf):
            if isinstance(quad.graph_name, ox.DefaultGraph):
                quad = ox.Quad(quad.subject, quad.predicate, quad.object, target)
            chunk.append(quad)
            if len(chunk) >= LOAD_CHUNK_QUADS:
                self._insert(chunk)
                chunk = []
        self._insert(chunk)

    def _insert(self, quads: list[ox.Quad]) -> None:
        ops = [
            f"INSERT DATA {{ {quads_data(quads[at : at + INSERT_CHUNK])} }}"
            for at in range(0, len(quads), INSERT_CHUNK)
        ]
        if ops:
            self.update(" ;\n".join(ops))

    def close(self) -> None:
        for conn in getattr(self._local, "conns", {}).values():
            conn.close()
        self._local = threading.local()
        if self._http is not None:
            self._http.close()
            self._http = None


class _PasswordAuth(httpx.Auth):
    """HTTP Digest or Basic authentication, whichever the server's challenge names (Virtuoso's
    /sparql-auth asks for Digest, Fuseki behind Shiro for Basic)."""

    def __init__(self, user: str, password: str) -> None:
        self._schemes: dict[str, httpx.Auth] = {
            "digest": httpx.DigestAuth(user, password),
            "basic": httpx.BasicAuth(user, password),
        }
        self._scheme: str | None = None

    def auth_flow(self, request: httpx.Request) -> Any:
        if self._scheme is not None:
            yield from self._schemes[self._scheme].auth_flow(request)
            return
        response = yield request
        challenge = response.headers.get("www-authenticate", "").split(" ", 1)[0].lower()
        if response.status_code == 401 and challenge in self._schemes:
            self._scheme = challenge
            yield from self._schemes[challenge].auth_flow(request)


class _Timeout(Exception):
    """No answer in time (socket timeout or the caller's deadline)."""


def _nth_newline(data: bytes, n: int) -> int:
    """Index of the n-th newline (1-based)."""
    at = -1
    for _ in range(n):
        at = data.index(b"\n", at + 1)
    return at
