"""A resolved post → RDF quads in the post's own named graph, every fact with provenance.

Modelling (terms from ontology/kg.ttl and mapping.json):
- the post: schema:Article with Dublin Core title, source, publisher, issued, licence;
- entities: their classes, skos:prefLabel/altLabel (@ko, @en), foaf:name / schema:name;
- holdsPosition: an org:Membership (member, organization, role, kg:roleLabel,
  kg:attestedOn = post date) plus org:Post/org:holds, org:memberOf and org:headOf;
- participatedIn: schema:attendee on a schema:Event with schema:startDate;
- every fact also as a kg:Fact (an rdf:Statement) with prov:wasDerivedFrom the post,
  prov:wasAttributedTo the extractor component and version, kg:confidence, and the
  evidence sentence with its character offsets (kg:evidenceText, kg:charStart/End).
IRIs of facts and memberships are derived from content: the same post gives the same quads.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from decimal import Decimal

from pyoxigraph import BlankNode, Literal, NamedNode, Quad, Triple

from kg.build.resolve import ResolvedPost, entity_iri, iri_key, unnamed_event_iri
from kg.extract.rules import rulebook
from kg.model import Evidence, Relation
from kg.vocab.lexicon import BodyChange, Lexicon, LexiconEntry, load_lexicon
from kg.vocab.ontology import data_iri, entity_type, iri, mapping, portable, relation_predicate

XSD_DATE = "xsd:date"


def N(curie: str) -> NamedNode:
    return NamedNode(iri(curie))


def ko(text: str) -> Literal:
    return Literal(text, language="ko")


def en(text: str) -> Literal:
    return Literal(text, language="en")


def date_lit(value: str) -> Literal:
    return Literal(value, datatype=N(XSD_DATE))


def graph_iri(name: str) -> NamedNode:
    return NamedNode(data_iri(mapping()["graphs"][name]))


def derived_digest(*parts: str) -> str:
    """A short digest naming a derived node; IRIs in `parts` count as under the default base
    (kg.vocab.ontology.portable), so a re-based graph keeps the names an ingest would give."""
    return hashlib.sha1("\x1f".join(portable(p) for p in parts).encode("utf-8")).hexdigest()[:16]


def term_key(term: NamedNode | Literal | BlankNode | Triple) -> str:
    """A term in N-Triples syntax, IRIs under the default base (see `derived_digest`)."""
    return f"<{portable(term.value)}>" if isinstance(term, NamedNode) else str(term)


class PostGraph:
    """Collects the quads of one post's named graph."""

    def __init__(self, resolved: ResolvedPost, lexicon: Lexicon | None = None) -> None:
        self.r = resolved
        self.g = NamedNode(resolved.iri)
        self.quads: list[Quad] = []
        self.lexicon = lexicon or load_lexicon()
        self.head_titles = {t.title for t in self.lexicon.titles if t.head}
        self._seen: set[tuple[str, str, str]] = set()

    def add(self, s: NamedNode, p: NamedNode, o: NamedNode | Literal) -> None:
        key = (s.value, p.value, str(o))
        if key not in self._seen:
            self._seen.add(key)
            self.quads.append(Quad(s, p, o, self.g))

    # -- the post -------------------------------------------------------------------

    def post(self) -> None:
        ex = self.r.extraction
        post = ex.post
        p = self.g
        self.add(p, N("rdf:type"), N("schema:Article"))
        self.add(p, N("dcterms:identifier"), Literal(post.id))
        self.add(p, N("kg:contentHash"), Literal(post.content_hash))
        # which extractor read it: `kg ingest` re-extracts the post when this differs from the
        # running extractor's version (kg.version)
        self.add(p, N("kg:extractorVersion"), Literal(ex.extractor_version))
        if post.structured:  # kept so that `kg reextract` can rebuild the post from the store
            payload = json.dumps(post.structured, sort_keys=True, ensure_ascii=False)
            self.add(p, N("kg:structuredData"), Literal(payload, datatype=N("rdf:JSON")))
        if post.title:
            self.add(p, N("dcterms:title"), ko(post.title))
        if post.url:
            self.add(
                p,
                N("dcterms:source"),
                NamedNode(post.url) if _is_iri(post.url) else Literal(post.url),
            )
        if post.published:
            self.add(p, N("dcterms:issued"), date_lit(post.published.isoformat()))
        if post.publisher:
            self.add(p, N("dcterms:publisher"), ko(post.publisher))
        if post.licence:
            self.add(p, N("dcterms:license"), Literal(post.licence))
        if post.category:
            self.add(p, N("schema:articleSection"), ko(post.category))
        for tag in post.hashtags:
            self.add(p, N("schema:keywords"), ko(tag))
        for att in post.attachments:
            self.add(p, N("schema:associatedMedia"), Literal(att))
        self.add(p, N("schema:text"), Literal(ex.text))

    # -- entities -------------------------------------------------------------------

    def entities(self) -> None:
        subtypes = mapping()["org_subtypes"]
        kinds = mapping()["event_kinds"]
        for ent in self.r.extraction.entities:
            node = NamedNode(self.r.iris[(ent.type, ent.name)])
            spec = entity_type(ent.type)
            for cls in spec["classes"]:
                self.add(node, N("rdf:type"), N(cls))
            if ent.type == "Organization" and ent.subtype in subtypes:
                self.add(node, N("rdf:type"), N(subtypes[ent.subtype]))
            name = ent.name
            entry = self.r.entries.get((ent.type, ent.name))
            if entry is not None:  # the lexicon's name, as in the IRI (kg.build.resolve); for a
                name = entry.name  # body, the one that existed on the post's date
                if ent.type == "Organization":
                    self.add(node, N("skos:notation"), Literal(entry.id))
            self.add(node, N("skos:prefLabel"), ko(name))
            if spec["name"] != "skos:prefLabel":
                self.add(node, N(spec["name"]), ko(name))
            for alias in ent.aliases:
                if alias != name and not self._names_other_body(alias, entry):
                    self.add(node, N("skos:altLabel"), ko(alias))
            for alias in ent.english:
                self.add(node, N("skos:altLabel"), en(alias))
            if ent.legal_form:
                self.add(node, N("kg:legalForm"), ko(ent.legal_form))
            if ent.type == "Person":
                basis = self.r.identity_basis.get(node.value)
                if basis:
                    self.add(node, N("kg:identityBasis"), Literal(basis))
            if ent.type == "Event":
                if ent.date:
                    self.add(node, N("schema:startDate"), date_lit(ent.date))
                kind = kinds.get(ent.subtype or "other", kinds["other"])
                self.add(node, N("kg:eventKind"), N(kind))

    def _names_other_body(self, alias: str, entry: LexiconEntry | None) -> bool:
        """Whether `alias` is a lexicon name or short form of another body (`중기청` written in a
        post of 2018 is not an alias of the 중소벤처기업부 it resolved to)."""
        if entry is None:
            return False
        other = self.lexicon.lookup(alias)
        return other is not None and other.id != entry.id

    # -- facts ------------------------------------------------------------------------

    def fact(
        self, s: NamedNode, p: NamedNode, o: NamedNode | Literal, ev: Evidence, rules: tuple[str, ...] = ()
    ) -> None:
        """Assert s p o in the post graph and describe where it was read and by which rules."""
        self.add(s, p, o)
        f = NamedNode(f"{self.g.value}#fact-{derived_digest(s.value, p.value, term_key(o))}")
        self.add(f, N("rdf:type"), N("kg:Fact"))
        self.add(f, N("rdf:subject"), s)
        self.add(f, N("rdf:predicate"), p)
        self.add(f, N("rdf:object"), o)
        self.add(f, N("prov:wasDerivedFrom"), self.g)
        self.add(f, N("kg:extractorVersion"), Literal(self.r.extraction.extractor_version))
        for rule_id in rules or (ev.rule or ev.component,):
            self.add(f, N("prov:wasAttributedTo"), self.rule_agent(rule_id, ev.component))
        self.add(
            f,
            N("kg:confidence"),
            Literal(str(Decimal(str(ev.confidence))), datatype=N("xsd:decimal")),
        )
        self.add(f, N("kg:evidenceText"), ko(ev.sentence))
        self.add(f, N("kg:charStart"), Literal(str(ev.start), datatype=N("xsd:integer")))
        self.add(f, N("kg:charEnd"), Literal(str(ev.end), datatype=N("xsd:integer")))

    def rule_agent(self, rule_id: str, component: str) -> NamedNode:
        """The rule (at its version) as a PROV software agent, acting for its pipeline component."""
        version = self.r.extraction.extractor_version.split("/")[-1]
        book = rulebook()
        known = rule_id in book.rules
        rule = NamedNode(data_iri(f"id/rule/{rule_id}/{book[rule_id].version if known else version}"))
        comp = book[rule_id].component if known else component
        agent = NamedNode(data_iri(f"id/extractor/{comp}/{version}"))
        self.add(rule, N("rdf:type"), N("kg:ExtractionRule"))
        self.add(rule, N("rdf:type"), N("kg:Extractor"))
        self.add(rule, N("rdfs:label"), Literal(rule_id))
        self.add(rule, N("kg:version"), Literal(book[rule_id].version if known else version))
        if known:
            self.add(rule, N("dcterms:description"), en(book[rule_id].description))
        self.add(rule, N("prov:actedOnBehalfOf"), agent)
        self.add(agent, N("rdf:type"), N("kg:Extractor"))
        self.add(agent, N("rdfs:label"), Literal(comp))
        self.add(agent, N("kg:version"), Literal(self.r.extraction.extractor_version))
        return rule

    def relations(self) -> None:
        for rel in self.r.extraction.relations:
            handler = getattr(self, f"_rel_{rel.relation}", None)
            if handler is not None:
                handler(rel)

    def _node(self, name: str, types: tuple[str, ...]) -> NamedNode | None:
        found = self.r.any_of(name, types)
        return NamedNode(found) if found else None

    def _rel_holdsPosition(self, rel: Relation) -> None:
        person = self._node(rel.head, ("Person",))
        org = self._node(rel.tail, ("Organization",))
        if person is None or org is None or not rel.role:
            return
        role_node = NamedNode(data_iri(f"id/role/{iri_key(rel.role)}"))
        self.add(role_node, N("rdf:type"), N("org:Role"))
        self.add(role_node, N("skos:prefLabel"), ko(rel.role))
        membership = NamedNode(data_iri(f"id/membership/{derived_digest(person.value, org.value, rel.role)}"))
        position = NamedNode(data_iri(f"id/position/{derived_digest(org.value, rel.role)}"))
        self.add(membership, N("rdf:type"), N("org:Membership"))
        self.fact(membership, N("org:member"), person, rel.evidence, rel.rules)
        self.add(membership, N("org:organization"), org)
        self.add(membership, N("org:role"), role_node)
        self.add(membership, N("kg:roleLabel"), ko(rel.role))
        if rel.acting:
            self.add(membership, N("kg:acting"), Literal("true", datatype=N("xsd:boolean")))
        post = self.r.extraction.post
        if post.published:
            self.add(membership, N("kg:attestedOn"), date_lit(post.published.isoformat()))
        if rel.start:  # the text says when the post began (취임, 임명)
            self.add(membership, N("kg:attestedOn"), date_lit(rel.start))
        self.add(position, N("rdf:type"), N("org:Post"))
        self.add(position, N("org:postIn"), org)
        self.add(position, N("org:role"), role_node)
        self.add(position, N("skos:prefLabel"), ko(f"{rel.tail} {rel.role}"))
        self.fact(person, N("org:holds"), position, rel.evidence, rel.rules)
        self.add(position, N("org:heldBy"), person)
        self.add(person, N("org:memberOf"), org)
        if rel.role in self.head_titles and not rel.acting:
            self.fact(person, N("org:headOf"), org, rel.evidence, rel.rules)

    def _rel_participatedIn(self, rel: Relation) -> None:
        who = self._node(rel.head, ("Person", "Organization"))
        if who is None:
            return
        event = self._node(rel.event, ("Event",)) if rel.event else None
        if event is None:
            post = self.r.extraction.post
            event = NamedNode(unnamed_event_iri(post, rel.tail))
            self.add(event, N("rdf:type"), N("schema:Event"))
            label = f"{post.title or post.id} ({rel.tail})"
            self.add(event, N("schema:name"), ko(label))
            self.add(event, N("skos:prefLabel"), ko(label))
            self.add(event, N("kg:eventKind"), N(mapping()["event_kinds"]["other"]))
        self.add(event, N("schema:startDate"), date_lit(rel.tail))
        self.fact(event, N("schema:attendee"), who, rel.evidence, rel.rules)

    def _rel_subOrganizationOf(self, rel: Relation) -> None:
        child = self._node(rel.head, ("Organization",))
        parent = self._node(rel.tail, ("Organization",))
        if child and parent:
            self.fact(child, relation_predicate_node("subOrganizationOf"), parent, rel.evidence, rel.rules)
            self.add(parent, N("org:hasSubOrganization"), child)

    def _rel_operates(self, rel: Relation) -> None:
        org = self._node(rel.head, ("Organization",))
        program = self._node(rel.tail, ("Program",))
        if org and program:
            self.fact(org, relation_predicate_node("operates"), program, rel.evidence, rel.rules)

    def _rel_partnerOf(self, rel: Relation) -> None:
        a = self._node(rel.head, ("Organization",))
        b = self._node(rel.tail, ("Organization",))
        if a and b:
            self.fact(a, relation_predicate_node("partnerOf"), b, rel.evidence, rel.rules)
            self.add(b, relation_predicate_node("partnerOf"), a)

    def _rel_locatedIn(self, rel: Relation) -> None:
        thing = self._node(rel.head, ("Event", "Organization"))
        place = self._node(rel.tail, ("Place",))
        if thing and place:
            self.fact(thing, relation_predicate_node("locatedIn"), place, rel.evidence, rel.rules)

    def _rel_foundedOn(self, rel: Relation) -> None:
        org = self._node(rel.head, ("Organization",))
        if org:
            self.fact(org, relation_predicate_node("foundedOn"), date_lit(rel.tail), rel.evidence, rel.rules)

    def build(self) -> list[Quad]:
        self.post()
        self.entities()
        self.relations()
        return self.quads


def relation_predicate_node(kind: str) -> NamedNode:
    return NamedNode(relation_predicate(kind))


def post_quads(resolved: ResolvedPost) -> list[Quad]:
    return PostGraph(resolved).build()


def lexicon_quads(lexicon: Lexicon | None = None) -> Iterator[Quad]:
    """The authority lexicon as a graph: official names, aliases, types, parent bodies."""
    lexicon = lexicon or load_lexicon()
    g = graph_iri("lexicon")
    subtypes = mapping()["org_subtypes"]
    for entry in lexicon.entries:
        if entry.type not in ("Organization", "Place"):
            continue
        node = NamedNode(entity_iri(entry.type, iri_key(entry.name)))
        for cls in entity_type(entry.type)["classes"]:
            yield Quad(node, N("rdf:type"), N(cls), g)
        if entry.type == "Organization" and entry.subtype in subtypes:
            yield Quad(node, N("rdf:type"), N(subtypes[entry.subtype]), g)
        yield Quad(node, N("skos:prefLabel"), ko(entry.name), g)
        yield Quad(node, N("skos:notation"), Literal(entry.id), g)
        if entry.type == "Place":
            yield Quad(node, N("schema:name"), ko(entry.name), g)
        for alias in entry.aliases:
            yield Quad(node, N("skos:altLabel"), ko(alias), g)
        for name in (*entry.english, *entry.abbr):
            yield Quad(node, N("skos:altLabel"), en(name), g)
        parent = lexicon.parent_of(entry)
        if parent is not None and entry.type == "Organization":
            pnode = NamedNode(entity_iri("Organization", iri_key(parent.name)))
            yield Quad(node, N("org:subOrganizationOf"), pnode, g)
            yield Quad(pnode, N("org:hasSubOrganization"), node, g)
    yield from change_quads(lexicon, g)


def change_iri(change: BodyChange) -> str:
    return data_iri(f"id/change/{change.id}")


def change_quads(lexicon: Lexicon, g: NamedNode) -> Iterator[Quad]:
    """Each change of bodies as a W3C ORG org:ChangeEvent: the bodies before
    (org:originalOrganization, and org:changedBy from them) and after
    (org:resultingOrganization, org:resultedFrom), its date, kind and public source."""
    kinds = {k: N(f"kg:{k.capitalize()}") for k in ("rename", "upgrade", "merger", "split")}
    kinds["reorganisation"] = N("kg:Reorganisation")
    for change in lexicon.changes:
        event = NamedNode(change_iri(change))
        names = {}
        for body_id in (*change.originals, *change.results):
            entry = lexicon.by_id(body_id)
            assert entry is not None  # load_lexicon checked it
            names[body_id] = entry.name
        yield Quad(event, N("rdf:type"), N("org:ChangeEvent"), g)
        yield Quad(event, N("dcterms:date"), date_lit(change.date), g)
        yield Quad(event, N("kg:changeKind"), kinds[change.kind], g)
        label = (
            f"{', '.join(names[o] for o in change.originals)} → {', '.join(names[r] for r in change.results)}"
        )
        yield Quad(event, N("rdfs:label"), ko(f"{label} ({change.date})"), g)
        if change.note:
            yield Quad(event, N("dcterms:description"), ko(change.note), g)
        yield Quad(event, N("dcterms:source"), NamedNode(change.source), g)
        for body_id in change.originals:
            body = NamedNode(entity_iri("Organization", iri_key(names[body_id])))
            yield Quad(event, N("org:originalOrganization"), body, g)
            yield Quad(body, N("org:changedBy"), event, g)
        for body_id in change.results:
            body = NamedNode(entity_iri("Organization", iri_key(names[body_id])))
            yield Quad(event, N("org:resultingOrganization"), body, g)
            yield Quad(body, N("org:resultedFrom"), event, g)


def _is_iri(value: str) -> bool:
    return value.startswith(("http://", "https://")) and not any(c in value for c in ' <>"{}|\\^`')
