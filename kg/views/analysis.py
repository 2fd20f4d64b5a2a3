"""The graph as networkx, and the few analyses the analyst notebook shows.

`to_networkx` reads the same entities and post-stated facts the network views draw
(`kg.views.network.whole_graph`), so a number here and a node on the page always agree. The rest
are small functions over that graph or over SPARQL answers: organisation centrality,
communities, the program–operator bipartite view, and timelines of posts and
memberships. Plots use matplotlib (the dev extra), imported only when drawing.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

import networkx as nx
from networkx.algorithms import bipartite

from kg.read.queries import entity_id
from kg.store.base import Store
from kg.views.network import neighbourhood, render, whole_graph
from kg.vocab.ontology import sparql_prefixes

HANGUL_FONTS = ("NanumGothic", "Noto Sans CJK KR", "Noto Sans KR", "Malgun Gothic", "AppleGothic")


def to_networkx(store: Store, limit: int = 20000) -> nx.MultiDiGraph:
    """Entities as nodes (id = entity id, e.g. `org/중소벤처기업부`), each fact a keyed edge.

    Node attributes: label, type, aliases, posts, facts. Edge attributes: relation, role,
    posts (how many posts state it), first and last (dates of those posts).
    """
    nodes, edges = whole_graph(store, limit=limit)
    graph = nx.MultiDiGraph()
    for n in nodes:
        graph.add_node(
            entity_id(n.id),
            label=n.label,
            type=n.type,
            aliases=list(n.info.get("aliases") or []),
            posts=n.info.get("posts", 0),
            facts=n.info.get("facts", 0),
        )
    for e in edges:
        dates = sorted(ev["date"] for ev in e.evidence if ev.get("date"))
        graph.add_edge(
            entity_id(e.source),
            entity_id(e.target),
            key=f"{e.relation}:{e.role or ''}",
            relation=e.relation,
            role=e.role,
            posts=len({ev.get("post") for ev in e.evidence}),
            first=dates[0] if dates else None,
            last=dates[-1] if dates else None,
        )
    return graph


def undirected(graph: nx.MultiDiGraph) -> nx.Graph:
    """One undirected edge per linked pair, `weight` = number of facts between them."""
    simple = nx.Graph()
    simple.add_nodes_from(graph.nodes(data=True))
    for a, b in graph.edges():
        if a == b:
            continue
        if simple.has_edge(a, b):
            simple[a][b]["weight"] += 1
        else:
            simple.add_edge(a, b, weight=1)
    return simple


def centrality(
    graph: nx.MultiDiGraph, type_name: str = "Organization", top: int | None = None
) -> list[dict[str, Any]]:
    """Degree, betweenness and closeness of the entities of one type, most central first.

    Computed on the whole undirected graph (people and events link organisations too),
    unweighted: a path is a path. (PageRank would need scipy, which kg does not depend on.)
    """
    simple = undirected(graph)
    betweenness = nx.betweenness_centrality(simple)
    closeness = nx.closeness_centrality(simple)
    rows = [
        {
            "id": node,
            "name": data["label"],
            "degree": simple.degree(node),
            "betweenness": round(betweenness.get(node, 0.0), 4),
            "closeness": round(closeness.get(node, 0.0), 4),
            "posts": data.get("posts", 0),
        }
        for node, data in simple.nodes(data=True)
        if data.get("type") == type_name
    ]
    rows.sort(key=lambda r: (-r["degree"], -r["betweenness"], r["name"]))
    return rows[:top] if top else rows


def communities(graph: nx.MultiDiGraph, seed: int = 7) -> list[dict[str, Any]]:
    """Louvain communities (seeded, so reruns agree), largest first, with their best-linked members."""
    simple = undirected(graph)
    parts = nx.community.louvain_communities(simple, weight="weight", seed=seed)
    out = []
    for members in sorted(parts, key=lambda p: (-len(p), min(p))):
        ranked = sorted(members, key=lambda n: (-simple.degree(n), n))
        types = Counter(simple.nodes[n].get("type", "") for n in members)
        out.append(
            {
                "size": len(members),
                "members": ranked,
                "top": ", ".join(simple.nodes[n]["label"] for n in ranked[:6]),
                "types": dict(types.most_common()),
            }
        )
    return out


def program_operators(graph: nx.MultiDiGraph) -> nx.Graph:
    """The bipartite graph of organisations (bipartite=0) and the programs they operate (1)."""
    b = nx.Graph()
    for org, program, data in graph.edges(data=True):
        if data["relation"] != "operates":
            continue
        b.add_node(org, bipartite=0, **_attrs(graph, org))
        b.add_node(program, bipartite=1, **_attrs(graph, program))
        posts = data.get("posts", 1)
        if b.has_edge(org, program):
            b[org][program]["posts"] += posts
        else:
            b.add_edge(org, program, posts=posts)
    return b


def _attrs(graph: nx.MultiDiGraph, node: str) -> dict[str, Any]:
    return {"label": graph.nodes[node]["label"], "type": graph.nodes[node]["type"]}


def operator_projection(b: nx.Graph) -> nx.Graph:
    """Organisations linked when they operate a program together; `weight` = shared programs."""
    orgs = [n for n, d in b.nodes(data=True) if d["bipartite"] == 0]
    return bipartite.weighted_projected_graph(b, orgs)


def projection_table(projection: nx.Graph) -> list[dict[str, Any]]:
    """Pairs of organisations that operate programs together, most shared first."""
    rows = [
        {
            "organisation": projection.nodes[a]["label"],
            "with": projection.nodes[c]["label"],
            "shared programs": d["weight"],
        }
        for a, c, d in projection.edges(data=True)
    ]
    rows.sort(key=lambda r: (-r["shared programs"], r["organisation"], r["with"]))
    return rows


def bipartite_table(b: nx.Graph) -> list[dict[str, Any]]:
    """Programs with their operators, most operated first (the bipartite view as a table)."""
    rows = []
    for p, d in b.nodes(data=True):
        if d["bipartite"] != 1:
            continue
        ops = sorted(b.nodes[o]["label"] for o in b.neighbors(p))
        rows.append({"program": d["label"], "operators": ", ".join(ops), "count": len(ops)})
    rows.sort(key=lambda r: (-r["count"], r["program"]))
    return rows


def post_timeline(store: Store) -> list[dict[str, Any]]:
    """Every post with its date, publisher and title, oldest first."""
    rows = store.select(
        sparql_prefixes()
        + """SELECT ?id ?date ?publisher ?title WHERE { GRAPH ?p { ?p a schema:Article ; dcterms:identifier ?id ;
  dcterms:issued ?date OPTIONAL { ?p dcterms:publisher ?publisher } OPTIONAL { ?p dcterms:title ?title } } }
ORDER BY ?date ?id"""
    )
    return [
        {
            "id": r["id"].value,
            "date": r["date"].value,
            "publisher": r["publisher"].value if "publisher" in r else None,
            "title": r["title"].value if "title" in r else None,
        }
        for r in rows
    ]


def posts_per_month(posts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    counts = Counter(p["date"][:7] for p in posts)
    return [{"month": m, "posts": counts[m]} for m in sorted(counts)]


def membership_timeline(store: Store, organisation: str | None = None) -> list[dict[str, Any]]:
    """Who held which title where, with every date a post attests it, earliest first.

    `organisation`: only memberships in the organisation with this Korean name.
    """
    where = ""
    if organisation is not None:
        literal = organisation.replace("\\", "\\\\").replace('"', '\\"')
        where = f'?org skos:prefLabel "{literal}"@ko .'
    rows = store.select(
        sparql_prefixes()
        + f"""SELECT ?m ?person ?role ?orgName ?date WHERE {{ {where}
  ?m a org:Membership ; org:member/foaf:name ?person ; org:organization ?org ; kg:roleLabel ?role ;
     kg:attestedOn ?date . ?org skos:prefLabel ?orgName . FILTER(LANG(?orgName) = "ko") }}"""
    )
    found: dict[str, dict[str, Any]] = {}
    dates: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        m = r["m"].value
        found[m] = {"person": r["person"].value, "role": r["role"].value, "organisation": r["orgName"].value}
        dates[m].add(r["date"].value)
    out = []
    for m, row in found.items():
        seen = sorted(dates[m])
        out.append({**row, "first": seen[0], "last": seen[-1], "attested": seen})
    out.sort(key=lambda r: (r["first"], r["organisation"], r["role"], r["person"]))
    return out


def _hangul_rc() -> Any:
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    families = [f for f in HANGUL_FONTS if f in installed]
    return {"font.family": [*families, "sans-serif"], "axes.unicode_minus": False}


def plot_timeline(posts: list[dict[str, Any]], memberships: list[dict[str, Any]]) -> Any:
    """Posts per month (bars) above memberships (a line from first to last attestation, a dot per post)."""
    import matplotlib
    from matplotlib.dates import datestr2num
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    with matplotlib.rc_context(_hangul_rc()):
        height = 2.5 + 0.28 * max(1, len(memberships))
        fig = Figure(figsize=(11, height), layout="constrained")
        top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=[1, max(1.5, 0.12 * len(memberships))])
        monthly = posts_per_month(posts)
        top.bar([datestr2num(m["month"] + "-15") for m in monthly], [m["posts"] for m in monthly], width=25)
        top.set_ylabel("게시물 / 월")
        top.yaxis.set_major_locator(MaxNLocator(integer=True))
        for i, m in enumerate(memberships):
            xs = [datestr2num(d) for d in m["attested"]]
            bottom.plot([xs[0], xs[-1]], [i, i], color="#F2A65A", linewidth=3, solid_capstyle="round")
            bottom.plot(xs, [i] * len(xs), "o", color="#4C78A8", markersize=4)
        bottom.set_yticks(range(len(memberships)))
        bottom.set_yticklabels(
            [f"{m['person']} · {m['organisation']} {m['role']}" for m in memberships], fontsize=8
        )
        bottom.invert_yaxis()
        bottom.xaxis_date()
        bottom.set_xlabel("게시일")
    return fig


def plot_bipartite(b: nx.Graph) -> Any:
    """Organisations on the left, programs on the right, a line for each `operates` fact."""
    import matplotlib
    from matplotlib.figure import Figure

    with matplotlib.rc_context(_hangul_rc()):
        orgs = sorted(
            (n for n, d in b.nodes(data=True) if d["bipartite"] == 0), key=lambda n: b.nodes[n]["label"]
        )
        programs = sorted(
            (n for n, d in b.nodes(data=True) if d["bipartite"] == 1), key=lambda n: b.nodes[n]["label"]
        )
        pos = {n: (0.0, -i / max(1, len(orgs) - 1)) for i, n in enumerate(orgs)}
        pos.update({n: (1.0, -i / max(1, len(programs) - 1)) for i, n in enumerate(programs)})
        fig = Figure(figsize=(11, 0.32 * max(len(orgs), len(programs)) + 1.5), layout="constrained")
        ax = fig.subplots()
        for a, c in b.edges():
            ax.plot([pos[a][0], pos[c][0]], [pos[a][1], pos[c][1]], color="#54A24B", alpha=0.6, linewidth=1)
        for nodes, side, colour in ((orgs, "right", "#4C78A8"), (programs, "left", "#54A24B")):
            ax.scatter([pos[n][0] for n in nodes], [pos[n][1] for n in nodes], color=colour, s=30, zorder=3)
            for n in nodes:
                dx = -0.02 if side == "right" else 0.02
                ax.text(pos[n][0] + dx, pos[n][1], b.nodes[n]["label"], ha=side, va="center", fontsize=8)
        ax.set_xlim(-0.9, 1.9)
        ax.axis("off")
        ax.set_title("조직 – 운영 사업 (organisation – program)")
    return fig


def network_page(store: Store, entity: str | None = None, hops: int = 1, title: str = "kg") -> str:
    """The interactive view (whole graph, or the ego network of `entity`) as HTML."""
    nodes, edges = whole_graph(store) if entity is None else neighbourhood(store, entity, hops)
    return render(nodes, edges, title=title)
