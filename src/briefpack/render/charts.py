"""Chart items → a matplotlib figure → vector drawing operations with searchable text.

Drawings are cached in OUT/.briefpack/charts/ under the hash of everything that drew them
(the chart's data, the style, the fonts and the code); each entry carries that hash and is
checked on read, so a damaged or mismatched entry is discarded and drawn again.
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from typing import Any

from reportlab.platypus import Flowable

from ..chartdraw import ChartFlowable, record_figure
from ..formatting import format_number
from ..pack import model
from ..style import MM

MARKERS = ["o", "s", "^", "D", "v", "x"]
LINESTYLES = ["-", "--", "-.", ":", (0, (5, 1, 1, 1)), (0, (3, 1))]
GRAYS = ["#000000", "#555555", "#8a8a8a", "#b0b0b0", "#333333", "#707070"]
HATCHES = ["", "//", "xx", "\\\\", "--", "||"]
MUTED = "#b4b4b4"


def chart_flowable(item: model.ChartItem, rc: Any) -> Flowable:
    style = rc.style
    width = min(style["chart"]["width_mm"] * MM, rc.frame_width)
    height_mm = style["chart"]["height_mm"]
    if item.size == "small":
        height_mm = style["chart"].get("small_height_mm", height_mm * 0.6)
    height = min(height_mm * MM, rc.frame_height * 0.62)
    payload = {
        "kind": item.kind,
        "data": item.data,
        "unit": item.unit,
        "highlight": item.highlight,
        "size": [round(width, 2), round(height, 2)],
        "style": style.raw["chart"],
        "accent": style.color("accent"),
        "gray": style.gray,
        "mplstyle": style.mplstyle_text,
        "numbers": style["numbers"],
        "fonts": rc.fonts.digests,
        "code": code_digest(),
    }
    key = hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()
    ops = rc.chart_cache.get(key) if rc.chart_cache is not None else None
    if ops is None:
        # Through JSON, as the cache stores it: a drawing from the cache and a fresh one
        # are the same values, so an incremental build equals a fresh one byte for byte.
        ops = json.loads(json.dumps(_render(payload, rc)))
        if rc.chart_cache is not None:
            rc.chart_cache.put(key, ops)
    flowable = ChartFlowable(ops, width, height, rc.fonts)
    flowable.alt_text = item.alt
    return flowable


_CODE_DIGEST: list[str] = []


def code_digest() -> str:
    """The drawing code's own hash: a changed renderer never reuses an old drawing."""
    if not _CODE_DIGEST:
        from pathlib import Path

        here = Path(__file__).resolve().parent.parent
        h = hashlib.sha256()
        for name in ("render/charts.py", "chartdraw.py"):
            h.update((here / name).read_bytes())
        _CODE_DIGEST.append(h.hexdigest())
    return _CODE_DIGEST[0]


def _render(payload: dict[str, Any], rc: Any) -> list:
    import matplotlib
    from matplotlib.figure import Figure

    width, height = payload["size"]
    with matplotlib.rc_context(_rc(rc)):
        figure = Figure(figsize=(width / 72, height / 72), dpi=72)
        left = 0.085
        if payload["kind"] == "barh":  # room for the longest category label, whatever it is
            longest = max((len(b[0]) for b in payload["data"]["bars"]), default=0)
            left = min(0.45, max(left, (longest * 9.0 + 10) / width))
        figure.subplots_adjust(left=left, right=0.985, top=0.88, bottom=0.14)
        axes = figure.add_subplot()
        DRAW[payload["kind"]](axes, payload)
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
        return record_figure(figure, rc.fonts)


_FONTS_ADDED: set[str] = set()


def _rc(rc: Any) -> dict[str, Any]:
    import matplotlib
    from matplotlib import font_manager

    for path in rc.fonts.paths.values():
        if str(path) not in _FONTS_ADDED:
            font_manager.fontManager.addfont(str(path))
            _FONTS_ADDED.add(str(path))
    family = font_manager.FontProperties(fname=str(rc.fonts.paths["regular"])).get_name()
    params = dict(
        matplotlib.rc_params_from_file(str(rc.style.mplstyle_path), use_default_template=False)
    )
    params.update(
        {
            "font.family": [family],
            "text.parse_math": False,
            "axes.unicode_minus": False,
            "svg.hashsalt": "briefpack",
        }
    )
    return params


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


def _draw_lines(axes: Any, payload: dict[str, Any]) -> None:
    lines = payload["data"]["lines"]
    colors = _colors(payload, len(lines))
    target = payload["highlight"]
    for i, (name, points) in enumerate(lines.items()):
        xs = [p[0] for p in points]
        ys = [float("nan") if p[1] is None else p[1] for p in points]
        color, width, z = colors[i], 1.5, 2
        if target is not None:
            is_target = name == target
            color = ("#000000" if payload["gray"] else payload["accent"]) if is_target else MUTED
            width, z = (2.6, 3) if is_target else (1.0, 2)
        axes.plot(
            xs,
            ys,
            label=name,
            color=color,
            linewidth=width,
            zorder=z,
            marker=MARKERS[i % len(MARKERS)],
            markersize=4 if target is None or name == target else 2.5,
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


def _draw_bars(axes: Any, payload: dict[str, Any], horizontal: bool = False) -> None:
    bars = payload["data"]["bars"]
    labels = [b[0] for b in bars]
    values = [0 if b[1] is None else b[1] for b in bars]
    base = _colors(payload, 1)[0]
    target = payload["highlight"]
    colors = [base if target is None or label == target else MUTED for label in labels]
    if horizontal:
        container = axes.barh(labels[::-1], values[::-1], color=colors[::-1], height=0.6)
        axes.xaxis.set_major_formatter(_tick_formatter(payload))
        axes.grid(axis="x")
        axes.grid(axis="y", visible=False)
    else:
        container = axes.bar(labels, values, color=colors, width=0.6)
        axes.yaxis.set_major_formatter(_tick_formatter(payload))
    shown = bars[::-1] if horizontal else bars
    axes.bar_label(container, labels=[b[2] for b in shown], padding=2, fontsize=7.5)
    axes.margins(x=0.02, y=0.12) if not horizontal else axes.margins(x=0.12)


def _as_published(value: float | None) -> Any:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else Decimal(str(value))


def _draw_balance(axes: Any, payload: dict[str, Any]) -> None:
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
    "barh": lambda axes, payload: _draw_bars(axes, payload, horizontal=True),
    "balance": _draw_balance,
}
