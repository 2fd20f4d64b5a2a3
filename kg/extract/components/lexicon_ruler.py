"""Mentions of known bodies, places and programs from the authority lexicon.

A PhraseMatcher over token texts: every lexicon surface is also in the MeCab user
dictionary, so a surface tokenises the same way in the lexicon and in running text.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from kg.extract.cues import load_cues
from kg.extract.state import DocState, ensure_extensions
from kg.model import Mention

COMPONENT = "lexicon"


@Language.factory("kg_lexicon", default_config={"confidence": 0.95})
def make_lexicon_ruler(nlp: Language, name: str, confidence: float) -> LexiconRuler:
    ensure_extensions()
    return LexiconRuler(nlp, confidence)


class LexiconRuler:
    def __init__(self, nlp: Language, confidence: float) -> None:
        self.lexicon = load_cues().lexicon
        self.confidence = confidence
        self.matcher = PhraseMatcher(nlp.vocab, attr="ORTH")
        by_id: dict[str, list[Doc]] = {}
        for pattern in self.lexicon.patterns():
            by_id.setdefault(pattern["id"], []).append(nlp.make_doc(pattern["pattern"]))
        for entry_id, docs in by_id.items():
            self.matcher.add(entry_id, docs)

    def __call__(self, doc: Doc) -> Doc:
        state: DocState = doc._.kg
        text = doc.text
        for match_id, start, end in self.matcher(doc):
            span = doc[start:end]
            s, e = span.start_char, span.end_char
            # A match must start a word or follow a bracket/quote: "서울" inside
            # "문래서울정밀" is not the city.
            if s > 0 and text[s - 1].isalnum():
                continue
            entry = self.lexicon.by_id(doc.vocab.strings[match_id])
            if entry is None:
                continue
            state.add_mention(
                Mention(
                    text=span.text,
                    type=entry.type,
                    start=s,
                    end=e,
                    component=COMPONENT,
                    confidence=self.confidence,
                    subtype=entry.subtype,
                    key=entry.id,
                )
            )
        return doc
