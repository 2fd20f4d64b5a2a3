"""What the pipeline components write into a Doc (`doc._.kg`), and helpers they share.

Components append candidate mentions, relations, aliases and events; `assemble` turns
the state into an `Extraction`. Offsets are character offsets into `doc.text`, which is
the cleaned text of the post.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from dataclasses import dataclass, field

from spacy.tokens import Doc

from kg.extract.rules import rulebook
from kg.model import Evidence, Mention, Relation


@dataclass
class AliasFact:
    name: str  # the entity's name as written next to the alias
    alias: str
    kind: str  # "short" | "english" | "abbr"
    evidence: Evidence
    type: str = "Organization"


@dataclass
class EventFact:
    name: str | None
    kind: str
    start: int  # offsets of the event's name, or of the verb when unnamed
    end: int
    evidence: Evidence
    date: dt.date | None = None
    end_date: dt.date | None = None
    place: str | None = None
    participants: list[str] = field(default_factory=list)


@dataclass
class DocState:
    post_id: str = ""
    published: dt.date | None = None
    publisher: str | None = None
    sentences: list[tuple[int, int]] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    aliases: list[AliasFact] = field(default_factory=list)
    legal_forms: dict[str, str] = field(default_factory=dict)
    dates: list[tuple[int, int, dt.date]] = field(default_factory=list)
    events: list[EventFact] = field(default_factory=list)
    # Names the genre rules are sure about, by type; the NER merge defers to them.
    anchors: dict[tuple[int, int], str] = field(default_factory=dict)

    def sentence_at(self, offset: int) -> tuple[int, int]:
        starts = [s for s, _ in self.sentences]
        i = bisect.bisect_right(starts, offset) - 1
        if i < 0:
            return (0, 0)
        return self.sentences[i]

    def add_mention(self, mention: Mention) -> Mention:
        """Record a mention, unless its rule is switched off (measured under the precision floor)."""
        if not mention.rule or rulebook().enabled(mention.rule):
            self.mentions.append(mention)
        return mention

    def mentions_in(self, start: int, end: int, types: tuple[str, ...] = ()) -> list[Mention]:
        return sorted(
            (
                m
                for m in self.mentions
                if m.start >= start and m.end <= end and (not types or m.type in types)
            ),
            key=lambda m: (m.start, -m.end),
        )


_WS = re.compile(r"\s+")


def evidence(doc: Doc, start: int, end: int, rule: str) -> Evidence:
    """The sentence around [start, end) as evidence, read by `rule` (whitespace collapsed)."""
    state: DocState = doc._.kg
    s_start, s_end = state.sentence_at(start)
    if s_end < end:  # the fact spans sentences: cite both
        s_end = state.sentence_at(max(end - 1, start))[1]
    if s_end <= s_start:
        s_start, s_end = start, end
    text = _WS.sub(" ", doc_text(doc)[s_start:s_end]).strip()
    book = rulebook()
    return Evidence(text, s_start, s_end, book.component(rule), book.confidence(rule), rule)


def mention(
    text: str,
    type_: str,
    start: int,
    end: int,
    rule: str,
    subtype: str | None = None,
    key: str | None = None,
) -> Mention:
    """A mention found by `rule`, with the rule's component and measured confidence."""
    book = rulebook()
    return Mention(text, type_, start, end, book.component(rule), book.confidence(rule), subtype, key, rule)


def doc_text(doc: Doc) -> str:
    """`Doc.text` joins every token on each access; components read it thousands of times."""
    cached: str | None = doc.user_data.get("kg_text")
    if cached is None:
        cached = doc.text
        doc.user_data["kg_text"] = cached
    return cached


def ensure_extensions() -> None:
    if not Doc.has_extension("kg"):
        Doc.set_extension("kg", default=None)
