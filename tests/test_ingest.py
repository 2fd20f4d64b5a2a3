"""Reading posts: formats, metadata from the text, and one clear error per bad input."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from kg.ingest import read_posts
from kg.model import InputError, Post

from .conftest import FOUNDING_POST, need_shared


def _split(items: list) -> tuple[list[Post], list[InputError]]:
    return [i for i in items if isinstance(i, Post)], [i for i in items if isinstance(i, InputError)]


def test_founding_post_metadata() -> None:
    need_shared()
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
    assert "binary" in reasons["binary.txt"]
    assert reasons["posts.jsonl:2"].startswith("not JSON")
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
