"""Geometry a plan is laid out in: the body frame of a style, column gutters, chart sizes.

Standard library only: the chart drawer works out a pack's charts (their sizes are part of
what draws them) before ReportLab is imported.
"""

from __future__ import annotations

from ..pack import model
from ..style import MM, Style

GUTTER = 14.0  # between side-by-side columns (points)


def frame_size(style: Style) -> tuple[float, float]:
    """The body frame (width, height) of a page of ``style``."""
    page_w, page_h = style.page_size
    return (
        page_w - style.margin("left") - style.margin("right"),
        page_h - style.margin("top") - style.margin("bottom"),
    )


def column_widths(frame_width: float, item: model.SideBySide) -> list[float]:
    usable = frame_width - GUTTER * (len(item.cells) - 1)
    return [usable * share for share in item.shares]


def chart_size(
    item: model.ChartItem, style: Style, frame_width: float, frame_height: float
) -> tuple[float, float]:
    """A chart's drawn size: the style's, within the frame (a small chart is lower)."""
    chart = style["chart"]
    width = min(chart["width_mm"] * MM, frame_width)
    height_mm = chart["height_mm"]
    if item.size == "small":
        height_mm = chart.get("small_height_mm", height_mm * 0.6)
    return width, min(height_mm * MM, frame_height * 0.62)
