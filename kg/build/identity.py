"""Identity decisions people record: `same` and `different` judgements, applied to the graph.

In the spirit of nomenklatura, a judgement is data: `data/judgements/*.jsonl`, one per line,

    {"judgement": "same", "a": "person/홍길동@중소기업청", "b": "person/홍길동@중소벤처기업부",
     "reason": "…", "by": "analyst name", "at": "2026-01-05T10:00:00+00:00"}

`a` and `b` are entity ids (the part of the IRI after `id/`) or IRIs. A person as named in one
post has the record id `person/<name>@post-<post slug>`: judging a record (`different` from the
name's usual IRI, or `same` as another record) takes that post's person out of the default rule
"same name, same top body". Resolution applies judgements after the resolver's IRIs are made:

- `same` judgements join IRIs into clusters; each cluster has one canonical IRI (the smallest
  IRI that is not a post record, else the smallest record), and every other member gets
  `owl:sameAs` the canonical one in the judgements graph;
- a person record that any judgement names is resolved by its own cluster, not by the name's
  default IRI (a record judged only `different` stays on its own);
- a `same` cluster that contains a pair judged `different` is refused, naming the files.

`apply` rewrites one post graph: entity nodes become canonical (the default IRI is kept as
`kg:resolvedFrom`, so a later set of judgements can start over from it), and the nodes whose
IRIs are derived from entity IRIs (memberships, posts, facts) are derived again. Ingest and
the in-place rewrite of `kg same`/`kg different` run the same function, so a rewrite in place
gives the same graph as a fresh build.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.build.rdf import derived_digest, term_key
from kg.model import KgError
from kg.resources import DATA_DIR
from kg.store.base import Store, graph_node
from kg.vocab.ontology import data_iri, iri, mapping, sparql_prefixes

JUDGEMENTS_DIR = DATA_DIR / "judgements"
VERDICTS = ("same", "different")
ID_BASE = data_iri("id/")
PERSON = data_iri("id/person/")
RECORD_MARK = "@post-"


@dataclass(frozen=True)
class Judgement:
    verdict: str  # "same" | "different"
    a: str  # IRI
    b: str  # IRI
    reason: str
    by: str
    at: str  # ISO date-time
    where: str = ""  # file:line it was read from

    @property
    def iri(self) -> str:
        key = "\x1f".join((self.verdict, *sorted((self.a, self.b)), self.at))
        return data_iri(f"id/judgement/{hashlib.sha1(key.encode('utf-8')).hexdigest()[:16]}")

    def record(self) -> dict[str, str]:
        return {
            "judgement": self.verdict,
            "a": entity_id(self.a),
            "b": entity_id(self.b),
            "reason": self.reason,
            "by": self.by,
            "at": self.at,
        }


def to_iri(value: str) -> str:
    return value if value.startswith(("http://", "https://")) else ID_BASE + value.lstrip("/")


def entity_id(value: str) -> str:
    return value[len(ID_BASE) :] if value.startswith(ID_BASE) else value


def is_record(entity: str) -> bool:
    return entity.startswith(PERSON) and RECORD_MARK in entity


def record_iri(person: str, post_graph: str) -> str | None:
    """The record of a person's default IRI as named in one post: `person/<name>@post-<slug>`."""
    if not person.startswith(PERSON):
        return None
    name = person[len(PERSON) :].split("@", 1)[0]
    slug = post_graph.rsplit("/", 1)[-1]
    return f"{PERSON}{name}{RECORD_MARK}{slug}"


def post_of_record(record: str) -> str:
    """The post graph a person record belongs to."""
    return data_iri(f"id/post/{record.split(RECORD_MARK, 1)[1]}")


def parse(rec: dict[str, Any], where: str) -> Judgement:
    """One judgement record; a ValueError names `where` and the problem."""
    if not isinstance(rec, dict):
        raise ValueError(f"{where}: a judgement is a JSON object")
    missing = [k for k in ("judgement", "a", "b", "reason", "by", "at") if not rec.get(k)]
    if missing:
        raise ValueError(f"{where}: judgement lacks {', '.join(missing)}")
    verdict = rec["judgement"]
    if verdict not in VERDICTS:
        raise ValueError(f"{where}: judgement {verdict!r} is neither 'same' nor 'different'")
    a, b = to_iri(str(rec["a"])), to_iri(str(rec["b"]))
    for value in (a, b):
        try:
            ox.NamedNode(value)
        except ValueError:
            raise ValueError(f"{where}: {value!r} is not an entity id or IRI") from None
    if a == b:
        raise ValueError(f"{where}: a judgement needs two different entities")
    try:
        datetime.fromisoformat(str(rec["at"]))
    except ValueError:
        raise ValueError(f"{where}: `at` ({rec['at']!r}) is not an ISO date-time") from None
    return Judgement(verdict, a, b, str(rec["reason"]), str(rec["by"]), str(rec["at"]), where)


def judgements_dir() -> Path:
    """Where judgements live: KG_JUDGEMENTS, else the bundled data/judgements/."""
    from kg.config import Settings

    folder = Settings().judgements
    return Path(folder) if folder else JUDGEMENTS_DIR


def read_judgements(directory: Path | None = None) -> list[Judgement]:
    """Every judgement in `directory/*.jsonl` (default: `judgements_dir()`), in file and line order."""
    directory = directory or judgements_dir()
    out: list[Judgement] = []
    if not directory.is_dir():
        return out
    for path in sorted(directory.glob("*.jsonl")):
        with path.open(encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    rec = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise ValueError(f"{path}:{n}: not JSON: {exc}") from None
                out.append(parse(rec, f"{path}:{n}"))
    return out


class Identity:
    """The clusters that a set of judgements makes, and the IRI each entity resolves to."""

    def __init__(self, judgements: Iterable[Judgement] = ()) -> None:
        self.judgements = list(judgements)
        self._parent: dict[str, str] = {}
        self.judged: set[str] = set()
        for j in self.judgements:
            self.judged.update((j.a, j.b))
            if j.verdict == "same":
                self._union(j.a, j.b)
        members: dict[str, list[str]] = {}
        for entity in self.judged:
            members.setdefault(self._find(entity), []).append(entity)
        self._canonical = {root: canonical_of(group) for root, group in members.items()}
        for j in self.judgements:
            if j.verdict == "different" and self._find(j.a) == self._find(j.b):
                same = [
                    s.where
                    for s in self.judgements
                    if s.verdict == "same" and self._find(s.a) == self._find(j.a)
                ]
                raise KgError(
                    f"{j.where}: {entity_id(j.a)} and {entity_id(j.b)} are judged different, but "
                    f"`same` judgements join them ({', '.join(same)})"
                )

    def _find(self, x: str) -> str:
        parent = self._parent.setdefault(x, x)
        while parent != x:
            self._parent[x] = self._parent.setdefault(parent, parent)
            x, parent = parent, self._parent[parent]
        return x

    def _union(self, a: str, b: str) -> None:
        ra, rb = self._find(a), self._find(b)
        if ra != rb:
            self._parent[max(ra, rb)] = min(ra, rb)

    def canonical(self, entity: str) -> str:
        return self._canonical.get(self._find(entity), entity) if entity in self.judged else entity

    def same(self, a: str, b: str) -> bool:
        return self._find(a) == self._find(b)

    def resolve(self, default: str, record: str | None = None) -> str:
        """The IRI of an entity whose resolver IRI is `default` (for a person, named in a post
        with the record IRI `record`)."""
        if record is not None and record in self.judged:
            return self.canonical(record)
        return self.canonical(default)

    def same_as(self) -> Iterator[tuple[str, str]]:
        """(member, canonical) for every member of a cluster that is not its canonical IRI."""
        for entity in sorted(self.judged):
            c = self.canonical(entity)
            if c != entity:
                yield entity, c

    def digest(self) -> str:
        h = hashlib.sha256()
        for j in sorted(self.judgements, key=lambda j: j.iri):
            h.update(json.dumps(j.record(), sort_keys=True, ensure_ascii=False).encode("utf-8") + b"\n")
        return h.hexdigest()[:16]


def canonical_of(group: Iterable[str]) -> str:
    """The canonical IRI of a cluster: the smallest that is not a post record, else the smallest."""
    members = sorted(group)
    return next((m for m in members if not is_record(m)), members[0])


# -- one post graph --------------------------------------------------------------------------


def _value(term: Any) -> str:
    """A term's IRI or lexical form (quads here hold no RDF-star triples)."""
    return str(term.value)


def apply(quads: list[ox.Quad], identity: Identity) -> list[ox.Quad]:
    """A post graph's quads with the judgements applied (see the module's docstring)."""
    if not quads:
        return quads
    graph = quads[0].graph_name
    assert isinstance(graph, ox.NamedNode)
    resolved_from = iri("kg:resolvedFrom")
    default_of: dict[str, str] = {}
    kept: list[ox.Quad] = []
    for q in quads:
        if q.predicate.value == resolved_from and isinstance(q.object, ox.NamedNode):
            default_of[_value(q.subject)] = _value(q.object)
        else:
            kept.append(q)
    entity_classes = {iri(c) for spec in mapping()["entity_types"].values() for c in spec["classes"]}
    rdf_type = iri("rdf:type")
    entities = {
        _value(q.subject)
        for q in kept
        if q.predicate.value == rdf_type and _value(q.object) in entity_classes
    }
    final: dict[str, str] = {}
    for node in entities:
        default = default_of.get(node, node)
        record = record_iri(default, graph.value)
        final[node] = identity.resolve(default, record)

    def term(t: Any) -> Any:
        if isinstance(t, ox.NamedNode) and t.value in final and final[t.value] != t.value:
            return ox.NamedNode(final[t.value])
        return t

    renamed = [ox.Quad(term(q.subject), q.predicate, term(q.object), graph) for q in kept]
    renamed = _rederive(renamed, graph)
    for node, new in sorted(final.items()):
        default = default_of.get(node, node)
        if new != default:
            renamed.append(
                ox.Quad(ox.NamedNode(new), ox.NamedNode(resolved_from), ox.NamedNode(default), graph)
            )
    return list(dict.fromkeys(renamed))


def _rederive(quads: list[ox.Quad], graph: ox.NamedNode) -> list[ox.Quad]:
    """Derive again the IRIs made from entity IRIs (kg.build.rdf): memberships from (person,
    organisation, role), posts from (organisation, role), facts from (subject, predicate, object)."""
    by_subject: dict[str, dict[str, list[Any]]] = {}
    for q in quads:
        by_subject.setdefault(_value(q.subject), {}).setdefault(q.predicate.value, []).append(q.object)
    rdf_type, t = iri("rdf:type"), lambda c: iri(c)
    renames: dict[str, str] = {}
    for s, props in by_subject.items():
        types = {o.value for o in props.get(rdf_type, [])}
        if t("org:Membership") in types:
            person, org, role = (
                props.get(t(p), [None])[0] for p in ("org:member", "org:organization", "kg:roleLabel")
            )
            if person is not None and org is not None and role is not None:
                renames[s] = data_iri(f"id/membership/{derived_digest(person.value, org.value, role.value)}")
        elif t("org:Post") in types:
            org, role_node = props.get(t("org:postIn"), [None])[0], props.get(t("org:role"), [None])[0]
            label = (
                by_subject.get(role_node.value, {}).get(t("skos:prefLabel"), [None])[0] if role_node else None
            )
            if org is not None and label is not None:
                renames[s] = data_iri(f"id/position/{derived_digest(org.value, label.value)}")

    def term(x: Any) -> Any:
        return ox.NamedNode(renames[x.value]) if isinstance(x, ox.NamedNode) and x.value in renames else x

    quads = [ox.Quad(term(q.subject), q.predicate, term(q.object), graph) for q in quads]
    facts: dict[str, dict[str, Any]] = {}
    fact_class = t("kg:Fact")
    statement = {t("rdf:subject"): "s", t("rdf:predicate"): "p", t("rdf:object"): "o"}
    is_fact = {
        _value(q.subject) for q in quads if q.predicate.value == rdf_type and _value(q.object) == fact_class
    }
    for q in quads:
        if _value(q.subject) in is_fact and q.predicate.value in statement:
            facts.setdefault(_value(q.subject), {})[statement[q.predicate.value]] = q.object
    fact_renames = {
        f: f"{graph.value}#fact-{derived_digest(parts['s'].value, parts['p'].value, term_key(parts['o']))}"
        for f, parts in facts.items()
        if len(parts) == 3
    }
    return [
        ox.Quad(
            ox.NamedNode(fact_renames[_value(q.subject)]) if _value(q.subject) in fact_renames else q.subject,
            q.predicate,
            q.object,
            graph,
        )
        for q in quads
    ]


# -- the judgements graph ----------------------------------------------------------------------


def judgement_quads(identity: Identity) -> list[ox.Quad]:
    """The judgements as kg:Judgement nodes, and owl:sameAs from each merged IRI to its canonical one."""
    g = graph_node("judgements")

    def n(curie: str) -> ox.NamedNode:
        return ox.NamedNode(iri(curie))

    out: list[ox.Quad] = []
    for j in identity.judgements:
        node = ox.NamedNode(j.iri)
        out.append(ox.Quad(node, n("rdf:type"), n("kg:Judgement"), g))
        out.append(ox.Quad(node, n("kg:verdict"), n("kg:Same" if j.verdict == "same" else "kg:Different"), g))
        for entity in (j.a, j.b):
            out.append(ox.Quad(node, n("kg:judgedEntity"), ox.NamedNode(entity), g))
        out.append(ox.Quad(node, n("kg:reason"), ox.Literal(j.reason), g))
        out.append(ox.Quad(node, n("dcterms:creator"), ox.Literal(j.by), g))
        stamp = datetime.fromisoformat(j.at).isoformat()
        out.append(ox.Quad(node, n("dcterms:created"), ox.Literal(stamp, datatype=n("xsd:dateTime")), g))
    for member, canonical in identity.same_as():
        out.append(ox.Quad(ox.NamedNode(member), n("owl:sameAs"), ox.NamedNode(canonical), g))
    out.append(ox.Quad(g, n("kg:contentHash"), ox.Literal(identity.digest()), g))
    return list(dict.fromkeys(out))


# -- the store ---------------------------------------------------------------------------------

REWRITE_BATCH = 16  # post graphs rewritten per atomic update


def stored_identity(store: Store) -> Identity:
    """The judgements the store's judgements graph holds (what its post graphs were built with)."""
    g = graph_node("judgements")
    rows = store.select(
        sparql_prefixes()
        + f"""SELECT ?j ?k ?v WHERE {{ GRAPH {g} {{ ?j a kg:Judgement ; ?k ?v
  VALUES ?k {{ kg:verdict kg:judgedEntity kg:reason dcterms:creator dcterms:created }} }} }}"""
    )
    found: dict[str, dict[str, list[str]]] = {}
    for r in rows:
        found.setdefault(r["j"].value, {}).setdefault(r["k"].value, []).append(r["v"].value)
    out = []
    for node, props in sorted(found.items()):
        entities = sorted(props.get(iri("kg:judgedEntity"), []))
        verdict = "same" if props.get(iri("kg:verdict"), [""])[0] == iri("kg:Same") else "different"
        if len(entities) != 2:
            continue
        first = {k: v[0] for k, v in props.items()}
        out.append(
            Judgement(
                verdict,
                entities[0],
                entities[1],
                first.get(iri("kg:reason"), ""),
                first.get(iri("dcterms:creator"), ""),
                first.get(iri("dcterms:created"), ""),
                node,
            )
        )
    return Identity(out)


def affected_posts(store: Store, entities: set[str]) -> list[str]:
    """The post graphs that name any of `entities` (or were resolved from one), plus the posts
    of the person records among them."""
    posts = {post_of_record(e) for e in entities if is_record(e)}
    todo = sorted(e for e in entities if not is_record(e))
    resolved_from = iri("kg:resolvedFrom")
    for start in range(0, len(todo), 200):
        values = " ".join(f"<{e}>" for e in todo[start : start + 200])
        rows = store.select(
            sparql_prefixes()
            + f"""SELECT DISTINCT ?g WHERE {{ VALUES ?x {{ {values} }}
  {{ GRAPH ?g {{ ?x a ?c }} }} UNION {{ GRAPH ?g {{ ?s <{resolved_from}> ?x }} }}
  FILTER(STRSTARTS(STR(?g), "{data_iri("id/post/")}")) }}"""
        )
        posts.update(r["g"].value for r in rows)
    present = set(store.post_iris()) if posts else set()
    return sorted(posts & present)


def post_graph_quads(store: Store, post: str) -> list[ox.Quad]:
    g = ox.NamedNode(post)
    rows = store.select(f"SELECT ?s ?p ?o WHERE {{ GRAPH <{post}> {{ ?s ?p ?o }} }}")
    return [ox.Quad(r["s"], r["p"], r["o"], g) for r in rows]


def sync(store: Store, identity: Identity) -> int:
    """Make the store follow `identity`: rewrite, in place and atomically per batch, the post
    graphs the changed judgements touch, then replace the judgements graph. Returns the number
    of post graphs rewritten (0 when the store already follows these judgements)."""
    quads = judgement_quads(identity)
    marker = quads[-1]
    g = marker.graph_name
    if store.ask(f"ASK {{ GRAPH {g} {{ {marker.triple} }} }}"):
        return 0
    if not identity.judgements and not store.ask(f"ASK {{ GRAPH {g} {{ ?s ?p ?o }} }}"):
        return 0  # no judgements, now or before: nothing to write
    old = stored_identity(store)
    involved = old.judged | identity.judged
    involved |= {old.canonical(e) for e in old.judged} | {identity.canonical(e) for e in identity.judged}
    posts = affected_posts(store, involved)
    for start in range(0, len(posts), REWRITE_BATCH):
        batch = posts[start : start + REWRITE_BATCH]
        store.replace_posts([(p, apply(post_graph_quads(store, p), identity)) for p in batch])
    store.replace_graph("judgements", quads)
    return len(posts)


def record(judgement: Judgement, directory: Path | None = None, file_name: str = "judgements.jsonl") -> Path:
    """Append a judgement to `directory/file_name` (created when missing); the line is written
    whole, with one write call and a flush."""
    directory = directory or judgements_dir()
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / file_name
    line = json.dumps(judgement.record(), ensure_ascii=False) + "\n"
    with path.open("a", encoding="utf-8") as fh:
        fh.write(line)
        fh.flush()
    return path
