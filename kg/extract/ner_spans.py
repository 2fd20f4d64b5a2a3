"""NER training and evaluation data from the annotated real texts (`kg.extract.corpora`).

The gold format names entities per document (a name, its aliases and variants); it gives no
offsets. A document becomes NER data in three steps:

1. **Spans.** Every occurrence of every name, alias and variant in the text is found (spaces
   inside a name may be written or left out, `소공인 성장촉진단` = `소공인성장촉진단`), and the
   occurrences are taken longest first without overlaps, so `근로복지공단 익산지사` is one span and
   not `근로복지공단` plus `익산지사`. A Latin name must not run on into more Latin letters (`LH`
   in `LHS`), and a name must start a word: an occurrence glued to the word before it
   (`한국` in `대한민국`) is *unsure*.
2. **Labels.** Person → PS, Organization → OG, Place → LC; Program → PG and Event → EV only when
   asked for (`labels`), otherwise their occurrences are *unsure*. An occurrence of an entity the
   annotators marked `optional` (generic plurals, disputed bodies) is unsure, and so is a surface
   that two entities of different labels share. Places are optional in the guideline, so the
   places that *are* annotated are kept as LC (the annotator named them), but an unannotated place
   is no evidence of O.
3. **What the annotation does not cover is unsure, not O.** The guideline annotates every person
   and organisation, so elsewhere a token is O for PS and OG; it does not annotate places
   exhaustively, nor dates, times and quantities (KLUE's DT, TI, QT). These stretches are marked
   unsure: dates and quantities (`kg.text.dates`, `kg.text.numbers`), any token with a digit,
   places the authority lexicon knows, tokens MeCab classes as place names (`NNP-지명`), and the
   words KLUE's own annotators labelled DT, TI, QT or LC in the KLUE training part (passed in as
   `unsure_words`, so no held-out sentence is read).

Unsure stretches become *missing* tokens in training (neither an entity nor O) and, in evaluation,
a prediction touching one is neither right nor wrong. Documents are cut into sentences
(line breaks; `.`, `?`, `!` after a letter or a closing quote) for training.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from kg.text.dates import find_dates, parse_date
from kg.text.numbers import find_quantities

GOLD_LABELS = {"Person": "PS", "Organization": "OG", "Place": "LC", "Program": "PG", "Event": "EV"}
BASE_LABELS = ("PS", "OG", "LC")
UNANNOTATED_KLUE_LABELS = ("DT", "TI", "QT", "LC")
_SENTENCE_END = re.compile(r"(?<=[가-힣A-Za-z”’\"')\]][.?!])\s+|\n+")
_WORD_CHAR = re.compile(r"\w")
_LATIN = re.compile(r"[A-Za-z0-9]")
_ANY_DAY = dt.date(2020, 6, 15)


@dataclass
class Sentence:
    """A text with gold entity spans (start, end, label) and unsure stretches (start, end)."""

    id: str
    text: str
    entities: list[tuple[int, int, str]] = field(default_factory=list)
    unsure: list[tuple[int, int]] = field(default_factory=list)


@dataclass(frozen=True)
class _Surface:
    text: str
    label: str | None  # None: an entity whose label is not learned (its occurrences are unsure)
    certain: bool


def _surfaces(record: dict[str, Any], labels: Sequence[str]) -> list[_Surface]:
    out: list[_Surface] = []
    for ent in record.get("entities") or []:
        label = GOLD_LABELS.get(ent.get("type", ""))
        if label not in labels:
            label = None
        certain = (label is not None and not ent.get("optional")) or label == "LC"
        names = [ent.get("name"), *(ent.get("aliases") or []), *(ent.get("variants") or [])]
        for name in names:
            name = (name or "").strip()
            if len(name.replace(" ", "")) >= 2:
                out.append(_Surface(name, label, certain))
    return out


def _pattern(surface: str) -> re.Pattern[str]:
    """The surface with any spacing between its characters (`소공인 성장촉진단`)."""
    chars = [re.escape(c) for c in surface if not c.isspace()]
    return re.compile(" ?".join(chars))


def occurrences(text: str, surfaces: Iterable[_Surface]) -> list[tuple[int, int, _Surface]]:
    """Occurrences of the surfaces, longest first, no overlaps; a Latin name ends at a word edge."""
    found: dict[tuple[int, int], list[_Surface]] = {}
    for surface in surfaces:
        for m in _pattern(surface.text).finditer(text):
            s, e = m.span()
            if _LATIN.match(text[s]) and s > 0 and _LATIN.match(text[s - 1]):
                continue
            if _LATIN.match(text[e - 1]) and e < len(text) and _LATIN.match(text[e]):
                continue
            found.setdefault((s, e), []).append(surface)
    taken: list[tuple[int, int, _Surface]] = []
    for (s, e), cands in sorted(found.items(), key=lambda kv: (-(kv[0][1] - kv[0][0]), kv[0][0])):
        if any(s < te and ts < e for ts, te, _ in taken):
            continue
        labels = {c.label for c in cands}
        glued = s > 0 and bool(_WORD_CHAR.match(text[s - 1]))
        if len(labels) > 1 or glued:
            taken.append((s, e, _Surface(cands[0].text, None, False)))
        else:
            taken.append((s, e, _Surface(cands[0].text, cands[0].label, all(c.certain for c in cands))))
    return sorted(taken, key=lambda t: t[0])


def _word_occurrences(text: str, words: Iterable[str]) -> list[tuple[int, int]]:
    out = []
    for word in words:
        start = text.find(word)
        while start >= 0:
            out.append((start, start + len(word)))
            start = text.find(word, start + 1)
    return out


def unannotated(
    text: str,
    tokens: Sequence[tuple[int, int, str]],
    unsure_words: Iterable[str],
    place_names: Iterable[str],
    published: dt.date | None = None,
) -> list[tuple[int, int]]:
    """Stretches the gold format does not annotate: dates, times, quantities, places.

    `tokens` are (start, end, MeCab tag) of the text's morphemes; `published` resolves relative
    dates (any date will do: only where they are matters).
    """
    spans = [(s, e) for s, e, _ in find_dates(text, published or _ANY_DAY)]
    spans += [(s, e) for s, e, _, _ in find_quantities(text)]
    spans += [(s, e) for s, e, tag in tokens if tag == "NNP-지명" or any(c.isdigit() for c in text[s:e])]
    spans += _word_occurrences(text, unsure_words)
    spans += _word_occurrences(text, place_names)
    return spans


def document_spans(
    record: dict[str, Any],
    tokens: Sequence[tuple[int, int, str]],
    labels: Sequence[str] = BASE_LABELS,
    unsure_words: Iterable[str] = (),
    place_names: Iterable[str] = (),
) -> Sentence:
    """One annotated document as gold spans and unsure stretches over its whole text."""
    text = record["text"]
    entities: list[tuple[int, int, str]] = []
    unsure: list[tuple[int, int]] = []
    for s, e, surface in occurrences(text, _surfaces(record, labels)):
        if surface.label is not None and surface.certain:
            entities.append((s, e, surface.label))
        else:
            unsure.append((s, e))
    published = parse_date(str(record.get("published") or ""))
    for s, e in unannotated(text, tokens, unsure_words, place_names, published):
        if not any(s < te and ts < e for ts, te, _ in entities):
            unsure.append((s, e))
    return Sentence(str(record["id"]), text, entities, _merge(unsure))


def _merge(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(e, out[-1][1]))
        else:
            out.append((s, e))
    return out


def sentences(doc: Sentence) -> list[Sentence]:
    """The document cut into sentences, spans moved to sentence offsets; an entity crossing a cut
    becomes unsure."""
    cuts = [0]
    for m in _SENTENCE_END.finditer(doc.text):
        cuts.extend([m.start(), m.end()])
    cuts.append(len(doc.text))
    out: list[Sentence] = []
    for n, (a, b) in enumerate(zip(cuts[::2], cuts[1::2], strict=True)):
        if not doc.text[a:b].strip():
            continue
        ents = [(s - a, e - a, lab) for s, e, lab in doc.entities if a <= s and e <= b]
        crossing = [(s, e) for s, e, _ in doc.entities if s < b and a < e and not (a <= s and e <= b)]
        unsure = [(max(s, a) - a, min(e, b) - a) for s, e in [*doc.unsure, *crossing] if s < b and a < e]
        out.append(Sentence(f"{doc.id}#{n}", doc.text[a:b], ents, _merge(unsure)))
    return out


def klue_unsure_words(klue_train: Iterable[Sentence]) -> set[str]:
    """Surfaces KLUE's annotators labelled DT, TI, QT or LC (two characters or more, no digits:
    numbers are unsure anyway)."""
    words = set()
    for s in klue_train:
        for a, b, label in s.entities:
            surface = s.text[a:b].strip()
            if (
                label in UNANNOTATED_KLUE_LABELS
                and len(surface) >= 2
                and not any(c.isdigit() for c in surface)
            ):
                words.add(surface)
    return words


def score_with_unsure(
    gold: Sequence[Sentence], pred: Sequence[Iterable[tuple[int, int, str]]], labels: Sequence[str]
) -> tuple[list[list[tuple[int, int, str]]], list[list[tuple[int, int, str]]]]:
    """(gold, predictions) to score: predictions of unscored labels, and wrong predictions that
    touch an unsure stretch, are left out (neither right nor wrong)."""
    golds, preds = [], []
    for g, p in zip(gold, pred, strict=True):
        want = set(g.entities)
        kept = []
        for s, e, label in p:
            if label not in labels:
                continue
            if (s, e, label) not in want and any(s < ue and us < e for us, ue in g.unsure):
                continue
            kept.append((s, e, label))
        golds.append([x for x in g.entities if x[2] in labels])
        preds.append(kept)
    return golds, preds
