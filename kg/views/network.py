"""Interactive network views: pages that work offline and carry their evidence.

`neighbourhood(store, entity, hops)` and `whole_graph(store)` collect entities and the
facts posts state about them (each edge with its sentences, post titles, dates and links);
`render(nodes, edges, title)` writes one self-contained HTML page: vis-network with its
physics up to `WEBGL_ABOVE` entities, above that sigma.js (WebGL) at positions computed here
before the page opens (kg.views.layout, cached per view), and above `OVERVIEW_ABOVE` the page
opens on an overview of communities that drills down on click.

Why not `pyvis.network.Network` itself: the page uses pyvis's data model (node and edge
option dicts, groups, vis-network options) and vis-network 9.1.2 (vendored from npm, see vendor.json),
but builds the dicts directly. `Network.add_node`/`add_edge` (and `from_nx` on top of them)
check for duplicates by scanning lists, which is quadratic (6 s at 5,000 nodes in
bench/viz.py, about a minute at 20,000); its stock template loads Bootstrap and vis-network from CDNs even in `in_line`
mode; and it shows a title containing "href" as raw HTML. Here the data goes into the page
as JSON that cannot close its <script> element, and the page's script puts every text on
screen with textContent; a script nonce in the Content-Security-Policy blocks anything else.
"""

from __future__ import annotations

import gc
import hashlib
import html
import re
import secrets
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import orjson
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from kg.read.queries import EDGE_PREDICATES, entity_id, entity_iri
from kg.store.base import Store, bookkeeping_graphs
from kg.views.layout import Layout, multilevel_layout
from kg.vocab.ontology import ONTOLOGY_FILE, iri, mapping, sparql_prefixes

TEMPLATES = Path(__file__).with_name("templates")
STATIC = Path(__file__).with_name("static")  # vendored scripts with their licences (vendor.json)
TYPE_STYLE = {
    "Organization": {"color": "#4C78A8", "shape": "dot"},
    "Person": {"color": "#F58518", "shape": "diamond"},
    "Program": {"color": "#54A24B", "shape": "square"},
    "Event": {"color": "#E45756", "shape": "triangle"},
    "Place": {"color": "#72B7B2", "shape": "star"},
    "": {"color": "#9D9D9D", "shape": "dot"},
}
RELATION_STYLE = {
    "holdsPosition": {"color": "#F2A65A"},
    "subOrganizationOf": {"color": "#4C78A8"},
    "operates": {"color": "#54A24B"},
    "partnerOf": {"color": "#B279A2", "dashes": True},
    "participatedIn": {"color": "#E45756"},
    "locatedIn": {"color": "#72B7B2"},
    "succession": {"color": "#8C6D31", "dashes": True},
}
SCAN_ABOVE = 1500  # entities past which labels are read by one scan rather than looked up
WEBGL_ABOVE = 1500  # entities past which a view is drawn with sigma.js (WebGL) at precomputed positions
OVERVIEW_ABOVE = 5000  # entities past which a page opens on its communities as super-nodes
LAYOUT_CACHE = 8  # views whose layout is kept (per process)
EVIDENCE_PER_EDGE = 5  # sentences a page carries per edge; the count of all is kept
_SAFE_URL = re.compile(r"^https?://[^\s<>\"]+$")
_NOT_IRI = re.compile(r'[\s<>"{}|^`\\]')  # characters an IRI cannot hold (RFC 3987)


@dataclass
class Node:
    """An entity on the page. `info`: aliases, posts, facts, date, center (all optional)."""

    id: str  # IRI
    label: str
    type: str
    info: dict[str, Any] = field(default_factory=dict)


@dataclass
class EdgeView:
    """A fact between two entities, with the sentences that state it.

    Each evidence item is a dict with sentence, post (IRI), title, date and url.
    """

    source: str  # IRI
    target: str  # IRI
    relation: str
    role: str | None = None
    date: str | None = None  # a date of the fact itself (an event's date), besides its posts'
    evidence: list[dict[str, Any]] = field(default_factory=list)


# -- collecting from the store ------------------------------------------------------------


@contextmanager
def _paused_gc() -> Iterator[None]:
    """Building a view allocates hundreds of thousands of small objects and frees none; the
    collector's repeated full passes over them took about a third of the time at 20,000 nodes."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _values(iris: Iterable[str]) -> str:
    return " ".join(f"<{i}>" for i in iris)


def _relation_values() -> str:
    return " ".join(f'({p} "{name}")' for p, name in EDGE_PREDICATES.items())


# a change of bodies (org:ChangeEvent in the lexicon graph): earlier body → later body, the
# event's note as the sentence and the event standing in for the post (its date and source)
CHANGE = """?g org:originalOrganization ?a ; org:resultingOrganization ?b ; dcterms:description ?sentence ;
      kg:changeKind/skos:notation ?role BIND("succession" AS ?rel)"""


def _not_bookkeeping() -> str:
    """Facts are read from post graphs: the change log keeps snapshots of facts (reified the same
    way) in a bookkeeping graph, which are history, not statements."""
    return f"FILTER(?g NOT IN ({', '.join(f'<{g}>' for g in bookkeeping_graphs())}))"


def _edge_query(focus: list[str] | None) -> str:
    """Every fact a post states between two entities, one row per (fact, post).

    With `focus`, only facts that touch one of those IRIs. Memberships are facts about an
    org:Membership; they become a person → organisation edge with the role as written.
    """

    def membership(bind: str = "") -> str:
        return f"""{bind} GRAPH ?g {{ ?f rdf:subject ?m ; rdf:predicate org:member ; rdf:object ?a ;
      kg:evidenceText ?sentence . ?m org:organization ?b ; kg:roleLabel ?role }} {_not_bookkeeping()}
    BIND("holdsPosition" AS ?rel)"""

    def fact(s: str, o: str) -> str:
        return f"""VALUES (?p ?rel) {{ {_relation_values()} }}
    GRAPH ?g {{ ?f rdf:subject {s} ; rdf:predicate ?p ; rdf:object {o} ; kg:evidenceText ?sentence }}
    {_not_bookkeeping()}"""

    change = CHANGE
    if focus is None:
        body = f"{{ {membership()} }} UNION {{ {fact('?a', '?b')} FILTER(isIRI(?b)) }}"
    else:
        x = f"VALUES ?x {{ {_values(focus)} }}"
        body = (
            f"{{ {x} {membership('{ ?m org:member ?x } UNION { ?m org:organization ?x }')} }}\n"
            f"  UNION {{ {x} {fact('?x', '?b')} FILTER(isIRI(?b)) BIND(?x AS ?a) }}\n"
            f"  UNION {{ {x} {fact('?a', '?x')} BIND(?x AS ?b) }}\n"
            f"  UNION {{ {x} {{ ?g org:originalOrganization ?x }} UNION {{ ?g org:resultingOrganization ?x }} {change} }}"
        )
    return sparql_prefixes() + f"SELECT ?a ?b ?rel ?role ?g ?sentence WHERE {{\n  {body}\n}}"


@dataclass
class _Collected:
    """Edges keyed by (source, target, relation, role), evidence as (sentence, post) pairs.

    A fact is one relation stated by one post (kg:Fact IRIs are derived from subject,
    predicate and object within the post's graph), so an edge's facts are its posts.
    """

    edges: dict[tuple[str, str, str, str], dict[tuple[str, str], None]] = field(default_factory=dict)

    def add_rows(self, rows: list[dict[str, Any]]) -> set[str]:
        touched: set[str] = set()
        for r in rows:
            a, b, rel = r["a"].value, r["b"].value, r["rel"].value
            if rel == "participatedIn":  # stored as event schema:attendee who; drawn who → event
                a, b = b, a
            key = (a, b, rel, r["role"].value if "role" in r else "")
            self.edges.setdefault(key, {})[(r["sentence"].value, r["g"].value)] = None
            touched.update((a, b))
        return touched

    def counts(self) -> dict[str, tuple[int, int]]:
        """IRI → (posts that state a relation of it, relation statements: one per relation per post)."""
        posts: dict[str, set[str]] = defaultdict(set)
        facts: dict[str, int] = defaultdict(int)
        for (a, b, _rel, _role), evidence in self.edges.items():
            stating = {g for _s, g in evidence}
            for node in (a, b):
                posts[node] |= stating
                facts[node] += len(stating)
        return {node: (len(posts[node]), facts[node]) for node in posts}


@lru_cache(maxsize=1)
def _type_paths() -> dict[str, str]:
    return {spec["path"]: name for name, spec in mapping()["entity_types"].items()}


def type_of_iri(entity: str) -> str | None:
    """The entity type from the IRI's path (`…/id/org/…` → Organization): IRIs are derived from content."""
    path, sep, _key = entity_id(entity).partition("/")
    return _type_paths().get(path) if sep else None


def _entity_info(store: Store, iris: set[str]) -> dict[str, dict[str, Any]]:
    """Label, type, aliases and date (events) of each entity IRI (other IRIs are left out)."""
    iris = {i for i in iris if type_of_iri(i)}
    if not iris:
        return {}
    # Few IRIs: VALUES inside each branch, so Oxigraph joins from them. Many: one scan of all
    # labels is faster than thousands of lookups, and the rows of other IRIs are skipped below.
    v = f"VALUES ?s {{ {_values(iris)} }}" if len(iris) <= SCAN_ABOVE else ""
    rows = store.select(
        sparql_prefixes()
        + f"""SELECT ?s ?l ?alt ?date WHERE {{
  {{ {v} ?s skos:prefLabel ?l }} UNION {{ {v} ?s skos:altLabel ?alt }} UNION {{ {v} ?s schema:startDate ?date }} }}"""
    )
    labels: dict[str, dict[str, str]] = defaultdict(dict)
    aliases: dict[str, dict[str, None]] = defaultdict(dict)
    dates: dict[str, str] = {}
    for r in rows:
        s = r["s"].value
        if s not in iris:
            continue
        if "l" in r:
            lang = getattr(r["l"], "language", None) or ""
            labels[s].setdefault(lang, r["l"].value)
        elif "alt" in r:
            aliases[s][r["alt"].value] = None
        elif "date" in r:
            dates[s] = min(dates.get(s, r["date"].value), r["date"].value)
    info: dict[str, dict[str, Any]] = {}
    for s in iris:
        names = labels.get(s, {})
        label = names.get("ko") or names.get("") or next(iter(names.values()), "") or entity_id(s)
        info[s] = {
            "label": label,
            "type": type_of_iri(s),
            "aliases": [a for a in aliases.get(s, {}) if a != label],
            "date": dates.get(s),
        }
    return info


def _posts(store: Store, post_iris: set[str]) -> dict[str, dict[str, Any]]:
    if not post_iris:
        return {}
    v = f"VALUES ?g {{ {_values(post_iris)} }}" if len(post_iris) <= SCAN_ABOVE else ""
    rows = store.select(
        sparql_prefixes()
        + f"""SELECT ?g ?id ?title ?issued ?url WHERE {{ {v}
  {{ GRAPH ?g {{ ?g a schema:Article ; dcterms:identifier ?id OPTIONAL {{ ?g dcterms:title ?title }}
    OPTIONAL {{ ?g dcterms:issued ?issued }} OPTIONAL {{ ?g dcterms:source ?url }} }} }}
  UNION {{ ?g a org:ChangeEvent ; rdfs:label ?title ; dcterms:date ?issued ; dcterms:source ?url }} }}"""
    )
    return {
        r["g"].value: {
            "id": r["id"].value if "id" in r else None,
            "title": r["title"].value if "title" in r else None,
            "date": r["issued"].value if "issued" in r else None,
            "url": r["url"].value if "url" in r else None,
        }
        for r in rows
        if r["g"].value in post_iris
    }


def _assemble(
    store: Store, collected: _Collected, keep: set[str] | None, center: str | None = None
) -> tuple[list[Node], list[EdgeView]]:
    ends = {e for key in collected.edges for e in key[:2]}
    if keep is not None:
        ends &= keep
    if center:
        ends.add(center)
    info = _entity_info(store, ends)
    counts = collected.counts()
    posts = _posts(store, {g for ev in collected.edges.values() for _s, g in ev})
    nodes = []
    for s in sorted(info, key=lambda i: (i != center, info[i]["type"], info[i]["label"])):
        posts_n, facts_n = counts.get(s, (0, 0))
        extra = {"aliases": info[s]["aliases"], "posts": posts_n, "facts": facts_n, "date": info[s]["date"]}
        if s == center:
            extra["center"] = True
        nodes.append(Node(s, info[s]["label"], info[s]["type"], extra))
    edges = []
    for (a, b, rel, role), evidence in collected.edges.items():
        if a not in info or b not in info:
            continue
        items = [{"sentence": s, "post": g, **posts.get(g, {})} for s, g in evidence]
        items.sort(key=lambda ev: (ev.get("date") or "", ev["sentence"]))
        date = info[b]["date"] if rel == "participatedIn" else None
        if rel == "succession":
            date = min((ev.get("date") or "" for ev in items), default="") or None
        edges.append(EdgeView(a, b, rel, role or None, date, items))
    return nodes, edges


def neighbourhood(
    store: Store, entity: str, hops: int = 1, limit: int = 500
) -> tuple[list[Node], list[EdgeView]]:
    """The ego network: entities up to `hops` facts away, at most `limit` of them (nearest first)."""
    with _paused_gc():
        return _neighbourhood(store, entity, hops, limit)


def _neighbourhood(store: Store, entity: str, hops: int, limit: int) -> tuple[list[Node], list[EdgeView]]:
    center = entity_iri(entity)
    if _NOT_IRI.search(center) or type_of_iri(center) is None or not store.ask(f"ASK {{ <{center}> ?p ?o }}"):
        raise KeyError(entity)
    collected = _Collected()
    kept = {center}
    frontier = [center]
    for _hop in range(hops):
        if not frontier:
            break
        touched = collected.add_rows(store.select(_edge_query(frontier)))
        new = sorted(touched - kept)
        room = max(0, limit - len(kept))
        kept.update(new[:room])
        frontier = new[:room]
    if frontier:  # facts among the outermost entities themselves
        collected.add_rows(store.select(_edge_query(frontier)))
    return _assemble(store, collected, kept, center)


def whole_graph(store: Store, limit: int = 20000) -> tuple[list[Node], list[EdgeView]]:
    """Every entity that some post states a fact about, and those facts.

    Past `limit` entities, the best connected are kept (ties by IRI, so the cut is stable).
    """
    with _paused_gc():
        return _whole_graph(store, limit)


def _whole_graph(store: Store, limit: int) -> tuple[list[Node], list[EdgeView]]:
    collected = _Collected()
    collected.add_rows(store.select(_edge_query(None)))
    # changes of bodies between entities the posts talk about (not the whole lexicon's history)
    present = {e for key in collected.edges for e in key[:2]}
    changes = store.select(sparql_prefixes() + f"SELECT ?a ?b ?rel ?role ?g ?sentence WHERE {{ {CHANGE} }}")
    collected.add_rows([r for r in changes if r["a"].value in present and r["b"].value in present])
    keep: set[str] | None = None
    degree: dict[str, int] = defaultdict(int)
    for a, b, _rel, _role in collected.edges:
        degree[a] += 1
        degree[b] += 1
    if len(degree) > limit:
        keep = set(sorted(degree, key=lambda i: (-degree[i], i))[:limit])
    return _assemble(store, collected, keep)


# -- the page -----------------------------------------------------------------------------


@lru_cache(maxsize=1)
def vis_network_js() -> str:
    """The vendored vis-network (vendor.json), without its source-map comment (nothing to fetch)."""
    path = STATIC / "vis-network" / "vis-network.min.js"
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"//# sourceMappingURL=\S*", "", text)
    if "</script" in text.lower() or "<!--" in text:
        raise ValueError(f"{path} cannot be inlined in a <script> element")
    return text


@lru_cache(maxsize=1)
def ontology_labels() -> dict[str, dict[str, str]]:
    """IRI → {lang: rdfs:label} from ontology/kg.ttl, for the legend."""
    import pyoxigraph as ox

    label = iri("rdfs:label")
    out: dict[str, dict[str, str]] = defaultdict(dict)
    for t in ox.parse(ONTOLOGY_FILE.read_bytes(), format=ox.RdfFormat.TURTLE):
        if t.predicate.value == label and isinstance(t.object, ox.Literal):
            out[t.subject.value][t.object.language or ""] = t.object.value
    return dict(out)


def _legend() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    labels = ontology_labels()
    types = []
    for name, spec in mapping()["entity_types"].items():
        lab = labels.get(iri(spec["classes"][0]), {})
        types.append({"name": name, "ko": lab.get("ko", name), "en": lab.get("en", name), **TYPE_STYLE[name]})
    relations = []
    for name, curie in mapping()["relations"].items():
        if name not in RELATION_STYLE:
            continue
        lab = labels.get(iri(curie), {})
        relations.append({"name": name, "ko": lab.get("ko", name), "en": lab.get("en", name)})
    return types, relations


def script_json(data: Any) -> str:
    """JSON to put inside a <script> element: it cannot end the element or open a comment."""
    text = orjson.dumps(data).decode("utf-8")
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def page_data(nodes: list[Node], edges: list[EdgeView], title: str) -> dict[str, Any]:
    """What the page's script reads: vis-network node/edge dicts plus tables of posts and sentences."""
    ids = {n.id: entity_id(n.id) for n in nodes}
    degree: dict[str, int] = defaultdict(int)
    tables = _EvidenceTables()
    vis_edges = []
    for i, e in enumerate(edges):
        if e.source not in ids or e.target not in ids:
            continue
        degree[e.source] += 1
        degree[e.target] += 1
        dates = _dates(e)
        refs = tables.refs(e)
        vis_edges.append(
            {
                "id": i,
                "from": ids[e.source],
                "to": ids[e.target],
                "kg": {
                    "relation": e.relation,
                    "role": e.role,
                    "from": min(dates) if dates else None,
                    "until": max(dates) if dates else None,
                    "evidence": refs,
                    "count": len(e.evidence),
                },
            }
        )
    vis_nodes = [
        {
            "id": ids[n.id],
            "label": n.label,
            "group": n.type if n.type in TYPE_STYLE else "",
            "value": 1 + degree.get(n.id, 0),
            "kg": {
                "type": n.type,
                "aliases": list(n.info.get("aliases") or [])[:20],
                "posts": n.info.get("posts"),
                "facts": n.info.get("facts"),
                "date": n.info.get("date"),
                "center": bool(n.info.get("center")),
            },
        }
        for n in nodes
    ]
    types, relations = _legend()
    return {
        "title": title,
        "types": types,
        "relations": relations,
        "relationStyle": RELATION_STYLE,
        "typeStyle": TYPE_STYLE,
        "nodes": vis_nodes,
        "edges": vis_edges,
        "posts": tables.posts,
        "sentences": list(tables.sentences),
    }


def _dates(e: EdgeView) -> list[str]:
    """The dates an edge is known for: its own (an event's) and those of the posts stating it."""
    return ([e.date] if e.date else []) + [ev["date"] for ev in e.evidence if ev.get("date")]


class _EvidenceTables:
    """Posts and sentences each written once in a page; an edge refers to them by number."""

    def __init__(self) -> None:
        self.posts: list[dict[str, Any]] = []
        self.sentences: dict[str, int] = {}
        self._post_index: dict[str, int] = {}

    def refs(self, e: EdgeView) -> list[list[int]]:
        """[sentence, post] pairs for the first EVIDENCE_PER_EDGE sentences of an edge."""
        out = []
        for ev in e.evidence[:EVIDENCE_PER_EDGE]:
            p = ev.get("post") or ""
            if p not in self._post_index:
                self._post_index[p] = len(self.posts)
                url = ev.get("url")
                self.posts.append(
                    {
                        "id": ev.get("id") or (entity_id(p) if p else None),
                        "title": ev.get("title"),
                        "date": ev.get("date"),
                        "url": url if url and _SAFE_URL.match(url) else None,
                    }
                )
            out.append([self.sentences.setdefault(ev["sentence"], len(self.sentences)), self._post_index[p]])
        return out


def render(
    nodes: list[Node], edges: list[EdgeView], title: str = "kg network", renderer: str = "auto"
) -> str:
    """A self-contained HTML page: no request leaves it, every post text shown as text.

    `renderer`: `vis` (vis-network, physics in the page), `webgl` (sigma.js at positions
    computed here) or `auto` (webgl above WEBGL_ABOVE entities).
    """
    if renderer == "webgl" or (renderer == "auto" and len(nodes) > WEBGL_ABOVE):
        return render_webgl(nodes, edges, title)
    if renderer not in ("auto", "vis"):
        raise ValueError(f"unknown renderer {renderer!r}: auto, vis or webgl")
    with _paused_gc():
        data = script_json(page_data(nodes, edges, title))
    return str(
        _template_named("network.html").render(
            title=title,
            nonce=secrets.token_urlsafe(18),
            vis_js=Markup(vis_network_js()),
            data_json=Markup(data),
        )
    )


def iframe(page: str, height: int = 640) -> str:
    """The page inside an <iframe srcdoc>, for a notebook cell (`IPython.display.HTML(...)`).

    Wrapped in a <div>: IPython suggests its IFrame (which needs a URL) for a bare <iframe>.
    """
    return (
        f'<div class="kg-view"><iframe srcdoc="{html.escape(page, quote=True)}" '
        f'style="width:100%;height:{int(height)}px;border:1px solid #ddd" '
        'sandbox="allow-scripts allow-popups"></iframe></div>'
    )


# -- the WebGL page for large views -----------------------------------------------------------


@lru_cache(maxsize=1)
def webgl_js() -> tuple[str, str]:
    """The vendored graphology and sigma.js (vendor.json), ready to inline."""
    out = []
    for name in ("graphology/graphology.umd.min.js", "sigma/sigma.min.js"):
        path = STATIC / name
        text = re.sub(r"//# sourceMappingURL=\S*", "", path.read_text(encoding="utf-8"))
        if "</script" in text.lower() or "<!--" in text:
            raise ValueError(f"{path} cannot be inlined in a <script> element")
        out.append(text)
    return out[0], out[1]


_layouts: OrderedDict[str, Layout] = OrderedDict()
_layouts_lock = threading.Lock()


def view_layout(ids: list[str], src: Any, dst: Any) -> Layout:
    """The layout of a view, computed once per distinct set of entities and links (kept for
    the last LAYOUT_CACHE views: the API asks for the same views again and again)."""
    digest = hashlib.sha1(usedforsecurity=False)
    digest.update("\n".join(ids).encode("utf-8"))
    digest.update(src.tobytes())
    digest.update(dst.tobytes())
    key = digest.hexdigest()
    with _layouts_lock:
        found = _layouts.get(key)
        if found is not None:
            _layouts.move_to_end(key)
            return found
    computed = multilevel_layout(len(ids), src, dst)
    with _layouts_lock:
        _layouts[key] = computed
        while len(_layouts) > LAYOUT_CACHE:
            _layouts.popitem(last=False)
    return computed


def webgl_data(
    nodes: list[Node], edges: list[EdgeView], title: str, overview: bool | None = None
) -> dict[str, Any]:
    """Compact arrays for the sigma page: positions, communities, evidence tables.

    `overview`: open on the communities (default: above OVERVIEW_ABOVE entities)."""
    import numpy as np

    index = {n.id: i for i, n in enumerate(nodes)}
    types, relations = _legend()
    type_index = {t["name"]: i for i, t in enumerate(types)}
    types.append({"name": "", "ko": "기타", "en": "other", **TYPE_STYLE[""]})
    kept = [e for e in edges if e.source in index and e.target in index]
    rel_index = {r["name"]: i for i, r in enumerate(relations)}
    pairs = sorted({(min(index[e.source], index[e.target]), max(index[e.source], index[e.target]))
                    for e in kept if e.source != e.target})  # fmt: skip
    src = np.array([a for a, _ in pairs], dtype=np.int64)
    dst = np.array([b for _, b in pairs], dtype=np.int64)
    layout = view_layout([n.id for n in nodes], src, dst)
    xy = layout.xy
    degree = np.bincount(src, minlength=len(nodes)) + np.bincount(dst, minlength=len(nodes))
    tables = _EvidenceTables()
    edge_rows = []
    for e in kept:
        dates = _dates(e)
        refs = tables.refs(e)
        edge_rows.append(
            [
                index[e.source],
                index[e.target],
                rel_index.get(e.relation, 0),
                e.role,
                min(dates) if dates else None,
                max(dates) if dates else None,
                refs,
                len(e.evidence),
            ]
        )
    node_rows = []
    info_rows = []
    for i, n in enumerate(nodes):
        node_rows.append(
            [
                entity_id(n.id),
                n.label,
                type_index.get(n.type, len(types) - 1),
                round(float(xy[i, 0]), 2),
                round(float(xy[i, 1]), 2),
                round(min(22.0, 2.0 + 1.3 * float(degree[i]) ** 0.5), 1),
                int(layout.community[i]),
            ]
        )
        info_rows.append(
            [
                list(n.info.get("aliases") or [])[:20],
                n.info.get("posts"),
                n.info.get("facts"),
                n.info.get("date"),
            ]
        )
    groups, group_edges = _groups(nodes, node_rows, layout, degree, src, dst)
    return {
        "title": title,
        "types": types,
        "relations": relations,
        "relationStyle": RELATION_STYLE,
        "nodes": node_rows,
        "info": info_rows,
        "edges": edge_rows,
        "posts": tables.posts,
        "sentences": list(tables.sentences),
        "groups": groups,
        "groupEdges": group_edges,
        "overview": (len(nodes) > OVERVIEW_ABOVE if overview is None else overview) and len(groups) > 1,
        "layoutSeconds": round(layout.seconds, 2),
    }


def _groups(
    nodes: list[Node], rows: list[list[Any]], layout: Layout, degree: Any, src: Any, dst: Any
) -> tuple[list[dict[str, Any]], list[list[int]]]:
    """Each community as a super-node: its best-connected member names it; size, place, the
    names of its six best-connected members; and how many links join two communities."""
    import numpy as np

    community = layout.community
    k = int(community.max()) + 1 if len(nodes) else 0
    groups = []
    for c in range(k):
        members = np.flatnonzero(community == c)
        ranked = members[np.argsort(-degree[members], kind="stable")]
        head = int(ranked[0])
        groups.append(
            {
                "label": rows[head][1],
                "type": rows[head][2],
                "size": len(members),
                "x": round(float(layout.xy[members, 0].mean()), 2),
                "y": round(float(layout.xy[members, 1].mean()), 2),
                "top": ", ".join(rows[int(i)][1] for i in ranked[:6]),
            }
        )
    a, b = community[src], community[dst]
    between = a != b
    lo, hi = np.minimum(a[between], b[between]), np.maximum(a[between], b[between])
    keys, counts = np.unique(lo * max(k, 1) + hi, return_counts=True)
    group_edges = [[int(key // k), int(key % k), int(c)] for key, c in zip(keys, counts, strict=True)]
    return groups, group_edges


def render_webgl(
    nodes: list[Node], edges: list[EdgeView], title: str = "kg network", overview: bool | None = None
) -> str:
    """The sigma.js page: positions computed before it opens, labels shown by zoom level,
    the same tooltips, evidence, filters, legend, search and ego network as the vis page;
    above OVERVIEW_ABOVE entities (or with `overview`) it opens on the communities."""
    with _paused_gc():
        data = script_json(webgl_data(nodes, edges, title, overview))
    graphology_js, sigma_js = webgl_js()
    return str(
        _template_named("network_webgl.html").render(
            title=title,
            nonce=secrets.token_urlsafe(18),
            graphology_js=Markup(graphology_js),
            sigma_js=Markup(sigma_js),
            data_json=Markup(data),
        )
    )


@lru_cache(maxsize=4)
def _template_named(name: str) -> Any:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))
    return env.get_template(name)
