"""Check the graph against ontology/shapes.ttl with pyshacl (SHACL Core + SPARQL constraints)."""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox
import rdflib
from pyshacl import validate as shacl_validate

from kg.store.base import Store
from kg.vocab.ontology import ONTOLOGY_FILE, SHAPES_FILE


@dataclass(frozen=True)
class Violation:
    focus: str
    path: str
    message: str
    severity: str

    def __str__(self) -> str:
        where = f" ({self.path})" if self.path else ""
        return f"{self.severity}: {self.focus}{where}: {self.message}"


def union_graph(store: Store) -> rdflib.Graph:
    """All named graphs merged into one rdflib graph (what SHACL targets see)."""
    data = (
        ox.serialize(
            store.construct("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"),
            format=ox.RdfFormat.N_TRIPLES,
        )
        or b""
    )
    g = rdflib.Graph()
    g.parse(data=data, format="nt")
    return g


def validate_store(store: Store) -> list[Violation]:
    data = union_graph(store)
    shapes = rdflib.Graph().parse(SHAPES_FILE, format="turtle")
    ontology = rdflib.Graph().parse(ONTOLOGY_FILE, format="turtle")
    conforms, report, _text = shacl_validate(
        data, shacl_graph=shapes, ont_graph=ontology, inference="none", allow_warnings=True
    )
    if conforms:
        return []
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    out = []
    for result in report.subjects(rdflib.RDF.type, sh.ValidationResult):
        focus = report.value(result, sh.focusNode)
        path = report.value(result, sh.resultPath)
        message = report.value(result, sh.resultMessage)
        severity = report.value(result, sh.resultSeverity)
        out.append(
            Violation(
                str(focus),
                str(path) if path is not None else "",
                str(message) if message is not None else "",
                str(severity).rsplit("#", 1)[-1] if severity is not None else "Violation",
            )
        )
    return sorted(out, key=lambda v: (v.focus, v.path))
