"""The annotated real texts as NER data (kg.extract.ner_spans): names → character spans, and
what is left unsure. Sentences written for these tests (not from any annotated set)."""

from __future__ import annotations

import pytest

from kg.extract.ner_spans import (
    Sentence,
    document_spans,
    klue_unsure_words,
    score_with_unsure,
    sentences,
)


@pytest.fixture(scope="module")
def tokens():
    from kg.extract.train_ner import blank_nlp

    nlp = blank_nlp()

    def run(text: str) -> list[tuple[int, int, str]]:
        return [(t.idx, t.idx + len(t.text), t.tag_) for t in nlp.make_doc(text)]

    return run


def spans(doc: Sentence) -> list[tuple[str, str]]:
    return [(doc.text[s:e], label) for s, e, label in doc.entities]


def unsure(doc: Sentence) -> list[str]:
    return [doc.text[s:e] for s, e in doc.unsure]


def record(text: str, *entities: dict) -> dict:
    return {"id": "t", "text": text, "entities": list(entities)}


def test_longest_name_first_without_overlap(tokens):
    text = "근로복지공단 익산지사는 근로복지공단과 함께 설명회를 열었다."
    rec = record(
        text,
        {"name": "근로복지공단", "type": "Organization"},
        {"name": "근로복지공단 익산지사", "type": "Organization", "variants": ["익산지사"]},
    )
    doc = document_spans(rec, tokens(text))
    assert spans(doc) == [("근로복지공단 익산지사", "OG"), ("근로복지공단", "OG")]


def test_aliases_and_spacing_variants_are_found(tokens):
    text = "소공인 성장촉진단(이하 촉진단)은 김민수 단장이 이끈다. 촉진단은 5일 출범했다."
    rec = record(
        text,
        {"name": "소공인성장촉진단", "type": "Organization", "aliases": ["촉진단"]},
        {"name": "김민수", "type": "Person"},
    )
    doc = document_spans(rec, tokens(text))
    assert spans(doc) == [("소공인 성장촉진단", "OG"), ("촉진단", "OG"), ("김민수", "PS"), ("촉진단", "OG")]


def test_optional_program_and_glued_occurrences_are_unsure_not_o(tokens):
    text = "대한민국 정부와 한국관광공사는 ‘관광 혁신 바우처 사업’을 운영한다."
    rec = record(
        text,
        {"name": "한국", "type": "Organization"},
        {"name": "대한민국 정부", "type": "Organization", "optional": True},
        {"name": "한국관광공사", "type": "Organization"},
        {"name": "관광 혁신 바우처 사업", "type": "Program"},
    )
    doc = document_spans(rec, tokens(text))
    assert spans(doc) == [("한국관광공사", "OG")]
    assert "대한민국 정부" in unsure(doc)
    assert "관광 혁신 바우처 사업" in unsure(doc)
    # learned when asked for
    with_programs = document_spans(rec, tokens(text), labels=("PS", "OG", "LC", "PG", "EV"))
    assert ("관광 혁신 바우처 사업", "PG") in spans(with_programs)


def test_a_latin_name_ends_at_a_word_edge(tokens):
    text = "LH는 LHS 시스템을 도입했다."
    doc = document_spans(record(text, {"name": "LH", "type": "Organization"}), tokens(text))
    assert spans(doc) == [("LH", "OG")]


def test_a_surface_of_two_labels_is_unsure(tokens):
    text = "세종은 세종에서 회의를 열었다."
    rec = record(
        text,
        {"name": "세종", "type": "Organization"},
        {"name": "세종", "type": "Place", "optional": True},
    )
    doc = document_spans(rec, tokens(text))
    assert spans(doc) == []
    assert unsure(doc) == ["세종", "세종"]


def test_what_the_gold_format_does_not_annotate_is_unsure(tokens):
    """Dates, quantities, digits, places and KLUE's date words are no evidence of O."""
    text = "중소벤처기업부는 올해 3월 5일 부산에서 20억 원 규모의 지원을 발표했다."
    klue = [Sentence("k", "올해 서울에서", [(0, 2, "DT"), (3, 5, "LC")])]
    rec = record(text, {"name": "중소벤처기업부", "type": "Organization"})
    doc = document_spans(rec, tokens(text), unsure_words=klue_unsure_words(klue), place_names=["부산"])
    assert spans(doc) == [("중소벤처기업부", "OG")]
    marked = " ".join(unsure(doc))
    for part in ("올해", "3월 5일", "부산", "20억 원"):
        assert part in marked, (part, marked)
    assert "발표" not in marked


def test_annotated_places_are_taught_as_places(tokens):
    text = "행사는 전주 한옥마을에서 열렸다."
    rec = record(text, {"name": "전주 한옥마을", "type": "Place", "optional": True})
    assert spans(document_spans(rec, tokens(text))) == [("전주 한옥마을", "LC")]


def test_sentences_keep_offsets_and_a_cut_name_becomes_unsure():
    doc = Sentence(
        "d",
        "김민수 장관은 말했다. 이어 박영희 차관이\n답했다.",
        [(0, 3, "PS"), (16, 19, "PS")],
        [(13, 15)],
    )
    parts = sentences(doc)
    assert [p.text for p in parts] == ["김민수 장관은 말했다.", "이어 박영희 차관이", "답했다."]
    assert [spans(p) for p in parts] == [[("김민수", "PS")], [("박영희", "PS")], []]
    assert unsure(parts[1]) == ["이어"]


def test_scoring_leaves_out_unsure_predictions_and_unscored_labels():
    gold = [Sentence("d", "김민수 장관은 올해 부산을 찾았다.", [(0, 3, "PS")], [(11, 13)])]
    pred = [[(0, 3, "PS"), (8, 10, "DT"), (11, 13, "LC"), (4, 6, "OG")]]
    golds, kept = score_with_unsure(gold, pred, ("PS", "OG", "LC"))
    assert golds == [[(0, 3, "PS")]]
    assert kept == [[(0, 3, "PS"), (4, 6, "OG")]]  # 부산 (unsure) and 올해 (DT) are not scored
