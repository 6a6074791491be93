"""Formatting: values and dates → the strings a Japanese reader expects (1,234 / △1,234 / —)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

ERAS = [
    (dt.date(2019, 5, 1), "令和"),
    (dt.date(1989, 1, 8), "平成"),
    (dt.date(1926, 12, 25), "昭和"),
    (dt.date(1912, 7, 30), "大正"),
    (dt.date(1868, 10, 23), "明治"),  # --date goes back to 1900
]


def format_number(
    value: int | Decimal | None, negative_prefix: str = "△", missing: str = "—"
) -> str:
    """Half-width digits with thousands separators, the published decimals kept."""
    if value is None:
        return missing
    sign = negative_prefix if value < 0 else ""
    return f"{sign}{abs(value):,}"


def format_as_of(as_of: str) -> str:
    """``2024`` → 2024年, ``2025-09`` → 2025年9月, ``2025-09-01`` → 2025年9月1日."""
    parts = [int(p) for p in as_of.split("-")]
    return "".join(f"{n}{unit}" for n, unit in zip(parts, ("年", "月", "日"), strict=False))


def wareki_year(date: dt.date) -> str:
    for start, era in ERAS:
        if date >= start:
            n = date.year - start.year + 1
            return f"{era}{'元' if n == 1 else n}年"
    return ""


def format_date(date: dt.date, wareki: bool = False, with_day: bool = True) -> str:
    """2026年12月1日, or 2026年12月1日（令和8年） with the Japanese era."""
    text = f"{date.year}年{date.month}月" + (f"{date.day}日" if with_day else "")
    return f"{text}（{wareki_year(date)}）" if wareki else text


def latest(dates: list[str]) -> str:
    """The latest of YYYY / YYYY-MM / YYYY-MM-DD strings (a bare year counts as its end)."""

    def key(s: str) -> tuple[int, int, int]:
        year, month, day = ([int(p) for p in s.split("-")] + [12, 31][len(s.split("-")) - 1 :])[:3]
        return year, month, day

    return max(dates, key=key)
