"""N-up: a PDF's pages → two per sheet of the same paper turned (A4 pages at 71 %).

Landscape pages are stacked on a portrait sheet, portrait pages set side by side on a
landscape one; a thin rule separates the two.  Text must stay readable once scaled: nothing
on the sheet is set below :data:`MIN_SHEET_TEXT_PT`, so :func:`style_for_two_up` raises every
text size of the style (and the charts' smallest labels) to what the scale requires.
"""

from __future__ import annotations

import io
import math
from typing import Any

MIN_SHEET_TEXT_PT = 6.0  # the smallest text on a 2-up sheet, as printed
RULE_GRAY = 0.55  # the separator rule: a light grey hairline
RULE_WIDTH = 0.4


def two_up_scale(width: float, height: float) -> float:
    """The scale at which two pages of ``width`` × ``height`` fit one sheet of that paper."""
    long, short = max(width, height), min(width, height)
    return min(short / long, (long / 2) / short)


def minimum_page_text(style: Any) -> float:
    """The smallest text size (pt) on a page that prints at least 6 pt on a 2-up sheet
    (A4: 8.5 pt), rounded up to half a point."""
    scale = two_up_scale(*style.page_size)
    return math.ceil(MIN_SHEET_TEXT_PT / scale * 2 - 1e-9) / 2


def style_for_two_up(style: Any) -> Any:
    """``style`` with every text size raised to :func:`minimum_page_text`: body, notes, table
    cells (leading kept at least 1.4 times the size) and ``[chart] min_font_size``, which the
    charts apply to every label (ticks, legend, bar values, unit)."""
    import copy

    from .style import Style

    minimum = minimum_page_text(style)
    raw = copy.deepcopy(style.raw)
    text, table, chart = raw["text"], raw["table"], raw["chart"]
    for size_key, leading_key in (
        ("body_size", "body_leading"),
        ("small_size", "small_leading"),
        ("note_size", "small_leading"),
    ):
        if text[size_key] < minimum:
            text[size_key] = minimum
            text[leading_key] = max(text[leading_key], minimum * 1.4)
    if table["font_size"] < minimum:
        table["font_size"] = minimum
        table["leading"] = max(table["leading"], minimum * 1.4)
    chart["min_font_size"] = max(float(chart.get("min_font_size", 0)), minimum)
    return Style(style.name, style.folder, raw, style.path)


def two_up(pdf: bytes) -> bytes:
    """Two pages per sheet, in reading order (top then bottom, or left then right), with a
    separator rule between them; 10.5 pt body text prints at about 7.4 pt."""
    from pypdf import PdfReader, PdfWriter, Transformation
    from pypdf.generic import ContentStream

    reader = PdfReader(io.BytesIO(pdf))
    pages = list(reader.pages)
    width = float(pages[0].mediabox.width)
    height = float(pages[0].mediabox.height)
    sheet_w, sheet_h = height, width  # the same paper, turned
    stacked = width >= height  # landscape pages: one above the other
    scale = two_up_scale(width, height)
    w, h = width * scale, height * scale
    if stacked:
        slots = [
            ((sheet_w - w) / 2, sheet_h / 2 + (sheet_h / 2 - h) / 2),
            ((sheet_w - w) / 2, (sheet_h / 2 - h) / 2),
        ]
        margin = (sheet_w - w) / 2 + w * 0.04
        rule = (margin, sheet_h / 2, sheet_w - margin, sheet_h / 2)
    else:
        slots = [
            ((sheet_w / 2 - w) / 2, (sheet_h - h) / 2),
            (sheet_w / 2 + (sheet_w / 2 - w) / 2, (sheet_h - h) / 2),
        ]
        margin = (sheet_h - h) / 2 + h * 0.04
        rule = (sheet_w / 2, margin, sheet_w / 2, sheet_h - margin)
    writer = PdfWriter()
    for i in range(0, len(pages), 2):
        sheet = writer.add_blank_page(sheet_w, sheet_h)
        pair = pages[i : i + 2]
        if len(pair) == 2:  # a last page alone on its sheet needs no separator
            x0, y0, x1, y1 = rule
            stream = ContentStream(None, None)
            line = f"{x0:.2f} {y0:.2f} m {x1:.2f} {y1:.2f} l"
            stream.set_data(f"q {RULE_GRAY} G {RULE_WIDTH} w {line} S Q\n".encode("ascii"))
            sheet.replace_contents(stream)
        for page, (x, y) in zip(pair, slots, strict=False):
            sheet.merge_transformed_page(page, Transformation().scale(scale).translate(x, y))
    writer.add_metadata({k: v for k, v in (reader.metadata or {}).items()})
    writer._ID = None  # no random file identifier: same input, same bytes
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
