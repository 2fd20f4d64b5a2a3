"""Neighbours of an entity up to three hops, with relation, direction, role, dates and evidence.

The walk is written once, over a `Source` of edges: `SparqlSource` asks the store (two
queries per node), kg.read.graph_index answers from memory. Both give the same answer for the
same graph; the tests compare them.

The edges of a node come in a fixed order (relation, direction, neighbour, role), so which
of two duplicate views of an edge is kept, which nodes a capped frontier expands and where
a long walk stops do not depend on the order a store happens to return rows in.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any, NamedTuple

from kg.read.queries import (
    CHANGE_FACT,
    EDGE_PREDICATES,
    SUCCESSION,
    Lookup,
    class_types,
    entity_id,
    entity_iri,
    safe_iri,
)
from kg.store.base import Store
from kg.vocab.ontology import iri, sparql_prefixes

# the predicates of EDGE_PREDICATES stated from head to tail (attendance is the other way round)
SIMPLE_PREDICATES = ("org:subOrganizationOf", "kg:operates", "kg:partnerOf", "schema:location")
MAX_EDGES = 5000  # a walk stops past this many edges (hubs at depth 2–3)
MAX_FRONTIER = 300  # nodes expanded per level
MAX_EVIDENCE = 10  # evidence items kept per edge, newest first
MAX_SUCCESSION_DEPTH = 12  # follow=succession walks a body's whole line, up to this many changes

Fact = tuple[str, str, str]  # (subject, predicate IRI, object) of the statement a kg:Fact is about


class Link(NamedTuple):
    """One edge as seen from one of its ends. Immutable: the in-memory index shares links
    between requests. `facts` are the statements whose kg:Fact nodes carry its evidence;
    `lo`/`hi` its earliest and latest day (its own dates and its posts' dates), known when
    a date filter asked for them (always, in the index)."""

    relation: str
    direction: str  # "out": the node is the relation's head; "in": its tail; "both": symmetric
    other: str
    role: str | None = None
    start: str | None = None
    end: str | None = None
    facts: tuple[Fact, ...] = ()
    lo: str | None = None
    hi: str | None = None


@dataclass
class Edge:
    """One neighbour in an answer (a page item)."""

    relation: str
    direction: str
    other: str  # IRI of the neighbour
    other_name: str = ""
    other_type: str = ""
    role: str | None = None
    start: str | None = None
    end: str | None = None
    evidence: list[dict[str, Any]] = field(default_factory=list)
    depth: int = 1
    via: str | None = None  # for depth > 1: the IRI this edge was reached from


# A neighbour found by the walk: (depth, relation, name, role, other, via, direction, type, link).
# The first seven fields are its place in the answer and are unique within one answer.
Hop = tuple[int, str, str, str, str, str, str, str, Link]
HOP_ORDER = itemgetter(0, 1, 2, 3, 4, 5, 6)
TYPE = 7


def in_period(link: Link, since: str | None, until: str | None) -> bool:
    if not since and not until:
        return True
    if link.lo is None or link.hi is None:
        return False
    return not ((since and link.hi < since) or (until and link.lo > until))


def rank_evidence(
    items: Iterable[tuple[str, str]], posts: dict[str, dict[str, str | None]]
) -> list[dict[str, Any]]:
    """(sentence, post) pairs → the newest MAX_EVIDENCE as evidence items."""
    empty: dict[str, str | None] = {}
    ranked = sorted(
        set(items), key=lambda sp: (posts.get(sp[1], empty).get("date") or "", sp[1], sp[0]), reverse=True
    )
    out = []
    for sentence, post in ranked[:MAX_EVIDENCE]:
        meta = posts.get(post, empty)
        out.append(
            {
                "sentence": sentence,
                "post": post,
                "post_id": meta.get("id"),
                "url": meta.get("url"),
                "title": meta.get("title"),
                "date": meta.get("date"),
            }
        )
    return out


def period_of(link: Link, post_dates: Iterable[str | None]) -> Link:
    """The link with lo/hi: the earliest and latest of its own dates and its posts' dates."""
    days = [d for d in (link.start, link.end, *post_dates) if d]
    if not days:
        return link
    return link._replace(lo=min(days), hi=max(days))


class Source:
    """Edges, names and evidence for the walk."""

    def links(self, node: str, relation: str | None, dated: bool) -> tuple[bool, Sequence[Link]]:
        """Whether `node` is an entity, and its links ordered by (relation, direction, other, role),
        with lo/hi when `dated`."""
        raise NotImplementedError

    def names(self, iris: set[str]) -> dict[str, tuple[str, str]]:
        """IRI → (display name, type name)."""
        raise NotImplementedError

    def evidence(self, node: str, links: list[Link]) -> list[list[dict[str, Any]]]:
        """The evidence items of each link of `node`, newest first."""
        raise NotImplementedError

    def hops(
        self, start: str, depth: int, relation: str | None, since: str | None, until: str | None
    ) -> list[Hop]:
        """Every neighbour up to `depth` hops, in answer order. Raises KeyError for an unknown entity.

        `relation`, `since` and `until` restrict the walk itself (a dated link is followed
        only when its period meets [since, until]).
        """
        dated = bool(since or until)
        frontier = [start]
        earlier = {start}  # nodes reached at a lower level: edges back to them are not new
        found: list[tuple[int, str, Link]] = []
        pairs_seen: set[tuple[str, str, str, str]] = set()
        for level in range(1, depth + 1):
            reached: dict[str, None] = {}
            for node in frontier[:MAX_FRONTIER]:
                exists, links = self.links(node, relation, dated)
                if level == 1 and not exists:
                    raise KeyError(start)
                via = "" if level == 1 else node
                for link in links:
                    other = link.other
                    if other in earlier or (dated and not in_period(link, since, until)):
                        continue
                    a, b = (node, other) if node < other else (other, node)
                    pair = (a, b, link.relation, link.role or "")
                    if pair in pairs_seen:
                        continue  # the same edge seen from its other end (both ends at this level)
                    pairs_seen.add(pair)
                    found.append((level, via, link))
                    reached[other] = None
                if len(found) > MAX_EDGES:
                    break
            earlier.update(reached)
            frontier = list(reached)
            if not frontier or len(found) > MAX_EDGES:
                break
        info = self.names({link.other for _, _, link in found})
        hops: list[Hop] = []
        for level, via, link in found:
            name, type_name = info.get(link.other) or (entity_id(link.other), "")
            hops.append(
                (
                    level,
                    link.relation,
                    name,
                    link.role or "",
                    link.other,
                    via,
                    link.direction,
                    type_name,
                    link,
                )
            )
        hops.sort(key=HOP_ORDER)
        return hops

    def edges(self, start: str, page: list[Hop]) -> list[Edge]:
        """The page's hops as edges, with their evidence."""
        by_node: dict[str, list[int]] = defaultdict(list)
        for i, hop in enumerate(page):
            by_node[hop[5] or start].append(i)
        evidence: list[list[dict[str, Any]]] = [[] for _ in page]
        for node, positions in by_node.items():
            found = self.evidence(node, [page[i][8] for i in positions])
            for i, items in zip(positions, found, strict=True):
                evidence[i] = items
        out = []
        for hop, items in zip(page, evidence, strict=True):
            depth, _relation, name, _role, other, via, _direction, type_name, link = hop
            out.append(
                Edge(
                    link.relation,
                    link.direction,
                    other,
                    name,
                    type_name,
                    link.role,
                    link.start,
                    link.end,
                    items,
                    depth,
                    via or None,
                )
            )
        return out


# -- from the store -----------------------------------------------------------------------------
#
# Oxigraph evaluates OPTIONAL by computing its right side on its own (hundreds of
# milliseconds on a big store), and orders joins after a UNION badly; so these queries use
# only UNIONs of basic graph patterns that each start from a constant, and the rows of
# the different branches are put together here. ?k names the branch.


def _edge_query(node: str, relation: str | None) -> str:
    n = f"<{node}>"
    simple = [p for p in SIMPLE_PREDICATES if relation in (None, EDGE_PREDICATES[p])]
    parts = [f'{{ {n} a ?v . BIND("t" AS ?k) }}']
    if simple:
        values = " ".join(simple)
        parts.append(f'{{ {n} ?p ?x . VALUES ?p {{ {values} }} FILTER(isIRI(?x)) BIND("o" AS ?k) }}')
        parts.append(f'{{ ?x ?p {n} . VALUES ?p {{ {values} }} FILTER(isIRI(?x)) BIND("i" AS ?k) }}')
    if relation in (None, "participatedIn"):
        parts.append(f'{{ ?x schema:attendee {n} . FILTER(isIRI(?x)) BIND("ao" AS ?k) }}')
        parts.append(f'{{ ?x schema:attendee {n} . ?x schema:startDate ?v . BIND("ad" AS ?k) }}')
        parts.append(f'{{ {n} schema:attendee ?x . FILTER(isIRI(?x)) BIND("ai" AS ?k) }}')
        parts.append(f'{{ {n} schema:startDate ?v . BIND("sd" AS ?k) }}')
    if relation in (None, SUCCESSION):
        # the change events the body took part in: ?m the event, ?v its date, ?w its kind
        change = "?m dcterms:date ?v . ?m kg:changeKind/skos:notation ?w ."
        parts.append(
            f'{{ ?m org:originalOrganization {n} . ?m org:resultingOrganization ?x . {change} BIND("so" AS ?k) }}'
        )
        parts.append(
            f'{{ ?m org:resultingOrganization {n} . ?m org:originalOrganization ?x . {change} BIND("si" AS ?k) }}'
        )
    if relation in (None, "holdsPosition"):
        parts.append(
            f'{{ ?m org:member {n} . ?m org:organization ?x . ?m kg:roleLabel ?w . BIND("mo" AS ?k) }}'
        )
        parts.append(
            f'{{ ?m org:organization {n} . ?m org:member ?x . ?m kg:roleLabel ?w . BIND("mi" AS ?k) }}'
        )
        for link in ("org:member", "org:organization"):
            parts.append(
                f"{{ ?m {link} {n} . ?m org:memberDuring ?i . ?i time:hasBeginning ?b . ?b time:inXSDDate ?v . "
                f'?i time:hasEnd ?e . ?e time:inXSDDate ?w . BIND("md" AS ?k) }}'
            )
    return sparql_prefixes() + "SELECT ?k ?p ?x ?m ?v ?w WHERE {\n  " + "\n  UNION ".join(parts) + "\n}"


def _evidence_query(node: str) -> str:
    """Every fact about the node, with its sentence and post: three branches, one per way a
    fact can name it (subject, object, or through a membership of an organisation)."""
    n = f"<{node}>"
    tail = "kg:evidenceText ?t ; prov:wasDerivedFrom ?post"
    # a change event is its own evidence: its note, with the event standing in for the post
    change = f'BIND(?post AS ?s) BIND("{CHANGE_FACT}" AS ?p) BIND("" AS ?o)'
    return (
        sparql_prefixes()
        + f"""SELECT ?s ?p ?o ?t ?post WHERE {{
  {{ ?f rdf:subject {n} ; rdf:predicate ?p ; rdf:object ?o ; {tail} . BIND({n} AS ?s) }}
  UNION {{ ?f rdf:object {n} ; rdf:subject ?s ; rdf:predicate ?p ; {tail} . BIND({n} AS ?o) }}
  UNION {{ ?m org:organization {n} . ?f rdf:subject ?m ; rdf:predicate ?p ; rdf:object ?o ; {tail} . BIND(?m AS ?s) }}
  UNION {{ ?post org:originalOrganization {n} ; dcterms:description ?t . {change} }}
  UNION {{ ?post org:resultingOrganization {n} ; dcterms:description ?t . {change} }}
}}"""
    )


class LinkDraft:
    """A link while its rows come in (several memberships and facts can make one link)."""

    __slots__ = ("end", "facts", "memberships", "start")

    def __init__(self) -> None:
        self.facts: set[Fact] = set()
        self.memberships: set[str] = set()
        self.start: str | None = None
        self.end: str | None = None


def _merge_links(drafts: dict[tuple[str, str, str, str], LinkDraft]) -> list[Link]:
    return [
        Link(rel, direction, other, role or None, d.start, d.end, tuple(sorted(d.facts)))
        for (rel, direction, other, role), d in sorted(drafts.items())
    ]


def _draft(
    drafts: dict[tuple[str, str, str, str], LinkDraft], key: tuple[str, str, str, str], fact: Fact
) -> LinkDraft:
    d = drafts.get(key)
    if d is None:
        d = drafts[key] = LinkDraft()
    d.facts.add(fact)
    return d


def links_of(store: Store, node: str, relation: str | None) -> tuple[bool, list[Link]]:
    """The links of one node, read from the store in one query."""
    exists = False
    drafts: dict[tuple[str, str, str, str], LinkDraft] = {}
    event_dates: dict[str, str] = {}
    own_date: str | None = None
    intervals: dict[str, tuple[str, str]] = {}
    rel_of = {iri(p): name for p, name in EDGE_PREDICATES.items()}
    att = iri("schema:attendee")
    member = iri("org:member")
    for r in store.select(_edge_query(node, relation)):
        k = r["k"].value
        if k == "t":
            exists = exists or r["v"].value in class_types()
            continue
        if k == "sd":
            own_date = min(own_date or r["v"].value, r["v"].value)
            continue
        if k == "ad":
            x, day = r["x"].value, r["v"].value
            event_dates[x] = min(event_dates.get(x, day), day)
            continue
        if k == "md":
            m, lo, hi = r["m"].value, r["v"].value, r["w"].value
            old = intervals.get(m)
            intervals[m] = (min(old[0], lo), max(old[1], hi)) if old else (lo, hi)
            continue
        other = r["x"].value
        if k in ("so", "si"):
            event, day = r["m"].value, r["v"].value
            key = (SUCCESSION, "out" if k == "so" else "in", other, r["w"].value)
            d = _draft(drafts, key, (event, CHANGE_FACT, ""))
            d.start = min(d.start or day, day)
            d.end = max(d.end or day, day)
            continue
        if k in ("o", "i"):
            p = r["p"].value
            rel = rel_of[p]
            direction = "both" if rel == "partnerOf" else ("out" if k == "o" else "in")
            _draft(drafts, (rel, direction, other, ""), (node, p, other) if k == "o" else (other, p, node))
        elif k in ("ao", "ai"):
            fact = (other, att, node) if k == "ao" else (node, att, other)
            _draft(drafts, ("participatedIn", "out" if k == "ao" else "in", other, ""), fact)
        else:  # mo / mi: memberships
            m = r["m"].value
            key = ("holdsPosition", "out" if k == "mo" else "in", other, r["w"].value)
            _draft(drafts, key, (m, member, node if k == "mo" else other)).memberships.add(m)
    for (rel, direction, other, _role), d in drafts.items():
        if rel == "holdsPosition":
            spans = [intervals[m] for m in d.memberships if m in intervals]
            if spans:
                d.start, d.end = min(s for s, _ in spans), max(e for _, e in spans)
        elif rel == "participatedIn":
            d.start = d.end = event_dates.get(other) if direction == "out" else own_date
    return exists, _merge_links(drafts)


class SparqlSource(Source):
    """The store itself: per node one query for its links and, when needed, one for its evidence."""

    def __init__(self, store: Store, lookup: Any = None) -> None:
        self.store = store
        self.lookup = lookup or Lookup(store)
        self._evidence: dict[str, dict[Fact, set[tuple[str, str]]]] = {}

    def _facts(self, node: str) -> dict[Fact, set[tuple[str, str]]]:
        found = self._evidence.get(node)
        if found is None:
            found = defaultdict(set)
            for r in self.store.select(_evidence_query(node)):
                fact = (r["s"].value, r["p"].value, r["o"].value)
                found[fact].add((r["t"].value, r["post"].value))
            self._evidence[node] = found
        return found

    def _items(self, node: str, links: list[Link]) -> list[set[tuple[str, str]]]:
        facts = self._facts(node)
        return [set().union(*(facts.get(f, ()) for f in link.facts)) for link in links]

    def links(self, node: str, relation: str | None, dated: bool) -> tuple[bool, list[Link]]:
        exists, links = links_of(self.store, node, relation)
        if dated and links:
            items = self._items(node, links)
            posts = self.lookup.posts({p for its in items for _, p in its})
            links = [
                period_of(link, (posts.get(p, {}).get("date") for _, p in its))
                for link, its in zip(links, items, strict=True)
            ]
        return exists, links

    def names(self, iris: set[str]) -> dict[str, tuple[str, str]]:
        found: dict[str, tuple[str, str]] = self.lookup.entities(iris)
        return found

    def evidence(self, node: str, links: list[Link]) -> list[list[dict[str, Any]]]:
        items = self._items(node, links)
        posts = self.lookup.posts({p for its in items for _, p in its})
        return [rank_evidence(its, posts) for its in items]


def related(
    store: Store,
    entity: str,
    depth: int = 1,
    type_name: str | None = None,
    relation: str | None = None,
    since: str | None = None,
    until: str | None = None,
    limit: int = 50,
    offset: int = 0,
    lookup: Any = None,
    source: Source | None = None,
) -> tuple[int, list[Edge]]:
    """Neighbours up to `depth` hops, filtered, with relation, role, dates and evidence.

    `relation`, `since` and `until` restrict the walk itself; `type_name` only which
    neighbours are listed. Evidence is read for the returned page only. Sorted by depth,
    relation, name, role. `source` is where the graph is read (default: the store, with
    `lookup` for names). Raises KeyError for an unknown entity.
    """
    start = entity_iri(entity)
    if not safe_iri(start):
        raise KeyError(entity)
    if relation == SUCCESSION:  # a line of succession is walked whole
        depth = max(depth, MAX_SUCCESSION_DEPTH)
    source = source or SparqlSource(store, lookup)
    hops = source.hops(start, depth, relation, since, until)
    if type_name:
        hops = [h for h in hops if h[TYPE] == type_name]
    return len(hops), source.edges(start, hops[offset : offset + limit])
