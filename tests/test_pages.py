"""Pages for people in a real browser: entity, post, search, changes and releases pages served by
the real app on 127.0.0.1 over the bundled posts, opened in headless Chromium (tests/cdp.py).

Every page must: show the sections its entity type calls for, carry no script at all, make no
request outside the app (the embedded network view is the app's own graph.html), keep hostile
names as text, and parse as HTML without a single parse error (html5rdf, the WHATWG parser).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from urllib.parse import quote

import html5rdf
import httpx
import pytest

from api.main import create_app
from kg.build.changelog import ChangeLog
from kg.build.rdf import post_quads
from kg.build.resolve import Resolver
from kg.model import Entity, Evidence, Extraction, Post, Relation
from kg.read.queries import entity_id, entity_iri
from kg.store.oxigraph import OxigraphStore
from kg.vocab.ontology import sparql_prefixes

from .cdp import Browser
from .test_api_support import LiveServer, memory_store, sample_nquads, settings  # noqa: F401  (fixtures)
from .test_browser import ARTIFACTS, chromium  # noqa: F401  (fixture)
from .test_viz import HOSTILE

pytestmark = pytest.mark.browser

MSS = "org/중소벤처기업부"
HAN = "person/한성숙@중소벤처기업부"
POST = "sample-2019-03-mss-smart-factory"


def add_hostile_post(store: OxigraphStore) -> dict[str, str]:
    """A post whose every name, title and sentence is hostile markup, written the way ingest
    writes posts (resolve → RDF → change log); the ids of its entities."""
    sentence = f"{HOSTILE[0]} {HOSTILE[1]} 운영 {HOSTILE[2]}"
    text = sentence + "\n둘째 줄 " + HOSTILE[3]
    post = Post(
        id="hostile-post",
        text=text,
        title=HOSTILE[2],
        url="javascript:alert(1)",
        published=date(2025, 12, 3),
        publisher=HOSTILE[0],
        licence=HOSTILE[1],
    )
    ev = Evidence(sentence, 0, len(sentence), "test", 0.9, rule="test.hostile")
    org = Entity(HOSTILE[0], "Organization", aliases=[HOSTILE[3]], english=[HOSTILE[1]])
    person = Entity(HOSTILE[1], "Person")
    program = Entity(HOSTILE[2], "Program")
    event = Entity(HOSTILE[3] + " 행사", "Event", date="2025-12-02")
    place = Entity(HOSTILE[0] + " 홀", "Place")
    extraction = Extraction(
        post,
        text,
        [org, person, program, event, place],
        [
            Relation(HOSTILE[1], "holdsPosition", HOSTILE[0], ev, role=HOSTILE[3]),
            Relation(HOSTILE[0], "operates", HOSTILE[2], ev),
            Relation(HOSTILE[1], "participatedIn", "2025-12-02", ev, event=event.name),
            Relation(event.name, "locatedIn", place.name, ev),
        ],
        extractor_version="kg-extract/test",
    )
    resolved = Resolver().resolve(extraction)
    log = ChangeLog(store, "ingest")
    log.start()
    log.replace_posts([(resolved.iri, post_quads(resolved))])
    log.finish()
    return {
        kind: entity_id(resolved.iris[(kind, ent.name)])
        for kind, ent in (
            ("Organization", org),
            ("Person", person),
            ("Program", program),
            ("Event", event),
            ("Place", place),
        )
    }


@pytest.fixture(scope="module")
def hostile_ids(site_store: OxigraphStore) -> dict[str, str]:
    return add_hostile_post(site_store)


@pytest.fixture(scope="module")
def site_store(sample_nquads: bytes) -> OxigraphStore:  # noqa: F811
    return memory_store(sample_nquads)


@pytest.fixture(scope="module")
def site(site_store: OxigraphStore, hostile_ids: dict[str, str], tmp_path_factory) -> Iterator[LiveServer]:
    releases = tmp_path_factory.mktemp("no-releases")
    server = LiveServer(create_app(settings(releases=str(releases)), site_store))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def web(chromium, tmp_path_factory) -> Iterator[Browser]:  # noqa: F811
    b = Browser(tmp_path_factory.mktemp("chromium-pages"), executable=chromium, loopback=True)
    try:
        yield b
    finally:
        b.close()


def entity_url(site: LiveServer, eid: str) -> str:
    return f"{site.url}/entities/{quote(eid, safe='/@')}"


def valid_html(text: str) -> None:
    """No WHATWG parse error, no id used twice."""
    parser = html5rdf.HTMLParser(strict=False)
    document = parser.parse(text)
    assert parser.errors == [], parser.errors[:5]
    ids = [el.get("id") for el in document.iter() if el.get("id")]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)


def open_page(web: Browser, site: LiveServer, url: str, shot: str) -> dict:
    """Open a page as a browser does; check what every page must hold; its HTML from the app."""
    web.open(url)
    web.pump(0.3)
    web.screenshot(ARTIFACTS / f"page-{shot}.png")
    left = [u for u in web.requested_urls() if not u.startswith((site.url + "/", "data:", "about:"))]
    assert left == []
    assert web.dialogs == [] and web.exceptions() == []
    facts = web.evaluate(
        """({scripts: document.querySelectorAll('script').length,
            images: document.querySelectorAll('img').length,
            bad_links: [...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href'))
                .filter(h => !(h.startsWith('/') || h.startsWith('#') || h.startsWith('?') || /^https?:/.test(h))),
            sections: [...document.querySelectorAll('main section[id]')].map(s => s.id),
            title: document.title, text: document.body.innerText})"""
    )
    assert facts["scripts"] == 0 and facts["images"] == 0 and facts["bad_links"] == []
    answer = httpx.get(url, headers={"accept": "text/html"})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/html")
    csp = answer.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src" not in csp and "frame-ancestors 'self'" in csp
    valid_html(answer.text)
    facts["html"] = answer.text
    return facts


def rows(web: Browser, section: str) -> list[list[str]]:
    return web.evaluate(
        f"[...document.querySelectorAll('#{section} tbody tr')].map(r => [...r.cells].map(c => c.innerText.trim()))"
    )


def names(web: Browser, section: str) -> list[str]:
    """The linked names in the first column of a section's table."""
    return web.evaluate(
        f"[...document.querySelectorAll('#{section} tbody tr td:first-child a')].map(a => a.innerText)"
    )


def test_body_page_has_heads_members_units_programs_partners_events(web: Browser, site: LiveServer) -> None:
    page = open_page(web, site, entity_url(site, MSS), "org")
    assert page["title"] == "중소벤처기업부 — kg"
    for section in (
        "names",
        "formats",
        "heads",
        "members",
        "units",
        "programs",
        "partners",
        "events",
        "mentions",
        "network",
    ):
        assert section in page["sections"], section
    heads = rows(web, "heads")
    ministers = [r[0] for r in heads if r[1] == "장관"]
    assert ministers[:2] == ["한성숙", "오영주"] and "홍종학" in ministers  # newest first, with periods
    assert heads[0][2] == "2025-09-11 ~ 2026-01-22"
    assert "중기부" in web.evaluate("document.querySelector('.aliases-ko').innerText")
    assert "창업진흥원" in names(web, "units")
    # every evidence links to its post page; the network view is the app's own page, embedded
    post_links = web.evaluate(
        "[...document.querySelectorAll('#heads .source a')].map(a => a.getAttribute('href'))"
    )
    assert any(h.startswith("/posts/") for h in post_links)
    frame = web.evaluate("document.querySelector('#network iframe').getAttribute('src')")
    assert frame == "/entities/" + quote(MSS, safe="/@") + "/graph.html"
    formats = web.evaluate("[...document.querySelectorAll('#formats a')].map(a => a.getAttribute('href'))")
    assert any("format=turtle" in f for f in formats) and any("query=DESCRIBE" in f for f in formats)
    for href in formats[:3]:  # JSON, JSON-LD and Turtle links answer
        assert httpx.get(site.url + href).status_code == 200


def test_person_page_lists_posts_held_with_evidence(web: Browser, site: LiveServer) -> None:
    page = open_page(web, site, entity_url(site, HAN), "person")
    assert "positions" in page["sections"] and "heads" not in page["sections"]
    (held,) = [r for r in rows(web, "positions") if r[1] == "장관"]
    assert names(web, "positions") == ["중소벤처기업부"] and held[2] == "2025-09-11 ~ 2026-01-22"
    sentences = web.evaluate("[...document.querySelectorAll('#positions blockquote')].map(b => b.innerText)")
    assert any("한성숙" in s for s in sentences)
    assert page["text"].count("한성숙") >= 3


def _busiest(store: OxigraphStore, pattern: str) -> tuple[str, list[str]]:
    """The entity ?e with the most ?x in `pattern`, and the names of its ?x (the store's own answer)."""
    rows = store.select(
        sparql_prefixes()
        + f"SELECT ?e (COUNT(DISTINCT ?x) AS ?n) WHERE {{ {pattern} }} GROUP BY ?e ORDER BY DESC(?n) ?e LIMIT 1"
    )
    e = rows[0]["e"].value
    names = store.select(
        sparql_prefixes()
        + f"SELECT DISTINCT ?x ?l WHERE {{ {pattern.replace('?e', f'<{e}>')} . ?x skos:prefLabel ?l }}"
    )
    return entity_id(e), sorted({r["l"].value for r in names})


def test_program_and_event_pages(web: Browser, site: LiveServer, site_store: OxigraphStore) -> None:
    program, operators = _busiest(site_store, "?x kg:operates ?e . ?e a kg:Program")
    page = open_page(web, site, entity_url(site, program), "program")
    assert {"period", "operators", "mentions"} <= set(page["sections"])
    assert sorted(names(web, "operators")) == operators and len(operators) >= 2
    event, participants = _busiest(site_store, "?e schema:attendee ?x")
    page = open_page(web, site, entity_url(site, event), "event")
    assert {"when-where", "participants"} <= set(page["sections"])
    when = web.evaluate("document.querySelector('#when-where').innerText")
    day = site_store.select(
        sparql_prefixes() + f"SELECT ?d WHERE {{ <{entity_iri(event)}> schema:startDate ?d }}"
    )
    place = site_store.select(
        sparql_prefixes() + f"SELECT ?l WHERE {{ <{entity_iri(event)}> schema:location/skos:prefLabel ?l }}"
    )
    assert day[0]["d"].value in when
    assert all(r["l"].value in when for r in place)  # the place, when a post names one
    assert sorted(names(web, "participants")) == participants and len(participants) >= 3


def test_post_page_highlights_the_sentences_of_its_facts(web: Browser, site: LiveServer) -> None:
    page = open_page(web, site, f"{site.url}/posts/{POST}", "post")
    assert {"facts", "text"} <= set(page["sections"])
    assert "중기부, 스마트공장 보급 확산 간담회 개최" in page["title"]
    about = web.evaluate("document.querySelector('#about').innerText")
    assert "2019-03-14" in about and "중소벤처기업부" in about and "CC BY 4.0" in about
    facts = httpx.get(f"{site.url}/posts/{POST}").json()["facts"]
    marks = web.evaluate("[...document.querySelectorAll('#text mark')].map(m => m.innerText)")
    assert marks and all(any(f["sentence"] in m or m in f["sentence"] for f in facts) for m in marks)
    for f in facts:  # every fact's sentence is marked
        assert any(f["sentence"].split()[0] in m for m in marks), f["sentence"]
    # the numbers after a mark lead to the facts' rows
    targets = web.evaluate(
        "[...document.querySelectorAll('#text sup a')].map(a => a.getAttribute('href').slice(1))"
    )
    row_ids = web.evaluate("[...document.querySelectorAll('#facts tbody tr')].map(r => r.id)")
    assert targets and set(targets) == set(row_ids)
    source = web.evaluate("document.querySelector('#about a[rel~=noopener]').getAttribute('href')")
    assert source == f"https://example.org/samples/{POST}"


def test_search_page_finds_entities_and_posts(web: Browser, site: LiveServer) -> None:
    page = open_page(web, site, f"{site.url}/search?q={quote('중기')}", "search")
    assert {"entities", "posts"} <= set(page["sections"])
    first = web.evaluate("document.querySelector('#entities li a').getAttribute('href')")
    assert first == "/entities/" + quote(MSS, safe="/@")
    assert "← 중기부" in web.evaluate("document.querySelector('#entities li').innerText")
    titles = web.evaluate("[...document.querySelectorAll('#posts li a')].map(a => a.innerText)")
    assert titles and all("중기" in t for t in titles)
    # the form works without script: submitting it navigates to the results
    web.open(f"{site.url}/search")
    web.evaluate(
        "document.querySelector('#search-form input[name=q]').value = '소공인'; "
        "document.querySelector('#search-form').submit(); 1"
    )
    web.wait_for("location.search.includes('q=')", timeout=20)
    web.wait_for("document.readyState === 'complete' && !!document.querySelector('#entities')", timeout=20)
    assert web.evaluate("document.querySelectorAll('#entities li').length") > 0


def test_hostile_names_stay_text_on_every_page(
    web: Browser, site: LiveServer, hostile_ids: dict[str, str]
) -> None:
    urls = [entity_url(site, eid) for eid in hostile_ids.values()]
    urls += [
        f"{site.url}/posts/hostile-post",
        f"{site.url}/search?q={quote(HOSTILE[0][:8])}",
        f"{site.url}/changes?since=2000-01-01&limit=1000",
    ]
    for n, url in enumerate(urls):
        page = open_page(web, site, url, f"hostile-{n}")
        assert HOSTILE[0] in page["text"] or HOSTILE[2] in page["text"], url
        for text in HOSTILE[:3]:
            assert text not in page["html"]  # only its escaped form is in the document
    # the event's page: its day, its place and its participant, all as text
    web.open(entity_url(site, hostile_ids["Event"]))
    when = web.evaluate("document.querySelector('#when-where').innerText")
    assert "2025-12-02" in when and HOSTILE[0] + " 홀" in when
    assert names(web, "participants") == [HOSTILE[1]]
    # the post page never links a javascript: source: ingest drops non-http links (issue 12),
    # so the page says there is none
    web.open(f"{site.url}/posts/hostile-post")
    about = web.evaluate("document.querySelector('#about').innerText")
    assert "javascript:alert(1)" not in about and "원문 source\n—" in about
    assert (
        web.evaluate(
            "[...document.querySelectorAll('a')].filter(a => a.href.startsWith('javascript')).length"
        )
        == 0
    )


def test_changes_and_releases_pages(web: Browser, site: LiveServer) -> None:
    page = open_page(web, site, f"{site.url}/changes", "changes")
    assert {"runs", "change-sets"} <= set(page["sections"])
    assert rows(web, "runs")[0][1] == "ingest"
    page = open_page(web, site, f"{site.url}/releases/", "releases")
    assert "kg release DIR" in page["text"]  # none yet in this app's folder


def test_missing_entity_is_a_404_page(site: LiveServer) -> None:
    answer = httpx.get(entity_url(site, "org/없는기관"), headers={"accept": "text/html"})
    assert answer.status_code == 404 and "찾을 수 없습니다" in answer.text
    valid_html(answer.text)
    assert httpx.get(entity_url(site, "org/없는기관")).status_code == 404  # JSON clients too
