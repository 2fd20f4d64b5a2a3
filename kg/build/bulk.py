"""`kg load` at the speed of the store: bulk-load the post graphs with the store's own loader,
then derive the merged default graph and the membership intervals in one pass.

Every file is read through first (kg.build.bulkscan: one parse, in parts on several cores for
large files; the embedded store's post quads are staged there for its loader), so a broken file
is skipped whole before anything is written. The store's bulk loader is not transactional
(pyoxigraph's `bulk_load`, Virtuoso's `rdf_loader_run`), so the guarantees `kg load` gives on the
slow path (atomic batches of whole posts) are kept with an intent record instead:

1. one atomic update drops the earlier version of every post about to be loaded and records
   the posts in the meta graph (`kg:loadingPost`);
2. the files are bulk-loaded, post graphs only (the embedded store: with their default-graph
   triples in the same load);
3. the posts' triples go into the merged default graph (Virtuoso: in SQL);
4. the intervals of every membership the posts attest are derived again, then one update drops
   the record and moves the generation.

A load stopped anywhere in 2–4 leaves the record; the next `kg load` first removes those posts
whole (graphs, default-graph triples no other graph states, intervals), so the store only ever
keeps whole posts, and loading the same files again finishes the job.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox

from kg.build.bulkscan import ScannedFile, scan_files
from kg.build.changelog import ChangeLog
from kg.build.shards import LoadReport
from kg.store.base import (
    DERIVED_CHUNK,
    Store,
    derived_ops,
    drop_graph_ops,
    generation_ops,
    graph_node,
    interval_dates_query,
    interval_delete_ops,
    interval_quads,
    store_node,
)
from kg.store.virtuoso import Isql, bulk_load, sql_string
from kg.vocab.ontology import sparql_prefixes

CHUNK = 2000  # posts or memberships per operation
LOADING = "kg:loadingPost"


class BulkLoader(Protocol):
    """A store's own fast path for post graphs."""

    name: str
    # whether `scan` writes each file's post quads to a staging file for `load` (and with
    # `copies`, each quad's triple in the default graph beside it)
    stages: bool
    copies: bool

    def load(self, files: Sequence[ScannedFile], owner: dict[str, Path]) -> None:
        """Write the quads of each file's posts that the file owns (`owner`: post → the last file
        naming it), nothing else."""

    def union(self, posts: Sequence[str]) -> None:
        """Put every triple of these post graphs into the merged default graph."""

    def intervals(self, store: Store, memberships: set[str]) -> None:
        """Derive the membership intervals of `memberships` again (`recompute_intervals`)."""


def _chunks(items: Sequence[str], size: int = CHUNK) -> Iterator[Sequence[str]]:
    for at in range(0, len(items), size):
        yield items[at : at + size]


def _values(items: Iterable[str]) -> str:
    return " ".join(f"<{i}>" for i in items)


def unfinished(store: Store) -> list[str]:
    """Posts of a bulk load that did not finish."""
    meta = graph_node("meta")
    rows = store.select(
        sparql_prefixes() + f"SELECT ?p WHERE {{ GRAPH {meta} {{ {store_node()} {LOADING} ?p }} }}"
    )
    return sorted(r["p"].value for r in rows)


def undo_unfinished(store: Store) -> int:
    """Remove the posts of an interrupted bulk load whole; how many there were."""
    posts = unfinished(store)
    if not posts:
        return 0
    memberships: set[str] = set()
    for chunk in _chunks(posts):
        memberships |= store.memberships_in(chunk)
    for chunk in _chunks(posts, 200):
        store.update(
            sparql_prefixes()
            + " ;\n".join(op for p in chunk for op in drop_graph_ops(f"<{p}>", store.union_graph))
        )
    _finish(store, memberships, posts)
    return len(posts)


def recompute_intervals(store: Store, memberships: set[str]) -> None:
    """The membership intervals of `memberships` derived again, DERIVED_CHUNK memberships per
    update request: one request for all of thousands is more than Virtuoso compiles (SQ199).
    Not atomic as a whole; the bulk loader's record (`LOADING`) covers an interruption."""
    ms = sorted(memberships)
    for at in range(0, len(ms), DERIVED_CHUNK):
        store.update(
            sparql_prefixes() + " ;\n".join(derived_ops(set(ms[at : at + DERIVED_CHUNK]), store.union_graph))
        )


DATES_CHUNK = 5000  # memberships per query of `interval_dates_query` on the embedded store


def derive_intervals(store: Store, memberships: set[str], write: Callable[[list[ox.Quad]], None]) -> None:
    """`recompute_intervals` with the dates read by a query and the intervals written by
    `write` (a bulk writer that also puts each triple in the merged default graph): the same
    quads, without an update per chunk (measured at 6,221 memberships: 0.7 s of queries where
    the updates took 7 s). Old intervals are deleted first, by name, for the memberships that
    have one. Not atomic; covered by the bulk loader's record like `recompute_intervals`."""
    ms = sorted(memberships)
    derived = graph_node("derived")
    quads: list[ox.Quad] = []
    stale: list[str] = []
    for chunk in _chunks(ms, DATES_CHUNK):
        for row in store.select(interval_dates_query(chunk)):
            quads += interval_quads(row["m"].value, row["first"], row["last"])
        stale += [
            r["m"].value
            for r in store.select(
                sparql_prefixes()
                + f"SELECT ?m WHERE {{ VALUES ?m {{ {_values(chunk)} }} GRAPH {derived} {{ ?m org:memberDuring ?i }} }}"
            )
        ]
    for at in range(0, len(stale), DERIVED_CHUNK):
        store.update(
            sparql_prefixes()
            + " ;\n".join(interval_delete_ops(stale[at : at + DERIVED_CHUNK], store.union_graph))
        )
    if quads:
        write(quads)


def _finish(
    store: Store, memberships: set[str], posts: Sequence[str], loader: BulkLoader | None = None
) -> None:
    """Intervals of `memberships` recomputed (by the loader when there is one), then the record
    of `posts` dropped and a new generation marked in one update."""
    if loader is None:
        recompute_intervals(store, memberships)
    else:
        loader.intervals(store, memberships)
    meta = graph_node("meta")
    ops = [
        f"DELETE DATA {{ GRAPH {meta} {{ {' '.join(f'{store_node()} {LOADING} <{p}> .' for p in chunk)} }} }}"
        for chunk in _chunks(list(posts))
    ]
    store.update(sparql_prefixes() + " ;\n".join([*ops, *generation_ops()]))


def load_files_bulk(store: Store, paths: Iterable[Path], loader: BulkLoader) -> LoadReport:
    """`kg load` through the store's own bulk loader (see the module's docstring).

    The run is recorded in the change log as a kg:Load with its counts of posts added and
    changed; its facts are not itemised per post (that would read every post twice), so a
    mirror following /changes takes a release after a bulk load (docs/changes.md)."""
    log = ChangeLog(store, "load")
    log.start()  # refuses a store built under another base IRI before anything is written
    report = LoadReport(undone=undo_unfinished(store), run=log.id)
    with tempfile.TemporaryDirectory(prefix="kg-load-") as folder:
        files, errors = scan_files(list(paths), Path(folder) if loader.stages else None, loader.copies)
        report.errors += errors
        _load_scanned(store, files, loader, log, report)
    return report


def _load_scanned(
    store: Store, files: list[ScannedFile], loader: BulkLoader, log: ChangeLog, report: LoadReport
) -> None:
    owner: dict[str, Path] = {}
    memberships: set[str] = set()
    for found in files:
        for post in found.posts:
            owner[post] = found.path
        memberships |= found.memberships
    posts = sorted(owner)
    meta = graph_node("meta")
    # 1. earlier versions out, the record in: one update
    present = set()
    for chunk in _chunks(posts):
        present |= set(store.post_hashes(list(chunk)))
        memberships |= store.memberships_in(list(chunk))
    ops = [op for p in sorted(present) for op in drop_graph_ops(f"<{p}>", store.union_graph)]
    ops += [
        f"INSERT DATA {{ GRAPH {meta} {{ {' '.join(f'{store_node()} {LOADING} <{p}> .' for p in chunk)} }} }}"
        for chunk in _chunks(posts)
    ]
    if ops:
        store.update(sparql_prefixes() + " ;\n".join(ops))
    # 2. the post graphs, by the store's loader; the reference graphs the usual way
    loader.load([f for f in files if f.posts], owner)
    for found in files:
        for name, quads in found.reference.items():
            store.replace_graph(name, quads)
            report.graphs += 1
    # 3. their triples into the merged default graph; 4. intervals, record, generation
    loader.union(posts)
    _finish(store, memberships, posts, loader)
    log.counts["postsAdded"] = len(posts) - len(present)
    log.counts["postsChanged"] = len(present)
    log.finish()
    report.files = len(files)
    report.posts = len(posts)
    report.ignored = sum(f.ignored for f in files)


class OxigraphBulk:
    """The embedded store: pyoxigraph's bulk loader (Rust, RocksDB files written directly, every
    core) reading the staging files `scan_files` wrote, where each post quad is followed by its
    triple in the default graph: the post graphs and the merged default graph in one load, and
    no quad goes through Python after the scan. The earlier way (a second parse feeding
    `bulk_extend` from a Python generator, intervals by SPARQL updates) spent about twice the CPU
    (bench/results/scale.json; figures in docs/ingest.md)."""

    name = "pyoxigraph bulk loader"
    stages = True
    copies = True

    def __init__(self, db: ox.Store) -> None:
        self.db = db

    def load(self, files: Sequence[ScannedFile], owner: dict[str, Path]) -> None:
        for found in files:
            mine = {ox.NamedNode(p) for p in found.posts if owner[p] == found.path}
            for staged in found.staged:
                if len(mine) < len(found.posts):  # a later file has newer versions of some
                    _restage(staged, mine)
                # written by pyoxigraph's serializer from terms its parser checked
                self.db.bulk_load(path=str(staged), format=ox.RdfFormat.N_QUADS, lenient=True)
        self.db.flush()

    def union(self, posts: Sequence[str]) -> None:
        """Written together with the posts (see `load`)."""

    def intervals(self, store: Store, memberships: set[str]) -> None:
        derive_intervals(store, memberships, self._write)

    def _write(self, quads: list[ox.Quad]) -> None:
        self.db.bulk_extend([*quads, *(ox.Quad(q.subject, q.predicate, q.object) for q in quads)])
        self.db.flush()


def _restage(staged: Path, mine: set[ox.NamedNode]) -> None:
    """Keep only the quads of the posts in `mine` (and their default-graph copies, which follow
    each quad) in a staging file."""
    kept = staged.with_suffix(".kept.nq")
    keep = False
    with kept.open("wb") as out:

        def wanted() -> Iterator[ox.Quad]:
            nonlocal keep
            for quad in ox.parse(path=str(staged), format=ox.RdfFormat.N_QUADS, lenient=True):
                if quad.graph_name != ox.DefaultGraph():
                    keep = quad.graph_name in mine
                if keep:
                    yield quad

        ox.serialize(wanted(), out, format=ox.RdfFormat.N_QUADS)
    kept.replace(staged)


def _owned(found: ScannedFile, owner: dict[str, Path]) -> Iterator[ox.Quad]:
    mine = {ox.NamedNode(p) for p in found.posts if owner[p] == found.path}
    for quad in ox.parse(path=str(found.path), format=ox.RdfFormat.N_QUADS):
        if quad.graph_name in mine:
            yield quad


class VirtuosoBulk:
    """Virtuoso: its bulk loader (ld_add + rdf_loader_run) through isql, and the union graph
    filled in SQL (one INSERT SOFT … SELECT per chunk of posts, no SPARQL compile or time limit).
    The files must be readable by the server, under its DirsAllowed."""

    name = "Virtuoso's bulk loader (ld_add + rdf_loader_run)"
    stages = False  # the server reads the files themselves, or filtered copies beside them
    copies = False

    def __init__(self, isql: Isql, union_graph: str) -> None:
        self.isql = isql
        self.union_graph = union_graph

    def load(self, files: Sequence[ScannedFile], owner: dict[str, Path]) -> None:
        ready: list[Path] = []
        made: list[Path] = []
        for found in files:
            if found.only_posts and all(owner[p] == found.path for p in found.posts):
                ready.append(found.path)
            else:  # a filtered copy beside the file (so under the same DirsAllowed folder)
                copy = found.path.with_name(f".{found.path.name}.kg-load.nq")
                copy.write_bytes(ox.serialize(_owned(found, owner), format=ox.RdfFormat.N_QUADS) or b"")
                made.append(copy)
        try:
            bulk_load(self.isql, ready + made)
        finally:
            for copy in made:
                copy.unlink(missing_ok=True)

    def intervals(self, store: Store, memberships: set[str]) -> None:
        recompute_intervals(store, memberships)

    def union(self, posts: Sequence[str]) -> None:
        union = f"iri_to_id({sql_string(self.union_graph)})"
        statements = [
            f"INSERT SOFT DB.DBA.RDF_QUAD (G, S, P, O) SELECT {union}, S, P, O FROM DB.DBA.RDF_QUAD "
            f"WHERE G IN ({', '.join(f'iri_to_id({sql_string(p)})' for p in chunk)});"
            for chunk in _chunks(posts, 500)
        ]
        self.isql.run("\n".join([*statements, "checkpoint;"]))
