"""Korean dates as posts write them (`2025. 12. 1.(월)`, `12월 1일`, `지난 6일`), resolved against a reference date."""

from __future__ import annotations

import re
from datetime import date

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
