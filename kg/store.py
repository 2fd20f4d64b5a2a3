"""Where the graph lives: embedded Oxigraph (on disk or in memory) or a remote SPARQL 1.1 store.

Both speak the same small interface: `select`, `ask`, `construct`, `update`, `dump`,
`load`, and `replace_posts` / `remove_posts`, which write each post's named graph
atomically (one SPARQL Update request per batch of whole posts) together with the
derived membership intervals and the store's generation marker.
"""

from __future__ import annotations

import threading
import time
import uuid
from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.model import KgError
from kg.vocab import data_iri, iri, mapping, sparql_prefixes

Row = dict[str, Any]  # variable name → pyoxigraph term

RDF_FORMATS = {
    "ttl": ox.RdfFormat.TURTLE,
    "turtle": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "nq": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}
DATASET_FORMATS = {"nq", "trig", "jsonld"}
RESULT_FORMATS = {
    "application/sparql-results+json": (
        ox.QueryResultsFormat.JSON,
        "application/sparql-results+json",
    ),
    "application/sparql-results+xml": (ox.QueryResultsFormat.XML, "application/sparql-results+xml"),
    "text/csv": (ox.QueryResultsFormat.CSV, "text/csv; charset=utf-8"),
    "text/tab-separated-values": (
        ox.QueryResultsFormat.TSV,
        "text/tab-separated-values; charset=utf-8",
    ),
}


def prefix_map() -> dict[str, str]:
    from kg.vocab import prefixes

    return {**{k: v for k, v in prefixes().items() if k}, "kgr": data_iri("id/")}


def graph_node(name: str) -> ox.NamedNode:
    return ox.NamedNode(data_iri(mapping()["graphs"][name]))


def store_node() -> ox.NamedNode:
    return ox.NamedNode(data_iri("id/store"))


def term_sparql(term: Any) -> str:
    """A term in SPARQL/N-Triples syntax (pyoxigraph terms print that way)."""
    return str(term)


def quads_data(quads: Iterable[ox.Quad]) -> str:
    """`GRAPH <g> { s p o . }` blocks for INSERT DATA, grouped by graph."""
    by_graph: dict[str, list[str]] = {}
    for q in quads:
        by_graph.setdefault(str(q.graph_name), []).append(f"{q.subject} {q.predicate} {q.object} .")
    return "\n".join(f"GRAPH {g} {{\n" + "\n".join(lines) + "\n}" for g, lines in by_graph.items())


@dataclass(frozen=True)
class Dataset:
    """The RDF dataset a user's query runs over (SPARQL 1.1 Protocol `default-graph-uri` and
    `named-graph-uri`). `default=None` is the store's default graph; `named=None` all named graphs.
    `[]` is an empty graph / no named graphs."""

    default: tuple[str, ...] | None = None
    named: tuple[str, ...] | None = None


def empty_graph_iri() -> str:
    """A graph that is never written: the default graph when the union default graph is off."""
    return data_iri("graph/empty")


@dataclass(frozen=True)
class RawResult:
    """A user query's answer in the stores' interchange form (see kg.sparql).

    SELECT: TSV (header line, one solution per line); ASK: b"true"/b"false";
    CONSTRUCT/DESCRIBE: N-Triples. `truncated` when more than `max_rows` rows existed.
    """

    form: str
    data: bytes
    rows: int
    truncated: bool = False


class Store(ABC):
    """The operations kg needs from a quad store.

    The store's default graph holds the set union of all named graphs except the meta
    graph (kept up to date by every write), so a query without GRAPH sees each triple
    once, the way Jena's or GraphDB's union default graph behaves. The SPARQL endpoint can
    hide it (`Settings.union_default_graph = False`): user queries then get an empty
    default graph and must name graphs. The library's own queries always use it.
    """

    @abstractmethod
    def select(self, query: str) -> list[Row]: ...

    @abstractmethod
    def ask(self, query: str) -> bool: ...

    @abstractmethod
    def construct(self, query: str) -> list[ox.Triple]: ...

    @abstractmethod
    def update(self, update: str) -> None: ...

    @abstractmethod
    def dump(self, fmt: str) -> bytes: ...

    @abstractmethod
    def load(self, data: bytes, fmt: str, graph: str | None = None) -> None: ...

    @abstractmethod
    def evaluate(
        self,
        query: str,
        form: str,
        dataset: Dataset | None = None,
        timeout: float | None = None,
        max_rows: int | None = None,
    ) -> RawResult:
        """Run a user's query (form: SELECT, ASK, CONSTRUCT or DESCRIBE) within `timeout` seconds.

        Raises kg.sparql.SparqlSyntaxError with the parser's message, QueryTimeout when
        the time is up, StoreBusy when no query slot came free in time.
        """

    def sparql(self, query: str, accept: str) -> tuple[bytes, str]:
        """Run a user's SPARQL query; the serialised result and its media type (for `kg query`)."""
        from kg import sparql

        info = sparql.inspect(query)
        if info.form is None:
            raise SyntaxError("not a SPARQL query (SELECT, ASK, CONSTRUCT or DESCRIBE)")
        fmt = sparql.negotiate(info.form, accept)
        try:
            raw = self.evaluate(query, info.form)
        except sparql.SparqlSyntaxError as exc:
            raise SyntaxError(str(exc)) from exc
        return sparql.render(raw, fmt), fmt.media

    def close(self) -> None:  # noqa: B027  (optional hook)
        """Release resources; the default has none."""

    # -- shared logic, written in SPARQL so it runs on any store ------------------------

    def quad_count(self) -> int:
        rows = self.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
        return int(rows[0]["n"].value) if rows else 0

    def generation(self) -> str | None:
        rows = self.select(
            sparql_prefixes()
            + f"SELECT ?g WHERE {{ GRAPH {graph_node('meta')} {{ {store_node()} kg:generation ?g }} }} LIMIT 1"
        )
        return rows[0]["g"].value if rows else None

    def post_hashes(self, post_iris: Sequence[str]) -> dict[str, str]:
        """post IRI → stored content hash, for the posts that are in the store."""
        if not post_iris:
            return {}
        values = " ".join(f"<{p}>" for p in post_iris)
        rows = self.select(
            sparql_prefixes()
            + f"SELECT ?p ?h WHERE {{ VALUES ?p {{ {values} }} GRAPH ?p {{ ?p kg:contentHash ?h }} }}"
        )
        return {r["p"].value: r["h"].value for r in rows}

    def memberships_in(self, post_iris: Sequence[str]) -> set[str]:
        if not post_iris:
            return set()
        values = " ".join(f"<{p}>" for p in post_iris)
        rows = self.select(
            sparql_prefixes()
            + f"SELECT DISTINCT ?m WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?m kg:attestedOn ?d }} }}"
        )
        return {r["m"].value for r in rows}

    def replace_posts(self, posts: Sequence[tuple[str, list[ox.Quad]]]) -> None:
        """Write whole posts: each post's graph is replaced by its new quads, atomically."""
        if not posts:
            return
        iris = [p for p, _ in posts]
        memberships = self.memberships_in(iris)
        for _, quads in posts:
            for q in quads:
                if q.predicate.value == iri("kg:attestedOn") and isinstance(q.subject, ox.NamedNode):
                    memberships.add(q.subject.value)
        ops = [op for p in iris for op in _drop_graph_ops(f"<{p}>")]
        ops += _insert_ops([q for _, quads in posts for q in quads])
        self.update(sparql_prefixes() + " ;\n".join(ops + _derived_ops(memberships) + _generation_ops()))

    def remove_posts(self, post_iris: Sequence[str]) -> int:
        present = list(self.post_hashes(post_iris))
        if not present:
            return 0
        memberships = self.memberships_in(present)
        ops = [op for p in present for op in _drop_graph_ops(f"<{p}>")]
        self.update(sparql_prefixes() + " ;\n".join(ops + _derived_ops(memberships) + _generation_ops()))
        return len(present)

    def replace_graph(self, name: str, quads: Iterable[ox.Quad]) -> None:
        g = graph_node(name)
        ops = _drop_graph_ops(str(g)) + _insert_ops(list(quads))
        self.update(sparql_prefixes() + " ;\n".join(ops + _generation_ops()))

    def post_iris(self) -> list[str]:
        rows = self.select(
            sparql_prefixes() + "SELECT ?p WHERE { GRAPH ?p { ?p a schema:Article } } ORDER BY ?p"
        )
        return [r["p"].value for r in rows]


def _drop_graph_ops(graph: str) -> list[str]:
    """Drop a named graph and the triples of the merged default graph that only it stated."""
    return [
        f"""DELETE {{ ?s ?p ?o }} WHERE {{ GRAPH {graph} {{ ?s ?p ?o }}
  FILTER NOT EXISTS {{ GRAPH ?other {{ ?s ?p ?o }} FILTER(?other != {graph}) }} }}""",
        f"DROP SILENT GRAPH {graph}",
    ]


def _insert_ops(quads: list[ox.Quad]) -> list[str]:
    """Insert quads into their named graphs and their triples into the merged default graph."""
    if not quads:
        return []
    triples = "\n".join(dict.fromkeys(f"{q.subject} {q.predicate} {q.object} ." for q in quads))
    return [f"INSERT DATA {{\n{quads_data(quads)}\n{triples}\n}}"]


def _generation_ops() -> list[str]:
    meta = graph_node("meta")
    node = store_node()
    return [
        f"DELETE WHERE {{ GRAPH {meta} {{ {node} kg:generation ?old }} }}",
        f'INSERT DATA {{ GRAPH {meta} {{ {node} kg:generation "{uuid.uuid4()}" }} }}',
    ]


def _derived_ops(memberships: set[str]) -> list[str]:
    """Recompute org:memberDuring of the given memberships from their attestation dates.

    The interval and its instants have IRIs derived from the membership's, so the old
    ones are deleted by name (a pattern search over the derived graph is slow on big stores).
    """
    if not memberships:
        return []
    derived = graph_node("derived")
    ms = sorted(memberships)
    values = " ".join(f"<{m}>" for m in ms)
    nodes = " ".join(f"<{m}{suffix}>" for m in ms for suffix in ("/during", "/during/begin", "/during/end"))
    return [
        f"""DELETE {{ GRAPH {derived} {{ ?s ?p ?o }} ?s ?p ?o }}
WHERE {{ VALUES ?s {{ {nodes} }} GRAPH {derived} {{ ?s ?p ?o }} }}""",
        f"""DELETE {{ GRAPH {derived} {{ ?m org:memberDuring ?i }} ?m org:memberDuring ?i }}
WHERE {{ VALUES ?m {{ {values} }} GRAPH {derived} {{ ?m org:memberDuring ?i }} }}""",
        f"""INSERT {{ GRAPH {derived} {{
  ?m org:memberDuring ?i . ?i a time:Interval ; time:hasBeginning ?b ; time:hasEnd ?e ;
     prov:wasDerivedFrom ?m .
  ?b a time:Instant ; time:inXSDDate ?first . ?e a time:Instant ; time:inXSDDate ?last }}
  ?m org:memberDuring ?i . ?i a time:Interval ; time:hasBeginning ?b ; time:hasEnd ?e ;
     prov:wasDerivedFrom ?m .
  ?b a time:Instant ; time:inXSDDate ?first . ?e a time:Instant ; time:inXSDDate ?last }}
WHERE {{ {{ SELECT ?m (MIN(?d) AS ?first) (MAX(?d) AS ?last) WHERE {{
    VALUES ?m {{ {values} }} GRAPH ?g {{ ?m kg:attestedOn ?d }} }} GROUP BY ?m }}
  BIND(IRI(CONCAT(STR(?m), "/during")) AS ?i)
  BIND(IRI(CONCAT(STR(?m), "/during/begin")) AS ?b)
  BIND(IRI(CONCAT(STR(?m), "/during/end")) AS ?e) }}""",
    ]


class OxigraphStore(Store):
    """Embedded Oxigraph: a folder on disk, or memory when `path` is None."""

    def __init__(self, path: str | Path | None = None, read_only: bool = False) -> None:
        self.path = Path(path) if path is not None else None
        try:
            if self.path is None:
                self.db = ox.Store()
            elif read_only:
                self.db = ox.Store.read_only(str(self.path))
            else:
                self.path.mkdir(parents=True, exist_ok=True)
                self.db = ox.Store(str(self.path))
        except OSError as exc:
            if "lock" in str(exc).lower():
                raise KgError(
                    f"the store {self.path} is in use by another kg process (is `kg serve` running?); "
                    "stop it, or point --store / KG_STORE at that server's URL"
                ) from exc
            raise KgError(f"cannot open the store {self.path}: {exc}") from exc

    def _query(self, query: str) -> Any:
        return self.db.query(query)

    def select(self, query: str) -> list[Row]:
        result = self._query(query)
        names = [v.value for v in result.variables]
        return [{n: t for n, t in zip(names, sol, strict=True) if t is not None} for sol in result]

    def ask(self, query: str) -> bool:
        return bool(self._query(query))

    def construct(self, query: str) -> list[ox.Triple]:
        return list(self._query(query))

    # RocksDB keeps written data in memtables until a flush; Oxigraph does not bound them,
    # so a long ingest grows ~1 KB of RAM per quad. Flushing every few MB of updates keeps
    # memory flat (measured: 1.1 GB vs 0.1 GB after 1.2 M quads).
    FLUSH_EVERY_BYTES = 32 * 2**20

    def update(self, update: str) -> None:
        self.db.update(update)
        if self.path is not None:
            self._unflushed = getattr(self, "_unflushed", 0) + len(update)
            if self._unflushed > self.FLUSH_EVERY_BYTES:
                self.db.flush()
                self._unflushed = 0

    def dump(self, fmt: str) -> bytes:
        rdf = RDF_FORMATS[fmt]
        if fmt in DATASET_FORMATS:
            return ox.serialize(self.db, format=rdf, prefixes=prefix_map()) or b""
        # a graph format: the merged default graph
        triples = (q.triple for q in self.db.quads_for_pattern(None, None, None, ox.DefaultGraph()))
        return ox.serialize(triples, format=rdf, prefixes=prefix_map()) or b""

    def load(self, data: bytes, fmt: str, graph: str | None = None) -> None:
        to_graph = ox.NamedNode(graph) if graph else None
        if to_graph is not None:
            self.db.load(data, format=RDF_FORMATS[fmt], to_graph=to_graph)
        else:
            self.db.load(data, format=RDF_FORMATS[fmt])

    # -- user queries: a time limit and a row cap -------------------------------------------
    #
    # pyoxigraph cannot cancel a running query. User queries therefore run on a small pool
    # of threads (evaluation releases the GIL): the caller waits at most `timeout` and then
    # answers 503. A query that streams its solutions is really stopped (the worker checks
    # a flag between solutions); one that blocks inside a single step (ORDER BY, GROUP BY)
    # runs on, but it keeps its slot, so at most `query_slots` such queries burn CPU and
    # further queries are answered "busy" instead of piling up. `kg serve` avoids this by
    # running an Oxigraph server, which does cancel.

    query_slots = 2

    def _slots(self) -> threading.BoundedSemaphore:
        slots: threading.BoundedSemaphore | None = getattr(self, "_query_slots", None)
        if slots is None:
            with _POOL_LOCK:
                slots = getattr(self, "_query_slots", None)
                if slots is None:
                    slots = threading.BoundedSemaphore(self.query_slots)
                    self._query_slots = slots
        return slots

    def evaluate(
        self,
        query: str,
        form: str,
        dataset: Dataset | None = None,
        timeout: float | None = None,
        max_rows: int | None = None,
    ) -> RawResult:
        from kg.sparql import QueryTimeout, StoreBusy

        begun = time.monotonic()
        slots = self._slots()
        if not slots.acquire(timeout=timeout if timeout is not None else -1):
            raise StoreBusy(
                f"no query slot came free within {timeout:g} s (other queries are running); try again"
            )
        cancel = threading.Event()
        started = threading.Event()
        future: Future[RawResult] = Future()

        def work() -> None:
            try:
                future.set_result(self._evaluate(query, form, dataset, max_rows, cancel, started))
            except BaseException as exc:  # delivered to the caller through the future
                future.set_exception(exc)
            finally:
                slots.release()

        # daemon threads: a query left running after its time limit must not keep the
        # process alive at exit (a thread pool's workers would be joined)
        threading.Thread(target=work, name="kg-query", daemon=True).start()
        remaining = None if timeout is None else max(0.0, timeout - (time.monotonic() - begun))
        try:
            return future.result(remaining)
        except FutureTimeout:
            cancel.set()
            raise QueryTimeout(f"the query ran longer than the time limit of {timeout:g} s") from None

    def _evaluate(
        self,
        query: str,
        form: str,
        dataset: Dataset | None,
        max_rows: int | None,
        cancel: threading.Event,
        started: threading.Event,
    ) -> RawResult:
        from kg.sparql import QueryTimeout, SparqlError, SparqlSyntaxError, tsv_line

        started.set()
        kwargs: dict[str, Any] = {}
        if dataset is not None and dataset.default is not None:
            kwargs["default_graph"] = [ox.NamedNode(g) for g in dataset.default]
        if dataset is not None and dataset.named is not None:
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in dataset.named]
        try:
            result = self.db.query(query, **kwargs)
        except SyntaxError as exc:
            raise SparqlSyntaxError(str(exc)) from exc
        except (OSError, ValueError) as exc:
            raise SparqlError(f"the query failed: {exc}") from exc
        cap = max_rows if max_rows is not None else -1
        rows = 0
        truncated = False
        try:
            if isinstance(result, ox.QuerySolutions):
                names = [v.value for v in result.variables]
                lines = [tsv_line([f"?{n}" for n in names])]
                for solution in result:
                    if cancel.is_set():
                        raise QueryTimeout("the query was stopped at the time limit")
                    if rows == cap:
                        truncated = True
                        break
                    lines.append(tsv_line([solution[n] for n in names]))
                    rows += 1
                return RawResult(form, ("\n".join(lines) + "\n").encode("utf-8"), rows, truncated)
            if isinstance(result, ox.QueryTriples):
                out = []
                for triple in result:
                    if cancel.is_set():
                        raise QueryTimeout("the query was stopped at the time limit")
                    if rows == cap:
                        truncated = True
                        break
                    out.append(f"{triple.subject} {triple.predicate} {triple.object} .\n")
                    rows += 1
                return RawResult(form, "".join(out).encode("utf-8"), rows, truncated)
            return RawResult("ASK", b"true" if bool(result) else b"false", 1)
        except OSError as exc:
            raise SparqlError(f"the query failed: {exc}") from exc

    def close(self) -> None:
        if self.path is not None:
            self.db.flush()


_POOL_LOCK = threading.Lock()


def open_store(spec: str | None = None, read_only: bool = False) -> Store:
    """`memory`, a folder path, or an http(s) URL of a SPARQL endpoint."""
    if spec is None:
        from kg.config import Settings

        spec = Settings().store
    if spec in ("memory", ":memory:"):
        return OxigraphStore(None)
    if spec.startswith(("http://", "https://")):
        from kg.remote import RemoteStore

        return RemoteStore(spec)
    return OxigraphStore(spec, read_only=read_only)
