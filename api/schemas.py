"""Response models of the REST API."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class EntitySummary(BaseModel):
    id: str = Field(description="Entity id: the IRI path after `/id/`, e.g. `org/중소벤처기업부`.")
    iri: str
    name: str = Field(description="Preferred Korean label.")
    type: str = Field(description="Person, Organization, Program, Event or Place.")
    matched: str | None = Field(None, description="The label that matched the search.")
    score: float | None = None


class EntitiesPublic(BaseModel):
    data: list[EntitySummary]
    count: int = Field(description="Number of matches before paging.")


class Alias(BaseModel):
    label: str
    lang: str


class EntityPublic(BaseModel):
    id: str
    iri: str
    type: str
    classes: list[str]
    name: str
    labels: dict[str, list[str]]
    aliases: list[Alias]
    attributes: dict[str, list[str]]
    posts: int = Field(description="Posts that state facts about this entity.")
    facts: int = Field(description="Facts about this entity across posts.")


class Evidence(BaseModel):
    sentence: str
    post: str | None = Field(None, description="IRI of the post (and of its named graph).")
    title: str | None = None
    date: str | None = None


class RelatedItem(BaseModel):
    relation: str = Field(
        description="holdsPosition, subOrganizationOf, operates, participatedIn, partnerOf, locatedIn."
    )
    direction: str = Field(
        description="`out` when the entity is the subject, `in` when the object, `both` if symmetric."
    )
    entity: EntitySummary
    role: str | None = None
    start: str | None = None
    end: str | None = None
    depth: int = 1
    via: str | None = None
    evidence: list[Evidence]


class RelatedPublic(BaseModel):
    data: list[RelatedItem]
    count: int


class PostSummary(BaseModel):
    id: str
    iri: str
    title: str | None = None
    published: str | None = None
    url: str | None = None


class PostsPublic(BaseModel):
    data: list[PostSummary]
    count: int


class FactPublic(BaseModel):
    subject: str
    predicate: str
    object: str
    sentence: str
    start: int
    end: int
    confidence: float
    component: str


class PostPublic(PostSummary):
    publisher: str | None = None
    licence: str | None = None
    facts: list[FactPublic]


class StatsPublic(BaseModel):
    posts: int
    facts: int
    quads: int
    entities: dict[str, int]


class Health(BaseModel):
    status: str
    store: str
    detail: dict[str, Any] = {}
