"""Who does what in a sentence: the subjects and listed co-subjects, read from particles.

Korean marks the subject with 은/는/이/가 and joins co-subjects with 와/과/및/commas:
`국토교통부(장관 김윤덕), 기획재정부(장관 구윤철) … 국세청(청장 임광현)은` has five
subjects. A title carrying the particle (`이병권 제2차관은`) makes the person before it
the subject.
"""

from __future__ import annotations

from dataclasses import replace

from spacy.tokens import Doc

from kg.extract.state import DocState, doc_text
from kg.extract.words import Word, particle_role, split_words
from kg.model import Mention

AGENT_TYPES = ("Organization", "Person")


def mention_of_word(state: DocState, word: Word, types: tuple[str, ...] = AGENT_TYPES) -> Mention | None:
    """The best mention whose span ends inside the word's core (longest, most confident)."""
    best: Mention | None = None
    for m in state.mentions:
        if m.type not in types:
            continue
        # a name inside the core, or one that runs into it from the words before
        # (`충남대학교 창업지원단(단장 …)이`: the word's core is 창업지원단)
        if not (
            word.core_start <= m.start < word.core_end + 1
            or (m.start < word.core_start and m.end == word.core_end)
        ):
            continue
        if m.end > word.core_end + 1:
            continue
        if best is None or (m.end - m.start, m.confidence) > (
            best.end - best.start,
            best.confidence,
        ):
            best = m
    return best


def subject_groups(
    doc: Doc, state: DocState, start: int, end: int, before: int | None = None
) -> list[list[Mention]]:
    """Subject groups of the clauses in [start, end), in order of appearance.

    `과기정통부는 진흥원이 … 베이사이드와 협약을 체결했다고 밝혔다` has two groups: the
    reporting body [과기정통부] and the acting one [진흥원].
    """
    words = split_words(doc, start, end)
    groups: list[list[Mention]] = []
    pending: list[Mention] = []
    for k, w in enumerate(words):
        if before is not None and w.start >= before:
            break
        role = particle_role(w.particle)
        if role == "none" and w.core[-1:] in ("은", "는", "이", "가") and _is_title(w.core[:-1]):
            # `동북지방통계청장은`: MeCab kept the particle inside the noun
            role = "subject"
            w = replace(w, core=w.core[:-1], core_end=w.core_end - 1, particle=w.core[-1:])
        m = mention_of_word(state, w)
        if role == "subject" and k > 0 and _is_title_word(state, w):
            # `이병권 제2차관은`, `김광용 재난안전관리본부장은`: the person is the subject
            prev = mention_of_word(state, words[k - 1], ("Person",))
            if prev is None and k > 1:
                prev = mention_of_word(state, words[k - 2], ("Person",))
            if prev is not None:
                m = prev
        if _is_and(doc, w):
            continue
        if m is None:
            if role != "none":
                pending = []
            continue
        next_is_and = k + 1 < len(words) and _is_and(doc, words[k + 1])
        if role == "subject":
            group = _unique([*pending, m])
            groups.append(group)
            pending = []
        elif role in ("conj", "list") or next_is_and:
            pending.append(m)
        elif role == "none" and m.type == "Person":
            continue
        elif role == "none" and k + 1 < len(words) and words[k + 1].core in ("소속", "산하"):
            continue  # `A과 중기부 소속 B는`: the parent of B, not the end of the list
        else:
            pending = []
    return groups


def subjects(doc: Doc, state: DocState, start: int, end: int, before: int | None = None) -> list[Mention]:
    """All subject mentions (organisations, people) of the clause(s) in [start, end)."""
    return _unique([m for g in subject_groups(doc, state, start, end, before) for m in g])


def partners(doc: Doc, state: DocState, start: int, end: int) -> list[Mention]:
    """Organisations joined to the action with 와/과: `B와 업무협약을 체결`,
    with any listed before it: `LH, 중기부와 협약을 체결`."""
    out: list[Mention] = []
    chain: list[Mention] = []
    words = split_words(doc, start, end)
    for k, w in enumerate(words):
        m = mention_of_word(state, w, ("Organization",))
        role = particle_role(w.particle)
        before_and = role == "none" and k + 1 < len(words) and _is_and(doc, words[k + 1])
        if m is not None and (role == "conj-of" or (w.particle in ("와", "과") and w.end < end)):
            out += [*chain, m]
            chain = []
        elif m is not None and (role == "list" or before_and):
            chain.append(m)  # `A, B 및 C와`
        elif not _is_and(doc, w):
            chain = []
    return _unique(out)


def agreement_parties(doc: Doc, state: DocState, start: int, end: int) -> list[Mention]:
    """The bodies that sign in a sentence with an agreement cue: the acting subjects and
    their `와/과` partners. In `과기정통부는 진흥원이 … 와 협약을 체결했다고 밝혔다` the body
    that reports is not a party."""
    groups = [[m for m in g if m.type == "Organization"] for g in subject_groups(doc, state, start, end)]
    groups = [g for g in groups if g]
    parties = groups[-1] if groups else []
    parties = parties + [
        m for m in partners(doc, state, start, end) if all(m.text != p.text for p in parties)
    ]
    first: dict[str, Mention] = {}
    for p in parties:
        first.setdefault(p.text, p)
    return list(first.values())


def _is_and(doc: Doc, word: Word) -> bool:
    return doc_text(doc)[word.start : word.end] in ("및", "그리고", "및,")


def _unique(mentions: list[Mention]) -> list[Mention]:
    seen: set[tuple[int, int]] = set()
    out = []
    for m in mentions:
        if (m.start, m.end) not in seen:
            seen.add((m.start, m.end))
            out.append(m)
    return out


def _is_title_word(state: DocState, word: Word) -> bool:
    return _is_title(word.core)


def _is_title(core: str) -> bool:
    from kg.extract.cues import load_cues

    return core.endswith(load_cues().title_endings) or core.endswith(("직무대행", "대행"))


def in_bracket(doc: Doc, start: int, end: int, sentence: tuple[int, int]) -> bool:
    """Is [start, end) inside brackets within its sentence?"""
    depth = 0
    for ch in doc_text(doc)[sentence[0] : start]:
        if ch in "(（[":
            depth += 1
        elif ch in ")）]" and depth:
            depth -= 1
    return depth > 0
