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

from kg.extract.cues import Cues, load_cues
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
_CONTENT_TAG = re.compile(r"^(?:J|E|V|XS|NNG|NNB|MAG|SC|SSO|SSC)")
_RELATIVE_DATE = re.compile(r"지난|오는|이달|이번|다음|내달")
_RANGE_END = re.compile(r"\s*(?:\([^)]{1,4}\))?\s*(?:까지|~|∼)")


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
    """What every pair of a document reads: morphemes, words, mentions, rule facts."""

    def __init__(self, doc: Doc, state: DocState) -> None:
        self.doc = doc
        self.state = state
        self.text = doc_text(doc)
        tags = tag_at(doc)
        self.tags = tags
        self.tok_starts = sorted(tags)
        self.date_starts = [s for s, _, _ in state.dates]
        self.sentence_starts = [s for s, _ in state.sentences]
        self.cues: Cues = load_cues()
        self.patterns = _cue_patterns()
        book = rulebook()
        # rule facts, by kind and pair of name keys (partnerOf without order)
        self.facts: dict[tuple[str, str, str], set[str]] = {}
        self.fact_sentences: dict[tuple[str, str, str], set[int]] = {}
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
            tails = (
                frozenset({rel.tail}) if rel.relation in DATE_TAIL_RELATIONS else _names(rel.tail, None)
            )
            for h in heads:
                self.heads_with.setdefault(rel.relation, set()).add(h)
                for t in tails:
                    self.tails_with.setdefault(rel.relation, set()).add(t)
                    k = (rel.relation, *sorted((h, t))) if rel.relation in SYMMETRIC_RELATIONS else (rel.relation, h, t)
                    self.facts.setdefault(k, set()).add(rule)
                    self.fact_sentences.setdefault(k, set()).add(rel.evidence.start)

    def morphemes(self, start: int, end: int) -> list[tuple[str, str]]:
        """(surface, tag) of the morphemes starting in [start, end)."""
        i = bisect.bisect_left(self.tok_starts, start)
        out = []
        while i < len(self.tok_starts) and self.tok_starts[i] < end:
            s = self.tok_starts[i]
            e, tag = self.tags[s]
            if tag not in ("_SP",):
                out.append((self.text[s:e], tag))
            i += 1
        return out

    def morpheme_before(self, pos: int) -> str:
        i = bisect.bisect_left(self.tok_starts, pos) - 1
        while i >= 0:
            s = self.tok_starts[i]
            e, tag = self.tags[s]
            if tag != "_SP" and self.text[s:e].strip():
                return f"{self.text[s:e]}/{tag}"
            i -= 1
        return "^"

    def morpheme_at(self, pos: int) -> str:
        i = bisect.bisect_left(self.tok_starts, pos)
        while i < len(self.tok_starts):
            s = self.tok_starts[i]
            e, tag = self.tags[s]
            if tag != "_SP" and self.text[s:e].strip():
                return f"{self.text[s:e]}/{tag}"
            i += 1
        return "$"

    def rule_facts(self, kind: str, head: End, tail: End) -> tuple[set[str], bool]:
        """The rules that read (head, kind, tail), and whether one read it in this sentence."""
        rules: set[str] = set()
        here = False
        tails = frozenset({tail.text}) if tail.type == DATE else tail.names
        for h in head.names:
            for t in tails:
                k = (kind, *sorted((h, t))) if kind in SYMMETRIC_RELATIONS else (kind, h, t)
                found = self.facts.get(k)
                if found:
                    rules |= found
                    here = here or any(
                        self.state.sentence_at(s) == self.state.sentence_at(head.start)
                        for s in self.fact_sentences[k]
                    )
        return rules, here


class _SentenceView:
    def __init__(self, view: _DocView, span: tuple[int, int]) -> None:
        self.view = view
        self.span = span
        s, e = span
        self.words: list[Word] = split_words(view.doc, s, e, view.tags)
        self.word_starts = [w.start for w in self.words]
        text = view.text[s:e]
        self.cues = {name for name, pat in view.patterns.items() if pat.search(text)}

    def word_of(self, pos: int) -> Word | None:
        i = bisect.bisect_right(self.word_starts, pos) - 1
        if i < 0:
            return None
        w = self.words[i]
        return w if pos < w.end else None

    def word_index(self, pos: int) -> int:
        return max(bisect.bisect_right(self.word_starts, pos) - 1, 0)

    def bracket_owner(self, end: End) -> Word | None:
        """The word whose bracket holds `end` (`중소벤처기업부(장관 한성숙)` for 한성숙)."""
        w = self.word_of(end.start)
        if w is None:
            return None
        for b_s, b_e in w.brackets:
            if b_s <= end.start and end.end <= b_e:
                return w
        # a bracket with spaces spans several words: look back for an open bracket
        depth = 0
        text = self.view.text
        for i in range(end.start - 1, self.span[0] - 1, -1):
            ch = text[i]
            if ch in ")）]":
                depth += 1
            elif ch in "(（[":
                if depth == 0:
                    return self.word_of(i)
                depth -= 1
        return None


def mention_ends(state: DocState, start: int, end: int, types: tuple[str, ...]) -> list[End]:
    """The mentions of [start, end) as pair ends, one per span and type (the rules that found it merged)."""
    by_span: dict[tuple[int, int, str], list[Mention]] = {}
    for m in state.mentions:
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


def date_ends(view: _DocView, start: int, end: int) -> list[End]:
    """The dates written in [start, end), and the date last written before it: a sentence without
    its own date (`이날 행사에는 …`) most often tells of the day named just before."""
    dates = view.state.dates
    out = [End(d.isoformat(), DATE, s, e, surface=view.text[s:e]) for s, e, d in dates if start <= s and e <= end]
    i = bisect.bisect_left(view.date_starts, start) - 1
    if i >= 0:
        s, e, d = dates[i]
        if all(x.text != d.isoformat() for x in out):
            out.append(End(d.isoformat(), DATE, s, e, subtype="before", surface=view.text[s:e]))
    return out


def candidates(doc: Doc, kinds: Iterable[str] = KINDS) -> list[Candidate]:
    """Every candidate pair of the document for `kinds`, with its features."""
    state: DocState = doc._.kg
    kinds = [k for k in KINDS if k in set(kinds)]
    if not kinds:
        return []
    view = _DocView(doc, state)
    out: list[Candidate] = []
    wanted = {t for k in kinds for t in (*PAIR_TYPES[k][0], *PAIR_TYPES[k][1])} - {DATE}
    for span in state.sentences:
        ends = mention_ends(state, span[0], span[1], tuple(wanted))
        if len(ends) < 1:
            continue
        dates = date_ends(view, *span) if any(k in DATE_TAIL_RELATIONS for k in kinds) else []
        sent = _SentenceView(view, span)
        starts = [e.start for e in ends]
        for kind in kinds:
            head_types, tail_types = PAIR_TYPES[kind]
            tails = dates if tail_types == (DATE,) else [e for e in ends if e.type in tail_types]
            for h in ends:
                if h.type not in head_types:
                    continue
                for t in tails:
                    if t is h or (t.start == h.start and t.end == h.end):
                        continue
                    if kind in SYMMETRIC_RELATIONS and (t.start, t.end) <= (h.start, h.end):
                        continue  # each unordered pair once
                    gap = max(t.start - h.end, h.start - t.end, 0)
                    if gap > MAX_GAP and t.subtype != "before":
                        continue
                    if t.type != DATE and h.names & t.names:
                        continue  # one body named twice, or a name inside itself
                    out.append(_candidate(view, sent, starts, kind, h, t))
    return out


def _candidate(view: _DocView, sent: _SentenceView, starts: list[int], kind: str, h: End, t: End) -> Candidate:
    if t.subtype == "before":
        return _inherited_date_candidate(view, sent, kind, h, t)
    f: list[str] = []
    text = view.text
    first, second = (h, t) if h.start <= t.start else (t, h)
    nested = second.start < first.end
    f.append("o:nest" if nested else ("o:ht" if first is h else "o:th"))
    gap_s, gap_e = first.end, max(second.start, first.end)
    gap = text[gap_s:gap_e]
    f.append("d:" + _bucket(gap_e - gap_s, (0, 1, 3, 10, 30, 80)))
    f.append("w:" + _bucket(gap.count(" "), (0, 1, 2, 4, 8)))
    inside = bisect.bisect_left(starts, gap_s), bisect.bisect_left(starts, gap_e)
    f.append("m:" + _bucket(max(inside[1] - inside[0], 0), (0, 1, 2, 4)))
    if "\n" in gap:
        f.append("nl")
    # morphemes of the gap: both of its edges
    morphs = view.morphemes(gap_s, gap_e)
    if morphs:
        edge = morphs[:GAP_MORPHEMES] + morphs[GAP_MORPHEMES:][-GAP_MORPHEMES:]
        for surface, tag in edge:
            f.append(f"bt:{tag}")
            if _CONTENT_TAG.match(tag):
                f.append(f"bm:{surface}/{tag}")
        f.append(f"b1:{morphs[0][0]}/{morphs[0][1]}")
        f.append(f"bL:{morphs[-1][0]}/{morphs[-1][1]}")
    else:
        f.append("b:none")
    # the ends' neighbourhoods
    for tag, end in (("h", h), ("t", t)):
        f.append(f"{tag}v:{view.morpheme_before(end.start)}")
        f.append(f"{tag}n:{view.morpheme_at(end.end)}")
        if end.type == DATE:
            continue
        w = sent.word_of(end.start)
        if w is not None and w.core_end <= end.end + 1:
            f.append(f"{tag}p:{w.particle[:4]}")
            f.append(f"{tag}r:{particle_role(w.particle)}")
        else:
            f.append(f"{tag}r:inword")
        owner = sent.bracket_owner(end)
        if owner is not None:
            f.append(f"{tag}b")
            other = t if tag == "h" else h
            if owner.core_start <= other.start < owner.core_end + 1:
                f.append(f"{tag}b:other")  # `중기부(장관 한성숙)`: the other end owns the bracket
        f.append(f"{tag}s:{end.subtype}")
        f.append(f"{tag}y:{end.type}")
        if end.key:
            f.append(f"{tag}k")
        for rule in end.found_by:
            f.append(f"{tag}m:{rule}")
        f.append(f"{tag}c:{_bucket(round(end.confidence * 10), (5, 6, 7, 8, 9))}")
    f.append(f"st:{h.subtype}|{t.subtype if t.type != DATE else 'date'}")
    # cue words between, after and anywhere in the sentence
    after = text[second.end : sent.span[1]]
    for name, pat in view.patterns.items():
        if name in sent.cues:
            f.append(f"cs:{name}")
            if gap and pat.search(gap):
                f.append(f"cb:{name}")
            if pat.search(after[:40]):
                f.append(f"ca:{name}")
    # the rules
    rules, here = view.rule_facts(kind, h, t)
    for rule in sorted(rules):
        f.append(f"r:{rule}")
    if rules:
        f.append("r:any" + (":here" if here else ""))
    for other in KINDS:
        if other != kind and other in PAIR_TYPES and t.type != DATE:
            if view.rule_facts(other, h, t)[0]:
                f.append(f"rk:{other}")
    if h.names & view.heads_with.get(kind, set()) and not rules:
        f.append("hf")  # the head already has a fact of this kind (another tail)
    tail_keys = frozenset({t.text}) if t.type == DATE else t.names
    if tail_keys & view.tails_with.get(kind, set()) and not rules:
        f.append("tf")
    # the sentence
    f.append("si:" + _bucket(bisect.bisect_left(view.sentence_starts, sent.span[0]), (0, 1, 3)))
    f.append("sl:" + _bucket(sent.span[1] - sent.span[0], (40, 100, 200, 400)))
    role = None
    if kind == "holdsPosition":
        role, where = _title_near(sent, h, t)
        f.append(f"ti:{where}")
    if t.type == DATE:
        f += _date_features(view, sent, h, t)
    enabled = tuple(sorted(r for r in rules if r in view.enabled))
    return Candidate(kind, h, t, sent.span, f, enabled, role)


def _inherited_date_candidate(view: _DocView, sent: _SentenceView, kind: str, h: End, t: End) -> Candidate:
    """A head and the date written before its sentence: what the sentence says, not the gap, tells."""
    f = ["dinh"]
    back = bisect.bisect_right(view.sentence_starts, sent.span[0]) - bisect.bisect_right(
        view.sentence_starts, t.start
    )
    f.append("ds:" + _bucket(back, (1, 2, 4, 8)))
    f.append(f"hv:{view.morpheme_before(h.start)}")
    f.append(f"hn:{view.morpheme_at(h.end)}")
    w = sent.word_of(h.start)
    if w is not None and w.core_end <= h.end + 1:
        f.append(f"hp:{w.particle[:4]}")
        f.append(f"hr:{particle_role(w.particle)}")
    else:
        f.append("hr:inword")
    if sent.bracket_owner(h) is not None:
        f.append("hb")
    f.append(f"hs:{h.subtype}")
    f.append(f"hy:{h.type}")
    if h.key:
        f.append("hk")
    for rule in h.found_by:
        f.append(f"hm:{rule}")
    f.append(f"hc:{_bucket(round(h.confidence * 10), (5, 6, 7, 8, 9))}")
    after = view.text[h.end : sent.span[1]]
    for name, pat in view.patterns.items():
        if name in sent.cues:
            f.append(f"cs:{name}")
            if pat.search(after[:40]):
                f.append(f"ca:{name}")
    lead = view.text[sent.span[0] : sent.span[0] + 12]
    if re.search(r"이날|당일|같은\s*날|이어", lead):
        f.append("same-day")
    rules, here = view.rule_facts(kind, h, t)
    for rule in sorted(rules):
        f.append(f"r:{rule}")
    if rules:
        f.append("r:any" + (":here" if here else ""))
    if h.names & view.heads_with.get(kind, set()) and not rules:
        f.append("hf")
    f.append("si:" + _bucket(bisect.bisect_left(view.sentence_starts, sent.span[0]), (0, 1, 3)))
    f.append("sl:" + _bucket(sent.span[1] - sent.span[0], (40, 100, 200, 400)))
    f += _date_features(view, sent, h, t)
    enabled = tuple(sorted(r for r in rules if r in view.enabled))
    return Candidate(kind, h, t, sent.span, f, enabled)


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


def _date_features(view: _DocView, sent: _SentenceView, h: End, t: End) -> list[str]:
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
