"""Chart blocks: dataset rows → a matplotlib figure → vector drawing with searchable text."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from typing import Any

from reportlab.platypus import Flowable

from ..chartdraw import ChartFlowable, record_figure
from ..formatting import format_number
from ..style import MM
from . import block
from .common import heading, source_lines

MARKERS = ["o", "s", "^", "D", "v", "x"]
LINESTYLES = ["-", "--", "-.", ":", (0, (5, 1, 1, 1)), (0, (3, 1))]
GRAYS = ["#000000", "#555555", "#8a8a8a", "#b0b0b0", "#333333", "#707070"]
HATCHES = ["", "//", "xx", "\\\\", "--", "||"]


def _number(value: Any) -> float:
    return float(value)


@block(
    "chart", {"dataset", "kind", "x", "y", "series", "category", "title", "size", "bars", "line"}
)
def chart(spec: dict[str, Any], ctx: Any) -> list[Flowable] | None:
    dataset = ctx.dataset(spec["dataset"])
    rows = ctx.rows(spec["dataset"], spec)
    if not rows:
        return None
    ctx.use(dataset.id, rows)
    kind = spec.get("kind", "line")
    data = _chart_data(kind, spec, rows, ctx)
    if data is None:
        return None
    width = ctx.style["chart"]["half_width_mm" if spec.get("size") == "half" else "width_mm"] * MM
    width = min(width, ctx.frame_width)
    height_mm = ctx.style["chart"]["height_mm"]
    if spec.get("size") == "small":
        height_mm = ctx.style["chart"].get("small_height_mm", height_mm * 0.6)
    height = min(height_mm * MM, ctx.frame_height * 0.62)
    unit = dataset.unit or ""
    payload = {
        "kind": kind,
        "data": data,
        "unit": unit,
        "size": [round(width, 2), round(height, 2)],
        "style": ctx.style.raw["chart"],
        "gray": ctx.style.gray,
        "mplstyle": ctx.style.mplstyle_text,
        "numbers": ctx.style["numbers"],
        "fonts": [str(p) for p in ctx.fonts.paths.values()],
    }
    key = hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()
    ops = ctx.chart_cache.get(key) if ctx.chart_cache is not None else None
    if ops is None:
        ops = _render(payload, ctx)
        if ctx.chart_cache is not None:
            ctx.chart_cache.put(key, ops)
    title = spec.get("title") or dataset.title
    out: list[Flowable] = [heading(ctx, title), ChartFlowable(ops, width, height, ctx.fonts)]
    out += source_lines(ctx, [dataset])
    return out


def _chart_data(kind: str, spec: dict[str, Any], rows: list, ctx: Any) -> dict | None:
    if kind == "line":
        x, y, series = spec.get("x", "year"), spec.get("y", "value"), spec.get("series")
        lines: dict[str, list[tuple[Any, float | None]]] = {}
        for r in sorted(rows, key=lambda r: r[x]):
            name = ctx.place_name(r[series]) if series else ctx.dataset(spec["dataset"]).title
            lines.setdefault(name, []).append((r[x], None if r[y] is None else _number(r[y])))
        return {"lines": lines}
    if kind in ("bar", "barh"):
        cat, y = spec.get("category", "country"), spec.get("y", "value")
        col = ctx.dataset(spec["dataset"]).column(cat)
        bars = []
        for r in rows:
            label = (
                ctx.place_name(r[cat]) if col is not None and col.type == "place" else str(r[cat])
            )
            bars.append((label, None if r[y] is None else _number(r[y])))
        return {"bars": bars}
    if kind == "balance":
        x = spec.get("x", "year")
        bars, line = spec["bars"], spec["line"]
        dataset = ctx.dataset(spec["dataset"])
        ordered = sorted(rows, key=lambda r: r[x])
        return {
            "x": [r[x] for r in ordered],
            "bars": {
                dataset.column(b).label: [None if r[b] is None else _number(r[b]) for r in ordered]
                for b in bars
            },
            "line": {
                dataset.column(line).label: [
                    None if r[line] is None else _number(r[line]) for r in ordered
                ]
            },
        }
    raise ValueError(f"unknown chart kind {kind!r}")


def _render(payload: dict[str, Any], ctx: Any) -> list:
    import matplotlib
    from matplotlib.figure import Figure

    width, height = payload["size"]
    with matplotlib.rc_context(_rc(ctx)):
        figure = Figure(figsize=(width / 72, height / 72), dpi=72)
        figure.subplots_adjust(left=0.085, right=0.985, top=0.88, bottom=0.14)
        axes = figure.add_subplot()
        DRAW[payload["kind"]](axes, payload, ctx)
        if payload["unit"]:
            axes.annotate(
                f"（{payload['unit']}）",
                xy=(0, 1),
                xycoords="axes fraction",
                xytext=(-4, 8),
                textcoords="offset points",
                ha="right",
                va="bottom",
                fontsize=8,
            )
        return record_figure(figure, ctx.fonts)


_FONTS_ADDED: set[str] = set()


def _rc(ctx: Any) -> dict[str, Any]:
    import matplotlib
    from matplotlib import font_manager

    for path in ctx.fonts.paths.values():
        if str(path) not in _FONTS_ADDED:
            font_manager.fontManager.addfont(str(path))
            _FONTS_ADDED.add(str(path))
    family = font_manager.FontProperties(fname=str(ctx.fonts.paths["regular"])).get_name()
    rc = dict(
        matplotlib.rc_params_from_file(str(ctx.style.mplstyle_path), use_default_template=False)
    )
    rc.update(
        {
            "font.family": [family],
            "text.parse_math": False,
            "axes.unicode_minus": False,
            "svg.hashsalt": "briefpack",
        }
    )
    return rc


def _colors(payload: dict[str, Any], n: int) -> list[str]:
    if payload["gray"]:
        return [GRAYS[i % len(GRAYS)] for i in range(n)]
    palette = payload["style"]["series_colors"]
    return [palette[i % len(palette)] for i in range(n)]


def _tick_formatter(payload: dict[str, Any]) -> Any:
    from matplotlib.ticker import FuncFormatter

    prefix = payload["numbers"]["negative_prefix"]

    def fmt(value: float, _pos: int) -> str:
        rounded = round(value, 6)
        as_int = int(rounded) if float(rounded).is_integer() else None
        return format_number(as_int if as_int is not None else Decimal(str(rounded)), prefix)

    return FuncFormatter(fmt)


def _draw_lines(axes: Any, payload: dict[str, Any], ctx: Any) -> None:
    lines = payload["data"]["lines"]
    colors = _colors(payload, len(lines))
    for i, (name, points) in enumerate(lines.items()):
        xs = [p[0] for p in points]
        ys = [float("nan") if p[1] is None else p[1] for p in points]
        axes.plot(
            xs,
            ys,
            label=name,
            color=colors[i],
            marker=MARKERS[i % len(MARKERS)],
            linestyle=LINESTYLES[i % len(LINESTYLES)] if payload["gray"] else "-",
        )
    axes.yaxis.set_major_formatter(_tick_formatter(payload))
    xs = sorted({p[0] for points in lines.values() for p in points})
    if xs and all(isinstance(x, int) for x in xs):
        step = 2 if len(xs) > 14 else 1
        axes.set_xticks(xs[::step], [f"{x}" for x in xs[::step]])
    if len(lines) > 1:
        axes.legend(
            loc="lower left", bbox_to_anchor=(0, 1.0), ncols=min(len(lines), 6), borderaxespad=0.2
        )


def _draw_bars(axes: Any, payload: dict[str, Any], ctx: Any, horizontal: bool = False) -> None:
    bars = payload["data"]["bars"]
    labels = [b[0] for b in bars]
    values = [0 if b[1] is None else b[1] for b in bars]
    color = _colors(payload, 1)[0]
    if horizontal:
        container = axes.barh(labels[::-1], values[::-1], color=color, height=0.6)
        axes.xaxis.set_major_formatter(_tick_formatter(payload))
        axes.grid(axis="x")
        axes.grid(axis="y", visible=False)
    else:
        container = axes.bar(labels, values, color=color, width=0.6)
        axes.yaxis.set_major_formatter(_tick_formatter(payload))
    shown = [b[1] for b in (bars[::-1] if horizontal else bars)]
    prefix = payload["numbers"]["negative_prefix"]
    axes.bar_label(
        container,
        labels=[
            format_number(_as_published(v), prefix, payload["numbers"]["missing"]) for v in shown
        ],
        padding=2,
        fontsize=7.5,
    )
    axes.margins(x=0.02, y=0.12) if not horizontal else axes.margins(x=0.12)


def _as_published(value: float | None) -> Any:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else Decimal(str(value))


def _draw_balance(axes: Any, payload: dict[str, Any], ctx: Any) -> None:
    data = payload["data"]
    xs = data["x"]
    n = len(data["bars"])
    width = 0.8 / n
    colors = _colors(payload, n + 1)
    for i, (name, values) in enumerate(data["bars"].items()):
        offsets = [x - 0.4 + width * (i + 0.5) for x in xs]
        axes.bar(
            offsets,
            [0 if v is None else v for v in values],
            width=width,
            label=name,
            color=colors[i] if not payload["gray"] else ["#3a3a3a", "#b5b5b5"][i % 2],
            edgecolor="#000000" if payload["gray"] else "none",
            linewidth=0.3,
            hatch=HATCHES[i] if payload["gray"] else None,
        )
    for name, values in data["line"].items():
        axes.plot(
            xs,
            [float("nan") if v is None else v for v in values],
            label=name,
            color="#000000" if payload["gray"] else colors[n],
            marker="o",
            linestyle="--" if payload["gray"] else "-",
        )
    axes.axhline(0, color="#333333", linewidth=0.6)
    axes.yaxis.set_major_formatter(_tick_formatter(payload))
    step = 2 if len(xs) > 14 else 1
    axes.set_xticks(xs[::step], [f"{x}" for x in xs[::step]])
    axes.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncols=3, borderaxespad=0.2)


DRAW = {
    "line": _draw_lines,
    "bar": _draw_bars,
    "barh": lambda axes, payload, ctx: _draw_bars(axes, payload, ctx, horizontal=True),
    "balance": _draw_balance,
}
