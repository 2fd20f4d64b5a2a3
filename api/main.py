"""The FastAPI application: `create_app(settings, store)`; `uvicorn --factory api.main:app` uses KG_* settings."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse
from fastapi.staticfiles import StaticFiles

from api.body_limit import BodyLimit
from api.errors import status_of
from api.routes import changes, docs, entities, meta, pages, posts, reconcile, releases, sparql
from kg import __version__
from kg.config import Settings
from kg.model import KgError
from kg.read.graph_index import GraphIndex
from kg.store import open_store
from kg.store.base import SparqlError, Store
from kg.vocab.ontology import set_base

VENDOR_DIR = Path(__file__).resolve().parent / "static" / "vendor"  # vendor.json: built files from npm

DESCRIPTION = """Knowledge graph of Korean public-sector and startup-support news.

* **/sparql** — SPARQL 1.1 Protocol endpoint (read-only unless an admin token is configured),
  with a query page at **/**.
* **/entities** — search by name or alias (Korean partial match), one entity, its neighbours
  with evidence, and an interactive network view.
* **/posts** — the posts in the graph and the facts read from each.
* **/reconcile** — the W3C Reconciliation Service API 0.2 for OpenRefine: match a column of
  organisation or person names to kg entities, then fetch their parent, head, aliases or founding date.
* **/changes** — what each ingest, load or removal added and removed (JSON, Atom), so a mirror
  can stay in sync; **/entities/{kind}/{key}/feed.atom** follows one entity.
* **/search**, and every entity and post as an HTML page for a browser (Accept: text/html);
  **/id/…** IRIs answer 303 with the page or the data; **/releases/** lists the release dumps.

An entity id is `kind/key`, e.g. `org/중소벤처기업부`: routes take it as `/entities/{kind}/{key}`.
"""


def create_app(settings: Settings | None = None, store: Store | None = None) -> FastAPI:
    settings = settings or Settings()
    set_base(settings.base_iri)  # every IRI this process makes or reads is under it

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # start reading the graph into memory now, not at the first request; answer meanwhile
        threading.Thread(target=_start_index, args=(app.state.index,), daemon=True).start()
        yield

    # /docs and /redoc come from api.routes.docs with vendored files (FastAPI's own pages load a CDN)
    app = FastAPI(
        title="kg",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.store = (
        store if store is not None else open_store(settings=settings, timeout=settings.query_timeout + 5.0)
    )
    app.state.index = GraphIndex(
        app.state.store,
        refresh_seconds=settings.refresh_seconds,
        page_rows=settings.index_page_rows,
        enabled=settings.graph_index,
    )
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.include_router(sparql.router)
    app.include_router(entities.router)
    app.include_router(posts.router)
    app.include_router(reconcile.router)
    app.include_router(meta.router)
    app.include_router(docs.router)
    app.mount("/static/vendor", StaticFiles(directory=VENDOR_DIR), name="vendor")
    app.include_router(pages.router)
    app.include_router(changes.router)
    app.include_router(releases.router)

    @app.exception_handler(SparqlError)
    async def sparql_error(request: Request, exc: SparqlError) -> PlainTextResponse:
        status = status_of(exc)
        headers = {"Retry-After": "1"} if status == 503 else None
        return PlainTextResponse(str(exc) + "\n", status_code=status, headers=headers)

    @app.exception_handler(KgError)
    async def store_error(request: Request, exc: KgError) -> JSONResponse:
        return JSONResponse({"detail": f"the store failed: {exc}"}, status_code=502)

    @app.exception_handler(RequestValidationError)
    async def bad_parameters(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = list(exc.errors())
        message = "; ".join(_explain(e) for e in errors)
        detail = [{k: v for k, v in e.items() if k in ("loc", "msg", "type")} for e in errors]
        return JSONResponse({"detail": detail, "message": message}, status_code=422)

    return app


def _start_index(index: GraphIndex) -> None:
    with contextlib.suppress(KgError):  # the store is not reachable yet: the first request checks again
        index.check(force=True)


def _explain(error: dict) -> str:
    """`query parameter 'limit': Input should be less than or equal to 200 (got '900')`."""
    loc = [str(x) for x in error.get("loc", ())]
    where = (
        {"query": "query parameter", "path": "path segment", "body": "body"}.get(loc[0], loc[0])
        if loc
        else ""
    )
    name = ".".join(loc[1:])
    got = error.get("input")
    shown = f" (got {got!r})" if isinstance(got, str | int | float) else ""
    return f"{where} '{name}': {error.get('msg', 'invalid')}{shown}"


def app() -> FastAPI:
    """Factory for `uvicorn --factory api.main:app`."""
    return create_app()
