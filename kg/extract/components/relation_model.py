"""Facts the rules missed, from the relation model (kg.extract.relation_model), after every rule has run.

For each relation kind the model keeps (those where it beat the rules on the dev sets), every
candidate pair of a sentence (kg.extract.relation_candidates) that no enabled rule read is
scored; a pair at or above the kind's threshold becomes a fact with the rule id
`model.relations.<kind>` and its calibrated probability as confidence. One fact per pair of
names: the most probable reading is kept. Rule facts are left as they are.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from kg.extract.relation_candidates import DATE, Candidate, candidates, pair_key
from kg.extract.relation_model import MODEL_FILE, RelationModel, load_model, rule_id
from kg.extract.state import DocState, ensure_extensions, evidence
from kg.model import RELATION_KINDS, Relation

log = logging.getLogger(__name__)


@Language.factory(
    "kg_relation_model",
    assigns=["doc._.kg"],
    requires=["doc._.kg"],  # and token tags, which the MeCab tokenizer sets
    default_config={"model": ""},
)
def make_relation_model(nlp: Language, name: str, model: str) -> RelationFacts:
    ensure_extensions()
    path = Path(model) if model else MODEL_FILE
    if not path.is_file():
        log.warning("relation model not found at %s; extracting relations with rules only", path)
        return RelationFacts(None)
    return RelationFacts(load_model(path))


class RelationFacts:
    def __init__(self, model: RelationModel | None) -> None:
        self.model = model

    def __call__(self, doc: Doc) -> Doc:
        if self.model is None or not self.model.kinds:
            return doc
        state: DocState = doc._.kg
        for relation in self.facts(doc):
            state.relations.append(relation)
        return doc

    def scored(self, doc: Doc, cands: list[Candidate] | None = None) -> list[tuple[Candidate, float]]:
        """Every candidate no enabled rule read, with its probability (kinds the model keeps)."""
        assert self.model is not None
        out = []
        for c in candidates(doc, self.model.kinds, unread_only=True) if cands is None else cands:
            if c.kind not in self.model.kinds or c.rules or (c.kind == "holdsPosition" and not c.role):
                continue
            out.append((c, self.model.kinds[c.kind].probability(c.features)))
        return out

    def facts(
        self, doc: Doc, floor: float | None = None, cands: list[Candidate] | None = None
    ) -> list[Relation]:
        """The model's facts for this document, one per pair of names, most probable first;
        `floor` replaces each kind's threshold (training reads every fact above a low floor)."""
        assert self.model is not None
        best: dict[tuple[str, str, str], tuple[float, Candidate]] = {}
        for c, p in self.scored(doc, cands):
            if p < (self.model.kinds[c.kind].threshold if floor is None else floor):
                continue
            key = pair_key(c)
            if key not in best or p > best[key][0]:
                best[key] = (p, c)
        out = []
        for p, c in sorted(best.values(), key=lambda x: (-x[0], x[1].head.start, x[1].tail.start)):
            rule = rule_id(c.kind)
            if c.tail.type == DATE and c.tail.subtype == "before":
                span = (c.head.start, c.head.end)  # the date came earlier: cite the head's sentence
            else:
                span = (min(c.head.start, c.tail.start), max(c.head.end, c.tail.end))
            ev = replace(evidence(doc, span[0], span[1], rule), confidence=round(p, 3))
            kind = next(k for k in RELATION_KINDS if k == c.kind)
            out.append(Relation(c.head.text, kind, c.tail.text, ev, role=c.role))
        return out
