"""Page furniture and lists as an editor checks them (issue 11): the running header and
footer, the handling marking, section bands, part pages and the 目次 set in the
proportional text family; a binder's 目次 spread over its pages without a near-empty last
page; bullet text hung one even gap after its mark, whatever the mark.  Everything is read
back from the built PDFs (pdfium: characters, fonts, boxes, origins), not from the code."""

from __future__ import annotations

import ctypes
from pathlib import Path

import pypdf
import pytest

from .conftest import cli

pdfium = pytest.importorskip("pypdfium2")
raw = pytest.importorskip("pypdfium2.raw")

MM = 72 / 25.4
FRAME_TOP = 595.28 - 24 * MM  # the default style's margins (A4 landscape)
FRAME_BOTTOM = 16 * MM
TEXT_FONT = "BIZUDPGothic"  # proportional: running text and page furniture
TABULAR_FONT = "BIZUDGothic"  # fixed-width figures: table cells, 目次 page numbers
BODY_SIZE = 10.5
MARKS = "・▶✓"  # the fixture's bullet marks: half-em, half-em and full-em wide
BINDER = ["relations:kg", "economy:kg", "relations:central-asia", "economy:central-asia"]


def chars_of(page) -> list[dict]:  # noqa: ANN001 - a pdfium page
    """The page's visible characters: text, font, size, glyph box and origin."""
    text = page.get_textpage()
    out = []
    buffer = ctypes.create_string_buffer(256)
    for i in range(text.count_chars()):
        ch = text.get_text_range(i, 1)
        if not ch.strip():
            continue
        left, bottom, right, top = text.get_charbox(i)
        x, y = ctypes.c_double(), ctypes.c_double()
        raw.FPDFText_GetCharOrigin(text.raw, i, x, y)
        raw.FPDFText_GetFontInfo(text.raw, i, buffer, len(buffer), None)
        out.append(
            {
                "ch": ch,
                "font": buffer.value.decode().split("+")[-1],
                "size": round(raw.FPDFText_GetFontSize(text.raw, i), 2),
                "left": left,
                "right": right,
                "bottom": bottom,
                "top": top,
                "x": x.value,
                "y": y.value,
            }
        )
    return out


def lines_of(chars: list[dict]) -> list[list[dict]]:
    """Characters on one baseline, left to right; the lines top to bottom."""
    lines: dict[float, list[dict]] = {}
    for c in chars:
        key = next((k for k in lines if abs(k - c["y"]) <= 0.5), c["y"])
        lines.setdefault(key, []).append(c)
    return [sorted(lines[y], key=lambda c: c["x"]) for y in sorted(lines, reverse=True)]


def pages(pdf: Path) -> list[list[dict]]:
    return [chars_of(page) for page in pdfium.PdfDocument(str(pdf))]


def build(*args: str) -> None:
    result = cli(*args)
    assert result.exit_code == 0, result.stderr


@pytest.fixture(scope="module")
def marked_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """relations-kg with a marking, a watermark and numbered copies (copy 1 of 2)."""
    out = tmp_path_factory.mktemp("furniture")
    build(
        *("build", "relations", "kg", "--mark", "取扱注意", "--watermark", "案"),
        *("--copies", "2", "--out", str(out)),
    )
    return out / "relations-kg-copy01.pdf"


@pytest.fixture(scope="module")
def packs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """relations-kg (marks ・ ▶ ✓) and economy-central-asia (long commentary bullets)."""
    out = tmp_path_factory.mktemp("furniture-packs")
    build("build", "relations", "kg", "--out", str(out))
    build("build", "economy", "central-asia", "--out", str(out))
    return out


@pytest.fixture(scope="module")
def binder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("furniture-binder") / "meeting.pdf"
    build("binder", *BINDER, "--out", str(out))
    return out


def toc_entries(pdf: Path) -> dict[int, list[tuple[str, float]]]:
    """Per 目次 page (0-based: the pages holding its entries' links), each entry's title
    and the bottom of its link's rectangle."""
    out = {}
    for n, page in enumerate(pypdf.PdfReader(pdf).pages):
        entries = []
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            if annot.get("/Subtype") == "/Link" and "/Contents" in annot:
                entries.append((str(annot["/Contents"]), float(annot["/Rect"][1])))
        if entries:
            out[n] = entries
    return out


# --------------------------------------------------------------------------- furniture


def test_header_footer_and_marking_are_set_in_the_text_family(marked_copy: Path) -> None:
    seen = {"header": "", "footer": "", "watermark": ""}
    for chars in pages(marked_copy)[1:]:  # the cover has no running header or footer
        for c in chars:
            if c["size"] >= 24:  # the diagonal watermark
                where = "watermark"
            elif c["bottom"] > FRAME_TOP + 2:
                where = "header"
            elif c["top"] < FRAME_BOTTOM:
                where = "footer"
            else:
                continue
            assert c["font"].startswith(TEXT_FONT + "-"), (where, c["ch"], c["font"])
            seen[where] += c["ch"]
    assert "日本・キルギス関係" in seen["header"]  # the running title
    assert "取扱注意" in seen["header"] and "No.1/2" in seen["header"]  # marking, copy
    assert "発行日：" in seen["footer"] and "データ時点：" in seen["footer"]
    assert "案" in seen["watermark"]


def test_section_bands_headings_and_part_pages_are_set_in_the_text_family(
    marked_copy: Path, binder: Path
) -> None:
    """Every character set large (section bands, part title pages, the 目次 heading,
    member headings, the cover) is in the proportional family."""
    large = []
    for pdf in (marked_copy, binder):
        for n, chars in enumerate(pages(pdf)):
            large += [(pdf.name, n + 1, c) for c in chars if 13 <= c["size"] < 24]
    assert any(c["size"] == 17 and c["ch"] == "国" for _, _, c in large)  # 「1 国の概要」
    wrong = [(f, n, c["ch"], c["font"]) for f, n, c in large if TEXT_FONT not in c["font"]]
    assert not wrong, wrong[:10]


def test_toc_titles_are_proportional_and_page_numbers_tabular(binder: Path) -> None:
    docs = pages(binder)
    titles = numbers = 0
    for i in toc_entries(binder):
        heading = [c for c in docs[i] if c["size"] >= 16]
        assert "".join(c["ch"] for c in heading) == "目次", heading
        assert all(c["font"] == TEXT_FONT + "-Bold" for c in heading), heading
        body = [c for c in docs[i] if FRAME_BOTTOM < c["y"] < FRAME_TOP and c["size"] < 16]
        for line in lines_of(body):
            digits = 0  # the page number: the digits that end the line
            while digits < len(line) and line[-1 - digits]["ch"].isdigit():
                digits += 1
            for c in line[len(line) - digits :]:  # the page number
                assert c["font"].startswith(TABULAR_FONT + "-"), (i + 1, c)
                numbers += 1
            for c in line[: len(line) - digits]:  # the entry's title
                assert c["font"].startswith(TEXT_FONT + "-"), (i + 1, c["ch"], c["font"])
                titles += 1
    assert titles > 200 and numbers > 40


# --------------------------------------------------------------------------- 目次


def test_binder_toc_pages_are_balanced_without_a_runt(binder: Path) -> None:
    entries = list(toc_entries(binder).values())
    counts = [len(page) for page in entries]
    assert len(counts) >= 2, counts  # four packs: more than one page of entries
    assert max(counts) - min(counts) <= 2, counts  # spread evenly
    assert counts[-1] >= max(5, max(counts) // 2), counts  # no near-empty last page
    for page in entries[:-1]:  # no part's title left at the foot, its sections overleaf
        title = page[-1][0]
        assert title[0].isdigit(), (title, counts)
    for page in entries:  # every entry inside the frame
        assert all(bottom >= FRAME_BOTTOM - 0.5 for _, bottom in page), page


def test_toc_split_keeps_part_titles_with_their_sections() -> None:
    from briefpack.layout import TOC_LEADING, TOC_MIN_LEADING, _toc_pages

    size, room = 11.5, 444.0
    full = int(room // (size * TOC_LEADING))  # 19 entries a page at the normal leading
    counts, leading = _toc_pages([False] * full, room, size)
    assert counts == [full] and leading == size * TOC_LEADING
    counts, leading = _toc_pages([False] * (full + 2), room, size)  # tightened: one page
    assert counts == [full + 2] and size * TOC_MIN_LEADING - 0.01 <= leading < size * 2
    assert counts[0] * leading <= room
    heads = ([True] + [False] * 9) * 5  # five parts of nine sections: 50 entries
    counts, leading = _toc_pages(heads, room, size)
    assert sum(counts) == 50 and min(counts) >= 16 and max(counts) * leading <= room
    end = 0
    for count in counts[:-1]:
        end += count
        assert not heads[end - 1], counts
    assert _toc_pages([], room, size)[0] == [0]


# --------------------------------------------------------------------------- bullets


def test_bullet_text_hangs_one_even_gap_after_any_mark(packs: Path) -> None:
    """・, ▶ and ✓ have different widths and side bearings: the gap between the mark's ink
    and its text is the same for all, a quarter to half an em, and a wrapped item's next
    lines start where its first line's text starts."""
    gaps: dict[str, list[float]] = {}
    continued = 0
    for pdf in ("relations-kg.pdf", "economy-central-asia.pdf"):
        for chars in pages(packs / pdf):
            lines = lines_of([c for c in chars if c["size"] == BODY_SIZE])
            for i, line in enumerate(lines):
                mark = line[0]
                if mark["ch"] not in MARKS or len(line) < 2:
                    continue
                text_x = line[1]["x"]
                gaps.setdefault(mark["ch"], []).append((text_x - mark["right"]) / BODY_SIZE)
                below = lines[i + 1] if i + 1 < len(lines) else None
                leading = mark["y"] - below[0]["y"] if below else 0
                if below and below[0]["ch"] not in MARKS and 15 < leading < 20:
                    if below[0]["x"] > mark["x"] + 1:  # the item's next line, not a paragraph
                        assert below[0]["x"] == pytest.approx(text_x, abs=0.05), (pdf, line)
                        continued += 1
    assert set(gaps) == set(MARKS), gaps.keys()
    every = [g for values in gaps.values() for g in values]
    assert all(0.25 <= g <= 0.5 for g in every), gaps
    assert max(every) - min(every) <= 0.05, {m: (min(v), max(v)) for m, v in gaps.items()}
    assert continued >= 2
