"""Structured facts (open-data API records) → an Extraction, with no NLP.

A record read by `kg.ingest.opendata` carries `Post.structured`:

    {"schema": "bizinfo-program",
     "facts": [{"role": "program",  "name": "…", "field": "pblancNm"},
               {"role": "agency",   "name": "창업진흥원", "field": "excInsttNm"},
               {"role": "ministry", "name": "중소벤처기업부", "field": "jrsdInsttNm"}]}

Roles become entities (Program, Organization) and relations: the agency `operates` the
program and is a `subOrganizationOf` the responsible ministry; with no agency, the
ministry operates the program. Evidence is the line of the post text that states the
field (`수행기관(excInsttNm): 창업진흥원`), component "opendata", confidence 1. The result
goes through the same resolve → graph → store path as text extractions, and is merged
with the extraction of the record's text (`merge`), so the same names meet the same IRIs.
"""

from __future__ import annotations

import re
from dataclasses import replace

from kg.model import Entity, EntityType, Evidence, Extraction, Mention, Post, Relation
from kg.vocab.lexicon import Lexicon, load_lexicon

COMPONENT = "opendata"
RULE = "opendata.field"  # a fact read from a named field of an open-data record, not from text
VERSION = "kg-opendata/1"
_GOVERNMENT_NAME = re.compile(r"(?:부|처|청|위원회|실)$")


def _evidence(text: str, field: str, name: str) -> Evidence:
    """The line of `text` that states `field` (or else names `name`), with its offsets."""
    start = text.find(f"({field}): ")
    if start >= 0:
        start = text.rfind("\n", 0, start) + 1
    else:
        at = text.find(name)
        start = text.rfind("\n", 0, at) + 1 if at >= 0 else 0
    end = text.find("\n", start)
    end = len(text) if end < 0 else end
    sentence = text[start:end].strip() or f"{field}: {name}"
    return Evidence(sentence=sentence, start=start, end=end, component=COMPONENT, confidence=1.0, rule=RULE)


def _org_subtype(name: str, role: str, lexicon: Lexicon) -> str:
    entry = lexicon.lookup(name)
    if entry is not None and entry.subtype:
        return entry.subtype
    if role == "ministry" or _GOVERNMENT_NAME.search(name):
        return "government"
    return "agency"


def structured_extraction(post: Post, text: str | None = None, lexicon: Lexicon | None = None) -> Extraction:
    """The facts of `post.structured`, with evidence offsets into `text` (default: post.text)."""
    text = post.text if text is None else text
    extraction = Extraction(post=post, text=text, extractor_version=VERSION)
    facts = (post.structured or {}).get("facts", [])
    if not facts:
        return extraction
    lexicon = lexicon or load_lexicon()
    by_role: dict[str, tuple[str, Evidence]] = {}
    for fact in facts:
        role, name, field = fact.get("role"), fact.get("name"), fact.get("field", "")
        if role not in ("program", "agency", "ministry") or not name or role in by_role:
            continue
        ev = _evidence(text, field, name)
        by_role[role] = (name, ev)
        kind: EntityType = "Program" if role == "program" else "Organization"
        subtype = None if kind == "Program" else _org_subtype(name, role, lexicon)
        mention = Mention(name, kind, ev.start, ev.end, COMPONENT, 1.0, subtype, rule=RULE)
        extraction.entities.append(
            Entity(name=name, type=kind, subtype=subtype, mentions=[mention], evidence=ev)
        )
    program, agency, ministry = (by_role.get(r) for r in ("program", "agency", "ministry"))
    if agency and ministry and _same(agency[0], ministry[0], lexicon):
        agency = None  # the ministry runs it itself
    operator = agency or ministry
    if program and operator:
        extraction.relations.append(Relation(operator[0], "operates", program[0], operator[1]))
    if agency and ministry:
        extraction.relations.append(Relation(agency[0], "subOrganizationOf", ministry[0], ministry[1]))
    return extraction


def _same(a: str, b: str, lexicon: Lexicon) -> bool:
    ea, eb = lexicon.lookup(a), lexicon.lookup(b)
    if ea is not None and eb is not None:
        return ea.id == eb.id
    return "".join(a.split()) == "".join(b.split())


def merge(text_extraction: Extraction, structured: Extraction) -> Extraction:
    """Text-derived and structured facts of one post as one Extraction (no duplicates)."""
    entities = list(text_extraction.entities)
    seen = {(e.type, e.name) for e in entities}
    for ent in structured.entities:
        if (ent.type, ent.name) not in seen:
            entities.append(ent)
            seen.add((ent.type, ent.name))
    relations = list(text_extraction.relations)
    keys = {(r.head, r.relation, r.tail) for r in relations}
    for rel in structured.relations:
        if (rel.head, rel.relation, rel.tail) not in keys:
            relations.append(rel)
            keys.add((rel.head, rel.relation, rel.tail))
    return replace(text_extraction, entities=entities, relations=relations)


def with_structured(extraction: Extraction) -> Extraction:
    """Add the post's structured facts to its text extraction (a no-op for ordinary posts)."""
    if not extraction.post.structured:
        return extraction
    return merge(extraction, structured_extraction(extraction.post, extraction.text))
