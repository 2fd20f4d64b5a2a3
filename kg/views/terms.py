"""Names of the ontology's terms for people: the Korean (or English) rdfs:label of kg.ttl."""

from __future__ import annotations

from kg.views.network import ontology_labels
from kg.vocab.ontology import curie, iri


def term_label(term: str | None, lang: str = "ko") -> str:
    """The label of a CURIE (`org:headOf`) or IRI in `lang`, else in English, else the CURIE."""
    if not term:
        return ""
    full = term if "://" in term else iri(term)
    labels = ontology_labels().get(full, {})
    return labels.get(lang) or labels.get("en") or curie(full)
