"""The mentions every rule found, as spaCy spans: `doc.spans["mentions"]`.

Each span's label is the entity type and its `id_` the id of the rule that found it
(data/patterns/rules.jsonl), so a Doc from `nlp(text)` can be read with spaCy's own tools
(displaCy, `Span` attributes) without kg's state object.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Span

from kg.extract.state import DocState, ensure_extensions

SPANS_KEY = "mentions"


@Language.factory("kg_mention_spans", assigns=["doc.spans"], requires=["doc._.kg"])
def make_mention_spans(nlp: Language, name: str) -> MentionSpans:
    ensure_extensions()
    return MentionSpans()


class MentionSpans:
    def __call__(self, doc: Doc) -> Doc:
        state: DocState = doc._.kg
        spans: list[Span] = []
        for m in sorted(state.mentions, key=lambda m: (m.start, -m.end)):
            span = doc.char_span(m.start, m.end, label=m.type, alignment_mode="expand")
            if span is not None:
                span.id_ = m.rule
                spans.append(span)
        doc.spans[SPANS_KEY] = spans
        return doc
