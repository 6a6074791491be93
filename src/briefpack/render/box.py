"""Boxed columns (コラム): a ruled frame, its title, and paragraphs at a reading measure.

Running text across a whole landscape page is about 80 characters a line, twice what reads
comfortably.  A コラム is set in two columns of 35–45 characters inside its frame when the
frame is wide enough (landscape), else in one column narrowed to that measure (portrait).
The lines are balanced between the columns; a box taller than the room left on a page
splits between lines and goes on in a frame of its own on the next page.
"""

from __future__ import annotations

from dataclasses import replace

from reportlab.lib.colors import HexColor
from reportlab.platypus import Flowable

from ..fonts import FontSet
from ..linebreak import Line
from ..typeset import JText, TextStyle, runs_from_text

MEASURE = (35, 45)  # characters a line
GUTTER_EM = 2.0  # between the two columns, in characters
PAD_EM = 1.0  # inside the frame
PARAGRAPH_GAP = 0.5  # between paragraphs, in lines
MIN_SIZE_SHARE = 0.9  # the text may be set this much smaller to reach the measure in two columns


def box_style(body: TextStyle, avail: float) -> tuple[TextStyle, float, int]:
    """The text style, column width and number of columns for a box ``avail`` wide.

    Two columns when each holds at least 35 characters, the text set down to 90 % of the body
    size to get there (A4 landscape: 10 pt in two columns of 35); else one column of at most
    45 characters.
    """
    # the size at which two columns hold exactly 35 characters each
    fitting = avail / (2 * MEASURE[0] + 2 * PAD_EM + GUTTER_EM)
    if fitting >= body.size * MIN_SIZE_SHARE:
        size = min(body.size, fitting)
        style = replace(body, size=size, leading=body.leading * size / body.size)
        column = (avail - (2 * PAD_EM + GUTTER_EM) * size) / 2
        return style, min(column, MEASURE[1] * size), 2
    column = min(avail - 2 * PAD_EM * body.size, MEASURE[1] * body.size)
    return body, column, 1


class BoxedColumn(Flowable):
    """A titled, ruled box of paragraphs set in one or two columns at a reading measure."""

    def __init__(
        self,
        title: str | None,
        paragraphs: list[str] | None,
        body: TextStyle,
        heading: TextStyle,
        fonts: FontSet,
        colors: dict[str, str],
        lines: list[list[Line]] | None = None,
        continued: bool = False,
    ):
        super().__init__()
        self.title, self.base, self.heading = title, body, heading
        self.body = body  # the style the text is set in (see :func:`box_style`)
        self.fonts, self.colors = fonts, colors
        self.paragraphs = paragraphs or []
        self.continued = continued
        self._given = lines  # lines already broken (the rest of a split box)
        self._layout: tuple[float, int, float] | None = None  # (column width, columns, width)
        self._lines: list[list[Line]] = []
        self.spaceAfter = body.size * 0.5

    # ----------------------------------------------------------------- geometry
    def _geometry(self, avail: float) -> tuple[float, int, float]:
        self.body, column, count = box_style(self.base, avail)
        size = self.body.size
        width = count * column + (count - 1) * GUTTER_EM * size + 2 * PAD_EM * size
        return column, count, width

    def _paragraph_lines(self, column: float) -> list[list[Line]]:
        if self._given is not None:
            return self._given
        return [
            JText(runs_from_text(p), self.body, self.fonts).lines_for(column)
            for p in self.paragraphs
        ]

    def _title_height(self) -> float:
        return self.heading.leading * 1.15 if self.title else 0.0

    def _columns(self, lines: list[list[Line]], count: int) -> list[list[tuple[int, int, int]]]:
        """(paragraph, first line, end line) pieces of each column, the lines balanced."""
        slots = sum(len(p) for p in lines) + PARAGRAPH_GAP * max(len(lines) - 1, 0)
        target = slots / count
        columns: list[list[tuple[int, int, int]]] = [[] for _ in range(count)]
        filled, col = 0.0, 0
        for p_no, para in enumerate(lines):
            start = 0
            if filled and col < count:
                filled += PARAGRAPH_GAP
            while start < len(para):
                room = len(para) - start
                if col < count - 1:
                    room = min(room, max(int(round(target - filled)), 0))
                    # no single line left behind at either side of a column break
                    if room == 1 and len(para) - start > 1:
                        room = 0 if len(para) - start > 2 else 2
                    elif room == len(para) - start - 1 and room > 1:
                        room -= 1
                if room <= 0:
                    col, filled = col + 1, 0.0
                    continue
                columns[col].append((p_no, start, start + room))
                filled += room
                start += room
        return columns

    def _column_height(self, pieces: list[tuple[int, int, int]]) -> float:
        leading = self.body.leading
        lines = sum(end - start for _, start, end in pieces)
        gaps = sum(1 for i in range(1, len(pieces)) if pieces[i][0] != pieces[i - 1][0])
        return (lines + PARAGRAPH_GAP * gaps) * leading

    # ----------------------------------------------------------------- flowable
    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        column, count, width = self._geometry(availWidth)
        self._layout = (column, count, width)
        self._lines = self._paragraph_lines(column)
        self._pieces = self._columns(self._lines, count)
        pad = PAD_EM * self.body.size
        body = max((self._column_height(c) for c in self._pieces), default=0.0)
        self.width, self.height = width, pad * 2 + self._title_height() + body
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:  # noqa: N803
        column, _, _ = self._geometry(availWidth)
        flat = [(i, line) for i, para in enumerate(self._paragraph_lines(column)) for line in para]

        def fits(n: int) -> bool:
            box = self._copy(_grouped(flat[:n]), self.continued)
            return box.wrap(availWidth, availHeight)[1] <= availHeight + 1e-6

        low, high = 0, len(flat)  # the most lines that fit on this page (columns balanced)
        while low < high:
            mid = (low + high + 1) // 2
            low, high = (mid, high) if fits(mid) else (low, mid - 1)
        n = low
        while 0 < n < len(flat) and (_orphan(flat, n) or _widow(flat, n)):
            n -= 1  # no paragraph leaves a single line on either side of the break
        if n < 3 or n >= len(flat):
            return []
        return [
            self._copy(_grouped(flat[:n]), self.continued),
            self._copy(_grouped(flat[n:]), True),
        ]

    def _copy(self, lines: list[list[Line]], continued: bool) -> BoxedColumn:
        return BoxedColumn(
            self.title,
            None,
            self.base,
            self.heading,
            self.fonts,
            self.colors,
            lines=lines,
            continued=continued,
        )

    def draw(self) -> None:
        column, count, width = self._layout or self._geometry(self.width)
        canvas = self.canv
        size = self.body.size
        pad, gutter = PAD_EM * size, GUTTER_EM * size
        canvas.saveState()
        canvas.setFillColor(HexColor(self.colors.get("stripe_fill", "#f7f7f7")))
        canvas.setStrokeColor(HexColor(self.colors.get("rule", "#333333")))
        canvas.setLineWidth(0.6)
        canvas.rect(0, 0, width, self.height, stroke=1, fill=1)
        canvas.restoreState()
        top = self.height - pad
        if self.title:
            title = self.title + ("（続き）" if self.continued else "")
            heading = JText(runs_from_text(title, "bold"), self.heading, self.fonts)
            _, h = heading.wrap(width - 2 * pad, self.height)
            heading.drawOn(canvas, pad, top - h)
            top -= self._title_height()
        for c_no, pieces in enumerate(self._pieces):
            x = pad + c_no * (column + gutter)
            y = top
            previous = None
            for p_no, start, end in pieces:
                if previous is not None and p_no != previous:
                    y -= PARAGRAPH_GAP * self.body.leading
                part = self._lines[p_no][start:end]
                text = JText([], replace(self.body, space_after=0), self.fonts, part)
                _, h = text.wrap(column, self.height)
                text.drawOn(canvas, x, y - h)
                y -= h
                previous = p_no


def _grouped(flat: list[tuple[int, Line]]) -> list[list[Line]]:
    """Lines tagged with their paragraph → the lines of each paragraph, in order."""
    out: list[list[Line]] = []
    last = None
    for i, line in flat:
        if i != last:
            out.append([])
            last = i
        out[-1].append(line)
    return out


def _orphan(flat: list[tuple[int, Line]], n: int) -> bool:
    """The break before line ``n`` leaves a paragraph's first line alone above it."""
    first = n == 1 or flat[n - 2][0] != flat[n - 1][0]
    return first and flat[n][0] == flat[n - 1][0]


def _widow(flat: list[tuple[int, Line]], n: int) -> bool:
    """The break before line ``n`` leaves a paragraph's last line alone below it."""
    last = n + 1 == len(flat) or flat[n + 1][0] != flat[n][0]
    return last and flat[n - 1][0] == flat[n][0]
