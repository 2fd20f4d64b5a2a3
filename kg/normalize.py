"""Clean values once: text, names, legal forms, Korean dates.

Everything that compares or identifies names goes through `name_key`, so an IRI minted
from `(사)한국소공인협회` and one minted from `한국소공인협회` are the same IRI.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from functools import lru_cache

from kg.resources import DATA_DIR

# --- text -----------------------------------------------------------------------------

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


# --- names ----------------------------------------------------------------------------

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
_KEY_DROP = re.compile(r"[\s'\"‘’“”「」『』<>《》〈〉·ㆍ・.,()\[\]{}/\\|:;!?~`@#$%^&*+=_-]")


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


# --- dates ----------------------------------------------------------------------------

_WEEKDAYS = "월화수목금토일"
_WD = r"(?:\s*\(\s*(?P<wd>[월화수목금토일])(?:요일)?\s*\))?"

# Ordered: the first pattern that matches at a position wins.
_DATE_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (
        "ymd",
        re.compile(
            r"(?<!\d)(?P<y>(?:19|20)\d{2})\s*(?:년\s*|[.\-/]\s*)(?P<m>1[0-2]|0?[1-9])\s*(?:월\s*|[.\-/]\s*)"
            r"(?P<d>3[01]|[12]\d|0?[1-9])(?!\d)\s*(?:일|\.)?" + _WD
        ),
    ),
    (
        "yy",
        re.compile(
            r"['’‘`](?P<yy>\d{2})\s*[.\-/]\s*(?P<m>1[0-2]|0?[1-9])\s*[.\-/]\s*"
            r"(?P<d>3[01]|[12]\d|0?[1-9])(?!\d)\.?" + _WD
        ),
    ),
    (
        "md",
        re.compile(r"(?<![\d.])(?P<m>1[0-2]|0?[1-9])\s*월\s*(?P<d>3[01]|[12]\d|0?[1-9])\s*일" + _WD),
    ),
    (
        "m.d일",
        re.compile(r"(?<![\d.])(?P<m>1[0-2]|0?[1-9])\s*\.\s*(?P<d>3[01]|[12]\d|0?[1-9])\s*일" + _WD),
    ),
    (
        "d",
        re.compile(
            r"(?:(?P<rel>지난\s*달|지난|오는|이번\s*달|이달|다음\s*달|내달)\s*)?(?<![\d.월])(?P<d>3[01]|[12]\d|0?[1-9])\s*일"
            r"(?![간반차자수])" + _WD
        ),
    ),
]


def _safe_date(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _pick(cands: list[date], ref: date, wd: str | None, rel: str | None = None) -> date | None:
    cands = [c for c in cands if c is not None]
    if rel == "지난":
        cands = [c for c in cands if c <= ref]
    elif rel == "오는":
        cands = [c for c in cands if c >= ref]
    if wd:
        matching = [c for c in cands if _WEEKDAYS[c.weekday()] == wd]
        cands = matching or cands
    if not cands:
        return None
    return min(cands, key=lambda c: abs((c - ref).days))


def resolve_date_match(kind: str, m: re.Match[str], ref: date | None) -> date | None:
    """Turn one match of a date pattern into a date, using `ref` (publication date)."""
    g = m.groupdict()
    wd = g.get("wd")
    if kind == "ymd":
        return _safe_date(int(g["y"]), int(g["m"]), int(g["d"]))
    if kind == "yy":
        return _safe_date(2000 + int(g["yy"]), int(g["m"]), int(g["d"]))
    if ref is None:
        return None
    if kind in ("md", "m.d일"):
        mo, d = int(g["m"]), int(g["d"])
        years = (ref.year - 1, ref.year, ref.year + 1)
        return _pick([c for y in years if (c := _safe_date(y, mo, d)) is not None], ref, wd)
    if kind == "d":
        d = int(g["d"])
        cands = []
        rel_month = (g.get("rel") or "").replace(" ", "")
        deltas: tuple[int, ...] = (-1, 0, 1)
        if rel_month == "지난달":
            deltas = (-1,)
        elif rel_month in ("이번달", "이달"):
            deltas = (0,)
        elif rel_month in ("다음달", "내달"):
            deltas = (1,)
        for delta in deltas:
            month_index = ref.year * 12 + ref.month - 1 + delta
            c = _safe_date(month_index // 12, month_index % 12 + 1, d)
            if c:
                cands.append(c)
        rel = g.get("rel")
        rel = "지난" if rel == "지난" else ("오는" if rel == "오는" else None)
        return _pick(cands, ref, wd, rel)
    return None


def find_dates(text: str, ref: date | None) -> list[tuple[int, int, date]]:
    """Every date expression in `text` resolved against `ref`: (start, end, date).

    Handles `2025. 12. 1.(월)`, `2025년 12월 1일`, `'22.11.13.`, `12월 1일(월)`,
    `10.15일(수)`, `16일(목)`, `지난 8일`, `오는 3일`. A weekday in brackets picks among
    candidate months or years. Later patterns never match inside an earlier match.
    """
    taken: list[tuple[int, int]] = []
    found: list[tuple[int, int, date]] = []
    for kind, pattern in _DATE_PATTERNS:
        for m in pattern.finditer(text):
            s, e = m.span()
            if any(s < te and ts < e for ts, te in taken):
                continue
            value = resolve_date_match(kind, m, ref)
            if value is None:
                continue
            taken.append((s, e))
            found.append((s, e, value))
    found.sort()
    return found


def parse_date(value: str, ref: date | None = None) -> date | None:
    """The first date in `value` (ISO strings included), or None."""
    value = value.strip()
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        pass
    hits = find_dates(value, ref)
    return hits[0][2] if hits else None


# --- quantities ---------------------------------------------------------------------------

_MAGNITUDE = {"십": 10, "백": 100, "천": 1000, "만": 10_000, "억": 100_000_000, "조": 1_000_000_000_000}
_QUANTITY = re.compile(
    r"(?<![\d.])(?P<num>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s*(?P<mag>천|만|억|조)?\s*"
    r"(?P<unit>%|퍼센트|원|달러|명|개사|개소|개|곳|건|팀|배|톤|㎡|시간|개월)(?![가-힣])"
)


def find_quantities(text: str) -> list[tuple[int, int, float, str]]:
    """Numbers with a unit: `54.6만 개사` → 546000 개사, `20억 원` → 2000000000 원, `88.5%`."""
    out = []
    for m in _QUANTITY.finditer(text):
        number = float(m.group("num").replace(",", ""))
        number *= _MAGNITUDE.get(m.group("mag") or "", 1)
        unit = m.group("unit").replace("퍼센트", "%")
        out.append((m.start(), m.end(), number, unit))
    return out
