"""Composition: a block's flowables → one flowable that decides where a page may break.

A block is kept whole when it fits.  When it does not, it breaks only where an editor
would let it: never after a heading or a unit line, never before a caption (出所／注 stay
with what they describe), inside a table only with its header and at least two rows on
each side, inside text only between lines (no single line left behind).  A chart that
misses the page by a little is set slightly smaller rather than pushed to the next page.
A block's closing gap is space after it (as ReportLab's own ``spaceAfter``): drawn
between blocks, dropped at the foot of a page, it never pushes a block on to the next.
"""

from __future__ import annotations

from typing import Any

from reportlab.platypus import Flowable, Spacer, Table

# How much a chart may shrink to stay on its page (uniformly: text shrinks with it).
MIN_CHART_SCALE = 0.82
MIN_TABLE_ROWS = 2  # body rows a table keeps on each side of a page break
MIN_FILL = 0.55  # a page its section goes on after is filled at least this (issue 11)


class Composed(Flowable):
    """Flowables stacked; ``breakable[i]``: a page may break before ``parts[i]``.

    Spacers at the end of ``parts`` become the block's ``spaceAfter`` (added to
    ``space_after``, the space a piece split off the end of a block keeps).
    """

    def __init__(
        self,
        parts: list[Flowable],
        breakable: list[bool],
        role: str = "block",
        frame_height: float | None = None,
        space_after: float = 0.0,
        least_scale: float = MIN_CHART_SCALE,
    ):
        super().__init__()
        parts, breakable = list(parts), list(breakable)
        while len(parts) > 1 and isinstance(parts[-1], Spacer):
            space_after += parts.pop().height
            breakable.pop()
        self.parts, self.breakable, self.role = parts, breakable, role
        self.frame_height = frame_height  # a block taller than this must break somewhere
        self.least_scale = least_scale  # the least a chart may be scaled to stay on a page
        self.spaceAfter = space_after
        self._sizes: list[tuple[float, float]] = []

    def with_parts(self, parts: list[Flowable]) -> Composed:
        """The same block (breaks, role, space after) holding ``parts`` in place of its own."""
        return Composed(
            parts, self.breakable, self.role, self.frame_height, self.spaceAfter, self.least_scale
        )

    def has_charts(self) -> bool:
        """Whether the block has charts of its own (not in a row beside something)."""
        return any(is_chart(p) for p in self.parts)

    def with_charts_at(self, scale: float) -> Composed:
        """The same block with its charts drawn at ``scale`` of their full size (a copy)."""
        return self.with_parts(
            [Scaled(full_size(p), scale) if is_chart(p) else p for p in self.parts]
        )

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        self._sizes = [_wrapped(f, availWidth, availHeight) for f in self.parts]
        self.width = availWidth
        self.height = sum(h for _, h in self._sizes)
        return self.width, self.height

    def draw(self) -> None:
        y = self.height
        for f, (_, h) in zip(self.parts, self._sizes, strict=True):
            y -= f.getSpaceBefore()
            inner = h - f.getSpaceBefore() - f.getSpaceAfter()
            y -= inner
            f.drawOn(self.canv, 0, y)
            y -= f.getSpaceAfter()

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:  # noqa: N803
        used = 0.0
        tops: list[float] = []  # where each part starts
        for i, f in enumerate(self.parts):
            h = _wrapped(f, availWidth, availHeight)[1]
            tops.append(used)
            if used + h <= availHeight + 1e-6:
                used += h
                continue
            if is_chart(f):  # set smaller, with its 出所/注, when that keeps it on the page
                kept = self._chart_kept_with_caption(availWidth, availHeight, i, used, i)
                if kept:
                    return kept
                pieces = []
            else:
                pieces = self._split_part(f, availWidth, availHeight - used)
            if pieces:
                return self._halves(
                    self.parts[:i] + [pieces[0]], pieces[1:] + self.parts[i + 1 :], i
                )
            # Glued to what precedes (a caption to its table): split that earlier part so
            # that its end goes on with this one.
            j = i
            while j > 0 and not self.breakable[j]:
                j -= 1
                prev = self.parts[j]
                if is_chart(prev):  # a chart set smaller keeps its 出所/注 on its page
                    kept = self._chart_kept_with_caption(availWidth, availHeight, j, tops[j], i)
                    if kept:
                        return kept
                    continue
                h_prev = _wrapped(prev, availWidth, availHeight)[1]
                pieces = self._split_part(prev, availWidth, min(availHeight - tops[j], h_prev - 1))
                if pieces:
                    first, rest = self.parts[:j] + [pieces[0]], pieces[1:] + self.parts[j + 1 :]
                    return self._halves(first, rest, j)
            cut = self._last_break(i)
            if cut <= 0:
                return self._forced(availWidth, availHeight, i, used)
            return self._halves(self.parts[:cut], self.parts[cut:], cut)
        return [self]

    def _forced(self, width: float, height: float, i: int, used: float) -> list[Flowable]:
        """At the top of a page a block too tall for any page breaks where it must (the one
        case the rules give way: a 3,000-character cell, a table row taller than a page)."""
        if self.frame_height is None or height < self.frame_height - 1:
            return []
        if i > 0:
            return self._halves(self.parts[:i], self.parts[i:], i)
        f = self.parts[0]
        split = Table.split if isinstance(f, RuledTable) else type(f).split
        pieces = split(f, width, height - f.getSpaceBefore())
        if len(pieces) < 2:
            return []
        return self._halves([pieces[0]], pieces[1:] + self.parts[1:], 0)

    def _split_part(self, f: Flowable, width: float, room: float) -> list[Flowable]:
        """A part split across the break, if its rules allow it (and what precedes allows)."""
        if room <= 0 or is_chart(f):  # a chart is set smaller, never split
            return []
        pieces = f.split(width, room - f.getSpaceBefore())
        if len(pieces) < 2:
            return []
        if _wrapped(pieces[0], width, room)[1] > room + 1e-6:
            # a split that does not fit yet (columns given up one after the other): go on
            deeper = self._split_part(pieces[0], width, room)
            return [*deeper, *pieces[1:]] if deeper else []
        return pieces

    def _chart_kept_with_caption(
        self, width: float, height: float, j: int, top: float, i: int
    ) -> list[Flowable]:
        """The block with chart ``j`` set smaller so that it and every part glued after it
        (its caption, up to the next place a page may break) fit below ``top``; [] when
        that would take it below its least scale."""
        k = next((m for m in range(i + 1, len(self.parts)) if self.breakable[m]), len(self.parts))
        glued = sum(_wrapped(p, width, height)[1] for p in self.parts[j + 1 : k])
        chart = self.parts[j]
        room = height - top - glued - chart.getSpaceBefore() - chart.getSpaceAfter()
        scaled = _shrunk_chart(chart, width, room, self.least_scale)
        if scaled is None:
            return []
        first = [*self.parts[:j], scaled, *self.parts[j + 1 : k]]
        if k == len(self.parts):
            return [self.with_parts(first)]
        return self._halves(first, self.parts[k:], k)

    def _last_break(self, i: int) -> int:
        """The last index ≤ i before which a page may break (0: none)."""
        for j in range(i, 0, -1):
            if self.breakable[j]:
                return j
        return 0

    def _halves(self, first: list, rest: list, at: int) -> list[Flowable]:
        if not first or not rest:
            return []
        n_first = len(first)
        breaks_first = self.breakable[:n_first]
        breaks_rest = [False] + self.breakable[at + 1 :]
        breaks_rest = (breaks_rest + [True] * len(rest))[: len(rest)]
        return [
            Composed(
                first,
                (breaks_first + [True] * n_first)[:n_first],
                self.role,
                self.frame_height,
                least_scale=self.least_scale,
            ),
            Composed(
                rest, breaks_rest, self.role, self.frame_height, self.spaceAfter, self.least_scale
            ),
        ]


def _wrapped(f: Flowable, width: float, height: float) -> tuple[float, float]:
    w, h = f.wrap(width, height)
    return w, h + f.getSpaceBefore() + f.getSpaceAfter()


def is_chart(f: Flowable) -> bool:
    return getattr(f, "is_chart", False)


def full_size(f: Flowable) -> Flowable:
    """A flowable as it is drawn at full size (a chart set smaller: the chart itself)."""
    return f.inner if isinstance(f, Scaled) else f


def chart_floor(style: Any) -> float:
    """The least scale a chart of ``style`` may be set at to stay on a page or pull a
    section's tail back: 1 (never smaller) when the style sets a floor for chart text
    (``[chart] min_font_size``, 2-up printing), whose labels already stand at that floor."""
    return 1.0 if style["chart"].get("min_font_size") else MIN_CHART_SCALE


def _shrunk_chart(f: Any, width: float, room: float, least: float) -> Flowable | None:
    """The chart scaled to ``room`` when that keeps at least ``least`` of its size (a chart
    set smaller already is measured at its full size: scales never compound)."""
    current = f.scale if isinstance(f, Scaled) else 1.0
    full = full_size(f)
    _, h = full.wrap(width, room)
    scale = room / h if h else 1.0
    if scale >= current or scale < least:
        return None
    return Scaled(full, scale)


class Scaled(Flowable):
    """A flowable drawn at ``scale`` (both directions: its text keeps its proportions)."""

    def __init__(self, inner: Flowable, scale: float):
        super().__init__()
        self.inner, self.scale = inner, scale
        self.is_chart = getattr(inner, "is_chart", False)
        self.alt_text = getattr(inner, "alt_text", "")

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        w, h = self.inner.wrap(availWidth / self.scale, availHeight / self.scale)
        self.width, self.height = w * self.scale, h * self.scale
        return self.width, self.height

    def draw(self) -> None:
        self.canv.saveState()
        self.canv.scale(self.scale, self.scale)
        self.inner.drawOn(self.canv, 0, 0)
        self.canv.restoreState()


class RuledTable(Table):
    """A table that keeps its header with at least two rows on each side of a page break.

    Its size is worked out once per width: composition asks a table for its size many times
    (at every place a page might break), and its rows' heights depend on the width alone.
    """

    _sized_for: float | None = None
    # Body rows (from 0) a break may come before: each starts a group kept on one page (a
    # place's 輸出額, 輸入額 and 貿易収支); empty, any row.
    group_starts: frozenset[int] = frozenset()

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        if self._sized_for == availWidth:
            self.availWidth = availWidth
            return self._width, self._height
        size = super().wrap(availWidth, availHeight)
        # Every row measured (ReportLab stops early on a long table that overflows): the
        # heights hold for any height offered, so the next call at this width reuses them.
        self._sized_for = availWidth if None not in self._rowHeights else None
        return size

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:  # noqa: N803
        body = len(self._cellvalues) - self.repeatRows
        if body < 2 * MIN_TABLE_ROWS:
            return []  # too short to break well: the whole table moves on
        height = availHeight
        for _ in range(body):
            parts = super().split(availWidth, height)
            if len(parts) < 2:
                return []
            first_rows = len(parts[0]._cellvalues) - self.repeatRows
            rest_rows = len(parts[1]._cellvalues) - self.repeatRows
            if first_rows < MIN_TABLE_ROWS:
                return []
            groups = self.group_starts
            if rest_rows >= MIN_TABLE_ROWS and (not groups or first_rows in groups):
                first, rest = (_as_ruled(p) for p in parts)
                first.group_starts = frozenset(g for g in groups if g < first_rows)
                rest.group_starts = frozenset(g - first_rows for g in groups if g >= first_rows)
                return [first, rest]
            # too few rows would go on, or a group would be cut: give up one more row here
            row_heights = parts[0]._rowHeights
            height = sum(row_heights) - row_heights[-1] - 1e-3
        return []


def _as_ruled(table: Table) -> Table:
    table.__class__ = RuledTable
    return table
