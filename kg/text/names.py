"""Names: legal-form markers and the comparison key every identity goes through.

An IRI minted from `(사)한국소공인협회` and one minted from `한국소공인협회` are the same IRI.
"""

from __future__ import annotations

import re
import unicodedata

# Legal-form markers, longest first; the canonical name never carries them.
LEGAL_FORMS: dict[str, str] = {
    "사단법인": "사단법인",
    "재단법인": "재단법인",
    "주식회사": "주식회사",
    "유한회사": "유한회사",
    "(사단)": "사단법인",
    "(재단)": "재단법인",
    "(사)": "사단법인",
    "(재)": "재단법인",
    "(주)": "주식회사",
    "(유)": "유한회사",
    "㈜": "주식회사",
    "㈔": "사단법인",
    "㈕": "유한회사",
}
_LEGAL_RE = re.compile("|".join(re.escape(k) for k in sorted(LEGAL_FORMS, key=len, reverse=True)))
_KEY_DROP = re.compile(
    r"[\s'\"‘’“”「」『』<>《》〈〉·ㆍ・.,()\[\]{}/\\|:;!?~`@#$%^&*+=_\-△▲▽▼▷▶◁◀◇◆□■○●▪•◦※☆★]"
)


def split_legal_form(name: str) -> tuple[str, str | None]:
    """`(사)한국소공인협회` → (`한국소공인협회`, `사단법인`)."""
    found: str | None = None

    def _drop(m: re.Match[str]) -> str:
        nonlocal found
        found = found or LEGAL_FORMS[m.group(0)]
        return ""

    rest = _LEGAL_RE.sub(_drop, name)
    return " ".join(rest.split()), found


def name_key(name: str) -> str:
    """Comparison key for a name: NFKC, no legal form, no spaces or punctuation, lower case."""
    s = unicodedata.normalize("NFKC", name)
    s = _LEGAL_RE.sub("", s)
    s = _KEY_DROP.sub("", s)
    return s.lower()


def display_name(name: str) -> str:
    """Trim quotes, brackets and spaces that surround a name, collapse inner spaces."""
    name = " ".join(name.split())
    return name.strip(" '\"‘’“”「」『』<>《》〈〉,.")
