"""Network views without a browser: what is collected from the store, and what the page holds."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from kg.read.queries import EDGE_PREDICATES, entity_iri
from kg.views import network as viz
from kg.vocab.ontology import sparql_prefixes

MSS = entity_iri("org/중소벤처기업부")
HOSTILE = [
    "<img src=x onerror=alert(1)>",
    "</script><script>alert(1)</script>",
    '<a href="javascript:alert(1)">링크</a>',
    "<!-- 주석 --> & \u2028 끝",
]


def page_json(html: str) -> dict:
    m = re.search(r'<script type="application/json" id="kg-data">(.*?)</script>', html, re.S)
    assert m, "no data block"
    return json.loads(m.group(1))


def test_ego_network_around_the_ministry(samples_store) -> None:
    nodes, edges = viz.neighbourhood(samples_store, "org/중소벤처기업부", hops=1)
    ids = {n.id for n in nodes}
    (center,) = [n for n in nodes if n.info.get("center")]
    assert center.id == MSS and center.label == "중소벤처기업부" and "중기부" in center.info["aliases"]
    assert center.info["posts"] > 5 and center.info["facts"] >= center.info["posts"]
    assert all(e.source in ids and e.target in ids for e in edges)
    adjacent = {e.source for e in edges if e.target == MSS} | {e.target for e in edges if e.source == MSS}
    assert ids - {MSS} == adjacent  # one hop: every other entity is linked to the ministry
    for e in edges:
        assert e.evidence, e
        for ev in e.evidence:
            if e.relation == "succession":  # a change of bodies: its note, date and public source
                assert ev["sentence"] and ev["title"] and ev["date"] and ev["url"].startswith("http")
            else:
                assert ev["sentence"] and ev["post"] and ev["title"] and ev["id"]
    assert any(e.relation == "succession" and e.date == "2017-07-26" for e in edges)  # from 중소기업청
    roles = {(e.role, next(n.label for n in nodes if n.id == e.source)) for e in edges if e.target == MSS}
    assert ("장관", "한성숙") in roles


def test_more_hops_reach_further(samples_store) -> None:
    sizes = []
    previous: set[str] = set()
    for hops in (1, 2, 3):
        nodes, _ = viz.neighbourhood(samples_store, "org/중소벤처기업부", hops=hops)
        ids = {n.id for n in nodes}
        assert previous <= ids
        previous = ids
        sizes.append(len(ids))
    assert sizes[0] < sizes[1] <= sizes[2]


def test_limit_keeps_the_nearest(samples_store) -> None:
    near, _ = viz.neighbourhood(samples_store, "org/중소벤처기업부", hops=1)
    nodes, edges = viz.neighbourhood(samples_store, "org/중소벤처기업부", hops=2, limit=10)
    ids = {n.id for n in nodes}
    assert len(ids) == 10 and MSS in ids and ids <= {n.id for n in near}
    assert all(e.source in ids and e.target in ids for e in edges)


@pytest.mark.parametrize("entity", ["org/없는기관", "org/x> ?p ?o } #", "post/sample", "nothing"])
def test_unknown_entity(samples_store, entity: str) -> None:
    with pytest.raises(KeyError):
        viz.neighbourhood(samples_store, entity)


def test_whole_graph_draws_every_fact_between_entities(samples_store) -> None:
    nodes, edges = viz.whole_graph(samples_store)
    # counted independently: distinct (subject, predicate, object) of post facts between
    # entities, and distinct (person, organisation, title) of stated memberships
    preds = " ".join(EDGE_PREDICATES)
    rows = samples_store.select(
        sparql_prefixes()
        + f"""SELECT (COUNT(*) AS ?n) WHERE {{ {{ SELECT DISTINCT ?s ?p ?o WHERE {{
  GRAPH ?g {{ ?f a kg:Fact ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o }} ?g a schema:Article
  FILTER(?p IN ({", ".join(preds.split())})) FILTER(isIRI(?o)) }} }} }}"""
    )
    members = samples_store.select(
        sparql_prefixes()
        + """SELECT (COUNT(*) AS ?n) WHERE { { SELECT DISTINCT ?person ?org ?role WHERE {
  GRAPH ?g { ?f rdf:subject ?m ; rdf:predicate org:member ; rdf:object ?person .
             ?m org:organization ?org ; kg:roleLabel ?role } } } }"""
    )
    entities = {n.id for n in nodes}
    changes = samples_store.select(
        sparql_prefixes()
        + "SELECT DISTINCT ?a ?b ?k WHERE { ?e org:originalOrganization ?a ; org:resultingOrganization ?b ; kg:changeKind ?k }"
    )
    succession = [r for r in changes if r["a"].value in entities and r["b"].value in entities]
    assert len(edges) == int(rows[0]["n"].value) + int(members[0]["n"].value) + len(succession)
    assert {n.id for n in nodes} == {e.source for e in edges} | {e.target for e in edges}
    assert {n.type for n in nodes} <= {"Organization", "Person", "Program", "Event", "Place"}
    attend = [e for e in edges if e.relation == "participatedIn"]
    assert attend and all(e.target.startswith(entity_iri("event/")) and e.date for e in attend)


def test_whole_graph_limit_keeps_the_best_connected(samples_store) -> None:
    nodes, edges = viz.whole_graph(samples_store, limit=20)
    ids = {n.id for n in nodes}
    assert len(ids) == 20 and MSS in ids
    assert all(e.source in ids and e.target in ids for e in edges)


@pytest.mark.parametrize(("renderer", "scripts"), [("vis", 3), ("webgl", 4)])
def test_page_loads_nothing_from_the_network(samples_store, renderer: str, scripts: int) -> None:
    """Both pages: libraries, the evidence helper and the page's script inline, with the nonce."""
    html = viz.render(
        *viz.neighbourhood(samples_store, "org/중소벤처기업부"), title="중기부", renderer=renderer
    )
    assert not re.search(r"<(link|img|iframe|object|embed)\b", html, re.I)
    assert not re.search(r"<script[^>]*\bsrc=", html, re.I)
    assert not re.search(r"\b(src|href)\s*=\s*[\"']?(https?:)?//", html, re.I)
    assert "sourceMappingURL" not in html
    assert not re.search(r"\bcdn\b|cdnjs|jsdelivr|unpkg", html, re.I)
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html)
    assert csp and "default-src 'none'" in csp.group(1)
    nonce = re.search(r"'nonce-([^']+)'", csp.group(1))
    assert nonce and html.count(f'<script nonce="{nonce.group(1)}">') == scripts
    assert "Noto Sans KR" in html and "Nanum Gothic" in html  # a font stack with Hangul


def test_page_data_carries_evidence_and_legend(samples_store) -> None:
    nodes, edges = viz.neighbourhood(samples_store, "org/중소벤처기업부")
    data = page_json(viz.render(nodes, edges))
    assert len(data["nodes"]) == len(nodes) and len(data["edges"]) == len(edges)
    legend = {t["name"]: t for t in data["types"]}
    assert legend["Person"]["ko"] == "인물" and legend["Organization"]["shape"] != legend["Person"]["shape"]
    degree = {n["id"]: 0 for n in data["nodes"]}
    for e in data["edges"]:
        degree[e["from"]] += 1
        degree[e["to"]] += 1
        for s, p in e["kg"]["evidence"]:
            assert data["sentences"][s] and data["posts"][p]["title"]
        assert (e["kg"]["from"] or "") <= (e["kg"]["until"] or "")
    assert all(n["value"] == 1 + degree[n["id"]] for n in data["nodes"])


def hostile_view() -> tuple[list[viz.Node], list[viz.EdgeView]]:
    nodes = [
        viz.Node(entity_iri(f"org/bad{i}"), text, "Organization", {"aliases": [text]})
        for i, text in enumerate(HOSTILE)
    ]
    nodes.append(viz.Node(entity_iri("person/x"), "사람", "Person"))
    edges = [
        viz.EdgeView(
            entity_iri("person/x"),
            n.id,
            "holdsPosition",
            role=HOSTILE[1],
            evidence=[
                {
                    "sentence": HOSTILE[0] + " 문장",
                    "post": entity_iri("post/p"),
                    "id": "p",
                    "title": HOSTILE[2],
                    "date": "2025-12-03",
                    "url": "javascript:alert(1)",
                }
            ],
        )
        for n in nodes[:-1]
    ]
    return nodes, edges


def test_hostile_text_stays_data() -> None:
    html = viz.render(*hostile_view(), title=HOSTILE[1])
    for text in HOSTILE:
        assert text not in html
    ours = html.replace(viz.vis_network_js(), "")  # the library itself holds "<script>" in a string
    assert "<img" not in ours and ours.lower().count("<script") == 4 and "<!-- " not in ours
    data = page_json(html)
    assert [n["label"] for n in data["nodes"][:4]] == HOSTILE
    assert data["title"] == HOSTILE[1] and data["posts"][0]["title"] == HOSTILE[2]
    assert data["posts"][0]["url"] is None  # only http(s) links reach the page


@given(
    st.recursive(
        st.text() | st.integers(-(2**53), 2**53) | st.none(),
        lambda c: st.lists(c) | st.dictionaries(st.text(), c),
    )
)
def test_script_json_cannot_leave_its_element(value) -> None:
    text = viz.script_json(value)
    assert "<" not in text and ">" not in text and "\u2028" not in text
    assert json.loads(text) == value


def test_iframe_for_notebooks() -> None:
    html = viz.render(*hostile_view())
    frame = viz.iframe(html, height=300)
    start = '<div class="kg-view"><iframe srcdoc="'
    assert frame.startswith(start) and "height:300px" in frame and frame.endswith("</iframe></div>")
    assert '"' not in frame[len(start) : frame.index('" style=')]


def _disk_store(samples_store, tmp_path: Path) -> str:
    from kg.store.oxigraph import OxigraphStore

    path = tmp_path / "store"
    store = OxigraphStore(path)
    store.load(samples_store.dump("nq"), "nq")
    store.close()
    del store
    return str(path)


def test_cli_writes_a_view(samples_store, tmp_path: Path) -> None:
    from kg.cli.commands import main

    store = _disk_store(samples_store, tmp_path)
    out = tmp_path / "mss.html"
    result = CliRunner().invoke(
        main, ["viz", "--store", store, "--entity", "중기부", "--hops", "2", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    data = page_json(out.read_text(encoding="utf-8"))
    nodes, edges = viz.neighbourhood(samples_store, "org/중소벤처기업부", hops=2)
    assert (len(data["nodes"]), len(data["edges"])) == (len(nodes), len(edges))
    assert data["title"] == "중소벤처기업부 — kg"
    whole = tmp_path / "all.html"
    assert CliRunner().invoke(main, ["viz", "--store", store, "-o", str(whole)]).exit_code == 0
    assert len(page_json(whole.read_text(encoding="utf-8"))["nodes"]) == len(
        viz.whole_graph(samples_store)[0]
    )
    missing = CliRunner().invoke(
        main, ["viz", "--store", store, "--entity", "없는이름없는", "-o", str(tmp_path / "x.html")]
    )
    assert missing.exit_code == 1 and "no entity" in missing.output
    assert not (tmp_path / "x.html").exists()


def test_api_serves_the_same_view(samples_store) -> None:
    from fastapi.testclient import TestClient

    from api.main import create_app

    client = TestClient(create_app(store=samples_store))
    response = client.get("/entities/org/중소벤처기업부/graph.html", params={"hops": 2})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    data = page_json(response.text)
    nodes, edges = viz.neighbourhood(samples_store, "org/중소벤처기업부", hops=2)
    assert (len(data["nodes"]), len(data["edges"])) == (len(nodes), len(edges))
    assert "default-src 'none'" in response.text


def test_views_over_a_remote_store(samples_store, tmp_path: Path) -> None:
    """`kg viz --store http://…`: the same view from an Oxigraph server over SPARQL HTTP."""
    from kg.store.remote import RemoteStore
    from kg.store.server import OxigraphServer

    server = OxigraphServer(tmp_path / "oxigraph")
    try:
        remote = RemoteStore(server.url)
        remote.load(samples_store.dump("nq"), "nq")
        for collect in (
            lambda s: viz.whole_graph(s),
            lambda s: viz.neighbourhood(s, "org/중소벤처기업부", hops=2),
        ):
            here, there = collect(samples_store), collect(remote)
            assert {n.id: (n.label, n.type, n.info["posts"]) for n in here[0]} == {
                n.id: (n.label, n.type, n.info["posts"]) for n in there[0]
            }
            assert sorted((e.source, e.target, e.relation, len(e.evidence)) for e in here[1]) == sorted(
                (e.source, e.target, e.relation, len(e.evidence)) for e in there[1]
            )
    finally:
        server.stop()
