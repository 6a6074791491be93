"""Plan items → ReportLab flowables: headings, text, lists, ruled tables, charts, captions."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from reportlab.lib.colors import HexColor
from reportlab.platypus import Flowable, Spacer, Table, TableStyle

from ..fonts import FontSet
from ..pack import model
from ..style import Style
from ..typeset import Bullet, JText, TextStyle, runs_from_text
from .compose import MIN_FILL, Composed, RuledTable, chart_floor
from .geometry import GUTTER, column_widths
from .tags import tagged


@dataclass
class RenderContext:
    """What rendering may use: the look, the fonts, the frame, the chart cache."""

    style: Style
    fonts: FontSet
    frame_width: float
    frame_height: float
    chart_cache: Any = None

    def text_style(self, kind: str = "body", **overrides: Any) -> TextStyle:
        # Running text in the proportional family; table cells keep fixed-width figures.
        t, c = self.style["text"], self.style["colors"]
        base = {
            "body": TextStyle(t["body_size"], t["body_leading"], c["text"], family="text"),
            "small": TextStyle(t["small_size"], t["small_leading"], c["text"], family="text"),
            "note": TextStyle(
                t["note_size"], t["small_leading"], c["muted"], align="left", family="text"
            ),
            "heading": TextStyle(
                t["heading_size"],
                t["heading_size"] * 1.5,
                c["accent"],
                "left",
                "bold",
                family="text",
            ),
            "cell": TextStyle(
                self.style["table"]["font_size"],
                self.style["table"]["leading"],
                c["text"],
                family="tabular",
            ),
        }[kind]
        return TextStyle(**{**base.__dict__, **overrides})


def kept_together(block: model.Block, rc: RenderContext, lead: list[Flowable]) -> Flowable:
    """The block as one :class:`Composed` flowable that knows where a page may break."""
    parts: list[Flowable] = []
    breakable: list[bool] = []
    glued = True  # nothing may break before the first part, nor right after a heading
    for f in lead:
        parts.append(f)
        breakable.append(False)
    for item in block.items:
        for f in item_flowables(item, rc):
            stays = glued or isinstance(item, model.Caption | model.Gap)
            parts.append(f)
            breakable.append(not stays)
            glued = isinstance(item, model.Heading | model.UnitLine)
        if not isinstance(item, model.Heading | model.UnitLine):
            glued = False
    return Composed(
        parts, breakable, block.type, rc.frame_height, least_scale=chart_floor(rc.style)
    )


def item_flowables(item: Any, rc: RenderContext) -> list[Flowable]:
    """An item's flowables, marked with what it is (heading, table, figure…) for the tags."""
    return tagged(_item_flowables(item, rc), item.role, getattr(item, "alt", None))


def _item_flowables(item: Any, rc: RenderContext) -> list[Flowable]:
    if isinstance(item, model.Heading):
        style = rc.text_style("heading", space_before=4, space_after=4)
        return [JText(runs_from_text(item.text, "bold"), style, rc.fonts)]
    if isinstance(item, model.Paragraph):
        style = rc.text_style(item.kind, space_after=4)
        return [JText(runs_from_text(item.text), style, rc.fonts)]
    if isinstance(item, model.Bullets):
        return bullet_list(rc, list(item.items), item.mark, item.kind)
    if isinstance(item, model.UnitLine):
        return [JText(f"（単位：{item.unit}）", rc.text_style("note"), rc.fonts)]
    if isinstance(item, model.TableItem):
        return tables(rc, item)
    if isinstance(item, model.ChartItem):
        from .charts import chart_flowable

        return [chart_flowable(item, rc)]
    if isinstance(item, model.Caption):
        return caption(rc, item)
    if isinstance(item, model.Box):
        return [boxed(rc, item)]
    if isinstance(item, model.Gap):
        return [Spacer(1, item.size)]
    if isinstance(item, model.SideBySide):
        return [side_by_side(rc, item)]
    raise TypeError(f"cannot render {type(item).__name__}")


BULLET_GAP_EM = 0.4  # between a bullet mark's ink and its text, in times the text size


def bullet_list(
    rc: RenderContext, items: list[str], mark: str = "・", kind: str = "body"
) -> list[Flowable]:
    """Items hung beside ``mark``: the text (first and continuation lines alike) starts
    ``BULLET_GAP_EM`` after the right edge of the mark's ink in the font it is drawn in, so
    that ・ (half an em wide in the proportional family, its dot in the middle), ▶ and ✓
    all leave the same gap.  Without a mark the items are not indented."""
    style = rc.text_style(kind, space_after=3)
    mark = rc.fonts.clean(mark) if mark.strip() else ""
    indent = _mark_extent(rc.fonts, mark, style) + style.size * BULLET_GAP_EM if mark else 0.0
    return [Bullet(mark, JText(runs_from_text(item), style, rc.fonts), indent) for item in items]


def _mark_extent(fonts: FontSet, mark: str, style: TextStyle) -> float:
    """Where the ink of ``mark`` ends, drawn from x = 0 in ``style``'s regular face: the
    advances of all but its last character, plus that one's glyph box (from the font's
    ``glyf`` table), else its advance when the font has no outline for it."""
    import struct

    from reportlab.pdfbase import pdfmetrics

    name = fonts.name("regular", style.family)
    lead = sum(fonts.width(ch, "regular", style.size, style.family) for ch in mark[:-1])
    last = fonts.width(mark[-1], "regular", style.size, style.family)
    try:
        face = pdfmetrics.getFont(name).face
        glyph = face.charToGlyph[ord(mark[-1])]
        start = face.table["glyf"]["offset"] + face.glyphPos[glyph]
        if face.glyphPos[glyph + 1] > face.glyphPos[glyph]:  # an outline, not a space
            x_max = struct.unpack(">h", face._ttf_data[start + 6 : start + 8])[0]
            last = x_max * style.size / face.unitsPerEm
    except (AttributeError, KeyError, IndexError, TypeError, struct.error):
        pass  # not a TrueType outline font as parsed here: the advance width
    return lead + last


def caption(rc: RenderContext, item: model.Caption) -> list[Flowable]:
    style = rc.text_style("note", space_after=0)
    out: list[Flowable] = []
    if item.sources:
        out.append(JText(item.source_line(), style, rc.fonts))
    labels = item.note_labels()
    indent = rc.style["text"]["note_size"] * max((len(label) for label in labels), default=0)
    for label, note in zip(labels, item.notes, strict=True):
        out.append(Bullet(label, JText(note, style, rc.fonts), indent))
    return out


def boxed(rc: RenderContext, item: model.Box) -> Flowable:
    """A コラム in a ruled box, two columns of 35–45 characters (see render/box.py)."""
    from .box import BoxedColumn

    body = rc.text_style("body", space_after=0)
    heading = rc.text_style("heading", space_after=0)
    title = f"{item.label}　{item.title}" if item.label else item.title
    return BoxedColumn(title, list(item.paragraphs), body, heading, rc.fonts, rc.style["colors"])


def tables(rc: RenderContext, item: model.TableItem) -> list[Flowable]:
    """A table item as one table, or several when its figures would not fit across.

    A column of figures is never narrower than its widest figure: a year table too wide
    for the frame is cut into blocks of as many years as fit, the label column repeated.
    """
    frame = rc.frame_width
    pad = rc.style["table"]["padding"]
    if item.widths:
        widths = [w * frame for w in item.widths]
        return [_ruled(rc, item, item.header, item.body, widths)]
    if not item.label_width:
        return [_ruled(rc, item, item.header, item.body, None)]
    bold = rc.text_style("cell", font="bold")
    cell = rc.text_style("cell")
    label_w = max(
        JText(t, bold, rc.fonts).natural_width()
        for t in [item.header[0], *(r[0] for r in item.body)]
    )
    label_w = min(label_w + 2 * pad + 2, frame * 0.25 if len(item.header) == 2 else frame * 0.4)
    if len(item.header) == 2:
        return [_ruled(rc, item, item.header, item.body, [label_w, frame - label_w])]
    need = max(
        JText(text, bold if i == 0 else cell, rc.fonts).natural_width() + 2 * pad + 2
        for row in [item.header, *item.body]
        for i, text in enumerate(row[1:])
    )
    columns = len(item.header) - 1
    per_table = max(1, min(columns, int((frame - label_w) // need)))
    per_table = -(-columns // -(-columns // per_table))  # as even as they fit: 9+9+7, not 12+12+1
    out: list[Flowable] = []
    for start in range(1, columns + 1, per_table):
        cols = [0, *range(start, min(start + per_table, columns + 1))]
        header = tuple(item.header[c] for c in cols)
        body = tuple(tuple(row[c] for c in cols) for row in item.body)
        rest = (frame - label_w) / max(per_table, 1)
        if out:
            out.append(Spacer(1, 4))
        out.append(_ruled(rc, item, header, body, [label_w] + [rest] * (len(cols) - 1)))
    return out


def _ruled(
    rc: RenderContext,
    item: model.TableItem,
    header: tuple[str, ...],
    body: tuple[tuple[str, ...], ...],
    widths: list[float] | None,
) -> Table:
    numeric = list(item.numeric)
    if item.label_width:  # a label column, then figures (or text: a timeline)
        numeric = [False] + [any(item.numeric)] * (len(header) - 1)
    table = ruled_table(
        rc, list(header), [list(r) for r in body], list(numeric), widths, highlight=item.highlight
    )
    table.group_starts = frozenset(item.groups)
    return table


def ruled_table(
    rc: RenderContext,
    header: list[str],
    body: list[list[str]],
    numeric: list[bool],
    widths: list[float] | None = None,
    header_rows: int = 1,
    highlight: tuple[int, ...] = (),
) -> Table:
    """A table of JText cells: header shaded and repeated on every page, numbers right-aligned."""
    cell = rc.text_style("cell", align="left")
    head_style = rc.text_style("cell", align="center", font="bold")
    pad = rc.style["table"]["padding"]
    if widths is None:
        widths = _auto_widths(rc, header, body, numeric, rc.frame_width, pad)
    data: list[list[Any]] = [[JText(h, head_style, rc.fonts) for h in header]]
    styles = {  # (bold, numeric) → the cell's style: figures right-aligned, text justified
        (bold, n): replace(cell, align="right" if n else "justify", font=font)
        for bold, font in ((False, "regular"), (True, "bold"))
        for n in (False, True)
    }
    for i, values in enumerate(body):
        bold = i in highlight
        data.append(
            [
                JText(v, styles[bold, bool(n)], rc.fonts)
                for v, n in zip(values, numeric, strict=True)
            ]
        )
    colors = rc.style["colors"]
    commands: list[tuple] = [
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), pad),
        ("RIGHTPADDING", (0, 0), (-1, -1), pad),
        ("TOPPADDING", (0, 0), (-1, -1), pad * 0.6),
        ("BOTTOMPADDING", (0, 0), (-1, -1), pad * 0.6),
        ("BACKGROUND", (0, 0), (-1, header_rows - 1), HexColor(colors["header_fill"])),
        ("LINEABOVE", (0, 0), (-1, 0), 0.9, HexColor(colors["rule"])),
        ("LINEBELOW", (0, header_rows - 1), (-1, header_rows - 1), 0.7, HexColor(colors["rule"])),
        ("LINEBELOW", (0, -1), (-1, -1), 0.9, HexColor(colors["rule"])),
        ("INNERGRID", (0, header_rows), (-1, -1), 0.3, HexColor(colors["light_rule"])),
        ("FONT", (0, 0), (-1, -1), rc.fonts.regular, rc.style["table"]["font_size"]),
    ]
    for i in range(header_rows + 1, len(data), 2):
        commands.append(("BACKGROUND", (0, i), (-1, i), HexColor(colors["stripe_fill"])))
    for i in highlight:
        commands.append(
            (
                "BACKGROUND",
                (0, i + header_rows),
                (-1, i + header_rows),
                HexColor(colors["header_fill"]),
            )
        )
    # splitInRow: a cell taller than a page (a very long timeline entry) splits across pages.
    result = RuledTable(data, colWidths=widths, repeatRows=header_rows, hAlign="LEFT", splitInRow=1)
    result.setStyle(TableStyle(commands))
    return result


def _auto_widths(
    rc: RenderContext,
    header: list[str],
    body: list[list[str]],
    numeric: list[bool],
    frame: float,
    pad: float,
) -> list[float]:
    """Numbers and short labels get their natural width; long text shares the rest."""
    cell = rc.text_style("cell")
    bold = rc.text_style("cell", font="bold")
    natural = []
    for j in range(len(header)):
        values = [JText(r[j], cell, rc.fonts).natural_width() for r in body] or [0.0]
        head = JText(header[j], bold, rc.fonts).natural_width()
        natural.append(
            max(max(values), head if numeric[j] else min(head, 6 * cell.size)) + 2 * pad + 1
        )
    if sum(natural) <= frame:
        return natural
    fixed = [w if (numeric[j] or w < frame * 0.18) else None for j, w in enumerate(natural)]
    flexible = [j for j, w in enumerate(fixed) if w is None]
    room = frame - sum(w for w in fixed if w is not None)
    if not flexible or room < frame * 0.25:
        return [frame / len(header)] * len(header)
    total_flex = sum(natural[j] for j in flexible)
    return [w if w is not None else room * natural[j] / total_flex for j, w in enumerate(fixed)]


def side_by_side(rc: RenderContext, item: model.SideBySide) -> Flowable:
    widths = column_widths(rc.frame_width, item)
    columns = []
    for cell, width in zip(item.cells, widths, strict=True):
        sub = replace(rc, frame_width=width)
        columns.append([kept_together(model.Block("cell", tuple(cell)), sub, [])])
    return SideBySide(columns, widths, GUTTER, rc.frame_height)


class SideBySide(Flowable):
    """Columns of flowables next to each other, kept together (a chart and its table, a
    table and the quotations beside it) on the next page when the row fits a page and the
    page it leaves is full enough; else stacked one after another (``frame_height``: the
    page's; None, always stacked)."""

    def __init__(
        self,
        columns: list[list[Flowable]],
        widths: list[float],
        gutter: float,
        frame_height: float | None = None,
    ):
        super().__init__()
        self.columns, self.widths, self.gutter = columns, widths, gutter
        self.frame_height = frame_height
        self._heights: list[float] = []

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        self._heights = [
            sum(_height(f, w, availHeight) for f in column)
            for column, w in zip(self.columns, self.widths, strict=True)
        ]
        self.width, self.height = availWidth, max(self._heights, default=0.0)
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:  # noqa: N803
        if self.frame_height is not None:
            _, height = self.wrap(availWidth, self.frame_height)
            if height <= self.frame_height:
                # the row fits a page: it moves on whole, unless that would leave this page
                # short (then the columns stack: the chart with its 出所 here, its table
                # under it on the next page)
                if availHeight <= (1 - MIN_FILL) * self.frame_height:
                    return []
        # Too tall for the frame: the columns one after the other, each keeping its rules.
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
