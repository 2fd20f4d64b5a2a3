"""What every store is: the `Store` interface, the forms answers take, the errors a query can
meet, and the SPARQL Update text that writes whole posts.

The backends (`kg.store.oxigraph`, `kg.store.remote`) and the protocol layer (`kg.sparql`)
depend on this module and on nothing of each other. `replace_posts` / `remove_posts` write
each post's named graph atomically (one SPARQL Update request per batch of whole posts)
together with the derived membership intervals and the store's generation marker.
"""

from __future__ import annotations

import uuid
from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from kg.model import KgError
from kg.vocab.ontology import base, data_iri, iri, mapping, prefixes, sparql_prefixes

Row = dict[str, Any]  # variable name → pyoxigraph term


def prefix_map() -> dict[str, str]:
    """The ontology's prefixes (and `kgr:` for kg's own resources), for serialisers."""
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


# -- errors a user query can meet ----------------------------------------------------------


class SparqlError(KgError):
    """A query the store or the endpoint cannot answer (the web layer maps each kind to an HTTP status)."""


class SparqlSyntaxError(SparqlError):
    """The query or update does not parse; the message is the parser's."""


class QueryRefused(SparqlError):
    """A query or update this endpoint will not run (an update without the admin token, SERVICE, LOAD)."""


class QueryTimeout(SparqlError):
    """The query ran past the time limit and was stopped."""


class StoreBusy(SparqlError):
    """No query slot came free in time."""


class StoreUnavailable(SparqlError):
    """The store did not answer, or answered something unreadable."""


class NotAcceptable(SparqlError):
    """None of the client's acceptable formats can carry the result."""


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


def tsv_line(values: list[Any]) -> str:
    """One TSV result row; pyoxigraph terms print in the N-Triples syntax TSV uses."""
    return "\t".join("" if v is None else str(v) for v in values)


@dataclass(frozen=True)
class RawResult:
    """A user query's answer in the stores' interchange form (see kg.sparql.protocol).

    SELECT: TSV (header line, one solution per line); ASK: b"true"/b"false";
    CONSTRUCT/DESCRIBE: N-Triples. `truncated` when more than `max_rows` rows existed.
    """

    form: str
    data: bytes
    rows: int
    truncated: bool = False


@dataclass(frozen=True)
class PostState:
    """What the store remembers of how a post was made: its content hash and the version of
    the extractor that read it (None for posts written before versions were recorded)."""

    content_hash: str
    extractor_version: str | None


class Store(ABC):
    """The operations kg needs from a quad store.

    The store's default graph holds the set union of all named graphs except kg's
    bookkeeping graphs (meta: generation and base; changes: the change log), kept up to date
    by every write, so a query without GRAPH sees each triple
    once, the way Jena's or GraphDB's union default graph behaves. The SPARQL endpoint can
    hide it (`Settings.union_default_graph = False`): user queries then get an empty
    default graph and must name graphs. The library's own queries always use it.

    A store that has no writable default graph of its own (Virtuoso: every triple is in some
    graph) keeps the union in the named graph `union_graph` instead, and its reads are set up
    to take that graph as their default graph (kg.store.dialect).
    """

    union_graph: str | None = None  # None: the union lives in the store's own default graph

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

        Raises kg.sparql.protocol.SparqlSyntaxError with the parser's message, QueryTimeout when
        the time is up, StoreBusy when no query slot came free in time.
        """

    def select_tsv(self, query: str) -> bytes:
        """A SELECT answer as TSV bytes (header line first); backends send it the cheapest way they have."""
        return self.evaluate(query, "SELECT").data

    def close(self) -> None:  # noqa: B027  (optional hook)
        """Release resources; the default has none."""

    # -- shared logic, written in SPARQL so it runs on any store ------------------------

    def quad_count(self) -> int:
        """Quads of the data: every named graph but kg's bookkeeping graphs (generation, change log)."""
        skip = " && ".join(f"?g != <{g}>" for g in bookkeeping_graphs())
        rows = self.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER({skip}) }}")
        return int(rows[0]["n"].value) if rows else 0

    def generation(self) -> str | None:
        rows = self.select(
            sparql_prefixes()
            + f"SELECT ?g WHERE {{ GRAPH {graph_node('meta')} {{ {store_node()} kg:generation ?g }} }} LIMIT 1"
        )
        return rows[0]["g"].value if rows else None

    def post_hashes(self, post_iris: Sequence[str]) -> dict[str, str]:
        """post IRI → stored content hash, for the posts that are in the store."""
        return {p: state.content_hash for p, state in self.post_states(post_iris).items()}

    def post_states(self, post_iris: Sequence[str]) -> dict[str, PostState]:
        """post IRI → its stored content hash and extractor version, for the posts in the store."""
        if not post_iris:
            return {}
        values = " ".join(f"<{p}>" for p in post_iris)
        rows = self.select(
            sparql_prefixes()
            + f"""SELECT ?p ?h ?v WHERE {{ VALUES ?p {{ {values} }}
  {{ GRAPH ?p {{ ?p kg:contentHash ?h }} }} UNION {{ GRAPH ?p {{ ?p kg:extractorVersion ?v }} }} }}"""
        )
        hashes: dict[str, str] = {}
        versions: dict[str, str] = {}
        for r in rows:
            if "h" in r:
                hashes[r["p"].value] = r["h"].value
            if "v" in r:
                versions[r["p"].value] = r["v"].value
        return {p: PostState(h, versions.get(p)) for p, h in hashes.items()}

    def memberships_in(self, post_iris: Sequence[str]) -> set[str]:
        if not post_iris:
            return set()
        values = " ".join(f"<{p}>" for p in post_iris)
        rows = self.select(
            sparql_prefixes()
            + f"SELECT DISTINCT ?m WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?m kg:attestedOn ?d }} }}"
        )
        return {r["m"].value for r in rows}

    def replace_posts(self, posts: Sequence[tuple[str, list[ox.Quad]]], log: Sequence[ox.Quad] = ()) -> None:
        """Write whole posts: each post's graph is replaced by its new quads, atomically.

        `log`: quads of kg's own bookkeeping graphs (the change log) written in the same
        update and kept out of the merged default graph.
        """
        if not posts:
            return
        iris = [p for p, _ in posts]
        memberships = self.memberships_in(iris)
        for _, quads in posts:
            for q in quads:
                if q.predicate.value == iri("kg:attestedOn") and isinstance(q.subject, ox.NamedNode):
                    memberships.add(q.subject.value)
        union = self.union_graph
        ops = [op for p in iris for op in drop_graph_ops(f"<{p}>", union)]
        ops += insert_ops([q for _, quads in posts for q in quads], union)
        ops += log_ops(log)
        self.update(sparql_prefixes() + " ;\n".join(ops + derived_ops(memberships, union) + generation_ops()))

    def remove_posts(self, post_iris: Sequence[str], log: Sequence[ox.Quad] = ()) -> int:
        """Drop the posts that are in the store (with `log` written in the same update, as in
        `replace_posts`); the number dropped."""
        present = list(self.post_hashes(post_iris))
        if not present:
            return 0
        memberships = self.memberships_in(present)
        union = self.union_graph
        ops = [op for p in present for op in drop_graph_ops(f"<{p}>", union)] + log_ops(log)
        self.update(sparql_prefixes() + " ;\n".join(ops + derived_ops(memberships, union) + generation_ops()))
        return len(present)

    def write_log(self, log: Sequence[ox.Quad]) -> None:
        """Add quads to kg's bookkeeping graphs only (no post changes: the generation stays)."""
        if log:
            self.update(sparql_prefixes() + " ;\n".join(log_ops(log)))

    def replace_graph(self, name: str, quads: Iterable[ox.Quad]) -> None:
        g = graph_node(name)
        ops = drop_graph_ops(str(g), self.union_graph) + insert_ops(list(quads), self.union_graph)
        self.update(sparql_prefixes() + " ;\n".join(ops + generation_ops()))

    def post_iris(self) -> list[str]:
        rows = self.select(
            sparql_prefixes() + "SELECT ?p WHERE { GRAPH ?p { ?p a schema:Article } } ORDER BY ?p"
        )
        return [r["p"].value for r in rows]


def in_default(triples: str, union: str | None = None) -> str:
    """Triples (a template or data block) in the merged default graph: the store's own, or
    the named graph `union` that stands for it (see `Store.union_graph`)."""
    return triples if union is None else f"GRAPH <{union}> {{ {triples} }}"


def drop_graph_ops(graph: str, union: str | None = None) -> list[str]:
    """Drop a named graph and the triples of the merged default graph that only it stated."""
    others = f"?other != {graph}" + (f" && ?other != <{union}>" if union else "")
    return [
        f"""DELETE {{ {in_default("?s ?p ?o", union)} }} WHERE {{ GRAPH {graph} {{ ?s ?p ?o }}
  FILTER NOT EXISTS {{ GRAPH ?other {{ ?s ?p ?o }} FILTER({others}) }} }}""",
        f"DROP SILENT GRAPH {graph}",
    ]


INSERT_CHUNK = 1000  # triples per INSERT DATA operation (Virtuoso's parser gives up near 5,000)


def insert_ops(quads: list[ox.Quad], union: str | None = None) -> list[str]:
    """Insert quads into their named graphs and their triples into the merged default graph."""
    triples = list(dict.fromkeys(f"{q.subject} {q.predicate} {q.object} ." for q in quads))
    ops = [
        f"INSERT DATA {{\n{quads_data(quads[at : at + INSERT_CHUNK])}\n}}"
        for at in range(0, len(quads), INSERT_CHUNK)
    ]
    ops += [
        f"INSERT DATA {{\n{in_default(chr(10).join(triples[at : at + INSERT_CHUNK]), union)}\n}}"
        for at in range(0, len(triples), INSERT_CHUNK)
    ]
    return ops


def union_ops() -> list[str]:
    """Make the default graph the union of the named graphs again (after a write that did not keep
    it, e.g. an admin's SPARQL Update): drop default-graph triples no named graph states, add the
    named graphs' triples it lacks. The meta graph (the generation marker) stays out of it."""
    meta = graph_node("meta")
    return [
        f"""DELETE {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o
  FILTER NOT EXISTS {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != {meta}) }} }}""",
        f"INSERT {{ ?s ?p ?o }} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != {meta}) }}",
    ]


def log_ops(quads: Sequence[ox.Quad]) -> list[str]:
    """Insert quads into their (bookkeeping) graphs only, not into the merged default graph."""
    return [f"INSERT DATA {{\n{quads_data(quads)}\n}}"] if quads else []


BOOKKEEPING_GRAPHS = ("meta", "changes")  # kg's own records: not in the default graph, not data


def bookkeeping_graphs() -> tuple[str, ...]:
    """IRIs of the graphs kg keeps about the store (generation, base, change log), which are not
    part of the published data."""
    return tuple(graph_node(name).value for name in BOOKKEEPING_GRAPHS)


def check_base(store: Store, record: bool = True) -> None:
    """Refuse a store whose data IRIs were made under another base than this process's
    (KG_BASE_IRI): writing would mix two bases in one graph. With `record`, writes the base
    (as the store's void:uriSpace in the meta graph) when none is recorded yet."""
    space = data_iri("id/")
    rows = store.select(sparql_prefixes() + "SELECT DISTINCT ?b WHERE { GRAPH ?g { ?s void:uriSpace ?b } }")
    recorded = {r["b"].value for r in rows}
    if not recorded:  # written before bases were recorded: is any post outside this base?
        stray = store.select(
            sparql_prefixes()
            + f"""SELECT ?g WHERE {{ GRAPH ?g {{ ?g a schema:Article }}
  FILTER(!STRSTARTS(STR(?g), {ox.Literal(space)})) }} LIMIT 1"""
        )
        recorded = {r["g"].value.rsplit("post/", 1)[0] for r in stray}
    other = sorted(recorded - {space})
    if other:
        theirs = other[0].removesuffix("id/")
        raise KgError(
            f"the store holds data made under the base IRI {theirs}, but this process uses {base()} "
            f"(KG_BASE_IRI): set KG_BASE_IRI={theirs}, or re-base the graph with "
            f"`kg export --base {base()}` and load that into a new store"
        )
    if record and not rows:
        meta = graph_node("meta")
        store.update(
            sparql_prefixes()
            + f"INSERT DATA {{ GRAPH {meta} {{ {store_node()} a void:Dataset ; void:uriSpace {ox.Literal(space)} }} }}"
        )


def generation_ops() -> list[str]:
    """Mark a new store generation (written with full IRIs: it may follow any update text)."""
    meta = graph_node("meta")
    node = store_node()
    generation = f"<{iri('kg:generation')}>"
    return [
        f"DELETE WHERE {{ GRAPH {meta} {{ {node} {generation} ?old }} }}",
        f'INSERT DATA {{ GRAPH {meta} {{ {node} {generation} "{uuid.uuid4()}" }} }}',
    ]


INTERVAL_TEMPLATE = """?m org:memberDuring ?i . ?i a time:Interval ; time:hasBeginning ?b ; time:hasEnd ?e ;
     prov:wasDerivedFrom ?m .
  ?b a time:Instant ; time:inXSDDate ?first . ?e a time:Instant ; time:inXSDDate ?last ."""


DERIVED_CHUNK = 500  # memberships per operation: Virtuoso refuses VALUES of ~6,000 IRIs (SP030)


def derived_ops(memberships: set[str], union: str | None = None) -> list[str]:
    """Recompute org:memberDuring of the given memberships from their attestation dates.

    The interval and its instants have IRIs derived from the membership's, so the old
    ones are deleted by name (a pattern search over the derived graph is slow on big stores).
    At most DERIVED_CHUNK memberships go into one operation.
    """
    ms = sorted(memberships)
    return [
        op
        for at in range(0, len(ms), DERIVED_CHUNK)
        for op in _derived_ops(ms[at : at + DERIVED_CHUNK], union)
    ]


def _derived_ops(ms: list[str], union: str | None) -> list[str]:
    derived = graph_node("derived")
    values = " ".join(f"<{m}>" for m in ms)
    nodes = " ".join(f"<{m}{suffix}>" for m in ms for suffix in ("/during", "/during/begin", "/during/end"))
    return [
        f"""DELETE {{ GRAPH {derived} {{ ?s ?p ?o }} {in_default("?s ?p ?o", union)} }}
WHERE {{ VALUES ?s {{ {nodes} }} GRAPH {derived} {{ ?s ?p ?o }} }}""",
        f"""DELETE {{ GRAPH {derived} {{ ?m org:memberDuring ?i }} {in_default("?m org:memberDuring ?i", union)} }}
WHERE {{ VALUES ?m {{ {values} }} GRAPH {derived} {{ ?m org:memberDuring ?i }} }}""",
        f"""INSERT {{ GRAPH {derived} {{ {INTERVAL_TEMPLATE} }}
  {in_default(INTERVAL_TEMPLATE, union)} }}
WHERE {{ {{ SELECT ?m (MIN(?d) AS ?first) (MAX(?d) AS ?last) WHERE {{
    VALUES ?m {{ {values} }} GRAPH ?g {{ ?m kg:attestedOn ?d }} }} GROUP BY ?m }}
  BIND(IRI(CONCAT(STR(?m), "/during")) AS ?i)
  BIND(IRI(CONCAT(STR(?m), "/during/begin")) AS ?b)
  BIND(IRI(CONCAT(STR(?m), "/during/end")) AS ?e) }}""",
    ]


def interval_quads(membership: str, first: ox.Literal, last: ox.Literal) -> list[ox.Quad]:
    """The derived interval of one membership, as `derived_ops` writes it (INTERVAL_TEMPLATE):
    for loaders that compute the dates with a query and write the quads themselves."""
    derived = graph_node("derived")
    m = ox.NamedNode(membership)
    i, b, e = (ox.NamedNode(membership + suffix) for suffix in ("/during", "/during/begin", "/during/end"))
    a = ox.NamedNode(iri("rdf:type"))
    instant = ox.NamedNode(iri("time:Instant"))
    date = ox.NamedNode(iri("time:inXSDDate"))
    return [
        ox.Quad(m, ox.NamedNode(iri("org:memberDuring")), i, derived),
        ox.Quad(i, a, ox.NamedNode(iri("time:Interval")), derived),
        ox.Quad(i, ox.NamedNode(iri("time:hasBeginning")), b, derived),
        ox.Quad(i, ox.NamedNode(iri("time:hasEnd")), e, derived),
        ox.Quad(i, ox.NamedNode(iri("prov:wasDerivedFrom")), m, derived),
        ox.Quad(b, a, instant, derived),
        ox.Quad(b, date, first, derived),
        ox.Quad(e, a, instant, derived),
        ox.Quad(e, date, last, derived),
    ]


def interval_dates_query(memberships: Iterable[str]) -> str:
    """SELECT ?m ?first ?last: the first and last attestation date of each membership that has
    any (the dates `derived_ops` writes)."""
    values = " ".join(f"<{m}>" for m in memberships)
    return sparql_prefixes() + (
        f"SELECT ?m (MIN(?d) AS ?first) (MAX(?d) AS ?last) WHERE {{ VALUES ?m {{ {values} }} "
        "GRAPH ?g { ?m kg:attestedOn ?d } } GROUP BY ?m"
    )


def interval_delete_ops(memberships: list[str], union: str | None = None) -> list[str]:
    """Delete the derived intervals of `memberships` (the first two operations of `derived_ops`)."""
    return [
        op
        for at in range(0, len(memberships), DERIVED_CHUNK)
        for op in _derived_ops(memberships[at : at + DERIVED_CHUNK], union)[:2]
    ]
