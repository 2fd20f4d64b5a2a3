"""Mentions of known bodies, places and programs from the authority lexicon.

Names are found on characters (kg.vocab.lexicon.Lexicon.find), at word starts, longest first;
the same names are in the MeCab user dictionary so the tokens other components see
do not cut through them.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from kg.extract.cues import load_cues
from kg.extract.state import DocState, doc_text, ensure_extensions, mention

RULE = "lexicon.authority-name"


@Language.factory("kg_lexicon", assigns=["doc._.kg"], requires=["doc._.kg"])
def make_lexicon_ruler(nlp: Language, name: str) -> LexiconRuler:
    ensure_extensions()
    return LexiconRuler()


class LexiconRuler:
    def __init__(self) -> None:
        self.lexicon = load_cues().lexicon

    def __call__(self, doc: Doc) -> Doc:
        state: DocState = doc._.kg
        for start, end, entry in self.lexicon.find(doc_text(doc)):
            state.add_mention(
                mention(doc_text(doc)[start:end], entry.type, start, end, RULE, entry.subtype, entry.id)
            )
        return doc
