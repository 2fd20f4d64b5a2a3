# ruff: noqa: F811  (pytest fixtures are imported from test_api_support and named as arguments)
"""The REST API on both backends: search, entities, neighbours, posts, docs, errors; a schemathesis
run against the OpenAPI schema; no spaCy in the API process (the pages in a browser: test_browser_web.py)."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.parse

import pytest
import rdflib
from fastapi.testclient import TestClient
from rdflib.compare import isomorphic

from api.main import create_app
from kg.store.base import Store

from .conftest import ROOT
from .test_api_support import (  # noqa: F401  (fixtures)
    LiveServer,
    backend,
    client,
    live,
    memory_store,
    oxigraph_server,
    sample_nquads,
    settings,
    virtuoso_server,
)

PERSON = "person/오기웅@중소벤처기업부"


def test_search_korean_partial_match(client: TestClient) -> None:
    hits = client.get("/entities", params={"q": "중기"}).json()["data"]
    assert hits[0]["id"] == "org/중소벤처기업부" and hits[0]["matched"] == "중기부"
    names = [h["name"] for h in client.get("/entities", params={"q": "소공인", "limit": 50}).json()["data"]]
    assert any("소공인성장촉진단" in n for n in names)
    assert any(n.endswith(("협회", "연합회")) for n in names)
    only = client.get("/entities", params={"q": "중기", "type": "Person"}).json()
    assert all(h["type"] == "Person" for h in only["data"])


def test_search_pages(client: TestClient) -> None:
    first = client.get("/entities", params={"q": "부", "limit": 3}).json()
    second = client.get("/entities", params={"q": "부", "limit": 3, "offset": 3}).json()
    assert first["count"] == second["count"] > 6
    assert not {h["id"] for h in first["data"]} & {h["id"] for h in second["data"]}


def test_entity_json(client: TestClient) -> None:
    data = client.get("/entities/org/중소벤처기업부").json()
    assert data["type"] == "Organization" and data["name"] == "중소벤처기업부"
    assert {"label": "중기부", "lang": "ko"} in data["aliases"]
    assert data["posts"] > 3 and data["facts"] >= data["posts"]


def test_entity_jsonld_and_turtle_are_the_same_graph(client: TestClient) -> None:
    ttl = client.get("/entities/org/중소벤처기업부", headers={"Accept": "text/turtle"})
    ld = client.get("/entities/org/중소벤처기업부", headers={"Accept": "application/ld+json"})
    assert ttl.headers["content-type"].startswith("text/turtle")
    assert ld.headers["content-type"].startswith("application/ld+json")
    context = json.loads((ROOT / "ontology" / "context.jsonld").read_text(encoding="utf-8"))["@context"]
    assert ld.json()["@context"] == context
    g1 = rdflib.Graph().parse(data=ttl.text, format="turtle")
    g2 = rdflib.Graph().parse(data=ld.text, format="json-ld")
    assert len(g1) > 5 and isomorphic(g1, g2)
    assert client.get("/entities/org/중소벤처기업부", params={"format": "turtle"}).text == ttl.text


def test_related_with_role_dates_and_evidence(client: TestClient) -> None:
    data = client.get(f"/entities/{PERSON}/related").json()
    held = [e for e in data["data"] if e["relation"] == "holdsPosition"]
    assert held and held[0]["entity"]["id"] == "org/중소벤처기업부" and held[0]["role"] == "차관"
    assert held[0]["direction"] == "out" and held[0]["start"]
    ev = held[0]["evidence"][0]
    assert "오기웅" in ev["sentence"] and ev["post_id"]
    post = client.get(f"/posts/{urllib.parse.quote(ev['post_id'])}").json()
    assert any("오기웅" in f["sentence"] for f in post["facts"])
    # seen from the organisation, the same membership points in
    org = client.get(
        "/entities/org/중소벤처기업부/related", params={"relation": "holdsPosition", "limit": 500}
    ).json()
    assert any(e["entity"]["id"] == PERSON and e["direction"] == "in" for e in org["data"])


def test_related_filters_and_paging(client: TestClient) -> None:
    url = "/entities/org/중소벤처기업부/related"
    full = client.get(url, params={"limit": 500}).json()
    assert full["count"] == len(full["data"]) > 10
    page = client.get(url, params={"limit": 5, "offset": 5}).json()
    assert page["data"] == full["data"][5:10]
    people = client.get(url, params={"type": "Person", "limit": 500}).json()
    assert people["data"] and all(e["entity"]["type"] == "Person" for e in people["data"])
    dated = client.get(url, params={"since": "2024-01-01", "until": "2024-12-31", "limit": 500}).json()
    assert 0 < dated["count"] < full["count"]
    for e in dated["data"]:
        days = [d for d in (e["start"], e["end"]) if d] + [v["date"] for v in e["evidence"] if v["date"]]
        assert max(days) >= "2024-01-01" and min(days) <= "2024-12-31"
    two = client.get(url, params={"depth": 2, "limit": 500}).json()
    assert two["count"] > full["count"] and {e["depth"] for e in two["data"]} <= {1, 2}
    assert all(e["via"] for e in two["data"] if e["depth"] == 2)


@pytest.mark.parametrize(
    ("url", "status", "words"),
    [
        ("/entities/org/없는기관", 404, "no entity"),
        ("/entities/org/없는기관/related", 404, "no entity"),
        ("/posts/no-such-post", 404, "no post"),
        ("/entities/thing/x", 422, "path segment 'kind'"),
        ("/entities?q=", 422, "query parameter 'q'"),
        ("/entities?q=a&limit=0", 422, "query parameter 'limit'"),
        ("/entities/org/중소벤처기업부/related?depth=9", 422, "query parameter 'depth'"),
        ("/entities/org/중소벤처기업부/related?since=2024-13-01", 422, "query parameter 'since'"),
        ("/entities/org/중소벤처기업부/related?since=2025-01-01&until=2024-01-01", 422, "after"),
        # regression (issue 12): impossible days gave 0 rows instead of an error
        ("/entities/org/중소벤처기업부/related?since=2021-02-31", 422, "query parameter 'since'"),
        ("/posts?since=2021-02-31", 422, "query parameter 'since': Value error, 2021-02-31 is not a day"),
        ("/posts?until=2023-02-29", 422, "query parameter 'until'"),
        ("/entities/org/a>%20%7D%20INSERT/related", 404, "no entity"),
    ],
)
def test_errors_say_what_is_wrong(client: TestClient, url: str, status: int, words: str) -> None:
    resp = client.get(url)
    assert resp.status_code == status, resp.text
    body = resp.json()
    text = body.get("message") or body["detail"]
    assert words in str(text)


def test_graph_view_of_an_unknown_id_is_a_page(client: TestClient) -> None:
    """Regression (issue 12): the 404 of graph.html answered JSON where the OpenAPI schema
    says text/html; the id in it is the user's text, escaped."""
    resp = client.get("/entities/org/<img src=x onerror=alert(1)>/graph.html")
    assert resp.status_code == 404 and resp.headers["content-type"].startswith("text/html")
    assert "&lt;img src=x onerror=alert(1)&gt;" in resp.text and "<img" not in resp.text
    declared = client.get("/openapi.json").json()["paths"]["/entities/{kind}/{key}/graph.html"]["get"]
    assert list(declared["responses"]["404"]["content"]) == ["text/html"]


def test_posts_stats_health_and_view(client: TestClient) -> None:
    posts = client.get("/posts", params={"since": "2024-01-01", "until": "2024-12-31"}).json()
    assert posts["count"] > 0 and all("2024-01-01" <= p["published"] <= "2024-12-31" for p in posts["data"])
    stats = client.get("/stats").json()
    assert stats["posts"] >= 30 and stats["entities"]["Organization"] > 10
    assert client.get("/health").json()["status"] == "ok"
    html = client.get("/entities/org/중소벤처기업부/graph.html")
    assert html.status_code == 200 and "중소벤처기업부" in html.text
    assert client.get("/context.jsonld").json()["@context"]["kgr"].endswith("/id/")


def test_openapi_describes_every_parameter(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    missing = [
        f"{method.upper()} {path} {p['name']}"
        for path, ops in schema["paths"].items()
        for method, op in ops.items()
        for p in op.get("parameters", [])
        if not p.get("description") and not p.get("schema", {}).get("description")
    ]
    assert not missing
    for name in ("EntityPublic", "EntitiesPublic", "RelatedPublic", "PostPublic", "PostsPublic", "Problem"):
        assert name in schema["components"]["schemas"]


def test_schemathesis_finds_no_server_errors(sample_nquads: bytes) -> None:
    """Every operation of the OpenAPI schema, fuzzed: any answer but a 5xx is fine."""
    import schemathesis
    from hypothesis import HealthCheck, given
    from hypothesis import settings as hyp_settings

    app = create_app(settings(query_timeout=2.0), memory_store(sample_nquads))
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures: list[str] = []

    def fuzz(operation: object) -> None:
        @hyp_settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        @given(operation.as_strategy())  # type: ignore[attr-defined]
        def check(case: object) -> None:
            response = case.call()  # type: ignore[attr-defined]
            assert response.status_code < 500, (case, response.status_code, response.text[:300])

        check()

    operations = [op.ok() for op in schema.get_all_operations()]
    assert len(operations) >= 10
    for operation in operations:
        try:
            fuzz(operation)
        except AssertionError as exc:
            failures.append(str(exc)[:500])
    assert not failures, failures


def test_the_api_process_does_not_import_spacy(tmp_path) -> None:  # type: ignore[no-untyped-def]
    code = """
import sys
from fastapi.testclient import TestClient
from api.main import create_app
from kg.config import Settings
c = TestClient(create_app(Settings(store="memory")))
assert c.get("/health").status_code == 200
assert c.get("/entities", params={"q": "중기"}).status_code == 200
bad = sorted(m for m in sys.modules if m.split(".")[0] in ("spacy", "thinc", "mecab") or m.startswith("kg.extract"))
print(",".join(bad))
"""
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == ""


def test_query_page_is_offline(client: TestClient) -> None:
    """The editor page loads only files of this app (vendored YASGUI) and carries its config as JSON."""
    html = client.get("/").text
    assert 'src="static/vendor/yasgui/yasgui.min.js"' in html and "ministers" in html
    assert 'src="http' not in html and 'href="http' not in html and "@import" not in html
    assert client.get("/sparql", headers={"Accept": "text/html"}).text == html
    assert client.get("/static/vendor/yasgui/yasgui.min.js").status_code == 200


def test_backend_kinds_answer_alike(backend: Store, client: TestClient) -> None:
    assert client.get("/health").json()["store"] in ("OxigraphStore", "RemoteStore")
    assert type(backend).__name__ == client.get("/health").json()["store"]
