"""The W3C Reconciliation Service API (version 0.2) over the graph: what OpenRefine asks.

Candidates come from the label index (kg.read.labels: preferred names, aliases including the
`이하` short names the posts give, legal forms and spacing ignored); property values from one
SPARQL query per property for the whole batch. The web layer (api/routes/reconcile.py) only
parses requests and writes JSON.

Scores run from 0 to 100: the name (100 for the preferred name, 95 for an alias, less for a
prefix or a part), then -30 for each property constraint a candidate contradicts and -15 for
one it has no value for. `match` is true only when it is unambiguous: the best candidate's
name or alias is the query exactly, every property given agrees, and no other candidate is
as good as that.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kg.read.labels import Labels
from kg.read.queries import entity_id, entity_iri, safe_iri
from kg.store.base import Store
from kg.text.names import name_key
from kg.vocab.ontology import data_iri, prefixes, sparql_prefixes

TYPE_NAMES = {
    "Organization": "조직 (Organization)",
    "Person": "인물 (Person)",
    "Program": "사업 (Program)",
    "Event": "행사 (Event)",
    "Place": "장소 (Place)",
}
DEFAULT_TYPES = ("Organization", "Person", "Program", "Event")
MAX_LIMIT = 50
DEFAULT_LIMIT = 5
NAME_SCORES = {"name": 100.0, "alias": 95.0}
MISMATCH = 30.0
MISSING = 15.0


@dataclass(frozen=True)
class Property:
    """A property OpenRefine can match on (`properties` in a query) or fetch (data extension).

    `pattern` binds ?v for the entity ?e; `kind`: entity (an id and name), str or date.
    """

    id: str
    name: str
    types: tuple[str, ...]
    kind: str
    pattern: str
    order: str = ""  # an ORDER BY key for the values (newest first where it matters)


PROPERTIES: dict[str, Property] = {
    p.id: p
    for p in [
        Property("parent", "상위 조직 (parent organisation)", ("Organization",), "entity",
                 "?e org:subOrganizationOf ?v"),
        Property("head", "기관장 (head: who holds its top post, latest first)", ("Organization",), "entity",
                 "?v org:headOf ?e OPTIONAL { ?m org:member ?v ; org:organization ?e ; "
                 "org:memberDuring/time:hasEnd/time:inXSDDate ?last }", "DESC(?last)"),
        Property("organization", "소속 조직 (organisation a person holds a post in)", ("Person",), "entity",
                 "?m org:member ?e ; org:organization ?v"),
        Property("role", "직위 (title as the posts write it)", ("Person",), "str",
                 "?m org:member ?e ; kg:roleLabel ?v"),
        Property("alias", "별칭 (aliases, short names, English names)", tuple(TYPE_NAMES), "str",
                 "?e skos:altLabel ?v"),
        Property("founded", "설립일 (founding date)", ("Organization",), "date", "?e schema:foundingDate ?v"),
        Property("operates", "운영 사업 (programs it operates)", ("Organization",), "entity", "?e kg:operates ?v"),
        Property("operator", "운영 기관 (who operates the program)", ("Program",), "entity", "?v kg:operates ?e"),
        Property("date", "날짜 (the event's date)", ("Event",), "date", "?e schema:startDate ?v"),
        Property("location", "장소 (location)", ("Organization", "Event"), "entity", "?e schema:location ?v"),
    ]
}  # fmt: skip


class ReconcileError(ValueError):
    """A request the service cannot answer (unknown property, a query without a name …)."""


def identifier_space() -> str:
    return data_iri("id/")


def manifest(base_url: str, name: str = "kg — Korean public-sector knowledge graph") -> dict[str, Any]:
    """The service manifest; `base_url` is where the app answers (`http://127.0.0.1:8000`)."""
    root = base_url.rstrip("/")
    return {
        "versions": ["0.2"],
        "name": name,
        "identifierSpace": identifier_space(),
        "schemaSpace": prefixes()["kg"],
        "documentation": f"{root}/docs#/reconcile",
        "view": {"url": f"{root}/entities/{{{{id}}}}"},
        "preview": {"url": f"{root}/reconcile/preview?id={{{{id}}}}", "width": 420, "height": 220},
        "defaultTypes": [type_ref(t) for t in DEFAULT_TYPES],
        "suggest": {
            "entity": {"service_url": root, "service_path": "/reconcile/suggest/entity"},
            "type": {"service_url": root, "service_path": "/reconcile/suggest/type"},
            "property": {"service_url": root, "service_path": "/reconcile/suggest/property"},
        },
        "extend": {
            "propose_properties": {"service_url": root, "service_path": "/reconcile/properties"},
            "property_settings": [],
        },
    }


def type_ref(type_id: str) -> dict[str, str]:
    return {"id": type_id, "name": TYPE_NAMES[type_id]}


def _types(value: Any) -> list[str | None]:
    """The query's `type` as a list of known types; no type: every type (None)."""
    if value in (None, "", []):
        return [None]
    wanted = [value] if isinstance(value, str) else list(value)
    known = [t for t in wanted if t in TYPE_NAMES]
    if not known:
        raise ReconcileError(f"unknown type {value!r}; types are {', '.join(TYPE_NAMES)}")
    return list(dict.fromkeys(known))


def _name_score(query_key: str, label_key: str, preferred: bool) -> tuple[float, bool]:
    """(score, exact) of a label against the query, both normalised with name_key."""
    if label_key == query_key:
        return NAME_SCORES["name" if preferred else "alias"], True
    ratio = len(query_key) / max(len(label_key), 1)
    if label_key.startswith(query_key):
        return round(55.0 + 30.0 * ratio, 1), False
    return round(40.0 + 30.0 * ratio, 1), False


@dataclass
class _Candidate:
    iri: str
    name: str
    type: str
    score: float
    exact: bool
    weight: int
    features: list[dict[str, Any]]
    agrees: bool = True


def _candidates(labels: Labels, text: str, types: list[str | None], limit: int) -> list[_Candidate]:
    key = name_key(text)
    if not key:
        return []
    found: dict[str, _Candidate] = {}
    for type_name in types:
        _total, hits = labels.search(text, type_name, limit=max(4 * limit, 20))
        for hit in hits:
            label_key = name_key(hit.label)
            score, exact = _name_score(key, label_key, preferred=name_key(hit.name) == label_key)
            old = found.get(hit.iri)
            if old is None or score > old.score:
                found[hit.iri] = _Candidate(
                    hit.iri,
                    hit.name,
                    hit.type,
                    score,
                    exact,
                    labels.weights.get(hit.iri, 0),
                    [{"id": "name", "value": round(score / 100, 3)}],
                )
    return list(found.values())


def property_values(
    store: Store, iris: list[str], pids: list[str]
) -> dict[str, dict[str, list[dict[str, str]]]]:
    """Entity IRI → property id → values: {"id", "name"} for entities, {"str"} or {"date"}."""
    unknown = [p for p in pids if p not in PROPERTIES]
    if unknown:
        raise ReconcileError(f"unknown property {unknown[0]!r}; properties are {', '.join(PROPERTIES)}")
    out: dict[str, dict[str, list[dict[str, str]]]] = {i: {p: [] for p in pids} for i in iris}
    values = " ".join(f"<{i}>" for i in iris if safe_iri(i))
    if not values:
        return out
    for pid in dict.fromkeys(pids):
        prop = PROPERTIES[pid]
        name = (
            'OPTIONAL { ?v skos:prefLabel ?vn FILTER(LANG(?vn) = "ko" || LANG(?vn) = "") }'
            if prop.kind == "entity"
            else ""
        )
        order = f"ORDER BY ?e {prop.order}" if prop.order else ""
        rows = store.select(
            sparql_prefixes()
            + f"SELECT ?e ?v ?vn WHERE {{ VALUES ?e {{ {values} }} {prop.pattern} {name} }} {order}"
        )
        for row in rows:
            e, v = row["e"].value, row["v"].value
            seen = out[e][pid]
            if prop.kind == "entity":
                item = {"id": entity_id(v), "name": row["vn"].value if "vn" in row else entity_id(v)}
            elif prop.kind == "date":
                item = {"date": v[:10]}
            else:
                item = {"str": v}
            if item not in seen:
                seen.append(item)
    return out


def _agrees(wanted: Any, have: list[dict[str, str]], kind: str, labels: Labels) -> bool:
    """Whether one of the candidate's values is the wanted one (an id, a name or alias, a date)."""
    wanted_values = wanted if isinstance(wanted, list) else [wanted]
    for w in wanted_values:
        if isinstance(w, dict):
            w = w.get("id") or w.get("name") or ""
        w = str(w)
        if kind == "entity":
            ids = {v["id"] for v in have}
            if w in ids or entity_id(entity_iri(w)) in ids:
                return True
            key = name_key(w)
            if key and any(name_key(v["name"]) == key for v in have):
                return True
            if key and ids & _ids_named(labels, w):
                return True
        elif kind == "date":
            if any(v["date"].startswith(w[:10]) for v in have if w):
                return True
        elif any(name_key(v["str"]) == name_key(w) for v in have):
            return True
    return False


def _ids_named(labels: Labels, text: str) -> set[str]:
    """Ids of the entities that have `text` as a name or alias exactly (중기부 → org/중소벤처기업부)."""
    key = name_key(text)
    _total, hits = labels.search(text, None, limit=50)
    return {entity_id(h.iri) for h in hits if name_key(h.label) == key}


def reconcile(store: Store, labels: Labels, queries: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """A batch `{"q0": {"query": …, "type": …, "limit": …, "properties": […]}}` → results by key."""
    planned: dict[str, tuple[int, list[dict[str, Any]], list[_Candidate]]] = {}
    wanted_pids: list[str] = []
    for key, q in queries.items():
        if not isinstance(q, dict):
            raise ReconcileError(f"query {key!r} is not an object")
        text = q.get("query")
        props = q.get("properties") or []
        if not isinstance(text, str) or not text.strip():
            if props:
                raise ReconcileError(f"query {key!r}: this service needs a name to search (query)")
            raise ReconcileError(f"query {key!r} has no query text")
        limit = q.get("limit") or DEFAULT_LIMIT
        if not isinstance(limit, int | float) or limit < 1:
            raise ReconcileError(f"query {key!r}: limit must be a positive number")
        limit = min(int(limit), MAX_LIMIT)
        for p in props:
            if not isinstance(p, dict) or "pid" not in p or "v" not in p:
                raise ReconcileError(f"query {key!r}: each property needs pid and v")
            if p["pid"] not in PROPERTIES:
                raise ReconcileError(
                    f"query {key!r}: unknown property {p['pid']!r}; properties are {', '.join(PROPERTIES)}"
                )
            wanted_pids.append(p["pid"])
        planned[key] = (limit, props, _candidates(labels, text, _types(q.get("type")), limit))
    pids = list(dict.fromkeys([*wanted_pids, "parent", "organization", "role", "operator"]))
    iris = sorted({c.iri for _l, _p, cands in planned.values() for c in cands})
    values = property_values(store, iris, pids) if iris else {}
    out: dict[str, dict[str, Any]] = {}
    for key, (limit, props, cands) in planned.items():
        for c in cands:
            for p in props:
                have = values.get(c.iri, {}).get(p["pid"], [])
                ok = _agrees(p["v"], have, PROPERTIES[p["pid"]].kind, labels)
                c.features.append({"id": p["pid"], "value": ok})
                if not ok:
                    c.agrees = False
                    c.score -= MISMATCH if have else MISSING
            c.score = max(0.0, round(c.score, 1))
        cands.sort(key=lambda c: (-c.score, -c.weight, c.name, c.iri))
        best = cands[0] if cands else None
        unambiguous = (
            best is not None
            and best.exact
            and best.agrees
            and not any(c.exact and c.agrees and c.score >= best.score for c in cands[1:])
        )
        out[key] = {
            "result": [
                {
                    "id": entity_id(c.iri),
                    "name": c.name,
                    "description": describe_briefly(c.type, values.get(c.iri, {})),
                    "score": c.score,
                    "match": unambiguous and c is best,
                    "type": [type_ref(c.type)] if c.type in TYPE_NAMES else [],
                    "features": c.features,
                }
                for c in cands[:limit]
            ]
        }
    return out


def describe_briefly(type_name: str, values: dict[str, list[dict[str, str]]]) -> str:
    """One line telling namesakes apart: the type, and the parent, posts or operator."""
    parts = [TYPE_NAMES.get(type_name, type_name)]
    if type_name == "Organization" and values.get("parent"):
        parts.append("상위: " + ", ".join(v["name"] for v in values["parent"][:2]))
    elif type_name == "Person" and values.get("organization"):
        roles = ", ".join(v["str"] for v in values.get("role", [])[:3])
        parts.append(
            ", ".join(v["name"] for v in values["organization"][:2]) + (f" {roles}" if roles else "")
        )
    elif type_name == "Program" and values.get("operator"):
        parts.append("운영: " + ", ".join(v["name"] for v in values["operator"][:3]))
    return " · ".join(parts)


def extend(store: Store, labels: Labels, request: dict[str, Any]) -> dict[str, Any]:
    """Data extension: `{"ids": […], "properties": [{"id": "parent"}, …]}` → meta and rows."""
    ids = request.get("ids")
    props = request.get("properties")
    if not isinstance(ids, list) or not isinstance(props, list):
        raise ReconcileError("extend needs ids (a list) and properties (a list)")
    pids = []
    for p in props:
        if not isinstance(p, dict) or not isinstance(p.get("id"), str):
            raise ReconcileError("each property to extend needs an id")
        pids.append(p["id"])
    iris = {i: entity_iri(str(i)) for i in ids}
    values = property_values(store, sorted(set(iris.values())), pids)
    rows: dict[str, dict[str, list[dict[str, str]]]] = {}
    for i, e in iris.items():
        have = values.get(e, {})
        rows[str(i)] = {
            pid: [{"date": v["date"] + "T00:00:00Z"} if "date" in v else v for v in have.get(pid, [])]
            for pid in pids
        }
    meta = []
    for pid in dict.fromkeys(pids):
        prop = PROPERTIES[pid]
        item: dict[str, Any] = {"id": pid, "name": prop.name}
        if prop.kind == "entity":
            item["type"] = type_ref(_value_type(pid))
        meta.append(item)
    return {"meta": meta, "rows": rows}


def _value_type(pid: str) -> str:
    return {"operates": "Program", "location": "Place", "head": "Person"}.get(pid, "Organization")


def propose_properties(type_id: str, limit: int = 10) -> dict[str, Any]:
    if type_id not in TYPE_NAMES:
        raise ReconcileError(f"unknown type {type_id!r}; types are {', '.join(TYPE_NAMES)}")
    props = [{"id": p.id, "name": p.name} for p in PROPERTIES.values() if type_id in p.types]
    return {"type": type_id, "limit": limit, "properties": props[:limit]}


def suggest_entities(
    labels: Labels, prefix: str, type_id: str | None, limit: int, cursor: int
) -> dict[str, Any]:
    types = _types(type_id)
    hits = []
    for t in types:
        hits.extend(labels.search(prefix, t, limit=limit + cursor)[1])
    hits.sort(key=lambda h: -h.score)
    result = []
    for h in hits[cursor : cursor + limit]:
        item: dict[str, Any] = {"id": entity_id(h.iri), "name": h.name}
        described = TYPE_NAMES.get(h.type, h.type)
        if name_key(h.label) != name_key(h.name):
            described += f" · 별칭 {h.label}"
        item["description"] = described
        if h.type in TYPE_NAMES:
            item["notable"] = [type_ref(h.type)]
        result.append(item)
    return {"result": result}


def suggest_types(prefix: str) -> dict[str, Any]:
    key = prefix.strip().lower()
    return {
        "result": [
            {"id": t, "name": n} for t, n in TYPE_NAMES.items() if key in t.lower() or key in n.lower()
        ]
    }


def suggest_properties(prefix: str) -> dict[str, Any]:
    key = prefix.strip().lower()
    return {
        "result": [
            {"id": p.id, "name": p.name, "description": ", ".join(p.types)}
            for p in PROPERTIES.values()
            if key in p.id or key in p.name.lower()
        ]
    }
