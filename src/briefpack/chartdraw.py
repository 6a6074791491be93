"""Chart drawing: a matplotlib Figure → recorded vector operations → a ReportLab flowable.

matplotlib lays the chart out and calls this module's renderer for every path and text; the
renderer records them as plain data (cacheable as JSON) and :class:`ChartFlowable` replays
them onto the PDF canvas.  Text stays text, in the pack's own font, so it is searchable.
"""

from __future__ import annotations

from typing import Any

from reportlab.platypus import Flowable

from .fonts import FontSet

Ops = list[dict[str, Any]]


def record_figure(figure: Any, fonts: FontSet) -> Ops:
    """Draw ``figure`` (a matplotlib Figure at dpi 72) into a list of operations."""
    from matplotlib.backend_bases import FigureCanvasBase

    renderer = _recording_renderer_class()(figure.bbox.width, figure.bbox.height, fonts)
    FigureCanvasBase(figure)
    figure.draw(renderer)
    return renderer.ops


def _rgb(color: Any) -> list[float] | None:
    if color is None:
        return None
    values = [round(float(c), 4) for c in color]
    if len(values) == 4 and values[3] == 0:
        return None
    return values[:4] if len(values) == 4 else values + [1.0]


_RENDERER_CLASS: type | None = None


def _recording_renderer_class() -> type:
    """Build the renderer class on first use, so importing this module skips matplotlib."""
    global _RENDERER_CLASS
    if _RENDERER_CLASS is not None:
        return _RENDERER_CLASS
    from matplotlib.backend_bases import GraphicsContextBase, RendererBase

    class RecordingRenderer(RendererBase):
        def __init__(self, width: float, height: float, fonts: FontSet):
            super().__init__()
            self.width, self.height, self.fonts = width, height, fonts
            self.ops: Ops = []

        def flipy(self) -> bool:
            return False

        def get_canvas_width_height(self) -> tuple[float, float]:
            return self.width, self.height

        def points_to_pixels(self, points: float) -> float:
            return points

        def new_gc(self) -> GraphicsContextBase:
            return GraphicsContextBase()

        def option_image_nocomposite(self) -> bool:
            return True

        def draw_image(self, gc, x, y, im, transform=None):  # noqa: ANN001
            raise NotImplementedError("raster images are not allowed in charts")

        def get_text_width_height_descent(self, s, prop, ismath):  # noqa: ANN001
            size = prop.get_size_in_points()
            key = "bold" if _is_bold(prop) else "regular"
            width = sum(self.fonts.width(ch, key, size) for ch in s)
            return width, size, size * 0.12

        def draw_path(self, gc, path, transform, rgbFace=None):  # noqa: ANN001, N803
            segments = []
            for verts, code in path.iter_segments(transform, remove_nans=True, simplify=False):
                segments.append([int(code), [round(float(v), 2) for v in verts]])
            if not segments:
                return
            linewidth = gc.get_linewidth()
            stroke = _rgb(gc.get_rgb()) if linewidth > 0 else None
            alpha = gc.get_alpha()
            fill = _rgb(rgbFace)
            if fill is not None and gc.get_forced_alpha():
                fill[3] = alpha
            if stroke is not None and alpha is not None and alpha < 1:
                stroke[3] = alpha
            offset, dashes = gc.get_dashes()
            op: dict[str, Any] = {
                "op": "path",
                "segments": segments,
                "fill": fill,
                "stroke": stroke,
                "width": round(float(linewidth), 3),
                "cap": gc.get_capstyle(),
                "join": gc.get_joinstyle(),
            }
            if dashes:
                op["dash"] = [round(float(d), 2) for d in dashes]
            clip = gc.get_clip_rectangle()
            if clip is not None:
                op["clip"] = [round(float(v), 2) for v in clip.bounds]
            hatch = gc.get_hatch()
            if hatch:
                op["hatch"] = hatch
            self.ops.append(op)

        def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):  # noqa: ANN001
            if not s.strip():
                return
            key = "bold" if _is_bold(prop) else "regular"
            self.ops.append(
                {
                    "op": "text",
                    "x": round(float(x), 2),
                    "y": round(float(y), 2),
                    "text": self.fonts.clean(s),
                    "font": key,
                    "size": round(float(prop.get_size_in_points()), 2),
                    "angle": round(float(angle), 2),
                    "color": _rgb(gc.get_rgb()),
                }
            )

    _RENDERER_CLASS = RecordingRenderer
    return RecordingRenderer


def _is_bold(prop: Any) -> bool:
    weight = prop.get_weight()
    return weight in ("bold", "heavy", "black", "semibold", "demibold", "extra bold") or (
        isinstance(weight, int | float) and weight >= 600
    )


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

    def __init__(self, ops: Ops, width: float, height: float, fonts: FontSet):
        super().__init__()
        self.ops, self.width, self.height, self.fonts = ops, width, height, fonts

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
