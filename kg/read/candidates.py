"""Likely duplicates for a person to judge (`kg candidates`), most likely first, each with why.

Signals (each adds to a pair's score; the reasons list names every signal that fired):

- people with the same name under different bodies (the resolver keys a person by name and
  top body, so a person who moves splits): +2; the two bodies in one line of succession
  (중소기업청 → 중소벤처기업부): +3; the same role family (장관/차관/청장 …: the title without
  `제N`, `직무대행`, `대행`): +2; consecutive or overlapping dates (the later membership starts
  within two years of the other's end): +1; one post naming both: +2;
- organisations (not from the lexicon, not units of a parent, not named after a region) whose
  names are one edit apart: +2; organisations sharing an alias: +3 (bodies of one line of
  succession are not candidates: a change event links them).

Pairs already judged (same or different) are left out.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from kg.read.queries import entity_id
from kg.store.base import Store
from kg.vocab.lexicon import load_lexicon
from kg.vocab.ontology import iri, sparql_prefixes

_ORDINAL = re.compile(r"^제\d+")
_ACTING = re.compile(r"\s*(직무대행|대행)$")
CONSECUTIVE_DAYS = 730


@dataclass
class Candidate:
    a: str
    b: str
    score: int
    reasons: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"a": entity_id(self.a), "b": entity_id(self.b), "score": self.score, "reasons": self.reasons}


def role_family(role: str) -> str:
    return _ACTING.sub("", _ORDINAL.sub("", role.strip()))


def _days(a: str, b: str) -> int:
    from datetime import date

    return abs((date.fromisoformat(a) - date.fromisoformat(b)).days)


def _one_edit(a: str, b: str) -> bool:
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    short, long_ = sorted((a, b), key=len)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


def _succession_lines(store: Store) -> dict[str, int]:
    """Body IRI → the id of its line of succession (connected through change events)."""
    rows = store.select(
        sparql_prefixes()
        + "SELECT ?a ?b WHERE { ?e org:originalOrganization ?a ; org:resultingOrganization ?b }"
    )
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            x = parent[x]
        return x

    for r in rows:
        ra, rb = find(r["a"].value), find(r["b"].value)
        if ra != rb:
            parent[ra] = rb
    roots = {find(x) for x in list(parent)}
    ids = {root: n for n, root in enumerate(sorted(roots))}
    return {x: ids[find(x)] for x in parent}


def _judged(store: Store) -> set[frozenset[str]]:
    rows = store.select(
        sparql_prefixes() + "SELECT ?j ?e WHERE { GRAPH ?g { ?j a kg:Judgement ; kg:judgedEntity ?e } }"
    )
    by: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        by[r["j"].value].add(r["e"].value)
    return {frozenset(v) for v in by.values() if len(v) == 2}


def person_candidates(store: Store) -> list[Candidate]:
    rows = store.select(
        sparql_prefixes()
        + """SELECT ?p ?name ?org ?role ?d ?g WHERE {
  ?p a foaf:Person ; foaf:name ?name .
  ?m org:member ?p ; org:organization ?org ; kg:roleLabel ?role .
  GRAPH ?g { ?m kg:attestedOn ?d } }"""
    )
    people: dict[str, dict[str, Any]] = {}
    for r in rows:
        p = people.setdefault(
            r["p"].value,
            {"name": r["name"].value, "orgs": set(), "roles": set(), "dates": [], "posts": set()},
        )
        p["orgs"].add(r["org"].value)
        p["roles"].add(role_family(r["role"].value))
        p["dates"].append(r["d"].value)
        p["posts"].add(r["g"].value)
    mentions = store.select(
        sparql_prefixes() + "SELECT DISTINCT ?g ?o WHERE { GRAPH ?g { ?o a org:Organization } }"
    )
    orgs_in_post: dict[str, set[str]] = defaultdict(set)
    for r in mentions:
        orgs_in_post[r["g"].value].add(r["o"].value)
    lines = _succession_lines(store)
    by_name: dict[str, list[str]] = defaultdict(list)
    for person, info in people.items():
        by_name[info["name"]].append(person)
    out = []
    for name, persons in by_name.items():
        for a, b in combinations(sorted(persons), 2):
            pa, pb = people[a], people[b]
            score, reasons = 2, [f"same name {name} under different bodies"]
            if any(
                lines.get(x) is not None and lines.get(x) == lines.get(y)
                for x in pa["orgs"]
                for y in pb["orgs"]
            ):
                score += 3
                reasons.append("their bodies are one line of succession")
            common = pa["roles"] & pb["roles"]
            if common:
                score += 2
                reasons.append(f"same role family ({', '.join(sorted(common))})")
            (a_lo, a_hi), (b_lo, b_hi) = (
                (min(pa["dates"]), max(pa["dates"])),
                (min(pb["dates"]), max(pb["dates"])),
            )
            gap = 0 if (a_lo <= b_hi and b_lo <= a_hi) else min(_days(a_hi, b_lo), _days(b_hi, a_lo))
            if gap <= CONSECUTIVE_DAYS:
                score += 1
                reasons.append("overlapping dates" if gap == 0 else f"consecutive dates ({gap} days apart)")
            both = [
                g
                for g in pa["posts"] | pb["posts"]
                if pa["orgs"] & orgs_in_post[g] and pb["orgs"] & orgs_in_post[g]
            ]
            if both:
                score += 2
                reasons.append(f"one post names both bodies ({len(both)} post(s))")
            out.append(Candidate(a, b, score, reasons))
    return out


def org_candidates(store: Store) -> list[Candidate]:
    rows = store.select(
        sparql_prefixes()
        + """SELECT ?o ?l ?alt WHERE { ?o a org:Organization .
  { ?o skos:prefLabel ?l FILTER(LANG(?l) = "ko") } UNION { ?o skos:altLabel ?alt FILTER(LANG(?alt) = "ko") } }"""
    )
    names: dict[str, str] = {}
    aliases: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        if "l" in r:
            names.setdefault(r["o"].value, r["l"].value)
        else:
            aliases[r["alt"].value].add(r["o"].value)
    lexicon = {
        r["o"].value for r in store.select(sparql_prefixes() + "SELECT ?o WHERE { ?o skos:notation ?n }")
    }
    lines = _succession_lines(store)

    def one_line(a: str, b: str) -> bool:  # predecessor and successor: a change, not a duplicate
        return lines.get(a) is not None and lines.get(a) == lines.get(b)

    found: dict[tuple[str, str], Candidate] = {}
    for alias, orgs in aliases.items():
        for a, b in combinations(sorted(orgs), 2):
            if one_line(a, b):
                continue
            c = found.setdefault((a, b), Candidate(a, b, 0))
            c.score += 3
            c.reasons.append(f"they share the alias {alias}")
    regions = _region_prefixes()
    by_length: dict[int, list[str]] = defaultdict(list)
    for org, name in names.items():
        # units of a parent (`…/org/parent.unit`) and bodies named after a region differ from
        # their siblings by one syllable by nature (경북지역본부 / 경기지역본부): not compared
        if org not in lexicon and "." not in org.rsplit("/", 1)[-1] and name[:2] not in regions:
            by_length[len(name)].append(org)
    for length, same_length in by_length.items():
        pairs = [
            *combinations(sorted(same_length), 2),
            *((a, b) for a in same_length for b in by_length.get(length + 1, [])),
        ]
        for a, b in pairs:
            if _one_edit(names[a], names[b]) and not one_line(a, b):
                key = (min(a, b), max(a, b))
                c = found.setdefault(key, Candidate(*key, 0))
                c.score += 2
                c.reasons.append(f"names one edit apart ({names[a]} / {names[b]})")
    return list(found.values())


def _region_prefixes() -> set[str]:
    """The short names of the 시·도 (서울, 경북 …): the lexicon's two-syllable place names."""
    lexicon = load_lexicon()
    return {s for e in lexicon.entries if e.type == "Place" for s in (e.name, *e.aliases) if len(s) == 2}


def candidates(store: Store, limit: int = 50, kind: str | None = None) -> list[Candidate]:
    """Likely duplicate pairs, most likely first; `kind` is `person`, `org` or None for both."""
    judged = _judged(store)
    found = []
    if kind in (None, "person"):
        found += person_candidates(store)
    if kind in (None, "org"):
        found += org_candidates(store)
    found = [c for c in found if frozenset((c.a, c.b)) not in judged]
    found.sort(key=lambda c: (-c.score, c.a, c.b))
    return found[:limit]


def exists(store: Store, entity: str) -> bool:
    return store.ask(f"ASK {{ {{ <{entity}> ?p ?o }} UNION {{ ?s <{iri('kg:resolvedFrom')}> <{entity}> }} }}")
