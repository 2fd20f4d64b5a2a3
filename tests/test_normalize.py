"""Values are cleaned once: dates, legal forms, names, chrome. Tables of real-pattern examples."""

from __future__ import annotations

from datetime import date

import pytest

from kg.text.clean import clean_text, strip_chrome
from kg.text.dates import find_dates, parse_date
from kg.text.names import name_key, split_legal_form

REF = date(2025, 12, 3)


@pytest.mark.parametrize(
    ("text", "ref", "expected"),
    [
        ("2025. 12. 1.(월)", REF, date(2025, 12, 1)),
        ("12월 1일(월) 신설하고", REF, date(2025, 12, 1)),
        ("'22.11.13.", REF, date(2022, 11, 13)),
        ("’22.11.13.", REF, date(2022, 11, 13)),
        ("10.15일(수) 07:00", date(2025, 10, 15), date(2025, 10, 15)),
        ("1월 18일(목)", date(2024, 1, 18), date(2024, 1, 18)),
        ("16일(목) 개최", date(2025, 10, 20), date(2025, 10, 16)),
        ("지난 8일 열린", date(2025, 10, 3), date(2025, 9, 8)),
        ("오는 8일 개최", date(2025, 10, 3), date(2025, 10, 8)),
        ("5월 1일(월)부터", date(2023, 4, 30), date(2023, 5, 1)),
        ("12월 30일", date(2026, 1, 2), date(2025, 12, 30)),
        ("2025년 12월 1일", None, date(2025, 12, 1)),
        ("2025-12-03", None, date(2025, 12, 3)),
    ],
)
def test_korean_dates(text: str, ref: date | None, expected: date) -> None:
    assert parse_date(text, ref) == expected


def test_weekday_picks_the_month() -> None:
    # 16일(목): in October 2025 the 16th is a Thursday; published 2025-11-02
    assert parse_date("16일(목)", date(2025, 11, 2)) == date(2025, 10, 16)


@pytest.mark.parametrize("text", ["3일간 진행되며 10일차 교육", "7일간 열린다"])
def test_no_dates_in_counts(text: str) -> None:
    """Day counts (`3일간`, `10일차`) are durations, not dates."""
    assert find_dates(text, REF) == []


def test_dates_are_found_where_they_stand() -> None:
    text = "지난 1일 출범했으며 오는 12월 10일(수) 발대식을 연다"
    found = [(text[a:b], d) for a, b, d in find_dates(text, REF)]
    assert found == [("지난 1일", date(2025, 12, 1)), ("12월 10일(수)", date(2025, 12, 10))]


@pytest.mark.parametrize(
    ("raw", "name", "form"),
    [
        ("(사)한국소공인협회", "한국소공인협회", "사단법인"),
        ("㈜삼호정밀", "삼호정밀", "주식회사"),
        ("삼호정밀(주)", "삼호정밀", "주식회사"),
        ("주식회사 삼호정밀", "삼호정밀", "주식회사"),
        ("(재)서울테크노파크", "서울테크노파크", "재단법인"),
        ("사단법인 코리아스타트업포럼", "코리아스타트업포럼", "사단법인"),
        ("중소벤처기업부", "중소벤처기업부", None),
    ],
)
def test_legal_forms(raw: str, name: str, form: str | None) -> None:
    assert split_legal_form(raw) == (name, form)


def test_name_key_ignores_spacing_punctuation_and_legal_form() -> None:
    assert name_key("(사)한국소공인협회") == name_key("한국 소공인 협회")
    assert name_key("‘소공인성장촉진단’") == "소공인성장촉진단"
    assert name_key("K-Startup") == name_key("k startup")


def test_chrome_is_removed() -> None:
    page = "본문 바로가기\n\n창업소식\n조회수 237\n실제 본문입니다.\n#소공인 #중기부\n공공누리 공공저작물 자유이용허락 - 출처표시 본 저작물은 창업진흥원이 게시한 공공누리 제1유형의 저작물이며\nTOP"
    assert strip_chrome(page) == "창업소식\n실제 본문입니다."


def test_clean_text_normalises_spaces_and_fullwidth() -> None:
    assert clean_text("Ａ\u3000B\u200bC\r\nD") == "A BC\nD"
