"""Plain-text and Markdown posts, with an optional `key: value` front-matter block.

Scraped portal pages carry their metadata in the text itself: a `최초작성일 2025-12-03`
line, the title on the line before it, the publisher in the 공공누리 footer. Those are
read here, before extraction strips the chrome.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

from kg.ingest.decode import NotText, decode_bytes, read_limited
from kg.model import InputError, Post
from kg.text.clean import clean_text
from kg.text.dates import parse_date

_FRONT = re.compile(r"\A---[ \t]*\n(?P<head>.*?)\n---[ \t]*\n", re.S)
_DATE_LINE = re.compile(
    r"(?:최초\s*작성일|작성일|등록일|게시일|배포일|보도일)\s*[:：]?\s*(?P<d>\d{4}[.\-/]\s*\d{1,2}[.\-/]\s*\d{1,2})"
)
_NAME_DATE = re.compile(r"(?<!\d)(20\d{2})(\d{2})(\d{2})(?!\d)")
_KOGL = re.compile(r"공공누리[\"'”’」]?\s*(?:제\s*)?(?P<n>[1-4])\s*유형|공공누리\s*제(?P<m>[1-4])유형")
_PUBLISHER = re.compile(r"본\s*저작물은\s*(?P<p>[^\s].{1,60}?)(?:이|가)\s*(?:게시|작성|공개)한")
_HASHTAG = re.compile(r"(?<![\w&])#([0-9A-Za-z가-힣_]+)")
_BULLET = re.compile(r"^[\s•·▪■□○●◦\-*>#]+")

KOGL_NAMES = {
    "1": "KOGL Type 1 (공공누리 제1유형: 출처표시)",
    "2": "KOGL Type 2 (공공누리 제2유형: 출처표시-상업적이용금지)",
    "3": "KOGL Type 3 (공공누리 제3유형: 출처표시-변경금지)",
    "4": "KOGL Type 4 (공공누리 제4유형: 출처표시-상업적이용금지-변경금지)",
}


def find_kogl(text: str) -> str | None:
    """The KOGL (공공누리) type number a page's licence footer names, if any."""
    m = _KOGL.search(text)
    return (m.group("n") or m.group("m")) if m else None


def find_publisher(text: str) -> str | None:
    """The publisher a 공공누리 footer names (`본 저작물은 X에서 작성한 …`)."""
    m = _PUBLISHER.search(text)
    return m.group("p").strip() if m else None


def find_hashtags(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(_HASHTAG.findall(text)))


def parse_front_matter(text: str) -> tuple[dict[str, str], str]:
    m = _FRONT.match(text)
    if not m:
        return {}, text
    meta: dict[str, str] = {}
    for line in m.group("head").splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip():
            meta[key.strip().lower()] = value.strip()
    return meta, text[m.end() :]


def _guess_title(lines: list[str], date_index: int | None) -> str | None:
    if date_index is not None:
        for line in reversed(lines[:date_index]):
            stripped = _BULLET.sub("", line).strip()
            if stripped:
                return stripped[:200]
    for line in lines[:5]:
        stripped = _BULLET.sub("", line).strip()
        if 8 <= len(stripped) <= 120 and not stripped.endswith(("다.", "다")):
            return stripped
    return None


def post_from_text(post_id: str, raw: str, source: str, meta: dict[str, str] | None = None) -> Post:
    """Build a Post from text plus whatever metadata the text itself carries."""
    text = clean_text(raw)
    front, body = parse_front_matter(text)
    meta = {**(meta or {}), **front}
    lines = body.split("\n")
    head = lines[:40]
    date_index = next((i for i, line in enumerate(head) if _DATE_LINE.search(line)), None)
    published: date | None = None
    if meta.get("published"):
        published = parse_date(meta["published"])
    if published is None and date_index is not None:
        m = _DATE_LINE.search(head[date_index])
        published = parse_date(m.group("d")) if m else None
    if published is None:
        m2 = _NAME_DATE.search(post_id)
        if m2:
            published = parse_date("-".join(m2.groups()))
    licence = meta.get("licence") or meta.get("license")
    kogl = find_kogl(body)
    if not licence and kogl:
        licence = KOGL_NAMES[kogl]
    publisher = meta.get("publisher") or find_publisher(body)
    tags = find_hashtags(body)
    return Post(
        id=meta.get("id") or post_id,
        text=body,
        title=meta.get("title") or _guess_title(lines, date_index),
        url=meta.get("url") or None,
        published=published,
        publisher=publisher,
        licence=licence,
        category=meta.get("category") or None,
        source=source,
        hashtags=tags,
    )


def read_text_file(path: Path) -> Iterator[Post | InputError]:
    try:
        raw = decode_bytes(read_limited(path))
    except NotText as exc:
        yield InputError(str(path), str(exc))
        return
    post = post_from_text(path.stem, raw, str(path))
    if not post.text.strip():
        yield InputError(str(path), "no text after the front matter")
        return
    yield post
