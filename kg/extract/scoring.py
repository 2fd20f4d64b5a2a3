"""Which predicted entities and facts a gold annotation confirms, item by item.

The matching follows the scoring rules of the annotation guideline (`gold-format.md`):
names compare after NFKC without spaces, punctuation and legal-form markers, and also when
one contains the other and the shorter is at least 60 % of the longer; entities must agree
on type; each gold item matches at most one prediction, exact names first; relation ends are
mapped to the gold entity they name (the closest one); `partnerOf` is order-free; `alt`
readings count; optional gold items neither confirm nor refute. `kgscore.py` remains the
reference for reported scores: this module answers the question calibration asks, "was
this prediction right?", which the scorer's totals do not.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from kg.model import DATE_TAIL_RELATIONS, SYMMETRIC_RELATIONS

_LEGAL = re.compile(
    r"\(사\)|\(재\)|\(주\)|\(유\)|\(사단\)|\(재단\)|㈜|㈔|사단법인|재단법인|주식회사|유한회사"
)
_DROP = re.compile(r"[\s'\"‘’“”「」『』<>《》·ㆍ・.,]")
_DATE = re.compile(r"(\d{4})\D{0,3}(\d{1,2})\D{0,3}(\d{1,2})")
CONTAINED = 0.6


def norm(name: Any) -> str:
    s = unicodedata.normalize("NFKC", str(name or ""))
    return _DROP.sub("", _LEGAL.sub("", s)).lower()


def norm_date(value: Any) -> str:
    m = _DATE.search(str(value or ""))
    return f"{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d}" if m else norm(value)


def similarity(a: Any, b: Any) -> float:
    """1 for the same normalised name, the length ratio when one contains the other (≥ 0.6), else 0."""
    x, y = norm(a), norm(b)
    if not x or not y:
        return 0.0
    if x == y:
        return 1.0
    short, long_ = sorted((x, y), key=len)
    ratio = len(short) / len(long_)
    return ratio if short in long_ and ratio >= CONTAINED else 0.0


def forms(entity: dict[str, Any]) -> list[str]:
    return [entity.get("name", ""), *(entity.get("aliases") or []), *(entity.get("variants") or [])]


def _entity_similarity(gold: dict[str, Any], pred: dict[str, Any]) -> float:
    if gold.get("type") != pred.get("type"):
        return 0.0
    return max(similarity(g, p) for g in forms(gold) for p in forms(pred))


def _pair(n_gold: int, n_pred: int, score: Any) -> dict[int, int]:
    """pred index → gold index, best pairs first."""
    scored = sorted(
        ((score(gi, pi), gi, pi) for gi in range(n_gold) for pi in range(n_pred)),
        key=lambda t: (-t[0], t[1], t[2]),
    )
    gold_taken: set[int] = set()
    out: dict[int, int] = {}
    for s, gi, pi in scored:
        if s <= 0:
            break
        if gi not in gold_taken and pi not in out:
            gold_taken.add(gi)
            out[pi] = gi
    return out


def _closest(name: str, entities: list[dict[str, Any]]) -> dict[str, Any] | None:
    best, best_score = None, 0.0
    for ent in entities:
        s = max(similarity(name, f) for f in forms(ent))
        if s > best_score:
            best, best_score = ent, s
    return best


def _key(rel: dict[str, Any], entities: list[dict[str, Any]]) -> tuple[str, str, str]:
    head = _closest(rel.get("head", ""), entities)
    h = norm(head["name"]) if head else norm(rel.get("head"))
    kind = str(rel.get("relation"))
    if kind in DATE_TAIL_RELATIONS:
        t = norm_date(rel.get("tail"))
    else:
        tail = _closest(rel.get("tail", ""), entities)
        t = norm(tail["name"]) if tail else norm(rel.get("tail"))
    if kind in SYMMETRIC_RELATIONS:
        h, t = sorted((h, t))
    return (h, kind, t)


def relation_key(rel: dict[str, Any], gold_entities: list[dict[str, Any]]) -> tuple[str, str, str]:
    """(head, kind, tail) of a relation with its ends mapped to the gold entities they name."""
    return _key(rel, gold_entities)


def gold_readings(gold: dict[str, Any]) -> list[tuple[set[tuple[str, str, str]], bool]]:
    """Each gold relation's acceptable keys (its `alt` readings included) and whether it is optional."""
    entities = list(gold.get("entities") or [])
    return [
        (
            {_key(r, entities)} | {_key({**r, **alt}, entities) for alt in r.get("alt") or []},
            bool(r.get("optional")),
        )
        for r in gold.get("relations") or []
    ]


@dataclass(frozen=True)
class Verdict:
    """For each predicted item (by index): True confirmed, False refuted, None not judged (optional)."""

    entities: list[bool | None]
    relations: list[bool | None]
    gold_entities: int  # non-optional gold items
    gold_relations: int


def judge(gold: dict[str, Any], pred: dict[str, Any]) -> Verdict:
    g_ents = list(gold.get("entities") or [])
    p_ents = list(pred.get("entities") or [])
    hits = _pair(len(g_ents), len(p_ents), lambda gi, pi: _entity_similarity(g_ents[gi], p_ents[pi]))
    entities: list[bool | None] = []
    for pi in range(len(p_ents)):
        gi = hits.get(pi)
        entities.append(False if gi is None else (None if g_ents[gi].get("optional") else True))

    g_rels = list(gold.get("relations") or [])
    p_rels = list(pred.get("relations") or [])
    readings = [keys for keys, _ in gold_readings(gold)]
    p_keys = [_key(r, g_ents) for r in p_rels]
    rel_hits = _pair(len(g_rels), len(p_rels), lambda gi, pi: float(p_keys[pi] in readings[gi]))
    relations: list[bool | None] = []
    for pi in range(len(p_rels)):
        gi = rel_hits.get(pi)
        relations.append(False if gi is None else (None if g_rels[gi].get("optional") else True))
    return Verdict(
        entities,
        relations,
        sum(1 for e in g_ents if not e.get("optional")),
        sum(1 for r in g_rels if not r.get("optional")),
    )
