"""「前回版からの変更点」 in words a reader knows: titles, place names and column labels.

The run records what changed as lines for the log (``japan_trade kg/2024: exports 44512 →
44513``); a page must not show a dataset id, a place code or a column name.  Each line is
rewritten with the names the plan carries (:attr:`PackPlan.names`):
「日本の対中央アジア貿易推移（国別） キルギス・2024年：輸出額 44,512 → 44,513」.
Standard library only.
"""

from __future__ import annotations

import csv
import re
from decimal import Decimal, InvalidOperation
from typing import Any

PARTS = {
    "first build": "初回の作成",
    "style changed": "体裁（スタイル）の変更",
    "fonts changed": "フォントの変更",
    "version changed": "プログラムの更新",
    "code changed": "プログラムの更新",
    "options changed": "印刷設定の変更",
    "plan changed (prose or composition)": "本文または構成の変更",
}
LINE = re.compile(r"^(?P<dataset>\S+) (?P<key>\S+): (?P<rest>.*)$")


def in_words(lines: list[str], names: dict[str, Any], negative: str = "△") -> list[str]:
    """Change lines → Japanese lines without internal names (unknown lines: a generic one)."""
    out: list[str] = []
    for line in lines:
        text = _line(line, names, negative)
        if text not in out:
            out.append(text)
    return out


def _line(line: str, names: dict[str, Any], negative: str) -> str:
    if line in PARTS:
        return PARTS[line]
    match = LINE.match(line)
    datasets = names.get("datasets", {})
    if not match or match["dataset"] not in datasets:
        return "データまたは体裁の変更"
    meta = datasets[match["dataset"]]
    where = _key(match["key"], meta, names.get("places", {}))
    rest = match["rest"]
    added = re.match(r"^(added|removed) \((.*)\)$", rest)
    if added:
        verb = "追加" if added[1] == "added" else "削除"
        return f"{meta['title']} {where}：行の{verb}"
    return f"{meta['title']} {where}：{_cells(rest, meta, negative)}"


def _key(key: str, meta: dict[str, Any], places: dict[str, str]) -> str:
    """``kg/2024`` → キルギス・2024年 (the key's place, year and other parts in order)."""
    parts = key.split("/")
    columns: list[str] = meta.get("key", [])
    types: dict[str, str] = meta.get("types", {})
    shown = []
    for name, value in zip(columns, parts, strict=False):
        kind = types.get(name)
        if kind == "place":
            shown.append(places.get(value, "（地域）"))
        elif kind == "year" and value.isdigit():
            shown.append(f"{value}年")
        elif kind == "text":
            shown.append(value)
    return "・".join(shown)


def _cells(rest: str, meta: dict[str, Any], negative: str) -> str:
    """``exports 44512 → 44513, balance 42710 → 42711`` → 輸出額 44,512 → 44,513、…"""
    labels: dict[str, str] = meta.get("columns", {})
    if not labels:
        return "値の変更"
    pattern = re.compile(
        r"(?:^|, )(" + "|".join(re.escape(n) for n in sorted(labels, key=len, reverse=True)) + ") "
    )
    starts = list(pattern.finditer(rest))
    if not starts or starts[0].start() != 0:
        return "値の変更"
    pieces = []
    for i, m in enumerate(starts):
        end = starts[i + 1].start() if i + 1 < len(starts) else len(rest)
        before, _, after = rest[m.end() : end].partition(" → ")
        pieces.append(f"{labels[m[1]]} {_value(before, negative)} → {_value(after, negative)}")
    return "、".join(pieces)


def _value(text: str, negative: str) -> str:
    """A cell as the pack prints numbers (44,512; △1,234); other text as it is."""
    text = text.strip()
    if text in ("", "—"):
        return "—"
    try:
        number = Decimal(text)
    except InvalidOperation:
        return next(csv.reader([text]), [text])[0] if text.startswith('"') else text
    sign = negative if number < 0 else ""
    return f"{sign}{abs(number):,}"
