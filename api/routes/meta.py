"""/health, /stats and the JSON-LD context."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response

from api.deps import IndexDep, SettingsDep, StoreDep
from api.schemas import Health, StatsPublic
from kg.model import KgError
from kg.read import queries
from kg.sparql import jsonld
from kg.store.supervisor import SupervisorClient
from kg.version import extractor_version

router = APIRouter(tags=["meta"])


@router.get(
    "/health",
    response_model=Health,
    summary="Is the store reachable?",
    responses={503: {"model": Health, "description": "The store does not answer (`status`: `unavailable`)."}},
)
def health(store: StoreDep, index: IndexDep, settings: SettingsDep) -> Any:
    """`ok` with the store's kind and generation marker (it changes on every write), the
    state of this worker's in-memory graph index (`ready`, `loading` or `off`; its size and
    how long it took to load), the extractor version (a digest of what extraction reads) and,
    under `kg serve` with an on-disk store, the supervised store server (`store_server`: state,
    pid, restarts, last restart and its reason). 503 with `status` `unavailable` and the
    store's error while the store does not answer."""
    detail: dict[str, Any] = {}
    if settings.store_control:
        detail["store_server"] = SupervisorClient(settings.store_control).status()
    try:
        detail["generation"] = store.generation()
    except KgError as exc:
        detail["error"] = str(exc)
        body = Health(
            status="unavailable", store=type(store).__name__, extractor=extractor_version(), detail=detail
        )
        return JSONResponse(body.model_dump(), status_code=503)
    detail["index"] = index.status()
    return Health(status="ok", store=type(store).__name__, extractor=extractor_version(), detail=detail)


@router.get(
    "/stats",
    response_model=StatsPublic,
    summary="Counts of posts, facts, quads and entities by type",
)
def stats(store: StoreDep) -> StatsPublic:
    return StatsPublic(**queries.stats(store))


@router.get(
    "/context.jsonld",
    summary="The JSON-LD context of the entity and CONSTRUCT answers",
    responses={200: {"content": {"application/ld+json": {}}}},
)
def context() -> Response:
    """ontology/context.jsonld, with `kgr:` under the configured base IRI."""
    return Response(orjson.dumps({"@context": jsonld.context()}), media_type="application/ld+json")
