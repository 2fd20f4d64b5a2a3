"""Questions the API, the CLI and the notebooks ask of the graph, written once in SPARQL.

Entities are named by an id: the part of their IRI after `<base>id/`, e.g.
`org/중소벤처기업부` or `person/이병권@중소벤처기업부`.

The queries read the store's default graph (the merged union of the post graphs), where
every triple appears once; provenance comes from the kg:Fact nodes. Each API request costs
one or two queries: neighbours, their names and types and the evidence come back together.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import pyoxigraph as ox

from kg.store import Store
from kg.vocab import curie, data_iri, entity_type, iri, mapping, sparql_prefixes

ID_BASE = data_iri("id/")

# predicate CURIE → relation name as in the gold format, for predicates whose subject is
# the relation's head (participatedIn is stated the other way round: event attendee who)
EDGE_PREDICATES: dict[str, str] = {
    "org:subOrganizationOf": "subOrganizationOf",
    "kg:operates": "operates",
    "kg:partnerOf": "partnerOf",
    "schema:location": "locatedIn",
    "schema:attendee": "participatedIn",
}
RELATIONS = ("holdsPosition", "subOrganizationOf", "operates", "participatedIn", "partnerOf", "locatedIn")
MAX_EDGES = 5000  # a walk stops past this many edges (hubs at depth 2–3)
MAX_FRONTIER = 300  # nodes expanded per level
MAX_EVIDENCE = 10  # evidence items kept per edge, newest first

# characters that cannot appear in an IRI written <...> in SPARQL
_BAD_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')


def entity_id(entity_iri: str) -> str:
    return entity_iri[len(ID_BASE) :] if entity_iri.startswith(ID_BASE) else entity_iri


def entity_iri(entity_id_or_iri: str) -> str:
    if entity_id_or_iri.startswith(("http://", "https://")):
        return entity_id_or_iri
    return ID_BASE + entity_id_or_iri


def safe_iri(value: str) -> bool:
    """Whether `value` can be written as <value> in a query (ids come from URLs: never trust them)."""
    if not value or _BAD_IRI.search(value):
        return False
    try:
        ox.NamedNode(value)  # the parser's own IRI check (e.g. a bad %-escape)
    except ValueError:
        return False
    return True


def literal(text: str) -> str:
    """A SPARQL string literal."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{escaped}"'


@lru_cache(maxsize=1)
def _class_types() -> dict[str, str]:
    """class IRI → entity type name (Person, Organization, Program, Event, Place)."""
    return {iri(c): name for name, spec in mapping()["entity_types"].items() for c in spec["classes"]}


def type_of_classes(classes: set[str]) -> str | None:
    for name, spec in mapping()["entity_types"].items():
        if any(iri(c) in classes for c in spec["classes"]):
            return str(name)
    return None


def _class_values() -> str:
    return " ".join(f"<{c}>" for c in _class_types())


def best_name(labels: list[tuple[str, str]]) -> str | None:
    """The display name among (text, language) labels: Korean first, then the longest."""
    if not labels:
        return None
    return max(labels, key=lambda tl: (tl[1] == "ko", tl[1] == "", len(tl[0]), tl[0]))[0]


@dataclass
class Edge:
    relation: str
    direction: str  # "out": this entity is the relation's head; "in": its tail; "both": symmetric
    other: str  # IRI of the neighbour
    other_name: str = ""
    other_type: str = ""
    role: str | None = None
    start: str | None = None
    end: str | None = None
    evidence: list[dict[str, Any]] = field(default_factory=list)
    depth: int = 1
    via: str | None = None  # for depth > 1: the IRI this edge was reached from
    facts: list[tuple[str, str, str]] = field(default_factory=list, repr=False)  # where evidence is


def describe(store: Store, entity: str) -> dict[str, Any] | None:
    """Labels, type, aliases, literal attributes and counts of one entity."""
    target = entity_iri(entity)
    if not safe_iri(target):
        return None
    node = f"<{target}>"
    rows = store.select(f"SELECT ?p ?o WHERE {{ {node} ?p ?o }}")
    if not rows:
        return None
    classes = {r["o"].value for r in rows if r["p"].value == iri("rdf:type")}
    type_name = type_of_classes(classes)
    if type_name is None:
        return None
    pref = iri("skos:prefLabel")
    alt = iri("skos:altLabel")
    labels: dict[str, list[str]] = defaultdict(list)
    aliases: list[dict[str, str]] = []
    attributes: dict[str, list[str]] = defaultdict(list)
    for r in rows:
        p, o = r["p"].value, r["o"]
        lang = getattr(o, "language", None) or ""
        if p == pref:
            if o.value not in labels[lang]:
                labels[lang].append(o.value)
        elif p == alt:
            item = {"label": o.value, "lang": lang}
            if item not in aliases:
                aliases.append(item)
        elif type(o).__name__ == "Literal" and o.value not in attributes[curie(p)]:
            attributes[curie(p)].append(o.value)
    counts = store.select(
        sparql_prefixes()
        + f"""SELECT (COUNT(DISTINCT ?post) AS ?posts) (COUNT(DISTINCT ?f) AS ?facts) WHERE {{
  {{ ?f rdf:subject {node} }} UNION {{ ?f rdf:object {node} }}
  UNION {{ ?m org:organization {node} . ?f rdf:subject ?m }}
  ?f a kg:Fact ; prov:wasDerivedFrom ?post }}"""
    )
    name = best_name([(t, lang) for lang, texts in labels.items() for t in texts]) or entity_id(target)
    return {
        "id": entity_id(target),
        "iri": target,
        "type": type_name,
        "classes": sorted(curie(c) for c in classes),
        "name": name,
        "labels": {k: sorted(v) for k, v in labels.items()},
        "aliases": sorted(aliases, key=lambda a: (a["lang"], a["label"])),
        "attributes": {k: sorted(v) for k, v in attributes.items()},
        "posts": int(counts[0]["posts"].value) if counts else 0,
        "facts": int(counts[0]["facts"].value) if counts else 0,
    }


def entity_triples_query(entity: str) -> str | None:
    """CONSTRUCT the entity's own statements (for its Turtle and JSON-LD views)."""
    target = entity_iri(entity)
    if not safe_iri(target):
        return None
    return f"CONSTRUCT {{ <{target}> ?p ?o }} WHERE {{ <{target}> ?p ?o }}"


class Lookup:
    """Names and types of entities, and titles and dates of posts, for a set of IRIs.

    This default asks the store; the API passes its in-memory index instead (kg.label_index),
    which answers without a round trip.
    """

    def __init__(self, store: Store) -> None:
        self.store = store

    def entities(self, iris: set[str]) -> dict[str, tuple[str, str]]:
        """IRI → (display name, type name)."""
        iris = {i for i in iris if safe_iri(i)}
        if not iris:
            return {}
        values = " ".join(f"<{i}>" for i in iris)
        rows = self.store.select(
            sparql_prefixes()
            + f"""SELECT ?s ?l ?c WHERE {{ VALUES ?s {{ {values} }}
  {{ ?s skos:prefLabel ?l }} UNION {{ ?s a ?c . VALUES ?c {{ {_class_values()} }} }} }}"""
        )
        labels: dict[str, list[tuple[str, str]]] = defaultdict(list)
        types: dict[str, str] = {}
        for r in rows:
            s = r["s"].value
            if "c" in r:
                types[s] = _class_types()[r["c"].value]
            if "l" in r:
                labels[s].append((r["l"].value, getattr(r["l"], "language", None) or ""))
        return {i: (best_name(labels.get(i, [])) or entity_id(i), types.get(i, "")) for i in iris}

    def posts(self, iris: set[str]) -> dict[str, dict[str, str | None]]:
        """Post IRI → {"id", "title", "date", "url"}."""
        iris = {i for i in iris if safe_iri(i)}
        if not iris:
            return {}
        values = " ".join(f"<{i}>" for i in iris)
        rows = self.store.select(
            sparql_prefixes()
            + f"""SELECT ?p ?k ?v WHERE {{ VALUES ?p {{ {values} }}
  {{ ?p dcterms:identifier ?v BIND("id" AS ?k) }} UNION {{ ?p dcterms:title ?v BIND("title" AS ?k) }}
  UNION {{ ?p dcterms:issued ?v BIND("date" AS ?k) }} UNION {{ ?p dcterms:source ?v BIND("url" AS ?k) }} }}"""
        )
        out: dict[str, dict[str, str | None]] = {
            i: {"id": None, "title": None, "date": None, "url": None} for i in iris
        }
        for r in rows:
            out[r["p"].value][r["k"].value] = r["v"].value
        return out


# Oxigraph evaluates OPTIONAL by computing its right side on its own (hundreds of
# milliseconds on a big store), and orders joins after a UNION badly; so these queries use
# only UNIONs of basic graph patterns that each start from a constant, and the rows of
# the different branches are put together here. ?k names the branch.
_EDGE_PREDICATES_IN = ("org:subOrganizationOf", "kg:operates", "kg:partnerOf", "schema:location")


def _edge_query(node: str, relation: str | None) -> str:
    n = f"<{node}>"
    simple = [p for p in _EDGE_PREDICATES_IN if relation in (None, EDGE_PREDICATES[p])]
    parts = [f'{{ {n} a ?v . BIND("t" AS ?k) }}']
    if simple:
        values = " ".join(simple)
        parts.append(f'{{ {n} ?p ?x . VALUES ?p {{ {values} }} FILTER(isIRI(?x)) BIND("o" AS ?k) }}')
        parts.append(f'{{ ?x ?p {n} . VALUES ?p {{ {values} }} BIND("i" AS ?k) }}')
    if relation in (None, "participatedIn"):
        parts.append(f'{{ ?x schema:attendee {n} . BIND("ao" AS ?k) }}')
        parts.append(f'{{ ?x schema:attendee {n} . ?x schema:startDate ?v . BIND("ad" AS ?k) }}')
        parts.append(f'{{ {n} schema:attendee ?x . BIND("ai" AS ?k) }}')
        parts.append(f'{{ {n} schema:startDate ?v . BIND("sd" AS ?k) }}')
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
    return (
        sparql_prefixes()
        + f"""SELECT ?s ?p ?o ?t ?post WHERE {{
  {{ ?f rdf:subject {n} ; rdf:predicate ?p ; rdf:object ?o ; {tail} . BIND({n} AS ?s) }}
  UNION {{ ?f rdf:object {n} ; rdf:subject ?s ; rdf:predicate ?p ; {tail} . BIND({n} AS ?o) }}
  UNION {{ ?m org:organization {n} . ?f rdf:subject ?m ; rdf:predicate ?p ; rdf:object ?o ; {tail} . BIND(?m AS ?s) }}
}}"""
    )


def _edges_of(store: Store, node: str, relation: str | None) -> tuple[bool, list[Edge]]:
    """The edges around one node (without names and evidence); whether the node is an entity."""
    exists = False
    edges: dict[tuple[str, str, str, str], Edge] = {}
    event_dates: dict[str, str] = {}
    own_date: str | None = None
    intervals: dict[str, tuple[str, str]] = {}
    member_edges: list[tuple[str, Edge]] = []
    rel_of = {iri(p): name for p, name in EDGE_PREDICATES.items()}
    for r in store.select(_edge_query(node, relation)):
        k = r["k"].value
        if k == "t":
            exists = exists or r["v"].value in _class_types()
            continue
        if k == "sd":
            own_date = r["v"].value
            continue
        if k == "ad":
            event_dates[r["x"].value] = r["v"].value
            continue
        if k == "md":
            intervals[r["m"].value] = (r["v"].value, r["w"].value)
            continue
        other = r["x"].value
        role = ""
        fact: tuple[str, str, str]
        if k in ("o", "i"):
            p = r["p"].value
            rel = rel_of[p]
            direction = "both" if rel == "partnerOf" else ("out" if k == "o" else "in")
            fact = (node, p, other) if k == "o" else (other, p, node)
        elif k in ("ao", "ai"):
            rel, direction = "participatedIn", "out" if k == "ao" else "in"
            att = iri("schema:attendee")
            fact = (other, att, node) if k == "ao" else (node, att, other)
        else:  # mo / mi: memberships
            rel, direction = "holdsPosition", "out" if k == "mo" else "in"
            role = r["w"].value
            member = node if k == "mo" else other
            fact = (r["m"].value, iri("org:member"), member)
        key = (rel, direction, other, role)
        edge = edges.get(key)
        if edge is None:
            edge = edges[key] = Edge(rel, direction, other, role=role or None)
        if fact not in edge.facts:
            edge.facts.append(fact)
        if k in ("mo", "mi"):
            member_edges.append((r["m"].value, edge))
    for m, edge in member_edges:
        if m in intervals:
            lo, hi = intervals[m]
            edge.start = min(edge.start or lo, lo)
            edge.end = max(edge.end or hi, hi)
    for edge in edges.values():
        if edge.relation == "participatedIn":
            day = event_dates.get(edge.other) if edge.direction == "out" else own_date
            edge.start = edge.end = day
    return exists, list(edges.values())


def _attach_evidence(store: Store, node: str, edges: list[Edge], lookup: Lookup) -> None:
    by_fact: dict[tuple[str, str, str], list[Edge]] = defaultdict(list)
    for e in edges:
        for f in e.facts:
            by_fact[f].append(e)
    if not by_fact:
        return
    rows = store.select(_evidence_query(node))
    found = [(r["s"].value, r["p"].value, r["o"].value, r["t"].value, r["post"].value) for r in rows]
    posts = lookup.posts({f[4] for f in found if (f[0], f[1], f[2]) in by_fact})
    for s, p, o, sentence, post in found:
        for edge in by_fact.get((s, p, o), ()):
            meta = posts.get(post, {})
            ev = {
                "sentence": sentence,
                "post": post,
                "post_id": meta.get("id"),
                "url": meta.get("url"),
                "title": meta.get("title"),
                "date": meta.get("date"),
            }
            if ev not in edge.evidence:
                edge.evidence.append(ev)
    for e in edges:
        e.evidence.sort(key=lambda ev: (ev["date"] or "", ev["post"]), reverse=True)
        del e.evidence[MAX_EVIDENCE:]


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
) -> tuple[int, list[Edge]]:
    """Neighbours up to `depth` hops, filtered, with relation, role, dates and evidence.

    `relation`, `since` and `until` restrict the walk itself; `type_name` only which
    neighbours are listed. Evidence is read for the returned page only (and for all edges
    when a date filter needs it). Raises KeyError for an unknown entity.
    """
    lookup = lookup or Lookup(store)
    start = entity_iri(entity)
    if not safe_iri(start):
        raise KeyError(entity)
    dated = bool(since or until)
    frontier = [start]
    earlier = {start}  # nodes reached at a lower level: edges back to them are not new
    found: list[Edge] = []
    pairs_seen: set[tuple[str, ...]] = set()
    for level in range(1, depth + 1):
        reached: dict[str, None] = {}
        for node in frontier[:MAX_FRONTIER]:
            exists, edges = _edges_of(store, node, relation)
            if level == 1 and not exists:
                raise KeyError(entity)
            if dated:
                _attach_evidence(store, node, edges, lookup)
            for edge in edges:
                if edge.other in earlier or not _in_period(edge, since, until):
                    continue
                pair = (*sorted((node, edge.other)), edge.relation, edge.role or "")
                if pair in pairs_seen:
                    continue  # the same edge seen from its other end (both ends at this level)
                pairs_seen.add(pair)
                edge.depth = level
                edge.via = None if level == 1 else node
                found.append(edge)
                reached.setdefault(edge.other)
            if len(found) > MAX_EDGES:
                break
        earlier.update(reached)
        frontier = list(reached)
        if not frontier or len(found) > MAX_EDGES:
            break
    info = lookup.entities({e.other for e in found})
    for e in found:
        e.other_name, e.other_type = info.get(e.other, (entity_id(e.other), ""))
    if type_name:
        found = [e for e in found if e.other_type == type_name]
    found.sort(key=lambda e: (e.depth, e.relation, e.other_name, e.role or "", e.other))
    page = found[offset : offset + limit]
    if not dated:
        by_node: dict[str, list[Edge]] = defaultdict(list)
        for e in page:
            by_node[e.via or start].append(e)
        for node, edges in by_node.items():
            _attach_evidence(store, node, edges, lookup)
    return len(found), page


def _in_period(edge: Edge, since: str | None, until: str | None) -> bool:
    if not since and not until:
        return True
    dates = [d for d in (edge.start, edge.end) if d] + [ev["date"] for ev in edge.evidence if ev.get("date")]
    if not dates:
        return False
    lo, hi = min(dates), max(dates)
    return not ((since and hi < since) or (until and lo > until))


def stats(store: Store) -> dict[str, Any]:
    rows = store.select(
        f"SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE {{ VALUES ?c {{ {_class_values()} }} ?s a ?c }} GROUP BY ?c"
    )
    by_class = {r["c"].value: int(r["n"].value) for r in rows}
    counts = {name: by_class.get(c, 0) for c, name in _class_types().items()}
    posts = store.select(
        sparql_prefixes() + "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { GRAPH ?p { ?p a schema:Article } }"
    )
    facts = store.select(sparql_prefixes() + "SELECT (COUNT(*) AS ?n) WHERE { ?f a kg:Fact }")
    return {
        "posts": int(posts[0]["n"].value),
        "facts": int(facts[0]["n"].value),
        "quads": store.quad_count(),
        "entities": counts,
    }


def list_posts(
    store: Store,
    limit: int = 50,
    offset: int = 0,
    since: str | None = None,
    until: str | None = None,
    q: str | None = None,
) -> tuple[int, list[dict[str, Any]]]:
    """Posts, newest first; `since`/`until` (YYYY-MM-DD) on the publication date, `q` in the title."""
    filters = []
    if since:
        filters.append(f'?issued >= "{since}"^^xsd:date')
    if until:
        filters.append(f'?issued <= "{until}"^^xsd:date')
    if q:
        filters.append(f"CONTAINS(LCASE(STR(?title)), LCASE({literal(q)}))")
    where = f"""?p a schema:Article ; dcterms:identifier ?id .
  OPTIONAL {{ ?p dcterms:title ?title }} OPTIONAL {{ ?p dcterms:issued ?issued }}
  {" ".join(f"FILTER({f})" for f in filters)}"""
    total = store.select(
        sparql_prefixes() + f"SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE {{ GRAPH ?p {{ {where} }} }}"
    )
    rows = store.select(
        sparql_prefixes()
        + f"""SELECT ?p ?id ?title ?issued ?url ?publisher WHERE {{ GRAPH ?p {{ {where}
  OPTIONAL {{ ?p dcterms:source ?url }} OPTIONAL {{ ?p dcterms:publisher ?publisher }} }} }}
ORDER BY DESC(?issued) ?id LIMIT {int(limit)} OFFSET {int(offset)}"""
    )
    out: dict[str, dict[str, Any]] = {}
    for r in rows:
        out.setdefault(
            r["p"].value,
            {
                "id": r["id"].value,
                "iri": r["p"].value,
                "title": r["title"].value if "title" in r else None,
                "published": r["issued"].value if "issued" in r else None,
                "url": r["url"].value if "url" in r else None,
                "publisher": r["publisher"].value if "publisher" in r else None,
            },
        )
    return int(total[0]["n"].value), list(out.values())


def post_iri_for(store: Store, post_id: str) -> str | None:
    """A post's IRI from its id (or IRI, or URL)."""
    if post_id.startswith(ID_BASE):
        if not safe_iri(post_id):
            return None
        found = store.ask(
            sparql_prefixes() + f"ASK {{ GRAPH <{post_id}> {{ <{post_id}> a schema:Article }} }}"
        )
        return post_id if found else None
    lit = literal(post_id)
    rows = store.select(
        sparql_prefixes()
        + f"""SELECT ?p WHERE {{ GRAPH ?p {{ ?p a schema:Article .
  {{ ?p dcterms:identifier {lit} }} UNION {{ ?p dcterms:source ?u FILTER(STR(?u) = {lit}) }} }} }} LIMIT 1"""
    )
    return rows[0]["p"].value if rows else None


def post_facts(store: Store, post: str) -> dict[str, Any] | None:
    p = post_iri_for(store, post)
    if p is None:
        return None
    meta = store.select(
        sparql_prefixes()
        + f"""SELECT ?id ?title ?issued ?url ?publisher ?licence WHERE {{ GRAPH <{p}> {{ <{p}> dcterms:identifier ?id .
  OPTIONAL {{ <{p}> dcterms:title ?title }} OPTIONAL {{ <{p}> dcterms:issued ?issued }}
  OPTIONAL {{ <{p}> dcterms:source ?url }} OPTIONAL {{ <{p}> dcterms:publisher ?publisher }}
  OPTIONAL {{ <{p}> dcterms:license ?licence }} }} }} LIMIT 1"""
    )
    rows = store.select(
        sparql_prefixes()
        + f"""SELECT ?s ?pred ?o ?sentence ?start ?end ?conf ?component WHERE {{ GRAPH <{p}> {{
  ?f a kg:Fact ; rdf:subject ?s ; rdf:predicate ?pred ; rdf:object ?o ; kg:evidenceText ?sentence ;
     kg:charStart ?start ; kg:charEnd ?end ; kg:confidence ?conf ; prov:wasAttributedTo ?a . ?a rdfs:label ?component }} }}
ORDER BY ?start ?s ?pred ?o"""
    )
    m = meta[0] if meta else {}
    return {
        "id": m["id"].value if "id" in m else post,
        "iri": p,
        "title": m["title"].value if "title" in m else None,
        "published": m["issued"].value if "issued" in m else None,
        "url": m["url"].value if "url" in m else None,
        "publisher": m["publisher"].value if "publisher" in m else None,
        "licence": m["licence"].value if "licence" in m else None,
        "facts": [
            {
                "subject": r["s"].value,
                "predicate": curie(r["pred"].value),
                "object": r["o"].value,
                "sentence": r["sentence"].value,
                "start": int(r["start"].value),
                "end": int(r["end"].value),
                "confidence": float(r["conf"].value),
                "component": r["component"].value,
            }
            for r in rows
        ],
    }


def type_class(type_name: str) -> str:
    return iri(entity_type(type_name)["classes"][0])
