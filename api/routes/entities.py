"""/entities: search, describe, neighbours, and the network view of one entity.

An entity id is `kind/key` (`org/중소벤처기업부`); the routes take it as two path segments.
"""

from __future__ import annotations

from html import escape
from typing import Annotated, Literal
from urllib.parse import quote

import orjson
from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from api.deps import IndexDep, StoreDep
from api.params import Key, Kind
from api.routes import pages
from api.schemas import DATE, NOT_FOUND, Day, EntitiesPublic, EntityPublic, RelatedPublic
from kg.read import queries
from kg.read import related as related_walk
from kg.read.related import Source
from kg.sparql import protocol as sparql
from kg.store.base import Store
from kg.views import network as viz

router = APIRouter(prefix="/entities", tags=["entities"])

TypeName = Literal["Person", "Organization", "Program", "Event", "Place"]
RelationName = Literal[
    "holdsPosition", "subOrganizationOf", "operates", "participatedIn", "partnerOf", "locatedIn", "succession"
]


def _json(data: object) -> Response:
    return Response(orjson.dumps(data), media_type="application/json", headers={"Vary": "Accept"})


def _summary(
    iri: str, name: str, type_name: str, matched: str | None = None, score: float | None = None
) -> dict:
    return {
        "id": queries.entity_id(iri),
        "iri": iri,
        "name": name,
        "type": type_name,
        "matched": matched,
        "score": score,
    }


@router.get("", response_model=EntitiesPublic, summary="Search entities by name or alias")
def search(
    index: IndexDep,
    q: Annotated[
        str,
        Query(
            min_length=1,
            max_length=200,
            description="Part of a name or alias; Korean partial match, spacing and punctuation ignored "
            "(`중기` finds 중소벤처기업부 by its alias 중기부; `소공인` finds 소공인성장촉진단).",
        ),
    ],
    type: Annotated[TypeName | None, Query(description="Only entities of this type.")] = None,
    limit: Annotated[int, Query(ge=1, le=200, description="Page size (1–200).")] = 20,
    offset: Annotated[int, Query(ge=0, le=100000, description="Matches to skip (paging).")] = 0,
) -> Response:
    """Ranked: exact name, then prefix, then inner matches; names before aliases; then the
    entities more facts talk about."""
    total, hits = index.search(q, type, limit, offset)
    return _json(
        {
            "count": total,
            "data": [_summary(h.iri, h.name, h.type, h.label, round(h.score, 3)) for h in hits],
        }
    )


# in the server's order of preference: JSON wins a tie (`*/*`); a browser prefers text/html
ENTITY_MEDIA = {
    "application/json": "json",
    "application/ld+json": "jsonld",
    "text/turtle": "turtle",
    "text/html": "html",
}


def _wants(request: Request, fmt: str | None) -> str:
    """The format parameter, else what the Accept header likes best (JSON on ties: a browser's */*)."""
    if fmt:
        return fmt
    chosen = sparql.best_media(list(ENTITY_MEDIA), request.headers.get("accept"))
    return ENTITY_MEDIA[chosen] if chosen else "json"


@router.get(
    "/{kind}/{key}",
    response_model=EntityPublic,
    summary="One entity: labels, type, aliases, attributes, counts",
    responses={
        **NOT_FOUND,
        200: {
            "description": "JSON by default; JSON-LD (ontology/context.jsonld), Turtle or the HTML page "
            "(what a browser gets) by Accept or format.",
            "content": {"application/ld+json": {}, "text/turtle": {}, "text/html": {}},
        },
    },
)
def entity(
    store: StoreDep,
    index: IndexDep,
    request: Request,
    kind: Kind,
    key: Key,
    format: Annotated[
        Literal["json", "jsonld", "turtle", "html"] | None,
        Query(description="json, jsonld, turtle or html; overrides the Accept header."),
    ] = None,
) -> Response:
    entity_id = f"{kind}/{key}"
    wanted = _wants(request, format)
    if wanted == "html":
        return pages.entity_page(request, store, index, entity_id)
    info = queries.describe(store, entity_id)
    if info is None:
        _redirect_or_404(store, request, entity_id)
    assert info is not None
    if wanted == "json":
        return _json(info)
    query = queries.entity_triples_query(entity_id)
    raw = store.evaluate(query or "", "CONSTRUCT")
    fmt = next(f for f in sparql.GRAPH_FORMATS if f.name == wanted)
    return Response(sparql.render(raw, fmt), media_type=fmt.media, headers={"Vary": "Accept"})


def _redirect_or_404(store: Store, request: Request, entity_id: str) -> None:
    """An id merged into another by a `same` judgement answers 301 to the canonical one (same
    sub-path and query); any other unknown id 404."""
    _redirect_if_merged(store, request, entity_id)
    raise HTTPException(status_code=404, detail=f"no entity with id {entity_id}")


def _redirect_if_merged(store: Store, request: Request, entity_id: str) -> None:
    """301 to the canonical id when a `same` judgement merged `entity_id` into another."""
    canonical = queries.merged_into(store, entity_id)
    if canonical is None:
        return
    old = "/entities/" + quote(entity_id, safe="/@")
    new = "/entities/" + quote(queries.entity_id(canonical), safe="/@")
    path = request.url.path
    location = new + (path[len(old) :] if path.startswith(old) else "")
    if request.url.query:
        location += "?" + request.url.query
    raise HTTPException(
        status_code=301,
        detail=f"{entity_id} is {queries.entity_id(canonical)}",
        headers={"Location": location},
    )


def _related(
    store: Store,
    source: Source | None,
    entity_id: str,
    depth: int,
    type_name: str | None,
    relation: str | None,
    since: str | None,
    until: str | None,
    limit: int,
    offset: int,
) -> bytes:
    """The answer as JSON bytes, from the in-memory index (`source`) or, without one, the store."""
    try:
        total, edges = related_walk.related(
            store, entity_id, depth, type_name, relation, since, until, limit, offset, source=source
        )
    except KeyError:
        raise HTTPException(status_code=404, detail=f"no entity with id {entity_id}") from None
    return orjson.dumps(
        {
            "count": total,
            "data": [
                {
                    "relation": e.relation,
                    "direction": e.direction,
                    "entity": _summary(e.other, e.other_name, e.other_type),
                    "role": e.role,
                    "start": e.start,
                    "end": e.end,
                    "depth": e.depth,
                    "via": queries.entity_id(e.via) if e.via else None,
                    "evidence": e.evidence,
                }
                for e in edges
            ],
        }
    )


@router.get(
    "/{kind}/{key}/related",
    response_model=RelatedPublic,
    summary="Neighbours with relation, direction, role, dates and evidence",
    responses=NOT_FOUND,
)
async def related(
    store: StoreDep,
    index: IndexDep,
    request: Request,
    kind: Kind,
    key: Key,
    depth: Annotated[int, Query(ge=1, le=3, description="Hops to follow (1–3).")] = 1,
    type: Annotated[TypeName | None, Query(description="Only neighbours of this type.")] = None,
    relation: Annotated[RelationName | None, Query(description="Follow only this relation.")] = None,
    follow: Annotated[
        Literal["succession"] | None,
        Query(
            description="`succession`: walk the body's whole line of succession (W3C ORG change "
            "events: renames, upgrades, mergers, splits), predecessors (`in`) and successors (`out`), "
            "each with its date, kind and public source; `depth` is then ignored."
        ),
    ] = None,
    since: Annotated[
        Day | None,
        Query(pattern=DATE, description="Only relations dated on or after this day (YYYY-MM-DD)."),
    ] = None,
    until: Annotated[
        Day | None,
        Query(pattern=DATE, description="Only relations dated on or before this day (YYYY-MM-DD)."),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500, description="Page size (1–500).")] = 50,
    offset: Annotated[int, Query(ge=0, le=100000, description="Neighbours to skip (paging).")] = 0,
) -> Response:
    """Sorted by depth, relation and name. A relation's date is its membership interval, its
    event's day, its change's day or the dates of the posts that state it."""
    if follow == "succession":
        relation = "succession"
    if since and until and since > until:
        raise HTTPException(status_code=422, detail=f"since ({since}) is after until ({until})")
    if index.due():
        await run_in_threadpool(index.check)
    snapshot = index.current()
    args = (store, snapshot, f"{kind}/{key}", depth, type, relation, since, until, limit, offset)
    try:
        if snapshot is not None and depth == 1:
            body = _related(*args)  # from memory, a slice at most: not worth a thread hop
        else:
            body = await run_in_threadpool(_related, *args)
    except HTTPException as exc:
        if exc.status_code != 404:
            raise
        await run_in_threadpool(_redirect_or_404, store, request, f"{kind}/{key}")
        raise
    return Response(body, media_type="application/json")


@router.get(
    "/{kind}/{key}/graph.html",
    response_class=HTMLResponse,
    summary="Interactive network view of the neighbourhood",
    responses={404: {"description": "Unknown id (an HTML page saying so).", "content": {"text/html": {}}}},
)
async def graph_html(
    store: StoreDep,
    request: Request,
    kind: Kind,
    key: Key,
    hops: Annotated[int, Query(ge=1, le=3, description="Hops around the entity (1–3).")] = 1,
    renderer: Annotated[
        Literal["auto", "vis", "webgl"],
        Query(
            description="vis: vis-network with physics; webgl: sigma.js at a layout computed on the server "
            "(cached per view); auto: webgl above 1,500 entities."
        ),
    ] = "auto",
) -> HTMLResponse:
    entity_id = f"{kind}/{key}"

    def build() -> str | None:
        info = queries.describe(store, entity_id)
        if info is None:
            return None
        nodes, edges = viz.neighbourhood(store, entity_id, hops)
        return viz.render(nodes, edges, title=f"{info['name']} — kg", renderer=renderer)

    html = await run_in_threadpool(build)
    if html is None:
        await run_in_threadpool(_redirect_if_merged, store, request, entity_id)
        # a page was asked for, so the answer is a page (the id is the user's text: escaped)
        shown = escape(entity_id)
        page = (
            '<!doctype html><html lang="ko"><head><meta charset="utf-8"><title>Not found — kg</title>'
            f"</head><body><h1>No entity {shown}</h1><p>No entity has the id <code>{shown}</code>. "
            'Search by name at <a href="/entities">/entities?q=…</a>.</p></body></html>'
        )
        return HTMLResponse(page, status_code=404)
    return HTMLResponse(html)
