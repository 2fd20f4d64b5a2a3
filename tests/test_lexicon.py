"""The authority lexicon as data: every file keeps the record format's rules, and the names of
institutions (courts, councils, parties, companies, international bodies) resolve as written."""

from __future__ import annotations

import json
from collections import defaultdict

from kg.ingest.jsonl import post_from_record
from kg.model import Post
from kg.resources import DATA_DIR
from kg.text.names import name_key
from kg.vocab.lexicon import Lexicon, LexiconEntry, load_lexicon

TYPES = {"Person", "Organization", "Program", "Event", "Place"}


def entry(lexicon: Lexicon, entry_id: str) -> LexiconEntry:
    found = lexicon.by_id(entry_id)
    assert found is not None, f"{entry_id} is missing from the lexicon"
    return found


def found(lexicon: Lexicon, text: str) -> list[tuple[str, str]]:
    return [(text[s:e], entry.id) for s, e, entry in lexicon.find(text)]


def test_every_entry_keeps_the_record_format() -> None:
    lexicon = load_lexicon()
    subtypes = json.loads((DATA_DIR.parent / "ontology" / "mapping.json").read_text(encoding="utf-8"))[
        "org_subtypes"
    ]
    ids: dict[str, int] = defaultdict(int)
    owners: dict[str, set[str]] = defaultdict(set)
    for e in lexicon.entries:
        ids[e.id] += 1
        assert e.id.isascii() and e.id == e.id.strip(), e.id
        assert e.type in TYPES, e
        if e.type == "Organization" and e.subtype is not None:
            assert e.subtype in subtypes, f"{e.id}: subtype {e.subtype} is not in mapping.json"
        if e.parent is not None:
            parent = lexicon.by_id(e.parent)
            assert parent is not None, f"{e.id}: parent {e.parent} is no entry"
            assert parent.type == e.type, f"{e.id}: parent {e.parent} is a {parent.type}"
        assert e.ambiguous <= set(e.surfaces), f"{e.id}: ambiguous surface it does not have"
        for surface in e.surfaces:
            assert surface == surface.strip() and surface, e.id
            owners[name_key(surface)].add(e.id)
    assert [i for i, n in ids.items() if n > 1] == []
    # one surface belongs to one entry only (the README's rule), across all files
    assert {k: v for k, v in owners.items() if len(v) > 1} == {}


def test_institutions_file_is_one_json_object_per_line_with_known_fields() -> None:
    fields = {"id", "type", "subtype", "name", "aliases", "english", "abbr", "parent", "ambiguous"}
    lines = (DATA_DIR / "lexicon" / "institutions.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) >= 300
    for n, line in enumerate(lines, 1):
        rec = json.loads(line)
        assert set(rec) <= fields, f"institutions.jsonl:{n}: {set(rec) - fields}"
        assert rec["type"] == "Organization", n


def test_a_provincial_council_is_not_its_government() -> None:
    """Regression: `서울시의회` was read as 서울특별시 (the alias 서울시) followed by `의회`."""
    lexicon = load_lexicon()
    assert found(lexicon, "서울시의회는 본회의를 열었다") == [("서울시의회", "seoul-council")]
    assert found(lexicon, "경기도의회와 경기도는") == [
        ("경기도의회", "gyeonggi-council"),
        ("경기도", "gyeonggi-gov"),
    ]


def test_courts_prosecutors_and_police_by_their_short_forms() -> None:
    lexicon = load_lexicon()
    text = "서울중앙지검은 서울중앙지법에 영장을 청구했고, 서울경찰청과 국수본도 수사했다"
    assert found(lexicon, text) == [
        ("서울중앙지검", "seoul-central-district-prosecutors"),
        ("서울중앙지법", "seoul-central-district-court"),
        ("서울경찰청", "seoul-police"),
        ("국수본", "national-office-of-investigation"),
    ]
    assert lexicon.parent_of(entry(lexicon, "seoul-central-district-prosecutors")) == entry(lexicon, "spo")
    assert lexicon.parent_of(entry(lexicon, "seoul-police")) == entry(lexicon, "knpa")
    # a former name (지방경찰청, until 2021) is an alias of the same body
    assert lexicon.lookup("서울지방경찰청") == entry(lexicon, "seoul-police")


def test_a_committee_name_local_councils_share_needs_the_assembly_named() -> None:
    lexicon = load_lexicon()
    # 교육위원회 is also a committee of every provincial council: alone it names nothing
    assert found(lexicon, "교육위원회가 조례안을 의결했다") == []
    assert found(lexicon, "국회 교육위원회 소속 의원들은 교육위에서") == [
        ("국회 교육위원회", "na-education"),
        ("교육위", "na-education"),
    ]
    # a name no other body has needs no qualification
    assert found(lexicon, "법제사법위원회(법사위)") == [
        ("법제사법위원회", "na-legislation-judiciary"),
        ("법사위", "na-legislation-judiciary"),
    ]


def test_ambiguous_party_and_brand_short_forms_only_with_their_full_name() -> None:
    lexicon = load_lexicon()
    assert found(lexicon, "민주당 대표는") == []
    assert found(lexicon, "더불어민주당은 … 민주당 대표는") == [
        ("더불어민주당", "party-dpk"),
        ("민주당", "party-dpk"),
    ]
    assert found(lexicon, "기아 퇴치를 위한 모금") == []
    assert found(lexicon, "기아자동차(기아)는") == [("기아자동차", "kia"), ("기아", "kia")]
    # `IMF` is also the 1997 crisis; the fund's Korean name makes it a name
    assert found(lexicon, "IMF 외환위기 당시") == []
    assert found(lexicon, "국제통화기금(IMF)") == [("국제통화기금", "imf"), ("IMF", "imf")]


def test_longest_name_wins_over_a_group_or_company_prefix() -> None:
    lexicon = load_lexicon()
    assert found(lexicon, "KT&G와 KT는") == [("KT&G", "ktng"), ("KT", "kt")]
    assert found(lexicon, "카카오페이와 카카오") == [("카카오페이", "kakaopay"), ("카카오", "kakao")]
    assert found(lexicon, "유엔 안보리와 유엔") == [("유엔 안보리", "unsc"), ("유엔", "un")]


def test_a_latin_name_before_a_hyphen_and_digits_is_a_model_code() -> None:
    """Regression: `KT-1 기본훈련기` (an aircraft) was read as the company KT."""
    lexicon = load_lexicon()
    assert found(lexicon, "KT-1 기본훈련기") == []
    assert found(lexicon, "LH-KT 협약") == [("LH", "lh")]  # a body after a hyphen stays unread, as before


def test_extraction_names_institutions_as_the_lexicon_does(extractor) -> None:
    text = (
        "서울시의회는 3일 본회의를 열고 조례안을 의결했다. 이날 회의에는 서울중앙지법 판사 출신인 "
        "김민준 의원과 더불어민주당 이서연 의원이 참석했다. 한편 국민의힘은 논평을 냈다."
    )
    post = post_from_record({"id": "lexicon-institutions", "published": "2024-05-03", "text": text}, "t")
    assert isinstance(post, Post)
    result = extractor.extract(post)
    orgs = {e.name for e in result.entities if e.type == "Organization"}
    # a name of five syllables or more is kept as written (kg.extract.assemble), not `서울특별시`
    assert {"서울시의회", "서울중앙지법", "더불어민주당", "국민의힘"} <= orgs
    assert "서울특별시" not in orgs


def test_the_assembly_and_cheong_wa_dae_are_bodies_and_a_title_that_begins_with_one_is_a_title() -> None:
    """The annotated news texts name 국회 and 청와대 as organisations (they pass bills, issue
    statements); the lexicon had them as places. Regression: `국회의원` then began with the body
    `국회`, and `이훈 국회의원` made the Assembly a participant of every event a member attended."""
    lexicon = load_lexicon()
    assert found(lexicon, "청와대는 국회에 법안을 보냈다") == [
        ("청와대", "cheongwadae"),
        ("국회", "national-assembly"),
    ]
    assert entry(lexicon, "national-assembly").type == "Organization"
    assert found(lexicon, "이훈 국회의원은 국회의사당에서") == [
        ("국회의사당", "place-national-assembly-building")
    ]


def test_a_long_name_written_with_spaces_inside_is_found() -> None:
    """News writes `녹색 기후 기금`, `더불어 민주당` (team-train texts): a name of five or more
    characters matches with single spaces between its characters; a short one does not
    (`한국 은행들` are Korean banks), nor the name of a kind of centre (`소공인 특화 지원센터`
    describes one centre of the network)."""
    lexicon = load_lexicon()

    def found(text: str) -> list[tuple[str, str]]:
        return [(text[s:e], entry.name) for s, e, entry in lexicon.find(text)]

    assert found("녹색 기후 기금 이사회에서") == [("녹색 기후 기금", "녹색기후기금")]
    assert found("여당인 더불어 민주당의 원내대표") == [("더불어 민주당", "더불어민주당")]
    assert found("한국 은행들이 금리를 올렸다") == []
    assert found("소공인 특화 지원센터를 방문해") == []


def test_an_ambiguous_short_form_right_after_its_parent_is_read() -> None:
    """`국방위` alone may be another state's committee; after `국회` it is the Assembly's."""
    lexicon = load_lexicon()
    text = "국회 국방위 전체 회의에서"
    assert [(text[s:e], entry.name) for s, e, entry in lexicon.find(text)] == [
        ("국회", "대한민국 국회"),
        ("국방위", "국방위원회"),
    ]
    assert lexicon.find("북한 국방위는") == []
