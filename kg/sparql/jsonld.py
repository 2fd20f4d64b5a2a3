"""Compact JSON-LD for a set of triples, using the project's context (ontology/context.jsonld).

The context is data: prefixes (the same as kg.ttl's) and one short term per property the
graph uses, with its coercion (`@type: @id` for links, a datatype for dates and numbers,
`@language: ko` for Korean labels). A value that fits its term's coercion is written in
short form (`"startDate": "2025-12-01"`); any other value under the same property is
written as an explicit value object with the property's compact IRI, so the document
always expands to exactly the input triples.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

import pyoxigraph as ox

from kg.vocab.ontology import CONTEXT_FILE, base, data_iri, iri

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


@lru_cache(maxsize=1)
def _file_context() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(CONTEXT_FILE.read_text(encoding="utf-8"))
    ctx: dict[str, Any] = doc["@context"]
    return ctx


def context() -> dict[str, Any]:
    """The `@context` object of ontology/context.jsonld, its `kgr:` prefix under this process's
    base IRI (KG_BASE_IRI)."""
    return {**_file_context(), "kgr": data_iri("id/")}


@lru_cache(maxsize=4)
def _prefixes(base: str) -> list[tuple[str, str]]:
    """(prefix, namespace), longest namespace first, so the most specific prefix wins."""
    pairs = [(k, v) for k, v in context().items() if isinstance(v, str)]
    return sorted(pairs, key=lambda kv: -len(kv[1]))


@lru_cache(maxsize=1)
def _terms() -> dict[str, tuple[str, dict[str, Any]]]:
    """Property IRI → (term, its definition)."""
    out: dict[str, tuple[str, dict[str, Any]]] = {}
    for term, spec in _file_context().items():
        if isinstance(spec, dict) and "@id" in spec:
            out[iri(spec["@id"])] = (term, spec)
    return out


def compact_iri(value: str) -> str:
    return _compact(value, base())


@lru_cache(maxsize=4096)
def _compact(value: str, base: str) -> str:
    for prefix, ns in _prefixes(base):
        if value.startswith(ns) and len(value) > len(ns):
            local = value[len(ns) :]
            if not local.startswith("//"):
                return f"{prefix}:{local}"
    return value


def _node_ref(term: ox.NamedNode | ox.BlankNode) -> str:
    return f"_:{term.value}" if isinstance(term, ox.BlankNode) else compact_iri(term.value)


def _value_object(term: Any) -> dict[str, Any]:
    if isinstance(term, ox.NamedNode | ox.BlankNode):
        return {"@id": _node_ref(term)}
    if isinstance(term, ox.Literal):
        if term.language:
            return {"@value": term.value, "@language": term.language}
        if term.datatype.value == XSD_STRING:
            return {"@value": term.value}
        return {"@value": term.value, "@type": compact_iri(term.datatype.value)}
    raise ValueError(f"cannot write {term!r} in JSON-LD")


def _short(term: Any, spec: dict[str, Any]) -> Any | None:
    """The short form of `term` under a term definition, or None if it does not fit it."""
    coercion = spec.get("@type")
    if coercion == "@id":
        return _node_ref(term) if isinstance(term, ox.NamedNode | ox.BlankNode) else None
    if not isinstance(term, ox.Literal):
        return None
    if coercion is not None:
        return term.value if term.datatype.value == iri(coercion) and not term.language else None
    if "@language" in spec:
        return term.value if term.language == spec["@language"] else None
    return term.value if term.datatype.value == XSD_STRING and not term.language else None


def to_jsonld(triples: list[ox.Triple]) -> dict[str, Any]:
    """A compact JSON-LD document (`@context` inline, one node object per subject)."""
    terms = _terms()
    nodes: dict[str, dict[str, Any]] = {}
    for t in triples:
        ref = _node_ref(t.subject)  # type: ignore[arg-type]
        node = nodes.setdefault(ref, {"@id": ref})
        p = t.predicate.value
        value: Any
        if p == RDF_TYPE and isinstance(t.object, ox.NamedNode):
            key, value = "@type", compact_iri(t.object.value)
        else:
            term, spec = terms.get(p, ("", {}))
            short = _short(t.object, spec) if term else None
            if short is not None:
                key, value = term, short
            else:
                key, value = compact_iri(p), _value_object(t.object)
        _add(node, key, value)
    return {"@context": context(), "@graph": [nodes[k] for k in sorted(nodes)]}


def _add(node: dict[str, Any], key: str, value: Any) -> None:
    if key not in node:
        node[key] = value
        return
    current = node[key]
    if not isinstance(current, list):
        current = node[key] = [current]
    if value not in current:
        current.append(value)
