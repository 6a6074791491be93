"""Chart blocks: dataset rows → the data a chart draws, its title, and the chart in words."""

from __future__ import annotations

from typing import Any

from ...datalayer import Row
from ..model import Block, ChartItem, Heading
from ..reads import time_column
from . import Context, as_number, block, year_notes

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
    data = _chart_data(kind, spec, rows, ctx)
    highlight = ctx.highlight(spec)
    ycol = time_column(dataset)
    years = {r[ycol] for r in rows if ycol and r[ycol] is not None}
    if kind in ("bar", "barh") and len(data["bars"]) < 2 and not highlight:
        ctx.log.append(f"left out: chart {spec.get('title', dataset.title)}: a single bar")
        return None
    notes = year_notes(ctx, dataset, rows)
    caption = ctx.caption(dataset, rows, notes)
    title = ctx.fill(spec.get("title") or dataset.title, years or None)
    unit = dataset.unit or ""
    item = ChartItem(
        kind,
        data,
        unit,
        spec.get("size", "full"),
        highlight,
        describe(kind, title, unit, data, ctx),
    )
    return Block("chart", (Heading(title), item, *caption))


def _chart_data(kind: str, spec: dict[str, Any], rows: list[Row], ctx: Context) -> dict:
    dataset = ctx.reads.dataset(spec["dataset"])
    if kind == "line":
        x, y, series = spec.get("x", "year"), spec.get("y", "value"), spec.get("series")
        lines: dict[str, list[tuple[Any, float | None]]] = {}
        ordered = sorted(rows, key=lambda r: (ctx.reads.order(r[series]) if series else 0, r[x]))
        for r in ordered:
            name = ctx.reads.place_name(r[series]) if series else dataset.title
            lines.setdefault(name, []).append((r[x], _value(r, y)))
        return {"lines": lines}
    if kind in ("bar", "barh"):
        cat, y = spec.get("category", "country"), spec.get("y", "value")
        col = dataset.column(cat)
        bars = []
        for r in rows:
            is_place = col is not None and col.type == "place"
            label = ctx.reads.place_name(r[cat]) if is_place else str(r[cat])
            bars.append((label, _value(r, y), ctx.number(r[y])))  # as the table prints it
        return {"bars": bars}
    if kind == "balance":
        x = spec.get("x", "year")
        bars, line = spec["bars"], spec["line"]
        ordered = sorted(rows, key=lambda r: r[x])
        return {
            "x": [r[x] for r in ordered],
            "bars": {dataset.column(b).label: [_value(r, b) for r in ordered] for b in bars},
            "line": {dataset.column(line).label: [_value(r, line) for r in ordered]},
        }
    raise ValueError(f"unknown chart kind {kind!r}")


def describe(kind: str, title: str, unit: str, data: dict, ctx: Context) -> str:
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
            (x0, v0), (x1, v1) = shown[0], shown[-1]
            peak = max(shown, key=lambda p: p[1])
            parts.append(
                f"{name}は{x0}年{_num(ctx, v0)}から{x1}年{_num(ctx, v1)}、"
                f"最高は{peak[0]}年の{_num(ctx, peak[1])}。"
            )
    elif kind == "balance":
        xs = data["x"]
        for name, values in [*data["bars"].items(), *data["line"].items()]:
            shown = [(x, v) for x, v in zip(xs, values, strict=True) if v is not None]
            if shown:
                (x0, v0), (x1, v1) = shown[0], shown[-1]
                parts.append(f"{name}は{x0}年{_num(ctx, v0)}、{x1}年{_num(ctx, v1)}。")
    return "".join(parts)


def _num(ctx: Context, value: float) -> str:
    from decimal import Decimal

    published = int(value) if float(value).is_integer() else Decimal(str(value))
    return ctx.number(published)
