"""Response models of the REST API."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, Field

DATE = r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$"


def _calendar_day(value: str) -> str:
    """`2021-02-31` has the shape of a date but is no day: refused (422), not read as no rows."""
    try:
        date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value} is not a day of the calendar") from None
    return value


# a query parameter holding a day, YYYY-MM-DD, that exists
Day = Annotated[str, AfterValidator(_calendar_day)]


class Problem(BaseModel):
    detail: str = Field(description="What went wrong, in words.")


NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": Problem, "description": "Unknown id."}}


class EntitySummary(BaseModel):
    id: str = Field(description="Entity id `kind/key`: the IRI path after `/id/`, e.g. `org/중소벤처기업부`.")
    iri: str = Field(description="The entity's IRI.")
    name: str = Field(description="Preferred Korean label.")
    type: str = Field(description="Person, Organization, Program, Event or Place.")
    matched: str | None = Field(None, description="The label that matched the search.")
    score: float | None = Field(None, description="Search rank score (higher is better).")


class EntitiesPublic(BaseModel):
    data: list[EntitySummary]
    count: int = Field(description="Number of matches before paging.")


class Alias(BaseModel):
    label: str = Field(description="Another name (abbreviation, former or English name).")
    lang: str = Field(description="Language tag, `ko` or `en` (empty if none).")


class EntityPublic(BaseModel):
    id: str = Field(description="Entity id `kind/key`.")
    iri: str = Field(description="The entity's IRI.")
    type: str = Field(description="Person, Organization, Program, Event or Place.")
    classes: list[str] = Field(description="Its RDF classes as CURIEs (e.g. `kg:GovernmentBody`).")
    name: str = Field(description="Display name: the Korean preferred label.")
    labels: dict[str, list[str]] = Field(description="Preferred labels by language tag.")
    aliases: list[Alias] = Field(description="Alternative labels.")
    attributes: dict[str, list[str]] = Field(description="Other literal properties by CURIE.")
    posts: int = Field(description="Posts that state facts about this entity.")
    facts: int = Field(description="Facts about this entity across posts.")


class Evidence(BaseModel):
    sentence: str = Field(description="The sentence that states the relation.")
    post: str | None = Field(None, description="IRI of the post (and of its named graph).")
    post_id: str | None = Field(None, description="The post's id: `GET /posts/{post_id}` lists its facts.")
    url: str | None = Field(None, description="Where the post was published.")
    title: str | None = Field(None, description="The post's title.")
    date: str | None = Field(None, description="The post's publication date.")


class RelatedItem(BaseModel):
    relation: str = Field(
        description="holdsPosition, subOrganizationOf, operates, participatedIn, partnerOf, locatedIn, "
        "or succession (a change of bodies: `out` leads to a later body, `in` to an earlier one; "
        "`role` is the kind of change, `start` its date, the evidence its note and public source)."
    )
    direction: str = Field(
        description="`out` when the entity is the subject, `in` when the object, `both` if symmetric."
    )
    entity: EntitySummary = Field(description="The neighbour.")
    role: str | None = Field(None, description="For holdsPosition: the title as written (e.g. 차관).")
    start: str | None = Field(None, description="First date the relation is known for (YYYY-MM-DD).")
    end: str | None = Field(None, description="Last date the relation is known for (YYYY-MM-DD).")
    depth: int = Field(1, description="Hops from the entity (1–3; a line of succession is walked whole).")
    via: str | None = Field(None, description="For depth > 1: the id of the entity this edge starts from.")
    evidence: list[Evidence] = Field(description="Sentences stating it, newest post first (at most 10).")


class RelatedPublic(BaseModel):
    data: list[RelatedItem] = Field(description="One page of neighbours.")
    count: int = Field(description="Neighbours before paging.")


class PostSummary(BaseModel):
    id: str = Field(description="The post's id.")
    iri: str = Field(description="The post's IRI, which also names its graph.")
    title: str | None = Field(None, description="Title.")
    published: str | None = Field(None, description="Publication date (YYYY-MM-DD).")
    url: str | None = Field(None, description="Where it was published.")
    publisher: str | None = Field(None, description="The publishing body as written.")


class PostsPublic(BaseModel):
    data: list[PostSummary] = Field(description="One page of posts.")
    count: int = Field(description="Posts before paging.")


class FactPublic(BaseModel):
    subject: str = Field(description="IRI of the statement's subject.")
    predicate: str = Field(description="The predicate as a CURIE.")
    object: str = Field(description="IRI or literal value of the object.")
    sentence: str = Field(description="The evidence sentence.")
    start: int = Field(description="Character offset of the sentence in the cleaned text.")
    end: int = Field(description="End offset (exclusive).")
    confidence: float = Field(description="The extractor's confidence, 0–1.")
    component: str = Field(description="The extractor component that produced it.")


class PostPublic(PostSummary):
    licence: str | None = Field(None, description="Licence of the text.")
    facts: list[FactPublic] = Field(description="Facts read from the post, in text order.")


class StatsPublic(BaseModel):
    posts: int = Field(description="Posts in the graph.")
    facts: int = Field(description="kg:Fact nodes (statements with evidence).")
    quads: int = Field(
        description="Quads of the data: every named graph but kg's bookkeeping (generation, change log); "
        "what a release's kg.nq.gz holds."
    )
    entities: dict[str, int] = Field(description="Entities by type.")
    current_extractor: str = Field(description="The running extractor's version (package + digest).")
    extractor_versions: list[dict[str, Any]] = Field(
        description="Posts and facts per extractor version that read them, most facts first "
        "(`unrecorded`: written before versions were recorded)."
    )


class Health(BaseModel):
    status: str = Field(description="`ok` when the store answers.")
    store: str = Field(description="The store's kind (OxigraphStore, RemoteStore).")
    extractor: str = Field(
        description="The extractor version this installation writes: the package version and a digest "
        "of the extraction code, patterns, lexicon and model files (as `kg --version`)."
    )
    detail: dict[str, Any] = Field(
        {}, description="The store's generation marker and the state of the in-memory graph index."
    )


# -- /changes --------------------------------------------------------------------------------


class Term(BaseModel):
    """An entity (id, iri, name, type) or a literal (value, datatype, lang) a fact names."""

    id: str | None = Field(None, description="An entity's id (`org/중소벤처기업부`).")
    iri: str | None = Field(None, description="An entity's IRI.")
    name: str | None = Field(
        None, description="Its name (of an entity gone from the store: the key of its id)."
    )
    type: str | None = Field(None, description="Person, Organization, Program, Event or Place.")
    value: str | None = Field(None, description="A literal's value (a founding date …).")
    datatype: str | None = Field(None, description="A literal's datatype as a CURIE.")
    lang: str | None = Field(None, description="A literal's language tag.")


class FactChange(BaseModel):
    fact: str = Field(description="The fact's id: its IRI after `<base>id/` (`post/<post>#fact-<hash>`).")
    fact_iri: str = Field(description="The kg:Fact's IRI.")
    subject: Term | None
    predicate: str | None = Field(None, description="The property as a CURIE (`org:headOf`).")
    object: Term | None
    role: str | None = Field(None, description="For a membership: the title as written.")
    organization: Term | None = Field(None, description="For a membership (`org:member`): its body.")
    sentence: str | None = Field(None, description="The evidence sentence.")
    about: list[Term] = Field(description="Every entity the fact concerns.")


class ChangedPost(BaseModel):
    id: str | None = Field(None, description="The post's id (`GET /posts/{id}`).")
    iri: str | None = Field(None, description="The post's IRI, also its graph's name.")
    title: str | None = None


class ChangeSet(BaseModel):
    iri: str = Field(description="The change set's IRI (`<base>id/run/<run>/c0000001`).")
    run: str = Field(description="The id of the run that wrote it.")
    time: str = Field(description="When it was written (xsd:dateTime, UTC).")
    change: str | None = Field(None, description="added, changed or removed.")
    post: ChangedPost
    mentions: list[Term] = Field(description="Entities the post names for the first time.")
    added: list[FactChange]
    removed: list[FactChange]


class Run(BaseModel):
    id: str = Field(description="`20260122T101530Z-3f9c2a`: its start (UTC) and six random hex digits.")
    iri: str
    kind: str | None = Field(None, description="ingest, reextraction, load or removal.")
    started: str | None = None
    ended: str | None = Field(None, description="None while it runs, or when it was killed.")
    posts_added: int = 0
    posts_changed: int = 0
    posts_removed: int = 0
    facts_added: int = 0
    facts_removed: int = 0
    extractor_versions: list[str] = Field(description="`kg-extract/…` versions it ran (or loaded).")


class Latest(BaseModel):
    time: str | None = Field(None, description="The newest change's time: the `since` of the next call.")
    run: str | None = Field(None, description="The newest run's id.")


class ChangesPublic(BaseModel):
    since: str | None = Field(None, description="The `since` asked.")
    latest: Latest
    count: int = Field(description="Change sets after `since`, before paging.")
    next: str | None = Field(None, description="The URL of the next page, or null.")
    runs: list[Run] = Field(description="The runs of the change sets in this page.")
    data: list[ChangeSet] = Field(description="Change sets, oldest first.")
