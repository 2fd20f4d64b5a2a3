"""Admin SPARQL Updates through /sparql keep the default graph equal to the union of the named
graphs (issue 13, part 4), for any sequence of updates: a property test with hypothesis.

Regression: an admin update through /sparql wrote only where it said (a named graph, or the
default graph), so the materialised default graph drifted from the union of the post graphs.
"""

from __future__ import annotations

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.main import create_app
from kg.store import open_store
from kg.store.base import Store, graph_node

from .test_api_support import ADMIN
from .test_api_support import settings as app_settings

EX = "https://example.org/"
GRAPHS = [f"<{EX}g{i}>" for i in range(3)]
TRIPLES = [f"<{EX}s{s}> <{EX}p{p}> <{EX}o{o}>" for s in range(2) for p in range(2) for o in range(2)]
META = graph_node("meta").value

graph = st.sampled_from(GRAPHS)
triple = st.sampled_from(TRIPLES)
operation = st.one_of(
    st.builds(lambda g, t: f"INSERT DATA {{ GRAPH {g} {{ {t} }} }}", graph, triple),
    st.builds(lambda t: f"INSERT DATA {{ {t} }}", triple),
    st.builds(lambda g, t: f"DELETE DATA {{ GRAPH {g} {{ {t} }} }}", graph, triple),
    st.builds(lambda t: f"DELETE DATA {{ {t} }}", triple),
    st.builds(lambda g: f"DROP SILENT GRAPH {g}", graph),
    st.builds(lambda g: f"CLEAR SILENT GRAPH {g}", graph),
    st.just("CLEAR DEFAULT"),
    st.builds(lambda g: f"DELETE WHERE {{ GRAPH {g} {{ ?s <{EX}p0> ?o }} }}", graph),
    st.builds(lambda a, b: f"COPY SILENT {a} TO {b}", graph, graph),
    st.builds(lambda a, b: f"MOVE SILENT {a} TO {b}", graph, graph),
    st.builds(lambda a, b: f"ADD SILENT {a} TO {b}", graph, graph),
    st.builds(
        lambda g, h: f"INSERT {{ GRAPH {h} {{ ?s ?p ?o }} }} WHERE {{ GRAPH {g} {{ ?s ?p ?o }} }}",
        graph,
        graph,
    ),
)
updates = st.lists(st.lists(operation, min_size=1, max_size=3).map(" ;\n".join), min_size=1, max_size=5)


def default_graph(store: Store) -> set[str]:
    return {f"{r['s']} {r['p']} {r['o']}" for r in store.select("SELECT ?s ?p ?o WHERE { ?s ?p ?o }")}


def union(store: Store) -> set[str]:
    rows = store.select(
        f"SELECT DISTINCT ?s ?p ?o WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != <{META}>) }}"
    )
    return {f"{r['s']} {r['p']} {r['o']}" for r in rows}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(updates)
def test_admin_updates_leave_the_default_graph_equal_to_the_union(sequence: list[str]) -> None:
    store = open_store("memory")
    client = TestClient(create_app(app_settings(graph_index=False), store))
    headers = {"Authorization": f"Bearer {ADMIN}", "Content-Type": "application/sparql-update"}
    generations = {store.generation()}
    for text in sequence:
        answer = client.post("/sparql", content=text.encode("utf-8"), headers=headers)
        assert answer.status_code == 204, (text, answer.text)
        assert default_graph(store) == union(store), text
        generations.add(store.generation())
    assert len(generations) == len(sequence) + 1  # every update marks a new generation


def test_an_update_ending_with_a_semicolon_or_only_a_prefix_still_works() -> None:
    store = open_store("memory")
    client = TestClient(create_app(app_settings(graph_index=False), store))
    headers = {"Authorization": f"Bearer {ADMIN}", "Content-Type": "application/sparql-update"}
    text = f"PREFIX ex: <{EX}>\nINSERT DATA {{ GRAPH ex:g0 {{ ex:a ex:b ex:c }} }} ;\n"
    assert client.post("/sparql", content=text.encode(), headers=headers).status_code == 204
    assert default_graph(store) == union(store) == {f"<{EX}a> <{EX}b> <{EX}c>"}
    broken = client.post("/sparql", content=b"INSERT DATA { <x> ", headers=headers)
    assert broken.status_code == 400
