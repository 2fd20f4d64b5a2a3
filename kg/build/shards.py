"""N-Quads shards: extraction on many machines, one bulk load into any SPARQL store.

`kg extract --format nq --shard-size N -o DIR` writes each post's named graph (resolved,
with provenance: exactly what `kg ingest` would store) into DIR/shard-00000.nq, … one per
N consecutive input posts (those that extracted), plus DIR/reference.nq with the ontology and authority-lexicon graphs. Every
shard is written to a temporary name and renamed when whole, so an interrupted run leaves
only complete shards. Entity IRIs are derived from content, so shards made on different
machines merge by set union.

`kg load FILES` loads shards into kg's store post by post (batches of whole posts, each
one atomic update that also keeps the merged default graph and the derived membership
intervals up to date), so loading a shard twice changes nothing. docs/ingest.md has the
recipe for other stores.
"""

from __future__ import annotations

import gzip
import hashlib
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, TypeVar, cast

import pyoxigraph as ox

from kg.build.changelog import ChangeLog
from kg.build.identity import Identity, judgement_quads, read_judgements
from kg.build.identity import apply as apply_identity
from kg.build.rdf import lexicon_quads, post_quads, term_key
from kg.build.resolve import Resolver
from kg.model import Extraction, InputError
from kg.store.base import Store, bookkeeping_graphs, graph_node
from kg.vocab.ontology import data_iri, iri

SHARD_PATTERN = "shard-{:05d}.nq"
REFERENCE_FILE = "reference.nq"
POST_PATH = "/id/post/"
T = TypeVar("T")


def _write_atomic(path: Path, quads: Iterable[ox.Quad]) -> int:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    count = 0
    with tmp.open("wb") as out:
        for quad in quads:
            out.write(f"{quad} .\n".encode())
            count += 1
        out.flush()
        os.fsync(out.fileno())
    tmp.replace(path)
    return count


def reference_graphs() -> dict[str, list[ox.Quad]]:
    """The reference graphs by name: the ontology, and the authority lexicon with the changes
    of bodies (org:ChangeEvent)."""
    from kg.vocab.ontology import ONTOLOGY_FILE

    ontology = graph_node("ontology")
    parsed = ox.parse(ONTOLOGY_FILE.read_bytes(), format=ox.RdfFormat.TURTLE)
    graphs = {
        "ontology": [ox.Quad(q.subject, q.predicate, q.object, ontology) for q in parsed],
        "lexicon": list(lexicon_quads()),
    }
    return {name: [*quads, content_marker(name, quads)] for name, quads in graphs.items()}


def content_marker(name: str, quads: list[ox.Quad]) -> ox.Quad:
    """`<graph> kg:contentHash "…"` in the graph itself: a store whose reference graph carries
    another hash gets the graph replaced (the ontology or the lexicon changed)."""
    h = hashlib.sha256()  # over the IRIs as under the default base: re-basing keeps the marker
    for line in sorted(" ".join(term_key(t) for t in (q.subject, q.predicate, q.object)) for q in quads):
        h.update(line.encode("utf-8") + b"\n")
    g = graph_node(name)
    return ox.Quad(g, ox.NamedNode(iri("kg:contentHash")), ox.Literal(h.hexdigest()[:16]), g)


def reference_quads() -> Iterator[ox.Quad]:
    for quads in reference_graphs().values():
        yield from quads


@dataclass
class ShardReport:
    posts: int = 0
    shards: int = 0
    quads: int = 0

    def add(self, other: ShardReport) -> None:
        self.posts += other.posts
        self.shards += other.shards
        self.quads += other.quads


def write_shard(
    out_dir: Path,
    index: int,
    results: Iterable[Extraction | InputError],
    resolver: Resolver,
    identity: Identity | None = None,
) -> tuple[ShardReport, list[InputError]]:
    """Shard number `index`: the posts of one slice of the input that extracted (the others
    are returned as errors), with the identity judgements applied (default:
    `data/judgements/*.jsonl`). No file when none did. Used by both engines, so the shards of
    a local run and of a cluster run are the same files."""
    report = ShardReport()
    identity = identity if identity is not None else Identity(read_judgements())
    errors: list[InputError] = []
    quads: list[ox.Quad] = []
    for result in results:
        if isinstance(result, InputError):
            errors.append(result)
            continue
        quads += apply_identity(post_quads(resolver.resolve(result)), identity)
        report.posts += 1
    if report.posts:
        report.quads = _write_atomic(out_dir / SHARD_PATTERN.format(index), quads)
        report.shards = 1
    return report, errors


def write_shards(
    results: Iterable[Extraction | InputError],
    out_dir: Path,
    shard_size: int,
    errors: list[InputError],
    on_event: Callable[[str, Any], None] | None = None,
) -> ShardReport:
    """Write extractions as N-Quads shards, one per `shard_size` consecutive inputs (shard k
    holds those of inputs k·N … k·N+N-1 that extracted); errors are collected, not written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    write_reference(out_dir)
    report = ShardReport()
    resolver = Resolver()
    identity = Identity(read_judgements())
    for index, chunk in enumerate(partitions(results, shard_size)):
        tally(report, errors, on_event, *write_shard(out_dir, index, chunk, resolver, identity))
    return report


def tally(
    report: ShardReport,
    errors: list[InputError],
    on_event: Callable[[str, Any], None] | None,
    done: ShardReport,
    failed: list[InputError],
) -> None:
    """Add one shard's outcome to the run's report, errors and progress."""
    report.add(done)
    errors += failed
    if on_event is not None:
        for error in failed:
            on_event("error", error)
        for _ in range(done.posts):
            on_event("written", None)


def write_reference(out_dir: Path) -> None:
    """reference.nq: the ontology and authority-lexicon graphs (and the judgements graph when
    there are judgements, as ingest writes it), beside the shards."""
    identity = Identity(read_judgements())
    judged = judgement_quads(identity) if identity.judgements else []
    _write_atomic(out_dir / REFERENCE_FILE, [*reference_quads(), *judged])


def partitions(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Consecutive slices of `size` items (the last may be shorter)."""
    chunk: list[T] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


@dataclass
class LoadReport:
    files: int = 0
    posts: int = 0
    graphs: int = 0  # reference graphs (ontology, lexicon) replaced
    ignored: int = 0  # quads in the default graph or in graphs kg derives or keeps itself
    errors: list[InputError] = field(default_factory=list)
    run: str | None = None  # the id of the run in the change log (kg.build.changelog)
    undone: int = 0  # posts of an interrupted bulk load removed first (kg.build.bulk)


def _read_quads(path: Path) -> Iterator[ox.Quad]:
    """The quads of an N-Quads file, gzip-compressed (`.gz`) or not."""
    if path.suffix == ".gz":
        with gzip.open(path, "rb") as fh:
            yield from ox.parse(cast(IO[bytes], fh), format=ox.RdfFormat.N_QUADS)
    else:
        yield from ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS)


def load_files(store: Store, files: Iterable[Path], batch_size: int = 64) -> LoadReport:
    """Bulk-load N-Quads files: post graphs replace their previous version, atomically per batch.

    A file is parsed whole before anything of it is written: a broken file, or one whose
    graphs are not under this process's base IRI (KG_BASE_IRI), is reported and skipped, and
    the other files are loaded. The run is recorded in the change log as a kg:Load.
    """
    report = LoadReport()
    reference = {graph_node(name).value: name for name in ("ontology", "lexicon", "judgements")}
    derived = {graph_node("derived").value, *bookkeeping_graphs()}
    posts_under = data_iri("id/post/")
    version = iri("kg:version")
    log = ChangeLog(store, "load")
    log.start()
    report.run = log.id
    for path in files:
        by_graph: dict[str, list[ox.Quad]] = {}
        versions: set[str] = set()
        try:
            for quad in _read_quads(path):
                graph = quad.graph_name
                if isinstance(graph, ox.DefaultGraph) or graph.value in derived:
                    report.ignored += 1
                    continue
                by_graph.setdefault(graph.value, []).append(quad)
                if quad.predicate.value == version and isinstance(quad.object, ox.Literal):
                    versions.add(quad.object.value)
        except (SyntaxError, ValueError, EOFError, gzip.BadGzipFile) as exc:
            report.errors.append(InputError(str(path), f"not N-Quads ({exc})"))
            continue
        except OSError as exc:
            report.errors.append(InputError(str(path), f"cannot read ({exc.strerror or exc})"))
            continue
        strangers = sorted(g for g in by_graph if g not in reference and not g.startswith(posts_under))
        if strangers:
            report.errors.append(
                InputError(
                    str(path),
                    f"graph {strangers[0]} is not a post under the base IRI {data_iri('')} (KG_BASE_IRI); "
                    "a graph made under another base loads after `kg export --base` re-based it",
                )
            )
            continue
        posts = [(g, quads) for g, quads in by_graph.items() if g not in reference]
        for g, quads in by_graph.items():
            if g in reference:
                store.replace_graph(reference[g], quads)
                report.graphs += 1
        for start in range(0, len(posts), batch_size):
            log.replace_posts(posts[start : start + batch_size])
        for v in versions:
            if "/" in v:  # an extractor's version (kg-extract/…), not a rule's
                log.saw_version(v)
        report.posts += len(posts)
        report.files += 1
    log.finish()
    return report
