"""/sparql: the SPARQL 1.1 Protocol endpoint (query via GET or POST)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import parse_qs

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import Response

from api.deps import StoreDep

router = APIRouter(tags=["sparql"])

ACCEPTS = (
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
    "text/turtle",
    "application/n-triples",
)


def _accept(request: Request) -> str:
    header = request.headers.get("accept", "")
    for media in ACCEPTS:
        if media in header:
            return media
    return "application/sparql-results+json"


def _run(store: StoreDep, query: str, request: Request) -> Response:
    try:
        body, media = store.sparql(query, _accept(request))
    except SyntaxError as exc:
        raise HTTPException(status_code=400, detail=f"SPARQL syntax error: {exc}") from exc
    return Response(content=body, media_type=media)


@router.get("/sparql", summary="SPARQL query (GET)")
def sparql_get(
    store: StoreDep,
    request: Request,
    query: Annotated[str, Query(description="A SPARQL 1.1 query.")],
) -> Response:
    return _run(store, query, request)


@router.post("/sparql", summary="SPARQL query (POST form or application/sparql-query)")
async def sparql_post(store: StoreDep, request: Request) -> Response:
    body = (await request.body()).decode("utf-8")
    ctype = request.headers.get("content-type", "")
    query = body
    if ctype.startswith("application/x-www-form-urlencoded"):
        query = (parse_qs(body).get("query") or [""])[0]
    if not query.strip():
        raise HTTPException(status_code=400, detail="no query given")
    return _run(store, query, request)
