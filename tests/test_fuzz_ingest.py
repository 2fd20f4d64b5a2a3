"""Fuzz: random bytes and random Korean text through ingest and extract. No crash, no hang:
every input is either ingested or reported. Bounded examples and deadlines keep it to seconds."""

from __future__ import annotations

import io
import tempfile
import zipfile
from datetime import timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.build.pipeline import ingest
from kg.ingest import READERS, read_posts
from kg.model import Extraction, InputError, Post
from kg.store import open_store

FUZZ = settings(
    max_examples=40,
    deadline=timedelta(seconds=5),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)
SUFFIXES = sorted(READERS)
HANGUL = st.characters(min_codepoint=0xAC00, max_codepoint=0xD7A3)
KOREAN_TEXT = st.text(
    alphabet=st.one_of(
        HANGUL, st.sampled_from(list(" \n\t.,·「」“”()[]#:-0123456789년월일ㅇ□○-–—\u3000\u200b\ufeff<>&/"))
    ),
    max_size=400,
)
PREFIXES = [
    b"",
    b"%PDF-1.4\n",
    b"<html><body>",
    b"PK\x03\x04",
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
    b'{"data": [',
    b"---\n",
]


def _read_one(data: bytes, suffix: str) -> list[Post | InputError]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"input{suffix}"
        path.write_bytes(data)
        items = list(read_posts([path]))
    assert items, "an input must be either ingested or reported"
    for item in items:
        assert isinstance(item, Post | InputError)
        if isinstance(item, InputError):
            assert item.source.startswith(str(path)) and item.reason
            assert "Traceback" not in item.reason
    return items


@FUZZ
@given(prefix=st.sampled_from(PREFIXES), data=st.binary(max_size=2048), suffix=st.sampled_from(SUFFIXES))
def test_random_bytes_in_any_format(prefix: bytes, data: bytes, suffix: str) -> None:
    _read_one(prefix + data, suffix)


@FUZZ
@given(
    text=KOREAN_TEXT,
    suffix=st.sampled_from([".txt", ".md", ".html"]),
    encoding=st.sampled_from(["utf-8", "cp949", "utf-16"]),
)
def test_random_korean_text_is_read_and_extracted(extractor, text: str, suffix: str, encoding: str) -> None:
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        data = text.encode("utf-8")
    for item in _read_one(data, suffix):
        if isinstance(item, Post):
            # a post that was read is valid input: it must extract without an error
            result = extractor.safe_extract(item)
            assert isinstance(result, Extraction), str(result)


@FUZZ
@given(paragraphs=st.lists(KOREAN_TEXT, min_size=1, max_size=4), broken=st.booleans())
def test_random_hwpx_sections(paragraphs: list[str], broken: bool) -> None:
    from xml.sax.saxutils import escape

    body = "".join(f"<hp:p><hp:run><hp:t>{escape(p)}</hp:t></hp:run></hp:p>" for p in paragraphs)
    xml = f'<hs:sec xmlns:hs="urn:s" xmlns:hp="urn:p">{body}</hs:sec>'
    if broken:
        xml = xml[: len(xml) // 2]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("mimetype", "application/hwp+zip")
        package.writestr("Contents/section0.xml", xml)
    _read_one(buffer.getvalue(), ".hwpx")


@FUZZ
@given(
    lines=st.lists(
        st.one_of(KOREAN_TEXT, st.binary(max_size=80).map(lambda b: b.decode("latin-1"))), max_size=6
    )
)
def test_random_json_lines_through_the_whole_ingest(extractor, lines: list[str]) -> None:
    import json

    records = [
        json.dumps({"id": f"p{i}", "text": line}, ensure_ascii=False) if i % 2 else line
        for i, line in enumerate(lines)
    ]
    data = "\n".join(records).encode("utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "stream.jsonl"
        path.write_bytes(data)
        items = list(read_posts([path]))
        store = open_store("memory")
        report = ingest(store, read_posts([path]), lambda posts: extractor.pipe(posts))
    posts = [i for i in items if isinstance(i, Post)]
    rejected = [i for i in items if isinstance(i, InputError)]
    # the lines the reader refuses are the errors, named by line; every post read is written
    # (or skipped as the same text as an earlier one), none fails in extraction
    assert report.failed == len(rejected)
    assert [e.source for e in report.errors] == [e.source for e in rejected]
    assert report.read == len(posts) and report.written + report.skipped == len(posts)
