"""Candidate pairs for the relation model, each with features read from the parse and the rules.

After the rule components have run, every sentence offers pairs of what it names:

| kind | head | tail |
| --- | --- | --- |
| holdsPosition | Person | Organization |
| subOrganizationOf | Organization | Organization (both orders) |
| partnerOf | Organization | Organization (one order: the earlier first) |
| operates | Organization | Program |
| participatedIn | Person or Organization | a date of the sentence (`DocState.dates`, resolved against the post's date) |
| foundedOn | Organization | a date of the sentence |

A pair's features are binary strings: the order of its ends and the distance between them, the
morphemes (surface and MeCab tag) between and beside them, the particle each end carries and
the role that gives it (subject, conjunction, genitive …), brackets, the cue words of
`data/patterns/cues.json` between, after and around them, the ends' subtypes and the rules that
found them, and which rules already read the pair as a fact (or as a fact of another kind).
`kg.extract.relation_model` weighs them; `kg.extract.train_relations` learns the weights.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from spacy.tokens import Doc

from kg.extract.cues import load_cues
from kg.extract.rules import rulebook
from kg.extract.state import DocState, doc_text
from kg.extract.words import Word, particle_role, split_words, tag_at
from kg.model import DATE_TAIL_RELATIONS, SYMMETRIC_RELATIONS, Mention
from kg.text.names import name_key, split_legal_form

DATE = "date"
PAIR_TYPES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "holdsPosition": (("Person",), ("Organization",)),
    "subOrganizationOf": (("Organization",), ("Organization",)),
    "operates": (("Organization",), ("Program",)),
    "partnerOf": (("Organization",), ("Organization",)),
    "participatedIn": (("Person", "Organization"), (DATE,)),
    "foundedOn": (("Organization",), (DATE,)),
}
KINDS = tuple(PAIR_TYPES)
MAX_GAP = 160  # characters between the two ends of a pair; farther pairs are not offered
GAP_MORPHEMES = 6  # morphemes read from each side of the gap
# the cue lists of cues.json whose words the features look for
CUE_LISTS = (
    "operate_verbs",
    "creation_verbs",
    "agreement_cues",
    "cooperation_cues",
    "hosting_verbs",
    "meeting_verbs",
    "event_verbs",
)
# kinds whose organisation end acts (runs, partners, takes part, is founded): a body named only
# inside its unit's name is none of these ends
ACTING_KINDS = frozenset({"operates", "partnerOf", "participatedIn", "foundedOn"})
_CONTENT_TAG = re.compile(r"^(?:J|E|V|XS|NNG|NNB|MAG|SC|SSO|SSC)")
_RELATIVE_DATE = re.compile(r"지난|오는|이달|이번|다음|내달")
_RANGE_END = re.compile(r"\s*(?:\([^)]{1,4}\))?\s*(?:까지|~|∼)")
_SAME_DAY = re.compile(r"이날|당일|같은\s*날|이어")


@dataclass(frozen=True)
class End:
    """One end of a candidate pair: a mention, or a date (type `date`, text the ISO date)."""

    text: str
    type: str
    start: int
    end: int
    subtype: str | None = None
    key: str | None = None
    confidence: float = 1.0
    found_by: tuple[str, ...] = ()  # the rules that found the mention
    surface: str = ""  # a date as written

    @property
    def names(self) -> frozenset[str]:
        """The comparison keys this end answers to (as written, the lexicon's name, without legal form)."""
        return _names(self.text, self.key)


@dataclass
class Candidate:
    kind: str
    head: End
    tail: End
    sentence: tuple[int, int]
    features: list[str] = field(default_factory=list)
    rules: tuple[str, ...] = ()  # enabled rules that read this pair as a fact of this kind
    role: str | None = None  # holdsPosition: the title written with the person

    @property
    def tail_name(self) -> str:
        return self.tail.text


@lru_cache(maxsize=4096)
def _names(text: str, key: str | None) -> frozenset[str]:
    lexicon = load_cues().lexicon
    out = {name_key(text), name_key(split_legal_form(text)[0])}
    entry = lexicon.by_id(key) if key else lexicon.lookup(text)
    if entry is not None:
        out.add(name_key(entry.name))
    out.discard("")
    return frozenset(out)


@lru_cache(maxsize=1)
def _cue_patterns() -> dict[str, re.Pattern[str]]:
    cues = load_cues()
    out = {}
    for name in CUE_LISTS:
        words: Iterable[str] = getattr(cues, name)
        out[name] = re.compile("|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True)))
    return out


@lru_cache(maxsize=1)
def _titles() -> tuple[frozenset[str], int]:
    titles = frozenset(t.title for t in load_cues().lexicon.titles)
    return titles, max((len(t) for t in titles), default=0)


def title_in(core: str) -> str | None:
    """The longest lexicon title `core` ends with (`제2차관`, `창업정책관`, `센터장`), or None."""
    titles, longest = _titles()
    for n in range(min(longest, len(core)), 0, -1):
        if core[-n:] in titles:
            return core[-n:]
    return None


def _bucket(n: int, edges: tuple[int, ...]) -> str:
    for edge in edges:
        if n <= edge:
            return str(edge)
    return f">{edges[-1]}"


class _DocView:
    """What every pair of a document reads: morphemes, sentences, dates, the rules' facts."""

    def __init__(self, doc: Doc, state: DocState) -> None:
        self.doc = doc
        self.state = state
        self.text = doc_text(doc)
        tags = tag_at(doc)
        self.tags = tags
        self.tok_starts = sorted(tags)
        self._tok: dict[int, tuple[str, str | None, str]] = {}
        self.date_starts = [s for s, _, _ in state.dates]
        self.sentence_starts = [s for s, _ in state.sentences]
        self.patterns = _cue_patterns()
        book = rulebook()
        # rule facts by (kind, head key, tail key) (partnerOf in both orders), the sentences that
        # state them, and the kinds read between two names
        self.facts: dict[tuple[str, str, str], set[str]] = {}
        self.fact_sentences: dict[tuple[str, str, str], set[int]] = {}
        self.pair_kinds: dict[tuple[str, str], set[str]] = {}
        self.heads_with: dict[str, set[str]] = {}
        self.tails_with: dict[str, set[str]] = {}
        self.enabled: set[str] = set()
        for rel in state.relations:
            rule = rel.evidence.rule
            if not rule or rule.startswith("model."):
                continue
            if book.enabled(rule):
                self.enabled.add(rule)
            heads = _names(rel.head, None)
            tails = frozenset({rel.tail}) if rel.relation in DATE_TAIL_RELATIONS else _names(rel.tail, None)
            where = self.sentence_index(rel.evidence.start)
            for h in heads:
                self.heads_with.setdefault(rel.relation, set()).add(h)
                for t in tails:
                    self.tails_with.setdefault(rel.relation, set()).add(t)
                    pairs = [(h, t), (t, h)] if rel.relation in SYMMETRIC_RELATIONS else [(h, t)]
                    for a, b in pairs:
                        self.facts.setdefault((rel.relation, a, b), set()).add(rule)
                        self.fact_sentences.setdefault((rel.relation, a, b), set()).add(where)
                        self.pair_kinds.setdefault((a, b), set()).add(rel.relation)

    def sentence_index(self, pos: int) -> int:
        return bisect.bisect_right(self.sentence_starts, pos) - 1

    def token_index(self, pos: int) -> int:
        return bisect.bisect_left(self.tok_starts, pos)

    def token(self, i: int) -> tuple[str, str | None, str]:
        """Morpheme i's features: its tag, its surface when it is a particle, ending, verb or noun,
        and its name (`surface/tag`, empty for whitespace); made once per document."""
        found = self._tok.get(i)
        if found is None:
            s = self.tok_starts[i]
            e, tag = self.tags[s]
            surface = self.text[s:e]
            found = (
                f"bt:{tag}",
                f"bm:{surface}/{tag}" if _CONTENT_TAG.match(tag) else None,
                f"{surface}/{tag}" if tag != "_SP" and surface.strip() else "",
            )
            self._tok[i] = found
        return found

    def name_before(self, pos: int) -> str:
        i = self.token_index(pos) - 1
        while i >= 0 and not self.token(i)[2]:
            i -= 1
        return self.token(i)[2] if i >= 0 else "^"

    def name_at(self, pos: int) -> str:
        i = self.token_index(pos)
        n = len(self.tok_starts)
        while i < n and not self.token(i)[2]:
            i += 1
        return self.token(i)[2] if i < n else "$"

    def rule_facts(self, kind: str, head: End, tail: End, sentence: int) -> tuple[set[str], bool]:
        """The rules that read (head, kind, tail), and whether one read it in this sentence."""
        rules: set[str] = set()
        here = False
        tails = frozenset({tail.text}) if tail.type == DATE else tail.names
        for h in head.names:
            for t in tails:
                found = self.facts.get((kind, h, t))
                if found:
                    rules |= found
                    here = here or sentence in self.fact_sentences[(kind, h, t)]
        return rules, here

    def other_kinds(self, kind: str, head: End, tail: End) -> set[str]:
        out: set[str] = set()
        for h in head.names:
            for t in tail.names:
                out |= self.pair_kinds.get((h, t), set())
        out.discard(kind)
        return out


class _SentenceView:
    def __init__(self, view: _DocView, span: tuple[int, int]) -> None:
        self.view = view
        self.span = span
        self.index = view.sentence_index(span[0])
        s, e = span
        self.words: list[Word] = split_words(view.doc, s, e, view.tags)
        self.word_starts = [w.start for w in self.words]
        text = view.text[s:e]
        self.cues = [(name, pat) for name, pat in view.patterns.items() if pat.search(text)]
        self.brackets = _brackets(text, s)
        head = ["si:" + _bucket(self.index, (0, 1, 3)), "sl:" + _bucket(e - s, (40, 100, 200, 400))]
        self.features = head + [f"cs:{name}" for name, _ in self.cues]
        self.same_day = bool(_SAME_DAY.search(text[:12]))
        self._ends: dict[tuple[int, int, str, str], list[str]] = {}

    def word_of(self, pos: int) -> Word | None:
        i = bisect.bisect_right(self.word_starts, pos) - 1
        if i < 0:
            return None
        w = self.words[i]
        return w if pos < w.end else None

    def word_index(self, pos: int) -> int:
        return max(bisect.bisect_right(self.word_starts, pos) - 1, 0)

    def bracket_owner(self, end: End) -> Word | None:
        """The word right before the innermost bracket that holds `end` (`중소벤처기업부(장관 한성숙)`)."""
        owner = None
        for open_at, close_at in self.brackets:
            if open_at < end.start and end.end <= close_at:
                owner = open_at
        return self.word_of(owner - 1) if owner is not None and owner > self.span[0] else None

    def end_features(self, end: End, tag: str) -> list[str]:
        """What one end says by itself: its neighbours, particle, role, bracket, subtype, rules."""
        key = (end.start, end.end, end.type, tag)
        cached = self._ends.get(key)
        if cached is not None:
            return cached
        view = self.view
        f = [f"{tag}v:{view.name_before(end.start)}", f"{tag}n:{view.name_at(end.end)}"]
        if end.type != DATE:
            w = self.word_of(end.start)
            if w is not None and w.core_end <= end.end + 1:
                f.append(f"{tag}p:{w.particle[:4]}")
                f.append(f"{tag}r:{particle_role(w.particle)}")
            else:
                f.append(f"{tag}r:inword")
            if self.bracket_owner(end) is not None:
                f.append(f"{tag}b")
            f.append(f"{tag}s:{end.subtype}")
            f.append(f"{tag}y:{end.type}")
            if end.key:
                f.append(f"{tag}k")
            f += [f"{tag}m:{rule}" for rule in end.found_by]
            f.append(f"{tag}c:{_bucket(round(end.confidence * 10), (5, 6, 7, 8, 9))}")
        else:
            f += _date_features(view, self, end)
        self._ends[key] = f
        return f


def _brackets(text: str, offset: int) -> list[tuple[int, int]]:
    """(open, close) offsets of the balanced brackets of a sentence, outer before inner."""
    out: list[tuple[int, int]] = []
    stack: list[int] = []
    for i, ch in enumerate(text):
        if ch in "(（[":
            stack.append(i)
        elif ch in ")）]" and stack:
            out.append((offset + stack.pop(), offset + i))
    return sorted(out)


def mention_ends(mentions: Iterable[Mention], start: int, end: int, types: tuple[str, ...]) -> list[End]:
    """The mentions of [start, end) as pair ends, one per span and type (the rules that found it merged)."""
    by_span: dict[tuple[int, int, str], list[Mention]] = {}
    for m in mentions:
        if start <= m.start and m.end <= end and m.type in types:
            by_span.setdefault((m.start, m.end, m.type), []).append(m)
    out = []
    for (s, e, type_), ms in sorted(by_span.items()):
        best = max(ms, key=lambda m: m.confidence)
        out.append(
            End(
                best.text,
                type_,
                s,
                e,
                next((m.subtype for m in ms if m.subtype), None),
                next((m.key for m in ms if m.key), None),
                best.confidence,
                tuple(sorted({m.rule for m in ms if m.rule})),
            )
        )
    return out


def _nested_bodies(ends: list[End]) -> set[int]:
    """The organisation ends written inside a longer organisation's name (`전북대학교` in
    `전북대학교 창업지원단`): the body the unit belongs to, not the one that acts."""
    orgs = [e for e in ends if e.type == "Organization"]
    return {
        id(e)
        for e in orgs
        if any(o.start <= e.start and e.end <= o.end and (o.start, o.end) != (e.start, e.end) for o in orgs)
    }


def date_ends(view: _DocView, start: int, end: int) -> list[End]:
    """The dates written in [start, end), and the date last written before it: a sentence without
    its own date (`이날 행사에는 …`) most often tells of the day named just before."""
    dates = view.state.dates
    out = [
        End(d.isoformat(), DATE, s, e, surface=view.text[s:e]) for s, e, d in dates if start <= s and e <= end
    ]
    i = bisect.bisect_left(view.date_starts, start) - 1
    if i >= 0:
        s, e, d = dates[i]
        if all(x.text != d.isoformat() for x in out):
            out.append(End(d.isoformat(), DATE, s, e, subtype="before", surface=view.text[s:e]))
    return out


def candidates(doc: Doc, kinds: Iterable[str] = KINDS, unread_only: bool = False) -> list[Candidate]:
    """Every candidate pair of the document for `kinds`, with its features. With `unread_only`,
    the pairs an enabled rule read are left out before their features are made (what the
    pipeline component scores); holdsPosition pairs with no title beside the person likewise."""
    state: DocState = doc._.kg
    wanted_kinds = set(kinds)
    kinds = [k for k in KINDS if k in wanted_kinds]
    if not kinds:
        return []
    view = _DocView(doc, state)
    out: list[Candidate] = []
    wanted = tuple({t for k in kinds for t in (*PAIR_TYPES[k][0], *PAIR_TYPES[k][1])} - {DATE})
    with_dates = any(k in DATE_TAIL_RELATIONS for k in kinds)
    by_sentence: dict[int, list[Mention]] = {}
    for m in state.mentions:
        if m.type in wanted:
            by_sentence.setdefault(view.sentence_index(m.start), []).append(m)
    for k, span in enumerate(state.sentences):
        if k not in by_sentence:
            continue
        ends = mention_ends(by_sentence[k], span[0], span[1], wanted)
        if not ends:
            continue
        dates = date_ends(view, *span) if with_dates else []
        sent = _SentenceView(view, span)
        starts = [e.start for e in ends]
        inner = _nested_bodies(ends)
        for kind in kinds:
            head_types, tail_types = PAIR_TYPES[kind]
            tails = dates if tail_types == (DATE,) else [e for e in ends if e.type in tail_types]
            if kind in ACTING_KINDS:
                tails = [t for t in tails if id(t) not in inner]
            for h in ends:
                if h.type not in head_types or (kind in ACTING_KINDS and id(h) in inner):
                    continue
                for t in tails:
                    if t.start == h.start and t.end == h.end:
                        continue
                    if kind in SYMMETRIC_RELATIONS and (t.start, t.end) <= (h.start, h.end):
                        continue  # each unordered pair once
                    gap = max(t.start - h.end, h.start - t.end, 0)
                    if gap > MAX_GAP and t.subtype != "before":
                        continue
                    if t.type != DATE and h.names & t.names:
                        continue  # one body named twice, or a name inside itself
                    rules, here = view.rule_facts(kind, h, t, sent.index)
                    enabled = tuple(sorted(r for r in rules if r in view.enabled))
                    if unread_only and enabled:
                        continue
                    role = None
                    if kind == "holdsPosition":
                        role, where = _title_near(sent, h, t)
                        if unread_only and role is None:
                            continue
                    c = Candidate(kind, h, t, span, [], enabled, role)
                    c.features = _features(view, sent, starts, c, rules, here)
                    if kind == "holdsPosition":
                        c.features.append(f"ti:{where}")
                    out.append(c)
    return out


def _features(
    view: _DocView, sent: _SentenceView, starts: list[int], c: Candidate, rules: set[str], here: bool
) -> list[str]:
    h, t, kind = c.head, c.tail, c.kind
    f = [*sent.features, *sent.end_features(h, "h"), *sent.end_features(t, "t")]
    f += [f"r:{rule}" for rule in sorted(rules)]
    if rules:
        f.append("r:any" + (":here" if here else ""))
    elif h.names & view.heads_with.get(kind, set()):
        f.append("hf")  # the head already has a fact of this kind (another tail)
    if t.subtype == "before":  # a date written before the sentence: the gap says nothing
        f.append("dinh")
        back = sent.index - view.sentence_index(t.start)
        f.append("ds:" + _bucket(back, (1, 2, 4, 8)))
        if sent.same_day:
            f.append("same-day")
        after = view.text[h.end : sent.span[1]][:40]
        f += [f"ca:{name}" for name, pat in sent.cues if pat.search(after)]
        return f
    text = view.text
    first, second = (h, t) if h.start <= t.start else (t, h)
    f.append("o:nest" if second.start < first.end else ("o:ht" if first is h else "o:th"))
    gap_s, gap_e = first.end, max(second.start, first.end)
    gap = text[gap_s:gap_e]
    f.append("d:" + _bucket(gap_e - gap_s, (0, 1, 3, 10, 30, 80)))
    f.append("w:" + _bucket(gap.count(" "), (0, 1, 2, 4, 8)))
    inside = bisect.bisect_left(starts, gap_s), bisect.bisect_left(starts, gap_e)
    f.append("m:" + _bucket(max(inside[1] - inside[0], 0), (0, 1, 2, 4)))
    if "\n" in gap:
        f.append("nl")
    # the morphemes at both edges of the gap
    i0, i1 = view.token_index(gap_s), view.token_index(gap_e)
    if i1 > i0:
        edge = [
            *range(i0, min(i0 + GAP_MORPHEMES, i1)),
            *range(max(i1 - GAP_MORPHEMES, i0 + GAP_MORPHEMES), i1),
        ]
        for i in edge:
            tag, word, _ = view.token(i)
            f.append(tag)
            if word is not None:
                f.append(word)
        f.append("b1:" + view.token(i0)[2])
        f.append("bL:" + view.token(i1 - 1)[2])
    else:
        f.append("b:none")
    for tag, end, other in (("h", h, t), ("t", t, h)):
        if end.type != DATE and other.type != DATE:
            owner = sent.bracket_owner(end)
            if owner is not None and owner.core_start <= other.start < owner.core_end + 1:
                f.append(f"{tag}b:other")  # `중기부(장관 한성숙)`: the other end owns the bracket
    f.append(f"st:{h.subtype}|{t.subtype if t.type != DATE else 'date'}")
    after = text[second.end : sent.span[1]][:40]
    for name, pat in sent.cues:
        if gap and pat.search(gap):
            f.append(f"cb:{name}")
        if pat.search(after):
            f.append(f"ca:{name}")
    if t.type != DATE:
        f += [f"rk:{other}" for other in sorted(view.other_kinds(kind, h, t))]
        tail_keys = t.names
    else:
        tail_keys = frozenset({t.text})
    if not rules and tail_keys & view.tails_with.get(kind, set()):
        f.append("tf")
    return f


def _title_near(sent: _SentenceView, person: End, org: End) -> tuple[str | None, str]:
    """The title written with a person (`이병권 제2차관`, `장관 한성숙`, `(이병권 센터장)`), and where."""
    k = sent.word_index(person.start)
    words = sent.words
    for j, where in ((k + 1, "next"), (k + 2, "next2"), (k - 1, "before")):
        if 0 <= j < len(words) and words[j].core:
            core = words[j].core
            title = title_in(core)
            if title is not None:
                if where == "next2" and not (org.start >= words[k + 1].start and org.end <= words[k + 1].end):
                    continue  # `이름 X 직함` counts only when X is the body
                return core if len(core) <= len(title) + 12 else title, where
    return None, "none"


def _date_features(view: _DocView, sent: _SentenceView, t: End) -> list[str]:
    f = []
    dates = [d for d in view.state.dates if sent.span[0] <= d[0] < sent.span[1]]
    f.append("dn:" + _bucket(len(dates), (1, 2, 3)))
    if dates and dates[0][0] == t.start:
        f.append("d1")
    if _RELATIVE_DATE.search(t.surface):
        f.append("drel")
    if _RANGE_END.match(view.text, t.end):
        f.append("drange")
    published = view.state.published
    if published is not None:
        diff = (dt.date.fromisoformat(t.text) - published).days
        f.append("dd:" + ("future" if diff > 0 else _bucket(-diff, (0, 1, 7, 31, 365))))
    return f


def canonical(end: End) -> str:
    """The name a mention will be reported under: the lexicon's official name when it knows the
    body, else the name without its legal form (kg.extract.assemble does the same)."""
    if end.type == DATE:
        return end.text
    lexicon = load_cues().lexicon
    entry = lexicon.by_id(end.key) if end.key else lexicon.lookup(end.text)
    if entry is not None and entry.type == end.type:
        return entry.name
    return split_legal_form(end.text)[0]


def pair_key(c: Candidate) -> tuple[str, str, str]:
    """What makes two candidates the same fact: the kind and the compared names of the ends."""
    head, tail = name_key(canonical(c.head)), name_key(canonical(c.tail))
    if c.kind in SYMMETRIC_RELATIONS:
        head, tail = sorted((head, tail))
    return (c.kind, head, tail)
