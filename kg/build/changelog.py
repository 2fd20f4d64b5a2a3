"""The change log: what every run did to the graph, kept in the store so a mirror can follow.

Each run that writes posts — an ingest, a re-extraction, a bulk load, a removal — is a
`prov:Activity` (typed kg:Ingest, kg:Reextraction, kg:Load or kg:Removal) with its start and
end, the posts it added, changed and removed, the facts it added and removed, and the
extractor version(s) it ran (`prov:wasAssociatedWith` an extractor agent with `kg:version`).

What a run did to one post is a change set (the Changeset vocabulary, `cs:`):
`cs:subjectOfChange` the post, `cs:changeReason` "added", "changed" or "removed",
`cs:createdDate` when it was written, `prov:wasGeneratedBy` the run, `dcterms:subject` the
entities the post names for the first time, and one `cs:addition` / `cs:removal` per fact,
each a snapshot of the fact (an `rdf:Statement`: subject, predicate, object, evidence
sentence, the role of a membership, `prov:alternateOf` the kg:Fact, and `dcterms:subject`
the other entities it is about, such as the body of a membership). A fact
is identified by its IRI (post + subject + predicate + object), so an edit that only changes
a fact's sentence is not a removal and an addition.

The log lives in the graph `<base>graph/changes`, outside the merged default graph, and each
batch's change sets are written in the same atomic update as the batch's posts: the log can
never disagree with the data. Snapshots are not kg:Fact nodes, so queries that ask for
`?f a kg:Fact` never see them. kg.read.changes reads the log.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from pyoxigraph import Literal, NamedNode, Quad

from kg.store.base import Store, check_base, graph_node
from kg.vocab.ontology import data_iri, iri, mapping, sparql_prefixes

RUN_KINDS = {
    "ingest": "kg:Ingest",
    "reextraction": "kg:Reextraction",
    "load": "kg:Load",
    "removal": "kg:Removal",
}
# links from a membership or a post (org:Post) to the entities a fact about it concerns
_LINKS = ("org:organization", "org:member", "org:postIn", "org:heldBy")
Term = NamedNode | Literal
Clock = Callable[[], datetime]


def _now() -> datetime:
    return datetime.now(UTC)


def _n(curie: str) -> NamedNode:
    return NamedNode(iri(curie))


def timestamp(moment: datetime) -> Literal:
    return Literal(moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"), datatype=_n("xsd:dateTime"))


def _count(n: int) -> Literal:
    return Literal(str(n), datatype=_n("xsd:integer"))


@dataclass(frozen=True)
class FactState:
    """One kg:Fact of a post: what it states, its sentence and the entities it is about."""

    iri: str
    subject: Term
    predicate: NamedNode
    object: Term
    sentence: Term | None  # the kg:evidenceText literal
    about: frozenset[str]
    role: Term | None = None  # for a fact about a membership: its kg:roleLabel


@dataclass
class PostState:
    """A post graph as the log compares it: content hash, facts by IRI, entities it names."""

    content_hash: str | None = None
    title: Term | None = None
    identifier: Term | None = None
    facts: dict[str, FactState] = field(default_factory=dict)
    entities: set[str] = field(default_factory=set)


def _entity_paths() -> tuple[str, ...]:
    return tuple(data_iri(f"id/{spec['path']}/") for spec in mapping()["entity_types"].values())


def _entity_classes() -> frozenset[str]:
    return frozenset(iri(c) for spec in mapping()["entity_types"].values() for c in spec["classes"])


class _Reader:
    """Collects a post's state from (subject, predicate, object) rows of its graph."""

    def __init__(self) -> None:
        self.parts: dict[str, dict[str, Term]] = {}
        self.links: dict[str, set[str]] = {}
        self.roles: dict[str, Term] = {}
        self.titles: dict[tuple[str, str], Literal] = {}  # (post, dcterms:title | identifier) → value
        self.state = PostState()
        self.paths = _entity_paths()
        self.classes = _entity_classes()
        self.fact_type = iri("kg:Fact")
        self.fields = {
            iri("rdf:subject"): "s",
            iri("rdf:predicate"): "p",
            iri("rdf:object"): "o",
            iri("kg:evidenceText"): "t",
        }
        self.link_predicates = {iri(c) for c in _LINKS}
        self.rdf_type = iri("rdf:type")
        self.content_hash = iri("kg:contentHash")
        self.title = iri("dcterms:title")
        self.identifier = iri("dcterms:identifier")
        self.role = iri("kg:roleLabel")

    def add(self, s: Term, p: NamedNode, o: Term) -> None:
        pv = p.value
        if pv == self.rdf_type:
            if o.value == self.fact_type:
                self.parts.setdefault(s.value, {})
            elif o.value in self.classes:
                self.state.entities.add(s.value)
        elif pv in self.fields:
            self.parts.setdefault(s.value, {})[self.fields[pv]] = o
        elif pv in self.link_predicates and isinstance(o, NamedNode):
            self.links.setdefault(s.value, set()).add(o.value)
        elif pv == self.content_hash:
            self.state.content_hash = o.value
        elif pv == self.role:
            self.roles[s.value] = o
        elif pv in (self.title, self.identifier) and isinstance(o, Literal):
            self.titles[(s.value, pv)] = o

    def done(self) -> PostState:
        for f, parts in self.parts.items():
            s, p, o = parts.get("s"), parts.get("p"), parts.get("o")
            if s is None or not isinstance(p, NamedNode) or o is None:
                continue  # not a fact node after all (a rdf:subject without a kg:Fact type)
            about = {x.value for x in (s, o) if isinstance(x, NamedNode) and x.value.startswith(self.paths)}
            for x in (s, o):
                about |= {y for y in self.links.get(x.value, ()) if y.startswith(self.paths)}
            role = self.roles.get(s.value)
            self.state.facts[f] = FactState(f, s, p, o, parts.get("t"), frozenset(about), role)
        return self.state

    def finish(self, post: str) -> PostState:
        self.state.title = self.titles.get((post, self.title))
        self.state.identifier = self.titles.get((post, self.identifier))
        return self.done()


def state_of(post: str, quads: Iterable[Quad]) -> PostState:
    reader = _Reader()
    for q in quads:
        reader.add(q.subject, q.predicate, q.object)  # type: ignore[arg-type]
    return reader.finish(post)


def stored_states(store: Store, post_iris: Sequence[str]) -> dict[str, PostState]:
    """The state of each post the store holds, read with one query (posts it lacks are absent)."""
    if not post_iris:
        return {}
    values = " ".join(f"<{p}>" for p in post_iris)
    classes = " ".join(f"<{c}>" for c in sorted(_entity_classes()))
    links = " ".join(_LINKS)
    rows = store.select(
        sparql_prefixes()
        + f"""SELECT ?g ?s ?p ?o WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{
  {{ ?g ?p ?o VALUES ?p {{ kg:contentHash dcterms:title dcterms:identifier }} BIND(?g AS ?s) }}
  UNION {{ ?s a kg:Fact BIND(rdf:type AS ?p) BIND(kg:Fact AS ?o) }}
  UNION {{ ?s ?p ?o VALUES ?p {{ rdf:subject rdf:predicate rdf:object kg:evidenceText }} ?s a kg:Fact }}
  UNION {{ ?s a ?o VALUES ?o {{ {classes} }} BIND(rdf:type AS ?p) }}
  UNION {{ ?s ?p ?o VALUES ?p {{ {links} kg:roleLabel }} }} }} }}"""
    )
    readers: dict[str, _Reader] = {}
    for r in rows:
        reader = readers.get(r["g"].value)
        if reader is None:
            reader = readers[r["g"].value] = _Reader()
        reader.add(r["s"], r["p"], r["o"])
    return {g: reader.finish(g) for g, reader in readers.items() if reader.state.content_hash is not None}


class ChangeLog:
    """One run's record. `start()`, then `replace_posts` / `remove_posts` in place of the
    store's own, then `finish()`; a run that never finishes keeps no end time."""

    def __init__(self, store: Store, kind: str = "ingest", clock: Clock = _now) -> None:
        if kind not in RUN_KINDS:
            raise ValueError(f"unknown kind of run {kind!r} (one of {', '.join(RUN_KINDS)})")
        self.store = store
        self.kind = kind
        self.clock = clock
        self.started = clock()
        self.id = f"{self.started:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:6]}"
        self.run = NamedNode(data_iri(f"id/run/{self.id}"))
        self.graph = graph_node("changes")
        self.versions: set[str] = set()
        self.counts: Counter[str] = Counter()
        self._sets = 0

    def _quad(self, s: NamedNode, p: str, o: Term) -> Quad:
        return Quad(s, _n(p), o, self.graph)

    def start(self) -> None:
        """Check the store's base IRI and record that the run began."""
        check_base(self.store)
        self.store.write_log(
            [
                self._quad(self.run, "rdf:type", _n("prov:Activity")),
                self._quad(self.run, "rdf:type", _n(RUN_KINDS[self.kind])),
                self._quad(self.run, "dcterms:identifier", Literal(self.id)),
                self._quad(self.run, "prov:startedAtTime", timestamp(self.started)),
            ]
        )

    def saw_version(self, version: str) -> None:
        """An extractor version that made posts of this run."""
        if version:
            self.versions.add(version)

    def finish(self) -> None:
        """Record the end of the run, its counts and the extractors it ran."""
        quads = [self._quad(self.run, "prov:endedAtTime", timestamp(self.clock()))]
        for key in ("postsAdded", "postsChanged", "postsRemoved", "factsAdded", "factsRemoved"):
            quads.append(self._quad(self.run, f"kg:{key}", _count(self.counts[key])))
        for version in sorted(self.versions):
            name, _, number = version.rpartition("/")
            agent = NamedNode(data_iri(f"id/extractor/{name or version}/{number}"))
            quads += [
                self._quad(self.run, "prov:wasAssociatedWith", agent),
                self._quad(agent, "rdf:type", _n("kg:Extractor")),
                self._quad(agent, "rdfs:label", Literal(name or version)),
                self._quad(agent, "kg:version", Literal(version)),
            ]
        self.store.write_log(quads)

    # -- writing posts ------------------------------------------------------------------------

    def replace_posts(self, posts: Sequence[tuple[str, list[Quad]]]) -> None:
        """`Store.replace_posts` plus the change set of every post that changed."""
        if not posts:
            return
        before = stored_states(self.store, [p for p, _ in posts])
        now = timestamp(self.clock())
        log: list[Quad] = []
        for post, quads in posts:
            new = state_of(post, quads)
            old = before.get(post)
            if old is None:
                self.counts["postsAdded"] += 1
                log += self._change_set(post, "added", now, new, list(new.facts.values()), [], new.entities)
                continue
            added = [f for k, f in new.facts.items() if k not in old.facts]
            removed = [f for k, f in old.facts.items() if k not in new.facts]
            if not added and not removed and old.content_hash == new.content_hash:
                continue  # read again, stated alike: nothing to follow
            self.counts["postsChanged"] += 1
            log += self._change_set(post, "changed", now, new, added, removed, new.entities - old.entities)
        self.store.replace_posts(posts, log=log)

    def remove_posts(self, post_iris: Sequence[str]) -> int:
        """`Store.remove_posts` plus a change set removing every fact of each removed post."""
        before = stored_states(self.store, post_iris)
        now = timestamp(self.clock())
        log: list[Quad] = []
        for post in post_iris:
            old = before.get(post)
            if old is not None:
                log += self._change_set(post, "removed", now, old, [], list(old.facts.values()), set())
        removed = self.store.remove_posts(post_iris, log=log)
        self.counts["postsRemoved"] += removed
        return removed

    def _change_set(
        self,
        post: str,
        reason: str,
        now: Literal,
        state: PostState,
        added: list[FactState],
        removed: list[FactState],
        mentions: set[str],
    ) -> list[Quad]:
        self._sets += 1
        cs = NamedNode(f"{self.run.value}/c{self._sets:07d}")
        quads = [
            self._quad(cs, "rdf:type", _n("cs:ChangeSet")),
            self._quad(cs, "cs:subjectOfChange", NamedNode(post)),
            self._quad(cs, "cs:changeReason", Literal(reason)),
            self._quad(cs, "cs:createdDate", now),
            self._quad(cs, "prov:wasGeneratedBy", self.run),
        ]
        if state.title is not None:
            quads.append(self._quad(cs, "dcterms:title", state.title))
        if state.identifier is not None:
            quads.append(self._quad(cs, "dcterms:identifier", state.identifier))
        quads += [self._quad(cs, "dcterms:subject", NamedNode(e)) for e in sorted(mentions)]
        for link, facts in (("cs:addition", added), ("cs:removal", removed)):
            for fact in facts:
                quads += self._snapshot(cs, link, fact)
        self.counts["factsAdded"] += len(added)
        self.counts["factsRemoved"] += len(removed)
        return quads

    def _snapshot(self, cs: NamedNode, link: str, fact: FactState) -> list[Quad]:
        kind = "add" if link == "cs:addition" else "remove"
        node = NamedNode(f"{cs.value}#{kind}-{fact.iri.rpartition('#fact-')[2] or uuid.uuid4().hex[:16]}")
        quads = [
            self._quad(cs, link, node),  # an rdf:Statement by the range of cs:addition / cs:removal
            self._quad(node, "rdf:subject", fact.subject),
            self._quad(node, "rdf:predicate", fact.predicate),
            self._quad(node, "rdf:object", fact.object),
            self._quad(node, "prov:alternateOf", NamedNode(fact.iri)),
        ]
        if fact.sentence is not None:
            quads.append(self._quad(node, "kg:evidenceText", fact.sentence))
        if fact.role is not None:
            quads.append(self._quad(node, "kg:roleLabel", fact.role))
        stated = {fact.subject.value, fact.object.value}
        quads += [self._quad(node, "dcterms:subject", NamedNode(e)) for e in sorted(fact.about - stated)]
        return quads
