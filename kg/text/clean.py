"""Clean text once: line ends, odd spaces, zero-width and control characters, page chrome."""

from __future__ import annotations

import re
from functools import lru_cache

from kg.resources import DATA_DIR

_SPACES = re.compile(r"[\u00a0\u2000-\u200a\u202f\u205f\u3000]")
_ZERO_WIDTH = re.compile(r"[\u200b-\u200d\u2060\ufeff]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(text: str) -> str:
    """Normalise line ends, odd spaces, zero-width and control characters.

    Full-width ASCII becomes ASCII (ＡＢＣ→ABC, （→( ). Hangul is left as written:
    NFKC would turn the compatibility jamo `ㆍ` into a combining vowel.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _ZERO_WIDTH.sub("", text)
    text = _SPACES.sub(" ", text)
    text = _CONTROL.sub(" ", text)
    return text.translate(_FULLWIDTH)


_FULLWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}


@lru_cache(maxsize=1)
def _chrome_patterns() -> list[re.Pattern[str]]:
    path = DATA_DIR / "patterns" / "chrome.txt"
    lines = path.read_text(encoding="utf-8").splitlines()
    return [re.compile(line) for line in lines if line.strip() and not line.startswith("#")]


_BYLINE = re.compile(
    r"^\s*[\[(【][^\]\)】\n]{1,20}=[^\]\)】\n]{1,20}[\])】]\s*(?:[가-힣]{2,4}\s*(?:기자|특파원)\s*=?\s*)?"
)


def strip_chrome(text: str) -> str:
    """Drop page chrome of scraped posts: skip links, counters, licence footers, `TOP`.

    A line is chrome when one of the patterns in data/patterns/chrome.txt matches it
    whole (after trimming); a news byline (`[서울=뉴시스] 홍길동 기자 =`) opening a line is
    cut from it. Runs of blank lines collapse to one blank line.
    """
    out: list[str] = []
    blank = False
    for line in text.split("\n"):
        line = _BYLINE.sub("", line)
        stripped = line.strip(" \t•·▪-")
        if stripped and any(p.fullmatch(stripped) for p in _chrome_patterns()):
            continue
        if not line.strip():
            if blank or not out:
                continue
            blank = True
            out.append("")
            continue
        blank = False
        out.append(line.rstrip())
    while out and not out[-1]:
        out.pop()
    return "\n".join(out)
