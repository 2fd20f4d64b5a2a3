"""Shared dependencies of the routes: the store, the graph index and the settings.

They are coroutines: FastAPI runs a plain function dependency in a worker thread, which
costs more than reading an attribute.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from kg.config import Settings
from kg.read.graph_index import GraphIndex
from kg.store.base import Store


async def get_store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


async def get_index(request: Request) -> GraphIndex:
    index: GraphIndex = request.app.state.index
    return index


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


StoreDep = Annotated[Store, Depends(get_store)]
IndexDep = Annotated[GraphIndex, Depends(get_index)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
