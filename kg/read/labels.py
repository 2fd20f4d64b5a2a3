"""An in-memory index of every entity label, for Korean partial-match search.

A SPARQL `CONTAINS` scan over a large store takes hundreds of milliseconds; here all
normalised labels sit in one string and `str.find` walks it, which takes a few
milliseconds for hundreds of thousands of labels.

`Labels` also answers kg.read.queries.Lookup (names and types of entities, titles and dates of
posts) from memory, so an API request about a neighbourhood needs no query for those.
Ranking: exact, then prefix, then inner matches; preferred labels before aliases; then
the entities that more facts name (중기 → 중소벤처기업부 before 중소기업청).

`load_labels` reads it with a few whole-predicate scans (kg.store.scan); the API keeps one per
store generation inside kg.read.graph_index, and `LabelIndex` reloads one itself for the CLI.
"""

from __future__ import annotations

import bisect
import math
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field

from kg.read.queries import best_name, class_rank, class_values, entity_id
from kg.store import scan
from kg.store.base import Store
from kg.text.names import name_key
from kg.vocab.ontology import sparql_prefixes

PostMeta = dict[str, str | None]  # {"id", "title", "date", "url"}


@dataclass(frozen=True, slots=True)
class Label:
    iri: str
    text: str
    key: str
    preferred: bool


@dataclass(frozen=True)
class Hit:
    iri: str
    label: str  # the label that matched
    name: str  # the entity's preferred label
    type: str
    score: float


@dataclass
class Labels:
    """One generation's labels, names, types and post metadata."""

    labels: list[Label] = field(default_factory=list)
    types: dict[str, str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    weights: dict[str, int] = field(default_factory=dict)
    post_meta: dict[str, PostMeta] = field(default_factory=dict)
    _blob: str = ""
    _offsets: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.labels.sort(key=lambda lab: (lab.key, not lab.preferred))
        offsets = []
        pos = 0
        for lab in self.labels:
            offsets.append(pos)
            pos += len(lab.key) + 1
        self._blob = "\n".join(lab.key for lab in self.labels)
        self._offsets = offsets

    def search(
        self, q: str, type_name: str | None = None, limit: int = 20, offset: int = 0
    ) -> tuple[int, list[Hit]]:
        """Entities whose name or alias contains `q` (spacing and punctuation ignored), best first."""
        key = name_key(q)
        if not key:
            return 0, []
        best: dict[str, tuple[float, Label]] = {}
        start = 0
        blob = self._blob
        offsets = self._offsets
        while True:
            at = blob.find(key, start)
            if at < 0:
                break
            i = bisect.bisect_right(offsets, at) - 1
            lab = self.labels[i]
            start = offsets[i] + len(lab.key) + 1
            if type_name and self.types.get(lab.iri) != type_name:
                continue
            score = _score(key, lab) + 0.5 * math.log10(1 + self.weights.get(lab.iri, 0))
            prev = best.get(lab.iri)
            if prev is None or score > prev[0]:
                best[lab.iri] = (score, lab)
        hits = [
            Hit(i, lab.text, self.names.get(i, lab.text), self.types.get(i, ""), score)
            for i, (score, lab) in best.items()
        ]
        hits.sort(key=lambda h: (-h.score, len(h.name), h.name))
        return len(hits), hits[offset : offset + limit]

    # -- kg.read.queries.Lookup -----------------------------------------------------------------

    def entity(self, iri: str) -> tuple[str, str]:
        return self.names.get(iri) or entity_id(iri), self.types.get(iri, "")

    def entities(self, iris: set[str]) -> dict[str, tuple[str, str]]:
        names, types = self.names, self.types
        return {i: (names.get(i) or entity_id(i), types.get(i, "")) for i in iris}

    def posts(self, iris: set[str]) -> dict[str, PostMeta]:
        return {i: self.post_meta[i] for i in iris if i in self.post_meta}


def _score(key: str, lab: Label) -> float:
    if lab.key == key:
        base = 3.0
    elif lab.key.startswith(key):
        base = 2.0
    else:
        base = 1.0
    return base + (0.5 if lab.preferred else 0.0) + len(key) / max(len(lab.key), 1)


def fact_weights(store: Store) -> dict[str, int]:
    """Entity → how many facts (statements about statements) name it as subject or object."""
    rows = scan.values(
        store,
        sparql_prefixes()
        + "SELECT ?e (COUNT(?f) AS ?n) WHERE { { ?f rdf:object ?e } UNION { ?f rdf:subject ?e } } GROUP BY ?e",
        page_rows=0,
    )
    return {e: int(n) for e, n in rows if e is not None and n is not None}


def load_labels(
    store: Store, weights: dict[str, int] | None = None, page_rows: int = scan.DEFAULT_PAGE_ROWS
) -> Labels:
    """Every entity's type and labels, and every post's id, title, date and URL.

    `weights` (facts per entity) when the caller has counted them already.
    """
    prefixes = sparql_prefixes()
    rank = class_rank()
    found: dict[str, tuple[int, str]] = {}
    for s, c in scan.values(
        store, f"SELECT ?s ?c WHERE {{ VALUES ?c {{ {class_values()} }} ?s a ?c }}", page_rows
    ):
        if s is not None and c in rank:
            old = found.get(s)
            if old is None or rank[c] < old:
                found[s] = rank[c]
    types = {s: name for s, (_, name) in found.items()}
    labels: list[Label] = []
    pref_labels: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for preferred, predicate in ((True, "skos:prefLabel"), (False, "skos:altLabel")):
        for cells in scan.rows(store, prefixes + f"SELECT ?s ?l WHERE {{ ?s {predicate} ?l }}", page_rows):
            subject, label = scan.term(cells[0]), scan.term(cells[1])
            if subject is None or label is None:
                continue
            s = subject[0]
            text, lang = label
            if preferred:
                pref_labels[s].append((text, lang))
            if s not in types:
                continue
            key = name_key(text)
            if key:
                labels.append(Label(s, text, key, preferred))
    names = {s: best_name(ls) or entity_id(s) for s, ls in pref_labels.items()}
    posts: dict[str, PostMeta] = {}
    for p, k, v in scan.values(
        store,
        prefixes
        + """SELECT ?p ?k ?v WHERE { { ?p a schema:Article .
  { ?p dcterms:identifier ?v BIND("id" AS ?k) } UNION { ?p dcterms:title ?v BIND("title" AS ?k) }
  UNION { ?p dcterms:issued ?v BIND("date" AS ?k) } UNION { ?p dcterms:source ?v BIND("url" AS ?k) } }
  UNION { ?p a org:ChangeEvent .
    { ?p rdfs:label ?v BIND("title" AS ?k) } UNION { ?p dcterms:date ?v BIND("date" AS ?k) }
    UNION { ?p dcterms:source ?v BIND("url" AS ?k) } } }""",
        page_rows,
    ):
        if p is None or k is None or v is None:
            continue
        meta = posts.get(p)
        if meta is None:
            meta = posts[p] = {"id": None, "title": None, "date": None, "url": None}
        meta[k] = min(meta[k] or v, v)  # one value even if a post states two (as kg.read.queries.Lookup)
    return Labels(
        labels=labels,
        types=types,
        names=names,
        weights=fact_weights(store) if weights is None else weights,
        post_meta=posts,
    )


class LabelIndex:
    """A `Labels` kept up to date by itself: reloaded when the store's generation marker
    changes (checked at most every `refresh_seconds`), in the calling thread."""

    def __init__(self, store: Store, refresh_seconds: float = 2.0) -> None:
        self.store = store
        self.refresh_seconds = refresh_seconds
        self._lock = threading.Lock()
        self._checked = 0.0
        self._generation: str | None = "never loaded"
        self.data = Labels()

    def refresh(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._checked < self.refresh_seconds:
            return
        with self._lock:
            self._checked = now
            generation = self.store.generation()
            if generation == self._generation and not force:
                return
            self.data = load_labels(self.store)
            self._generation = generation

    def search(
        self, q: str, type_name: str | None = None, limit: int = 20, offset: int = 0
    ) -> tuple[int, list[Hit]]:
        self.refresh()
        return self.data.search(q, type_name, limit, offset)

    def entities(self, iris: set[str]) -> dict[str, tuple[str, str]]:
        self.refresh()
        return self.data.entities(iris)

    def posts(self, iris: set[str]) -> dict[str, PostMeta]:
        self.refresh()
        return self.data.posts(iris)
