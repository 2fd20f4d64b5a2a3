"""An in-memory index of every entity label, for Korean partial-match search.

A SPARQL `CONTAINS` scan over a large store takes hundreds of milliseconds; here all
normalised labels sit in one string and `str.find` walks it, which takes a few
milliseconds for hundreds of thousands of labels. The index reloads itself when the
store's generation marker changes (checked at most every `refresh_seconds`).

It also answers kg.queries.Lookup (names and types of entities, titles and dates of
posts) from memory, so an API request about a neighbourhood needs no query for those.
Ranking: exact, then prefix, then inner matches; preferred labels before aliases; then
the entities that more facts name (중기 → 중소벤처기업부 before 중소기업청).
"""

from __future__ import annotations

import bisect
import math
import threading
import time
from dataclasses import dataclass

from kg.normalize import name_key
from kg.queries import best_name, entity_id
from kg.store import Store, graph_node, store_node
from kg.vocab import entity_type, iri, mapping, sparql_prefixes

TYPE_NAMES = tuple(mapping()["entity_types"])


@dataclass(frozen=True)
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


class LabelIndex:
    def __init__(self, store: Store, refresh_seconds: float = 2.0) -> None:
        self.store = store
        self.refresh_seconds = refresh_seconds
        self._lock = threading.Lock()
        self._checked = 0.0
        self._generation: str | None = "never loaded"
        self.labels: list[Label] = []
        self.types: dict[str, str] = {}
        self.names: dict[str, str] = {}
        self.weights: dict[str, int] = {}
        self.post_meta: dict[str, dict[str, str | None]] = {}
        self._blob = ""
        self._offsets: list[int] = []

    def _current_generation(self) -> str | None:
        rows = self.store.select(
            sparql_prefixes()
            + f"SELECT ?g WHERE {{ GRAPH {graph_node('meta')} {{ {store_node()} kg:generation ?g }} }} LIMIT 1"
        )
        return rows[0]["g"].value if rows else None

    def refresh(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._checked < self.refresh_seconds:
            return
        with self._lock:
            self._checked = now
            generation = self._current_generation()
            if generation == self._generation and not force:
                return
            self._load()
            self._generation = generation

    def _load(self) -> None:
        types: dict[str, str] = {}
        class_to_type = {}
        for name in TYPE_NAMES:
            for cls in entity_type(name)["classes"]:
                class_to_type[iri(cls)] = name
        values = " ".join(f"<{c}>" for c in class_to_type)
        for row in self.store.select(f"SELECT DISTINCT ?s ?c WHERE {{ VALUES ?c {{ {values} }} ?s a ?c }}"):
            types[row["s"].value] = class_to_type[row["c"].value]
        labels: list[Label] = []
        pref_labels: dict[str, list[tuple[str, str]]] = {}
        rows = self.store.select(
            sparql_prefixes()
            + "SELECT DISTINCT ?s ?l ?pref WHERE { { ?s skos:prefLabel ?l BIND(true AS ?pref) } "
            "UNION { ?s skos:altLabel ?l BIND(false AS ?pref) } }"
        )
        for row in rows:
            s = row["s"].value
            if s not in types:
                continue
            text = row["l"].value
            pref = row["pref"].value == "true"
            key = name_key(text)
            if not key:
                continue
            labels.append(Label(s, text, key, pref))
            if pref:
                pref_labels.setdefault(s, []).append((text, getattr(row["l"], "language", None) or ""))
        names = {s: best_name(ls) or entity_id(s) for s, ls in pref_labels.items()}
        weights: dict[str, int] = {}
        for row in self.store.select(
            sparql_prefixes()
            + "SELECT ?e (COUNT(?f) AS ?n) WHERE { { ?f rdf:object ?e } UNION { ?f rdf:subject ?e } "
            "?f a kg:Fact } GROUP BY ?e"
        ):
            weights[row["e"].value] = int(row["n"].value)
        posts: dict[str, dict[str, str | None]] = {}
        for row in self.store.select(
            sparql_prefixes()
            + """SELECT ?p ?k ?v WHERE { ?p a schema:Article .
  { ?p dcterms:identifier ?v BIND("id" AS ?k) } UNION { ?p dcterms:title ?v BIND("title" AS ?k) }
  UNION { ?p dcterms:issued ?v BIND("date" AS ?k) } UNION { ?p dcterms:source ?v BIND("url" AS ?k) } }"""
        ):
            meta = posts.setdefault(row["p"].value, {"id": None, "title": None, "date": None, "url": None})
            meta[row["k"].value] = row["v"].value
        labels.sort(key=lambda lab: (lab.key, not lab.preferred))
        blob_parts = []
        offsets = []
        pos = 0
        for lab in labels:
            offsets.append(pos)
            blob_parts.append(lab.key)
            pos += len(lab.key) + 1
        self.labels = labels
        self.types = types
        self.names = names
        self.weights = weights
        self.post_meta = posts
        self._blob = "\n".join(blob_parts)
        self._offsets = offsets

    def search(
        self, q: str, type_name: str | None = None, limit: int = 20, offset: int = 0
    ) -> tuple[int, list[Hit]]:
        """Entities whose name or alias contains `q` (spacing and punctuation ignored), best first."""
        self.refresh()
        key = name_key(q)
        if not key:
            return 0, []
        best: dict[str, Hit] = {}
        start = 0
        blob = self._blob
        while True:
            at = blob.find(key, start)
            if at < 0:
                break
            i = bisect.bisect_right(self._offsets, at) - 1
            lab = self.labels[i]
            start = self._offsets[i] + len(lab.key) + 1
            t = self.types.get(lab.iri, "")
            if type_name and t != type_name:
                continue
            score = _score(key, lab) + 0.5 * math.log10(1 + self.weights.get(lab.iri, 0))
            prev = best.get(lab.iri)
            if prev is None or score > prev.score:
                best[lab.iri] = Hit(lab.iri, lab.text, self.names.get(lab.iri, lab.text), t, score)
        ranked = sorted(best.values(), key=lambda h: (-h.score, len(h.name), h.name))
        return len(ranked), ranked[offset : offset + limit]

    # -- kg.queries.Lookup -----------------------------------------------------------------

    def entities(self, iris: set[str]) -> dict[str, tuple[str, str]]:
        self.refresh()
        missing = {i for i in iris if i not in self.types}
        out = {i: (self.names.get(i) or entity_id(i), self.types[i]) for i in iris if i in self.types}
        if missing:  # written since the last reload
            from kg.queries import Lookup

            out.update(Lookup(self.store).entities(missing))
        return out

    def posts(self, iris: set[str]) -> dict[str, dict[str, str | None]]:
        self.refresh()
        missing = {i for i in iris if i not in self.post_meta}
        out = {i: self.post_meta[i] for i in iris if i in self.post_meta}
        if missing:
            from kg.queries import Lookup

            out.update(Lookup(self.store).posts(missing))
        return out


def _score(key: str, lab: Label) -> float:
    if lab.key == key:
        base = 3.0
    elif lab.key.startswith(key):
        base = 2.0
    else:
        base = 1.0
    return base + (0.5 if lab.preferred else 0.0) + len(key) / max(len(lab.key), 1)
