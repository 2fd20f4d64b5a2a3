"""Interactive network views (pyvis data model, vis-network inlined, no CDN).

`neighbourhood(store, entity, hops)` collects nodes and edges around an entity;
`render(nodes, edges)` writes a self-contained HTML page. Text from posts reaches the
page only as JSON data and is put on screen with textContent, never as HTML.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from kg.queries import entity_id, entity_iri, related
from kg.store import Store

TEMPLATES = Path(__file__).with_name("templates")
TYPE_STYLE = {
    "Organization": {"color": "#4C78A8", "shape": "dot"},
    "Person": {"color": "#F58518", "shape": "diamond"},
    "Program": {"color": "#54A24B", "shape": "square"},
    "Event": {"color": "#E45756", "shape": "triangle"},
    "Place": {"color": "#72B7B2", "shape": "star"},
}


@dataclass
class Node:
    id: str
    label: str
    type: str
    info: dict[str, Any] = field(default_factory=dict)


@dataclass
class EdgeView:
    source: str
    target: str
    relation: str
    role: str | None = None
    date: str | None = None
    evidence: list[dict[str, Any]] = field(default_factory=list)


@lru_cache(maxsize=1)
def vis_network_js() -> str:
    import pyvis

    path = Path(pyvis.__file__).parent / "lib" / "vis-9.1.2" / "vis-network.min.js"
    return path.read_text(encoding="utf-8")


def neighbourhood(
    store: Store, entity: str, hops: int = 1, limit: int = 500
) -> tuple[list[Node], list[EdgeView]]:
    from kg.queries import describe

    center = entity_iri(entity)
    info = describe(store, center)
    if info is None:
        raise KeyError(entity)
    nodes: dict[str, Node] = {center: Node(center, info["name"], info["type"])}
    edges: list[EdgeView] = []
    _total, found = related(store, center, depth=hops, limit=limit)
    for e in found:
        nodes.setdefault(e.other, Node(e.other, e.other_name, e.other_type))
        src = e.via or center
        a, b = (src, e.other) if e.direction in ("out", "both") else (e.other, src)
        edges.append(EdgeView(a, b, e.relation, e.role, e.start, e.evidence[:3]))
    return list(nodes.values()), edges


def whole_graph(store: Store, limit: int = 5000) -> tuple[list[Node], list[EdgeView]]:
    """Every entity that some post states a fact about, and those facts."""
    from kg.queries import EDGE_PREDICATES, type_of_classes
    from kg.vocab import sparql_prefixes

    preds = " ".join(f'({p} "{name}")' for p, name in EDGE_PREDICATES.items())
    rows = store.select(
        sparql_prefixes()
        + f"""SELECT DISTINCT ?a ?b ?rel ?role WHERE {{ GRAPH ?g {{ ?g a schema:Article .
  {{ ?m org:member ?a ; org:organization ?b ; kg:roleLabel ?role . BIND("holdsPosition" AS ?rel) }}
  UNION {{ VALUES (?p ?rel) {{ {preds} }} ?a ?p ?b . FILTER(isIRI(?b)) }} }} }} LIMIT {int(limit)}"""
    )
    ends = {r["a"].value for r in rows} | {r["b"].value for r in rows}
    info: dict[str, tuple[str, set[str]]] = {}
    if ends:
        values = " ".join(f"<{i}>" for i in ends)
        for r in store.select(
            sparql_prefixes()
            + f"SELECT ?s ?l ?c WHERE {{ VALUES ?s {{ {values} }} ?s a ?c . OPTIONAL {{ ?s skos:prefLabel ?l }} }}"
        ):
            _label, classes = info.setdefault(r["s"].value, (r["l"].value if "l" in r else "", set()))
            classes.add(r["c"].value)
    nodes = [
        Node(
            i,
            info.get(i, (entity_id(i), set()))[0] or entity_id(i),
            type_of_classes(info.get(i, ("", set()))[1]) or "",
        )
        for i in sorted(ends)
    ]
    edges = [
        EdgeView(r["a"].value, r["b"].value, r["rel"].value, r["role"].value if "role" in r else None)
        for r in rows
    ]
    return nodes, edges


def _safe_json(data: Any) -> str:
    """JSON that cannot close the surrounding <script> element."""
    return (
        json.dumps(data, ensure_ascii=False)
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
    )


def render(nodes: list[Node], edges: list[EdgeView], title: str = "kg network") -> str:
    degree: dict[str, int] = {}
    for e in edges:
        degree[e.source] = degree.get(e.source, 0) + 1
        degree[e.target] = degree.get(e.target, 0) + 1
    vis_nodes = [
        {
            "id": n.id,
            "label": n.label,
            "group": n.type,
            "color": TYPE_STYLE.get(n.type, {}).get("color", "#999"),
            "shape": TYPE_STYLE.get(n.type, {}).get("shape", "dot"),
            "value": 1 + degree.get(n.id, 0),
            "kg": {"type": n.type, "id": entity_id(n.id), **n.info},
        }
        for n in nodes
    ]
    vis_edges = [
        {
            "from": e.source,
            "to": e.target,
            "label": e.role or e.relation,
            "arrows": "to",
            "kg": {"relation": e.relation, "role": e.role, "date": e.date, "evidence": e.evidence},
        }
        for e in edges
    ]
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))
    page = env.get_template("network.html")
    return page.render(
        title=title,
        vis_js=vis_network_js(),
        nodes_json=_safe_json(vis_nodes),
        edges_json=_safe_json(vis_edges),
        styles_json=_safe_json(TYPE_STYLE),
    )
