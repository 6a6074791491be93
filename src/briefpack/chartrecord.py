"""Chart recording: a matplotlib Figure → plain drawing operations (no ReportLab needed).

matplotlib lays the chart out and calls this module's renderer for every path and text; the
renderer records them as plain data (cacheable as JSON), which
:class:`briefpack.chartdraw.ChartFlowable` replays onto the PDF canvas.  Text stays text,
measured with the pack's own font metrics, so it is searchable.  A path drawn by an artist
with an id (``set_gid``) carries it, and a marker its centre, so that a drawing can be
re-emphasised without drawing it again (``render.charts.emphasize``).
"""

from __future__ import annotations

from typing import Any

from .fonts import FontSet

Ops = list[dict[str, Any]]
CLOSEPOLY = 79  # matplotlib.path.Path.CLOSEPOLY


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
            self._groups: list[str | None] = []  # the ids of the artists being drawn

        def open_group(self, s, gid=None):  # noqa: ANN001
            self._groups.append(gid)

        def close_group(self, s):  # noqa: ANN001
            if self._groups:
                self._groups.pop()

        def draw_markers(self, gc, marker_path, marker_trans, path, trans, rgbFace=None):  # noqa: ANN001, N803
            """Each marker a path, as the base renderer draws them, with its centre: the
            marker's outline is worked out once and moved to each centre."""
            outline = [
                (int(code), [float(v) for v in verts])
                for verts, code in marker_path.iter_segments(
                    marker_trans, remove_nans=True, simplify=False
                )
            ]
            if not outline:
                return
            paint = self._paint(gc, rgbFace)
            for vertices, _codes in path.iter_segments(trans, simplify=False):
                if len(vertices):
                    x, y = float(vertices[-2]), float(vertices[-1])
                    at = (x, y)
                    segments = [
                        [code, [round(v + at[i % 2], 2) for i, v in enumerate(verts)]]
                        if code != CLOSEPOLY  # its vertex is no point: not moved
                        else [code, [round(v, 2) for v in verts]]
                        for code, verts in outline
                    ]
                    op = {"op": "path", "segments": segments, **paint}
                    op["center"] = [round(x, 2), round(y, 2)]
                    self.ops.append(op)

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

        def _get_font_height_metrics(self, prop):  # noqa: ANN001
            """A line's ascent, descent and gap in ``prop``'s font: what matplotlib (3.11
            on) asks a renderer before reading them from the font's tables for every line
            of text it lays out; worked out here once per font and size (see
            :func:`_line_metrics`)."""
            return _line_metrics(prop)

        def get_text_width_height_descent(self, s, prop, ismath):  # noqa: ANN001
            size = prop.get_size_in_points()
            key = "bold" if _is_bold(prop) else "regular"
            width = sum(self.fonts.width(ch, key, size) for ch in s)
            return width, size, size * 0.12

        def draw_path(self, gc, path, transform, rgbFace=None):  # noqa: ANN001, N803
            segments = [
                [int(code), [round(float(v), 2) for v in verts]]
                for verts, code in path.iter_segments(transform, remove_nans=True, simplify=False)
            ]
            if segments:
                self.ops.append({"op": "path", "segments": segments, **self._paint(gc, rgbFace)})

        def _paint(self, gc, rgbFace) -> dict[str, Any]:  # noqa: ANN001, N803
            """How a path is painted: fill, stroke, line, clip, hatch, and the id of the
            artist it belongs to (a series, a bar: see ``render.charts``)."""
            linewidth = gc.get_linewidth()
            stroke = _rgb(gc.get_rgb()) if linewidth > 0 else None
            alpha = gc.get_alpha()
            fill = _rgb(rgbFace)
            if fill is not None and gc.get_forced_alpha():
                fill[3] = alpha
            if stroke is not None and alpha is not None and alpha < 1:
                stroke[3] = alpha
            offset, dashes = gc.get_dashes()
            paint: dict[str, Any] = {
                "fill": fill,
                "stroke": stroke,
                "width": round(float(linewidth), 3),
                "cap": str(gc.get_capstyle()),
                "join": str(gc.get_joinstyle()),
            }
            if dashes:
                paint["dash"] = [round(float(d), 2) for d in dashes]
            clip = gc.get_clip_rectangle()
            if clip is not None:
                paint["clip"] = [round(float(v), 2) for v in clip.bounds]
            hatch = gc.get_hatch()
            if hatch:
                paint["hatch"] = str(hatch)
            gid = next((g for g in reversed(self._groups) if g), None)
            if gid:
                paint["gid"] = str(gid)
            return paint

        def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):  # noqa: ANN001
            if not s.strip():
                return
            key = "bold" if _is_bold(prop) else "regular"
            self.ops.append(
                {
                    "op": "text",
                    "x": round(float(x), 2),
                    "y": round(float(y), 2),
                    "text": str(self.fonts.clean(s)),
                    "font": key,
                    "size": round(float(prop.get_size_in_points()), 2),
                    "angle": round(float(angle), 2),
                    "color": _rgb(gc.get_rgb()),
                }
            )

    _RENDERER_CLASS = RecordingRenderer
    return RecordingRenderer


_LINE_METRICS: dict[Any, tuple[float | None, float | None, float | None]] = {}


def _line_metrics(prop: Any) -> tuple[float | None, float | None, float | None]:
    """matplotlib's own reading of a font's line metrics (``Text._get_layout``, at the 72 dpi
    every chart is drawn at), remembered per font properties; (None, None, None), which
    makes matplotlib read them itself, where its font lookup is not as expected."""
    if prop in _LINE_METRICS:
        return _LINE_METRICS[prop]
    metrics: tuple[float | None, float | None, float | None] = (None, None, None)
    try:
        from matplotlib.font_manager import fontManager, get_font

        font = get_font(fontManager._find_fonts_by_props(prop))
        for table_name, gap_key, ascent_key, descent_key in (
            ("OS/2", "sTypoLineGap", "sTypoAscender", "sTypoDescender"),
            ("hhea", "lineGap", "ascent", "descent"),
        ):
            table = font.get_sfnt_table(table_name)
            if table is None:
                continue
            units_per_em, dpi = font.get_sfnt_table("head")["unitsPerEm"], 72
            scale = 1 / units_per_em * prop.get_size_in_points() * dpi / 72  # as matplotlib
            metrics = (
                table[ascent_key] * scale,
                -table[descent_key] * scale,
                table[gap_key] * scale,
            )
            break
    except (AttributeError, KeyError, TypeError):
        pass
    _LINE_METRICS[prop.copy()] = metrics
    return metrics


def _is_bold(prop: Any) -> bool:
    weight = prop.get_weight()
    return weight in ("bold", "heavy", "black", "semibold", "demibold", "extra bold") or (
        isinstance(weight, int | float) and weight >= 600
    )
