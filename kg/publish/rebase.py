"""Re-basing: the same graph under another base IRI, without extracting anything again.

Every IRI that starts with the old base (entities, posts, facts, memberships, graphs, runs)
starts with the new one instead (the ontology's terms excepted, even where they share the old
base's host), and the store's recorded base (void:uriSpace) follows. The
names of derived nodes (facts, memberships, positions) are digests of IRIs taken as under the
default base (kg.vocab.ontology.portable), so the re-based graph is exactly what an ingest
under the new base gives. The ontology's own terms (`kg:` …) are vocabulary and do not move.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import pyoxigraph as ox

from kg.config import check_base_iri
from kg.vocab.ontology import iri, vocabulary

_URI_SPACE = iri("void:uriSpace")


def rebase_quads(quads: Iterable[ox.Quad], old: str, new: str) -> Iterator[ox.Quad]:
    """The quads with every IRI under `old` moved under `new` (both end with '/')."""
    check_base_iri(new)
    cut = len(old)
    terms = vocabulary()

    def move(term: ox.NamedNode) -> ox.NamedNode:
        value = term.value
        if value.startswith(old) and not value.startswith(terms):
            return ox.NamedNode(new + value[cut:])
        return term

    for q in quads:
        s, p, o, g = q.subject, q.predicate, q.object, q.graph_name
        if isinstance(s, ox.NamedNode):
            s = move(s)
        if isinstance(o, ox.NamedNode):
            o = move(o)
        elif p.value == _URI_SPACE and isinstance(o, ox.Literal) and o.value.startswith(old):
            o = ox.Literal(new + o.value[cut:])
        if isinstance(g, ox.NamedNode):
            g = move(g)
        yield ox.Quad(s, move(p), o, g)
