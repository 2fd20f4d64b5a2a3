"""/posts: the posts in the graph and the facts read from each."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query

from api.deps import StoreDep
from api.schemas import PostPublic, PostsPublic, PostSummary
from kg import queries

router = APIRouter(prefix="/posts", tags=["posts"])


@router.get("", response_model=PostsPublic, summary="Posts, newest first")
def posts(
    store: StoreDep,
    limit: Annotated[int, Query(ge=1, le=500, description="Page size.")] = 50,
    offset: Annotated[int, Query(ge=0, le=100000, description="Items to skip.")] = 0,
) -> PostsPublic:
    total, rows = queries.list_posts(store, limit, offset)
    return PostsPublic(count=total, data=[PostSummary(**r) for r in rows])


@router.get("/{post_id}", response_model=PostPublic, summary="One post and the facts read from it")
def post(
    store: StoreDep,
    post_id: Annotated[str, Path(description="The post's id (file stem or JSONL id).")],
) -> PostPublic:
    info = queries.post_facts(store, post_id)
    if info is None:
        raise HTTPException(status_code=404, detail=f"no post with id {post_id}")
    return PostPublic(**info)
