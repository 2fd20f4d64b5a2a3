"""The vocabulary, read from `ontology/kg.ttl` and `ontology/mapping.json`.

Code names terms by CURIE (`org:Membership`); the prefixes come from the ontology file,
so no module repeats a namespace IRI.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any

from kg.config import Settings, check_base_iri
from kg.resources import ONTOLOGY_DIR

ONTOLOGY_FILE = ONTOLOGY_DIR / "kg.ttl"
SHAPES_FILE = ONTOLOGY_DIR / "shapes.ttl"
CONTEXT_FILE = ONTOLOGY_DIR / "context.jsonld"
MAPPING_FILE = ONTOLOGY_DIR / "mapping.json"

_PREFIX_LINE = re.compile(r"@prefix\s+([A-Za-z][\w-]*)?:\s*<([^>]+)>\s*\.")


@lru_cache(maxsize=1)
def prefixes() -> dict[str, str]:
    """Prefix → namespace, as declared at the top of kg.ttl."""
    text = ONTOLOGY_FILE.read_text(encoding="utf-8")
    return {m.group(1) or "": m.group(2) for m in _PREFIX_LINE.finditer(text)}


@lru_cache(maxsize=1)
def mapping() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(MAPPING_FILE.read_text(encoding="utf-8"))
    return data


@lru_cache(maxsize=512)
def iri(curie: str) -> str:
    """`org:Membership` → `http://www.w3.org/ns/org#Membership`."""
    prefix, _, local = curie.partition(":")
    try:
        return prefixes()[prefix] + local
    except KeyError:
        raise KeyError(f"unknown prefix {prefix!r} in {curie!r} (declare it in {ONTOLOGY_FILE})") from None


@lru_cache(maxsize=4096)
def curie(full_iri: str) -> str:
    """The shortest CURIE for an IRI, or the IRI itself when no prefix fits."""
    best = ""
    best_ns = ""
    for prefix, ns in prefixes().items():
        if full_iri.startswith(ns) and len(ns) > len(best_ns):
            best, best_ns = prefix, ns
    return f"{best}:{full_iri[len(best_ns) :]}" if best_ns else full_iri


def sparql_prefixes() -> str:
    """PREFIX lines for every namespace of the ontology (for queries the code writes)."""
    lines = [f"PREFIX {p}: <{ns}>" for p, ns in sorted(prefixes().items())]
    lines.append(f"PREFIX kgr: <{base()}id/>")
    return "\n".join(lines) + "\n"


_base: str | None = None  # this process's base of data IRIs; None: not read from the settings yet


def default_base() -> str:
    """The placeholder base of ontology/mapping.json (what KG_BASE_IRI defaults to)."""
    value: str = mapping()["base"]
    return value


def set_base(value: str | None) -> None:
    """Make `value` the base of every data IRI this process makes (None: read KG_BASE_IRI again).

    The CLI and the API call it with their settings' `base_iri`; the vocabulary's own namespaces
    (`kg:`, `kgs:`) are the ontology's and do not move with it.
    """
    global _base
    _base = check_base_iri(value) if value else None


def base() -> str:
    """The base of data IRIs: KG_BASE_IRI (through kg.config.Settings), else mapping.json's."""
    global _base
    if _base is None:
        _base = Settings().base_iri or default_base()
    return _base


def data_iri(path: str) -> str:
    """An IRI under the data base: `data_iri("graph/derived")`."""
    return base() + path


def vocabulary() -> tuple[str, ...]:
    """The ontology's namespaces and the ontology's own IRI: terms, not data; they stay where they
    are whatever the base of the data (even when they share its host, as the placeholders do)."""
    namespaces = prefixes()
    return (*namespaces.values(), namespaces["kg"].rstrip("#/"))


def portable(value: str) -> str:
    """The IRI as it would be under the default base, for hashes that name derived IRIs
    (facts, memberships, positions): re-basing a graph by replacing the base then gives
    exactly what an ingest under the new base gives."""
    here = base()
    return default_base() + value[len(here) :] if value.startswith(here) else value


def entity_type(type_name: str) -> dict[str, Any]:
    spec: dict[str, Any] = mapping()["entity_types"][type_name]
    return spec


def relation_predicate(kind: str) -> str:
    return iri(mapping()["relations"][kind])


@lru_cache(maxsize=1)
def ontology_terms() -> tuple[list[str], list[str]]:
    """(classes, properties): every term kg.ttl gives a label, for editors' autocompletion.

    A term typed owl:Class, or untyped with a capitalised local name (`org:Membership`), is a
    class; one typed as a property, or untyped otherwise, is a property; individuals (event
    kinds, the concept scheme, the ontology itself) are neither.
    """
    import pyoxigraph as ox

    label, rdf_type = iri("rdfs:label"), iri("rdf:type")
    class_types = {iri("owl:Class"), iri("rdfs:Class")}
    property_types = {
        iri(c)
        for c in ("owl:ObjectProperty", "owl:DatatypeProperty", "owl:SymmetricProperty", "rdf:Property")
    }
    labelled: set[str] = set()
    types: dict[str, set[str]] = {}
    for t in ox.parse(ONTOLOGY_FILE.read_bytes(), format=ox.RdfFormat.TURTLE):
        if not isinstance(t.subject, ox.NamedNode):
            continue
        if t.predicate.value == label:
            labelled.add(t.subject.value)
        elif t.predicate.value == rdf_type:
            types.setdefault(t.subject.value, set()).add(t.object.value)
    classes, properties = [], []
    for term in sorted(labelled):
        kinds = types.get(term, set())
        local = re.split(r"[#/]", term)[-1]
        if kinds & class_types or (not kinds and local[:1].isupper()):
            classes.append(term)
        elif kinds & property_types or not kinds:
            properties.append(term)
    return classes, properties
