"""The genre rules as one pipeline component: bodies and people, sentence by sentence.

Each sentence is read as a sequence of words (kg/extract/words.py); the passes are in
kg/extract/components/people.py and bodies.py, their word readings in kg/extract/reading.py.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from kg.extract.components.bodies import BodyRules
from kg.extract.components.people import PeopleRules
from kg.extract.state import DocState, ensure_extensions
from kg.extract.words import split_words, tag_at


@Language.factory(
    "kg_genre",
    assigns=["doc._.kg"],
    requires=["doc._.kg"],  # and token tags, which the MeCab tokenizer sets
)
def make_genre(nlp: Language, name: str) -> GenreRules:
    ensure_extensions()
    return GenreRules()


class GenreRules(PeopleRules, BodyRules):
    def __call__(self, doc: Doc) -> Doc:
        state: DocState = doc._.kg
        tags = tag_at(doc)
        for s, e in state.sentences:
            words = split_words(doc, s, e, tags)
            self.field_line(doc, state, s, e, tags)
            self.legal_forms(doc, state, words)
            self.court_divisions(doc, state, words)
            self.appositions(doc, state, words)
            self.person_titles(doc, state, words)
            self.short_references(doc, state, words)
            self.honorific_names(doc, state, words)
            self.dictionary_names(doc, state, words)
            self.title_before_name(doc, state, words)
            self.bullet_titles(doc, state, words)
            self.regions_as_places(doc, state, words)
            self.units(doc, state, words)
            self.branches(doc, state, words)
            self.genitive_units(doc, state, words)
            self.known_parents(doc, state, words)
            self.subordinate_cues(doc, state, words)
            self.listed_kinds(doc, state, words)
            self.foreign_missions(doc, state, words)
            self.age_affiliations(doc, state, words)
            self.suffix_orgs(doc, state, words)
            self.body_references(doc, state, words)
            self.listed_units(doc, state, words)
            self.head_office_units(doc, state, words)
            self.bracketed_units(doc, state, words)
            self.formed_units(doc, state, words)
            self.affiliates(doc, state, words)
            self.superior_bodies(doc, state, words)
        self.contact_lines(doc, state)
        return doc
