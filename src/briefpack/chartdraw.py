"""Chart replay: recorded drawing operations (see :mod:`briefpack.chartrecord`) → a flowable.

:class:`ChartFlowable` replays a chart's operations onto the PDF canvas at its natural size.
Text stays text, in the pack's own font, so it is searchable.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reportlab.platypus import Flowable

from .chartrecord import Ops
from .fonts import FontSet

CAPS = {"butt": 0, "round": 1, "projecting": 2}
JOINS = {"miter": 0, "round": 1, "bevel": 2}


class ChartFlowable(Flowable):
    """Replays recorded chart operations at their natural size.

    In a tagged PDF the whole chart is one ``Figure`` whose alternative text is ``alt_text``
    (the chart in words, composed from the data it draws; ``tag_alt`` when given by
    ``render.tags.tagged``), with its bounding box on the page.
    """

    alt_text: str = ""
    tag_alt: str | None = None
    is_chart = True

    def __init__(self, ops: Ops | Callable[[], Ops], width: float, height: float, fonts: FontSet):
        """``ops`` may be given late, as a function called when the chart is first drawn
        (a chart drawn in another process is waited for only when its page is drawn)."""
        super().__init__()
        self._ops, self.width, self.height, self.fonts = ops, width, height, fonts

    @property
    def ops(self) -> Ops:
        if callable(self._ops):
            self._ops = self._ops()
        return self._ops

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        return self.width, self.height

    def draw(self) -> None:
        canvas = self.canv
        tags = getattr(canvas, "tags", None)
        marked = tags.figure(self, self.width, self.height) if tags is not None else False
        for op in self.ops:
            canvas.saveState()
            if op["op"] == "path":
                _draw_path(canvas, op)
            else:
                _draw_text(canvas, op, self.fonts)
            canvas.restoreState()
        if marked:
            tags.end(marked)


def _set_color(canvas: Any, rgba: list[float], fill: bool) -> None:
    r, g, b, a = rgba
    if fill:
        canvas.setFillColorRGB(r, g, b)
        if a < 1:
            canvas.setFillAlpha(a)
    else:
        canvas.setStrokeColorRGB(r, g, b)
        if a < 1:
            canvas.setStrokeAlpha(a)


def _draw_path(canvas: Any, op: dict[str, Any]) -> None:
    if "clip" in op:
        x, y, w, h = op["clip"]
        clip = canvas.beginPath()
        clip.rect(x, y, w, h)
        canvas.clipPath(clip, stroke=0, fill=0)
    path = canvas.beginPath()
    current = (0.0, 0.0)
    for code, v in op["segments"]:
        if code == 1:
            path.moveTo(v[0], v[1])
            current = (v[0], v[1])
        elif code == 2:
            path.lineTo(v[0], v[1])
            current = (v[0], v[1])
        elif code == 3:  # quadratic → cubic
            (x0, y0), (qx, qy), (x3, y3) = current, (v[0], v[1]), (v[2], v[3])
            path.curveTo(
                x0 + 2 / 3 * (qx - x0),
                y0 + 2 / 3 * (qy - y0),
                x3 + 2 / 3 * (qx - x3),
                y3 + 2 / 3 * (qy - y3),
                x3,
                y3,
            )
            current = (x3, y3)
        elif code == 4:
            path.curveTo(*v)
            current = (v[4], v[5])
        elif code == 79:
            path.close()
    fill, stroke = op["fill"], op["stroke"]
    if fill:
        _set_color(canvas, fill, fill=True)
    if stroke:
        _set_color(canvas, stroke, fill=False)
        canvas.setLineWidth(op["width"])
        canvas.setLineCap(CAPS.get(op["cap"], 0))
        canvas.setLineJoin(JOINS.get(op["join"], 0))
        if op.get("dash"):
            canvas.setDash(op["dash"])
    canvas.drawPath(path, stroke=1 if stroke else 0, fill=1 if fill else 0)
    if op.get("hatch"):
        _draw_hatch(canvas, path, op)


def _draw_hatch(canvas: Any, path: Any, op: dict[str, Any]) -> None:
    """Diagonal or crossed hatching inside the path (for black-and-white printing)."""
    xs = [v[i] for _, v in op["segments"] for i in range(0, len(v), 2)]
    ys = [v[i] for _, v in op["segments"] for i in range(1, len(v), 2)]
    if not xs:
        return
    canvas.clipPath(path, stroke=0, fill=0)
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    canvas.setStrokeColorRGB(0, 0, 0)
    canvas.setLineWidth(0.5)
    canvas.setDash([])
    step = 4.0
    span = (x1 - x0) + (y1 - y0)
    hatch = op["hatch"]
    n = int(span / step) + 2
    for i in range(n):
        d = i * step
        if "/" in hatch or "x" in hatch:
            canvas.line(x0 + d - (y1 - y0), y0, x0 + d, y1)
        if "\\" in hatch or "x" in hatch:
            canvas.line(x0 + d - (y1 - y0), y1, x0 + d, y0)
        if "-" in hatch and d <= y1 - y0:
            canvas.line(x0, y0 + d, x1, y0 + d)
        if "|" in hatch and d <= x1 - x0:
            canvas.line(x0 + d, y0, x0 + d, y1)


def _draw_text(canvas: Any, op: dict[str, Any], fonts: FontSet) -> None:
    color = op["color"] or [0, 0, 0, 1]
    _set_color(canvas, color, fill=True)
    canvas.translate(op["x"], op["y"])
    if op["angle"]:
        canvas.rotate(op["angle"])
    canvas.setFont(fonts.name(op["font"]), op["size"])
    canvas.drawString(0, 0, op["text"])
