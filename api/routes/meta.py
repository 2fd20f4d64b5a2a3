"""/health and /stats."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import SettingsDep, StoreDep
from api.schemas import Health, StatsPublic
from kg import queries

router = APIRouter(tags=["meta"])


@router.get("/health", response_model=Health, summary="Is the store reachable?")
def health(store: StoreDep, settings: SettingsDep) -> Health:
    store.ask("ASK { ?s ?p ?o }")
    return Health(status="ok", store=type(store).__name__, detail={"generation": store.generation()})


@router.get(
    "/stats",
    response_model=StatsPublic,
    summary="Counts of posts, facts, quads and entities by type",
)
def stats(store: StoreDep) -> StatsPublic:
    return StatsPublic(**queries.stats(store))
