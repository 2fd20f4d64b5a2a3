"""The graph as flat records and tables: one JSON object per entity, CSV tables of the
relations people ask about most. docs/releases.md describes every field.

Everything is read once from the store (kg.read.graph_index's snapshot for the links, a few
whole-predicate scans for the rest) and written from memory. Ids are the ones the REST API
uses: an entity's IRI without `<base>id/` (`org/중소벤처기업부`), a post's `dcterms:identifier`,
and a statement's IRI without `<base>id/` (`post/<post>#fact-<hash>`): the kg:Fact that states
it, with its sentence, in the N-Quads dump.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from kg.read.graph_index import Snapshot, load_snapshot
from kg.read.queries import EDGE_PREDICATES, class_types, entity_id
from kg.read.related import Link
from kg.store import scan
from kg.store.base import Store
from kg.vocab.ontology import curie, iri, sparql_prefixes

# predicates whose facts are links (kg.read.related) or memberships, not properties
_LINK_PREDICATES = frozenset(iri(p) for p in (*EDGE_PREDICATES, "org:member", "org:holds"))
# what a literal property of an entity may be (skos labels are names, not properties)
_NAME_PREDICATES = frozenset(iri(p) for p in ("skos:prefLabel", "skos:altLabel", "foaf:name", "schema:name"))


@dataclass
class Column:
    name: str
    datatype: str  # CSVW / XSD datatype name
    description: str


@dataclass
class Table:
    file: str
    description: str
    columns: list[Column]


def _c(name: str, datatype: str, description: str) -> Column:
    return Column(name, datatype, description)


def _entity(prefix: str, what: str) -> list[Column]:
    """`<prefix>_id` and `<prefix>_name` of an entity."""
    return [
        _c(f"{prefix}_id", "string", f"The {what}'s id as in the REST API (the IRI after <base>id/)."),
        _c(f"{prefix}_name", "string", f"The {what}'s name."),
    ]


def _evidence(counted: bool = True, what: str = "it") -> list[Column]:
    """How many posts state a row, which, and the kg:Fact statements."""
    counts = [_c("posts", "integer", f"How many posts state {what}.")] if counted else []
    return [
        *counts,
        _c("post_ids", "string", f"The posts that state {what}, separated by spaces."),
        _c("statement_ids", "string", "The kg:Fact statements, separated by spaces."),
    ]


TABLES: list[Table] = [
    Table(
        "memberships.csv",
        "People, the posts (roles) they hold in bodies, with the first and last day a post attests it.",
        [
            *_entity("person", "person"),
            _c("role", "string", "The title as written (장관, 제2차관, 원장 직무대행 …)."),
            *_entity("organization", "body"),
            _c("first_attested", "date", "Earliest day a post attests the person in the role."),
            _c("last_attested", "date", "Latest day a post attests the person in the role."),
            *_evidence(),
        ],
    ),
    Table(
        "program_operators.csv",
        "Programs and the bodies said to operate them.",
        [
            *_entity("program", "program"),
            *_entity("operator", "operating body"),
            _c("first_stated", "date", "Earliest publication day of a post that states it."),
            _c("last_stated", "date", "Latest publication day of a post that states it."),
            *_evidence(),
        ],
    ),
    Table(
        "event_participants.csv",
        "Events, their day and place, and who took part.",
        [
            *_entity("event", "event"),
            _c("date", "date", "The day the event took place (its first day)."),
            _c("places", "string", "Names of the places it took place in, separated by ' | '."),
            *_entity("participant", "participant (a person or a body)"),
            _c("participant_type", "string", "Person or Organization."),
            *_evidence(counted=False, what="the participation"),
        ],
    ),
    Table(
        "sub_organisations.csv",
        "Bodies and the bodies they are units of (from posts and from the authority lexicon).",
        [
            *_entity("organization", "unit"),
            *_entity("parent", "parent body"),
            _c("founded", "date", "The unit's founding day when a post states it (schema:foundingDate)."),
            _c("source", "string", "posts (a post states it), lexicon (the authority lexicon does) or both."),
            *_evidence(counted=False),
        ],
    ),
    Table(
        "posts.csv",
        "The posts the graph was read from.",
        [
            _c("post_id", "string", "The post's id (dcterms:identifier): file stem, JSONL id or URL."),
            _c("iri", "anyURI", "The post's IRI, which is also the name of its graph in kg.nq.gz."),
            _c("title", "string", "Title."),
            _c("published", "date", "Publication day."),
            _c("publisher", "string", "The body that published it."),
            _c("url", "string", "Where it was published."),
            _c("licence", "string", "The licence the post was published under, as the post states it."),
            _c("facts", "integer", "How many kg:Fact statements were read from it."),
        ],
    ),
]


@dataclass
class Graph:
    """What the records and tables are made from, read once."""

    snapshot: Snapshot
    statements: dict[tuple[str, str, str], list[str]]  # (subject, predicate, object value) → fact IRIs
    facts_of_post: dict[str, int]
    properties: dict[str, dict[str, dict[str, list[str]]]]  # entity → property → value → fact IRIs
    mentions: dict[str, set[str]]  # entity → posts whose graph names it
    classes: dict[str, set[str]]  # entity → its classes
    labels: dict[str, dict[str, list[str]]]  # entity → "pref@ko" / "alt@en" … → texts
    post_extra: dict[str, dict[str, str]]  # post → publisher, licence
    lexicon_parents: set[tuple[str, str]] = field(default_factory=set)


def read_graph(store: Store, page_rows: int = scan.DEFAULT_PAGE_ROWS) -> Graph:
    """Read everything the records and tables need (whole-predicate scans, paged)."""
    prefixes = sparql_prefixes()
    snapshot = load_snapshot(store, store.generation(), page_rows)
    entity_types = snapshot.labels.types
    statements: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    facts_of_post: dict[str, int] = defaultdict(int)
    properties: dict[str, dict[str, dict[str, list[str]]]] = defaultdict(lambda: defaultdict(dict))
    for f, s, p, o in scan.values(
        store,
        prefixes
        + "SELECT ?f ?s ?p ?o WHERE { ?f a kg:Fact ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o }",
        page_rows,
    ):
        if f is None or s is None or p is None or o is None:
            continue
        statements[(s, p, o)].append(f)
        facts_of_post[f.partition("#")[0]] += 1
        if p not in _LINK_PREDICATES and s in entity_types:
            value = entity_id(o) if o in entity_types else o
            properties[s][curie(p)].setdefault(value, []).append(f)
    classes: dict[str, set[str]] = defaultdict(set)
    for s, c in scan.values(store, "SELECT DISTINCT ?s ?c WHERE { ?s a ?c FILTER(isIRI(?s)) }", page_rows):
        if s in entity_types and c is not None:
            classes[s].add(c)
    for s, p, o in scan.values(
        store,
        prefixes
        + f"""SELECT ?s ?p ?o WHERE {{ VALUES ?c {{ {" ".join(f"<{c}>" for c in class_types())} }} ?s a ?c .
  ?s ?p ?o FILTER(isLiteral(?o) || ?p = kg:eventKind) }}""",
        page_rows,
    ):
        if s is None or p is None or o is None or p in _NAME_PREDICATES:
            continue
        value = curie(o) if p == iri("kg:eventKind") else o
        properties[s][curie(p)].setdefault(value, [])
    labels: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for predicate, kind in (("skos:prefLabel", "names"), ("skos:altLabel", "aliases")):
        for cells in scan.rows(store, prefixes + f"SELECT ?s ?l WHERE {{ ?s {predicate} ?l }}", page_rows):
            subject, label = scan.term(cells[0]), scan.term(cells[1])
            if subject is None or label is None or subject[0] not in entity_types:
                continue
            texts = labels[subject[0]][f"{kind}@{label[1] or 'und'}"]
            if label[0] not in texts:
                texts.append(label[0])
    mentions: dict[str, set[str]] = defaultdict(set)
    for s, g in scan.values(
        store,
        prefixes
        + f"""SELECT DISTINCT ?s ?g WHERE {{ VALUES ?c {{ {" ".join(f"<{c}>" for c in class_types())} }}
  GRAPH ?g {{ ?s a ?c . ?g a schema:Article }} }}""",
        page_rows,
    ):
        if s is not None and g is not None:
            mentions[s].add(g)
    post_extra: dict[str, dict[str, str]] = defaultdict(dict)
    for p, k, v in scan.values(
        store,
        prefixes
        + """SELECT ?p ?k ?v WHERE { ?p a schema:Article .
  { ?p dcterms:publisher ?v BIND("publisher" AS ?k) } UNION { ?p dcterms:license ?v BIND("licence" AS ?k) } }""",
        page_rows,
    ):
        if p is not None and k is not None and v is not None:
            post_extra[p][k] = min(post_extra[p].get(k, v), v)
    lexicon_parents = {
        (c, p)
        for c, p in scan.values(
            store,
            prefixes + "SELECT ?c ?p WHERE { GRAPH <" + _lexicon() + "> { ?c org:subOrganizationOf ?p } }",
            page_rows,
        )
        if c is not None and p is not None
    }
    return Graph(
        snapshot,
        dict(statements),
        dict(facts_of_post),
        {k: dict(v) for k, v in properties.items()},
        dict(mentions),
        dict(classes),
        {k: dict(v) for k, v in labels.items()},
        dict(post_extra),
        lexicon_parents,
    )


def _lexicon() -> str:
    from kg.store.base import graph_node

    return graph_node("lexicon").value


def _statement_ids(graph: Graph, link: Link) -> list[str]:
    found = {f for fact in link.facts for f in graph.statements.get(fact, ())}
    return sorted(entity_id(f) for f in found)


def _post_ids(graph: Graph, iris: Any) -> list[str]:
    meta = graph.snapshot.labels.post_meta
    return sorted({(meta.get(p) or {}).get("id") or entity_id(p) for p in iris})


def _posts_of(statement_iris: Any) -> set[str]:
    return {f.partition("#")[0] for f in statement_iris}


def _links(graph: Graph, node: str) -> list[Link]:
    return list(graph.snapshot.links(node, None, True)[1])


def _name(graph: Graph, node: str) -> str:
    return graph.snapshot.labels.names.get(node) or entity_id(node)


def entity_records(graph: Graph) -> Iterator[dict[str, Any]]:
    """One flat record per entity, in id order."""
    types = graph.snapshot.labels.types
    meta = graph.snapshot.labels.post_meta
    for node in sorted(types, key=entity_id):
        links = []
        for link in _links(graph, node):
            statement_iris = {f for fact in link.facts for f in graph.statements.get(fact, ())}
            links.append(
                {
                    "relation": link.relation,
                    "direction": link.direction,
                    "other": entity_id(link.other),
                    "other_name": _name(graph, link.other),
                    "other_type": types.get(link.other),
                    "role": link.role,
                    "start": link.start,
                    "end": link.end,
                    "first": link.lo,
                    "last": link.hi,
                    "posts": _post_ids(graph, _posts_of(statement_iris)),
                    "statements": sorted(entity_id(f) for f in statement_iris),
                }
            )
        labels = graph.labels.get(node, {})
        mentioned = graph.mentions.get(node, set())
        dates = sorted(d for d in ((meta.get(p) or {}).get("date") for p in mentioned) if d)
        yield {
            "id": entity_id(node),
            "iri": node,
            "type": types[node],
            "classes": sorted(curie(c) for c in graph.classes.get(node, ())),
            "name": _name(graph, node),
            "names": {k.split("@")[1]: v for k, v in sorted(labels.items()) if k.startswith("names@")},
            "aliases": {k.split("@")[1]: v for k, v in sorted(labels.items()) if k.startswith("aliases@")},
            "properties": {
                prop: [
                    {"value": value, "statements": sorted(entity_id(f) for f in facts)}
                    for value, facts in sorted(values.items())
                ]
                for prop, values in sorted(graph.properties.get(node, {}).items())
            },
            "links": links,
            "posts": _post_ids(graph, mentioned),
            "first_post": dates[0] if dates else None,
            "last_post": dates[-1] if dates else None,
        }


def _row(*values: Any) -> list[str]:
    return ["" if v is None else str(v) for v in values]


def _stated_by(graph: Graph, link: Link) -> tuple[list[str], str]:
    """The ids of the posts that state a link, and of its statements (space-separated)."""
    statement_iris = {f for fact in link.facts for f in graph.statements.get(fact, ())}
    return _post_ids(graph, _posts_of(statement_iris)), " ".join(sorted(entity_id(f) for f in statement_iris))


def _membership_row(graph: Graph, node: str, link: Link) -> list[str]:
    posts, ids = _stated_by(graph, link)
    start, end = link.start or link.lo, link.end or link.hi
    other = link.other
    return _row(entity_id(node), _name(graph, node), link.role, entity_id(other), _name(graph, other),
                start, end, len(posts), " ".join(posts), ids)  # fmt: skip


def _operator_row(graph: Graph, node: str, link: Link) -> list[str]:
    posts, ids = _stated_by(graph, link)
    other = link.other
    return _row(entity_id(node), _name(graph, node), entity_id(other), _name(graph, other),
                link.lo, link.hi, len(posts), " ".join(posts), ids)  # fmt: skip


def _participant_row(graph: Graph, node: str, link: Link) -> list[str]:
    posts, ids = _stated_by(graph, link)
    places = sorted(
        _name(graph, x.other)
        for x in _links(graph, node)
        if (x.relation, x.direction) == ("locatedIn", "out")
    )
    other = link.other
    return _row(entity_id(node), _name(graph, node), link.start, " | ".join(places), entity_id(other),
                _name(graph, other), graph.snapshot.labels.types.get(other), " ".join(posts), ids)  # fmt: skip


def _unit_row(graph: Graph, node: str, link: Link) -> list[str]:
    posts, ids = _stated_by(graph, link)
    in_lexicon = (node, link.other) in graph.lexicon_parents
    source = ("both" if in_lexicon else "posts") if ids else "lexicon"
    founded = sorted(graph.properties.get(node, {}).get("schema:foundingDate", {}))
    other = link.other
    return _row(entity_id(node), _name(graph, node), entity_id(other), _name(graph, other),
                founded[0] if founded else None, source, " ".join(posts), ids)  # fmt: skip


# table → (entity type, relation, direction, its row): one row per such link
LINK_TABLES = {
    "memberships.csv": ("Person", "holdsPosition", "out", _membership_row),
    "program_operators.csv": ("Program", "operates", "in", _operator_row),
    "event_participants.csv": ("Event", "participatedIn", "in", _participant_row),
    "sub_organisations.csv": ("Organization", "subOrganizationOf", "out", _unit_row),
}


def _post_rows(graph: Graph) -> Iterator[list[str]]:
    for post, m in graph.snapshot.labels.post_meta.items():
        extra = graph.post_extra.get(post, {})
        yield _row(m.get("id"), post, m.get("title"), m.get("date"), extra.get("publisher"), m.get("url"),
                   extra.get("licence"), graph.facts_of_post.get(post, 0))  # fmt: skip


def table_rows(graph: Graph, file: str) -> Iterator[list[str]]:
    """The rows of one of TABLES (without the header), sorted."""
    if file == "posts.csv":
        yield from sorted(_post_rows(graph))
        return
    type_name, relation, direction, row = LINK_TABLES[file]
    out = [
        row(graph, node, link)
        for node, t in graph.snapshot.labels.types.items()
        if t == type_name
        for link in _links(graph, node)
        if (link.relation, link.direction) == (relation, direction)
    ]
    yield from sorted(out)
