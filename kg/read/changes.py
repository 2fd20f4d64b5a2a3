"""The change log read back (kg.build.changelog writes it): runs, and change sets since a time or
a run, for everyone or about one entity.

`since` is a day (`2026-01-22`: from its start, UTC), a time (`2026-01-22T10:15:30Z`: strictly
after it) or a run id (`20260122T101530Z-3f9c2a`: the runs that started after that one). A
mirror asks with the `latest` time of its previous answer and replays the change sets in order
(oldest first): each adds and removes facts of one post graph, and re-fetching that post's
graph (`/posts/{id}` as N-Quads) brings everything else the post states.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pyoxigraph as ox

from kg.read.queries import Lookup, entity_id, safe_iri
from kg.store.base import Store, graph_node
from kg.vocab.ontology import curie, data_iri, iri, mapping, sparql_prefixes

RUN_ID = re.compile(r"^\d{8}T\d{6}Z-[0-9a-f]{6}$")
DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
KINDS = {"kg:Ingest": "ingest", "kg:Reextraction": "reextraction", "kg:Load": "load", "kg:Removal": "removal"}
SINCE_HELP = (
    "a day (2026-01-22, from its start in UTC), a time (2026-01-22T10:15:30Z, strictly after it) "
    "or a run id (20260122T101530Z-3f9c2a, the runs that started after it)"
)


class UnknownRun(LookupError):
    """`since` names a run the log does not hold."""


@dataclass(frozen=True)
class Since:
    """Where a listing starts: nothing (the whole log), a moment, or after a run."""

    text: str | None = None
    moment: str | None = None  # xsd:dateTime lexical form, UTC
    inclusive: bool = False
    run: str | None = None  # run id


def parse_since(value: str | None) -> Since:
    """`since` as given by a user; ValueError names what it should look like."""
    if not value:
        return Since()
    value = value.strip()
    if RUN_ID.match(value):
        return Since(value, run=value)
    try:
        if DAY.match(value):
            day = datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC)
            return Since(value, _lexical(day), inclusive=True)
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"since={value!r} is not {SINCE_HELP}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return Since(value, _lexical(moment))


def _lexical(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def run_iri(run_id: str) -> str:
    return data_iri(f"id/run/{run_id}")


def _changes() -> str:
    return str(graph_node("changes"))


def _value(term: Any) -> Any:
    if isinstance(term, ox.Literal):
        dt = term.datatype.value
        if dt == iri("xsd:integer"):
            return int(term.value)
        return term.value
    return term.value


# -- runs ---------------------------------------------------------------------------------------


def runs(
    store: Store, limit: int = 50, since: Since | None = None, ids: list[str] | None = None
) -> list[dict[str, Any]]:
    """Runs, newest first: kind, start, end (None while running or after a crash), counts and
    extractor versions."""
    where = ""
    if ids is not None:
        if not ids:
            return []
        where = "VALUES ?r { " + " ".join(f"<{run_iri(i)}>" for i in ids if RUN_ID.match(i)) + " }"
    elif since is not None and (since.moment or since.run):
        start = _run_start(store, since.run) if since.run else since.moment
        where = f'?r prov:startedAtTime ?rs FILTER(?rs {">=" if since.inclusive else ">"} "{start}"^^xsd:dateTime)'
    page = store.select(
        sparql_prefixes()
        + f"""SELECT ?r ?started WHERE {{ GRAPH {_changes()} {{ ?r a prov:Activity ; prov:startedAtTime ?started . {where} }} }}
ORDER BY DESC(?started) DESC(?r) LIMIT {int(limit)}"""
    )
    if not page:
        return []
    values = " ".join(f"<{r['r'].value}>" for r in page)
    rows = store.select(
        sparql_prefixes()
        + f"""SELECT ?r ?p ?o ?v WHERE {{ VALUES ?r {{ {values} }} GRAPH {_changes()} {{
  {{ ?r ?p ?o FILTER(?p != prov:wasAssociatedWith) }}
  UNION {{ ?r prov:wasAssociatedWith ?a . ?a kg:version ?v BIND(prov:wasAssociatedWith AS ?p) }} }} }}"""
    )
    found: dict[str, dict[str, Any]] = {
        r["r"].value: {
            "id": r["r"].value.rpartition("/")[2],
            "iri": r["r"].value,
            "kind": None,
            "started": None,
            "ended": None,
            "posts_added": 0,
            "posts_changed": 0,
            "posts_removed": 0,
            "facts_added": 0,
            "facts_removed": 0,
            "extractor_versions": [],
        }
        for r in page
    }
    names = {
        "prov:startedAtTime": "started",
        "prov:endedAtTime": "ended",
        "kg:postsAdded": "posts_added",
        "kg:postsChanged": "posts_changed",
        "kg:postsRemoved": "posts_removed",
        "kg:factsAdded": "facts_added",
        "kg:factsRemoved": "facts_removed",
    }
    for r in rows:
        run = found[r["r"].value]
        p = curie(r["p"].value)
        if p == "prov:wasAssociatedWith":
            run["extractor_versions"] = sorted({*run["extractor_versions"], r["v"].value})
        elif p == "rdf:type" and curie(r["o"].value) in KINDS:
            run["kind"] = KINDS[curie(r["o"].value)]
        elif p in names:
            run[names[p]] = _value(r["o"])
    return list(found.values())


def _run_start(store: Store, run_id: str) -> str:
    rows = store.select(
        sparql_prefixes()
        + f"SELECT ?t WHERE {{ GRAPH {_changes()} {{ <{run_iri(run_id)}> prov:startedAtTime ?t }} }} LIMIT 1"
    )
    if not rows:
        raise UnknownRun(f"no run {run_id} in the change log")
    return str(rows[0]["t"].value)


def latest(store: Store) -> dict[str, Any]:
    """The time of the newest change set and the newest run: where a mirror's next `since` starts."""
    rows = store.select(
        sparql_prefixes()
        + f"""SELECT (MAX(?t) AS ?last) WHERE {{ GRAPH {_changes()} {{ ?cs cs:createdDate ?t }} }}"""
    )
    newest = runs(store, limit=1)
    last = rows[0].get("last") if rows else None
    return {"time": last.value if last is not None else None, "run": newest[0]["id"] if newest else None}


# -- change sets ----------------------------------------------------------------------------------


def _selection(store: Store, since: Since, about: str | None) -> str:
    """The graph pattern (inside the changes graph) of the change sets a listing takes."""
    parts = ["?cs cs:createdDate ?t ; prov:wasGeneratedBy ?run ."]
    if since.run:
        start = _run_start(store, since.run)
        parts.append(f'?run prov:startedAtTime ?rs FILTER(?rs > "{start}"^^xsd:dateTime)')
    elif since.moment:
        parts.append(f'FILTER(?t {">=" if since.inclusive else ">"} "{since.moment}"^^xsd:dateTime)')
    if about:
        e = f"<{about}>"
        parts.insert(
            0,
            f"""{{ SELECT DISTINCT ?cs WHERE {{ {{ ?cs dcterms:subject {e} }}
    UNION {{ ?x rdf:subject {e} . ?cs cs:addition|cs:removal ?x }}
    UNION {{ ?x rdf:object {e} . ?cs cs:addition|cs:removal ?x }}
    UNION {{ ?x dcterms:subject {e} . ?cs cs:addition|cs:removal ?x }} }} }}""",
        )
    return "\n  ".join(parts)


def change_sets(
    store: Store,
    since: Since | None = None,
    limit: int = 100,
    offset: int = 0,
    about: str | None = None,
    newest_first: bool = False,
) -> tuple[int, list[dict[str, Any]]]:
    """(how many change sets match, one page of them with their facts), oldest first unless
    `newest_first`. `about`: only change sets about this entity IRI (a post newly naming it, or
    a fact about it added or removed)."""
    since = since or Since()
    if about is not None and not safe_iri(about):
        return 0, []
    where = _selection(store, since, about)
    graph = _changes()
    total = store.select(
        sparql_prefixes() + f"SELECT (COUNT(?cs) AS ?n) WHERE {{ GRAPH {graph} {{ {where} }} }}"
    )
    order = "DESC(?t) DESC(?cs)" if newest_first else "?t ?cs"
    page = store.select(
        sparql_prefixes()
        + f"""SELECT ?cs ?t ?run WHERE {{ GRAPH {graph} {{ {where} }} }}
ORDER BY {order} LIMIT {int(limit)} OFFSET {int(offset)}"""
    )
    count = int(total[0]["n"].value) if total else 0
    if not page:
        return count, []
    return count, _details(store, page)


def _details(store: Store, page: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The page's change sets with their posts and facts: one row per fact (what it states)
    plus one per sentence, role or other entity it concerns (no OPTIONAL: see kg.read.related)."""
    values = " ".join(f"<{r['cs'].value}>" for r in page)
    rows = store.select(
        sparql_prefixes()
        + f"""SELECT ?cs ?k ?x ?p ?o ?s ?f WHERE {{ VALUES ?cs {{ {values} }} GRAPH {_changes()} {{
  {{ ?cs ?p ?o VALUES ?p {{ cs:subjectOfChange cs:changeReason dcterms:title dcterms:identifier dcterms:subject }}
     BIND("set" AS ?k) }}
  UNION {{ ?cs cs:addition ?x . ?x rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; prov:alternateOf ?f
     BIND("added" AS ?k) }}
  UNION {{ ?cs cs:removal ?x . ?x rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; prov:alternateOf ?f
     BIND("removed" AS ?k) }}
  UNION {{ ?cs cs:addition ?x . ?x ?p ?o FILTER(?p IN (kg:evidenceText, kg:roleLabel, dcterms:subject))
     BIND("more" AS ?k) }}
  UNION {{ ?cs cs:removal ?x . ?x ?p ?o FILTER(?p IN (kg:evidenceText, kg:roleLabel, dcterms:subject))
     BIND("more" AS ?k) }} }} }}"""
    )
    sets: dict[str, dict[str, Any]] = {
        r["cs"].value: {
            "iri": r["cs"].value,
            "run": r["run"].value.rpartition("/")[2],
            "time": r["t"].value,
            "change": None,
            "post": {"id": None, "iri": None, "title": None},
            "mentions": [],
            "added": [],
            "removed": [],
        }
        for r in page
    }
    facts: dict[str, dict[str, Any]] = {}  # snapshot IRI → fact
    more: list[dict[str, Any]] = []
    for r in rows:
        kind = r["k"].value
        if kind == "more":
            more.append(r)
        elif kind in ("added", "removed"):
            fact = {"subject": r["s"], "predicate": curie(r["p"].value), "object": r["o"], "about": []}
            fact["fact_iri"] = r["f"].value
            facts[r["x"].value] = fact
            sets[r["cs"].value][kind].append(fact)
        else:
            post = sets[r["cs"].value]["post"]
            p, o = curie(r["p"].value), r["o"]
            if p == "cs:subjectOfChange":
                post["iri"] = o.value
                post["id"] = post["id"] or entity_id(o.value).removeprefix("post/")
            elif p == "dcterms:identifier":
                post["id"] = o.value
            elif p == "cs:changeReason":
                sets[r["cs"].value]["change"] = o.value
            elif p == "dcterms:title":
                post["title"] = o.value
            else:  # dcterms:subject: an entity the post names for the first time
                sets[r["cs"].value]["mentions"].append(o.value)
    fields = {iri("kg:evidenceText"): "sentence", iri("kg:roleLabel"): "role"}
    for r in more:
        found = facts.get(r["x"].value)
        if found is None:
            continue
        field = fields.get(r["p"].value)
        if field is None:
            found["about"].append(r["o"].value)
        else:
            found[field] = r["o"].value
    _name_everything(store, list(sets.values()))
    return list(sets.values())


def _name_everything(store: Store, sets: list[dict[str, Any]]) -> None:
    """Turn IRIs into {id, iri, name, type} (names of entities no longer in the store: their key)."""
    wanted: set[str] = set()
    for cs in sets:
        wanted.update(cs["mentions"])
        for fact in (*cs["added"], *cs["removed"]):
            wanted.update(fact["about"])
            for node in (fact.get("subject"), fact.get("object")):
                if isinstance(node, ox.NamedNode):
                    wanted.add(node.value)
    names = Lookup(store).entities(wanted)

    def ref(value: str) -> dict[str, Any]:
        name, type_name = names.get(value, (entity_id(value), ""))
        eid = entity_id(value)
        if name == eid:  # not in the store now: the key of its id is its name
            name = eid.partition("/")[2].split("@")[0] or eid
        return {"id": eid, "iri": value, "name": name, "type": type_name or None}

    def term(value: Any) -> Any:
        if isinstance(value, ox.NamedNode):
            return ref(value.value)
        if isinstance(value, ox.Literal):
            return {"value": value.value, "datatype": curie(value.datatype.value), "lang": value.language}
        return None

    for cs in sets:
        cs["mentions"] = sorted((ref(m) for m in cs["mentions"]), key=lambda r: (r["type"] or "", r["name"]))
        for side in ("added", "removed"):
            shaped = []
            for fact in cs[side]:
                about = {fact["subject"].value, *fact["about"]} if "subject" in fact else set(fact["about"])
                if isinstance(fact.get("object"), ox.NamedNode):
                    about.add(fact["object"].value)
                fact_iri = fact.get("fact_iri", "")
                about_refs = sorted(
                    (ref(a) for a in about if a in names or _is_entity(a)), key=lambda r: r["id"]
                )
                organization = None
                if fact.get("predicate") == "org:member":  # a membership: say of which body
                    member = fact["object"].value if isinstance(fact.get("object"), ox.NamedNode) else None
                    organization = next(
                        (r for r in about_refs if r["type"] == "Organization" and r["iri"] != member), None
                    )
                shaped.append(
                    {
                        "fact": entity_id(fact_iri),
                        "fact_iri": fact_iri,
                        "subject": term(fact.get("subject")),
                        "predicate": fact.get("predicate"),
                        "object": term(fact.get("object")),
                        "role": fact.get("role"),
                        "organization": organization,
                        "sentence": fact.get("sentence"),
                        "about": about_refs,
                    }
                )
            cs[side] = sorted(shaped, key=lambda f: f["fact"])


def _is_entity(value: str) -> bool:
    """An IRI of a person, body, program, event or place (not of a membership or a post)."""
    eid = entity_id(value)
    return eid != value and eid.partition("/")[0] in {s["path"] for s in mapping()["entity_types"].values()}


def about_entity(fact: dict[str, Any], entity: str) -> bool:
    """Whether a listed fact concerns the entity (by IRI)."""
    return any(a["iri"] == entity for a in fact["about"])
