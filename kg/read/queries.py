"""Questions the API, the CLI and the notebooks ask of the graph, written once in SPARQL.

Entities are named by an id: the part of their IRI after `<base>id/`, e.g.
`org/중소벤처기업부` or `person/이병권@중소벤처기업부`.

The queries read the store's default graph (the merged union of the post graphs), where
every triple appears once; provenance comes from the kg:Fact nodes. Neighbours
(`related`) live in kg.read.related, which walks either the store or the in-memory graph index.
"""

from __future__ import annotations

import re
from collections import defaultdict
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from kg.model import DATE_TAIL_RELATIONS, RELATION_KINDS
from kg.store.base import Store
from kg.version import extractor_version
from kg.vocab.ontology import curie, data_iri, entity_type, iri, mapping, sparql_prefixes

if TYPE_CHECKING:
    pass


# predicate CURIE → relation name as in the gold format, for predicates whose subject is
# the relation's head (participatedIn is stated the other way round: event attendee who)
EDGE_PREDICATES: dict[str, str] = {
    "org:subOrganizationOf": "subOrganizationOf",
    "kg:operates": "operates",
    "kg:partnerOf": "partnerOf",
    "schema:location": "locatedIn",
    "schema:attendee": "participatedIn",
}
# A body's line of succession: an org:ChangeEvent links the bodies before and after it. As a
# relation, its head is the earlier body ("out": the other end is a successor).
SUCCESSION = "succession"
# what /related reports: the relations between entities, and succession
RELATIONS = (
    *(k for k in RELATION_KINDS if k not in DATE_TAIL_RELATIONS or k == "participatedIn"),
    SUCCESSION,
)
CHANGE_FACT = "change"  # the fact key (event, CHANGE_FACT, "") whose evidence is the event's note

# characters that cannot appear in an IRI written <...> in SPARQL
_BAD_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')


def id_base() -> str:
    """`<base>id/`: entity and post ids are IRIs with this taken off (the base is KG_BASE_IRI)."""
    return data_iri("id/")


def entity_id(entity_iri: str) -> str:
    prefix = id_base()
    return entity_iri[len(prefix) :] if entity_iri.startswith(prefix) else entity_iri


def entity_iri(entity_id_or_iri: str) -> str:
    if entity_id_or_iri.startswith(("http://", "https://")):
        return entity_id_or_iri
    return id_base() + entity_id_or_iri


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
def class_types() -> dict[str, str]:
    """class IRI → entity type name (Person, Organization, Program, Event, Place)."""
    return {iri(c): name for name, spec in mapping()["entity_types"].items() for c in spec["classes"]}


@lru_cache(maxsize=1)
def class_rank() -> dict[str, tuple[int, str]]:
    """class IRI → (place of its type in the mapping, type name): the first type wins."""
    names = list(mapping()["entity_types"])
    return {c: (names.index(name), name) for c, name in class_types().items()}


def type_of_classes(classes: set[str]) -> str | None:
    """The entity type of a node with these classes (the mapping's first type that matches)."""
    rank = class_rank()
    found = [rank[c] for c in classes if c in rank]
    return min(found)[1] if found else None


def class_values() -> str:
    return " ".join(f"<{c}>" for c in class_types())


def best_name(labels: list[tuple[str, str]]) -> str | None:
    """The display name among (text, language) labels: Korean first, then the longest."""
    if not labels:
        return None
    return max(labels, key=lambda tl: (tl[1] == "ko", tl[1] == "", len(tl[0]), tl[0]))[0]


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
    # each branch joins on its own: a join after the UNION took 10 s for a hub on 2 M quads
    tail = "?f a kg:Fact ; prov:wasDerivedFrom ?post"
    counts = store.select(
        sparql_prefixes()
        + f"""SELECT (COUNT(DISTINCT ?post) AS ?posts) (COUNT(DISTINCT ?f) AS ?facts) WHERE {{
  {{ ?f rdf:subject {node} . {tail} }} UNION {{ ?f rdf:object {node} . {tail} }}
  UNION {{ ?m org:organization {node} . ?f rdf:subject ?m . {tail} }} }}"""
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


def merged_into(store: Store, entity: str) -> str | None:
    """The canonical IRI an entity was merged into by a `same` judgement (owl:sameAs), if any."""
    target = entity_iri(entity)
    if not safe_iri(target):
        return None
    rows = store.select(
        sparql_prefixes() + f"SELECT ?c WHERE {{ <{target}> owl:sameAs ?c }} ORDER BY ?c LIMIT 1"
    )
    return rows[0]["c"].value if rows else None


def entity_triples_query(entity: str) -> str | None:
    """CONSTRUCT the entity's own statements (for its Turtle and JSON-LD views)."""
    target = entity_iri(entity)
    if not safe_iri(target):
        return None
    return f"CONSTRUCT {{ <{target}> ?p ?o }} WHERE {{ <{target}> ?p ?o }}"


class Lookup:
    """Names and types of entities, and titles and dates of posts, for a set of IRIs.

    This default asks the store; kg.read.labels answers the same from memory.
    """

    def __init__(self, store: Store) -> None:
        self.store = store

    def entities(self, iris: set[str]) -> dict[str, tuple[str, str]]:
        """IRI → (display name, type name)."""
        iris, values = _iri_values(iris)
        if not iris:
            return {}
        rows = self.store.select(
            sparql_prefixes()
            + f"""SELECT ?s ?l ?c WHERE {{ VALUES ?s {{ {values} }}
  {{ ?s skos:prefLabel ?l }} UNION {{ ?s a ?c . VALUES ?c {{ {class_values()} }} }} }}"""
        )
        labels: dict[str, list[tuple[str, str]]] = defaultdict(list)
        classes: dict[str, set[str]] = defaultdict(set)
        for r in rows:
            s = r["s"].value
            if "c" in r:
                classes[s].add(r["c"].value)
            if "l" in r:
                labels[s].append((r["l"].value, getattr(r["l"], "language", None) or ""))
        return {
            i: (best_name(labels.get(i, [])) or entity_id(i), type_of_classes(classes.get(i, set())) or "")
            for i in iris
        }

    def posts(self, iris: set[str]) -> dict[str, dict[str, str | None]]:
        """Post IRI → {"id", "title", "date", "url"}."""
        iris, values = _iri_values(iris)
        if not iris:
            return {}
        rows = self.store.select(
            sparql_prefixes()
            + f"""SELECT ?p ?k ?v WHERE {{ VALUES ?p {{ {values} }}
  {{ ?p dcterms:identifier ?v BIND("id" AS ?k) }} UNION {{ ?p dcterms:title ?v BIND("title" AS ?k) }}
  UNION {{ ?p dcterms:issued ?v BIND("date" AS ?k) }} UNION {{ ?p dcterms:source ?v BIND("url" AS ?k) }}
  UNION {{ ?p a org:ChangeEvent ; rdfs:label ?v BIND("title" AS ?k) }}
  UNION {{ ?p a org:ChangeEvent ; dcterms:date ?v BIND("date" AS ?k) }} }}"""
        )
        out: dict[str, dict[str, str | None]] = {
            i: {"id": None, "title": None, "date": None, "url": None} for i in iris
        }
        for r in rows:
            meta, key, value = out[r["p"].value], r["k"].value, r["v"].value
            meta[key] = min(meta[key] or value, value)  # one value even if a post states two
        return out


def stats(store: Store) -> dict[str, Any]:
    rows = store.select(
        f"SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE {{ VALUES ?c {{ {class_values()} }} ?s a ?c }} GROUP BY ?c"
    )
    by_class = {r["c"].value: int(r["n"].value) for r in rows}
    counts = {name: by_class.get(c, 0) for c, name in class_types().items()}
    posts = store.select(
        sparql_prefixes() + "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { GRAPH ?p { ?p a schema:Article } }"
    )
    facts = store.select(sparql_prefixes() + "SELECT (COUNT(*) AS ?n) WHERE { ?f a kg:Fact }")
    return {
        "posts": int(posts[0]["n"].value),
        "facts": int(facts[0]["n"].value),
        "quads": store.quad_count(),
        "entities": counts,
        "current_extractor": extractor_version(),
        "extractor_versions": [
            {"version": v, "posts": n_posts, "facts": n_facts}
            for v, n_posts, n_facts in extractor_versions(store)
        ],
    }


def extractor_versions(store: Store) -> list[tuple[str, int, int]]:
    """(extractor version, posts, facts) for every version in the store, most facts first;
    posts and facts written before versions were recorded count under "unrecorded".

    (Counted as totals minus the recorded ones, not with OPTIONAL: Virtuoso 7 answered an
    OPTIONAL inside a variable GRAPH with a second, unbound row for every post.)"""
    by_version: dict[str, list[int]] = {}
    totals = [0, 0]
    for column, (subject, cls) in enumerate((("?p", "schema:Article"), ("?f", "kg:Fact"))):
        counted = store.select(
            sparql_prefixes()
            + f"""SELECT ?v (COUNT(DISTINCT {subject}) AS ?n) WHERE {{ GRAPH ?p {{ {subject} a {cls} ;
  kg:extractorVersion ?v }} }} GROUP BY ?v"""
        )
        for r in counted:
            by_version.setdefault(r["v"].value, [0, 0])[column] = int(r["n"].value)
        total = store.select(
            sparql_prefixes()
            + f"SELECT (COUNT(DISTINCT {subject}) AS ?n) WHERE {{ GRAPH ?p {{ {subject} a {cls} }} }}"
        )
        totals[column] = int(total[0]["n"].value) if total else 0
    unrecorded = [totals[c] - sum(n[c] for n in by_version.values()) for c in (0, 1)]
    if any(unrecorded):
        by_version["unrecorded"] = unrecorded
    return sorted(((v, n[0], n[1]) for v, n in by_version.items()), key=lambda t: (-t[2], -t[1], t[0]))


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
    """A post's IRI from its id, its IRI, the last part of its IRI (`/id/post/<slug>`) or its URL."""
    if post_id.startswith(id_base()):
        if not safe_iri(post_id):
            return None
        found = store.ask(
            sparql_prefixes() + f"ASK {{ GRAPH <{post_id}> {{ <{post_id}> a schema:Article }} }}"
        )
        return post_id if found else None
    slug = f"{id_base()}post/{post_id}"
    if (
        "/" not in post_id
        and safe_iri(slug)
        and store.ask(sparql_prefixes() + f"ASK {{ GRAPH <{slug}> {{ <{slug}> a schema:Article }} }}")
    ):
        return slug
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


def _iri_values(iris: set[str]) -> tuple[set[str], str]:
    """The IRIs safe to write into a query, and their VALUES list."""
    safe = {i for i in iris if safe_iri(i)}
    return safe, " ".join(f"<{i}>" for i in safe)


def post_graph(store: Store, post_iri: str) -> list[ox.Triple]:
    """Every triple of a post's named graph (its description and all it states)."""
    if not safe_iri(post_iri):
        return []
    return store.construct(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{post_iri}> {{ ?s ?p ?o }} }}")
