"""Open-data payloads (K-Startup, 기업마당): structured Program → agency → ministry facts, no NLP."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from kg.build.pipeline import ingest
from kg.build.structured import structured_extraction
from kg.ingest import read_posts
from kg.ingest.opendata import program_name
from kg.model import Extraction, InputError, Post
from kg.store import open_store
from kg.vocab.ontology import sparql_prefixes

FIXTURES = Path(__file__).parent / "fixtures" / "opendata"


def no_nlp(posts):  # extraction that finds nothing: every fact below comes from the JSON fields
    for post in posts:
        yield Extraction(post=post, text=post.text, extractor_version="none/0")


def _posts(name: str) -> list[Post]:
    items = list(read_posts([FIXTURES / name]))
    assert all(isinstance(i, Post) for i in items), items
    return items  # type: ignore[return-value]


@pytest.mark.parametrize(
    ("title", "program"),
    [
        ("2026년 예비창업패키지 예비창업자 모집 공고", "예비창업패키지"),
        ("[대전] 2026년 딥테크 챌린지 프로그램 참여기업 모집", "딥테크 챌린지 프로그램"),
        (
            "2026년 소상공인 스마트상점 기술보급사업 참여 소상공인 모집 공고",
            "소상공인 스마트상점 기술보급사업",
        ),
        ("2026년 청년창업사관학교 입교생 모집 공고", "청년창업사관학교"),
        ("중소기업 기술혁신개발사업 시행계획 공고", "중소기업 기술혁신개발사업"),
        ("2025년도 하반기 판로지원 모집 공고", "판로지원"),
    ],
)
def test_program_name_from_a_notice_title(title: str, program: str) -> None:
    assert program_name(title) == program


def test_kstartup_announcement_fields() -> None:
    first, second, third = _posts("kstartup-announcements.json")
    assert first.id == "kstartup-pbanc-176001"
    assert first.title == "2026년 예비창업패키지 예비창업자 모집 공고"
    assert first.published == date(2026, 1, 5)
    assert first.category == "사업화"
    assert first.url and first.url.endswith("pbancSn=176001")
    assert "혁신적인 기술창업 아이디어" in first.text and "<p>" not in first.text
    assert first.structured == {
        "schema": "kstartup-announcement",
        "facts": [
            {"role": "program", "name": "예비창업패키지", "field": "intg_pbanc_biz_nm"},
            {"role": "agency", "name": "창업진흥원", "field": "pbanc_ntrp_nm"},
            {"role": "ministry", "name": "중소벤처기업부", "field": "sprv_inst"},
        ],
    }
    assert second.structured and second.structured["facts"][0] == {
        "role": "program",
        "name": "청년창업사관학교",
        "field": "biz_pbanc_nm",
    }
    # `공공기관` is a kind of body, not a ministry's name: no ministry fact
    assert third.structured and [f["role"] for f in third.structured["facts"]] == ["program", "agency"]


def test_kstartup_contents_are_plain_posts() -> None:
    news, _ = _posts("kstartup-contents.json")
    assert (news.id, news.published, news.category) == (
        "kstartup-content-51001",
        date(2025, 12, 18),
        "창업소식",
    )
    assert news.hashtags == ("창업기업", "실태조사")
    assert news.attachments == ("2025 창업기업 실태조사 결과 요약.pdf",)
    assert news.structured is None


def test_structured_extraction_with_evidence_on_the_field_line() -> None:
    post = _posts("bizinfo-programs.json")[0]
    ex = structured_extraction(post)
    assert {(e.type, e.name, e.subtype) for e in ex.entities} == {
        ("Program", "소상공인 스마트상점 기술보급사업", None),
        ("Organization", "소상공인시장진흥공단", "agency"),
        ("Organization", "중소벤처기업부", "government"),
    }
    rels = {(r.head, r.relation, r.tail): r.evidence for r in ex.relations}
    assert set(rels) == {
        ("소상공인시장진흥공단", "operates", "소상공인 스마트상점 기술보급사업"),
        ("소상공인시장진흥공단", "subOrganizationOf", "중소벤처기업부"),
    }
    ev = rels[("소상공인시장진흥공단", "operates", "소상공인 스마트상점 기술보급사업")]
    assert ev.sentence == "수행기관(excInsttNm): 소상공인시장진흥공단"
    assert post.text[ev.start : ev.end] == ev.sentence
    assert (ev.component, ev.confidence) == ("opendata", 1.0)


def test_a_ministry_that_runs_its_own_program_operates_it() -> None:
    post = _posts("bizinfo-programs.json")[2]
    ex = structured_extraction(post)
    assert [(r.head, r.relation, r.tail) for r in ex.relations] == [
        ("중소벤처기업부", "operates", "중소기업 기술혁신개발사업")
    ]


def test_payload_facts_reach_the_store_and_meet_text_entities() -> None:
    store = open_store("memory")
    report = ingest(store, read_posts([FIXTURES]), no_nlp)
    assert report.ok and report.written == 8
    rows = store.select(
        sparql_prefixes()
        + """SELECT ?agency ?program ?ministry ?ev WHERE {
  ?agency kg:operates ?program . ?program a kg:Program .
  OPTIONAL { ?agency org:subOrganizationOf ?ministry }
  ?f rdf:subject ?agency ; rdf:predicate kg:operates ; rdf:object ?program ; kg:evidenceText ?ev .
  FILTER(CONTAINS(STR(?program), "예비창업패키지")) }"""
    )
    assert {
        (r["agency"].value.rsplit("/", 1)[-1], r["ministry"].value.rsplit("/", 1)[-1], r["ev"].value)
        for r in rows
    } == {("창업진흥원", "중소벤처기업부", "공고기관(pbanc_ntrp_nm): 창업진흥원")}
    # the same organisation IRI as text extraction and the authority lexicon use
    assert store.ask(
        sparql_prefixes()
        + "ASK { GRAPH ?lex { ?o skos:notation ?n ; skos:prefLabel ?l } FILTER(STR(?l) = '창업진흥원')"
        + " ?o kg:operates ?p }"
    )


def test_bad_payloads(tmp_path: Path) -> None:
    (tmp_path / "broken.json").write_text('{"data": [ {"pbanc_sn": 1, ', encoding="utf-8")
    (tmp_path / "other.json").write_text('{"weather": "sunny"}', encoding="utf-8")
    (tmp_path / "empty.json").write_text('{"currentCount": 0, "data": []}', encoding="utf-8")
    (tmp_path / "partial.json").write_text(
        '{"jsonArray": [{"pblancNm": "이름만 있는 공고"}, {"pblancId": "P2", "pblancNm": "2026년 판로지원사업 공고"}, 7]}',
        encoding="utf-8",
    )
    items = list(read_posts([tmp_path]))
    errors = {Path(i.source).name: i.reason for i in items if isinstance(i, InputError)}
    assert errors["broken.json"].startswith("malformed JSON")
    assert errors["other.json"].startswith("not an open-data payload")
    assert errors["empty.json"] == "empty: the payload holds no records"
    assert errors["partial.json#1"] == "bizinfo-program record without pblancId"
    assert errors["partial.json#3"] == "expected a JSON object (an API record)"
    assert [i.id for i in items if isinstance(i, Post)] == ["bizinfo-P2"]
