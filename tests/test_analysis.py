"""kg.views.analysis on the sample posts: the networkx graph, centrality, communities, bipartite view, timelines."""

from __future__ import annotations

import subprocess
import sys

import networkx as nx
import pytest

from kg.read.queries import entity_id
from kg.views import analysis
from kg.views import network as viz
from kg.vocab.ontology import sparql_prefixes

from .conftest import ROOT


@pytest.fixture(scope="module")
def graph(samples_store) -> nx.MultiDiGraph:
    return analysis.to_networkx(samples_store)


def test_graph_is_the_view(samples_store, graph) -> None:
    nodes, edges = viz.whole_graph(samples_store)
    assert set(graph.nodes) == {entity_id(n.id) for n in nodes}
    assert graph.number_of_edges() == len(edges)
    mss = graph.nodes["org/중소벤처기업부"]
    assert mss["type"] == "Organization" and mss["label"] == "중소벤처기업부" and "중기부" in mss["aliases"]
    for _a, _b, data in graph.edges(data=True):
        assert data["posts"] >= 1 and (data["first"] or "") <= (data["last"] or "")


def test_centrality_of_organisations(graph) -> None:
    rows = analysis.centrality(graph, "Organization")
    assert rows and all(graph.nodes[r["id"]]["type"] == "Organization" for r in rows)
    degrees = [r["degree"] for r in rows]
    assert degrees == sorted(degrees, reverse=True)
    simple = analysis.undirected(graph)
    best = max((n for n, d in simple.nodes(data=True) if d["type"] == "Organization"), key=simple.degree)
    assert rows[0]["degree"] == simple.degree(best)
    assert all(0 <= r["betweenness"] <= 1 and 0 <= r["closeness"] <= 1 for r in rows)
    assert len(analysis.centrality(graph, top=5)) == 5


def test_communities_partition_the_graph(graph) -> None:
    parts = analysis.communities(graph)
    members = [m for p in parts for m in p["members"]]
    assert sorted(members) == sorted(graph.nodes)  # every entity in exactly one community
    assert [p["size"] for p in parts] == sorted((p["size"] for p in parts), reverse=True)
    assert parts == analysis.communities(graph)  # seeded: the same every run


def test_program_operator_bipartite_view(samples_store, graph) -> None:
    b = analysis.program_operators(graph)
    assert nx.is_bipartite(b)
    assert {d["type"] for _n, d in b.nodes(data=True) if d["bipartite"] == 0} == {"Organization"}
    assert {d["type"] for _n, d in b.nodes(data=True) if d["bipartite"] == 1} == {"Program"}
    stated = samples_store.select(
        sparql_prefixes()
        + "SELECT DISTINCT ?o ?p WHERE { GRAPH ?g { ?o kg:operates ?p . ?g a schema:Article } }"
    )
    assert b.number_of_edges() == len(stated)
    table = analysis.bipartite_table(b)
    assert sum(r["count"] for r in table) == b.number_of_edges()
    pairs = analysis.projection_table(analysis.operator_projection(b))
    for r in pairs:  # two organisations are paired only when a program lists both
        assert any(r["organisation"] in t["operators"] and r["with"] in t["operators"] for t in table)


def test_timelines(samples_store) -> None:
    posts = analysis.post_timeline(samples_store)
    dated = samples_store.select(
        sparql_prefixes()
        + "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { GRAPH ?p { ?p a schema:Article ; dcterms:issued ?d } }"
    )
    assert len(posts) == int(dated[0]["n"].value)
    assert [p["date"] for p in posts] == sorted(p["date"] for p in posts)
    assert sum(m["posts"] for m in analysis.posts_per_month(posts)) == len(posts)
    held = analysis.membership_timeline(samples_store, "중소벤처기업부")
    assert held and all(m["organisation"] == "중소벤처기업부" for m in held)
    assert all(m["first"] == m["attested"][0] <= m["last"] == m["attested"][-1] for m in held)
    assert any(m["person"] == "한성숙" and m["role"] == "장관" for m in held)
    assert len(analysis.membership_timeline(samples_store)) > len(held)


def test_plots(samples_store, graph) -> None:
    pytest.importorskip("matplotlib")
    posts = analysis.post_timeline(samples_store)
    held = analysis.membership_timeline(samples_store, "중소벤처기업부")
    fig = analysis.plot_timeline(posts, held)
    bottom = fig.axes[1]
    assert next(t.get_text() for t in bottom.get_yticklabels()).startswith(held[0]["person"])
    fig = analysis.plot_bipartite(analysis.program_operators(graph))
    assert len(fig.axes[0].texts) == analysis.program_operators(graph).number_of_nodes()


def test_analysis_imports_no_spacy() -> None:
    code = "import sys, kg.views.analysis, kg.read.examples, kg.views.network; print(any(m.startswith(('spacy', 'kg.extract')) for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "False"
