"""/posts: the posts in the graph and the facts read from each."""

from __future__ import annotations

from typing import Annotated

import orjson
from fastapi import APIRouter, HTTPException, Path, Query
from fastapi.responses import Response

from api.deps import StoreDep
from api.schemas import DATE, NOT_FOUND, Day, PostPublic, PostsPublic
from kg.read import queries

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
    responses=NOT_FOUND,
)
def post(
    store: StoreDep,
    post_id: Annotated[
        str, Path(description="The post's id (file stem or JSONL id), its IRI or its URL.", max_length=2000)
    ],
) -> Response:
    info = queries.post_facts(store, post_id)
    if info is None:
        raise HTTPException(status_code=404, detail=f"no post with id {post_id}")
    return Response(orjson.dumps(info), media_type="application/json")
