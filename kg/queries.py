"""Questions the API, the CLI and the notebooks ask of the graph, written once in SPARQL.

Entities are named by an id: the part of their IRI after `<base>id/`, e.g.
`org/중소벤처기업부` or `person/이병권@중소벤처기업부`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from kg.store import Store
from kg.vocab import data_iri, entity_type, iri, mapping, sparql_prefixes

ID_BASE = data_iri("id/")

# predicate CURIE → relation name as in the gold format (direction: subject → object)
EDGE_PREDICATES: dict[str, str] = {
    "org:subOrganizationOf": "subOrganizationOf",
    "kg:operates": "operates",
    "kg:partnerOf": "partnerOf",
    "schema:location": "locatedIn",
    "schema:attendee": "participatedIn",
}


def entity_id(entity_iri: str) -> str:
    return entity_iri[len(ID_BASE) :] if entity_iri.startswith(ID_BASE) else entity_iri


def entity_iri(entity_id_or_iri: str) -> str:
    if entity_id_or_iri.startswith(("http://", "https://")):
        return entity_id_or_iri
    return ID_BASE + entity_id_or_iri


def type_of_classes(classes: set[str]) -> str | None:
    for name, spec in mapping()["entity_types"].items():
        if any(iri(c) in classes for c in spec["classes"]):
            return str(name)
    return None


@dataclass
class Edge:
    relation: str
    direction: str  # "out": this entity is the subject; "in": the object
    other: str  # IRI of the neighbour
    other_name: str = ""
    other_type: str = ""
    role: str | None = None
    start: str | None = None
    end: str | None = None
    evidence: list[dict[str, Any]] = field(default_factory=list)
    depth: int = 1
    via: str | None = None  # for depth > 1: the IRI this edge was reached from


def describe(store: Store, entity: str) -> dict[str, Any] | None:
    """Labels, type, aliases, literal attributes and counts of one entity."""
    node = f"<{entity_iri(entity)}>"
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
        lang = getattr(o, "language", None)
        if p == pref:
            if o.value not in labels[lang or ""]:
                labels[lang or ""].append(o.value)
        elif p == alt:
            item = {"label": o.value, "lang": lang or ""}
            if item not in aliases:
                aliases.append(item)
        elif type(o).__name__ == "Literal" and p not in (pref, alt):
            from kg.vocab import curie

            if o.value not in attributes[curie(p)]:
                attributes[curie(p)].append(o.value)
    counts = store.select(
        sparql_prefixes()
        + f"""SELECT (COUNT(DISTINCT ?g) AS ?posts) (COUNT(DISTINCT ?f) AS ?facts) WHERE {{
  GRAPH ?g {{ ?f a kg:Fact . {{ ?f rdf:subject {node} }} UNION {{ ?f rdf:object {node} }}
    UNION {{ ?f rdf:subject ?m . ?m org:member {node} }} UNION {{ ?f rdf:subject ?m . ?m org:organization {node} }} }} }}"""
    )
    name = (labels.get("ko") or labels.get("") or [entity_id(entity_iri(entity))])[0]
    from kg.vocab import curie

    return {
        "id": entity_id(entity_iri(entity)),
        "iri": entity_iri(entity),
        "type": type_name,
        "classes": sorted(curie(c) for c in classes),
        "name": name,
        "labels": dict(labels),
        "aliases": aliases,
        "attributes": dict(attributes),
        "posts": int(counts[0]["posts"].value) if counts else 0,
        "facts": int(counts[0]["facts"].value) if counts else 0,
    }


def _neighbours(store: Store, node_iri: str) -> list[Edge]:
    node = f"<{node_iri}>"
    preds = " ".join(f'({p} "{name}")' for p, name in EDGE_PREDICATES.items())
    query = (
        sparql_prefixes()
        + f"""
SELECT ?rel ?dir ?other ?role ?start ?end ?sentence ?post ?title ?issued WHERE {{
  {{
    ?m org:member {node} ; org:organization ?other ; kg:roleLabel ?role .
    BIND("holdsPosition" AS ?rel) BIND("out" AS ?dir)
    OPTIONAL {{ ?m org:memberDuring ?i . ?i time:hasBeginning/time:inXSDDate ?start ; time:hasEnd/time:inXSDDate ?end }}
    OPTIONAL {{ GRAPH ?post {{ ?f rdf:subject ?m ; rdf:predicate org:member ; kg:evidenceText ?sentence }} }}
  }} UNION {{
    ?m org:organization {node} ; org:member ?other ; kg:roleLabel ?role .
    BIND("holdsPosition" AS ?rel) BIND("in" AS ?dir)
    OPTIONAL {{ ?m org:memberDuring ?i . ?i time:hasBeginning/time:inXSDDate ?start ; time:hasEnd/time:inXSDDate ?end }}
    OPTIONAL {{ GRAPH ?post {{ ?f rdf:subject ?m ; rdf:predicate org:member ; kg:evidenceText ?sentence }} }}
  }} UNION {{
    VALUES (?p ?rel) {{ {preds} }}
    {node} ?p ?other . FILTER(isIRI(?other)) BIND("out" AS ?dir)
    OPTIONAL {{ GRAPH ?post {{ ?f rdf:subject {node} ; rdf:predicate ?p ; rdf:object ?other ; kg:evidenceText ?sentence }} }}
    OPTIONAL {{ ?other schema:startDate ?start }}
  }} UNION {{
    VALUES (?p ?rel) {{ {preds} }}
    ?other ?p {node} . BIND("in" AS ?dir)
    OPTIONAL {{ GRAPH ?post {{ ?f rdf:subject ?other ; rdf:predicate ?p ; rdf:object {node} ; kg:evidenceText ?sentence }} }}
    OPTIONAL {{ ?other schema:startDate ?start }}
  }}
  OPTIONAL {{ ?post dcterms:title ?title }}
  OPTIONAL {{ ?post dcterms:issued ?issued }}
}}"""
    )
    edges: dict[tuple[str, str, str, str], Edge] = {}
    for r in store.select(query):
        rel = r["rel"].value
        direction = r["dir"].value
        other = r["other"].value
        role = r["role"].value if "role" in r else None
        if rel == "partnerOf":
            direction = "both"
        k = (rel, direction, other, role or "")
        edge = edges.get(k)
        if edge is None:
            edge = Edge(
                rel,
                direction,
                other,
                role=role,
                start=r["start"].value if "start" in r else None,
                end=r["end"].value if "end" in r else None,
            )
            edges[k] = edge
        if "sentence" in r:
            ev = {
                "sentence": r["sentence"].value,
                "post": r["post"].value if "post" in r else None,
                "title": r["title"].value if "title" in r else None,
                "date": r["issued"].value if "issued" in r else None,
            }
            if ev not in edge.evidence:
                edge.evidence.append(ev)
    return list(edges.values())


def _names_and_types(store: Store, iris: set[str]) -> dict[str, tuple[str, str]]:
    if not iris:
        return {}
    values = " ".join(f"<{i}>" for i in iris)
    rows = store.select(
        sparql_prefixes()
        + f"SELECT ?s ?l ?c WHERE {{ VALUES ?s {{ {values} }} OPTIONAL {{ ?s skos:prefLabel ?l }} OPTIONAL {{ ?s a ?c }} }}"
    )
    classes: dict[str, set[str]] = defaultdict(set)
    names: dict[str, str] = {}
    for r in rows:
        s = r["s"].value
        if "c" in r:
            classes[s].add(r["c"].value)
        if "l" in r and (s not in names or getattr(r["l"], "language", None) == "ko"):
            names[s] = r["l"].value
    return {s: (names.get(s, entity_id(s)), type_of_classes(classes.get(s, set())) or "") for s in iris}


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
) -> tuple[int, list[Edge]]:
    """Neighbours up to `depth` hops, filtered, with relation, role, dates and evidence."""
    start = entity_iri(entity)
    frontier = [start]
    seen = {start}
    found: list[Edge] = []
    for level in range(1, depth + 1):
        nxt: list[str] = []
        for node in frontier:
            for edge in _neighbours(store, node):
                edge.depth = level
                edge.via = None if level == 1 else node
                if relation and edge.relation != relation:
                    continue
                if not _in_period(edge, since, until):
                    continue
                found.append(edge)
                if edge.other not in seen:
                    seen.add(edge.other)
                    nxt.append(edge.other)
        frontier = nxt
        if len(found) > 5000:
            break
    info = _names_and_types(store, {e.other for e in found})
    for e in found:
        e.other_name, e.other_type = info.get(e.other, (entity_id(e.other), ""))
    if type_name:
        found = [e for e in found if e.other_type == type_name]
    found.sort(key=lambda e: (e.depth, e.relation, e.other_name))
    return len(found), found[offset : offset + limit]


def _in_period(edge: Edge, since: str | None, until: str | None) -> bool:
    if not since and not until:
        return True
    dates = [d for d in (edge.start, edge.end) if d] + [ev["date"] for ev in edge.evidence if ev.get("date")]
    if not dates:
        return False
    lo, hi = min(dates), max(dates)
    return not ((since and hi < since) or (until and lo > until))


def stats(store: Store) -> dict[str, Any]:
    counts: dict[str, int] = {}
    for name, spec in mapping()["entity_types"].items():
        cls = spec["classes"][0]
        rows = store.select(sparql_prefixes() + f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a {cls} }}")
        counts[name] = int(rows[0]["n"].value) if rows else 0
    posts = store.select(
        sparql_prefixes() + "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { GRAPH ?p { ?p a schema:Article } }"
    )
    facts = store.select(sparql_prefixes() + "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?f a kg:Fact } }")
    return {
        "posts": int(posts[0]["n"].value),
        "facts": int(facts[0]["n"].value),
        "quads": store.quad_count(),
        "entities": counts,
    }


def list_posts(store: Store, limit: int = 50, offset: int = 0) -> tuple[int, list[dict[str, Any]]]:
    total = store.select(
        sparql_prefixes() + "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { GRAPH ?p { ?p a schema:Article } }"
    )
    rows = store.select(
        sparql_prefixes()
        + f"""SELECT ?p ?id ?title ?issued ?url WHERE {{ GRAPH ?p {{ ?p a schema:Article ; dcterms:identifier ?id .
  OPTIONAL {{ ?p dcterms:title ?title }} OPTIONAL {{ ?p dcterms:issued ?issued }} OPTIONAL {{ ?p dcterms:source ?url }} }} }}
ORDER BY DESC(?issued) ?id LIMIT {int(limit)} OFFSET {int(offset)}"""
    )
    return int(total[0]["n"].value), [
        {
            "id": r["id"].value,
            "iri": r["p"].value,
            "title": r["title"].value if "title" in r else None,
            "published": r["issued"].value if "issued" in r else None,
            "url": r["url"].value if "url" in r else None,
        }
        for r in rows
    ]


def post_iri_for(store: Store, post_id: str) -> str | None:
    """A post's IRI from its id (or IRI, or URL)."""
    if post_id.startswith(ID_BASE):
        return post_id
    lit = post_id.replace("\\", "\\\\").replace('"', '\\"')
    rows = store.select(
        sparql_prefixes()
        + f"""SELECT ?p WHERE {{ GRAPH ?p {{ ?p a schema:Article .
  {{ ?p dcterms:identifier "{lit}" }} UNION {{ ?p dcterms:source ?u FILTER(STR(?u) = "{lit}") }} }} }} LIMIT 1"""
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
ORDER BY ?start"""
    )
    from kg.vocab import curie

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
