"""Mentions of known bodies, places and programs from the authority lexicon.

Names are found on characters (kg.vocab.lexicon.Lexicon.find), at word starts, longest first;
the same names are in the MeCab user dictionary so the tokens other components see
do not cut through them.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from kg.extract.cues import load_cues
from kg.extract.state import DocState, doc_text, ensure_extensions
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

    def __call__(self, doc: Doc) -> Doc:
        state: DocState = doc._.kg
        for start, end, entry in self.lexicon.find(doc_text(doc)):
            state.add_mention(
                Mention(
                    text=doc_text(doc)[start:end],
                    type=entry.type,
                    start=start,
                    end=end,
                    component=COMPONENT,
                    confidence=self.confidence,
                    subtype=entry.subtype,
                    key=entry.id,
                )
            )
        return doc
