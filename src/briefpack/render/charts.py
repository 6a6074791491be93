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
                _unit_note(payload),
                xy=(0, 1),
                xycoords="axes fraction",
                xytext=(-4, 8),
                textcoords="offset points",
                ha="right",
                va="bottom",
                fontsize=8,
            )
        _raise_small_text(figure, payload["style"].get("min_font_size"))
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
    minimum = rc.style["chart"].get("min_font_size")
    if minimum:  # ticks are made while drawing: their size must come from here
        base = max(float(params.get("font.size", 10)), minimum)
        params["font.size"] = base
        for key in _TEXT_SIZES:
            value = params.get(key)
            size = font_manager.font_scalings.get(value, 1.0) * base
            if not isinstance(value, str):
                size = float(value) if value is not None else base
            params[key] = max(size, minimum)
    return params


_TEXT_SIZES = (
    "axes.titlesize",
    "axes.labelsize",
    "xtick.labelsize",
    "ytick.labelsize",
    "legend.fontsize",
    "legend.title_fontsize",
    "figure.titlesize",
)


def _raise_small_text(figure: Any, minimum: float | None) -> None:
    """Every text of ``figure`` at least ``minimum`` pt (``[chart] min_font_size``, which
    2-up printing sets so that chart labels print at 6 pt or more on the sheet)."""
    if not minimum:
        return
    from matplotlib.text import Text

    for text in figure.findobj(Text):
        if text.get_fontsize() < minimum:
            text.set_fontsize(minimum)


def _colors(payload: dict[str, Any], n: int) -> list[str]:
    if payload["gray"]:
        return [GRAYS[i % len(GRAYS)] for i in range(n)]
    palette = payload["style"]["series_colors"]
    return [palette[i % len(palette)] for i in range(n)]


def _axis(payload: dict[str, Any]) -> dict[str, Any]:
    return payload["data"].get("axis") or {"unit": payload["unit"], "factor": "1"}


def _unit_note(payload: dict[str, Any]) -> str:
    """「（億ドル）」 over the value axis; a bar chart whose labels print the table's figures
    in another unit says which is which: 「（棒の数値：1,000ドル）」 (the axis is labelled
    「（目盛：億ドル）」 by :func:`_label_value_axis`)."""
    axis_unit = _axis(payload)["unit"]
    if payload["kind"] in ("bar", "barh") and axis_unit != payload["unit"]:
        return f"（棒の数値：{payload['unit']}）"
    return f"（{axis_unit}）"


def _label_value_axis(axes: Any, payload: dict[str, Any], horizontal: bool) -> None:
    axis_unit = _axis(payload)["unit"]
    if axis_unit == payload["unit"]:
        return
    if horizontal:
        axes.set_xlabel(f"（目盛：{axis_unit}）", loc="right", fontsize=8, labelpad=2)
    else:
        axes.set_ylabel(f"（目盛：{axis_unit}）", loc="top", fontsize=8, labelpad=2)


def _value_locator(nbins: int) -> Any:
    """Round steps (1, 2, 2.5, 5 × 10ⁿ) and few of them: tick labels never crowd."""
    from matplotlib.ticker import MaxNLocator

    return MaxNLocator(nbins=nbins, steps=[1, 2, 2.5, 5, 10])


def _tick_formatter(payload: dict[str, Any]) -> Any:
    """Ticks in the axis unit (万人, 億ドル: see ``axis_unit`` in the plan), one number of
    decimals for every tick of an axis, △ for negatives."""
    from matplotlib.ticker import Formatter

    prefix = payload["numbers"]["negative_prefix"]
    factor = Decimal(_axis(payload)["factor"])

    class Ticks(Formatter):
        decimals = 0

        def _scaled(self, value: float) -> Decimal:
            return (Decimal(repr(float(value))) * factor).quantize(Decimal("1e-6"))

        def set_locs(self, locs: Any) -> None:
            super().set_locs(locs)
            places = [-min(self._scaled(v).normalize().as_tuple().exponent, 0) for v in locs]
            self.decimals = min(max(places, default=0), 3)

        def __call__(self, value: float, pos: int | None = None) -> str:
            number = self._scaled(value).quantize(Decimal(1).scaleb(-self.decimals))
            return format_number(abs(number) if number == 0 else number, prefix)

    return Ticks()


def _label_room(payload: dict[str, Any], texts: list[str]) -> float:
    """The width (points) of the widest bar label, estimated from its characters."""
    size = max(7.5, payload["style"].get("min_font_size") or 0)
    return max((sum(0.56 if ord(ch) < 128 else 1.0 for ch in t) * size for t in texts), default=0)


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
    axes.yaxis.set_major_locator(_value_locator(7))
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
    value_axis = axes.xaxis if horizontal else axes.yaxis
    if horizontal:
        container = axes.barh(labels[::-1], values[::-1], color=colors[::-1], height=0.6)
        axes.grid(axis="x")
        axes.grid(axis="y", visible=False)
    else:
        container = axes.bar(labels, values, color=colors, width=0.6)
    value_axis.set_major_locator(_value_locator(5 if horizontal else 6))
    value_axis.set_major_formatter(_tick_formatter(payload))
    shown = bars[::-1] if horizontal else bars
    size = max(7.5, payload["style"].get("min_font_size") or 0)
    axes.bar_label(container, labels=[b[2] for b in shown], padding=2, fontsize=size)
    # Bars start at zero; past the longest bar there is room for its label, never clipped.
    figure_w, figure_h = payload["size"]
    box = axes.get_position()
    low, high = min(values + [0]), max(values + [0])
    if horizontal:
        room = (_label_room(payload, [b[2] for b in bars]) + 6) / (box.width * figure_w)
        axes.set_xlim(low, high / (1 - min(room, 0.6)) if high > 0 else 0)
        axes.margins(y=0.04)
    else:
        room = (size + 8) / (box.height * figure_h)
        axes.set_ylim(low, high / (1 - min(room, 0.5)) if high > 0 else 0)
        axes.margins(x=0.02)
    _label_value_axis(axes, payload, horizontal)


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
    axes.yaxis.set_major_locator(_value_locator(7))
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
