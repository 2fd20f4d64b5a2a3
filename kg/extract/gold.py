"""Extraction → the JSON Lines format of ../shared/docs/gold-format.md.

Extra fields (evidence, subtype, legal form, event date) ride along; the scorer ignores them.
"""

from __future__ import annotations

from typing import Any

from kg.model import Evidence, Extraction


def _evidence(ev: Evidence | None) -> dict[str, Any] | None:
    if ev is None:
        return None
    return {
        "sentence": ev.sentence,
        "start": ev.start,
        "end": ev.end,
        "component": ev.component,
        "confidence": ev.confidence,
    }


def to_record(extraction: Extraction, with_text: bool = False) -> dict[str, Any]:
    post = extraction.post
    entities = []
    for ent in extraction.entities:
        item: dict[str, Any] = {"name": ent.name, "type": ent.type}
        aliases = ent.aliases + ent.english
        if aliases:
            item["aliases"] = aliases
        if ent.subtype:
            item["subtype"] = ent.subtype
        if ent.legal_form:
            item["legal_form"] = ent.legal_form
        if ent.date:
            item["date"] = ent.date
        if ent.key:
            item["lexicon_id"] = ent.key
        item["evidence"] = _evidence(ent.evidence)
        entities.append(item)
    relations = []
    for rel in extraction.relations:
        r: dict[str, Any] = {"head": rel.head, "relation": rel.relation, "tail": rel.tail}
        if rel.role:
            # the title as written: `원장 직무대행` (the graph keeps 원장 and kg:acting)
            r["role"] = f"{rel.role} 직무대행" if rel.acting else rel.role
        if rel.acting:
            r["acting"] = True
        if rel.event:
            r["event"] = rel.event
        r["evidence"] = _evidence(rel.evidence)
        relations.append(r)
    record: dict[str, Any] = {
        "id": post.id,
        "published": post.published.isoformat() if post.published else None,
        "entities": entities,
        "relations": relations,
        "extractor": extraction.extractor_version,
        "values": [
            {
                "kind": v.kind,
                "text": v.text,
                "value": v.value,
                **({"unit": v.unit} if v.unit else {}),
                "start": v.start,
                "end": v.end,
            }
            for v in extraction.values
        ],
    }
    if with_text:
        record["text"] = extraction.text
    return record
