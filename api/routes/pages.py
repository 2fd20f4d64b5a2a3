"""Pages for people, and IRIs that dereference.

- `/entities/{kind}/{key}` and `/posts/{id}` answer a browser (Accept: text/html) with a page
  (the routes in entities.py and posts.py call `entity_page` / `post_page` here);
- `/search` is the search page;
- `/id/{kind}/{key}` and `/id/post/{id}`: an entity's or post's IRI, when kg is served at its
  base IRI (KG_BASE_IRI). The IRI names the thing (a ministry, a person), not a document, so
  it answers 303 See Other with the document that describes it in the format asked for
  ("Cool URIs for the Semantic Web", section 4.2): the HTML page for a browser, Turtle,
  JSON-LD or JSON for a client, with `Vary: Accept`.
"""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import IndexDep, StoreDep
from api.pages import page
from api.params import Key, Kind
from kg.read import profile as profiles
from kg.read import queries
from kg.read.graph_index import GraphIndex, Snapshot
from kg.sparql import protocol as sparql
from kg.store.base import Store

router = APIRouter(tags=["pages"])

TypeName = Literal["Person", "Organization", "Program", "Event", "Place"]
# what a client asks for → the `format` of the document that describes the thing
DOCUMENTS = {
    "application/json": "json",
    "application/ld+json": "jsonld",
    "text/turtle": "turtle",
    "text/html": "html",
}


def _snapshot(index: GraphIndex) -> Snapshot | None:
    """The in-memory graph of the store's current generation, if loaded (else the store answers)."""
    if index.due():
        index.check()
    return index.current()


def entity_page(request: Request, store: Store, index: GraphIndex, entity_id: str) -> HTMLResponse:
    """The entity's page (404 page when there is none)."""
    found = profiles.profile(store, entity_id, source=_snapshot(index))
    if found is None:
        return page(request, "missing.html", {"what": f"entity {entity_id}"}, status_code=404)
    return page(request, "entity.html", {"p": found})


def post_page(request: Request, store: Store, post_id: str) -> HTMLResponse:
    found = profiles.post_reading(store, post_id)
    if found is None:
        return page(request, "missing.html", {"what": f"post {post_id}"}, status_code=404)
    return page(request, "post.html", {"post": found})


@router.get("/search", response_class=HTMLResponse, summary="The search page (HTML)")
def search_page(
    request: Request,
    store: StoreDep,
    index: IndexDep,
    q: Annotated[str, Query(max_length=200, description="Part of a name, an alias or a post title.")] = "",
    type: Annotated[TypeName | Literal[""], Query(description="Only entities of this type.")] = "",
    offset: Annotated[int, Query(ge=0, le=100000, description="Matches to skip (paging).")] = 0,
) -> HTMLResponse:
    """Entities whose name or alias contains the words (Korean partial match, as `/entities?q=`),
    and posts whose title contains them; without `q`, counts and the newest posts."""
    limit = 30
    context: dict[str, object] = {
        "q": q.strip(),
        "type": type,
        "offset": offset,
        "limit": limit,
        "error": None,
    }
    if context["q"]:
        total, hits = index.search(q.strip(), type or None, limit, offset)
        post_total, posts = queries.list_posts(store, limit=20, q=q.strip())
        context.update(
            total=total,
            hits=[
                {"id": queries.entity_id(h.iri), "name": h.name, "type": h.type, "matched": h.label}
                for h in hits
            ],
            post_total=post_total,
            posts=posts,
        )
    else:
        _n, posts = queries.list_posts(store, limit=20)
        context.update(stats=queries.stats(store), posts=posts)
    return page(request, "search.html", context)


def _document(request: Request, path: str) -> RedirectResponse:
    chosen = sparql.best_media(list(DOCUMENTS), request.headers.get("accept"))
    fmt = DOCUMENTS.get(chosen or "", "json")
    root = request.scope.get("root_path", "").rstrip("/")
    return RedirectResponse(f"{root}{path}?format={fmt}", status_code=303, headers={"Vary": "Accept"})


@router.get(
    "/id/post/{post_id}",
    status_code=303,
    summary="A post's IRI: 303 to its page or data",
    responses={303: {"description": "See Other: /posts/{id} in the format the Accept header prefers."}},
)
def post_iri(
    request: Request,
    store: StoreDep,
    post_id: Annotated[str, Path(max_length=500, description="The last part of the post's IRI.")],
) -> Response:
    if queries.post_iri_for(store, post_id) is None:
        raise HTTPException(status_code=404, detail=f"no post {post_id}")
    return _document(request, "/posts/" + quote(post_id, safe=""))


@router.get(
    "/id/{kind}/{key}",
    status_code=303,
    summary="An entity's IRI: 303 to its page or data",
    responses={
        303: {"description": "See Other: /entities/{kind}/{key} in the format the Accept header prefers."}
    },
)
def entity_iri(
    request: Request,
    store: StoreDep,
    kind: Kind,
    key: Key,
) -> Response:
    entity_id = f"{kind}/{key}"
    if queries.describe(store, entity_id) is None:
        raise HTTPException(status_code=404, detail=f"no entity with id {entity_id}")
    return _document(request, "/entities/" + quote(entity_id, safe="/@"))
