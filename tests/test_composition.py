"""Composition an editor would sign off, checked on every page of all 12 packs and a binder.

The checks read the built PDFs (text, sizes, weights and positions through pdfium): no
number split across lines, no heading left alone at the foot of a page, no table header
stranded without rows, no page ending above 55 % of its height while its section goes on,
no section ending on a short tail that the page before it could have held.
Every check runs on two builds: the default one and the ``--gray --duplex`` one (the body
and a binder's parts on right-hand pages), where a blank page may only stand before one.
"""

from __future__ import annotations

import ctypes
import re
from pathlib import Path

import pikepdf
import pypdf
import pytest

from briefpack.linebreak import Run, break_lines
from briefpack.render.compose import MIN_CHART_SCALE

from .tagged_pdf import structure

pdfium = pytest.importorskip("pypdfium2")
raw = pytest.importorskip("pypdfium2.raw")

MM = 72 / 25.4
FRAME_TOP = 595.28 - 24 * MM  # the default style's margins (A4 landscape)
FRAME_BOTTOM = 16 * MM
FRAME_WIDTH = 841.89 - 2 * 18 * MM
HEADING_SIZE = 12.5
MIN_FILL = 0.55
TAIL_FILL = 0.35  # a section's last page filled less than this holds only a short tail
BLANK = "このページは白紙です"  # what a duplex filler page says (layout.BLANK_PAGE_NOTICE)

# Each build: the session fixture (tests/conftest.py) holding all 12 packs and a binder.
BUILDS = {"default": "all_packs", "gray-duplex": "all_packs_gray_duplex"}


@pytest.fixture(scope="module", params=list(BUILDS))
def build(request: pytest.FixtureRequest) -> Path:
    return request.getfixturevalue(BUILDS[request.param])


@pytest.fixture(scope="module")
def packs(build: Path) -> list[Path]:
    return sorted(build.glob("*.pdf")) + [build / "binder" / "meeting.pdf"]


@pytest.fixture(scope="module")
def duplex_packs(all_packs_gray_duplex: Path) -> list[Path]:
    pdfs = sorted(all_packs_gray_duplex.glob("*.pdf"))
    return pdfs + [all_packs_gray_duplex / "binder" / "meeting.pdf"]


def lines_of(page) -> list[dict]:
    """The page's text lines (top to bottom) inside the body frame: text, size, bold, x, y."""
    text = page.get_textpage()
    chars = []
    for i in range(text.count_chars()):
        ch = text.get_text_range(i, 1)
        if not ch.strip():
            continue
        left, bottom, right, top = text.get_charbox(i)
        if bottom < FRAME_BOTTOM or top > FRAME_TOP + 2:
            continue  # header, footer, page number
        size = raw.FPDFText_GetFontSize(text.raw, i)
        weight = raw.FPDFText_GetFontWeight(text.raw, i)
        x, y = ctypes.c_double(), ctypes.c_double()
        raw.FPDFText_GetCharOrigin(text.raw, i, x, y)  # the baseline: commas sit on it too
        chars.append((round(y.value), left, right, ch, size, weight))
    lines: dict[int, list] = {}
    for c in chars:
        key = next((k for k in lines if abs(k - c[0]) <= 2), c[0])
        lines.setdefault(key, []).append(c)
    out = []
    for y in sorted(lines, reverse=True):
        cs = sorted(lines[y], key=lambda c: c[1])
        out.append(
            {
                "y": y,
                "chars": cs,
                "text": "".join(c[3] for c in cs),
                "size": max(c[4] for c in cs),
                "bold": all(c[5] >= 600 for c in cs),
            }
        )
    return out


def runs_of(line: dict, gap: float = 5.0) -> list[tuple[float, float, str]]:
    """Stretches of a line separated by a visible gap (table cells): (left, right, text)."""
    runs: list[list] = []
    for c in line["chars"]:
        if runs and c[1] - runs[-1][1] <= gap:
            runs[-1][1] = c[2]
            runs[-1][2] += c[3]
        else:
            runs.append([c[1], c[2], c[3]])
    return [tuple(r) for r in runs]


SECTION_LABEL = re.compile(r"^\d+　")  # 「4　人口」: a numbered section's bookmark


def starts(pdf: Path, opening: bool = False) -> set[int]:
    """Pages (0-based) where a section, a part or a member's group begins (any bookmark);
    ``opening``: only those that open a new page (a binder's parts, numbered sections)."""
    reader = pypdf.PdfReader(pdf)
    found: set[int] = set()

    def walk(items, depth):
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            elif not opening or depth == 0 or SECTION_LABEL.match(item.title):
                found.add(reader.get_destination_page_number(item))

    walk(reader.outline, 0)
    return found


def blank_pages(pdf: Path) -> set[int]:
    """Pages (0-based) whose body only says 「このページは白紙です」 (a duplex filler)."""
    doc = pdfium.PdfDocument(str(pdf))
    return {n for n, page in enumerate(doc) if [x["text"] for x in lines_of(page)] == [BLANK]}


def fill_of(page, enough: float = 1.0) -> float:
    """How far down the body frame the page's content reaches (0 to 1).  When its text alone
    reaches ``enough``, that is the answer: drawings are walked only when they may matter
    (gray charts' hatching makes the walk slow)."""
    lowest = min((line["y"] for line in lines_of(page)), default=FRAME_TOP)
    if (FRAME_TOP - lowest) / (FRAME_TOP - FRAME_BOTTOM) >= enough:
        return (FRAME_TOP - lowest) / (FRAME_TOP - FRAME_BOTTOM)
    for obj in page.get_objects():
        get = getattr(obj, "get_bounds", None) or obj.get_pos
        left, bottom, right, top = get()
        if FRAME_BOTTOM < bottom < FRAME_TOP and right - left < page.get_width() - 20:
            lowest = min(lowest, bottom)
    return (FRAME_TOP - lowest) / (FRAME_TOP - FRAME_BOTTOM)


def full_width_chart_heights(pdf: Path) -> dict[int, list[float]]:
    """Page (0-based) → the heights of the charts drawn across it (their Figure's /BBox
    wider than half the frame: a chart beside a table is not one)."""
    heights: dict[int, list[float]] = {}
    with pikepdf.open(pdf) as doc:
        for node in structure(doc).walk():
            if node.role == "Figure" and node.mcids():
                left, bottom, right, top = (float(v) for v in node.obj.A.BBox)
                if right - left > FRAME_WIDTH / 2:
                    heights.setdefault(node.mcids()[0][0], []).append(top - bottom)
    return heights


def test_no_number_is_split_across_lines(packs: list[Path]) -> None:
    split = []
    number_end = re.compile(r"[△▲]?[0-9][0-9,.]*[0-9,.]$")
    for pdf in packs:
        doc = pdfium.PdfDocument(str(pdf))
        for n, page in enumerate(doc):
            lines = lines_of(page)
            for i, above in enumerate(lines):
                # the lines just below (a cell's second line may sit under a centred row)
                nearby = [b for b in lines[i + 1 :] if above["y"] - b["y"] <= 1.6 * above["size"]]
                for left, right, text in runs_of(above):
                    if not number_end.search(text) or len(text) < 4:
                        continue
                    for below in nearby:
                        # what that line holds under this figure: the figure's lost end?
                        under = "".join(
                            c[3] for c in below["chars"] if left <= (c[1] + c[2]) / 2 <= right
                        )
                        if re.fullmatch(r"[0-9,.]{1,3}", under):
                            split.append((pdf.name, n + 1, text, under))
    assert not split, split


def test_no_heading_is_the_last_line_of_a_page(packs: list[Path]) -> None:
    stranded = []
    for pdf in packs:
        doc = pdfium.PdfDocument(str(pdf))
        for n, page in enumerate(doc):
            lines = lines_of(page)
            if lines and lines[-1]["bold"] and abs(lines[-1]["size"] - HEADING_SIZE) < 0.3:
                stranded.append((pdf.name, n + 1, lines[-1]["text"]))
    assert not stranded, stranded


def test_no_table_header_is_left_without_rows(packs: list[Path]) -> None:
    """A page whose last line is a bold header row repeated at the top of the next page."""
    stranded = []
    for pdf in packs:
        doc = pdfium.PdfDocument(str(pdf))
        pages = [lines_of(page) for page in doc]
        for n, (lines, following) in enumerate(zip(pages, pages[1:], strict=False)):
            if not lines or not following or not lines[-1]["bold"]:
                continue
            if any(line["text"] == lines[-1]["text"] for line in following[:3]):
                stranded.append((pdf.name, n + 1, lines[-1]["text"]))
    assert not stranded, stranded


def test_no_page_ends_above_55_percent_while_its_section_goes_on(packs: list[Path]) -> None:
    short = []
    for pdf in packs:
        doc = pdfium.PdfDocument(str(pdf))
        begin, blank = starts(pdf), blank_pages(pdf)
        for n in range(2, len(doc) - 1):  # after the cover and the 目次
            following = next((m for m in range(n + 1, len(doc)) if m not in blank), len(doc))
            if n in blank or following in begin or following == len(doc):
                continue  # the section ends here (a duplex blank page may stand between)
            fill = fill_of(doc[n], MIN_FILL)
            if (
                fill < MIN_FILL
                and "このページは白紙です" not in doc[n].get_textpage().get_text_range()
            ):
                short.append((pdf.name, n + 1, round(fill, 2)))
    assert not short, short


def test_no_section_ends_on_a_short_tail_that_the_page_before_could_hold(packs) -> None:
    """A section's last page filled below 35 % (one it does not start on) holds only what
    could not be pulled back: more than the room left on the page before it, counting what
    that page's full-width charts would give drawn at MIN_CHART_SCALE of their size.  (A
    tail that fits there is set again, render/tails.py: charts smaller, quotations beside
    their table, narrow blocks in columns; what stays is a long table's last rows.)"""
    pulled_back_possible = []
    for pdf in packs:
        doc = pdfium.PdfDocument(str(pdf))
        opening, blank = starts(pdf, opening=True), blank_pages(pdf)
        charts: dict[int, list[float]] | None = None
        for n in range(3, len(doc)):  # a tail after a page of its section, past the 目次
            following = next((m for m in range(n + 1, len(doc)) if m not in blank), len(doc))
            if n in blank or n in opening or (following < len(doc) and following not in opening):
                continue  # not the last page of a section, or the only one
            tail = fill_of(doc[n], TAIL_FILL)
            if tail >= TAIL_FILL:
                continue
            if charts is None:
                charts = full_width_chart_heights(pdf)
            give = sum(charts.get(n - 1, [])) * (1 - MIN_CHART_SCALE) / (FRAME_TOP - FRAME_BOTTOM)
            before = fill_of(doc[n - 1], 1 - tail + give)
            if before + tail - give < 1:
                pulled_back_possible.append((pdf.name, n + 1, round(tail, 2), round(before, 2)))
    assert not pulled_back_possible, pulled_back_possible


def test_a_paragraph_does_not_end_in_a_runt() -> None:
    """「…選。」 alone on a last line is re-broken when a narrower measure avoids it.

    39 characters and 「選。」 at 20 a line would leave 「選。」 (2 characters) alone.
    """

    def measure(ch: str, font: str) -> float:
        return 10.0

    text = "あ" * 39 + "選。"
    lines = break_lines([Run(text)], 200.0, measure)
    assert len(lines) == 3 and len(lines[-1].text) > 2, [line.text for line in lines]
    assert "".join(line.text for line in lines) == text


def test_duplex_leaves_a_page_blank_only_before_a_right_hand_start(duplex_packs) -> None:
    """A blank page stands only where the body, a part or the 目次 must start on a
    right-hand page; sections after the first run on.

    Allowed: an even page (a left-hand one, 1-based) right before a page where a section,
    a part or the 目次 begins; and the last page, when it makes the count even (the back
    of the last sheet).  The first section and every part start on a right-hand page; at
    most two pages of a pack are blank (the cover's back and the last page), and a binder
    adds at most one before each part.
    """
    wrong, left_hand_starts, blanks = [], [], 0
    for pdf in duplex_packs:
        doc = pdfium.PdfDocument(str(pdf))
        count = len(doc)
        top = starts(pdf, opening=True)
        opening = top | {n for n in range(count) if _is_toc(doc[n])}
        blank = blank_pages(pdf)
        blanks += len(blank)
        for n in range(count):  # 「このページは白紙です」 on a page that holds something else
            lines = [x["text"] for x in lines_of(doc[n])]
            if BLANK in lines and len(lines) > 1:
                wrong.append((pdf.name, n + 1, "says it is blank but holds content"))
        for n in sorted(blank):
            page = n + 1  # 1-based, as printed
            last = n == count - 1 and count % 2 == 0 and n - 1 not in blank
            if last:
                continue
            if page % 2 == 1 or n + 1 not in opening:
                wrong.append((pdf.name, page, "blank page not before a right-hand start"))
        reader = pypdf.PdfReader(pdf)
        parts = [
            reader.get_destination_page_number(item)
            for item in reader.outline
            if not isinstance(item, list)
        ]
        binder = pdf.parent.name == "binder"  # its top-level bookmarks are its parts
        for n in sorted({parts[0]} | (set(parts) if binder else set())):
            if (n + 1) % 2 == 0:
                left_hand_starts.append((pdf.name, n + 1))
        allowed = 2 + (len(parts) if binder else 1)
        if len(blank) > allowed:
            wrong.append((pdf.name, f"{len(blank)} blank pages of {count}"))
    assert blanks, "the duplex build has no blank page at all: is it a duplex build?"
    assert not wrong, "\n".join(map(str, wrong))
    assert not left_hand_starts, "\n".join(map(str, left_hand_starts))


def _is_toc(page) -> bool:
    lines = lines_of(page)
    return bool(lines) and lines[0]["text"].startswith("目次")


def test_narrow_blocks_split_into_columns_evenly_whatever_their_number() -> None:
    """Columns of a member's narrow blocks: the tallest as low as possible, in order, each
    column holding something; the same answer as trying every split, without trying them
    (a region of thirty members must not take minutes)."""
    import random
    from itertools import combinations, pairwise

    from briefpack.render.tails import _even_split

    def tried(heights: list[float], n: int) -> tuple[int, ...]:
        best: tuple[float, tuple[int, ...]] | None = None
        for cuts in combinations(range(1, len(heights)), n - 1):
            bounds = (0, *cuts, len(heights))
            tallest = max(sum(heights[a:b]) for a, b in pairwise(bounds))
            if best is None or tallest < best[0] - 1e-6:
                best = (tallest, bounds)
        assert best is not None
        return best[1]

    rng = random.Random(11)
    for _ in range(500):
        heights = [rng.choice([12.0, 20.0, 30.0, 35.5, 40.0]) for _ in range(rng.randint(2, 8))]
        n = rng.randint(2, len(heights))
        assert _even_split(heights, n) == tried(heights, n), (heights, n)
    bounds = _even_split([30.0] * 40, 6)  # forty members in six columns: at once
    assert len(bounds) == 7 and all(b > a for a, b in pairwise(bounds))


CAPTION_LINE = re.compile(r"^(出所|出典|注\d*)：")


def test_no_page_opens_with_a_source_or_note_line(packs: list[Path]) -> None:
    """出所 and 注 stay with what they describe: no page begins with one (a chart set
    smaller to stay on its page once left its caption to open the next)."""
    opened = []
    for pdf in packs:
        doc = pdfium.PdfDocument(str(pdf))
        for n in range(2, len(doc)):
            lines = lines_of(doc[n])
            if lines and CAPTION_LINE.match(lines[0]["text"]):
                opened.append((pdf.name, n + 1, lines[0]["text"][:30]))
    assert not opened, opened


def test_a_places_trade_rows_stay_on_one_page(packs: list[Path]) -> None:
    """In the region's trade table a place's 輸出額, 輸入額 and 貿易収支 are one group: a page
    never ends inside it (its last row on a page is its 貿易収支, or another place's)."""
    cut = []
    for pdf in packs:
        doc = pdfium.PdfDocument(str(pdf))
        for n in range(2, len(doc) - 1):
            lines = lines_of(doc[n])
            # the extracted row reads 「タジキスタン輸出額12,744…」 (the 「　」 is not text)
            if lines and re.match(r"^(?!日本の)[^\d△—]+?(輸出額|輸入額)[\d△—]", lines[-1]["text"]):
                cut.append((pdf.name, n + 1, lines[-1]["text"][:12]))
    assert not cut, cut


def test_a_chart_and_its_table_move_on_together_unless_that_leaves_a_short_page() -> None:
    """A row (chart | table) that fits a page and misses this one moves to the next page
    whole when this page is already filled past 55 %; when moving it would leave this page
    short, its columns stack (the chart here, the table under it on the next page)."""
    from reportlab.platypus import Spacer

    from briefpack.render.flow import SideBySide

    frame = 500.0
    row = SideBySide([[Spacer(1, 300)], [Spacer(1, 280)]], [300, 300], 12, frame)
    assert row.split(612, 0.40 * frame) == []  # this page 60 % full: the row moves on whole
    stacked = row.split(612, 0.50 * frame)  # this page half full: the columns stack
    assert [f.height for f in stacked] == [300, 280]
    too_tall = SideBySide([[Spacer(1, 300)], [Spacer(1, 520)]], [300, 300], 12, frame)
    assert len(too_tall.split(612, 0.40 * frame)) == 2  # taller than a page: always stacked
