"""/health, /stats and the JSON-LD context."""

from __future__ import annotations

import orjson
from fastapi import APIRouter
from fastapi.responses import Response

from api.deps import IndexDep, StoreDep
from api.schemas import Health, StatsPublic
from kg.read import queries
from kg.sparql import jsonld

router = APIRouter(tags=["meta"])


@router.get("/health", response_model=Health, summary="Is the store reachable?")
def health(store: StoreDep, index: IndexDep) -> Health:
    """`ok` with the store's kind and generation marker (it changes on every write), and the
    state of this worker's in-memory graph index (`ready`, `loading` or `off`; its size and
    how long it took to load)."""
    return Health(
        status="ok",
        store=type(store).__name__,
        detail={"generation": store.generation(), "index": index.status()},
    )


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
