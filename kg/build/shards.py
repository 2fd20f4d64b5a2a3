"""N-Quads shards: extraction on many machines, one bulk load into any SPARQL store.

`kg extract --format nq --shard-size N -o DIR` writes each post's named graph (resolved,
with provenance: exactly what `kg ingest` would store) into DIR/shard-00000.nq, … of N
posts each, plus DIR/reference.nq with the ontology and authority-lexicon graphs. Every
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
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, cast

import pyoxigraph as ox

from kg.build.changelog import ChangeLog
from kg.build.identity import Identity, judgement_quads, read_judgements
from kg.build.identity import apply as apply_identity
from kg.build.rdf import lexicon_quads, post_quads
from kg.build.resolve import Resolver
from kg.model import Extraction, InputError
from kg.store.base import Store, bookkeeping_graphs, graph_node
from kg.vocab.ontology import data_iri, iri

SHARD_PATTERN = "shard-{:05d}.nq"
REFERENCE_FILE = "reference.nq"
POST_PATH = "/id/post/"


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
    h = hashlib.sha256()
    for line in sorted(str(q) for q in quads):
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


def write_shards(
    results: Iterable[Extraction | InputError], out_dir: Path, shard_size: int, errors: list[InputError]
) -> ShardReport:
    """Write extractions as N-Quads shards of `shard_size` posts; errors are collected, not written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    report = ShardReport()
    resolver = Resolver()
    identity = Identity(read_judgements())
    judged = judgement_quads(identity) if identity.judgements else []  # as ingest writes them
    _write_atomic(out_dir / REFERENCE_FILE, [*reference_quads(), *judged])
    batch: list[ox.Quad] = []
    in_batch = 0

    def flush() -> None:
        nonlocal batch, in_batch
        if in_batch:
            report.quads += _write_atomic(out_dir / SHARD_PATTERN.format(report.shards), batch)
            report.shards += 1
        batch, in_batch = [], 0

    for result in results:
        if isinstance(result, InputError):
            errors.append(result)
            continue
        batch += apply_identity(post_quads(resolver.resolve(result)), identity)
        in_batch += 1
        report.posts += 1
        if in_batch >= shard_size:
            flush()
    flush()
    return report


@dataclass
class LoadReport:
    files: int = 0
    posts: int = 0
    graphs: int = 0  # reference graphs (ontology, lexicon) replaced
    ignored: int = 0  # quads in the default graph or in graphs kg derives or keeps itself
    errors: list[InputError] = field(default_factory=list)
    run: str | None = None  # the id of the run in the change log (kg.build.changelog)


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
