"""/entities: search, describe, neighbours, and the network view of one entity."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Path, Query
from fastapi.responses import HTMLResponse

from api.deps import IndexDep, StoreDep
from api.schemas import EntitiesPublic, EntityPublic, EntitySummary, RelatedItem, RelatedPublic
from kg import queries, viz

router = APIRouter(prefix="/entities", tags=["entities"])

TypeName = Literal["Person", "Organization", "Program", "Event", "Place"]
RelationName = Literal[
    "holdsPosition", "subOrganizationOf", "operates", "participatedIn", "partnerOf", "locatedIn"
]
Kind = Annotated[
    str, Path(description="Entity kind: org, person, program, event or place.", pattern=r"^[a-z]+$")
]
Key = Annotated[str, Path(description="The rest of the entity id, e.g. `중소벤처기업부`.", min_length=1)]


@router.get("", response_model=EntitiesPublic, summary="Search entities by name or alias")
def search(
    index: IndexDep,
    q: Annotated[
        str,
        Query(
            min_length=1,
            max_length=200,
            description="Part of a name or alias; Korean partial match (`중기` finds 중소벤처기업부).",
        ),
    ],
    type: Annotated[TypeName | None, Query(description="Only entities of this type.")] = None,
    limit: Annotated[int, Query(ge=1, le=200, description="Page size.")] = 20,
    offset: Annotated[int, Query(ge=0, le=100000, description="Items to skip.")] = 0,
) -> EntitiesPublic:
    total, hits = index.search(q, type, limit, offset)
    return EntitiesPublic(
        count=total,
        data=[
            EntitySummary(
                id=queries.entity_id(h.iri),
                iri=h.iri,
                name=h.name,
                type=h.type,
                matched=h.label,
                score=round(h.score, 3),
            )
            for h in hits
        ],
    )


def _describe(store: StoreDep, kind: str, key: str) -> dict:
    info = queries.describe(store, f"{kind}/{key}")
    if info is None:
        raise HTTPException(status_code=404, detail=f"no entity with id {kind}/{key}")
    return info


@router.get(
    "/{kind}/{key}",
    response_model=EntityPublic,
    summary="One entity: labels, type, aliases, attributes, counts",
)
def entity(store: StoreDep, kind: Kind, key: Key) -> EntityPublic:
    return EntityPublic(**_describe(store, kind, key))


@router.get(
    "/{kind}/{key}/related",
    response_model=RelatedPublic,
    summary="Neighbours with relation, role, dates and evidence",
)
def related(
    store: StoreDep,
    kind: Kind,
    key: Key,
    depth: Annotated[int, Query(ge=1, le=3, description="Hops to follow (1–3).")] = 1,
    type: Annotated[TypeName | None, Query(description="Only neighbours of this type.")] = None,
    relation: Annotated[RelationName | None, Query(description="Only this relation.")] = None,
    since: Annotated[
        str | None,
        Query(pattern=r"^\d{4}-\d{2}-\d{2}$", description="Only facts dated on or after (YYYY-MM-DD)."),
    ] = None,
    until: Annotated[
        str | None,
        Query(
            pattern=r"^\d{4}-\d{2}-\d{2}$",
            description="Only facts dated on or before (YYYY-MM-DD).",
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500, description="Page size.")] = 50,
    offset: Annotated[int, Query(ge=0, le=100000, description="Items to skip.")] = 0,
) -> RelatedPublic:
    _describe(store, kind, key)
    total, edges = queries.related(store, f"{kind}/{key}", depth, type, relation, since, until, limit, offset)
    return RelatedPublic(
        count=total,
        data=[
            RelatedItem(
                relation=e.relation,
                direction=e.direction,
                entity=EntitySummary(
                    id=queries.entity_id(e.other), iri=e.other, name=e.other_name, type=e.other_type
                ),
                role=e.role,
                start=e.start,
                end=e.end,
                depth=e.depth,
                via=queries.entity_id(e.via) if e.via else None,
                evidence=e.evidence,
            )
            for e in edges
        ],
    )


@router.get(
    "/{kind}/{key}/graph.html",
    response_class=HTMLResponse,
    summary="Interactive network view of the neighbourhood",
)
def graph_html(
    store: StoreDep,
    kind: Kind,
    key: Key,
    hops: Annotated[int, Query(ge=1, le=3, description="Hops around the entity.")] = 1,
) -> HTMLResponse:
    info = _describe(store, kind, key)
    nodes, edges = viz.neighbourhood(store, f"{kind}/{key}", hops)
    return HTMLResponse(viz.render(nodes, edges, title=f"{info['name']} — kg"))
