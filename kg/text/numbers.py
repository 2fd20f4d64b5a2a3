"""Quantities written with Korean magnitudes (`3억 원`, `1,200명`)."""

from __future__ import annotations

import re

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
