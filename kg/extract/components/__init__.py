"""Registered spaCy pipeline components; importing this package registers them all."""

from kg.extract.components import (  # noqa: F401
    events,
    genre,
    lexicon_ruler,
    mention_spans,
    ner_merge,
    posts,
    programs,
    relation_model,
    sentences,
)
