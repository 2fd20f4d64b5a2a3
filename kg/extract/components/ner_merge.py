"""Mentions from the statistical NER (trained on KLUE-NER), where the rules found nothing.

The model adds recall for names no lexicon or pattern knows. Rules decide where they
are sure: an NER span overlapping a rule mention is dropped, and NER spans must look
like names of their type. Each label has its rule in data/patterns/rules.jsonl; OG and LC
(`ner.organization`, `ner.place`) are switched off there, measured under the precision floor on
the sets the model never learned from, so only PS spans become mentions.
"""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc, Span

from kg.extract.cues import load_cues
from kg.extract.state import DocState, ensure_extensions, mention
from kg.extract.tokenizer import MecabTagger

LABELS = {"PS": "Person", "OG": "Organization", "LC": "Place"}
RULES = {"Person": "ner.person", "Organization": "ner.organization", "Place": "ner.place"}
FOREIGN_NAME = re.compile(r"[가-힣]{1,6}(?: [가-힣]{1,6}){1,2}")


@Language.factory("kg_ner_merge", assigns=["doc._.kg"], requires=["doc._.kg", "doc.ents"])
def make_ner_merge(nlp: Language, name: str) -> NerMerge:
    ensure_extensions()
    return NerMerge(getattr(nlp.tokenizer, "tagger", None))


class NerMerge:
    def __init__(self, tagger: MecabTagger | None = None) -> None:
        self.cues = load_cues()
        self.tagger = tagger  # MeCab, to read a word out of context

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
            if self._ambiguous(text) or not self._plausible(type_, text, ent):
                continue
            state.add_mention(mention(text, type_, s, e, RULES[type_]))
        return doc

    def _ambiguous(self, text: str) -> bool:
        """A lexicon surface that names its entry only with context (`MOU`): the lexicon component
        decides those, the model's span alone would resolve it to the body."""
        entry = self.cues.lexicon.lookup(text)
        return entry is not None and text in entry.ambiguous

    def _plausible(self, type_: str, text: str, ent: Span) -> bool:
        if not re.search(r"[가-힣A-Za-z]{2}", text) or text.count("(") != text.count(")"):
            return False
        if type_ == "Person":
            return self._person(text, ent)
        if type_ == "Organization":
            return len(text) >= 2 and text not in self.cues.org_stopwords and not text.isdigit()
        return len(text) >= 2

    def _person(self, text: str, ent: Span) -> bool:
        """A Korean name (surname first), or a foreign one written in two or three words; not a
        word the dictionary knows as a common noun in the sentence or alone (`조성`, `이하`), not a surname with a title
        or a modifier (`윤 총장`, `강 신임`, `송 당선인`)."""
        words = [
            [t.tag_ for t in ent if not t.is_space and t.idx < end and t.idx + len(t) > start]
            for start, end in _word_spans(ent)
        ]
        if self.tagger is not None and " " not in text:  # in context MeCab may read a word as
            words.append([tag for _, _, tag in self.tagger.morphemes(text)])  # a name: `(이하 …)`
        if any(w == ["NNG"] for w in words):
            return False
        if self.cues.is_person_name(text):
            return True
        if not FOREIGN_NAME.fullmatch(text):
            return False
        parts = text.split()
        if len(parts[0]) == 1 and parts[0] in self.cues.surname_set:
            return False
        return not any(self.cues.is_title_modifier(p) or self.cues.lexicon.title(p) for p in parts)


def _word_spans(ent: Span) -> list[tuple[int, int]]:
    """Character spans of the space-separated words of an entity."""
    return [(ent.start_char + m.start(), ent.start_char + m.end()) for m in re.finditer(r"\S+", ent.text)]
