"""The FastAPI application: `create_app(settings)`; `uvicorn api.main:app` uses KG_* settings."""

from __future__ import annotations

from fastapi import FastAPI

from api.routes import entities, meta, posts, sparql
from kg import __version__
from kg.config import Settings
from kg.label_index import LabelIndex
from kg.store import Store, open_store


def create_app(settings: Settings | None = None, store: Store | None = None) -> FastAPI:
    settings = settings or Settings()
    app = FastAPI(
        title="kg",
        version=__version__,
        description="Knowledge graph of Korean public-sector and startup-support news: "
        "SPARQL 1.1 endpoint, entity search and neighbourhoods, posts and their facts.",
    )
    app.state.settings = settings
    app.state.store = store if store is not None else open_store(settings.store)
    app.state.index = LabelIndex(app.state.store)
    app.include_router(sparql.router)
    app.include_router(entities.router)
    app.include_router(posts.router)
    app.include_router(meta.router)
    return app


def app() -> FastAPI:
    """Factory for `uvicorn --factory api.main:app`."""
    return create_app()
