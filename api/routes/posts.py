"""/posts: the posts in the graph and the facts read from each."""

from __future__ import annotations

from typing import Annotated, Literal

import orjson
import pyoxigraph as ox
from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.responses import Response

from api.deps import StoreDep
from api.routes import pages
from api.schemas import DATE, NOT_FOUND, Day, PostPublic, PostsPublic
from kg.read import queries
from kg.sparql import protocol as sparql
from kg.store.formats import rdf_format

# in the server's order of preference (JSON wins a tie)
POST_MEDIA = {
    "application/json": "json",
    "text/html": "html",
    "application/n-quads": "nq",
    "application/trig": "trig",
}

router = APIRouter(prefix="/posts", tags=["posts"])


@router.get("", response_model=PostsPublic, summary="Posts, newest first")
def posts(
    store: StoreDep,
    since: Annotated[
        Day | None, Query(pattern=DATE, description="Only posts published on or after (YYYY-MM-DD).")
    ] = None,
    until: Annotated[
        Day | None, Query(pattern=DATE, description="Only posts published on or before (YYYY-MM-DD).")
    ] = None,
    q: Annotated[
        str | None, Query(max_length=200, description="Only posts whose title contains this.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500, description="Page size (1–500).")] = 50,
    offset: Annotated[int, Query(ge=0, le=100000, description="Posts to skip (paging).")] = 0,
) -> Response:
    total, rows = queries.list_posts(store, limit, offset, since, until, q)
    return Response(orjson.dumps({"count": total, "data": rows}), media_type="application/json")


@router.get(
    "/{post_id}",
    response_model=PostPublic,
    summary="One post and the facts read from it",
    responses={
        **NOT_FOUND,
        200: {
            "description": "JSON by default; the HTML page, or the post's named graph as N-Quads or TriG.",
            "content": {"text/html": {}, "application/n-quads": {}, "application/trig": {}},
        },
    },
)
def post(
    store: StoreDep,
    request: Request,
    post_id: Annotated[
        str, Path(description="The post's id (file stem or JSONL id), its IRI or its URL.", max_length=2000)
    ],
    format: Annotated[
        Literal["json", "html", "nq", "trig"] | None,
        Query(description="json, html, nq (N-Quads) or trig (the post's named graph); overrides Accept."),
    ] = None,
) -> Response:
    """JSON by default; a browser gets the post's page; `application/n-quads` or
    `application/trig` gets the post's whole named graph (what a mirror re-fetches after
    a change set names the post, see /changes)."""
    wanted = format or POST_MEDIA.get(
        sparql.best_media(list(POST_MEDIA), request.headers.get("accept")) or "", "json"
    )
    if wanted == "html":
        return pages.post_page(request, store, post_id)
    if wanted in ("nq", "trig"):
        iri = queries.post_iri_for(store, post_id)
        if iri is None:
            raise HTTPException(status_code=404, detail=f"no post with id {post_id}")
        fmt = rdf_format(wanted)
        data = ox.serialize(
            (
                ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(iri))
                for t in queries.post_graph(store, iri)
            ),
            format=fmt,
        )
        return Response(data or b"", media_type=fmt.media_type, headers={"Vary": "Accept"})
    info = queries.post_facts(store, post_id)
    if info is None:
        raise HTTPException(status_code=404, detail=f"no post with id {post_id}")
    return Response(orjson.dumps(info), media_type="application/json", headers={"Vary": "Accept"})
