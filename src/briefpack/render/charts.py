"""Chart items → a matplotlib figure → vector drawing operations with searchable text.

Drawings are cached in OUT/.briefpack/charts/ under the hash of everything that drew them
(the chart's data, the style, the fonts and the code); each entry carries that hash and is
checked on read, so a damaged or mismatched entry is discarded and drawn again.

When a core would otherwise sit idle (one pack on a machine with several), the charts a
pack is missing are drawn in a second process (:class:`ChartDrawer`) while this one lays
the pack out; a chart is waited for only when its page is drawn.  Several packs: a chart
worker draws the charts they lack into the cache, where the packs wait for them
(:func:`draw_all_into_cache`, :func:`draw_into_cache`).  The drawing is the same wherever
it is made: the same code, style and fonts, read back through the same JSON.
"""

from __future__ import annotations

import hashlib
import json
import logging
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..chartcache import ChartCache, decode_ops, encode_ops
from ..formatting import format_number
from ..pack import model
from ..style import Style
from .geometry import chart_size, column_widths, frame_size

if TYPE_CHECKING:
    from reportlab.platypus import Flowable

    from ..fonts import FontSet

log = logging.getLogger("briefpack")

MARKERS = ["o", "s", "^", "D", "v", "x"]
LINESTYLES = ["-", "--", "-.", ":", (0, (5, 1, 1, 1)), (0, (3, 1))]
GRAYS = ["#000000", "#555555", "#8a8a8a", "#b0b0b0", "#333333", "#707070"]
HATCHES = ["", "//", "xx", "\\\\", "--", "||"]
MUTED = "#b4b4b4"
LINE_WIDTH, MARKER_SIZE = 1.5, 4.0
# A highlighted member's line, and the others' lines and markers beside it.
TARGET_WIDTH, OTHER_WIDTH, OTHER_MARKER = 2.6, 1.0, 2.5


def chart_flowable(item: model.ChartItem, rc: Any) -> Flowable:
    from ..chartdraw import ChartFlowable

    width, height = chart_size(item, rc.style, rc.frame_width, rc.frame_height)
    key, payload = chart_payload(item, rc.style, width, height, rc.fonts.digests)
    source = rc.chart_cache if rc.chart_cache is not None else ChartSource(None)
    accent = "#000000" if rc.style.gray else rc.style.color("accent")

    def ops() -> list:
        return emphasize(source.ops(key, payload, rc.style, rc.fonts), item.highlight, accent)

    flowable = ChartFlowable(ops, width, height, rc.fonts)
    flowable.alt_text = item.alt
    return flowable


def chart_payload(
    item: model.ChartItem, style: Style, width: float, height: float, font_digests: list[str]
) -> tuple[str, dict[str, Any]]:
    """Everything that draws the chart, and its hash (the chart cache's key).

    The target a country pack highlights is not part of it: the region's chart is drawn
    once, and each pack emphasises its own member in the drawing (:func:`emphasize`).
    """
    payload = {
        "kind": item.kind,
        "data": item.data,
        "unit": item.unit,
        "size": [round(width, 2), round(height, 2)],
        "style": style.raw["chart"],
        "accent": style.color("accent"),
        "gray": style.gray,
        "mplstyle": style.mplstyle_text,
        "numbers": style["numbers"],
        "fonts": font_digests,
        "code": code_digest(),
    }
    key = hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()
    return key, payload


def planned_charts(
    plans: list[model.PackPlan], style: Style, font_digests: list[str]
) -> dict[str, dict[str, Any]]:
    """The charts rendering ``plans`` with ``style`` will draw, by key (standard library):
    the same sizes as the flowables get, side-by-side cells at their column widths."""
    frame_width, frame_height = frame_size(style)
    charts: dict[str, dict[str, Any]] = {}

    def visit(items: tuple[model.Item, ...] | list[model.Item], width: float) -> None:
        for item in items:
            if isinstance(item, model.ChartItem):
                w, h = chart_size(item, style, width, frame_height)
                key, payload = chart_payload(item, style, w, h, font_digests)
                charts.setdefault(key, payload)
            elif isinstance(item, model.SideBySide):
                for cell, cell_width in zip(item.cells, column_widths(width, item), strict=True):
                    visit(cell, cell_width)

    for made in plans:
        for section in made.sections:
            for group in section.groups:
                for block in group.blocks:
                    visit(block.items, frame_width)
    return charts


def emphasize(ops: list, target: str | None, accent: str) -> list:
    """A region's chart with ``target`` stood out: its bar or line in ``accent`` (its line
    thicker and drawn over the others), every other member's muted, as the seed's
    comparison charts do.  Works on the recorded drawing, by the ids its artists were
    drawn with; ``ops`` itself is left as it is (packs share a drawing)."""
    if target is None:
        return ops
    strong, muted = _rgba(accent), _rgba(MUTED)
    out: list = []
    lifted: list = []
    series_end = lift_at = 0
    for op in ops:
        kind, _, name = str(op.get("gid", "")).partition(":")
        if kind == "bar" and name != target:
            op = {**op, "fill": muted}
        elif kind in ("series", "legend"):
            op = _line_emphasis(op, name == target, strong, muted)
            if kind == "series" and name == target:
                lift_at = lift_at or len(out)
                lifted.append(op)
                continue
        out.append(op)
        if kind == "series":
            series_end = len(out)
    at = max(series_end, lift_at)
    return out[:at] + lifted + out[at:]


def _line_emphasis(op: dict, is_target: bool, strong: list, muted: list) -> dict:
    color = strong if is_target else muted
    op = {**op}
    for side in ("fill", "stroke"):
        if op.get(side) is not None:
            op[side] = color
    if "center" in op:  # a marker: the others' smaller, about the same centre
        if not is_target:
            cx, cy = op["center"]
            k = OTHER_MARKER / MARKER_SIZE
            op["segments"] = [
                [code, [round(c + (v - c) * k, 2) for v, c in zip(vs, [cx, cy] * 3, strict=False)]]
                for code, vs in op["segments"]
            ]
        return op
    width = TARGET_WIDTH if is_target else OTHER_WIDTH
    if op.get("dash"):  # matplotlib scales a dash pattern with its line's width
        op["dash"] = [round(d * width / op["width"], 2) for d in op["dash"]]
    op["width"] = width
    return op


def _rgba(hex_color: str) -> list[float]:
    """``#rrggbb`` as the recorded drawing writes colours (see ``chartrecord``)."""
    h = hex_color.lstrip("#")
    return [round(int(h[i : i + 2], 16) / 255, 4) for i in (0, 2, 4)] + [1.0]


class ChartSource:
    """Where a chart's drawing comes from: the cache, the drawer process, or drawn here."""

    def __init__(
        self,
        cache: ChartCache | None,
        drawer: ChartDrawer | None = None,
        pending: frozenset[str] = frozenset(),
    ):
        self.cache, self.drawer, self.pending = cache, drawer, pending
        self._ops: dict[str, Any] = {}

    @property
    def hits(self) -> int:
        return self.cache.hits if self.cache is not None else 0

    @property
    def misses(self) -> int:
        return self.cache.misses if self.cache is not None else len(self._ops)

    def lookup(self, charts: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        """Read ``charts`` from the cache now; return those it does not hold."""
        missing = {}
        for key, payload in charts.items():
            ops = self.cache.get(key) if self.cache is not None else None
            if ops is None:
                missing[key] = payload
            else:
                self._ops[key] = ops
        return missing

    def ops(self, key: str, payload: dict[str, Any], style: Style, fonts: FontSet) -> Any:
        if key not in self._ops:
            self._ops[key] = self._fetch(key, payload, style, fonts)
        return self._ops[key]

    def _fetch(self, key: str, payload: dict[str, Any], style: Style, fonts: FontSet) -> Any:
        drawn = self.drawer.take(key) if self.drawer is not None else None
        if drawn is None:
            if key in self.pending and self.cache is not None:
                ops = self.cache.wait_for(key)  # another worker of the run is drawing it
                if ops is None:
                    self.cache.misses += 1  # it failed there: drawn here
            else:
                ops = self.cache.get(key) if self.cache is not None else None
            if ops is not None:
                return ops
            encoded = encode_ops(draw(payload, style, fonts))
        else:
            encoded, missing = drawn
            fonts.missing.extend(missing)
        if self.cache is not None:
            self.cache.put(key, encoded)
        # Through JSON, as the cache stores it: a drawing from the cache and a fresh one
        # are the same values, so an incremental build equals a fresh one byte for byte.
        return decode_ops(encoded)

    def close(self) -> None:
        if self.drawer is not None:
            self.drawer.close()
            self.drawer = None


class ChartDrawer:
    """Charts drawn by other processes (``executor``'s) while this one lays out the pack.

    A chart it fails to deliver (an error, or the process died) is drawn by the caller.
    """

    def __init__(
        self,
        executor: Any,
        charts: dict[str, dict[str, Any]],
        style: Style,
        font_paths: dict[str, Path],
    ):
        self.futures = {
            key: executor.submit(draw_elsewhere, payload, style, font_paths)
            for key, payload in charts.items()
        }

    def take(self, key: str) -> tuple[bytes, list[str]] | None:
        future = self.futures.pop(key, None)
        if future is None:
            return None
        try:
            return future.result()
        except Exception:  # noqa: BLE001 - the caller draws it itself
            return None

    def close(self) -> None:
        for future in self.futures.values():
            future.cancel()
        self.futures.clear()


def draw_elsewhere(
    payload: dict[str, Any], style: Style, font_paths: dict[str, Path]
) -> tuple[bytes, list[str]]:
    """A worker's task: one chart's drawing as JSON bytes, and the characters the fonts
    lacked (for the warning of the process that prints the pack)."""
    from ..fonts import register_fonts

    fonts = register_fonts(*font_paths.values())
    encoded = encode_ops(draw(payload, style, fonts))
    missing = list(fonts.missing)
    return encoded, missing


def draw_into_cache(
    key: str, payload: dict[str, Any], style: Style, font_paths: dict[str, Path], folder: Path
) -> None:
    """A worker's task: draw one chart into the cache folder, where the packs of the run
    read it (a ``.failed`` mark tells them to draw it themselves)."""
    try:
        encoded, _ = draw_elsewhere(payload, style, font_paths)
        ChartCache.write_entry(folder, key, encoded)
    except BaseException:
        mark_failed(folder, key)
        raise


def draw_all_into_cache(
    charts: list[tuple[str, dict[str, Any]]],
    style: Style,
    font_paths: dict[str, Path],
    folder: Path,
    helpers: int = 0,
) -> None:
    """A chart worker's task where processes fork: draw ``charts`` into the cache folder,
    in their order, shared with ``helpers`` forks of this process, which has matplotlib
    imported already (the packs waiting for the charts get them as many times sooner).

    This process draws every (helpers + 1)th chart from the first, each helper those from
    its place; each chart is written (or marked failed, see :func:`draw_into_cache`) as
    soon as it is drawn.  A helper whose parent is gone stops; a helper that dies leaves
    its undrawn charts marked failed, for the packs to draw them themselves.
    """
    import os

    share = [charts[i :: helpers + 1] for i in range(helpers + 1)]
    forked = []
    for part in share[1:]:
        if not part:
            continue
        parent = os.getpid()
        try:
            pid = os.fork()
        except OSError:  # no process to be had: this one draws them too
            share[0] = share[0] + part
            continue
        if pid == 0:  # a helper: never returns into the worker's loop
            status = 1
            try:
                for key, payload in part:
                    if os.getppid() != parent:  # the worker is gone, and its run with it
                        break
                    _draw_one(key, payload, style, font_paths, folder)
                status = 0
            finally:
                os._exit(status)
        forked.append((pid, part))
    for key, payload in share[0]:
        _draw_one(key, payload, style, font_paths, folder)
    for pid, part in forked:
        _, status = os.waitpid(pid, 0)
        if status != 0:
            for key, _payload in part:
                mark_failed(folder, key)


def _draw_one(
    key: str, payload: dict[str, Any], style: Style, font_paths: dict[str, Path], folder: Path
) -> None:
    try:
        draw_into_cache(key, payload, style, font_paths, folder)
    except Exception:  # noqa: BLE001 - marked failed: the pack that shows it draws it
        log.debug("chart %s failed in the chart worker", key, exc_info=True)


def mark_failed(folder: Path, key: str) -> None:
    """Tell the packs waiting for ``key`` that it will not be drawn for them (unless it is
    there already)."""
    import contextlib

    from ..outputs import write_atomically

    if (folder / f"{key}.json").is_file():
        return
    with contextlib.suppress(OSError):
        folder.mkdir(parents=True, exist_ok=True)
        write_atomically(folder / f"{key}.failed", b"")


_CODE_DIGEST: list[str] = []


def code_digest() -> str:
    """The drawing code's own hash: a changed renderer never reuses an old drawing."""
    if not _CODE_DIGEST:
        here = Path(__file__).resolve().parent.parent
        h = hashlib.sha256()
        for name in ("render/charts.py", "chartrecord.py"):
            h.update((here / name).read_bytes())
        _CODE_DIGEST.append(h.hexdigest())
    return _CODE_DIGEST[0]


def draw(payload: dict[str, Any], style: Style, fonts: FontSet) -> list:
    """Draw one chart with matplotlib and return its recorded operations.

    Charts are set in the tabular family alone, wherever they are drawn: a character is
    replaced (〓) by what those two fonts lack, the same in every process."""
    import matplotlib
    from matplotlib.figure import Figure

    from ..chartrecord import record_figure

    fonts = fonts.tabular()
    width, height = payload["size"]
    with matplotlib.rc_context(_rc(style, fonts)):
        figure = Figure(figsize=(width / 72, height / 72), dpi=72)
        left = 0.085
        if payload["kind"] == "barh":  # room for the longest category label, whatever it is
            longest = max((len(b[0]) for b in payload["data"]["bars"]), default=0)
            left = min(0.45, max(left, (longest * 9.0 + 10) / width))
        figure.subplots_adjust(left=left, right=0.985, top=0.88, bottom=0.14)
        axes = figure.add_subplot()
        DRAW[payload["kind"]](axes, payload)
        if payload["unit"]:
            _place_unit_note(axes, _unit_note(payload), fonts, payload)
        for axis in (axes.xaxis, axes.yaxis):
            if not axis.label.get_text():  # nothing to place clear of the tick labels
                axis.set_label_coords(0.5, 0.5)  # (placing it measures every one of them)
        _raise_small_text(figure, payload["style"].get("min_font_size"))
        return record_figure(figure, fonts)


_RC: dict[tuple, dict[str, Any]] = {}
_FONTS_ADDED: set[str] = set()


def _rc(style: Style, fonts: FontSet) -> dict[str, Any]:
    """matplotlib's settings for ``style`` and ``fonts`` (worked out once per process)."""
    key = (str(style.mplstyle_path), style["chart"].get("min_font_size"), str(fonts.paths))
    if key not in _RC:
        _RC[key] = _rc_params(style, fonts)
    return _RC[key]


def _rc_params(style: Style, fonts: FontSet) -> dict[str, Any]:
    import matplotlib
    from matplotlib import font_manager

    for path in fonts.paths.values():
        if str(path) not in _FONTS_ADDED:
            font_manager.fontManager.addfont(str(path))
            _FONTS_ADDED.add(str(path))
    family = font_manager.FontProperties(fname=str(fonts.paths["regular"])).get_name()
    params = dict(
        matplotlib.rc_params_from_file(str(style.mplstyle_path), use_default_template=False)
    )
    params.update(
        {
            "font.family": [family],
            "text.parse_math": False,
            "axes.unicode_minus": False,
            "svg.hashsalt": "briefpack",
        }
    )
    minimum = style["chart"].get("min_font_size")
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


def _place_unit_note(axes: Any, note: str, fonts: FontSet, payload: dict[str, Any]) -> None:
    """The unit note over the value axis, ending at the axes' left edge; a note wider than
    the room left of the axes starts at the chart's left edge instead (never cut off at
    the edge of the page), and a legend above the axes moves right to leave it room."""
    size = max(8.0, payload["style"].get("min_font_size") or 0)
    width = sum(fonts.width(ch, "regular", size) for ch in note)
    chart_w = payload["size"][0]
    box = axes.get_position()
    room = box.x0 * chart_w - 4
    if width <= room:
        axes.annotate(
            note,
            xy=(0, 1),
            xycoords="axes fraction",
            xytext=(-4, 8),
            textcoords="offset points",
            ha="right",
            va="bottom",
            fontsize=8,
        )
        return
    axes.annotate(
        note,
        xy=(0, 1),
        xycoords=("figure fraction", "axes fraction"),
        xytext=(2, 8),
        textcoords="offset points",
        ha="left",
        va="bottom",
        fontsize=8,
    )
    legend = axes.get_legend()
    if legend is not None:
        start = (2 + width + 8 - box.x0 * chart_w) / (box.width * chart_w)
        legend.set_bbox_to_anchor((start, 1.0), transform=axes.transAxes)


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


def _fit_category_labels(axes: Any, payload: dict[str, Any], labels: list[str]) -> None:
    """Place names under narrow bars never touch: set smaller (down to the style's least
    size, and never below 6.5 pt), else on two lines, broken where JLReq allows."""
    if not labels:
        return
    from matplotlib import rcParams

    size = float(rcParams["xtick.labelsize"])
    least = max(6.5, payload["style"].get("min_font_size") or 0)
    slot = axes.get_position().width * payload["size"][0] / len(labels) - 4
    widest = max(_ems(t) for t in labels)
    if widest * size <= slot:
        return
    fitted = max(least, min(size, slot / widest))
    if widest * fitted > slot:  # too long even when smaller: two lines
        labels = [_two_lines(t) if _ems(t) * fitted > slot else t for t in labels]
        widest = max(_ems(part) for t in labels for part in t.split("\n"))
        fitted = max(least, min(size, slot / widest))
        figure = axes.get_figure()
        room = (2 * fitted * 1.25 + 8) / payload["size"][1]
        figure.subplots_adjust(bottom=max(figure.subplotpars.bottom, room))
    axes.set_xticks(range(len(labels)), labels)
    axes.tick_params(axis="x", labelsize=fitted)


def _ems(text: str) -> float:
    """A label's width in ems, estimated from its characters (Latin about half an em)."""
    return sum(0.56 if ord(ch) < 128 else 1.0 for ch in text)


def _two_lines(text: str) -> str:
    """``text`` broken once, as near its middle as JLReq's line-start/end rules allow."""
    from ..linebreak import may_break_between

    middle = len(text) / 2
    points = [i for i in range(1, len(text)) if may_break_between(text[i - 1], text[i])]
    if not points:
        return text
    best = min(points, key=lambda i: (abs(i - middle), i))
    return text[:best] + "\n" + text[best:]


def _label_room(payload: dict[str, Any], texts: list[str]) -> float:
    """The width (points) of the widest bar label, estimated from its characters."""
    size = max(7.5, payload["style"].get("min_font_size") or 0)
    return max((_ems(t) * size for t in texts), default=0)


def _draw_lines(axes: Any, payload: dict[str, Any]) -> None:
    lines = payload["data"]["lines"]
    colors = _colors(payload, len(lines))
    for i, (name, points) in enumerate(lines.items()):
        xs = [p[0] for p in points]
        ys = [float("nan") if p[1] is None else p[1] for p in points]
        (line,) = axes.plot(
            xs,
            ys,
            label=name,
            color=colors[i],
            linewidth=LINE_WIDTH,
            zorder=2,
            marker=MARKERS[i % len(MARKERS)],
            markersize=MARKER_SIZE,
            linestyle=LINESTYLES[i % len(LINESTYLES)] if payload["gray"] else "-",
        )
        line.set_gid(f"series:{name}")
    axes.yaxis.set_major_locator(_value_locator(7))
    axes.yaxis.set_major_formatter(_tick_formatter(payload))
    xs = sorted({p[0] for points in lines.values() for p in points})
    if xs and all(isinstance(x, int) for x in xs):
        step = 2 if len(xs) > 14 else 1
        axes.set_xticks(xs[::step], [f"{x}" for x in xs[::step]])
    if len(lines) > 1:
        legend = axes.legend(
            loc="lower left", bbox_to_anchor=(0, 1.0), ncols=min(len(lines), 6), borderaxespad=0.2
        )
        for handle, name in zip(legend.legend_handles, lines, strict=True):
            handle.set_gid(f"legend:{name}")


def _draw_bars(axes: Any, payload: dict[str, Any], horizontal: bool = False) -> None:
    bars = payload["data"]["bars"]
    labels = [b[0] for b in bars]
    values = [0 if b[1] is None else b[1] for b in bars]
    base = _colors(payload, 1)[0]
    value_axis = axes.xaxis if horizontal else axes.yaxis
    if horizontal:
        container = axes.barh(labels[::-1], values[::-1], color=base, height=0.6)
        axes.grid(axis="x")
        axes.grid(axis="y", visible=False)
    else:
        container = axes.bar(labels, values, color=base, width=0.6)
        _fit_category_labels(axes, payload, labels)
    for patch, label in zip(container.patches, labels[::-1] if horizontal else labels, strict=True):
        patch.set_gid(f"bar:{label}")
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
