"""/reconcile: the W3C Reconciliation Service API 0.2 (OpenRefine and other clients).

`GET /reconcile` is the manifest; `queries=` (GET or POST form) a batch of reconciliation
queries; `extend=` data extension. Suggest services, proposed properties and an HTML preview
card sit under /reconcile/. The logic is kg.read.reconcile; this module parses and answers.
A `callback=` parameter wraps any JSON answer as JSONP (older clients ask for it).
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import parse_qs

import orjson
from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.concurrency import run_in_threadpool

from api.deps import IndexDep, StoreDep
from kg.read import queries as entity_queries
from kg.read import reconcile as rec
from kg.read.queries import entity_id, entity_iri

router = APIRouter(prefix="/reconcile", tags=["reconcile"])
TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
_CALLBACK = re.compile(r"^[A-Za-z_$][\w$.]{0,63}$")

QUERY_HELP = (
    'A JSON batch of reconciliation queries, e.g. {"q0": {"query": "중기부", "type": "Organization", '
    '"limit": 3, "properties": [{"pid": "parent", "v": "…"}]}}.'
)
EXTEND_HELP = (
    'A JSON data extension request: {"ids": ["org/중소벤처기업부"], "properties": [{"id": "head"}]}.'
)
CALLBACK_HELP = "JSONP: wrap the JSON answer in a call of this function."
ANSWERS: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The manifest (no parameter), a reconciliation result batch (`queries`) or a data "
        "extension response (`extend`), as the Reconciliation Service API 0.2 defines them.",
        "content": {"application/json": {}, "application/javascript": {}},
    },
    400: {"description": "Malformed JSON, an unknown type or property, or a query without text."},
}
FORM_BODY = {
    "requestBody": {
        "description": "Form fields `queries=` or `extend=` (JSON text), as OpenRefine sends them.",
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "queries": {"type": "string", "description": QUERY_HELP},
                        "extend": {"type": "string", "description": EXTEND_HELP},
                        "callback": {"type": "string", "description": CALLBACK_HELP},
                    },
                }
            }
        },
    }
}


def _answer(data: Any, callback: str | None) -> Response:
    body = orjson.dumps(data)
    if callback:
        if not _CALLBACK.match(callback):
            raise HTTPException(status_code=400, detail="callback must be a JavaScript identifier")
        return Response(
            f"/**/{callback}(".encode() + body + b");",
            media_type="application/javascript",
            headers={"X-Content-Type-Options": "nosniff"},
        )
    return Response(body, media_type="application/json", headers={"Access-Control-Allow-Origin": "*"})


def _json_field(name: str, text: str) -> Any:
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise HTTPException(status_code=400, detail=f"{name} is not valid JSON: {exc}") from None


def _base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/") + str(request.scope.get("root_path", "")).rstrip("/")


async def _service(
    request: Request, store: Any, index: Any, queries: str | None, extend: str | None, callback: str | None
) -> Response:
    if queries is None and extend is None:
        return _answer(rec.manifest(_base_url(request)), callback)
    labels = await run_in_threadpool(index.labels)
    try:
        if queries is not None:
            batch = _json_field("queries", queries)
            if not isinstance(batch, dict):
                raise rec.ReconcileError("queries must be a JSON object of named queries")
            data = await run_in_threadpool(rec.reconcile, store, labels, batch)
        else:
            wanted = _json_field("extend", extend or "")
            if not isinstance(wanted, dict):
                raise rec.ReconcileError("extend must be a JSON object with ids and properties")
            data = await run_in_threadpool(rec.extend, store, labels, wanted)
    except rec.ReconcileError as exc:
        raise HTTPException(status_code=400, detail=str(exc)) from None
    return _answer(data, callback)


@router.get(
    "", summary="Reconciliation service: manifest, queries or data extension (GET)", responses=ANSWERS
)
async def service_get(
    request: Request,
    store: StoreDep,
    index: IndexDep,
    queries: Annotated[str | None, Query(description=QUERY_HELP)] = None,
    extend: Annotated[str | None, Query(description=EXTEND_HELP)] = None,
    callback: Annotated[str | None, Query(description=CALLBACK_HELP)] = None,
) -> Response:
    """Without parameters: the service manifest (name, identifierSpace, schemaSpace, defaultTypes,
    view, preview, suggest and extend settings). With `queries`: candidates for each query,
    scored 0–100, `match` only when unambiguous. With `extend`: property values of entities."""
    return await _service(request, store, index, queries, extend, callback)


@router.post(
    "",
    summary="Reconciliation service: queries or data extension (POST form)",
    responses=ANSWERS,
    openapi_extra=FORM_BODY,
)
async def service_post(request: Request, store: StoreDep, index: IndexDep) -> Response:
    """The same as GET with the fields in an `application/x-www-form-urlencoded` body (OpenRefine's way)."""
    body = (await request.body()).decode("utf-8", errors="strict")
    form = {k: v[0] for k, v in parse_qs(body, keep_blank_values=True).items()}
    params = request.query_params
    return await _service(
        request,
        store,
        index,
        form.get("queries", params.get("queries")),
        form.get("extend", params.get("extend")),
        form.get("callback", params.get("callback")),
    )


@router.get("/suggest/entity", summary="Suggest entities by the beginning or part of a name (autocomplete)")
async def suggest_entity(
    index: IndexDep,
    prefix: Annotated[str, Query(min_length=1, max_length=200, description="What the user typed so far.")],
    type: Annotated[
        str | None, Query(description="Only entities of this type (Organization, Person …).")
    ] = None,
    cursor: Annotated[int, Query(ge=0, le=10000, description="Suggestions to skip (paging).")] = 0,
    limit: Annotated[int, Query(ge=1, le=50, description="Suggestions to return.")] = 10,
    callback: Annotated[str | None, Query(description=CALLBACK_HELP)] = None,
) -> Response:
    labels = await run_in_threadpool(index.labels)
    try:
        return _answer(rec.suggest_entities(labels, prefix, type, limit, cursor), callback)
    except rec.ReconcileError as exc:
        raise HTTPException(status_code=400, detail=str(exc)) from None


@router.get("/suggest/type", summary="Suggest entity types")
def suggest_type(
    prefix: Annotated[str, Query(max_length=200, description="Part of a type's name.")] = "",
    callback: Annotated[str | None, Query(description=CALLBACK_HELP)] = None,
) -> Response:
    return _answer(rec.suggest_types(prefix), callback)


@router.get("/suggest/property", summary="Suggest properties to match on or fetch")
def suggest_property(
    prefix: Annotated[str, Query(max_length=200, description="Part of a property's id or name.")] = "",
    callback: Annotated[str | None, Query(description=CALLBACK_HELP)] = None,
) -> Response:
    return _answer(rec.suggest_properties(prefix), callback)


@router.get("/properties", summary="Properties a data extension can fetch for a type")
def properties(
    type: Annotated[str, Query(description="An entity type (Organization, Person, Program, Event, Place).")],
    limit: Annotated[int, Query(ge=1, le=50, description="Most properties to list.")] = 10,
    callback: Annotated[str | None, Query(description=CALLBACK_HELP)] = None,
) -> Response:
    try:
        return _answer(rec.propose_properties(type, limit), callback)
    except rec.ReconcileError as exc:
        raise HTTPException(status_code=400, detail=str(exc)) from None


@lru_cache(maxsize=1)
def _preview_template() -> Any:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))
    return env.get_template("preview.html")


@router.get(
    "/preview",
    response_class=HTMLResponse,
    summary="A small HTML card of one entity (OpenRefine shows it when you hover a candidate)",
    responses={404: {"description": "Unknown id."}},
)
async def preview(
    request: Request,
    store: StoreDep,
    id: Annotated[
        str, Query(min_length=3, max_length=500, description="Entity id, e.g. org/중소벤처기업부.")
    ],
) -> HTMLResponse:
    def build() -> str | None:
        info = entity_queries.describe(store, id)
        if info is None:
            return None
        pids = [p.id for p in rec.PROPERTIES.values() if info["type"] in p.types and p.id != "alias"]
        values = rec.property_values(store, [entity_iri(id)], pids).get(entity_iri(id), {})
        kind, _, key = entity_id(entity_iri(id)).partition("/")
        return str(
            _preview_template().render(
                info=info,
                type_name=rec.TYPE_NAMES.get(info["type"], info["type"]),
                facts=[(rec.PROPERTIES[p].name, values.get(p, [])) for p in pids if values.get(p)],
                page=f"{_base_url(request)}/entities/{kind}/{_quote(key)}",
            )
        )

    html = await run_in_threadpool(build)
    if html is None:
        raise HTTPException(status_code=404, detail=f"no entity with id {id}")
    return HTMLResponse(html)


def _quote(key: str) -> str:
    from urllib.parse import quote

    return quote(key, safe="")
