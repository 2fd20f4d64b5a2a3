"""The README's SPARQL questions, written once: the README, the editor at `/`, the researcher
notebook and the tests read them here (through kg.read.examples, which adds the sample posts).

Each `Example` is a named query with typed parameters; `Example.sparql(**params)` gives
the query text (PREFIX lines for the prefixes it uses, then the body), with every
parameter validated and written as a SPARQL literal, so a name from a user cannot change
the query. `run(store, name, **params)` answers it on a store as plain rows;
`rows_from_json` reads the same rows from a SPARQL endpoint's JSON answer (SPARQLWrapper).
This module imports nothing that extracts or builds, so the web layer can read it.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, field
from typing import Any

from kg.store.base import Store
from kg.vocab.ontology import iri, prefixes

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_CURIE = re.compile(r"^([A-Za-z][\w-]*):([A-Za-z_][\w-]*)$")
_USED_PREFIX = re.compile(r"(?<![\w?$<#])([A-Za-z][\w-]*):(?=[A-Za-z_])")


def _string(value: str) -> str:
    """A SPARQL string literal's quoted form."""
    escaped = (
        value.replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\n", "\\n")
        .replace("\r", "\\r")
        .replace("\t", "\\t")
    )
    return f'"{escaped}"'


@dataclass(frozen=True)
class Param:
    """A query parameter: `label` (a Korean name, "…"@ko), `text` ("…"), `date` or `curie`."""

    kind: str
    default: str
    help: str = ""

    def literal(self, value: str) -> str:
        if not isinstance(value, str):
            raise ValueError(f"expected text, got {value!r}")
        if self.kind == "label":
            return _string(value) + "@ko"
        if self.kind == "text":
            return _string(value)
        if self.kind == "date":
            if not _DATE.match(value):
                raise ValueError(f"{value!r} is not a date (YYYY-MM-DD)")
            return f"{_string(value)}^^xsd:date"
        if self.kind == "curie":
            m = _CURIE.match(value)
            if not m or m.group(1) not in prefixes():
                raise ValueError(f"{value!r} is not a term of the ontology (prefix:name)")
            return value
        raise ValueError(f"unknown parameter kind {self.kind!r}")


@dataclass(frozen=True)
class Example:
    name: str
    question: str  # as the README asks it (Korean)
    question_en: str
    body: str  # SPARQL with $parameters
    params: dict[str, Param] = field(default_factory=dict)

    def sparql(self, **values: str) -> str:
        unknown = set(values) - set(self.params)
        if unknown:
            raise ValueError(f"{self.name}: unknown parameter(s) {', '.join(sorted(unknown))}")
        filled = {k: p.literal(values.get(k, p.default)) for k, p in self.params.items()}
        body = string.Template(self.body.strip()).substitute(filled)
        return prefix_lines(body) + body + "\n"


def prefix_lines(body: str) -> str:
    """PREFIX lines for the prefixes a query body uses (all of them declared in the ontology)."""
    declared = prefixes()
    used = sorted({m.group(1) for m in _USED_PREFIX.finditer(_without_strings(body))} & set(declared))
    return "".join(f"PREFIX {p}: <{declared[p]}>\n" for p in used)


def complete_prefixes(query: str) -> str:
    """The query with PREFIX lines for the ontology's prefixes it uses but does not declare
    (what the query page pre-fills), so `kg query 'SELECT … { ?m a org:Membership }'` runs."""
    declared = {m.group(1) for m in re.finditer(r"(?im)^\s*PREFIX\s+([\w-]*)\s*:", query)}
    missing = [
        line for line in prefix_lines(query).splitlines(keepends=True) if line.split()[1][:-1] not in declared
    ]
    return "".join(missing) + query


def _without_strings(body: str) -> str:
    return re.sub(r'"(?:[^"\\]|\\.)*"', '""', body)


ORG = Param("label", "중소벤처기업부", "the organisation's Korean name")
ROLE = Param("label", "장관", "the title as posts write it")

EXAMPLES: dict[str, Example] = {
    e.name: e
    for e in [
        Example(
            "ministers",
            "중소벤처기업부 장관을 날짜순으로, 이를 진술한 게시물과 함께",
            "Ministers of 중소벤처기업부 in date order, with the posts that attest them",
            """
SELECT ?minister ?role ?first ?last (COUNT(DISTINCT ?post) AS ?posts)
       (GROUP_CONCAT(DISTINCT ?postId; separator=", ") AS ?attestedBy)
WHERE {
  ?org skos:prefLabel $org .
  ?m a org:Membership ; org:organization ?org ; org:member ?person ; kg:roleLabel $role ;
     kg:roleLabel ?role ;
     org:memberDuring [ time:hasBeginning/time:inXSDDate ?first ; time:hasEnd/time:inXSDDate ?last ] .
  ?person foaf:name ?minister .
  GRAPH ?post { ?m kg:attestedOn ?date . ?post dcterms:identifier ?postId }
}
GROUP BY ?minister ?role ?first ?last
ORDER BY ?first ?minister""",
            {"org": ORG, "role": ROLE},
        ),
        Example(
            "holder_on_date",
            "주어진 날짜에 중소벤처기업부 장관은 누구였나 (질의 하나로)",
            "Who held 장관 of 중소벤처기업부 on a given date (one query)",
            """
# The latest holder attested as of the date: first attested on or before it, and no
# other holder of the same title attested between this one's last attestation and it.
SELECT ?holder ?first ?last ?basis
WHERE {
  ?org skos:prefLabel $org .
  ?m org:organization ?org ; kg:roleLabel $role ; org:member ?person ;
     org:memberDuring [ time:hasBeginning/time:inXSDDate ?first ; time:hasEnd/time:inXSDDate ?last ] .
  ?person foaf:name ?holder .
  FILTER(?first <= $date)
  FILTER NOT EXISTS {
    ?other org:organization ?org ; kg:roleLabel $role ; kg:attestedOn ?seen .
    FILTER(?other != ?m && ?seen > ?last && ?seen <= $date)
  }
  BIND(IF(?last >= $date, "attested before and after the date", "last attested before the date") AS ?basis)
}
ORDER BY ?first ?holder""",
            {"org": ORG, "role": ROLE, "date": Param("date", "2020-06-01", "the date (YYYY-MM-DD)")},
        ),
        Example(
            "sub_organisations",
            "부처의 하위 조직 트리",
            "The sub-organisation tree of a ministry",
            """
# Posts state some links (counted in ?posts); the authority lexicon states the others (?posts = 0).
SELECT ?parent ?child (COUNT(DISTINCT ?post) AS ?posts)
WHERE {
  ?root skos:prefLabel $org .
  ?c org:subOrganizationOf ?p .
  ?p org:subOrganizationOf* ?root .
  ?p skos:prefLabel ?parent . FILTER(LANG(?parent) = "ko")
  ?c skos:prefLabel ?child . FILTER(LANG(?child) = "ko")
  OPTIONAL { GRAPH ?post { ?c org:subOrganizationOf ?p . ?post a schema:Article } }
}
GROUP BY ?parent ?child
ORDER BY ?parent ?child""",
            {"org": ORG},
        ),
        Example(
            "program_operators",
            "어느 조직이 어느 사업을 운영하나",
            "Which organisations operate which programs",
            """
SELECT ?program ?organisation (COUNT(DISTINCT ?post) AS ?posts) (MIN(?date) AS ?first) (MAX(?date) AS ?last)
WHERE {
  GRAPH ?post { ?o kg:operates ?p . ?post a schema:Article . OPTIONAL { ?post dcterms:issued ?date } }
  ?o skos:prefLabel ?organisation . FILTER(LANG(?organisation) = "ko")
  ?p skos:prefLabel ?program . FILTER(LANG(?program) = "ko")
}
GROUP BY ?program ?organisation
ORDER BY ?program ?organisation""",
        ),
        Example(
            "event_participants",
            "행사의 참석자 (이름에 주어진 글자가 든 행사; 비우면 모든 행사)",
            "The participants of an event (events whose name contains the text; empty: every event)",
            """
SELECT ?event ?date ?participant ?type
       (GROUP_CONCAT(DISTINCT CONCAT(?orgName, " ", ?role); separator=", ") AS ?positions)
WHERE {
  ?e a schema:Event ; skos:prefLabel ?event ; schema:attendee ?who .
  FILTER(CONTAINS(?event, $event))
  OPTIONAL { ?e schema:startDate ?date }
  ?who skos:prefLabel ?participant .
  BIND(IF(EXISTS { ?who a foaf:Person }, "Person", "Organization") AS ?type)
  # the titles the post that reports the event gives the participant
  OPTIONAL { GRAPH ?g { ?e schema:attendee ?who . ?m org:member ?who ; kg:roleLabel ?role ;
                        org:organization/skos:prefLabel ?orgName } }
}
GROUP BY ?event ?date ?participant ?type
ORDER BY ?date ?event ?participant""",
            {"event": Param("text", "소공인", "part of the event's name")},
        ),
        Example(
            "evidence",
            "어떤 사실이든 그 근거 문장과 게시물",
            "The evidence sentence and post for any given fact",
            """
SELECT ?sentence ?start ?end ?confidence ?component ?postId ?title ?date ?url
WHERE {
  ?s skos:prefLabel $subject .
  GRAPH ?post {
    ?f a kg:Fact ; rdf:subject ?s ; rdf:predicate $predicate ; rdf:object ?o ;
       kg:evidenceText ?sentence ; kg:charStart ?start ; kg:charEnd ?end ; kg:confidence ?confidence ;
       prov:wasAttributedTo/rdfs:label ?component .
    ?post dcterms:identifier ?postId .
    OPTIONAL { ?post dcterms:title ?title } OPTIONAL { ?post dcterms:issued ?date }
    OPTIONAL { ?post dcterms:source ?url }
  }
  FILTER(STR(?o) = $object || EXISTS { ?o skos:prefLabel ?name FILTER(STR(?name) = $object) })
}
ORDER BY ?date ?postId ?start""",
            {
                "subject": Param("label", "소공인성장촉진단", "the subject's Korean name"),
                "predicate": Param("curie", "org:subOrganizationOf", "the predicate (prefix:name)"),
                "object": Param("text", "중소벤처기업부", "the object's name, or a literal value"),
            },
        ),
    ]
}


def example(name: str) -> Example:
    try:
        return EXAMPLES[name]
    except KeyError:
        raise KeyError(f"no example query {name!r}; there are: {', '.join(EXAMPLES)}") from None


def _python(term: Any) -> Any:
    """A result term as a plain value: numbers as numbers, everything else as its text."""
    datatype = getattr(term, "datatype", None)
    dt = datatype.value if datatype is not None else None
    return _typed(term.value, dt)


def _typed(value: str, datatype: str | None) -> Any:
    if datatype == iri("xsd:integer"):
        return int(value)
    if datatype in (iri("xsd:decimal"), iri("xsd:double")):
        return float(value)
    return value


def run(store: Store, name: str, **params: str) -> list[dict[str, Any]]:
    """Answer a named question on a store: one dict per row, in the query's order."""
    return [{k: _python(v) for k, v in row.items()} for row in store.select(example(name).sparql(**params))]


def rows_from_json(result: dict[str, Any]) -> list[dict[str, Any]]:
    """The same rows from SPARQL 1.1 JSON results (what SPARQLWrapper's JSON format returns)."""
    return [
        {k: _typed(v["value"], v.get("datatype")) for k, v in binding.items()}
        for binding in result["results"]["bindings"]
    ]


def tree_lines(rows: list[dict[str, Any]], root: str) -> list[str]:
    """`sub_organisations` rows as an indented tree under `root` (each child once, nearest parent)."""
    children: dict[str, list[str]] = {}
    for r in rows:
        children.setdefault(r["parent"], []).append(r["child"])
    lines: list[str] = []
    seen = {root}

    def walk(name: str, depth: int) -> None:
        for child in sorted(children.get(name, [])):
            if child in seen:
                continue
            seen.add(child)
            lines.append("  " * depth + child)
            walk(child, depth + 1)

    lines.append(root)
    walk(root, 1)
    return lines


def markdown() -> str:
    """The questions as a README section: each question and its query."""
    out = []
    for e in EXAMPLES.values():
        params = ", ".join(f"`{k}` = {p.default!r}" for k, p in e.params.items())
        out.append(
            f"**{e.question}** ({e.question_en}; `kg.read.examples` name `{e.name}`"
            + (f"; parameters {params}" if params else "")
            + ")\n"
        )
        out.append(f"```sparql\n{e.sparql()}```\n")
    return "\n".join(out)
