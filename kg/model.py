"""Data classes shared by every stage: a post, what extraction finds in it, and errors.

These sit at the bottom of the import graph: they import nothing from `kg`, so ingest,
extract, build, store, read, views, API and CLI all speak them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal, get_args

EntityType = Literal["Person", "Organization", "Program", "Event", "Place"]
ENTITY_TYPES: tuple[EntityType, ...] = get_args(EntityType)

RelationKind = Literal[
    "holdsPosition",
    "subOrganizationOf",
    "operates",
    "participatedIn",
    "partnerOf",
    "locatedIn",
    "foundedOn",
]
RELATION_KINDS: tuple[RelationKind, ...] = get_args(RelationKind)
# Relations whose tail is a date (YYYY-MM-DD), not an entity.
DATE_TAIL_RELATIONS = frozenset({"participatedIn", "foundedOn"})
SYMMETRIC_RELATIONS = frozenset({"partnerOf"})


def web_url(value: str) -> bool:
    """An absolute http(s) URL with a host (what a post's link may be)."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(value.strip())
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


@dataclass(frozen=True)
class Post:
    """One published text: a press release, a portal news item, an announcement.

    `id` is the stable identity of the post (file stem, JSONL `id`, or URL); editing
    the text keeps the id and changes `content_hash`, so re-ingesting replaces facts.
    """

    id: str
    text: str
    title: str | None = None
    url: str | None = None
    published: date | None = None
    publisher: str | None = None
    licence: str | None = None
    category: str | None = None
    source: str | None = None  # where it was read from: a path, "path:line", or a URL
    hashtags: tuple[str, ...] = ()
    attachments: tuple[str, ...] = ()
    # Structured facts that need no NLP (open-data API payloads): gold-format dicts.
    structured: dict[str, Any] | None = None
    # The content hash of the original input, for a post rebuilt from the store (which keeps
    # the cleaned text, not the raw one): `kg reextract` keeps the stored hash this way.
    known_hash: str | None = None

    def __post_init__(self) -> None:
        # a post's link is shown and followed (/posts, schema:url, the network view): only
        # http(s) links are kept; `javascript:`, `data:`, `file:` … are dropped where read
        if self.url is not None and not web_url(self.url):
            object.__setattr__(self, "url", None)

    @property
    def content_hash(self) -> str:
        if self.known_hash:
            return self.known_hash
        h = hashlib.sha256()
        for part in (self.text, self.title or "", self.url or "", str(self.published or "")):
            h.update(part.encode("utf-8"))
            h.update(b"\x00")
        if self.structured:
            import json

            h.update(json.dumps(self.structured, sort_keys=True, ensure_ascii=False).encode())
        return h.hexdigest()


@dataclass(frozen=True)
class Evidence:
    """Where a fact was read: the sentence and its character offsets in the cleaned text."""

    sentence: str
    start: int
    end: int
    component: str
    confidence: float
    rule: str = ""  # the id of the rule (or model) that read it: data/patterns/rules.jsonl


@dataclass
class Mention:
    """A span of the cleaned text naming an entity, as one component saw it."""

    text: str
    type: str  # one of ENTITY_TYPES
    start: int
    end: int
    component: str
    confidence: float = 1.0
    subtype: str | None = None  # organisation subtype, event kind, ...
    key: str | None = None  # authority-lexicon id when the lexicon knows it
    rule: str = ""  # the id of the rule (or model) that found it


@dataclass
class Entity:
    """One thing a post talks about, after its mentions were merged within the post."""

    name: str  # canonical (fullest formal) name
    type: EntityType
    subtype: str | None = None
    aliases: list[str] = field(default_factory=list)  # short forms, abbreviations
    english: list[str] = field(default_factory=list)  # English names given in the text
    legal_form: str | None = None  # 사단법인, 주식회사, ... kept out of `name`
    key: str | None = None  # authority-lexicon id
    date: str | None = None  # events: ISO date the event took place (start)
    end_date: str | None = None  # events spanning several days
    mentions: list[Mention] = field(default_factory=list)
    evidence: Evidence | None = None  # first sentence that names it


@dataclass
class Relation:
    """A fact between two entities, or an entity and a date, with its evidence.

    `head` and `tail` are entity names as they appear in `Extraction.entities`
    (dates for DATE_TAIL_RELATIONS). `event` names the Event of a participatedIn.
    """

    head: str
    relation: RelationKind
    tail: str
    evidence: Evidence
    role: str | None = None  # holdsPosition: the title as written (장관, 제2차관 ...)
    event: str | None = None  # participatedIn: the event's name, when the text names it
    acting: bool = False  # holdsPosition: 직무대행 (acting)
    start: str | None = None  # holdsPosition: explicit start date (취임, 임명) if stated
    rules: tuple[str, ...] = ()  # every rule that read this fact in the post (set when merged)


@dataclass(frozen=True)
class Value:
    """A date or a quantity written in the text, with its normalised value."""

    kind: str  # "date" | "quantity"
    text: str  # as written: `12월 1일(월)`, `54.6만 개사`
    value: str  # ISO date, or the number (`546000`)
    unit: str | None  # quantities: 원, 명, 개사, %, ...
    start: int
    end: int


@dataclass
class Extraction:
    """Everything extraction found in one post."""

    post: Post
    text: str  # cleaned text; all offsets refer to it
    entities: list[Entity] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    extractor_version: str = ""
    values: list[Value] = field(default_factory=list)

    def entity(self, name: str) -> Entity | None:
        for ent in self.entities:
            if ent.name == name:
                return ent
        return None


@dataclass(frozen=True)
class InputError:
    """An input that could not be read; reported, never fatal to the other inputs."""

    source: str  # file, "file:line", or URL
    reason: str

    def __str__(self) -> str:
        return f"{self.source}: {self.reason}"


class KgError(Exception):
    """An error with a message meant for the person running kg."""
