"""Generate a realistic kg graph of a few million quads, in bulk, for the API benchmarks.

The quads have the shape kg.build.rdf writes (one named graph per post; organisations from the
authority lexicon plus generated companies, associations and centres; people holding titles
through org:Membership; events with attendees; programs an organisation operates; partners;
places; every relation also as a kg:Fact with its evidence sentence), the merged default
graph that kg.store.base maintains, derived org:memberDuring intervals and the generation marker.
Participation follows a Zipf law, so a few bodies (중소벤처기업부 …) are hubs, as in real news.

It writes N-Quads and bulk-loads them into an on-disk Oxigraph store (no extraction run):

    python -m bench.gen_graph --posts 10000 --store /tmp/kg-bench   # ≈ 2.3 M quads
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox

from kg.build.rdf import lexicon_quads
from kg.build.resolve import entity_iri, iri_key
from kg.store.base import graph_node, store_node
from kg.vocab.lexicon import load_lexicon
from kg.vocab.ontology import ONTOLOGY_FILE, data_iri, iri, mapping

GIVEN = "민서준도윤하은지우서연예준시우주원하준지호수아지민서현유진은우현우승민채원다은가은동현재원성민영수"
COMPANY_WORDS = [
    "테크",
    "바이오",
    "로보틱스",
    "에너지",
    "푸드",
    "모빌리티",
    "헬스",
    "랩스",
    "소프트",
    "메디컬",
    "AI",
    "데이터",
]
PREFIXES = [
    "한빛",
    "누리",
    "새봄",
    "온누리",
    "가온",
    "다온",
    "미르",
    "해솔",
    "라온",
    "한결",
    "도담",
    "별빛",
    "초록",
    "푸른",
]
ASSOC = [
    "소공인",
    "벤처",
    "여성벤처",
    "청년창업",
    "스마트공장",
    "소상공인",
    "핀테크",
    "콘텐츠",
    "관광벤처",
    "바이오헬스",
]
PROGRAM_WORDS = [
    "예비창업패키지",
    "초기창업패키지",
    "창업도약패키지",
    "스마트공장 구축",
    "수출바우처",
    "R&D 지원",
    "디지털 전환",
    "판로 개척",
]
EVENT_KINDS = [
    "visit",
    "meeting",
    "signing",
    "briefing",
    "launch",
    "contest",
    "festival",
    "ceremony",
    "other",
]
EVENT_WORDS = {
    "visit": "현장 방문",
    "meeting": "간담회",
    "signing": "업무협약식",
    "briefing": "설명회",
    "launch": "출범식",
    "contest": "데모데이",
    "festival": "박람회",
    "ceremony": "시상식",
    "other": "행사",
}


def N(curie: str) -> str:
    return f"<{iri(curie)}>"


def lit(text: str, lang: str | None = "ko", datatype: str | None = None) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    if datatype:
        return f'"{escaped}"^^{N(datatype)}'
    return f'"{escaped}"@{lang}' if lang else f'"{escaped}"'


def h(*parts: str) -> str:
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]


class World:
    """The entities posts talk about."""

    def __init__(self, rng: random.Random, people: int, companies: int) -> None:
        lex = load_lexicon()
        self.rng = rng
        self.lexicon = lex
        self.orgs: list[tuple[str, str]] = []  # (iri, name)
        for e in lex.entries:
            if e.type == "Organization":
                self.orgs.append((entity_iri("Organization", iri_key(e.name)), e.name))
        self.places = [
            (entity_iri("Place", iri_key(e.name)), e.name) for e in lex.entries if e.type == "Place"
        ]
        # the ministry is the biggest hub: put it first, then the Zipf ranks follow the list
        mss = next(i for i, (_, n) in enumerate(self.orgs) if n == "중소벤처기업부")
        self.orgs.insert(0, self.orgs.pop(mss))
        self.generated: list[tuple[str, str, str]] = []  # (iri, name, subtype)
        for i in range(companies):
            name = f"{rng.choice(PREFIXES)}{rng.choice(COMPANY_WORDS)}{i}"
            self.generated.append((entity_iri("Organization", iri_key(name)), name, "company"))
        for word in ASSOC:
            for kind, sub in (("협회", "association"), ("연합회", "association"), ("특화지원센터", "center")):
                name = f"한국{word}{kind}" if kind != "특화지원센터" else f"{word}{kind}"
                self.generated.append((entity_iri("Organization", iri_key(name)), name, sub))
        self.all_orgs = self.orgs + [(i, n) for i, n, _ in self.generated]
        # People work somewhere: home bodies follow the bodies' Zipf ranks (the ministry has the
        # largest staff). Each person has one title (a few get a second one later, see
        # `title_of`); who of a body's staff appears in a post follows a flat Zipf over that
        # staff, so a minister shows up in ~100 posts and most people in one to three.
        self.people: list[tuple[str, str, int]] = []  # (iri, name, org index)
        self.staff: dict[int, list[int]] = {}  # org index → person indexes, most visible first
        self.person_title: list[str] = []
        surnames = lex.surnames if hasattr(lex, "surnames") else ["김", "이", "박"]
        self.titles = [t.title for t in lex.titles] or ["장관", "차관", "이사장"]
        for k in range(people):
            name = rng.choice(list(surnames)) + rng.choice(GIVEN) + rng.choice(GIVEN)
            org = self.zipf(len(self.all_orgs))
            org_name = self.all_orgs[org][1]
            self.people.append((entity_iri("Person", f"{iri_key(name)}@{iri_key(org_name)}"), name, org))
            self.staff.setdefault(org, []).append(k)
            self.person_title.append(rng.choice(self.titles[:40]))
        self.programs = []
        for i in range(max(50, companies // 10)):
            name = f"{2017 + i % 9}년 {rng.choice(PROGRAM_WORDS)} {i}"
            self.programs.append((entity_iri("Program", iri_key(name)), name, self.zipf(len(self.orgs))))

    def person_from(self, org: int) -> int:
        """Someone on the staff of body `org` (a flat Zipf: the head is seen most), or anyone."""
        staff = self.staff.get(org)
        if not staff:
            return self.rng.randrange(len(self.people))
        return staff[self.zipf(len(staff), 0.7)]

    def title_of(self, person: int) -> str:
        """The person's title; one appearance in ten names a second one (a promotion)."""
        if self.rng.random() < 0.1:
            return self.rng.choice(self.titles[:40])
        return self.person_title[person]

    def zipf(self, n: int, s: float = 1.1) -> int:
        """An index in [0, n) with P(k) ∝ 1/(k+1)^s (inverse-CDF on a cached table)."""
        table = getattr(self, "_cdf", {}).get((n, s))
        if table is None:
            weights = [1 / (k + 1) ** s for k in range(n)]
            total = sum(weights)
            acc, table = 0.0, []
            for w in weights:
                acc += w / total
                table.append(acc)
            self.__dict__.setdefault("_cdf", {})[(n, s)] = table
        import bisect

        return min(bisect.bisect_left(table, self.rng.random()), n - 1)


class PostWriter:
    """The quads of one post's named graph (and the triples for the merged default graph)."""

    def __init__(self, post: str) -> None:
        self.g = f"<{post}>"
        self.lines: list[str] = []
        self.seen: set[str] = set()

    def add(self, s: str, p: str, o: str) -> None:
        t = f"{s} {p} {o}"
        if t not in self.seen:
            self.seen.add(t)
            self.lines.append(t)

    def fact(self, s: str, p: str, o: str, sentence: str, start: int, component: str) -> None:
        self.add(s, p, o)
        f = f"<{self.g[1:-1]}#fact-{h(s, p, o)}>"
        agent = f"<{data_iri('id/extractor/' + component + '/0.1.0')}>"
        self.add(f, N("rdf:type"), N("kg:Fact"))
        self.add(f, N("rdf:subject"), s)
        self.add(f, N("rdf:predicate"), p)
        self.add(f, N("rdf:object"), o)
        self.add(f, N("prov:wasDerivedFrom"), self.g)
        self.add(f, N("prov:wasAttributedTo"), agent)
        self.add(agent, N("rdf:type"), N("kg:Extractor"))
        self.add(agent, N("rdfs:label"), lit(component, None))
        self.add(f, N("kg:confidence"), lit("0.85", datatype="xsd:decimal"))
        self.add(f, N("kg:evidenceText"), lit(sentence))
        self.add(f, N("kg:charStart"), lit(str(start), datatype="xsd:integer"))
        self.add(f, N("kg:charEnd"), lit(str(start + len(sentence)), datatype="xsd:integer"))


def entity(w: PostWriter, node: str, type_name: str, name: str, subtype: str | None = None) -> None:
    spec = mapping()["entity_types"][type_name]
    for cls in spec["classes"]:
        w.add(node, N("rdf:type"), N(cls))
    if subtype:
        w.add(node, N("rdf:type"), N(mapping()["org_subtypes"][subtype]))
    w.add(node, N("skos:prefLabel"), lit(name))
    if spec["name"] != "skos:prefLabel":
        w.add(node, N(spec["name"]), lit(name))


def posts(world: World, count: int, memberships: dict[str, list[str]]) -> Iterator[PostWriter]:
    rng = world.rng
    for i in range(count):
        year = 2017 + i * 9 // count
        day = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        post = data_iri(f"id/post/bench-{i:06d}")
        w = PostWriter(post)
        org_i = world.zipf(len(world.orgs))
        org, org_name = world.orgs[org_i]
        kind = rng.choice(EVENT_KINDS)
        title = f"{org_name}, {EVENT_WORDS[kind]} 개최 ({i})"
        p = w.g
        w.add(p, N("rdf:type"), N("schema:Article"))
        w.add(p, N("dcterms:identifier"), lit(f"bench-{i:06d}", None))
        w.add(p, N("kg:contentHash"), lit(h(post, "content"), None))
        w.add(p, N("dcterms:title"), lit(title))
        w.add(p, N("dcterms:issued"), lit(day, datatype="xsd:date"))
        w.add(p, N("dcterms:publisher"), lit(org_name))
        w.add(p, N("dcterms:source"), f"<https://example.org/bench/{i}>")
        w.add(p, N("schema:text"), lit(f"{title}. 본문은 벤치마크용으로 생성되었다.", None))
        entity(w, f"<{org}>", "Organization", org_name)
        # people who hold titles (a membership each), present at an event
        event = f"<{data_iri(f'id/event/{day}-post-bench-{i:06d}')}>"
        entity(w, event, "Event", f"{title} ({day})")
        w.add(event, N("schema:startDate"), lit(day, datatype="xsd:date"))
        w.add(event, N("kg:eventKind"), N(mapping()["event_kinds"][kind]))
        sentence = f"{org_name}은 {day[5:7]}월 {day[8:]}일 {EVENT_WORDS[kind]}를 열었다."
        w.fact(event, N("schema:attendee"), f"<{org}>", sentence, 0, "events")
        for _ in range(rng.randint(1, 3)):
            # mostly people of the posting body (its index in orgs is its index in all_orgs)
            body = org_i if rng.random() < 0.5 else world.zipf(len(world.all_orgs))
            who = world.person_from(body)
            person, pname, home = world.people[who]
            porg, porg_name = world.all_orgs[home]
            title_ = world.title_of(who)
            entity(w, f"<{person}>", "Person", pname)
            entity(w, f"<{porg}>", "Organization", porg_name)
            m = f"<{data_iri('id/membership/' + h(person, porg, title_))}>"
            pos = f"<{data_iri('id/position/' + h(porg, title_))}>"
            role = f"<{data_iri('id/role/' + iri_key(title_))}>"
            s2 = f"이날 행사에는 {porg_name} {pname} {title_}이 참석했다."
            w.add(role, N("rdf:type"), N("org:Role"))
            w.add(role, N("skos:prefLabel"), lit(title_))
            w.add(m, N("rdf:type"), N("org:Membership"))
            w.fact(m, N("org:member"), f"<{person}>", s2, 40, "relations")
            w.add(m, N("org:organization"), f"<{porg}>")
            w.add(m, N("org:role"), role)
            w.add(m, N("kg:roleLabel"), lit(title_))
            w.add(m, N("kg:attestedOn"), lit(day, datatype="xsd:date"))
            memberships.setdefault(m, []).append(day)
            w.add(pos, N("rdf:type"), N("org:Post"))
            w.add(pos, N("org:postIn"), f"<{porg}>")
            w.add(pos, N("org:role"), role)
            w.add(pos, N("skos:prefLabel"), lit(f"{porg_name} {title_}"))
            w.fact(f"<{person}>", N("org:holds"), pos, s2, 40, "relations")
            w.add(pos, N("org:heldBy"), f"<{person}>")
            w.add(f"<{person}>", N("org:memberOf"), f"<{porg}>")
            w.fact(event, N("schema:attendee"), f"<{person}>", s2, 40, "events")
        # partners, programs, places
        if rng.random() < 0.5:
            other, oname = world.all_orgs[world.zipf(len(world.all_orgs), 0.9)]
            if other != org:
                entity(w, f"<{other}>", "Organization", oname)
                s3 = f"{org_name}과 {oname}은 업무협약을 체결했다."
                w.fact(f"<{org}>", N("kg:partnerOf"), f"<{other}>", s3, 80, "relations")
                w.add(f"<{other}>", N("kg:partnerOf"), f"<{org}>")
                w.fact(event, N("schema:attendee"), f"<{other}>", s3, 80, "events")
        if rng.random() < 0.4:
            prog, pname2, owner = world.programs[world.zipf(len(world.programs), 0.9)]
            oorg, oname2 = world.orgs[owner]
            entity(w, f"<{prog}>", "Program", pname2)
            entity(w, f"<{oorg}>", "Organization", oname2)
            w.fact(
                f"<{oorg}>",
                N("kg:operates"),
                f"<{prog}>",
                f"{oname2}은 {pname2}을 운영한다.",
                120,
                "relations",
            )
        if rng.random() < 0.4:
            place, plname = world.places[world.zipf(len(world.places), 0.7)]
            entity(w, f"<{place}>", "Place", plname)
            w.fact(
                event, N("schema:location"), f"<{place}>", f"행사는 {plname}에서 열렸다.", 160, "relations"
            )
        if rng.random() < 0.2:
            cid, cname, sub = world.generated[world.zipf(len(world.generated), 0.6)]
            entity(w, f"<{cid}>", "Organization", cname, sub)
            w.fact(
                f"<{cid}>",
                N("org:subOrganizationOf"),
                f"<{org}>",
                f"{cname}은 {org_name} 소속이다.",
                200,
                "relations",
            )
            w.add(f"<{org}>", N("org:hasSubOrganization"), f"<{cid}>")
            w.fact(event, N("schema:attendee"), f"<{cid}>", f"{cname}도 함께했다.", 220, "events")
        yield w


def generate(out: Path, count: int, seed: int = 7) -> int:
    """Write the N-Quads file; the number of quads."""
    rng = random.Random(seed)
    world = World(rng, people=max(200, count), companies=max(100, count // 4))
    default: set[str] = set()
    memberships: dict[str, list[str]] = {}
    n = 0
    with out.open("w", encoding="utf-8") as fh:
        for q in lexicon_quads():
            fh.write(str(q) + " .\n")
            default.add(f"{q.subject} {q.predicate} {q.object}")
            n += 1
        onto = graph_node("ontology")
        for t in ox.parse(ONTOLOGY_FILE.read_bytes(), format=ox.RdfFormat.TURTLE):
            fh.write(f"{t.subject} {t.predicate} {t.object} {onto} .\n")
            default.add(f"{t.subject} {t.predicate} {t.object}")
            n += 1
        for w in posts(world, count, memberships):
            for line in w.lines:
                fh.write(f"{line} {w.g} .\n")
                default.add(line)
            n += len(w.lines)
        derived = graph_node("derived")
        for m, days in memberships.items():
            i, b, e = f"<{m[1:-1]}/during>", f"<{m[1:-1]}/during/begin>", f"<{m[1:-1]}/during/end>"
            lines = [
                f"{m} {N('org:memberDuring')} {i}",
                f"{i} {N('rdf:type')} {N('time:Interval')}",
                f"{i} {N('time:hasBeginning')} {b}",
                f"{i} {N('time:hasEnd')} {e}",
                f"{i} {N('prov:wasDerivedFrom')} {m}",
                f"{b} {N('rdf:type')} {N('time:Instant')}",
                f"{b} {N('time:inXSDDate')} {lit(min(days), datatype='xsd:date')}",
                f"{e} {N('rdf:type')} {N('time:Instant')}",
                f"{e} {N('time:inXSDDate')} {lit(max(days), datatype='xsd:date')}",
            ]
            for line in lines:
                fh.write(f"{line} {derived} .\n")
                default.add(line)
            n += len(lines)
        fh.write(f'{store_node()} {N("kg:generation")} "{uuid.uuid4()}" {graph_node("meta")} .\n')
        n += 1
        for line in default:
            fh.write(line + " .\n")
        n += len(default)
    return n


def degrees(db: ox.Store) -> dict[str, int]:
    """Entity IRI → the number of edges /entities/{id}/related lists at depth 1 (memberships,
    attendance and the simple relations, both directions), counted in the store."""
    prefixes = "".join(f"PREFIX {p}: <{iri(p + ':')}>\n" for p in ("schema", "org", "kg"))
    counts: dict[str, int] = {}
    queries = [
        "SELECT ?x (COUNT(*) AS ?n) WHERE { ?e schema:attendee ?x } GROUP BY ?x",
        "SELECT ?x (COUNT(*) AS ?n) WHERE { ?x schema:attendee ?e } GROUP BY ?x",
        "SELECT ?x (COUNT(DISTINCT ?o) AS ?n) WHERE { ?m org:member ?x ; org:organization ?o } GROUP BY ?x",
        "SELECT ?x (COUNT(DISTINCT ?o) AS ?n) WHERE { ?m org:organization ?x ; org:member ?o } GROUP BY ?x",
    ]
    for p in ("org:subOrganizationOf", "kg:operates", "kg:partnerOf", "schema:location"):
        queries.append(f"SELECT ?x (COUNT(*) AS ?n) WHERE {{ ?x {p} ?o }} GROUP BY ?x")
        queries.append(f"SELECT ?x (COUNT(*) AS ?n) WHERE {{ ?o {p} ?x }} GROUP BY ?x")
    for q in queries:
        for row in db.query(prefixes + q):  # type: ignore[union-attr]
            x = row["x"].value
            counts[x] = counts.get(x, 0) + int(row["n"].value)
    return counts


def _at(ranked: list[int], fraction: float) -> int:
    return ranked[min(len(ranked) - 1, int(fraction * len(ranked)))]


def degree_summary(db: ox.Store) -> dict[str, dict[str, int]]:
    """Per entity type: how many, and the median, 90th, 99th percentile and largest degree."""
    deg = degrees(db)
    out = {}
    for kind in ("person", "org", "event"):
        values = sorted(n for x, n in deg.items() if x.startswith(data_iri(f"id/{kind}/")))
        if values:
            out[kind] = {
                "entities": len(values),
                "p50": _at(values, 0.5),
                "p90": _at(values, 0.9),
                "p99": _at(values, 0.99),
                "max": values[-1],
            }
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--posts", type=int, default=10000, help="Posts to generate (≈ 230 quads each).")
    ap.add_argument("--store", type=Path, required=True, help="Folder of the Oxigraph store to create.")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)
    if args.store.exists() and any(args.store.iterdir()):
        sys.exit(f"error: {args.store} exists and is not empty; choose a new folder")
    args.store.mkdir(parents=True, exist_ok=True)
    nq = args.store.with_suffix(".nq")
    t = time.perf_counter()
    n = generate(nq, args.posts, args.seed)
    t_gen = time.perf_counter() - t
    t = time.perf_counter()
    store = ox.Store(str(args.store))
    store.bulk_load(path=str(nq), format=ox.RdfFormat.N_QUADS)
    store.flush()
    count = len(store)
    nq.unlink()
    print(
        f"{count} quads ({n} written) in {args.store}: generated in {t_gen:.1f} s, "
        f"loaded in {time.perf_counter() - t:.1f} s"
    )
    print("related edges per entity (depth 1):")
    for kind, row in degree_summary(store).items():
        print(f"  {kind:7} " + "  ".join(f"{k} {v}" for k, v in row.items()))


if __name__ == "__main__":
    main()
