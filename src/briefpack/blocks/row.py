"""Row block: several blocks side by side (a chart beside its table), each in its own column."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from reportlab.platypus import Flowable

from . import REGISTRY, block

GUTTER = 14.0


@block("row", {"blocks", "widths"})
def row(spec: dict[str, Any], ctx: Any) -> list[Flowable] | None:
    parts = spec["blocks"]
    shares = spec.get("widths") or [1 / len(parts)] * len(parts)
    usable = ctx.frame_width - GUTTER * (len(parts) - 1)
    widths = [usable * s for s in shares]
    cells: list[list[Flowable]] = []
    for part, width in zip(parts, widths, strict=True):
        sub = replace(ctx, frame_width=width)  # shares ctx's record of datasets used and log
        built = REGISTRY[part["type"]]({**part, **_inherited(spec, part)}, sub)
        cells.append(built or [])
    if not any(cells):
        return None
    return [SideBySide(cells, widths, GUTTER)]


class SideBySide(Flowable):
    """Columns of flowables next to each other; stacked one after another when too tall."""

    def __init__(self, columns: list[list[Flowable]], widths: list[float], gutter: float):
        super().__init__()
        self.columns, self.widths, self.gutter = columns, widths, gutter
        self._heights: list[float] = []

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        self._heights = [
            sum(_height(f, w, availHeight) for f in column)
            for column, w in zip(self.columns, self.widths, strict=True)
        ]
        self.width, self.height = availWidth, max(self._heights, default=0.0)
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:  # noqa: N803
        # Too tall for the frame: give up the columns and let each flowable flow on its own.
        return [f for column in self.columns for f in column]

    def draw(self) -> None:
        x = 0.0
        for column, width in zip(self.columns, self.widths, strict=True):
            y = self.height
            for f in column:
                _, h = f.wrap(width, self.height)
                y -= f.getSpaceBefore()
                y -= h
                f.drawOn(self.canv, x, y)
                y -= f.getSpaceAfter()
            x += width + self.gutter


def _height(f: Flowable, width: float, avail: float) -> float:
    _, h = f.wrap(width, avail)
    return h + f.getSpaceBefore() + f.getSpaceAfter()


def _inherited(spec: dict[str, Any], part: dict[str, Any]) -> dict[str, Any]:
    """``scope`` and ``where`` set on the row apply to every block in it."""
    out = {}
    for key in ("scope", "where"):
        if key in spec and key not in part:
            out[key] = spec[key]
    return out
