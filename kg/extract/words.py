"""Eojeol-level view of a sentence: each word with its core noun, attached brackets and particle.

Korean writes `중소벤처기업부(장관 한성숙, 이하 중기부)는`: one word whose core is
`중소벤처기업부`, with a bracket `장관 한성숙, 이하 중기부` and the particle `는`. The genre
rules read sentences as sequences of such words. MeCab tags decide where the core ends,
so `통상차관보는` gives core `통상차관보` and particle `는`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from spacy.tokens import Doc

from kg.extract.state import doc_text

NOUNISH_PREFIXES = ("NN", "NR", "NP", "SL", "SN", "SH", "XSN", "XPN", "UNKNOWN")
_OPEN = "(（[〔【"
_LEAD_PUNCT = "‘'\"“「｢『《〈<`□■○●▪•◦※-–·#*△▲▽▼▷▶◁◀◇◆☆★→⇒ㆍ・"  # quotes, backticks, list bullets
_CLOSE = ")）]〕】"


@dataclass
class Word:
    start: int  # whole word, brackets and particle included
    end: int
    core_start: int  # the noun core (no particle, no brackets)
    core_end: int
    core: str
    particle: str  # what follows the core outside brackets: 은, 는, 와, 에서 ... or ""
    brackets: list[tuple[int, int]] = field(default_factory=list)  # inner spans
    lead_bracket: tuple[int, int] | None = None  # "(사)" before the core

    def bracket_text(self, doc_text: str, i: int = 0) -> str:
        s, e = self.brackets[i]
        return doc_text[s:e]

    @property
    def has_bracket(self) -> bool:
        return bool(self.brackets)


def tag_at(doc: Doc) -> dict[int, tuple[int, str]]:
    """char offset of each token start → (token end char, first POS component), once per doc."""
    cache = doc.user_data.get("kg_tags")
    if cache is None:
        cache = {t.idx: (t.idx + len(t.text), t.tag_.split("+")[0]) for t in doc}
        doc.user_data["kg_tags"] = cache
    return cache


def tags_in(doc: Doc, start: int, end: int) -> list[str]:
    """The POS tags (first component) of the tokens that start in [start, end)."""
    tags = tag_at(doc)
    return [tags[i][1] for i in range(start, end) if i in tags]


def split_words(doc: Doc, start: int, end: int, tags: dict[int, tuple[int, str]] | None = None) -> list[Word]:
    """The words of [start, end), memoised per doc (components ask for the same sentences)."""
    memo: dict[tuple[int, int], list[Word]] = doc.user_data.setdefault("kg_words", {})
    key = (start, end)
    if key not in memo:
        memo[key] = _split_words(doc, start, end, tags if tags is not None else tag_at(doc))
    return memo[key]


def _split_words(doc: Doc, start: int, end: int, tags: dict[int, tuple[int, str]]) -> list[Word]:
    text = doc_text(doc)
    words: list[Word] = []
    i = start
    while i < end:
        if text[i].isspace():
            i += 1
            continue
        w_start = i
        brackets: list[tuple[int, int]] = []
        outside: list[tuple[int, int]] = []  # outside-bracket char runs
        seg_start = i
        while i < end and not text[i].isspace():
            if i > w_start and _opens_glued_quote(text, start, i):
                break  # `대변인은"…`: a quote opened right after a word starts a new word
            aside = text[i] == "<" and i > w_start and "가" <= text[i - 1] <= "힣"
            if text[i] in _OPEN or aside:
                # `윤가람<사진>`: an angle bracket glued to a word is an aside, like a bracket
                opens, closes = ("<", ">") if aside else (_OPEN, _CLOSE)
                depth = 1
                j = i + 1
                while j < end and depth:
                    if text[j] in opens:
                        depth += 1
                    elif text[j] in closes:
                        depth -= 1
                    j += 1
                if depth:  # unbalanced: treat as ordinary character
                    i += 1
                    continue
                if i > seg_start:
                    outside.append((seg_start, i))
                brackets.append((i + 1, j - 1))
                i = j
                seg_start = i
                continue
            i += 1
        if i > seg_start:
            outside.append((seg_start, i))
        words.append(_make_word(text, w_start, i, outside, brackets, tags))
    return words


def _opens_glued_quote(text: str, start: int, i: int) -> bool:
    """Is text[i] a quote that opens right after a Hangul letter (`대변인은"…`, `밝혔다“…`)?
    A straight quote opens when an even number of them come before it in the sentence."""
    if not ("가" <= text[i - 1] <= "힣") or i + 1 >= len(text) or text[i + 1].isspace():
        return False
    if text[i] in "“‘":
        return True
    return text[i] == '"' and text.count('"', start, i) % 2 == 0


def _make_word(
    text: str,
    start: int,
    end: int,
    outside: list[tuple[int, int]],
    brackets: list[tuple[int, int]],
    tags: dict[int, tuple[int, str]],
) -> Word:
    lead: tuple[int, int] | None = None
    if brackets and brackets[0][0] - 1 == start and outside:
        # "(사)한국소공인협회": a leading bracket is a prefix, not an apposition
        lead = brackets[0]
        brackets = brackets[1:]
    if not outside:
        return Word(start, end, start, start, "", "", brackets, lead)
    core_start = outside[0][0]
    while core_start < outside[0][1] and text[core_start] in _LEAD_PUNCT:
        core_start += 1
    # The core ends after the last noun-ish token of the word: MeCab sometimes reads a
    # syllable of a coinage as a copula (소공인 → 소공 + 인), so nouns after a
    # non-noun token still belong to the core.
    core_end = core_start
    for seg_s, seg_e in outside:
        pos = seg_s
        while pos < seg_e:
            tok_end, tag = tags.get(pos, (pos + 1, "SY"))
            tok_end = min(tok_end, seg_e)
            if tag.startswith(NOUNISH_PREFIXES) or (tag in ("SC", "SY") and text[pos] in "·ㆍ&-."):
                core_end = tok_end
            pos = tok_end
    # A name written right before an appositive bracket is all core: 쏠리드파워(Solid Power)
    for _seg_s, seg_e in outside:
        if any(b_s - 1 == seg_e for b_s, _ in brackets):
            core_end = max(core_end, seg_e)
            break
    core = text[core_start:core_end].rstrip("·ㆍ&-.")
    core_end = core_start + len(core)
    particle = "".join(text[max(s, core_end) : e] for s, e in outside if e > core_end)
    return Word(start, end, core_start, core_end, core, particle, brackets, lead)


_ROLES: dict[str, str] = {
    **dict.fromkeys(
        ("은", "는", "이", "가", "께서", "도", "측은", "들은", "들이", "에서는", "과는", "와는"),
        "subject",
    ),
    **dict.fromkeys(("와", "과", "및", "하고", "랑", "이랑"), "conj"),
    **dict.fromkeys(("와의", "과의"), "conj-of"),
    **dict.fromkeys(("을", "를", "들을"), "object"),
    **dict.fromkeys(("의", "들의"), "genitive"),
    **dict.fromkeys(("에서", "에", "에서의"), "place"),
    **dict.fromkeys((",", "등", "등,", "·", "/"), "list"),
}


def particle_role(particle: str) -> str:
    """subject | conj | conj-of | object | genitive | place | list | other | none."""
    if not particle:
        return "none"
    return _ROLES.get(particle, _ROLES.get(particle.rstrip(","), "other"))
