"""What a person reads about one entity: its names, what it is linked to (grouped the way people
ask — the posts a person held, a body's heads, members, parent chain, units, programs, partners
and events, a program's operators, an event's date, place and participants) with the evidence
of every link, and the posts that mention it. The API renders it as the entity's HTML page.

Links come from kg.read.related (the in-memory graph index when the API has one loaded), so a
page costs what `/entities/{id}/related` costs, plus two small queries for heads and mentions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kg.read import related as related_walk
from kg.read.queries import Lookup, describe, entity_id, entity_iri, post_facts, safe_iri
from kg.read.related import Edge, Source
from kg.store.base import Store
from kg.vocab.lexicon import load_lexicon
from kg.vocab.ontology import sparql_prefixes

SECTION_LIMIT = 200  # links listed per section; the count says how many there are
MENTION_LIMIT = 50  # posts listed that mention the entity (newest first)
PARENT_DEPTH = 12  # steps up a parent chain at most (the lexicon's deepest is 4)

# (relation, direction) → section, as seen from the entity the page is about
SECTIONS: dict[tuple[str, str], str] = {
    ("holdsPosition", "out"): "positions",
    ("holdsPosition", "in"): "members",
    ("subOrganizationOf", "out"): "parents",
    ("subOrganizationOf", "in"): "units",
    ("operates", "out"): "programs",
    ("operates", "in"): "operators",
    ("partnerOf", "both"): "partners",
    ("participatedIn", "out"): "events",
    ("participatedIn", "in"): "participants",
    ("locatedIn", "out"): "places",
    ("locatedIn", "in"): "located_here",
}


@dataclass
class Section:
    """The links of one kind: `count` of them, the first SECTION_LIMIT as `items`."""

    count: int = 0
    items: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Profile:
    entity: dict[str, Any]  # kg.read.queries.describe()
    sections: dict[str, Section]
    heads: list[dict[str, Any]]  # the body's heads (org:headOf, in a head title), taken out of `members`
    parent_chain: list[dict[str, Any]]  # nearest parent first: {"id", "iri", "name"}
    mentions: dict[str, Any]  # {"count", "first", "last", "items": [{"id", "iri", "title", "date"}]}
    event_kind: str | None = None  # IRI of the event's kg:EventKind


def _item(edge: Edge) -> dict[str, Any]:
    return {
        "id": entity_id(edge.other),
        "iri": edge.other,
        "name": edge.other_name,
        "type": edge.other_type,
        "role": edge.role,
        "start": edge.start,
        "end": edge.end,
        "evidence": edge.evidence,
    }


def _newest_first(item: dict[str, Any]) -> tuple[str, str]:
    return (item["end"] or item["start"] or "", item["name"])


def profile(store: Store, entity: str, source: Source | None = None) -> Profile | None:
    """The page's content for an entity id (`org/중소벤처기업부`) or IRI; None if there is none."""
    info = describe(store, entity)
    if info is None:
        return None
    target = info["iri"]
    _total, edges = related_walk.related(store, target, depth=1, limit=related_walk.MAX_EDGES, source=source)
    sections: dict[str, Section] = {name: Section() for name in SECTIONS.values()}
    for edge in edges:
        name = SECTIONS.get((edge.relation, edge.direction))
        if name is not None:
            section = sections[name]
            section.count += 1
            section.items.append(_item(edge))
    head_iris = _heads(store, target) if info["type"] == "Organization" else set()
    members = sections["members"]
    titles = _head_titles()
    heads = [item for item in members.items if item["iri"] in head_iris and item["role"] in titles]
    if heads:  # the members section lists the others
        members.items = [item for item in members.items if item not in heads]
        members.count = len(members.items)
    for name, section in sections.items():
        if name in ("positions", "members", "events", "participants"):
            section.items.sort(key=_newest_first, reverse=True)
        del section.items[SECTION_LIMIT:]
    heads.sort(key=_newest_first, reverse=True)
    return Profile(
        entity=info,
        sections=sections,
        heads=heads,
        parent_chain=_parents(store, target, source),
        mentions=mentions(store, target),
        event_kind=_event_kind(store, target) if info["type"] == "Event" else None,
    )


def _head_titles() -> set[str]:
    """Titles that head a body (the lexicon's; the graph states org:headOf for them)."""
    return {t.title for t in load_lexicon().titles if t.head}


def _heads(store: Store, org: str) -> set[str]:
    rows = store.select(sparql_prefixes() + f"SELECT DISTINCT ?p WHERE {{ ?p org:headOf <{org}> }}")
    return {r["p"].value for r in rows}


def _event_kind(store: Store, event: str) -> str | None:
    rows = store.select(
        sparql_prefixes() + f"SELECT ?k WHERE {{ <{event}> kg:eventKind ?k }} ORDER BY ?k LIMIT 1"
    )
    return rows[0]["k"].value if rows else None


def _parents(store: Store, start: str, source: Source | None) -> list[dict[str, Any]]:
    """The chain of parent bodies, nearest first (the first parent at each step; a loop stops it)."""
    chain: list[dict[str, Any]] = []
    seen = {start}
    node = start
    for _ in range(PARENT_DEPTH):
        try:
            _n, edges = related_walk.related(
                store, node, depth=1, relation="subOrganizationOf", limit=50, source=source
            )
        except KeyError:
            break
        up = [e for e in edges if e.direction == "out" and e.other not in seen]
        if not up:
            break
        parent = up[0]
        chain.append({"id": entity_id(parent.other), "iri": parent.other, "name": parent.other_name})
        seen.add(parent.other)
        node = parent.other
    return chain


def mentions(store: Store, entity: str, limit: int = MENTION_LIMIT, offset: int = 0) -> dict[str, Any]:
    """The posts whose graph names the entity: how many, the first and last date, newest first."""
    target = entity_iri(entity)
    if not safe_iri(target):
        return {"count": 0, "first": None, "last": None, "items": []}
    where = f"GRAPH ?g {{ <{target}> a ?c . ?g a schema:Article }}"
    summary = store.select(
        sparql_prefixes()
        + f"""SELECT (COUNT(DISTINCT ?g) AS ?n) (MIN(?d) AS ?first) (MAX(?d) AS ?last) WHERE {{
  {{ SELECT DISTINCT ?g WHERE {{ {where} }} }} OPTIONAL {{ GRAPH ?g {{ ?g dcterms:issued ?d }} }} }}"""
    )
    rows = store.select(
        sparql_prefixes()
        + f"""SELECT ?g ?id ?title ?date WHERE {{ {{ SELECT DISTINCT ?g WHERE {{ {where} }} }}
  GRAPH ?g {{ ?g dcterms:identifier ?id OPTIONAL {{ ?g dcterms:title ?title }} OPTIONAL {{ ?g dcterms:issued ?date }} }} }}
ORDER BY DESC(?date) ?id LIMIT {int(limit)} OFFSET {int(offset)}"""
    )
    first = summary[0] if summary else {}
    items: dict[str, dict[str, Any]] = {}
    for r in rows:
        items.setdefault(
            r["g"].value,
            {
                "id": r["id"].value,
                "iri": r["g"].value,
                "title": r["title"].value if "title" in r else None,
                "date": r["date"].value if "date" in r else None,
            },
        )
    return {
        "count": int(first["n"].value) if "n" in first else 0,
        "first": first["first"].value if "first" in first else None,
        "last": first["last"].value if "last" in first else None,
        "items": list(items.values()),
    }


def post_reading(store: Store, post: str) -> dict[str, Any] | None:
    """A post with its facts (subjects and objects named) and its cleaned text cut into
    segments, the sentences that state facts marked with the numbers of their facts."""
    info = post_facts(store, post)
    if info is None:
        return None
    g = f"<{info['iri']}>"
    text_rows = store.select(
        sparql_prefixes() + f"SELECT ?t WHERE {{ GRAPH {g} {{ {g} schema:text ?t }} }} LIMIT 1"
    )
    text = text_rows[0]["t"].value if text_rows else ""
    memberships = {
        r["m"].value: (r["org"].value, r["role"].value)
        for r in store.select(
            sparql_prefixes()
            + f"SELECT ?m ?org ?role WHERE {{ GRAPH {g} {{ ?m org:organization ?org ; kg:roleLabel ?role }} }}"
        )
    }
    iris = {
        x for f in info["facts"] for x in (f["subject"], f["object"]) if x.startswith(("http://", "https://"))
    }
    iris |= {org for org, _role in memberships.values()}
    names = Lookup(store).entities(iris)

    def ref(value: str) -> dict[str, Any]:
        if value in memberships:
            org, role = memberships[value]
            return {
                "id": entity_id(value),
                "iri": value,
                "name": f"{names.get(org, (entity_id(org), ''))[0]} {role}",
                "type": None,
            }
        if value in names:
            name, type_name = names[value]
            return {"id": entity_id(value), "iri": value, "name": name, "type": type_name or None}
        return {"value": value}

    merged: dict[tuple[str, str, str], dict[str, Any]] = {}
    for fact in info["facts"]:  # one row per rule that read a fact: one fact, its rules listed
        key = (fact["subject"], fact["predicate"], fact["object"])
        if key in merged:
            merged[key]["rules"].append(fact["component"])
        else:
            merged[key] = {**fact, "rules": [fact["component"]]}
    info["facts"] = list(merged.values())
    spans = _spans(text, [(f["start"], f["end"]) for f in info["facts"]])
    for n, fact in enumerate(info["facts"], start=1):
        fact["subject_ref"] = ref(fact["subject"])
        fact["object_ref"] = ref(fact["object"])
        fact["role"] = memberships.get(fact["subject"], (None, None))[1]
        fact["span"] = next((i for i, (a, b) in enumerate(spans, start=1) if a <= fact["start"] < b), None)
        fact["number"] = n
    info["text"] = text
    info["segments"] = _segments(text, spans, info["facts"])
    return info


def _spans(text: str, offsets: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The evidence spans inside the text, overlapping ones merged, in order."""
    merged: list[tuple[int, int]] = []
    for a, b in sorted((max(0, a), min(len(text), b)) for a, b in offsets if a < b):
        if a >= len(text):
            continue
        if merged and a < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def _segments(text: str, spans: list[tuple[int, int]], facts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    at = 0
    for i, (a, b) in enumerate(spans, start=1):
        if a > at:
            out.append({"text": text[at:a], "span": None, "facts": []})
        numbers = [f["number"] for f in facts if f["span"] == i]
        out.append({"text": text[a:b], "span": i, "facts": numbers})
        at = b
    if at < len(text):
        out.append({"text": text[at:], "span": None, "facts": []})
    return out
