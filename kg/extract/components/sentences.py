"""Sentence boundaries for press-release text, where lines wrap mid-sentence.

A line break ends a sentence when the line ends like a sentence (…다, …다., ?, !), when
it is short (a heading, a field line), or when the next line starts with a bullet. A
wrapped line (long, no sentence ending) continues on the next line, even across one
blank line, as scraped pages often wrap that way.
"""

from __future__ import annotations

import re

import numpy
from spacy.language import Language
from spacy.tokens import Doc

from kg.extract.state import DocState, doc_text, ensure_extensions

_END_INLINE = re.compile(r"(?<=[다요죠음함됨임까])[.?!]['\"”’」』)]*(?=\s)|[?!。](?=\s)")
_LINE_END = re.compile(r"(?:[.?!。:]|[다요]|[다요][.?!]?['\"”’」』]|\))\s*$")
_BULLET = re.compile(r"^\s*(?:[□○▪■•◦●◆◇※\-–*#<>ㅇ]|[①-⑳]|\d+[.)]\s|[가-하][.)]\s|\[|【)")
WRAP_MIN = 25
# a line that stops on a particle or a comma has not finished its sentence: `이병권 제2차관은`
_OPEN_END = re.compile(r"[가-힣](?:은|는|이|가|을|를|와|과|의|에|에서|으로|로|및|,)\s*$")
MAX_SENTENCE = 600


def sentence_spans(text: str) -> list[tuple[int, int]]:
    lines: list[tuple[int, int]] = []
    pos = 0
    for line in text.split("\n"):
        lines.append((pos, pos + len(line)))
        pos += len(line) + 1

    # 1) decide which line breaks continue the sentence
    blocks: list[tuple[int, int]] = []
    cur: tuple[int, int] | None = None
    i = 0
    while i < len(lines):
        s, e = lines[i]
        content = text[s:e]
        if not content.strip():
            i += 1
            continue
        cur = (cur[0], e) if cur else (s, e)
        nxt = i + 1
        blanks = 0
        while nxt < len(lines) and not text[lines[nxt][0] : lines[nxt][1]].strip():
            nxt += 1
            blanks += 1
        next_line = text[lines[nxt][0] : lines[nxt][1]] if nxt < len(lines) else ""
        wraps = (
            next_line
            and blanks <= 1
            and (len(content.strip()) >= WRAP_MIN or _OPEN_END.search(content))
            and not _LINE_END.search(content)
            and not _BULLET.match(next_line)
            and not _BULLET.match(content)
            and cur[1] - cur[0] < MAX_SENTENCE
        )
        if not wraps:
            blocks.append(cur)
            cur = None
        i = nxt
    if cur:
        blocks.append(cur)

    # 2) split blocks at sentence endings inside lines
    spans: list[tuple[int, int]] = []
    for s, e in blocks:
        start = s
        for m in _END_INLINE.finditer(text, s, e):
            if m.end() - start > 1:
                spans.append((start, m.end()))
            start = m.end()
            while start < e and text[start].isspace():
                start += 1
        if e > start:
            spans.append((start, e))
    return spans


@Language.factory("kg_sentences", assigns=["doc._.kg", "token.is_sent_start"])
def make_sentences(nlp: Language, name: str) -> KgSentences:
    ensure_extensions()
    return KgSentences()


class KgSentences:
    def __call__(self, doc: Doc) -> Doc:
        if doc._.kg is None:  # `nlp(text)` without a post: no publication date, no publisher
            doc._.kg = DocState()
        state: DocState = doc._.kg
        spans = sentence_spans(doc_text(doc))
        state.sentences = spans
        # one array write: setting Token.is_sent_start token by token re-checks the whole doc
        if len(doc):
            idx = doc.to_array("IDX")
            first = numpy.isin(idx, numpy.fromiter((s for s, _ in spans), dtype=idx.dtype))
            first[0] = True
            flags = numpy.where(first, 1, -1).astype("int64").astype("uint64").reshape(-1, 1)
            doc.from_array(["SENT_START"], flags)  # type: ignore[arg-type]
        return doc
