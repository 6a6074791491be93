"""Chart blocks: dataset rows → the data a chart draws, its title, and the chart in words."""

from __future__ import annotations

from typing import Any

from ...datalayer import Dataset, Row
from ...formatting import MAGNITUDES, scale_factor, scaled_unit, unit_parts
from ..model import Block, ChartItem, Heading
from ..reads import time_column
from . import Context, as_number, block, year_notes

# Beyond this many units a value axis is labelled in a larger unit (万人, 億ドル).
READABLE_LIMIT = 100_000

KIND_NAMES = {
    "line": "折れ線グラフ",
    "bar": "棒グラフ",
    "barh": "横棒グラフ",
    "balance": "棒グラフ",
}


def _value(row: Row, column: str) -> float | None:
    return None if row[column] is None else as_number(row[column])


@block(
    "chart", {"dataset", "kind", "x", "y", "series", "category", "title", "size", "bars", "line"}
)
def chart(spec: dict[str, Any], ctx: Context) -> Block | None:
    dataset = ctx.reads.dataset(spec["dataset"])
    rows = ctx.select(spec)
    if not rows:
        return None
    kind = spec.get("kind", "line")
    data, texts = _chart_data(kind, spec, rows, ctx)
    highlight = ctx.highlight(spec)
    ycol = time_column(dataset)
    years = {r[ycol] for r in rows if ycol and r[ycol] is not None}
    if kind in ("bar", "barh") and len(data["bars"]) < 2 and not highlight:
        ctx.log.append(f"left out: chart {spec.get('title', dataset.title)}: a single bar")
        return None
    notes = year_notes(ctx, dataset, rows)
    caption = ctx.caption(dataset, rows, notes)
    title = ctx.fill(spec.get("title") or dataset.title, years or None)
    value_columns = _value_columns(kind, spec)
    unit = ctx.unit(dataset, value_columns[0]) or ""
    data["axis"] = axis_unit(dataset, value_columns[0], _drawn_values(kind, data), unit)
    item = ChartItem(
        kind,
        data,
        unit,
        spec.get("size", "full"),
        highlight,
        describe(kind, title, unit, data, texts),
    )
    return Block("chart", (Heading(title), item, *caption))


def _value_columns(kind: str, spec: dict[str, Any]) -> list[str]:
    if kind == "balance":
        return [*spec["bars"], spec["line"]]
    return [spec.get("y", "value")]


def _drawn_values(kind: str, data: dict) -> list[float]:
    if kind == "line":
        values = [v for points in data["lines"].values() for _, v in points]
    elif kind == "balance":
        values = [v for vs in [*data["bars"].values(), *data["line"].values()] for v in vs]
    else:
        values = [bar[1] for bar in data["bars"]]
    return [v for v in values if v is not None]


def axis_unit(dataset: Dataset, column: str, values: list[float], unit: str) -> dict[str, Any]:
    """The unit the value axis is labelled in, and the factor from the data's unit to it.

    A declared scale is the axis unit too (table, labels and axis agree).  Otherwise an axis
    whose figures would run past 100,000 is labelled in the largest Japanese magnitude that
    keeps them at 10 or more: population in 万人, 1,000ドル figures in 億ドル or 100万ドル.
    """
    col = dataset.column(column)
    if col is not None and col.scale:
        base = col.unit or dataset.unit or ""
        factor = scale_factor(base, col.scale)
        return {"unit": unit, "factor": str(factor)}
    largest = max((abs(v) for v in values), default=0.0)
    multiplier, noun = unit_parts(unit) if unit else (1, "")
    if noun and largest >= READABLE_LIMIT:
        for name in ("兆", "億", "万"):
            shown = largest * multiplier / MAGNITUDES[name]
            if shown >= 10:
                if name == "万" and shown >= 10_000:
                    name = "100万"  # not 12,783万ドル but 127.8（100万ドル）, as the seeds
                factor = scale_factor(unit, name)
                return {"unit": scaled_unit(unit, name), "factor": str(factor)}
    return {"unit": unit, "factor": "1"}


def _chart_data(
    kind: str, spec: dict[str, Any], rows: list[Row], ctx: Context
) -> tuple[dict, dict[Any, str]]:
    """What the chart draws, and each drawn value as the table prints it (for the words)."""
    dataset = ctx.reads.dataset(spec["dataset"])
    texts: dict[Any, str] = {}
    if kind == "line":
        x, y, series = spec.get("x", "year"), spec.get("y", "value"), spec.get("series")
        lines: dict[str, list[tuple[Any, float | None]]] = {}
        ordered = sorted(rows, key=lambda r: (ctx.reads.order(r[series]) if series else 0, r[x]))
        for r in ordered:
            name = ctx.reads.place_name(r[series]) if series else dataset.title
            lines.setdefault(name, []).append((r[x], _value(r, y)))
            texts[(name, r[x])] = ctx.number(r[y], dataset, y)
        return {"lines": lines}, texts
    if kind in ("bar", "barh"):
        cat, y = spec.get("category", "country"), spec.get("y", "value")
        col = dataset.column(cat)
        bars = []
        for r in rows:
            is_place = col is not None and col.type == "place"
            label = ctx.reads.place_name(r[cat]) if is_place else str(r[cat])
            bars.append((label, _value(r, y), ctx.number(r[y], dataset, y)))  # as in the table
        return {"bars": bars}, texts
    if kind == "balance":
        x = spec.get("x", "year")
        bars, line = spec["bars"], spec["line"]
        ordered = sorted(rows, key=lambda r: r[x])
        for column in [*bars, line]:
            for r in ordered:
                texts[(dataset.column(column).label, r[x])] = ctx.number(r[column], dataset, column)
        return {
            "x": [r[x] for r in ordered],
            "bars": {dataset.column(b).label: [_value(r, b) for r in ordered] for b in bars},
            "line": {dataset.column(line).label: [_value(r, line) for r in ordered]},
        }, texts
    raise ValueError(f"unknown chart kind {kind!r}")


def describe(kind: str, title: str, unit: str, data: dict, texts: dict[Any, str]) -> str:
    """The chart in words, from the values it draws (its alternative text)."""
    parts = [f"{title}の{KIND_NAMES.get(kind, 'グラフ')}。"]
    if unit:
        parts.append(f"単位{unit}。")
    if kind in ("bar", "barh"):
        present = [(label, v, text) for label, v, text in data["bars"] if v is not None]
        if present:
            ranked = sorted(present, key=lambda bar: bar[1], reverse=True)
            parts.append(
                "、".join(f"{label}{text}" for label, _, text in ranked) + "（大きい順）。"
            )
    elif kind == "line":
        for name, points in data["lines"].items():
            shown = [(x, v) for x, v in points if v is not None]
            if not shown:
                continue
            x0, x1 = shown[0][0], shown[-1][0]
            peak = max(shown, key=lambda p: p[1])
            parts.append(
                f"{name}は{x0}年{texts[(name, x0)]}から{x1}年{texts[(name, x1)]}、"
                f"最高は{peak[0]}年の{texts[(name, peak[0])]}。"
            )
    elif kind == "balance":
        xs = data["x"]
        for name, values in [*data["bars"].items(), *data["line"].items()]:
            shown = [(x, v) for x, v in zip(xs, values, strict=True) if v is not None]
            if shown:
                x0, x1 = shown[0][0], shown[-1][0]
                parts.append(f"{name}は{x0}年{texts[(name, x0)]}、{x1}年{texts[(name, x1)]}。")
    return "".join(parts)
