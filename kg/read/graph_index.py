"""The graph in memory for the API: every edge /entities/{id}/related reports, with evidence.

Answering a neighbourhood from the store costs two queries per node (3–7 ms each, and
seconds for a hub with thousands of edges). This index reads the whole neighbourhood
structure once per store generation with a dozen whole-predicate scans (kg.store.scan, paged, so
it works over any SPARQL 1.1 store), and then the walk of kg.read.related runs in memory: a hub
costs a slice of a cached, sorted list.

One `Snapshot` holds one generation: the labels (kg.read.labels.Labels), every node's links
and every fact's (sentence, post) pairs. `GraphIndex` keeps the latest one: it checks the
store's generation marker at most every `refresh_seconds` and loads a new snapshot in a
background thread; until that is done `current()` is None and the API answers from the
store (kg.read.related.SparqlSource), so an answer is never older than the last check. On a
small store the request waits for the load instead (it takes milliseconds).
"""

from __future__ import annotations

import gc
import itertools
import logging
import sys
import threading
import time
from collections import OrderedDict, defaultdict
from collections.abc import Sequence
from operator import itemgetter
from typing import Any

from kg.read.labels import Hit, Labels, PostMeta, load_labels
from kg.read.queries import CHANGE_FACT, EDGE_PREDICATES, SUCCESSION
from kg.read.related import (
    SIMPLE_PREDICATES,
    Fact,
    Hop,
    Link,
    LinkDraft,
    Source,
    rank_evidence,
)
from kg.store import scan
from kg.store.base import Store
from kg.vocab.ontology import iri, sparql_prefixes

log = logging.getLogger(__name__)

CACHE_MIN_HOPS = 200  # answers at least this long (hubs) are kept, sorted, for the next request
CACHE_MAX_HOPS = 1_000_000  # the most hops all kept answers hold together
EVIDENCE_CACHE_LINKS = 200_000  # ranked evidence lists kept (then the cache starts afresh)
SYNC_LOAD_SECONDS = 0.25  # a store whose index loads this fast is reloaded in the request


class Snapshot(Source):
    """One store generation in memory (read-only once built; safe to share between threads)."""

    def __init__(
        self,
        generation: str | None,
        labels: Labels,
        links: dict[str, tuple[Link, ...]],
        evidence: dict[Fact, tuple[tuple[str, str], ...]],
        seconds: float,
    ) -> None:
        self.generation = generation
        self.labels = labels
        self._links = links
        self._evidence = evidence
        self.seconds = seconds
        self._cache: OrderedDict[tuple[Any, ...], list[Hop]] = OrderedDict()
        self._cached_hops = 0
        self._cache_lock = threading.Lock()
        self._ranked: dict[int, list[dict[str, Any]]] = {}

    def stats(self) -> dict[str, Any]:
        return {
            "generation": self.generation,
            "loaded_in_s": round(self.seconds, 3),
            "nodes": len(self._links),
            "links": sum(len(v) for v in self._links.values()),
            "facts": len(self._evidence),
            "labels": len(self.labels.labels),
            "cached_answers": len(self._cache),
        }

    def nodes(self) -> list[str]:
        """Every entity with at least one link, sorted."""
        return sorted(self._links)

    # -- kg.read.related.Source -----------------------------------------------------------------

    def links(self, node: str, relation: str | None, dated: bool) -> tuple[bool, Sequence[Link]]:
        found = self._links.get(node, ())
        if relation:
            found = tuple(link for link in found if link.relation == relation)
        return node in self.labels.types, found

    def names(self, iris: set[str]) -> dict[str, tuple[str, str]]:
        return self.labels.entities(iris)

    def evidence(self, node: str, links: list[Link]) -> list[list[dict[str, Any]]]:
        """Ranked once per link and kept (by the link's identity: links live as long as the
        snapshot); callers must not change the lists."""
        ev = self._evidence
        posts = self.labels.post_meta
        ranked = self._ranked
        out = []
        for link in links:
            items = ranked.get(id(link))
            if items is None:
                items = rank_evidence([it for f in link.facts for it in ev.get(f, ())], posts)
                if len(ranked) >= EVIDENCE_CACHE_LINKS:
                    ranked.clear()
                ranked[id(link)] = items
            out.append(items)
        return out

    def hops(
        self, start: str, depth: int, relation: str | None, since: str | None, until: str | None
    ) -> list[Hop]:
        key = (start, depth, relation, since, until)
        with self._cache_lock:
            cached = self._cache.get(key)
            if cached is not None:
                self._cache.move_to_end(key)
                return cached
        found = super().hops(start, depth, relation, since, until)
        if len(found) >= CACHE_MIN_HOPS:
            with self._cache_lock:
                if key not in self._cache:
                    self._cache[key] = found
                    self._cached_hops += len(found)
                    while self._cached_hops > CACHE_MAX_HOPS and len(self._cache) > 1:
                        _, dropped = self._cache.popitem(last=False)
                        self._cached_hops -= len(dropped)
        return found


def _column(store: Store, predicate: str, page_rows: int) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """`?f predicate ?v` as f → v, plus the (f, v) pairs of nodes with more than one value."""
    first: dict[str, str] = {}
    more: list[tuple[str, str]] = []
    query = sparql_prefixes() + f"SELECT ?f ?v WHERE {{ ?f {predicate} ?v }}"
    value = scan.value
    for lines in scan.pages(store, query, page_rows):
        for line in lines:
            cell, _, raw = line.partition("\t")
            f = cell[1:-1]
            v = raw[1:-1] if raw[:1] == "<" else value(raw)
            if not f or v is None:
                continue
            if first.setdefault(f, v) is not v:
                more.append((f, v))
    return first, more


def _all(column: tuple[dict[str, str], list[tuple[str, str]]], f: str) -> list[str]:
    first, more = column
    return [first[f], *(v for g, v in more if g == f)] if f in first else []


def _facts(
    store: Store, posts: dict[str, PostMeta], page_rows: int
) -> tuple[dict[str, int], dict[Fact, tuple[tuple[str, str], ...]], dict[Fact, tuple[str, str]]]:
    """Facts per entity (for search ranking); per stated edge its (sentence, post) pairs and
    the earliest and latest day of those posts."""
    columns = {
        name: _column(store, predicate, page_rows)
        for name, predicate in (
            ("predicate", "rdf:predicate"),
            ("subject", "rdf:subject"),
            ("object", "rdf:object"),
            ("text", "kg:evidenceText"),
            ("post", "prov:wasDerivedFrom"),
        )
    }
    # a fact with two subjects (or sentences …) is rare: such facts take the slow, general way
    odd = {f for column in columns.values() for f, _ in column[1]}
    subjects, objects = columns["subject"][0], columns["object"][0]
    weights: dict[str, int] = defaultdict(int)  # as kg.read.labels.fact_weights counts them
    for column in (columns["subject"], columns["object"]):
        for e in column[0].values():
            weights[e] += 1
        for _, e in column[1]:
            weights[e] += 1
    wanted = {iri(p) for p in (*EDGE_PREDICATES, "org:member")}
    evidence: dict[Fact, set[tuple[str, str]]] = defaultdict(set)
    texts, sources = columns["text"][0], columns["post"][0]
    intern = sys.intern
    for f, p in columns["predicate"][0].items():
        if f in odd:
            parts = (_all(columns[n], f) for n in ("subject", "predicate", "object", "text", "post"))
            for s, p2, o, t, post in itertools.product(*parts):
                if p2 in wanted:
                    evidence[(s, p2, o)].add((t, intern(post)))
        elif p in wanted and f in subjects and f in objects and f in texts and f in sources:
            evidence[(subjects[f], p, objects[f])].add((texts[f], intern(sources[f])))
    for event, note in scan.values(
        store,
        sparql_prefixes() + "SELECT ?e ?t WHERE { ?e a org:ChangeEvent ; dcterms:description ?t }",
        page_rows,
    ):
        if event is not None and note is not None:  # a change event is its own evidence (kg.read.related)
            evidence[(event, CHANGE_FACT, "")].add((note, intern(event)))
    spans: dict[Fact, tuple[str, str]] = {}
    for fact, items in evidence.items():
        days = [d for d in (posts[post]["date"] for _, post in items if post in posts) if d]
        if days:
            spans[fact] = (min(days), max(days))
    return dict(weights), {k: tuple(v) for k, v in evidence.items()}, spans


# (relation, head, tail, role); a partnerOf edge has its two ends in sorted order
EdgeKey = tuple[str, str, str, str]


def _edges(store: Store, page_rows: int) -> dict[EdgeKey, LinkDraft]:
    """Every edge the related endpoint reports, as kg.read.related.links_of reads them one node at a time."""
    prefixes = sparql_prefixes()
    edges: dict[EdgeKey, LinkDraft] = {}

    def edge(key: EdgeKey) -> LinkDraft:
        found = edges.get(key)
        if found is None:
            found = edges[key] = LinkDraft()
        return found

    rel_of = {iri(p): name for p, name in EDGE_PREDICATES.items()}
    values = " ".join(SIMPLE_PREDICATES)
    for s, p, o in scan.values(
        store,
        prefixes
        + f"SELECT ?s ?p ?o WHERE {{ VALUES ?p {{ {values} }} ?s ?p ?o FILTER(isIRI(?s) && isIRI(?o)) }}",
        page_rows,
    ):
        assert s is not None and p is not None and o is not None
        rel = rel_of[p]
        key = (rel, *sorted((s, o)), "") if rel == "partnerOf" else (rel, s, o, "")
        edge(key).facts.add((s, p, o))  # type: ignore[arg-type]
    dates: dict[str, str] = {}
    for e, day in scan.values(store, prefixes + "SELECT ?e ?d WHERE { ?e schema:startDate ?d }", page_rows):
        if e is not None and day is not None:
            dates[e] = min(dates.get(e, day), day)
    att = iri("schema:attendee")
    for e, x in scan.values(
        store,
        prefixes + "SELECT ?e ?x WHERE { ?e schema:attendee ?x FILTER(isIRI(?e) && isIRI(?x)) }",
        page_rows,
    ):
        assert e is not None and x is not None
        d = edge(("participatedIn", x, e, ""))
        d.facts.add((e, att, x))
        d.start = d.end = dates.get(e)
    for e, original, result, day, kind in scan.values(
        store,
        prefixes
        + """SELECT ?e ?o ?r ?d ?k WHERE { ?e org:originalOrganization ?o ; org:resultingOrganization ?r ;
  dcterms:date ?d ; kg:changeKind/skos:notation ?k }""",
        page_rows,
    ):
        if e is None or original is None or result is None or day is None or kind is None:
            continue
        d = edge((SUCCESSION, original, result, kind))
        d.facts.add((e, CHANGE_FACT, ""))
        d.start = min(d.start or day, day)
        d.end = max(d.end or day, day)
    spans: dict[str, tuple[str, str]] = {}
    for m, lo, hi in scan.values(
        store,
        prefixes
        + """SELECT ?m ?b ?e WHERE { ?m org:memberDuring ?i . ?i time:hasBeginning ?ib . ?ib time:inXSDDate ?b .
  ?i time:hasEnd ?ie . ?ie time:inXSDDate ?e }""",
        page_rows,
    ):
        if m is None or lo is None or hi is None:
            continue
        old = spans.get(m)
        spans[m] = (min(old[0], lo), max(old[1], hi)) if old else (lo, hi)
    member = iri("org:member")
    for m, x, o, role in scan.values(
        store,
        prefixes + "SELECT ?m ?x ?o ?r WHERE { ?m org:member ?x ; org:organization ?o ; kg:roleLabel ?r }",
        page_rows,
    ):
        if m is None or x is None or o is None or role is None:
            continue
        d = edge(("holdsPosition", x, o, role))
        d.facts.add((m, member, x))
        if m not in d.memberships:
            d.memberships.add(m)
            if m in spans:
                lo, hi = spans[m]
                d.start = min(d.start or lo, lo)
                d.end = max(d.end or hi, hi)
    return edges


def load_snapshot(store: Store, generation: str | None, page_rows: int = scan.DEFAULT_PAGE_ROWS) -> Snapshot:
    """Read one generation of the store into memory."""
    started = time.monotonic()
    labels = load_labels(store, {}, page_rows)
    weights, evidence, fact_spans = _facts(store, labels.post_meta, page_rows)
    labels.weights = weights
    by_node: dict[str, list[tuple[tuple[str, str, str, str], Link]]] = defaultdict(list)
    intern = sys.intern
    for (rel, head, tail, role), d in _edges(store, page_rows).items():
        head, tail = intern(head), intern(tail)
        facts = tuple(sorted(d.facts))
        days = [day for day in (d.start, d.end) if day]
        for f in facts:
            span = fact_spans.get(f)
            if span is not None:
                days.extend(span)
        lo, hi = (min(days), max(days)) if days else (None, None)
        if rel == "partnerOf":
            ends = [(head, tail, "both"), (tail, head, "both")] if head != tail else [(head, head, "both")]
        else:
            ends = [(head, tail, "out"), (tail, head, "in")]
        for node, other, direction in ends:
            link = Link(rel, direction, other, role or None, d.start, d.end, facts, lo, hi)
            by_node[node].append(((rel, direction, other, role), link))
    links: dict[str, tuple[Link, ...]] = {}
    for node, found in by_node.items():
        found.sort(key=itemgetter(0))
        links[node] = tuple(link for _, link in found)
    return Snapshot(generation, labels, links, evidence, time.monotonic() - started)


class GraphIndex:
    """The latest Snapshot of a store, reloaded in the background when the store changes."""

    def __init__(
        self,
        store: Store,
        refresh_seconds: float = 2.0,
        page_rows: int = scan.DEFAULT_PAGE_ROWS,
        enabled: bool = True,
    ) -> None:
        self.store = store
        self.refresh_seconds = refresh_seconds
        self.page_rows = page_rows
        self.enabled = enabled
        self._lock = threading.Lock()
        self._checked = float("-inf")
        self._generation: str | None = None  # the store's, at the last check
        self._snapshot: Snapshot | None = None
        self._loader: threading.Thread | None = None
        self._loaded = threading.Condition(self._lock)
        self.error: str | None = None

    # -- generation checks and loading -----------------------------------------------------------

    def due(self) -> bool:
        """Whether the next request should check the store's generation (a store round trip)."""
        return time.monotonic() - self._checked >= self.refresh_seconds

    def check(self, force: bool = False) -> None:
        """Read the store's generation; start loading a snapshot of it if ours is older."""
        if not force and not self.due():
            return
        self._checked = time.monotonic()
        generation = self.store.generation()
        with self._lock:
            self._generation = generation
            snapshot = self._snapshot
            if snapshot is not None and snapshot.generation == generation:
                return
            loader = self._start_load()
            quick = snapshot is None or snapshot.seconds <= SYNC_LOAD_SECONDS
        if quick:
            loader.join(SYNC_LOAD_SECONDS)

    def _start_load(self) -> threading.Thread:
        """(Under the lock.) The running loader, or a new one."""
        if self._loader is None:
            self.error = None
            self._loader = threading.Thread(target=self._load, name="kg-graph-index", daemon=True)
            self._loader.start()
        return self._loader

    def _load(self) -> None:
        """Load snapshots until one matches the store's latest generation."""
        while True:
            try:
                generation = self.store.generation()
                snapshot = load_snapshot(self.store, generation, self.page_rows)
                after = self.store.generation()
            except Exception as exc:  # keep answering from the store; the next check tries again
                log.exception("loading the graph index failed")
                with self._lock:
                    self.error = f"{type(exc).__name__}: {exc}"
                    self._loader = None
                    self._loaded.notify_all()
                return
            if after != generation:
                snapshot.generation = f"{generation} (written to while loading)"  # never current
            log.info("graph index: %s", snapshot.stats())
            # The snapshot is a few hundred thousand long-lived objects: left to the cyclic
            # collector, every full collection would walk them (~40 ms with the GIL held).
            gc.freeze()
            with self._lock:
                self._snapshot = snapshot
                self._loaded.notify_all()
                if after == generation and self._generation in (None, generation):
                    self._loader = None
                    return
            # written to again: load again, but under a stream of writes (kg ingest while it
            # serves) spend at most half of this thread's time loading
            time.sleep(min(snapshot.seconds, 30.0))

    # -- answers -----------------------------------------------------------------------------------

    def current(self) -> Snapshot | None:
        """The snapshot of the store's generation at the last check, if it is loaded."""
        snapshot = self._snapshot
        if not self.enabled or snapshot is None or snapshot.generation != self._generation:
            return None
        return snapshot

    def wait(self, timeout: float = 60.0) -> Snapshot | None:
        """Check now and wait until the current snapshot is loaded (tests, benchmarks, startup)."""
        deadline = time.monotonic() + timeout
        self.check(force=True)
        with self._lock:
            while self.current() is None and self.error is None:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._loaded.wait(left)
        return self.current()

    def labels(self) -> Labels:
        """The latest labels, even from an older generation (search tolerates a reload's lag);
        waits for the first load."""
        self.check()
        snapshot = self._snapshot
        if snapshot is None:
            self.wait()
            snapshot = self._snapshot
            if snapshot is None:
                from kg.model import KgError

                raise KgError(f"the label index could not be loaded: {self.error or 'timed out'}")
        return snapshot.labels

    def search(
        self, q: str, type_name: str | None = None, limit: int = 20, offset: int = 0
    ) -> tuple[int, list[Hit]]:
        return self.labels().search(q, type_name, limit, offset)

    def status(self) -> dict[str, Any]:
        snapshot = self._snapshot
        state = "off" if not self.enabled else "ready" if self.current() is not None else "loading"
        out: dict[str, Any] = {"state": state}
        if snapshot is not None:
            out.update(snapshot.stats())
        if self.error:
            out["error"] = self.error
        return out
