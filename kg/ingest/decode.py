"""Bytes → text, with a clear reason when the bytes are not text.

Korean public-sector pages and files still come in the legacy encodings CP949 (a superset
of EUC-KR) as often as in UTF-8. Strict UTF-8 almost never accepts CP949 bytes, so trying
UTF-8 first and CP949 second is reliable; a declared charset (HTML `<meta charset>`, HTTP
`Content-Type`) is tried before both. Anything else is refused rather than guessed into
mojibake: charset-normalizer only names what the bytes look like, for the error line.
"""

from __future__ import annotations

import codecs
import unicodedata
from pathlib import Path

MAX_BYTES = 20 * 1024 * 1024  # a post is never this long; larger inputs are refused unread
KOREAN_LEGACY = "cp949"  # superset of EUC-KR (KS X 1001) with the 8,822 extra Hangul syllables
_ALIASES = {
    "euc-kr": KOREAN_LEGACY,
    "euc_kr": KOREAN_LEGACY,
    "ks_c_5601-1987": KOREAN_LEGACY,
    "x-windows-949": KOREAN_LEGACY,
}
# a text in a legacy encoding with a few damaged bytes is still read, with U+FFFD there
_MAX_DAMAGE = 0.002
# share of characters a real text (Korean, English, Hanja, the usual symbols) hardly has
_MAX_STRANGE = 0.05
_SCRIPTS = ("LATIN", "HANGUL", "CJK", "FULLWIDTH", "HALFWIDTH", "GREEK", "CYRILLIC")


class NotText(ValueError):
    """The input is empty, binary, too large or in no known encoding."""


def too_large(size: int, limit: int = MAX_BYTES, more: bool = False) -> str:
    """`too large (21.0 MB; the limit is 20 MB)`: MB are MiB here, as everywhere kg states a limit.
    `more`: the size is where reading stopped, not the whole."""
    if more:
        return f"too large (over the {limit / 2**20:.0f} MB limit)"
    return f"too large ({size / 2**20:.1f} MB; the limit is {limit / 2**20:.0f} MB)"


def read_limited(path: Path, limit: int = MAX_BYTES) -> bytes:
    """The file's bytes, refusing a file over the limit before reading it."""
    size = path.stat().st_size
    if size > limit:
        raise NotText(too_large(size, limit))
    return path.read_bytes()


def normalise_charset(name: str | None) -> str | None:
    """A Python codec name for a declared charset, or None when Python knows no such codec."""
    if not name:
        return None
    name = name.strip().strip("'\"").lower()
    name = _ALIASES.get(name, name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode_bytes(data: bytes, declared: str | None = None) -> str:
    """UTF-8 (with or without BOM), UTF-16 with a BOM, else CP949/EUC-KR."""
    if len(data) > MAX_BYTES:
        raise NotText(too_large(len(data)))
    if not data.strip():
        raise NotText("empty")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise NotText("broken UTF-16 text") from None
        # any even run of bytes decodes as UTF-16: junk after a byte-order mark becomes
        # characters of a dozen scripts, unassigned and private-use code points
        strange = _strange_share(text)
        if strange > _MAX_STRANGE:
            raise NotText(
                f"not text: {strange:.0%} of the characters after the UTF-16 byte-order mark are "
                "unassigned, private-use or of scripts Korean news does not use"
            )
        return _checked(text)
    if b"\x00" in data[:8192]:
        raise NotText("binary content (NUL bytes), not text")
    # strict UTF-8 first even when another charset is declared: bytes in a legacy encoding
    # are practically never valid UTF-8, while wrong declarations are common
    candidates = ["utf-8-sig", KOREAN_LEGACY]
    codec = normalise_charset(declared)
    if codec and codec not in ("utf-8", "utf-8-sig", KOREAN_LEGACY):
        candidates.insert(1, codec)
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return _checked(text)
    # mostly CP949 with a damaged byte or two (a truncated download, a bad copy)
    text = data.decode(KOREAN_LEGACY, errors="replace")
    damaged = text.count("\ufffd")
    if damaged <= max(1, int(len(text) * _MAX_DAMAGE)) and _has_hangul(text):
        return _checked(text)
    raise NotText(f"wrong encoding: not UTF-8 or CP949/EUC-KR text{_guess(data)}")


def _checked(text: str) -> str:
    if _looks_binary(text):
        raise NotText("binary content, not text")
    if not text.strip():
        raise NotText("empty")
    return text


def _strange_share(text: str) -> float:
    """Share of characters that are unassigned, private-use, surrogates or letters of
    scripts other than Latin, Hangul, Han, Greek and Cyrillic (a sample of the text)."""
    sample = [c for c in text[:20000] if not c.isspace()]
    if not sample:
        return 0.0
    strange = 0
    for c in sample:
        category = unicodedata.category(c)
        if category in ("Cn", "Co", "Cs") or (
            category.startswith("L") and not unicodedata.name(c, "").startswith(_SCRIPTS)
        ):
            strange += 1
    return strange / len(sample)


def _has_hangul(text: str) -> bool:
    return any("\uac00" <= c <= "\ud7a3" for c in text[:20000])


def _guess(data: bytes) -> str:
    """`(looks like …)` from charset-normalizer, to make the error line useful."""
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data[:65536]).best()
    except Exception:  # the guess is a courtesy; never fail on it
        return ""
    return f" (looks like {best.encoding})" if best is not None else " (looks binary)"


def _looks_binary(text: str) -> bool:
    sample = text[:4096]
    controls = sum(1 for c in sample if ord(c) < 32 and c not in "\n\r\t\f")
    return controls > max(8, len(sample) // 50)
