"""Who does what in a sentence: the subjects and listed co-subjects, read from particles.

Korean marks the subject with 은/는/이/가 and joins co-subjects with 와/과/및/commas:
`국토교통부(장관 김윤덕), 기획재정부(장관 구윤철) … 국세청(청장 임광현)은` has five
subjects. A title carrying the particle (`이병권 제2차관은`) makes the person before it
the subject.
"""

from __future__ import annotations

from spacy.tokens import Doc

from kg.extract.state import DocState
from kg.extract.words import Word, particle_role, split_words
from kg.model import Mention

AGENT_TYPES = ("Organization", "Person")


def mention_of_word(state: DocState, word: Word, types: tuple[str, ...] = AGENT_TYPES) -> Mention | None:
    """The best mention whose span ends inside the word's core (longest, most confident)."""
    best: Mention | None = None
    for m in state.mentions:
        if m.type not in types or not (word.core_start <= m.start < word.core_end + 1):
            continue
        if m.end > word.core_end + 1:
            continue
        if best is None or (m.end - m.start, m.confidence) > (
            best.end - best.start,
            best.confidence,
        ):
            best = m
    return best


def subjects(doc: Doc, state: DocState, start: int, end: int, before: int | None = None) -> list[Mention]:
    """Subject mentions (organisations, people) of the clause(s) in [start, end)."""
    words = split_words(doc, start, end)
    out: list[Mention] = []
    pending: list[Mention] = []
    for k, w in enumerate(words):
        if before is not None and w.start >= before:
            break
        role = particle_role(w.particle)
        m = mention_of_word(state, w)
        if m is None and role == "subject" and k > 0:
            prev = mention_of_word(state, words[k - 1], ("Person",))
            if prev is not None and _is_title_word(state, w):
                m = prev
        if w.core in ("및", "그리고") and not w.particle:
            continue
        if m is None:
            if role != "none":
                pending = []
            continue
        next_is_and = k + 1 < len(words) and words[k + 1].core == "및"
        if role == "subject":
            out.extend(pending)
            out.append(m)
            pending = []
        elif role in ("conj", "list") or next_is_and:
            pending.append(m)
        elif role == "none" and m.type == "Person":
            continue
        else:
            pending = []
    seen: set[tuple[int, int]] = set()
    uniq = []
    for m in out:
        if (m.start, m.end) not in seen:
            seen.add((m.start, m.end))
            uniq.append(m)
    return uniq


def _is_title_word(state: DocState, word: Word) -> bool:
    from kg.extract.cues import load_cues

    lexicon = load_cues().lexicon
    core = word.core
    return any(core.endswith(t.title) for t in lexicon.titles) or core.endswith(("직무대행", "대행"))


def in_bracket(doc: Doc, start: int, end: int, sentence: tuple[int, int]) -> bool:
    """Is [start, end) inside brackets within its sentence?"""
    depth = 0
    for ch in doc.text[sentence[0] : start]:
        if ch in "(（[":
            depth += 1
        elif ch in ")）]" and depth:
            depth -= 1
    return depth > 0
