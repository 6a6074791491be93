"""Formatting: values and dates → the strings a Japanese reader expects (1,234 / △1,234 / —)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal

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


# Japanese magnitudes a unit or a declared scale may start with (「1,000ドル」「10億ドル」「万人」).
MAGNITUDES = {"千": 10**3, "万": 10**4, "百万": 10**6, "億": 10**8, "兆": 10**12}
_UNIT = re.compile(r"^([0-9][0-9,]*)?(百万|千|万|億|兆)?(.*)$")


def unit_parts(unit: str) -> tuple[int, str]:
    """A unit's multiplier and noun: ``1,000ドル`` → (1000, ドル), ``万人`` → (10000, 人)."""
    match = _UNIT.match(unit.strip())
    assert match is not None  # the pattern matches any text
    digits, magnitude, noun = match.groups()
    multiplier = int(digits.replace(",", "")) if digits else 1
    return multiplier * MAGNITUDES.get(magnitude or "", 1), noun


def scaled_unit(unit: str, scale: str) -> str:
    """The unit a declared scale prints: ``1,000ドル`` at scale ``億`` → 億ドル."""
    return f"{scale}{unit_parts(unit)[1]}"


def scale_factor(unit: str, scale: str) -> Decimal:
    """What a value in ``unit`` is multiplied by to be shown at ``scale``: 1,000ドル → 億: 1e-5."""
    return Decimal(unit_parts(unit)[0]) / Decimal(unit_parts(scale)[0])


def format_value(
    value: int | Decimal | float | None,
    decimals: int | None = None,
    factor: Decimal | None = None,
    negative_prefix: str = "△",
    missing: str = "—",
) -> str:
    """A value in a column's declared format: scaled by ``factor``, rounded to ``decimals``.

    Without a declared format the value is printed as published (its own decimals kept).
    Rounding is half up, as statistics offices round; a value that rounds to zero has no sign.
    """
    if value is None:
        return missing
    if decimals is None and factor is None:
        if isinstance(value, float):
            value = Decimal(repr(value))
        return format_number(value, negative_prefix, missing)  # type: ignore[arg-type]
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if factor is not None:
        number *= factor
    places = 0 if decimals is None else decimals
    rounded = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    if rounded == 0:
        rounded = abs(rounded)
    return format_number(rounded, negative_prefix, missing)


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
