"""Section tails: a section whose last page would hold only a short tail → re-composed.

Every section opens a page, so its pages can be worked out before the document is laid
out: :func:`page_depths` flows its flowables through empty frames as ReportLab's frame
does, measuring only (nothing is drawn).  When the last page would be filled less than
``TAIL_FILL`` (a table's last row, the quotations kept for an absent chart), the section
is set again as an editor would, and the first of these that ends the section a page
earlier, without a page left short while the section goes on, is kept:

1. a closing unit of absent-chart notices and quotations set beside the table above it,
   when the table is narrow enough to leave the quotations a comfortable measure;
2. the section's full-width charts set smaller, all by one factor, the largest that
   pulls the tail back in steps of 0.01, never below ``MIN_CHART_SCALE`` (0.82: the 8 pt
   ticks and legends at 6.6 pt at the least).  A chart beside a table keeps its size (its
   category labels may be set at their 6.5 pt floor already), and so do all charts of a
   style that sets a floor for chart text (``[chart] min_font_size``: 2-up printing);
3. both;
4. a run of narrow blocks (short tables, each with its heading: a member's group) set in
   columns across the page, two, then three…, in reading order, the columns as even
   in height as the order allows.

A tail that none of these pulls back (a long table's last rows) stays where it is.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterator
from itertools import pairwise

from reportlab.platypus import Flowable, Spacer

from ..typeset import Bullet, JText
from .compose import MIN_CHART_SCALE, MIN_FILL, Composed, RuledTable
from .flow import SideBySide
from .geometry import GUTTER

log = logging.getLogger("briefpack")

TAIL_FILL = 0.35  # a section's last page filled less than this holds only a tail
SCALE_STEP = 0.01  # the charts' scale is tried in hundredths, from 0.99 down
QUOTES_MIN_MEASURE = 0.4  # quotations beside a table keep at least this share of the frame
_FUZZ = 1e-6  # as ReportLab's frame

Variant = tuple[str, list[Flowable]]  # a way of setting a section: what was done, the result


def page_depths(flowables: list[Flowable], width: float, height: float) -> list[float] | None:
    """How far down each page ``flowables`` reach, flowing from the top of an empty frame
    of ``width`` × ``height`` as ReportLab places them: space before dropped at the top
    of a page, space after never pushing a flowable on, a flowable that does not fit
    split when it allows it, else moved to the next page.  None: one fits no page."""
    depths = [0.0]
    queue = list(flowables)
    used, after, at_top = 0.0, 0.0, True
    while queue:
        f = queue.pop(0)
        space = 0.0 if at_top else max(f.getSpaceBefore() - after, 0.0)
        room = height - used - space
        placed = _placed_height(f, width, room)
        if placed is None and room > 0:
            pieces = f.split(width, room)
            if pieces:
                f, queue[:0] = pieces[0], pieces[1:]
                placed = _placed_height(f, width, room)
                if placed is None:
                    return None  # ReportLab would stop with a LayoutError
        if placed is not None:
            depths[-1] = used + space + placed
            after = f.getSpaceAfter()
            at_top = at_top and space + placed + after == 0
            used = depths[-1] + after
            continue
        if at_top:
            return None  # too tall for an empty page and not to be split
        queue.insert(0, f)
        depths.append(0.0)
        used, after, at_top = 0.0, 0.0, True
    return depths


def _placed_height(f: Flowable, width: float, room: float) -> float | None:
    """``f``'s height when it fits in ``room``, else None."""
    if room <= 0:
        return None
    _, h = f.wrap(width, room)
    return h if h <= room + _FUZZ else None


def settled(
    lead: Flowable,
    flowables: list[Flowable],
    width: float,
    height: float,
    least_scale: float = MIN_CHART_SCALE,
) -> list:
    """A section's flowables (after ``lead``, its title band, at the top of a page),
    re-composed when its last page would hold only a tail that can be pulled back (charts
    set no smaller than ``least_scale``: see :func:`chart_floor`)."""
    before = page_depths([lead, *flowables], width, height)
    if before is None or len(before) < 2 or before[-1] >= TAIL_FILL * height:
        return flowables

    def pulls_back(variant: Variant) -> bool:
        after = page_depths([lead, *variant[1]], width, height)
        return after is not None and _better(before, after, height)

    for family in _recompositions(flowables, width, least_scale):
        chosen = _least(family, pulls_back)
        if chosen is not None:
            tail = before[-1] / height * 100
            log.debug("section tail (%.0f %%) pulled back: %s", tail, chosen[0])
            return chosen[1]
    return flowables


def _better(before: list[float], after: list[float], height: float) -> bool:
    """Fewer pages, and no more pages left short while the section goes on."""
    return len(after) < len(before) and _short(after, height) <= _short(before, height)


def _short(depths: list[float], height: float) -> int:
    return sum(1 for d in depths[:-1] if d < MIN_FILL * height)


def _least(family: list[Variant], works: Callable[[Variant], bool]) -> Variant | None:
    """The first of ``family`` (ordered from the least change to the most) that ``works``;
    None when the last does not.  The ones in between are halved, not all tried: a chart
    smaller never gives a section more pages."""
    if not family or not works(family[-1]):
        return None
    low, high = 0, len(family) - 1  # family[high] works
    while low < high:
        middle = (low + high) // 2
        if works(family[middle]):
            high = middle
        else:
            low = middle + 1
    return family[high]


def _recompositions(
    flowables: list[Flowable], width: float, least_scale: float
) -> Iterator[list[Variant]]:
    """The ways of setting the section again, in the order an editor would try them, each
    a family of variants (what was done, the flowables) from the least change to the most."""
    beside = [_quotes_beside(f, width) or f for f in flowables]
    bases = [(flowables, "charts at")]
    if any(a is not b for a, b in zip(beside, flowables, strict=True)):
        yield [("quotations beside the table", beside)]
        bases.append((beside, "quotations beside the table, charts at"))
    for base, name in bases:
        if any(_charts_in(f) for f in base):
            yield [
                (f"{name} {scale:.2f}", [_charts_at(f, scale) for f in base])
                for scale in _scales(least_scale)
            ]
    for n, variant in _in_columns(flowables, width):
        yield [(f"narrow blocks in {n} columns", variant)]


def _scales(least: float) -> list[float]:
    """0.99, 0.98, … down to ``least`` (none when it is 1)."""
    steps = int(round((1.0 - least) / SCALE_STEP, 6))
    return [round(1.0 - k * SCALE_STEP, 4) for k in range(1, steps + 1)]


# ------------------------------------------------------------------------- charts smaller


def _charts_in(f: Flowable) -> bool:
    """Whether the block holds a full-width chart (one of its own parts, not beside)."""
    return isinstance(f, Composed) and f.has_charts()


def _charts_at(f: Flowable, scale: float) -> Flowable:
    """The block with its full-width charts drawn at ``scale`` of their full size (a copy:
    the section as it was stays as it was)."""
    return f.with_charts_at(scale) if _charts_in(f) else f


# ---------------------------------------------------------------- quotations beside a table


def _quotes_beside(f: Flowable, width: float) -> Flowable | None:
    """A block that closes with a unit of absent-chart notices and quotations (a column of
    its own, :func:`..pack.blocks.absent.absent_lines`) → the unit beside the rest of the
    block, when that is a narrow table leaving the quotations a reading measure.  The
    table's column is as wide as the table and the lines above it; its 出所 and 注 wrap."""
    if not isinstance(f, Composed) or len(f.parts) < 2:
        return None
    unit = f.parts[-1]
    if not isinstance(unit, SideBySide) or len(unit.columns) != 1:
        return None
    body = list(f.parts[:-1])
    while body and isinstance(body[-1], Spacer):
        body.pop()  # the gap between the table and the quotations
    left = _block_width(body, width)
    gutter = 2 * GUTTER  # the quotations are not the table's: kept clearly apart
    if left is None or width - gutter - left < QUOTES_MIN_MEASURE * width:
        return None
    table = Composed(
        body, f.breakable[: len(body)], f.role, f.frame_height, least_scale=f.least_scale
    )
    columns = [[table], list(unit.columns[0])]
    row = SideBySide(columns, [left, width - gutter - left], gutter, f.frame_height)
    return Composed([row], [False], f.role, f.frame_height, f.spaceAfter, f.least_scale)


def _block_width(parts: list[Flowable], width: float) -> float | None:
    """The width a block of text lines and tables needs: its tables', and that of the
    lines above its first table (heading, unit line) set on one line; the lines below
    (出所, 注) wrap.  None: the block holds no table, or something else (a chart, a
    コラム, columns), and keeps the frame's width."""
    widest, table_seen = 0.0, False
    for part in parts:
        if isinstance(part, RuledTable):
            widest, table_seen = max(widest, part.wrap(width, 1e9)[0]), True
        elif isinstance(part, Spacer) or (table_seen and isinstance(part, JText | Bullet)):
            continue
        elif hasattr(part, "natural_width"):  # a heading, a unit line, a member's heading
            widest = max(widest, part.natural_width())
        else:
            return None
    return widest if table_seen else None


# --------------------------------------------------------------------- narrow blocks in columns


def _in_columns(flowables: list[Flowable], width: float) -> Iterator[tuple[int, list]]:
    """The section with each run of narrow blocks set in 2, 3, … columns (as many as the
    widest of them allows), a run only in as many columns as it has blocks."""
    runs = _narrow_runs(flowables, width)
    if not runs:
        return
    widest = max(_block_width(f.parts, width) or 0.0 for a, b in runs for f in flowables[a:b])
    longest = max(b - a for a, b in runs)
    for n in range(2, longest + 1):
        column = (width - (n - 1) * GUTTER) / n
        if column < widest:
            return
        out = list(flowables)
        for a, b in reversed(runs):
            if b - a >= n:
                out[a:b] = [_columns(flowables[a:b], n, column)]
        yield n, out


def _narrow_runs(flowables: list[Flowable], width: float) -> list[tuple[int, int]]:
    """(start, end) of each run of two or more consecutive blocks narrow enough for two
    columns."""
    half = (width - GUTTER) / 2
    widths = [_block_width(f.parts, width) if isinstance(f, Composed) else None for f in flowables]
    narrow = [w is not None and w <= half for w in widths]
    runs, start = [], None
    for i, is_narrow in enumerate([*narrow, False]):
        if is_narrow and start is None:
            start = i
        elif not is_narrow and start is not None:
            if i - start >= 2:
                runs.append((start, i))
            start = None
    return runs


def _columns(blocks: list[Composed], n: int, column: float) -> Flowable:
    """``blocks`` in ``n`` columns of width ``column``, in order, split where the tallest
    column is lowest (the first such split when several are)."""
    heights = [_height(f, column) for f in blocks]
    bounds = _even_split(heights, n)
    columns = [list(blocks[a:b]) for a, b in pairwise(bounds)]
    return SideBySide(columns, [column] * n, GUTTER, blocks[0].frame_height)


def _even_split(heights: list[float], n: int) -> tuple[int, ...]:
    """Bounds (0, …, len) cutting ``heights`` into ``n`` non-empty runs in order, the
    tallest run as low as it can be; of the splits that achieve it, the one whose cuts
    come first.  Dynamic programming: any number of blocks and columns, no search."""
    m = len(heights)
    prefix = [0.0]
    for h in heights:
        prefix.append(prefix[-1] + h)
    # least[k][i]: the lowest tallest run setting blocks i… in k runs
    least = [[math.inf] * (m + 1) for _ in range(n + 1)]
    least[0][m] = 0.0
    for k in range(1, n + 1):
        for i in range(m - k, -1, -1):
            least[k][i] = min(
                max(prefix[j] - prefix[i], least[k - 1][j]) for j in range(i + 1, m - k + 2)
            )
    target = least[n][0] + _FUZZ
    bounds, at = [0], 0
    for k in range(n, 1, -1):
        at = next(
            j
            for j in range(at + 1, m - k + 2)
            if max(prefix[j] - prefix[at], least[k - 1][j]) <= target
        )
        bounds.append(at)
    return (*bounds, m)


def _height(f: Flowable, width: float) -> float:
    return f.wrap(width, 1e9)[1] + f.getSpaceBefore() + f.getSpaceAfter()
