"""Posts in, graph out: ingest → extract → resolve → RDF → store, in batches of whole posts.

One stream from end to end: inputs are read lazily, looked up by content hash in
chunks (unchanged posts are skipped, changed posts replace their named graph), the
posts to do flow through ONE call of `extract` (so a worker pool is started once, not
per batch), and the results are written `batch_size` posts at a time, each batch one
atomic store update, so an interrupted run leaves only whole posts behind and a re-run
finishes the rest. Posts with structured (open-data) facts get them merged into their
text extraction here (kg.build.structured), so both take the same resolve → graph → store path.

With a worker pool, the input generator runs in the pool's feeder thread while this
thread writes; store access and the report are guarded by one lock.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from kg.build.changelog import ChangeLog
from kg.build.identity import Identity, read_judgements
from kg.build.identity import apply as apply_identity
from kg.build.identity import sync as identity_sync
from kg.build.rdf import post_quads
from kg.build.resolve import Resolver, post_iri
from kg.build.shards import partitions
from kg.build.structured import with_structured
from kg.model import Extraction, InputError, Post
from kg.store.base import Store
from kg.version import extractor_version as current_extractor_version

OnEvent = Callable[[str, Any], None]
Extract = Callable[[Iterable[Post]], Iterable[Extraction | InputError]]
LOOKUP_SIZE = 256  # posts whose stored hashes are fetched with one query
IN_FLIGHT = 256  # posts handed to extraction whose results this thread has not taken yet


@dataclass
class IngestReport:
    read: int = 0
    skipped: int = 0
    written: int = 0
    reextracted: int = 0  # of those written: unchanged posts read by an older extractor
    failed: int = 0
    facts: int = 0
    quads: int = 0
    errors: list[InputError] = field(default_factory=list)
    stopped: bool = False  # --fail-fast stopped the run early
    run: str | None = None  # the id of the run in the change log (kg.build.changelog)

    @property
    def ok(self) -> bool:
        return self.failed == 0

    def summary(self) -> str:
        text = (
            f"posts read {self.read}, written {self.written}, skipped as unchanged {self.skipped}, "
            f"failed {self.failed}; facts added {self.facts} ({self.quads} quads); "
            f"re-extracted {self.reextracted} (unchanged, read by an older extractor)"
        )
        return text + (" — stopped at the first error (--fail-fast)" if self.stopped else "")


def ensure_reference_graphs(store: Store) -> None:
    """Load the ontology and the authority lexicon (with the changes of bodies) as named graphs;
    each graph carries a hash of its content and is replaced when the files changed."""
    from kg.build.shards import reference_graphs

    for name, quads in reference_graphs().items():
        marker = quads[-1]  # kg.build.shards.content_marker
        if not store.ask(f"ASK {{ GRAPH {marker.graph_name} {{ {marker.triple} }} }}"):
            store.replace_graph(name, quads)


def count_facts(extraction: Extraction) -> int:
    return len(extraction.relations)


def default_extract(processes: int = 1) -> Extract:
    """Extraction with the spaCy pipeline (loaded here, once), in `processes` workers."""
    from kg.extract import Extractor

    extractor = Extractor()

    def extract(posts: Iterable[Post]) -> Iterable[Extraction | InputError]:
        return extractor.pipe(posts, processes=processes)

    return extract


def extract_posts(posts: Iterable[Post], extract: Extract) -> Iterator[Extraction | InputError]:
    """Text extraction plus each post's structured facts: what `kg extract` prints."""
    for result in extract(posts):
        yield result if isinstance(result, InputError) else with_structured(result)


class _Run:
    """The shared state of one ingest: report, stop flag, lock, event sink."""

    def __init__(self, store: Store, notify: OnEvent, fail_fast: bool, version: str) -> None:
        self.store = store
        self.version = version  # the running extractor's: posts read by another one are stale
        self.stale: set[str] = set()  # IRIs of unchanged posts being re-extracted
        self.report = IngestReport()
        self.lock = threading.RLock()
        self.notify_raw = notify
        self.fail_fast = fail_fast
        self.stop = threading.Event()
        # bounds the posts between reading and writing: a worker pool reads ahead in its
        # feeder thread and would otherwise queue results without limit when writing is slower
        self.slots = threading.Semaphore(IN_FLIGHT)

    def notify(self, kind: str, data: Any) -> None:
        with self.lock:
            self.notify_raw(kind, data)

    def fail(self, error: InputError) -> None:
        with self.lock:
            self.report.failed += 1
            self.report.errors.append(error)
            self.notify_raw("error", error)
        if self.fail_fast:
            self.report.stopped = True
            self.stop.set()

    def todo(self, items: Iterable[Post | InputError], force: bool) -> Iterator[Post]:
        """The posts that need extracting, in input order; errors and skips are counted here.

        With --fail-fast, the posts read before the first error are still done.
        """
        for chunk in partitions(items, LOOKUP_SIZE):
            posts: dict[str, Post] = {}
            for item in chunk:
                if isinstance(item, InputError):
                    self.fail(item)
                    if self.stop.is_set():
                        break
                    continue
                with self.lock:
                    self.report.read += 1
                    self.notify_raw("read", item)
                posts.pop(post_iri(item), None)
                posts[post_iri(item)] = item  # a later duplicate of the same post wins
            if posts:
                with self.lock:
                    stored = {} if force else self.store.post_states(list(posts))
                for iri, post in posts.items():
                    state = stored.get(iri)
                    if state is not None and state.content_hash == post.content_hash:
                        if state.extractor_version == self.version:
                            with self.lock:
                                self.report.skipped += 1
                                self.notify_raw("skipped", post)
                            continue
                        with self.lock:
                            self.stale.add(iri)
                    while not self.slots.acquire(timeout=0.1):
                        if self.stop.is_set():
                            return
                    yield post
            if self.stop.is_set():
                return


def ingest(
    store: Store,
    items: Iterable[Post | InputError],
    extract: Extract | None = None,
    batch_size: int = 16,
    force: bool = False,
    fail_fast: bool = False,
    on_event: OnEvent | None = None,
    extractor_version: str | None = None,
    identity: Identity | None = None,
) -> IngestReport:
    """Write posts into the store; `extract` maps a stream of posts to extractions, in order.

    A post is skipped when the store holds it with the same content hash and the same
    extractor version (`extractor_version`, default: this process's, kg.version); a post
    read by another extractor version is extracted again and replaces its graph.

    `identity` holds the identity judgements (default: `data/judgements/*.jsonl`); a store
    built with other judgements has the post graphs they touch rewritten first (kg.build.identity).
    """
    extract = extract or default_extract()
    version = extractor_version or current_extractor_version()
    run = _Run(store, on_event or (lambda kind, data: None), fail_fast, version)
    resolver = Resolver()
    identity = identity if identity is not None else Identity(read_judgements())
    # a forced run reads posts again that may be unchanged: the log calls it a re-extraction
    log = ChangeLog(store, "reextraction" if force else "ingest")
    log.start()  # refuses a store built under another base IRI before anything is written
    run.report.run = log.id
    ensure_reference_graphs(store)
    identity_sync(store, identity)
    pending: dict[str, list[Any]] = {}  # post IRI → quads, for the next atomic write

    def flush() -> None:
        if not pending:
            return
        with run.lock:
            log.replace_posts(list(pending.items()))
            run.report.written += len(pending)
            run.report.reextracted += len(run.stale.intersection(pending))
            for iri in pending:
                run.notify_raw("written", iri)
        pending.clear()

    results = extract_posts(run.todo(items, force), extract)
    try:
        for result in results:
            run.slots.release()
            if isinstance(result, InputError):
                run.fail(result)
                if run.stop.is_set():
                    break
                continue
            log.saw_version(result.extractor_version)
            resolved = resolver.resolve(result)
            quads = apply_identity(post_quads(resolved), identity)
            pending.pop(resolved.iri, None)
            pending[resolved.iri] = quads
            with run.lock:
                run.report.facts += count_facts(result)
                run.report.quads += len(quads)
            if len(pending) >= batch_size:
                flush()
    finally:
        run.stop.set()  # a feeder thread waiting for a slot gives up, so the pool can stop
        close = getattr(results, "close", None)
        if close is not None:
            close()  # stops a worker pool the input no longer feeds
    flush()
    if not log.versions:  # nothing extracted (all unchanged): the extractor this run would use
        from kg.extract import EXTRACTOR_VERSION

        log.saw_version(EXTRACTOR_VERSION)
    log.finish()
    return run.report
