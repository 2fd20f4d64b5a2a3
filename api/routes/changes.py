"""/changes: what each run added to and removed from the graph (JSON, Atom or a page), and
/entities/{kind}/{key}/feed.atom: the changes that concern one entity.

A mirror follows `/changes?since=<latest>`: change sets oldest first, paged (`next`), each
naming the post it changed and the facts added and removed; `latest` is the `since` of the
next call. docs/changes.md has the recipe.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import Response

from api.deps import StoreDep
from api.pages import page
from api.params import Key, Kind
from api.schemas import NOT_FOUND, ChangesPublic
from kg.read import changes as log
from kg.read import queries
from kg.sparql import protocol as sparql
from kg.views import atom
from kg.vocab.ontology import data_iri

router = APIRouter(tags=["changes"])

ATOM = "application/atom+xml"
MAX_OFFSET = 1_000_000_000  # far past any log; bigger values overflow the store's OFFSET
# in the server's order of preference (JSON wins a tie)
CHANGES_MEDIA = {"application/json": "json", ATOM: "atom", "text/html": "html"}
SINCE = Query(
    description="A day (2026-01-22), a time (2026-01-22T10:15:30Z) or a run id (20260122T101530Z-3f9c2a)."
)


def _since(value: str | None) -> log.Since:
    try:
        return log.parse_since(value)
    except ValueError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from None


def _site(request: Request) -> str:
    return str(request.base_url).rstrip("/")


@router.get(
    "/changes",
    response_model=ChangesPublic,
    summary="Facts added and removed since a day, a time or a run",
    responses={
        200: {
            "description": "JSON (change sets oldest first, paged), Atom (newest first) or the HTML page.",
            "content": {ATOM: {}, "text/html": {}},
        },
        404: {"description": "`since` names a run the log does not hold."},
    },
)
def changes(
    request: Request,
    store: StoreDep,
    since: Annotated[str | None, SINCE] = None,
    limit: Annotated[
        int | None,
        Query(ge=1, le=1000, description="Change sets per page (1–1000; default 100 in JSON, 30 else)."),
    ] = None,
    offset: Annotated[
        int, Query(ge=0, le=MAX_OFFSET, description="Change sets to skip (paging; at most 1,000,000,000).")
    ] = 0,
    format: Annotated[
        Literal["json", "atom", "html"] | None, Query(description="json, atom or html; overrides Accept.")
    ] = None,
) -> Response:
    """Every change set written after `since` (all of them without it): the run, the time, the
    post (id, IRI, title) and whether it was added, changed or removed, the entities it names
    for the first time, and the facts added and removed — subject, predicate, object, the
    sentence, the fact's IRI. `latest` (the newest change's time and run) is where the next
    call starts; `runs` lists the runs in the answer."""
    wanted = format or CHANGES_MEDIA.get(
        sparql.best_media(list(CHANGES_MEDIA), request.headers.get("accept")) or "", "json"
    )
    start = _since(since)
    newest_first = wanted != "json"
    limit = limit or (30 if newest_first else 100)
    try:
        total, sets = log.change_sets(store, start, limit, offset, newest_first=newest_first)
        run_ids = sorted({cs["run"] for cs in sets})
        runs = (
            log.runs(store, limit=len(run_ids) or 1, ids=run_ids)
            if wanted == "json"
            else log.runs(store, 20, start)
        )
    except log.UnknownRun as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from None
    latest = log.latest(store)
    headers = {"Vary": "Accept"}
    if wanted == "atom":
        body = atom.feed(
            title="kg — 변경 (changes)" + (f" since {since}" if since else ""),
            feed_id=data_iri("changes"),
            self_url=str(request.url),
            alternate_url=f"{_site(request)}/changes" + (f"?since={since}" if since else ""),
            updated=latest["time"],
            sets=sets,
            site=_site(request),
        )
        return Response(body, media_type=ATOM, headers=headers)
    if wanted == "html":
        context = {"since": since, "latest": latest, "runs": runs, "count": total, "sets": sets}
        return page(request, "changes.html", context)
    following = offset + len(sets) < total
    next_url = str(request.url.include_query_params(offset=offset + len(sets))) if following else None
    answer: dict[str, Any] = {
        "since": since,
        "latest": latest,
        "count": total,
        "next": next_url,
        "runs": runs,
        "data": sets,
    }
    return Response(orjson.dumps(answer), media_type="application/json", headers=headers)


@router.get(
    "/entities/{kind}/{key}/feed.atom",
    summary="Atom feed of one entity: new posts naming it, facts about it added or removed",
    responses={**NOT_FOUND, 200: {"content": {ATOM: {}}}},
    tags=["entities"],
)
def entity_feed(
    request: Request,
    store: StoreDep,
    kind: Kind,
    key: Key,
    limit: Annotated[int, Query(ge=1, le=500, description="Entries (newest first).")] = 50,
) -> Response:
    """The change sets that concern the entity, newest first: a post that names it for the first
    time, or facts about it (as subject, object, or the body or member of a membership) added
    or removed. Each entry lists those facts with their sentences."""
    entity_id = f"{kind}/{key}"
    info = queries.describe(store, entity_id)
    if info is None:
        raise HTTPException(status_code=404, detail=f"no entity with id {entity_id}")
    target = info["iri"]
    _total, sets = log.change_sets(store, about=target, limit=limit, newest_first=True)
    site = _site(request)
    body = atom.feed(
        title=f"{info['name']} — kg",
        feed_id=f"{target}/feed",
        self_url=str(request.url),
        alternate_url=atom.entity_url(site, entity_id),
        updated=sets[0]["time"] if sets else None,
        sets=sets,
        site=site,
        keep=lambda fact: log.about_entity(fact, target),
    )
    return Response(body, media_type=ATOM)
