"""The genre's word lists (data/patterns/cues.json) and the lexicon, loaded once."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property, lru_cache

from kg.resources import DATA_DIR
from kg.vocab.lexicon import Lexicon, load_lexicon

HANGUL_NAME = re.compile(r"[가-힣]{2,4}")


def _alternation(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


def endings_in(
    text: str, endings: frozenset[str] | set[str] | dict[str, str], first: int = 0
) -> Iterator[str]:
    """The endings of `text` listed in `endings`, longest first, from `text[first:]` on (1: the
    whole text left out). What a loop over a longest-first list testing `text.endswith(e)` visits,
    with one lookup per character instead of one `endswith` per listed ending."""
    for i in range(first, len(text)):
        if text[i:] in endings:
            yield text[i:]
    if "" in endings and len(text) >= first:
        yield ""


@dataclass(frozen=True)
class FusedHead:
    """A title fused with the body it heads: `위원장` completes a body with `위원회`."""

    ending: str
    body: str
    role: str
    government: bool  # the body may be a local government the lexicon knows as a place
    not_after: tuple[str, ...]  # what before the ending makes it another title (본 + 부장 = 본부장)


@dataclass(frozen=True)
class Cues:
    org_suffixes: dict[str, tuple[str, ...]]
    unit_suffixes: tuple[str, ...]
    org_stopwords: frozenset[str]
    not_body_endings: tuple[str, ...]  # 납부여부, 승차거부: an act or a question, not a body
    program_suffixes: tuple[str, ...]
    program_heads: tuple[str, ...]
    program_determiners: frozenset[str]
    event_kinds: dict[str, tuple[str, ...]]
    event_verbs: tuple[str, ...]
    creation_verbs: tuple[str, ...]
    operate_verbs: tuple[str, ...]
    agreement_cues: tuple[str, ...]
    cooperation_cues: tuple[str, ...]
    hosting_verbs: tuple[str, ...]
    meeting_verbs: tuple[str, ...]
    place_suffixes: tuple[str, ...]
    strong_org_suffixes: tuple[str, ...]
    generic_units: frozenset[str]
    university_short: re.Pattern[str]
    not_university: frozenset[str]
    branch_suffixes: tuple[str, ...]
    body_references: frozenset[str]  # `공사는`, `센터가`: a body named in full earlier
    company_heads: tuple[str, ...]
    government_titles: tuple[str, ...]
    topic_titles: tuple[str, ...]
    head_of_unit: dict[str, str]
    fused_heads: tuple[FusedHead, ...]
    ambiguous_titles: frozenset[str]
    acting_marks: tuple[str, ...]
    title_modifiers: frozenset[str]
    former_marks: frozenset[str]
    modifier_pattern: re.Pattern[str]
    number_prefix: re.Pattern[str]
    concurrent_marks: frozenset[str]
    provinces: frozenset[str]
    countries: frozenset[str]  # `심상정 대한민국 정의당 대표`: a country before the body
    lexicon: Lexicon

    def is_university_short(self, name: str) -> bool:
        """`목원대`, `배재대`: a university's short name."""
        return bool(self.university_short.match(name)) and name not in self.not_university

    @cached_property
    def _subtype_of_suffix(self) -> dict[str, str]:
        """Each organisation ending → its subtype (the first listed, when two list it)."""
        out: dict[str, str] = {}
        for subtype, suffixes in self.org_suffixes.items():
            for suffix in suffixes:
                out.setdefault(suffix, subtype)
        return out

    @cached_property
    def _kind_of_event_word(self) -> dict[str, str]:
        """Each event word, spaces removed → its kind (the first listed, when two list it)."""
        out: dict[str, str] = {}
        for kind, words in self.event_kinds.items():
            for word in words:
                out.setdefault(word.replace(" ", ""), kind)
        return out

    @cached_property
    def program_head_set(self) -> frozenset[str]:
        return frozenset(self.program_heads)

    @cached_property
    def title_endings(self) -> tuple[str, ...]:
        """The lexicon's titles, for `str.endswith`."""
        return tuple(t.title for t in self.lexicon.titles)

    def org_subtype_by_suffix(self, name: str) -> str | None:
        """The organisation subtype a name's ending suggests (longest suffix wins)."""
        if self.is_university_short(name.replace(" ", "")):
            return "university"
        bare = name.replace(" ", "")
        for suffix in endings_in(bare, self._subtype_of_suffix):
            # one-syllable endings (청, 처, 과 ...) need a longer name to be trusted
            min_len = 4 if len(suffix) == 1 else len(suffix) + 1
            if len(bare) >= min_len:
                return self._subtype_of_suffix[suffix]
        return None

    def event_kind(self, name: str) -> str | None:
        """The kind of event a name's ending says (longest ending wins)."""
        bare = name.replace(" ", "")
        ending = next(endings_in(bare, self._kind_of_event_word), None)
        return None if ending is None else self._kind_of_event_word[ending]

    def is_program_name(self, name: str) -> bool:
        bare = name.replace(" ", "")
        return bare.endswith(tuple(s.replace(" ", "") for s in self.program_suffixes))

    @property
    def title_regex(self) -> str:
        return _alternation([t.title for t in self.lexicon.titles])

    @property
    def surname_set(self) -> frozenset[str]:
        return self.lexicon.surnames

    def lexicon_place(self, name: str) -> bool:
        """Does the lexicon know `name` as a place (세종, 강릉)?"""
        entry = self.lexicon.lookup(name)
        return entry is not None and entry.type == "Place"

    def is_title_modifier(self, word: str) -> bool:
        """`초대`, `전`, `신임`, `제3대`: a word before a title or a name that belongs to neither."""
        return word in self.title_modifiers or bool(self.modifier_pattern.match(word))

    def surname_led(self, text: str) -> bool:
        """Three Hangul syllables led by a known surname (`김한대`), whatever else the word could be."""
        return bool(re.fullmatch(r"[가-힣]{3}", text)) and text[0] in self.surname_set

    def is_person_name(self, text: str) -> bool:
        """A Korean personal name: 2–4 syllables starting with a known surname (not `초대`, `신임`)."""
        if not HANGUL_NAME.fullmatch(text) or self.is_title_modifier(text) or self.is_university_short(text):
            return False
        if text[:2] in self.surname_set and len(text) >= 3:
            return True
        return text[0] in self.surname_set and len(text) <= 3


@lru_cache(maxsize=1)
def load_cues() -> Cues:
    raw = json.loads((DATA_DIR / "patterns" / "cues.json").read_text(encoding="utf-8"))
    return Cues(
        org_suffixes={k: tuple(v) for k, v in raw["org_suffixes"].items()},
        unit_suffixes=tuple(raw["unit_suffixes"]),
        org_stopwords=frozenset(raw["org_stopwords"]) | frozenset(raw["countries"]),  # a country is no body
        not_body_endings=tuple(raw["not_body_endings"]),
        program_suffixes=tuple(raw["program_suffixes"]),
        program_heads=tuple(sorted(raw["program_heads"], key=len, reverse=True)),
        program_determiners=frozenset(raw["program_determiners"]),
        event_kinds={k: tuple(v) for k, v in raw["event_kinds"].items()},
        event_verbs=tuple(raw["event_verbs"]),
        creation_verbs=tuple(raw["creation_verbs"]),
        operate_verbs=tuple(raw["operate_verbs"]),
        agreement_cues=tuple(raw["agreement_cues"]),
        cooperation_cues=tuple(raw["cooperation_cues"]),
        hosting_verbs=tuple(raw["hosting_verbs"]),
        meeting_verbs=tuple(raw["meeting_verbs"]),
        place_suffixes=tuple(raw["place_suffixes"]),
        strong_org_suffixes=tuple(raw["strong_org_suffixes"]),
        generic_units=frozenset(raw["generic_units"]),
        university_short=re.compile(raw["university_short"]["pattern"]),
        not_university=frozenset(raw["university_short"]["not"]),
        branch_suffixes=tuple(sorted(raw["branch_suffixes"], key=len, reverse=True)),
        body_references=frozenset(raw["body_references"]),
        company_heads=tuple(raw["titles"]["company_heads"]),
        government_titles=tuple(raw["titles"]["government"]),
        topic_titles=tuple(raw["titles"]["topic"]),
        head_of_unit=dict(raw["titles"]["head_of_unit"]),
        fused_heads=tuple(
            sorted(
                (
                    FusedHead(
                        h["ending"],
                        h["body"],
                        h["role"],
                        bool(h.get("government")),
                        tuple(h.get("not_after", ())),
                    )
                    for h in raw["titles"]["fused_heads"]
                ),
                key=lambda h: -len(h.ending),
            )
        ),
        ambiguous_titles=frozenset(raw["titles"]["ambiguous"]),
        acting_marks=tuple(raw["titles"]["acting"]),
        title_modifiers=frozenset(raw["titles"]["modifiers"]),
        former_marks=frozenset(raw["titles"]["former"]),
        modifier_pattern=re.compile(raw["titles"]["modifier_pattern"]),
        number_prefix=re.compile(raw["titles"]["number_prefix"]),
        concurrent_marks=frozenset(raw["titles"]["concurrent"]),
        provinces=frozenset(raw["provinces"]),
        countries=frozenset(raw["countries"]),
        lexicon=load_lexicon(),
    )
