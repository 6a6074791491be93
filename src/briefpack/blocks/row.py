"""Row block: several blocks side by side (a chart beside its table), each in its own column."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from reportlab.platypus import Flowable, Table, TableStyle

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
    col_widths = []
    data: list[Any] = []
    for i, (cell, width) in enumerate(zip(cells, widths, strict=True)):
        if i:
            data.append("")
            col_widths.append(GUTTER)
        data.append(cell)
        col_widths.append(width)
    table = Table([data], colWidths=col_widths, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                # Table's default cell font is Helvetica: name the pack's font instead.
                ("FONT", (0, 0), (-1, -1), ctx.fonts.regular, 8),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return [table]


def _inherited(spec: dict[str, Any], part: dict[str, Any]) -> dict[str, Any]:
    """``scope`` and ``where`` set on the row apply to every block in it."""
    out = {}
    for key in ("scope", "where"):
        if key in spec and key not in part:
            out[key] = spec[key]
    return out
