"""JSON Lines: one post per line with `id`, `text` and optional metadata.

Other fields are ignored, so a gold file (../shared/corpus/gold/dev.jsonl) can be read.
The stream is read line by line (a file or stdin of any length); each line is one input,
so a malformed line is reported as `file:line` and the others go on.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from kg.ingest.decode import MAX_BYTES, NotText, decode_bytes, too_large
from kg.ingest.text import post_from_text
from kg.model import InputError, Post

META_FIELDS = ("title", "url", "published", "publisher", "licence", "license", "category")
LIST_FIELDS = ("hashtags", "attachments")


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
    post = post_from_text(str(post_id), text, source, meta)
    extra: dict[str, tuple[str, ...]] = {}
    for name in LIST_FIELDS:
        values = rec.get(name)
        if isinstance(values, list):
            extra[name] = tuple(str(v) for v in values if str(v).strip())
    if not extra:
        return post
    from dataclasses import replace

    if "hashtags" in extra:
        extra["hashtags"] = tuple(dict.fromkeys((*extra["hashtags"], *post.hashtags)))
    return replace(post, **extra)  # type: ignore[arg-type]


def read_lines(lines: Iterable[bytes | str], name: str) -> Iterator[Post | InputError]:
    seen = False
    for n, raw in enumerate(lines, 1):
        where = f"{name}:{n}"
        if isinstance(raw, bytes):
            if len(raw) > MAX_BYTES:
                yield InputError(where, too_large(len(raw)))
                continue
            if not raw.strip():
                continue
            try:
                line = decode_bytes(raw)
            except NotText as exc:
                yield InputError(where, str(exc))
                continue
        else:
            line = raw
        if not line.strip():
            continue
        seen = True
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            yield InputError(where, f"malformed JSON ({exc.msg} at column {exc.colno})")
            continue
        except RecursionError:
            yield InputError(where, "malformed JSON (nested too deeply)")
            continue
        yield post_from_record(rec, where)
    if not seen:
        yield InputError(name, "empty: no JSON Lines records")


def _limited_lines(stream: IO[bytes]) -> Iterator[bytes]:
    """Lines of a stream; a line over the limit is yielded cut (and so refused), never held whole."""
    while True:
        line = stream.readline(MAX_BYTES + 1)
        if not line:
            return
        if len(line) > MAX_BYTES and not line.endswith(b"\n"):
            while True:  # skip the rest of the oversized line
                more = stream.readline(1 << 20)
                if not more or more.endswith(b"\n"):
                    break
        yield line


def read_stream(stream: IO[bytes], name: str) -> Iterator[Post | InputError]:
    """JSON Lines from a binary stream (stdin), one line at a time."""
    yield from read_lines(_limited_lines(stream), name)


def read_jsonl(path: Path) -> Iterator[Post | InputError]:
    with path.open("rb") as stream:
        yield from read_stream(stream, str(path))
