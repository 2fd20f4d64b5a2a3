"""Mentions from the statistical NER (trained on KLUE-NER), where the rules found nothing.

The model adds recall for names no lexicon or pattern knows. Rules decide where they
are sure: an NER span overlapping a rule mention is dropped, and NER spans must look
like names of their type.
"""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc

from kg.extract.cues import load_cues
from kg.extract.state import DocState, ensure_extensions, mention

LABELS = {"PS": "Person", "OG": "Organization", "LC": "Place"}
RULES = {"Person": "ner.person", "Organization": "ner.organization", "Place": "ner.place"}
FOREIGN_NAME = re.compile(r"[가-힣]{1,6}(?: [가-힣]{1,6}){1,2}")


@Language.factory("kg_ner_merge", assigns=["doc._.kg"], requires=["doc._.kg", "doc.ents"])
def make_ner_merge(nlp: Language, name: str) -> NerMerge:
    ensure_extensions()
    return NerMerge()


class NerMerge:
    def __init__(self) -> None:
        self.cues = load_cues()

    def __call__(self, doc: Doc) -> Doc:
        state: DocState = doc._.kg
        taken = [(m.start, m.end) for m in state.mentions if m.component != "ner"]
        for ent in doc.ents:
            type_ = LABELS.get(ent.label_)
            if type_ is None:
                continue
            text = ent.text.strip()
            s = ent.start_char + (len(ent.text) - len(ent.text.lstrip()))
            e = s + len(text)
            if any(s < te and ts < e for ts, te in taken):
                continue
            if not self._plausible(type_, text):
                continue
            state.add_mention(mention(text, type_, s, e, RULES[type_]))
        return doc

    def _plausible(self, type_: str, text: str) -> bool:
        if not re.search(r"[가-힣A-Za-z]{2}", text) or text.count("(") != text.count(")"):
            return False
        if type_ == "Person":
            return self.cues.is_person_name(text) or bool(FOREIGN_NAME.fullmatch(text))
        if type_ == "Organization":
            return len(text) >= 2 and text not in self.cues.org_stopwords and not text.isdigit()
        return len(text) >= 2
