"""Turn a processed Doc into an `Extraction`: merge mentions into entities within the post.

Mentions merge when they name the same thing: the same comparison key (legal forms and
spacing ignored), the same authority-lexicon entry (`중기부` and `중소벤처기업부`), or an
alias the post declares (`이하 중기부`, `(LH)`). The canonical name is the lexicon's
official name, else the longest surface. Relations are rewritten onto canonical names
and de-duplicated.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from spacy.tokens import Doc

from kg.extract.cues import load_cues
from kg.extract.rules import PRECISION_FLOOR, rulebook
from kg.extract.state import DocState, doc_text, evidence
from kg.model import ENTITY_TYPES, Entity, EntityType, Evidence, Extraction, Mention, Post, Relation, Value
from kg.text.names import name_key, split_legal_form
from kg.text.numbers import find_quantities

MIN_CONFIDENCE = PRECISION_FLOOR  # an entity no fact names is kept when its rule is right at least this often
PUBLISHER_RULE = "metadata.publisher"
EVENT_PLACE_RULE = "events.event-place"
PUBLISHER = re.compile(r"^(?P<name>[^()]+?)\s*(?:\((?P<alias>[^()]+)\))?$")


@dataclass
class _Group:
    type: str
    names: list[str] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)
    english: list[str] = field(default_factory=list)
    key: str | None = None
    subtype: str | None = None
    canonical: str | None = None
    in_relation: bool = False
    evidence: Evidence | None = None

    @property
    def confidence(self) -> float:
        return max((m.confidence for m in self.mentions), default=0.0)


class _Groups:
    """Union of names into entity groups, keyed by (type, name key)."""

    def __init__(self) -> None:
        self.by_key: dict[tuple[str, str], _Group] = {}
        self.groups: list[_Group] = []

    def find(self, type_: str, name: str) -> _Group | None:
        return self.by_key.get((type_, name_key(name)))

    def find_any(self, name: str) -> _Group | None:
        k = name_key(name)
        for type_ in ("Organization", "Person", "Program", "Event", "Place"):
            g = self.by_key.get((type_, k))
            if g:
                return g
        return None

    def add(self, type_: str, name: str) -> _Group:
        g = self.find(type_, name)
        if g is None:
            g = _Group(type_)
            self.groups.append(g)
            self.by_key[(type_, name_key(name))] = g
        if name not in g.names:
            g.names.append(name)
        return g

    def link(self, g: _Group, name: str) -> None:
        """Make `name` another key of group g (merging if it had a group of its own)."""
        k = (g.type, name_key(name))
        other = self.by_key.get(k)
        if other is g:
            return
        if other is not None:
            g.mentions += other.mentions
            g.names += [n for n in other.names if n not in g.names]
            g.aliases += [a for a in other.aliases if a not in g.aliases]
            g.english += [a for a in other.english if a not in g.english]
            g.key = g.key or other.key
            g.subtype = g.subtype or other.subtype
            g.in_relation = g.in_relation or other.in_relation
            self.groups.remove(other)
            for key, val in list(self.by_key.items()):
                if val is other:
                    self.by_key[key] = g
        self.by_key[k] = g


def assemble(doc: Doc, post: Post, version: str, min_confidence: float = MIN_CONFIDENCE) -> Extraction:
    """The post's entities and facts; an entity in no fact is kept when its best rule is right at
    least `min_confidence` of the time (calibration asks for every one, with 0)."""
    state: DocState = doc._.kg
    lexicon = load_cues().lexicon
    groups = _Groups()

    def canonical(type_: str, text: str, key: str | None) -> tuple[str, str | None]:
        entry = lexicon.by_id(key) if key else (lexicon.lookup(text) if type_ != "Person" else None)
        if entry is not None and entry.type == type_:
            return entry.name, entry.id
        return split_legal_form(text)[0], None

    # 1) mentions into groups
    for m in sorted(state.mentions, key=lambda m: (-m.confidence, m.start)):
        name, key = canonical(m.type, m.text, m.key)
        if not name:
            continue
        g = groups.add(m.type, name)
        if m.text != name:
            groups.link(g, m.text)
        g.mentions.append(m)
        g.key = g.key or key
        g.subtype = g.subtype or m.subtype
        if key:
            g.canonical = name

    # 2) declared aliases
    for fact in state.aliases:
        found = groups.find(fact.type, fact.name) if fact.type else groups.find_any(fact.name)
        if found is None:
            found = groups.find_any(canonical("Organization", fact.name, None)[0])
        if found is None:
            continue
        g = found
        alias_group = groups.find(g.type, fact.alias)
        if alias_group is not None and alias_group is not g:
            groups.link(g, fact.alias)
        else:
            groups.by_key[(g.type, name_key(fact.alias))] = g
        target = (
            g.english
            if fact.kind in ("english", "abbr") and re.search(r"[A-Za-z]", fact.alias)
            else g.aliases
        )
        if fact.alias not in target:
            target.append(fact.alias)

    # 3) the publisher named in the page's licence footer
    if post.publisher:
        pm = PUBLISHER.match(post.publisher.strip())
        if pm:
            pub_name, pub_key = canonical("Organization", pm.group("name").strip(), None)
            g = groups.add("Organization", pub_name)
            g.key = g.key or pub_key
            g.in_relation = True
            book = rulebook()
            g.evidence = g.evidence or Evidence(
                f"게시: {post.publisher}",
                0,
                0,
                book.component(PUBLISHER_RULE),
                book.confidence(PUBLISHER_RULE),
                PUBLISHER_RULE,
            )
            if pm.group("alias"):
                alias = pm.group("alias").strip()
                groups.by_key[("Organization", name_key(alias))] = g
                (g.english if re.search(r"[A-Za-z]", alias) else g.aliases).append(alias)

    # 4) relations onto canonical names
    def resolve(name: str, prefer: tuple[str, ...]) -> _Group | None:
        for type_ in prefer:
            g = groups.find(type_, name)
            if g is not None:
                return g
        return None

    relations: list[Relation] = []
    seen: dict[tuple[str, str, str, str], Relation] = {}
    book = rulebook()
    for rel in state.relations:
        if rel.evidence.rule and not book.enabled(rel.evidence.rule):
            continue  # a rule measured under the precision floor is switched off
        head_types: tuple[str, ...] = {
            "holdsPosition": ("Person",),
            "participatedIn": ("Person", "Organization"),
        }.get(rel.relation, ("Organization", "Event"))
        head = resolve(rel.head, head_types)
        if head is None:
            continue
        tail_name = rel.tail
        if rel.relation not in ("participatedIn", "foundedOn"):
            tail_types = {
                "holdsPosition": ("Organization",),
                "subOrganizationOf": ("Organization",),
                "operates": ("Program",),
                "partnerOf": ("Organization",),
                "locatedIn": ("Place",),
            }[rel.relation]
            tail = resolve(rel.tail, tail_types)
            if tail is None:
                continue
            if tail is head:
                continue
            tail.in_relation = True
            tail_name = _name(tail)
        head.in_relation = True
        new = Relation(
            _name(head),
            rel.relation,
            tail_name,
            rel.evidence,
            rel.role,
            rel.event,
            rel.acting,
            rel.start,
        )
        k = (new.head, new.relation, new.tail, new.role or "")
        if rel.relation == "holdsPosition":
            k = (new.head, new.relation, new.tail, "")
        if rel.relation == "partnerOf":
            a, b = sorted((new.head, new.tail))
            k = (a, new.relation, b, "")
        if k in seen:
            kept = seen[k]
            if rel.evidence.rule not in kept.rules:
                kept.rules = (*kept.rules, rel.evidence.rule)
            if _evidence_rank(new, head, rel) > _evidence_rank(kept, head, rel):
                kept.evidence = new.evidence
            continue
        new.rules = (rel.evidence.rule,)
        seen[k] = new
        relations.append(new)

    # a fact read by several rules is as likely right as any of them (their errors taken as independent)
    for rel in relations:
        if len(rel.rules) > 1:
            wrong = 1.0
            for rule in rel.rules:
                wrong *= 1.0 - book.confidence(rule)
            rel.evidence = replace(rel.evidence, confidence=round(1.0 - wrong, 3))

    # 5) events: dates and places become facts of the event entity
    events = {e.name: e for e in state.events if e.name}
    for event_fact in events.values():
        event_group = groups.find("Event", event_fact.name or "")
        place = groups.find("Place", event_fact.place) if event_fact.place else None
        if event_group is not None and place is not None:
            place.in_relation = event_group.in_relation = True
            ev = replace(
                event_fact.evidence,
                component=book.component(EVENT_PLACE_RULE),
                confidence=book.confidence(EVENT_PLACE_RULE),
                rule=EVENT_PLACE_RULE,
            )
            relations.append(
                Relation(_name(event_group), "locatedIn", _name(place), ev, rules=(EVENT_PLACE_RULE,))
            )

    # 6) entities worth reporting
    entities: list[Entity] = []
    for g in groups.groups:
        if not g.mentions and not g.in_relation:
            continue
        if g.type == "Place" and not g.in_relation and not any(m.component != "lexicon" for m in g.mentions):
            continue
        if g.confidence < min_confidence and not g.in_relation:
            continue
        name = _name(g)
        first = min(g.mentions, key=lambda m: m.start) if g.mentions else None
        named_in = evidence(doc, first.start, first.end, first.rule) if first is not None else g.evidence
        aliases = [
            a
            for a in dict.fromkeys(g.aliases + [m.text for m in g.mentions])
            if name_key(a) != name_key(name) and not re.search(r"[A-Za-z]", a)
        ]
        english = [
            a
            for a in dict.fromkeys(g.english + [m.text for m in g.mentions])
            if name_key(a) != name_key(name) and re.search(r"[A-Za-z]", a)
        ]
        legal = state.legal_forms.get(name) or next(
            (state.legal_forms[n] for n in g.names if n in state.legal_forms), None
        )
        ent = Entity(
            name=name,
            type=entity_type(g.type),
            subtype=g.subtype,
            aliases=aliases,
            english=english,
            legal_form=legal,
            key=g.key,
            mentions=g.mentions,
            evidence=named_in,
        )
        if g.type == "Event":
            happened = events.get(name)
            if happened is not None and happened.date:
                ent.date = happened.date.isoformat()
        entities.append(ent)

    values = [Value("date", doc_text(doc)[s:e], d.isoformat(), None, s, e) for s, e, d in state.dates] + [
        Value("quantity", doc_text(doc)[s:e], f"{n:g}", unit, s, e)
        for s, e, n, unit in find_quantities(doc_text(doc))
    ]
    return Extraction(
        post=post,
        text=doc_text(doc),
        entities=entities,
        relations=relations,
        extractor_version=version,
        values=values,
    )


def _evidence_rank(rel: Relation, head: _Group, raw: Relation) -> tuple[int, float, int]:
    """Prefer the sentence that names both ends (`이병권 중기부 제2차관은`), then confidence."""
    sentence = rel.evidence.sentence
    names_head = any(n in sentence for n in head.names)
    names_tail = (
        rel.relation in ("participatedIn", "foundedOn") or raw.tail in sentence or rel.tail in sentence
    )
    return (int(names_head) + int(names_tail), rel.evidence.confidence, -abs(len(sentence) - 120))


def _name(g: _Group) -> str:
    """The fullest name the post writes: the lexicon's official name when the post writes it,
    else the longest of the entry's names the post writes (`중소기업진흥공단` in 2012, renamed
    중소벤처기업진흥공단 in 2018; `서울시` where the post never writes 서울특별시; `KAIST` where it writes
    no Korean name of the entry), else the longest Korean name, else the longest name. The graph still gives every form one IRI through the
    lexicon entry."""
    written = {m.text for m in g.mentions}
    if g.canonical:
        keys = {name_key(w) for w in written}
        if not written or name_key(g.canonical) in keys:
            return g.canonical
        entry = load_cues().lexicon.by_id(g.key) if g.key else None
        known = [
            w for w in written if entry is not None and name_key(w) in {name_key(x) for x in entry.surfaces}
        ]
        korean_known = [w for w in known if re.search(r"[가-힣]", w)]
        return max(korean_known or known, key=len) if known else g.canonical
    korean = [n for n in g.names if re.search(r"[가-힣]", n)]
    return max(korean or g.names, key=len)


def entity_type(name: str) -> EntityType:
    """The entity type a mention group carries (components write only the five types)."""
    for known in ENTITY_TYPES:
        if known == name:
            return known
    raise ValueError(f"not an entity type: {name}")
