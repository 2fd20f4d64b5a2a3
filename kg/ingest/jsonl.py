"""JSON Lines: one post per line with `id`, `text` and optional metadata.

Other fields are ignored, so a gold file (../shared/corpus/gold/dev.jsonl) can be read.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kg.ingest.decode import NotText, decode_bytes
from kg.ingest.text import post_from_text
from kg.model import InputError, Post

META_FIELDS = ("title", "url", "published", "publisher", "licence", "license", "category")


def post_from_record(rec: Any, source: str) -> Post | InputError:
    if not isinstance(rec, dict):
        return InputError(source, "expected a JSON object with `id` and `text`")
    text = rec.get("text")
    if not isinstance(text, str) or not text.strip():
        return InputError(source, "missing or empty `text`")
    post_id = rec.get("id")
    if post_id is None or str(post_id).strip() == "":
        return InputError(source, "missing `id`")
    meta = {k: str(rec[k]) for k in META_FIELDS if rec.get(k) not in (None, "")}
    return post_from_text(str(post_id), text, source, meta)


def read_lines(lines: Iterator[str], name: str) -> Iterator[Post | InputError]:
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{name}:{n}"
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            yield InputError(where, f"not JSON ({exc.msg} at column {exc.colno})")
            continue
        yield post_from_record(rec, where)


def read_jsonl(path: Path) -> Iterator[Post | InputError]:
    try:
        text = decode_bytes(path.read_bytes())
    except NotText as exc:
        yield InputError(str(path), str(exc))
        return
    yield from read_lines(iter(text.splitlines()), str(path))
