"""The authority lexicon: known public bodies, titles, places and surnames, read from data/.

Record format of `data/lexicon/*.jsonl` (one JSON object per line):

    {"id": "mss", "type": "Organization", "subtype": "government",
     "name": "중소벤처기업부", "aliases": ["중기부"], "english": ["Ministry of SMEs and Startups"],
     "abbr": ["MSS"], "parent": null}

- `id`: stable ASCII key (skos:notation); `name`: official Korean name (canonical);
- `aliases`: Korean short forms; `english`: English names; `abbr`: Latin abbreviations;
- `ambiguous`: surfaces (abbreviations, short forms) that are also ordinary words or other
  things' names (`MOU` is 통일부's abbreviation and a memorandum of understanding): they name
  the entry only where the same text also names it by an unambiguous surface;
- `type`: Person | Organization | Program | Event | Place; `subtype` for organisations is one
  of the keys of `org_subtypes` in ontology/mapping.json; `parent`: the `id` of the body
  it belongs to (a unit, an agency under a ministry), when that is a fixed fact.

Changes of bodies (`data/lexicon/changes.jsonl`): renames, upgrades, mergers, splits and
reorganisations, each with its date and a public source:

    {"id": "2017-07-26-smba", "date": "2017-07-26", "kind": "upgrade", "from": ["smba"],
     "to": ["mss"], "note": "중소기업청이 중소벤처기업부로 승격", "source": "https://…"}

`from` and `to` are entry ids; `kind` is one of CHANGE_KINDS; `continues` (optional) names
the one of several results that carries the original on (안전행정부 → 행정자치부 while its
personnel office became 인사혁신처). A body that is in `from` (and
not in `to`) of a change ceased to exist that day; one in `to` came into being; so each body
has the periods it existed, and `Lexicon.as_of(entry, day)` gives the body that existed on a
day (following a rename or a merger forwards, a rename or a split backwards).

Titles (`data/lexicon/titles.jsonl`): {"title": "장관", "head": true}.
Surnames (`data/lexicon/surnames.txt`): one Korean surname per line.
Terms (`data/lexicon/terms.txt`): domain words that only go into the MeCab user dictionary.
The extraction pipeline, the resolver and the MeCab user dictionary all read this one source.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from kg.resources import DATA_DIR
from kg.text.names import name_key

LEXICON_DIR = DATA_DIR / "lexicon"
TITLE_FILE = "titles.jsonl"
CHANGES_FILE = "changes.jsonl"
CHANGE_KINDS = ("rename", "upgrade", "merger", "split", "reorganisation")
SURNAME_FILE = "surnames.txt"
TERMS_FILE = "terms.txt"
SPACED_MIN = 5  # a name this long may be written with spaces inside (`녹색 기후 기금`)
HANGUL_RUN = re.compile(r"[가-힣]+")
SPACED_NOT = frozenset({"center", "unit"})  # subtypes whose spaced names are descriptions
JOINERS = "ㆍ"  # marks that join names in a list (고려대ㆍ단국대); a letter to str.isalnum


@dataclass(frozen=True)
class LexiconEntry:
    id: str
    type: str
    name: str
    subtype: str | None = None
    aliases: tuple[str, ...] = ()
    english: tuple[str, ...] = ()
    abbr: tuple[str, ...] = ()
    parent: str | None = None
    ambiguous: frozenset[str] = frozenset()  # surfaces that name it only with context

    @property
    def surfaces(self) -> tuple[str, ...]:
        return (self.name, *self.aliases, *self.english, *self.abbr)


@dataclass(frozen=True)
class Title:
    title: str
    head: bool = False


@dataclass(frozen=True)
class BodyChange:
    """One dated change of public bodies (W3C ORG: an org:ChangeEvent)."""

    id: str
    date: str  # ISO date the change took effect
    kind: str  # one of CHANGE_KINDS
    originals: tuple[str, ...]  # entry ids of the bodies before
    results: tuple[str, ...]  # entry ids of the bodies after
    note: str = ""
    source: str = ""  # where the fact is published
    continues: str | None = None  # the result that carries the original on, when there are several


@dataclass
class Lexicon:
    entries: list[LexiconEntry] = field(default_factory=list)
    titles: list[Title] = field(default_factory=list)
    surnames: frozenset[str] = frozenset()
    terms: tuple[str, ...] = ()  # domain words for the MeCab user dictionary only
    changes: list[BodyChange] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._by_id = {e.id: e for e in self.entries}
        self._by_key: dict[str, LexiconEntry] = {}
        for entry in self.entries:
            for surface in entry.surfaces:
                self._by_key.setdefault(name_key(surface), entry)
        self._titles = {t.title: t for t in self.titles}
        self._changes_of: dict[str, list[BodyChange]] = {}
        for change in sorted(self.changes, key=lambda c: (c.date, c.id)):
            for body in {*change.originals, *change.results}:
                self._changes_of.setdefault(body, []).append(change)

    def by_id(self, entry_id: str) -> LexiconEntry | None:
        return self._by_id.get(entry_id)

    def lookup(self, name: str) -> LexiconEntry | None:
        """The entry whose name, alias, English name or abbreviation is `name`."""
        return self._by_key.get(name_key(name))

    def changes_of(self, entry_id: str) -> list[BodyChange]:
        """The changes a body took part in, oldest first."""
        return self._changes_of.get(entry_id, [])

    def periods(self, entry_id: str) -> list[tuple[str | None, str | None]]:
        """The periods a body existed, as [start, end) ISO dates (None: open), from its changes;
        a body no change names existed all along."""
        periods: list[tuple[str | None, str | None]] = []
        start: str | None = None
        alive = True
        for i, change in enumerate(self.changes_of(entry_id)):
            begins = entry_id in change.results
            ends = entry_id in change.originals and not begins
            if i == 0:
                alive = not begins  # first seen as a result: it did not exist before
            if begins and not alive:
                start, alive = change.date, True
            elif ends and alive:
                periods.append((start, change.date))
                alive = False
        if alive:
            periods.append((start, None))
        return periods

    def existed_on(self, entry_id: str, day: str) -> bool:
        return any((s is None or s <= day) and (e is None or day < e) for s, e in self.periods(entry_id))

    def as_of(self, entry: LexiconEntry, day: str | None) -> LexiconEntry:
        """The body that existed on `day` in `entry`'s line of succession: `entry` itself when it
        existed then (or no day is known); else its successor after the change that ended it
        when that change had one result (a rename, upgrade, merger or reorganisation), or its
        predecessor before the change that made it when that change had one original (a rename
        or split). Where the line forks the other way, `entry` is kept."""
        current = entry
        for _ in range(12):  # lines of succession are short; the bound also stops any cycle
            if day is None or self.existed_on(current.id, day):
                return current
            changes = self.changes_of(current.id)
            ended = [c for c in changes if c.date <= day and current.id in c.originals]
            began = [c for c in changes if c.date > day and current.id in c.results]
            step: str | None = None
            if ended:
                on_day = [c for c in ended if c.date == ended[-1].date]
                results = {c.continues or r for c in on_day for r in c.results}
                step = next(iter(results)) if len(results) == 1 else None
            elif began:
                first = [c for c in began if c.date == began[0].date]
                originals = {o for c in first for o in c.originals}
                step = next(iter(originals)) if len(originals) == 1 else None
            found = self._by_id.get(step) if step else None
            if found is None:
                return current
            current = found
        return current

    def title(self, text: str) -> Title | None:
        return self._titles.get(text)

    def parent_of(self, entry: LexiconEntry) -> LexiconEntry | None:
        return self._by_id.get(entry.parent) if entry.parent else None

    def dictionary_entries(self) -> Iterator[tuple[str, str]]:
        """(surface, POS) rows for the MeCab user dictionary: names are NNP, terms NNG."""
        for term in self.terms:
            yield term, "NNG"
        for entry in self.entries:
            for surface in (entry.name, *entry.aliases):
                if " " not in surface:
                    yield surface, "NNP"

    def find(self, text: str) -> list[tuple[int, int, LexiconEntry]]:
        """Every lexicon name in `text` that starts a word, longest first, without overlaps.

        Matching is on characters, not tokens: MeCab segments a name differently alone
        and in context (`한국관광공사` → 한국/관광공사 alone, one token in a sentence).
        """
        index = self._index()
        out: list[tuple[int, int, LexiconEntry]] = []
        i = 0
        n = len(text)
        while i < n - 1:
            if i > 0 and ((text[i - 1].isalnum() and text[i - 1] not in JOINERS) or text[i - 1] == "-"):
                i += 1
                continue
            found: tuple[int, LexiconEntry] | None = None
            for surface, entry in index.get(text[i : i + 2], ()):
                if (
                    text.startswith(surface, i)
                    and not _glued_latin(text, i + len(surface), surface)
                    and not self._starts_title(text, i, surface)
                ):
                    found = (len(surface), entry)
                    break  # candidates are longest first
            if found is None:
                found = self._spaced(text, i, index.get(text[i : i + 2], ()))
            if found is None:
                i += 1
                continue
            out.append((i, i + found[0], found[1]))
            i += found[0]
        if any(e.ambiguous for _, _, e in out):
            # an ambiguous surface names its entry only beside an unambiguous mention of it, or
            # right after its parent body (`국회 국방위`)
            named = {e.id for s, t, e in out if text[s:t] not in e.ambiguous}
            out = [
                (s, t, e)
                for k, (s, t, e) in enumerate(out)
                if text[s:t] not in e.ambiguous or e.id in named or self._after_parent(text, out[:k], s, e)
            ]
        return out

    def _after_parent(
        self, text: str, before: list[tuple[int, int, LexiconEntry]], start: int, entry: LexiconEntry
    ) -> bool:
        """The name just before `start` (one space between) is `entry`'s parent body."""
        if not before or entry.parent is None:
            return False
        _, t, prev = before[-1]
        return prev.id == entry.parent and text[t:start] == " "

    def _spaced(
        self, text: str, i: int, candidates: Iterable[tuple[str, LexiconEntry]]
    ) -> tuple[int, LexiconEntry] | None:
        """A long Korean name written with spaces inside (`녹색 기후 기금`, `더불어 민주당`): the
        name's characters in order with single spaces between some of them. Only names of five
        or more characters and no space of their own: `한국 은행들` is not 한국은행. Not the name of
        a kind of centre or unit either: `소공인 특화 지원센터` describes a centre of that network."""
        for surface, entry in candidates:
            if (
                len(surface) < SPACED_MIN
                or " " in surface
                or not HANGUL_RUN.fullmatch(surface)
                or entry.subtype in SPACED_NOT
            ):
                continue
            j = i
            for k, ch in enumerate(surface):
                if k and j < len(text) and text[j] == " ":
                    j += 1
                if j >= len(text) or text[j] != ch:
                    break
                j += 1
            else:
                if j - i > len(surface) and not self._starts_title(text, i, surface):
                    return j - i, entry
        return None

    def _starts_title(self, text: str, i: int, surface: str) -> bool:
        """`국회의원`: a listed title that begins with the name is a title, not the body."""
        by_head: dict[str, list[str]] | None = getattr(self, "_titles_by_head", None)
        if by_head is None:
            by_head = {}
            for title in self._titles:
                for k in range(2, len(title)):
                    by_head.setdefault(title[:k], []).append(title)
            self._titles_by_head = by_head
        return any(text.startswith(title, i) for title in by_head.get(surface, ()))

    def _index(self) -> dict[str, list[tuple[str, LexiconEntry]]]:
        cached: dict[str, list[tuple[str, LexiconEntry]]] | None = getattr(self, "_prefix_index", None)
        if cached is not None:
            return cached
        index: dict[str, list[tuple[str, LexiconEntry]]] = {}
        for entry in self.entries:
            for surface in entry.surfaces:
                if len(surface) >= 2:
                    index.setdefault(surface[:2], []).append((surface, entry))
        for items in index.values():
            items.sort(key=lambda item: -len(item[0]))
        self._prefix_index = index
        return index


def _glued_latin(text: str, end: int, surface: str) -> bool:
    """`LH` inside `LHS`: a Latin name must not run on into more Latin letters, nor into a
    hyphen and a digit (`KT-1`, `FA-50` are models and codes, not the body `KT`)."""
    if end >= len(text) or not (surface[-1].isascii() and surface[-1].isalnum()):
        return False
    nxt = text[end]
    if nxt.isascii() and nxt.isalnum():
        return True
    return nxt == "-" and end + 1 < len(text) and text[end + 1].isdigit()


def _read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if line.strip():
                try:
                    yield json.loads(line)
                except json.JSONDecodeError as exc:
                    raise ValueError(f"{path}:{n}: not JSON: {exc}") from None


def _entry(rec: dict[str, Any], where: str) -> LexiconEntry:
    try:
        return LexiconEntry(
            id=rec["id"],
            type=rec.get("type", "Organization"),
            name=rec["name"],
            subtype=rec.get("subtype"),
            aliases=tuple(rec.get("aliases") or ()),
            english=tuple(rec.get("english") or ()),
            abbr=tuple(rec.get("abbr") or ()),
            parent=rec.get("parent"),
            ambiguous=frozenset(rec.get("ambiguous") or ()),
        )
    except KeyError as exc:
        raise ValueError(f"{where}: lexicon record lacks {exc}") from None


@lru_cache(maxsize=4)
def load_lexicon(directory: Path = LEXICON_DIR) -> Lexicon:
    entries: list[LexiconEntry] = []
    titles: list[Title] = []
    changes: list[BodyChange] = []
    for path in sorted(directory.glob("*.jsonl")):
        if path.name == TITLE_FILE:
            titles = [Title(r["title"], bool(r.get("head"))) for r in _read_jsonl(path)]
            continue
        if path.name == CHANGES_FILE:
            changes = [_change(rec, f"{path}:{n}") for n, rec in enumerate(_read_jsonl(path), 1)]
            continue
        for n, rec in enumerate(_read_jsonl(path), 1):
            entries.append(_entry(rec, f"{path}:{n}"))
    surname_path = directory / SURNAME_FILE
    surnames: frozenset[str] = frozenset()
    if surname_path.exists():
        surnames = frozenset(s.strip() for s in surname_path.read_text(encoding="utf-8").split() if s.strip())
    terms_path = directory / TERMS_FILE
    terms: tuple[str, ...] = ()
    if terms_path.exists():
        terms = tuple(
            line.strip()
            for line in terms_path.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")
        )
    lexicon = Lexicon(entries, titles, surnames, terms, changes)
    _check_changes(lexicon, directory / CHANGES_FILE)
    return lexicon


def _change(rec: dict[str, Any], where: str) -> BodyChange:
    try:
        change = BodyChange(
            id=rec["id"],
            date=rec["date"],
            kind=rec["kind"],
            originals=tuple(rec["from"]),
            results=tuple(rec["to"]),
            note=rec["note"],
            source=rec.get("source", ""),
            continues=rec.get("continues"),
        )
    except KeyError as exc:
        raise ValueError(f"{where}: change record lacks {exc}") from None
    if change.continues is not None and change.continues not in change.results:
        raise ValueError(f"{where}: `continues` ({change.continues}) is not one of the results")
    try:
        date.fromisoformat(change.date)
    except ValueError:
        raise ValueError(f"{where}: date {change.date!r} is not YYYY-MM-DD") from None
    if change.kind not in CHANGE_KINDS:
        raise ValueError(f"{where}: kind {change.kind!r} is not one of {', '.join(CHANGE_KINDS)}")
    if not change.originals or not change.results:
        raise ValueError(f"{where}: a change needs bodies in both `from` and `to`")
    if not change.source.startswith(("http://", "https://")):
        raise ValueError(f"{where}: a change needs the http(s) address of a public source")
    return change


def _check_changes(lexicon: Lexicon, path: Path) -> None:
    ids = set()
    for change in lexicon.changes:
        if change.id in ids:
            raise ValueError(f"{path}: change id {change.id!r} is used twice")
        ids.add(change.id)
        for body in (*change.originals, *change.results):
            if lexicon.by_id(body) is None:
                raise ValueError(f"{path}: change {change.id!r} names {body!r}, which no lexicon entry has")
