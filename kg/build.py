"""Posts in, graph out: ingest → extract → resolve → RDF → store, in batches of whole posts.

Unchanged posts (same content hash as in the store) are skipped; changed posts replace
their named graph; each batch is one atomic store update, so an interrupted run leaves
only whole posts behind and a re-run finishes the rest.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from kg.graph import lexicon_quads, post_quads
from kg.model import Extraction, InputError, Post
from kg.resolve import Resolver, post_iri
from kg.store import Store

OnEvent = Callable[[str, Any], None]


@dataclass
class IngestReport:
    read: int = 0
    skipped: int = 0
    written: int = 0
    failed: int = 0
    facts: int = 0
    quads: int = 0
    errors: list[InputError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.failed == 0

    def summary(self) -> str:
        return (
            f"posts read {self.read}, written {self.written}, skipped as unchanged {self.skipped}, "
            f"failed {self.failed}; facts added {self.facts} ({self.quads} quads)"
        )


def ensure_reference_graphs(store: Store) -> None:
    """Load the ontology and the authority lexicon as named graphs, once per store."""
    import pyoxigraph as ox

    from kg.store import graph_node
    from kg.vocab import ONTOLOGY_FILE

    ontology = graph_node("ontology")
    if not store.ask(f"ASK {{ GRAPH {ontology} {{ ?s ?p ?o }} }}"):
        parsed = ox.parse(ONTOLOGY_FILE.read_bytes(), format=ox.RdfFormat.TURTLE)
        store.replace_graph("ontology", (ox.Quad(q.subject, q.predicate, q.object, ontology) for q in parsed))
    if not store.ask(f"ASK {{ GRAPH {graph_node('lexicon')} {{ ?s ?p ?o }} }}"):
        store.replace_graph("lexicon", lexicon_quads())


def _batches(items: Iterable[Post | InputError], size: int) -> Iterator[list[Post | InputError]]:
    batch: list[Post | InputError] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def count_facts(extraction: Extraction) -> int:
    return len(extraction.relations)


def ingest(
    store: Store,
    items: Iterable[Post | InputError],
    extract: Callable[[list[Post]], Iterable[Extraction | InputError]] | None = None,
    batch_size: int = 16,
    force: bool = False,
    fail_fast: bool = False,
    on_event: OnEvent | None = None,
) -> IngestReport:
    """Write posts into the store. `extract` maps a list of posts to extractions."""
    if extract is None:
        from kg.extract import Extractor

        extractor = Extractor()

        def extract(posts: list[Post]) -> Iterable[Extraction | InputError]:
            return extractor.pipe(posts)

    notify = on_event or (lambda kind, data: None)
    report = IngestReport()
    resolver = Resolver()
    ensure_reference_graphs(store)
    for batch in _batches(items, batch_size):
        posts: list[Post] = []
        for item in batch:
            if isinstance(item, InputError):
                report.failed += 1
                report.errors.append(item)
                notify("error", item)
                if fail_fast:
                    return report
                continue
            report.read += 1
            posts.append(item)
        # a later duplicate of the same post in one batch wins
        by_iri = {post_iri(p): p for p in posts}
        stored = {} if force else store.post_hashes(list(by_iri))
        todo = [p for i, p in by_iri.items() if stored.get(i) != p.content_hash]
        report.skipped += len(posts) - len(todo)
        for p in posts:
            if p not in todo:
                notify("skipped", p)
        writes: list[tuple[str, list[Any]]] = []
        for result in extract(todo) if todo else []:
            if isinstance(result, InputError):
                report.failed += 1
                report.errors.append(result)
                notify("error", result)
                if fail_fast:
                    break
                continue
            resolved = resolver.resolve(result)
            quads = post_quads(resolved)
            writes.append((resolved.iri, quads))
            report.facts += count_facts(result)
            report.quads += len(quads)
        store.replace_posts(writes)
        report.written += len(writes)
        for iri, _ in writes:
            notify("written", iri)
        if fail_fast and report.failed:
            return report
    return report
