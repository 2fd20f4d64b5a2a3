"""Shared dependencies of the routes: the store, the label index and the settings."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from kg.config import Settings
from kg.label_index import LabelIndex
from kg.store import Store


def get_store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def get_index(request: Request) -> LabelIndex:
    index: LabelIndex = request.app.state.index
    return index


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


StoreDep = Annotated[Store, Depends(get_store)]
IndexDep = Annotated[LabelIndex, Depends(get_index)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
