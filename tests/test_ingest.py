"""Reading posts: formats, metadata from the text, and one clear error per bad input."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from kg.ingest import read_posts
from kg.model import InputError, Post

from .conftest import FOUNDING_POST


def _split(items: list) -> tuple[list[Post], list[InputError]]:
    return [i for i in items if isinstance(i, Post)], [i for i in items if isinstance(i, InputError)]


def test_founding_post_metadata() -> None:
    (post,) = list(read_posts([FOUNDING_POST]))
    assert isinstance(post, Post)
    assert post.id == "kstartup-20251203-sogongin-task-force"
    assert post.published == date(2025, 12, 3)
    assert post.title and "소공인성장촉진단" in post.title
    assert post.publisher == "창업진흥원(K-Startup)"
    assert post.licence and "제1유형" in post.licence
    assert "소공인성장촉진단" in post.hashtags


def test_bad_inputs_are_reported_and_others_go_on(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02PNG\x00" * 50)
    (tmp_path / "good.txt").write_text(
        "중소벤처기업부는 12월 1일 소공인성장촉진단을 신설했다.", encoding="utf-8"
    )
    lines = [
        json.dumps(
            {"id": "a", "text": "첫 번째 게시물입니다.", "published": "2025-01-02"},
            ensure_ascii=False,
        ),
        "{not json",
        json.dumps({"id": "b"}),
        json.dumps({"id": "c", "text": "세 번째 게시물입니다."}, ensure_ascii=False),
    ]
    (tmp_path / "posts.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "cp949.txt").write_bytes("중소벤처기업부 보도자료입니다.".encode("cp949"))
    posts, errors = _split(list(read_posts([tmp_path, tmp_path / "missing.txt"])))
    assert sorted(p.id for p in posts) == ["a", "c", "cp949", "good"]
    reasons = {e.source.replace(str(tmp_path) + "/", ""): e.reason for e in errors}
    assert reasons["empty.txt"] == "empty"
    assert "cp949" not in reasons
    assert "binary" in reasons["binary.txt"]
    assert reasons["posts.jsonl:2"].startswith("malformed JSON")
    assert "text" in reasons["posts.jsonl:3"]
    assert "no such file" in reasons[str(tmp_path / "missing.txt").replace(str(tmp_path) + "/", "")]
    cp = next(p for p in posts if p.id == "cp949")
    assert "중소벤처기업부" in cp.text


def test_front_matter(tmp_path: Path) -> None:
    (tmp_path / "x.md").write_text(
        "---\nid: sample-1\ntitle: 제목\npublished: 2019-03-14\npublisher: 중소벤처기업부\n---\n본문입니다.\n",
        encoding="utf-8",
    )
    (post,) = list(read_posts([tmp_path / "x.md"]))
    assert isinstance(post, Post)
    assert (post.id, post.title, post.published, post.publisher, post.text.strip()) == (
        "sample-1",
        "제목",
        date(2019, 3, 14),
        "중소벤처기업부",
        "본문입니다.",
    )


# -- saved pages, documents, encodings -----------------------------------------------------

FIXTURES = Path(__file__).parent / "fixtures"


def _one(path: Path) -> Post:
    (item,) = list(read_posts([path]))
    assert isinstance(item, Post), item
    return item


def test_kstartup_page_fields_and_no_chrome() -> None:
    post = _one(FIXTURES / "html" / "kstartup-news-20251215-youth-academy.html")
    assert post.title == "청년창업사관학교 15기 졸업생, 글로벌 투자설명회서 성과"
    assert post.published == date(2025, 12, 15)
    assert post.category == "창업소식"
    assert post.publisher == "창업진흥원(K-Startup)"
    assert post.url and post.url.endswith("id=90001") and "&amp;" not in post.url
    assert post.hashtags == ("청년창업사관학교", "투자설명회", "중진공")
    assert post.attachments == (
        "[보도자료] 청년창업사관학교 15기 투자설명회.hwpx",
        "붙임_투자설명회 참가기업 목록.pdf",
    )
    assert post.licence and "제1유형" in post.licence
    # the body, with its paragraphs, and none of the chrome around it
    assert "중소벤처기업부(장관 한성숙)와 중소벤처기업진흥공단(이사장 강석진)은" in post.text
    assert "\n\n이번 설명회에는" in post.text
    assert "일시 2025. 12. 12.(금) 14:00" in post.text  # table cells keep a space between them
    for chrome in (
        "본문 바로가기",
        "로그인",
        "사업공고",
        "이전글",
        "페이스북",
        "만족하십니까",
        "Copyright",
        "dataLayer",
        "첨부파일",
        "#투자설명회",
    ):
        assert chrome not in post.text, chrome


def test_mss_page_in_cp949_declared_euc_kr() -> None:
    raw = (FIXTURES / "html" / "mss-press-20251210-smallbiz-digital.html").read_bytes()
    import pytest

    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")  # the fixture really is in the legacy encoding
    post = _one(FIXTURES / "html" / "mss-press-20251210-smallbiz-digital.html")
    assert post.title == "중기부, 소상공인 디지털 전환 지원단 출범"
    assert post.published == date(2025, 12, 10)
    assert post.category == "보도자료"
    assert post.publisher == "중소벤처기업부"
    assert post.hashtags == ("소상공인", "디지털전환")
    assert len(post.attachments) == 2 and post.attachments[0].endswith("출범.hwpx")
    assert "소상공인시장진흥공단 디지털혁신본부" in post.text
    assert "맨 위로" not in post.text and "정보공개" not in post.text and "조회" not in post.text


def test_policy_briefing_page_names_the_ministry_as_publisher() -> None:
    post = _one(FIXTURES / "html" / "korea-kr-20251205-deeptech.html")
    assert (post.title, post.published, post.publisher, post.category) == (
        "딥테크 스타트업 해외 실증 지원 확대",
        date(2025, 12, 5),
        "중소벤처기업부",
        "보도자료",
    )
    assert post.hashtags == ("딥테크", "해외실증")
    assert "글로벌 기업 협업 프로그램" in post.text
    assert "글자 크기" not in post.text and "검색어" not in post.text


def test_unknown_site_falls_back_to_generic_reading(tmp_path: Path) -> None:
    page = tmp_path / "agency-news.html"
    body = "".join(
        f"<p>한국벤처투자는 {i}월 모태펀드 출자 사업을 공고했다. 출자 규모는 {i}천억원이다.</p>"
        for i in range(1, 6)
    )
    page.write_text(
        "<html><head><title>모태펀드 출자 공고 | 한국벤처투자</title>"
        '<meta property="article:published_time" content="2024-03-02"></head><body>'
        "<nav><a>회사소개</a><a>사업안내</a></nav><div class='wrap'><h1>모태펀드 출자 공고</h1>"
        f"<div class='text'>{body}</div></div><footer>주소: 서울 강남구</footer></body></html>",
        encoding="utf-8",
    )
    post = _one(page)
    assert post.title == "모태펀드 출자 공고"
    assert post.published == date(2024, 3, 2)
    assert "1월 모태펀드 출자 사업을 공고했다" in post.text
    assert "회사소개" not in post.text and "강남구" not in post.text


def test_pdf_and_hwpx_press_releases() -> None:
    pdf = _one(FIXTURES / "docs" / "mss-press-20251120-regional-hubs.pdf")
    assert pdf.title == "중기부, 지역 창업 거점 10곳 추가 지정"
    assert pdf.published == date(2025, 11, 20)
    assert "창업진흥원은 지정된 거점에 예비창업패키지 운영을 맡긴다." in pdf.text
    assert pdf.hashtags == ("지역창업", "창업거점")
    hwpx = _one(FIXTURES / "docs" / "semas-press-20251125-online-sales.hwpx")
    assert hwpx.title == "소상공인 온라인 판로 지원사업 참여기업 모집"
    assert hwpx.published == date(2025, 11, 25)
    assert "중소벤처기업부가 주관하고 소상공인시장진흥공단이 운영하는 이 사업은" in hwpx.text
    lines = hwpx.text.splitlines()
    assert lines.count("모집기간") == 1  # table cells once each, not once per nesting level


def test_fixtures_are_what_make_fixtures_writes(tmp_path: Path) -> None:
    from tests.fixtures.make_fixtures import (
        HWPX_PARAGRAPHS,
        HWPX_TABLE,
        HWPX_TITLE,
        PDF_LINES,
        PDF_TITLE,
        make_hwpx,
        make_pdf,
    )

    assert (
        make_pdf(PDF_LINES, PDF_TITLE)
        == (FIXTURES / "docs" / "mss-press-20251120-regional-hubs.pdf").read_bytes()
    )
    assert (
        make_hwpx(HWPX_PARAGRAPHS, HWPX_TABLE, HWPX_TITLE)
        == (FIXTURES / "docs" / "semas-press-20251125-online-sales.hwpx").read_bytes()
    )


def test_bad_documents_and_pages_get_one_clear_line_each(tmp_path: Path) -> None:
    from kg.ingest.documents import OLE_MAGIC

    page = (FIXTURES / "html" / "kstartup-news-20251215-youth-academy.html").read_bytes()
    (tmp_path / "truncated.html").write_bytes(page[: len(page) // 2])
    (tmp_path / "old.hwp").write_bytes(OLE_MAGIC + b"\x00" * 600)
    (tmp_path / "scan.pdf").write_bytes(
        b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF"
    )
    (tmp_path / "broken.hwpx").write_bytes(b"PK\x03\x04 this is not a zip")
    (tmp_path / "latin1.txt").write_bytes("Caf\xe9 r\xe9sum\xe9 na\xefve".encode("latin-1") * 20)
    big = tmp_path / "big.txt"
    with big.open("wb") as out:  # sparse: 50 MB on paper, refused before it is read
        out.truncate(50 * 1024 * 1024)
    (tmp_path / "index.html").write_text("<html><body><nav>메뉴</nav></body></html>", encoding="utf-8")
    (tmp_path / "notes.docx").write_bytes(b"PK")
    items = list(read_posts([tmp_path, tmp_path / "notes.docx"]))
    posts, errors = _split(items)
    assert posts == []
    reasons = {Path(e.source).name: e.reason for e in errors}
    assert reasons["truncated.html"].startswith("truncated HTML")
    assert reasons["old.hwp"].startswith("unsupported format: HWP 5")
    assert "no text layer" in reasons["scan.pdf"] or "broken PDF" in reasons["scan.pdf"]
    assert reasons["broken.hwpx"].startswith("broken HWPX")
    assert reasons["latin1.txt"].startswith("wrong encoding")
    assert reasons["big.txt"] == "too large (50.0 MB; the limit is 20 MB)"
    assert reasons["index.html"] == "no article text found on the page"
    assert reasons["notes.docx"] == "unsupported format .docx"
    assert len(errors) == len(reasons) == 8


def test_folders_are_read_recursively_and_stdin_is_json_lines(tmp_path: Path) -> None:
    import io

    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    (nested / "deep.md").write_text(
        "---\nid: deep\n---\n중소벤처기업부는 간담회를 열었다.\n", encoding="utf-8"
    )
    (tmp_path / "a" / "skip.png").write_bytes(b"\x89PNG")
    stream = io.BytesIO(
        b'{"id": "s1", "text": "\xec\xb0\xbd\xec\x97\x85\xec\xa7\x84\xed\x9d\xa5\xec\x9b\x90", "hashtags": ["x"]}\n'
        b"\n{broken\n"
    )
    items = list(read_posts([tmp_path, "-"], stdin=stream))
    posts, errors = _split(items)
    assert sorted(p.id for p in posts) == ["deep", "s1"]
    assert next(p for p in posts if p.id == "s1").hashtags == ("x",)
    assert [(e.source, e.reason.split(" (")[0]) for e in errors] == [("<stdin>:3", "malformed JSON")]
