# ruff: noqa: F811  (pytest fixtures are imported from test_api_support and named as arguments)
"""/reconcile against the Reconciliation Service API 0.2: every answer checked with the JSON
schemas in tests/schemas/reconciliation-0.2 (written from the specification), through a client
that asks the way OpenRefine does, over real HTTP to the app on 127.0.0.1."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import httpx
import jsonschema
import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from kg.store.oxigraph import OxigraphStore

from .conftest import ROOT
from .test_api_support import LiveServer, memory_store, sample_nquads, settings, site  # noqa: F401  (fixtures)

SCHEMAS = ROOT / "tests" / "schemas" / "reconciliation-0.2"
MSS = "org/중소벤처기업부"


@cache
def schema(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SCHEMAS / f"{name}.json").read_text(encoding="utf-8"))
    jsonschema.Draft7Validator.check_schema(data)
    return data


def valid(name: str, data: Any) -> Any:
    jsonschema.Draft7Validator(schema(name), format_checker=jsonschema.FormatChecker()).validate(data)
    return data


class OpenRefineClient:
    """What OpenRefine sends: the manifest by GET, `queries=` and `extend=` as POST form fields,
    suggest and property proposals by GET at the paths the manifest names. Every request it
    builds and every answer it reads is checked against the specification's schemas."""

    def __init__(self, endpoint: str) -> None:
        self.endpoint = endpoint
        self.http = httpx.Client(timeout=30)
        self.manifest = valid("manifest", self.http.get(endpoint).json())

    def _service(self, kind: str) -> str:
        s = (
            self.manifest["extend"]["propose_properties"]
            if kind == "propose"
            else self.manifest["suggest"][kind]
        )
        return s["service_url"] + s.get("service_path", "")

    def reconcile(self, batch: dict[str, Any]) -> dict[str, Any]:
        valid("query-batch", batch)
        r = self.http.post(self.endpoint, data={"queries": json.dumps(batch, ensure_ascii=False)})
        r.raise_for_status()
        return valid("result-batch", r.json())

    def extend(self, ids: list[str], properties: list[str]) -> dict[str, Any]:
        request = valid("extend-query", {"ids": ids, "properties": [{"id": p} for p in properties]})
        r = self.http.post(self.endpoint, data={"extend": json.dumps(request, ensure_ascii=False)})
        r.raise_for_status()
        return valid("extend-response", r.json())

    def suggest(self, kind: str, prefix: str, **params: Any) -> list[dict[str, Any]]:
        r = self.http.get(self._service(kind), params={"prefix": prefix, **params})
        r.raise_for_status()
        result: list[dict[str, Any]] = valid("suggest-response", r.json())["result"]
        return result

    def propose(self, type_id: str) -> list[dict[str, Any]]:
        r = self.http.get(self._service("propose"), params={"type": type_id})
        r.raise_for_status()
        props: list[dict[str, Any]] = valid("propose-properties", r.json())["properties"]
        return props


@pytest.fixture(scope="module")
def refine(site: LiveServer) -> OpenRefineClient:
    return OpenRefineClient(site.url + "/reconcile")


def test_manifest(refine: OpenRefineClient, site: LiveServer) -> None:
    m = refine.manifest
    assert m["versions"] == ["0.2"] and m["identifierSpace"] == "https://kg.example.org/id/"
    assert [t["id"] for t in m["defaultTypes"]] == ["Organization", "Person", "Program", "Event"]
    assert m["view"]["url"] == site.url + "/entities/{{id}}"
    assert m["preview"]["url"].startswith(site.url + "/reconcile/preview?id=")
    jsonp = httpx.get(site.url + "/reconcile", params={"callback": "jQuery_1"})
    assert jsonp.headers["content-type"].startswith("application/javascript")
    assert jsonp.text.startswith("/**/jQuery_1({") and jsonp.text.endswith("});")
    assert httpx.get(site.url + "/reconcile", params={"callback": "alert(1)//"}).status_code == 400


def test_names_aliases_and_legal_forms_match(refine: OpenRefineClient) -> None:
    answer = refine.reconcile(
        {
            "q0": {"query": "중기부", "type": "Organization"},  # the 이하 short name
            "q1": {"query": "중소벤처기업부"},
            "q2": {"query": "(사)한국소공인협회", "type": "Organization"},  # legal form ignored
            "q3": {"query": "한성숙", "type": "Person", "limit": 3},
            "q4": {"query": "소공인성장", "type": "Organization"},  # a part of a name: candidates, no match
        }
    )
    assert answer.keys() == {"q0", "q1", "q2", "q3", "q4"}
    for key, expected in (
        ("q0", MSS),
        ("q1", MSS),
        ("q2", "org/한국소공인협회"),
        ("q3", "person/한성숙@중소벤처기업부"),
    ):
        best = answer[key]["result"][0]
        assert (best["id"], best["match"]) == (expected, True), key
    assert answer["q0"]["result"][0]["score"] == 95.0 and answer["q1"]["result"][0]["score"] == 100.0
    assert answer["q3"]["result"][0]["description"] == "인물 (Person) · 중소벤처기업부 장관"
    part = answer["q4"]["result"]
    assert part and "소공인성장촉진단" in part[0]["name"] and not any(c["match"] for c in part)
    assert all(c["score"] < 95 for c in part)


def test_namesakes_need_a_property_to_match(refine: OpenRefineClient) -> None:
    """이병권 is two people in the graph (keyed by the body they head): no match on the name alone;
    the organisation or the title settles it, and a wrong parent lowers the score."""
    answer = refine.reconcile(
        {
            "name": {"query": "이병권", "type": "Person"},
            "org": {
                "query": "이병권",
                "type": "Person",
                "properties": [{"pid": "organization", "v": "중기부"}],
            },
            "role": {"query": "이병권", "type": "Person", "properties": [{"pid": "role", "v": "청장"}]},
            "byid": {
                "query": "이병권",
                "type": ["Person"],
                "properties": [{"pid": "organization", "v": {"id": MSS}}],
            },
            "wrong": {"query": "소공인성장촉진단", "properties": [{"pid": "parent", "v": "행정안전부"}]},
            "right": {"query": "소공인성장촉진단", "properties": [{"pid": "parent", "v": "중소벤처기업부"}]},
        }
    )
    names = answer["name"]["result"]
    assert len(names) == 2 and not any(c["match"] for c in names) and {c["score"] for c in names} == {100.0}
    assert (answer["org"]["result"][0]["id"], answer["org"]["result"][0]["match"]) == (
        "person/이병권@중소벤처기업부",
        True,
    )
    assert (
        answer["byid"]["result"][0]["id"] == "person/이병권@중소벤처기업부"
        and answer["byid"]["result"][0]["match"]
    )
    assert (
        answer["role"]["result"][0]["id"] == "person/이병권@서울지방중소벤처기업청"
        and answer["role"]["result"][0]["match"]
    )
    assert {"id": "organization", "value": False} in answer["org"]["result"][1]["features"]
    wrong, right = answer["wrong"]["result"][0], answer["right"]["result"][0]
    assert wrong["id"] == right["id"] and right["match"] and not wrong["match"]
    assert wrong["score"] == right["score"] - 30


def test_type_filter(refine: OpenRefineClient) -> None:
    answer = refine.reconcile(
        {"q": {"query": "중소벤처기업부", "type": "Person"}, "e": {"query": "현장 방문", "type": "Event"}}
    )
    assert all(t["id"] == "Person" for c in answer["q"]["result"] for t in c["type"])
    assert answer["e"]["result"] and all(c["type"][0]["id"] == "Event" for c in answer["e"]["result"])


def test_get_and_post_batches_agree(site: LiveServer, refine: OpenRefineClient) -> None:
    batch = {"q0": {"query": "창업진흥원"}, "q1": {"query": "이병권", "type": "Person"}}
    by_get = httpx.get(site.url + "/reconcile", params={"queries": json.dumps(batch)}).json()
    assert valid("result-batch", by_get) == refine.reconcile(batch)


def test_bad_requests_say_what_is_wrong(site: LiveServer) -> None:
    url = site.url + "/reconcile"
    for queries, words in (
        ("{not json", "not valid JSON"),
        ('{"q0": {"query": "중기부", "type": "Ministry"}}', "unknown type"),
        (
            '{"q0": {"query": "중기부", "properties": [{"pid": "colour", "v": "red"}]}}',
            "unknown property 'colour'",
        ),
        ('{"q0": {"properties": [{"pid": "parent", "v": "중기부"}]}}', "needs a name"),
        ('["중기부"]', "JSON object"),
    ):
        r = httpx.post(url, data={"queries": queries})
        assert r.status_code == 400 and words in r.json()["detail"], (queries, r.text)


def test_data_extension(refine: OpenRefineClient) -> None:
    task_force = refine.reconcile({"q": {"query": "소공인성장촉진단"}})["q"]["result"][0]["id"]
    proposed = [p["id"] for p in refine.propose("Organization")]
    assert {"parent", "head", "alias", "founded"} <= set(proposed)
    assert "role" in [p["id"] for p in refine.propose("Person")]
    answer = refine.extend(
        [MSS, task_force, "person/한성숙@중소벤처기업부", "org/없는기관"],
        ["parent", "head", "alias", "founded"],
    )
    assert [m["id"] for m in answer["meta"]] == ["parent", "head", "alias", "founded"]
    rows = answer["rows"]
    assert rows[task_force]["parent"] == [{"id": MSS, "name": "중소벤처기업부"}]
    assert rows[task_force]["founded"] == [{"date": "2025-12-01T00:00:00Z"}]
    assert rows[MSS]["head"][0] == {
        "id": "person/한성숙@중소벤처기업부",
        "name": "한성숙",
    }  # the latest first
    assert {"str": "중기부"} in rows[MSS]["alias"]
    assert rows["org/없는기관"] == {"parent": [], "head": [], "alias": [], "founded": []}
    person = refine.extend(["person/한성숙@중소벤처기업부"], ["organization", "role"])["rows"][
        "person/한성숙@중소벤처기업부"
    ]
    assert person == {"organization": [{"id": MSS, "name": "중소벤처기업부"}], "role": [{"str": "장관"}]}


def test_suggest(refine: OpenRefineClient) -> None:
    first = refine.suggest("entity", "중기", type="Organization")[0]
    assert first["id"] == MSS and first["description"].endswith("별칭 중기부")
    assert first["notable"] == [{"id": "Organization", "name": "조직 (Organization)"}]
    page2 = refine.suggest("entity", "중기", cursor=2, limit=2)
    assert len(page2) == 2 and page2[0]["id"] != first["id"]
    assert [t["id"] for t in refine.suggest("type", "org")] == ["Organization"]
    assert [p["id"] for p in refine.suggest("property", "parent")] == ["parent"]


def test_preview_escapes_what_it_shows(sample_nquads: bytes) -> None:
    """A name from a post reaches the preview card as text, never as markup."""
    store: OxigraphStore = memory_store(sample_nquads)
    store.update(
        "INSERT DATA { <https://kg.example.org/id/org/hostile> a <http://www.w3.org/ns/org#Organization> ;"
        ' <http://www.w3.org/2004/02/skos/core#prefLabel> "<img src=x onerror=alert(1)>"@ko ;'
        ' <http://www.w3.org/2004/02/skos/core#altLabel> "</dd><script>alert(2)</script>"@ko }'
    )
    client = TestClient(create_app(settings(), store))
    html = client.get("/reconcile/preview", params={"id": "org/hostile"}).text
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<script>alert(2)" not in html
    assert client.get("/reconcile/preview", params={"id": "org/없는기관"}).status_code == 404


def test_openapi_describes_the_reconciliation_routes(site: LiveServer) -> None:
    paths = httpx.get(site.url + "/openapi.json").json()["paths"]
    for path in ("/reconcile", "/reconcile/suggest/entity", "/reconcile/suggest/type",
                 "/reconcile/suggest/property", "/reconcile/properties", "/reconcile/preview"):  # fmt: skip
        assert path in paths, path
    assert {"get", "post"} <= set(paths["/reconcile"])
    body = paths["/reconcile"]["post"]["requestBody"]["content"]["application/x-www-form-urlencoded"]
    assert {"queries", "extend"} <= set(body["schema"]["properties"])
    assert "/docs" not in paths and "/redoc/redoc.standalone.js" not in paths
