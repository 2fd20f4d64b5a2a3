"""Bytes → text, with a clear reason when the bytes are not text."""

from __future__ import annotations

MAX_BYTES = 20 * 1024 * 1024  # a post is never this long; larger inputs are refused


class NotText(ValueError):
    """The input is empty, binary, too large or in no known encoding."""


def decode_bytes(data: bytes) -> str:
    """UTF-8 (with or without BOM), else CP949/EUC-KR, the legacy Korean encodings."""
    if len(data) > MAX_BYTES:
        raise NotText(f"too large ({len(data) / 1e6:.1f} MB; the limit is {MAX_BYTES // 2**20} MB)")
    if not data.strip():
        raise NotText("empty")
    if b"\x00" in data[:8192]:
        raise NotText("binary content (NUL bytes), not text")
    for encoding in ("utf-8-sig", "cp949"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _looks_binary(text):
            raise NotText("binary content, not text")
        return text
    raise NotText("not UTF-8 or CP949/EUC-KR text")


def _looks_binary(text: str) -> bool:
    sample = text[:4096]
    controls = sum(1 for c in sample if ord(c) < 32 and c not in "\n\r\t\f")
    return controls > max(8, len(sample) // 50)
