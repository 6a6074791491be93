"""The JLReq line breaker, checked against oracles that do not come from the code under test.

* The rules are written out here from the specification (JLReq, Appendix A character classes),
  not imported from ``briefpack.linebreak``: a rule dropped from the product turns this red.
* Widths are measured here from the font file itself (``hmtx`` read with fontTools), not with
  the product's measuring function or the widths the breaker reports.
* Justification is read back from a drawn PDF (glyph origins via pdfium).
* Texts are the frozen fixture's sentences (``tests/fixture/data``) and generated text.
"""

from __future__ import annotations

import csv
import re
import tomllib
from collections.abc import Iterator
from functools import cache
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import briefpack
from briefpack.fonts import register_fonts
from briefpack.linebreak import Line, Run
from briefpack.typeset import JText, TextStyle

from .conftest import DATA

# --- The rules, from the specification -------------------------------------------------------
# JLReq, "Requirements for Japanese Text Layout", https://www.w3.org/TR/jlreq/
# Appendix A "Character classes" (full-width forms, plus the ASCII forms that Japanese text
# uses alongside them). ⦅⦆ are left out: the bundled font has no glyph for them.
CL01_OPENING_BRACKETS = "‘“（〔［｛〈《「『【〘〖〝«([{"  # cl-01
CL02_CLOSING_BRACKETS = "’”）〕］｝〉》」』】〙〗〟»)]}"  # cl-02
CL03_HYPHENS = "‐〜゠–"  # cl-03
CL04_DIVIDING_PUNCTUATION = "？！‼⁇⁈⁉?!"  # cl-04
CL05_MIDDLE_DOTS = "・：；:;"  # cl-05
CL06_FULL_STOPS = "。．."  # cl-06
CL07_COMMAS = "、，,"  # cl-07
CL08_INSEPARABLE = "—…‥〳〴〵"  # cl-08 (no break between two of them)
CL09_ITERATION_MARKS = "ヽヾゝゞ々〻"  # cl-09
CL10_PROLONGED_SOUND_MARK = "ー"  # cl-10
CL11_SMALL_KANA = (  # cl-11
    "ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶㇰㇱㇲㇳㇴㇵㇶㇷㇸㇹㇺㇻㇼㇽㇾㇿ"
)
# JLReq 3.1.7 "Characters not starting a line" / "Characters not ending a line".
NO_LINE_START = frozenset(
    CL02_CLOSING_BRACKETS
    + CL03_HYPHENS
    + CL04_DIVIDING_PUNCTUATION
    + CL05_MIDDLE_DOTS
    + CL06_FULL_STOPS
    + CL07_COMMAS
    + CL09_ITERATION_MARKS
    + CL10_PROLONGED_SOUND_MARK
    + CL11_SMALL_KANA
)
NO_LINE_END = frozenset(CL01_OPENING_BRACKETS)

# JLReq 3.1.4: full-width punctuation whose glyph is half blank; where two meet, one blank
# half goes (。」 「（ ）、 …), so the pair takes 1.5 em instead of 2.
HALF_BLANK_CLOSING = frozenset("、。，．）〕］｝〉》」』】〙〗")  # blank right half
HALF_BLANK_OPENING = frozenset("（〔［｛〈《「『【〘〖")  # blank left half

# Tokens never split (PRODUCT.md): a number with its unit (119.15億円, 2,470ドル, 2025年,
# △1,234), a Latin word (JICA), a URL or file name.
UNITS = (
    "億円|万円|円|億ドル|万ドル|ドル|万人|人|年度|年頃|年代|年|カ月|か月|月|日|時間|時|分|秒"
    "|位|倍|割|名|社|件|回|歳|カ国|ヵ国|か国|km|%|％|万トン|万|億|兆|千"
    "|世紀|キロ|トン|次|代"
)
NUMBER = rf"[△▲]?[0-9]+(?:[.,][0-9]+)*(?:{UNITS})?"
LATIN = r"[A-Za-z][A-Za-z0-9]*(?:[-_./:][A-Za-z0-9]+)*"
URL = r"https?://[A-Za-z0-9_.~:/?#@!$&'*+,;=%-]+"
TOKEN = re.compile(rf"{NUMBER}|{URL}|{LATIN}")

EPS = 1e-6  # points: rounding only

# --- Measuring, independently of the product ------------------------------------------------
FONT_DIR = Path(briefpack.__file__).resolve().parent / "fonts"
FONT_FILES = {
    "regular": FONT_DIR / "BIZUDGothic-Regular.ttf",
    "bold": FONT_DIR / "BIZUDGothic-Bold.ttf",
}
SIZE = 10.0


@cache
def _hmtx(font: str) -> tuple[dict[int, str], dict[str, tuple[int, int]], int]:
    from fontTools.ttLib import TTFont

    tt = TTFont(FONT_FILES[font], lazy=True)
    return tt.getBestCmap(), dict(tt["hmtx"].metrics), tt["head"].unitsPerEm


def advance(ch: str, font: str = "regular", size: float = SIZE) -> float:
    """The glyph's advance in points, from the font file's hmtx table."""
    cmap, hmtx, upem = _hmtx(font)
    assert ord(ch) in cmap, f"no glyph for {ch!r} in the font"
    return hmtx[cmap[ord(ch)]][0] * size / upem


def set_widths(text: str, font: str = "regular", size: float = SIZE) -> list[float]:
    """Each character's width as set in running text (JLReq 3.1.4 squeezing applied)."""
    widths = [advance(ch, font, size) for ch in text]
    for i in range(len(text) - 1):
        a, b = text[i], text[i + 1]
        if a in HALF_BLANK_CLOSING and (b in HALF_BLANK_CLOSING or b in HALF_BLANK_OPENING):
            widths[i] /= 2
        elif a in HALF_BLANK_OPENING and b in HALF_BLANK_OPENING:
            widths[i + 1] /= 2
    return widths


@cache
def fontset():
    return register_fonts(FONT_FILES["regular"], FONT_FILES["bold"])


def style(align: str = "justify") -> TextStyle:
    return TextStyle(size=SIZE, leading=SIZE * 1.6, align=align)


def breaker_lines(text: str, width: float, align: str = "justify") -> list[Line]:
    """The lines the product sets for ``text`` in a frame ``width`` points wide (the text
    as given: the rules hold for half-width brackets too, which a page sets full-width)."""
    fonts = fontset()
    paragraph = JText(text, style(align), fonts)
    paragraph.runs = [Run(fonts.clean(text), paragraph.style.font)]
    return paragraph.lines_for(width)


# --- What a break is allowed to be ----------------------------------------------------------
def token_spans(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in TOKEN.finditer(text)]


def may_break(text: str, at: int, spans: list[tuple[int, int]]) -> bool:
    """Whether JLReq allows a line break at offset ``at`` (spaces there vanish)."""
    left = at
    while left > 0 and text[left - 1] == " ":
        left -= 1
    right = at
    while right < len(text) and text[right] == " ":
        right += 1
    if left == 0 or right == len(text):
        return True
    before, after = text[left - 1], text[right]
    if after in NO_LINE_START or before in NO_LINE_END:
        return False
    if left == right:  # no space between: tokens and inseparable pairs hold together
        if before in CL08_INSEPARABLE and after in CL08_INSEPARABLE:
            return False
        if any(s < at < e for s, e in spans):
            return False
    return True


def unbreakable_width(text: str, at: int, allowed: dict[int, bool], widths: list[float]) -> float:
    """The width of the text around offset ``at`` between the nearest allowed breaks
    (``allowed[i]``: whether a break is allowed at offset ``i``)."""
    start = at - 1
    while start > 0 and not allowed[start]:
        start -= 1
    end = at + 1
    while end < len(text) and not allowed[end]:
        end += 1
    while text[start] == " ":
        start += 1
    while text[end - 1] == " ":
        end -= 1
    return sum(widths[start:end])


def locate(text: str, lines: list[str]) -> Iterator[tuple[int, int]]:
    """(start, end) of each line in ``text``; fails unless the lines are ``text`` in order,
    nothing added, and only spaces at a break left out."""
    pos = 0
    for line in lines:
        while pos < len(text) and text[pos] == " " and not text.startswith(line, pos):
            pos += 1
        assert text.startswith(line, pos), (text, lines, line)
        yield pos, pos + len(line)
        pos += len(line)
    assert text[pos:].strip(" ") == "", (text, lines)


def check_lines(text: str, width: float, lines: list[str]) -> None:
    """Every rule a set paragraph (no newline in ``text``) must obey, on the breaker's lines."""
    assert "\n" not in text
    spans = token_spans(text)
    widths = set_widths(text)
    where = list(locate(text, lines))
    allowed: dict[int, bool] = {}
    for i, (start, end) in enumerate(where):
        line = text[start:end]
        if i + 1 < len(where) and not may_break(text, end, spans):
            if not allowed:
                allowed.update((at, may_break(text, at, spans)) for at in range(len(text) + 1))
            # The one exception: a stretch that may not be broken is wider than the line.
            assert unbreakable_width(text, end, allowed, widths) > width + EPS, (
                f"JLReq forbids the break {line[-6:]!r} | {text[where[i + 1][0] :][:6]!r} "
                f"(frame {width} pt): {lines}"
            )
            # ... and then it is broken only where the line is full.
            next_char = where[i + 1][0]
            assert sum(widths[start : next_char + 1]) > width - EPS, (
                f"last-resort break before the line is full: {line!r} (frame {width} pt)"
            )
        drawn = sum(widths[start:end])
        if drawn > width + EPS:
            # Only a single character wider than the frame may stick out of it.
            assert len(line) == 1 and advance(line) > width, (
                f"line {line!r} is {drawn:.2f} pt wide in a {width} pt frame: {lines}"
            )


# --- Texts -----------------------------------------------------------------------------------
def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def _fixture_sentences() -> list[str]:
    found: list[str] = []
    for path in sorted((DATA / "texts").rglob("*.toml")):
        found.extend(_strings(tomllib.loads(path.read_text(encoding="utf-8"))))
    with (DATA / "datasets" / "timeline.csv").open(encoding="utf-8", newline="") as f:
        found.extend(row["text"] for row in csv.DictReader(f))
    japanese = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
    return [s for s in dict.fromkeys(found) if japanese.search(s)]


FIXTURE_SENTENCES = _fixture_sentences()


def japanese_sentences() -> list[str]:
    """The fixture's paragraphs as a page sets them (Japanese punctuation full-width)."""
    from briefpack.typeset import full_width_punctuation

    return [full_width_punctuation(p) for s in FIXTURE_SENTENCES for p in s.split("\n") if p]


# --- The fixture's sentences at every measure --------------------------------------------------
WIDTHS = [x * 5.0 for x in range(8, 81)]  # 40 … 400 pt: 4 to 40 characters of 10 pt


def test_fixture_sentences_obey_jlreq_at_every_measure() -> None:
    """No forbidden line start or end, no split token, nothing wider than the frame, text
    kept in order: every fixture sentence at 73 measures."""
    assert len(FIXTURE_SENTENCES) > 50, "the fixture's texts were not found"
    for width in WIDTHS:
        for para in japanese_sentences():
            check_lines(para, width, [line.text for line in breaker_lines(para, width)])


# --- Each rule on its own, character by character ----------------------------------------------
FILLER = "字"  # an ideograph (cl-19): a break is allowed on either side of it


@pytest.mark.parametrize("ch", sorted(NO_LINE_START))
def test_no_line_starts_with(ch: str) -> None:
    # Four ideographs fill a 40 pt line exactly, so greedy filling would put ``ch`` first
    # on the second line.
    text = FILLER * 4 + ch + FILLER * 6
    lines = [line.text for line in breaker_lines(text, 4 * SIZE)]
    assert all(not line.startswith(ch) for line in lines), lines
    check_lines(text, 4 * SIZE, lines)


@pytest.mark.parametrize("ch", sorted(NO_LINE_END))
def test_no_line_ends_with(ch: str) -> None:
    # Three ideographs and ``ch`` fill (or nearly fill) a 40 pt line: greedy filling would
    # leave ``ch`` last on the first line.
    text = FILLER * 3 + ch + FILLER * 6
    lines = [line.text for line in breaker_lines(text, 4 * SIZE)]
    assert all(not line.endswith(ch) for line in lines), lines
    check_lines(text, 4 * SIZE, lines)


UNSPLIT_TOKENS = [
    "119.15億円",
    "2,470ドル",
    "44,512ドル",
    "2025年",
    "2025年度",
    "△1,234",
    "62%",
    "1.5倍",
    "5カ国",
    "4位",
    "12月",
    "JICA",
    "GDP",
    "TAPI",
]


@pytest.mark.parametrize("token", UNSPLIT_TOKENS)
def test_numbers_with_units_and_latin_words_are_never_split(token: str) -> None:
    width = 6 * SIZE  # every token here fits on a line of its own
    assert sum(set_widths(token)) <= width
    for before in range(12):
        text = FILLER * before + token + FILLER * 8
        lines = [line.text for line in breaker_lines(text, width)]
        assert any(token in line for line in lines), (token, lines)
        check_lines(text, width, lines)


# Counters of more than one character (found by this file: the breaker once split them).
@pytest.mark.parametrize(
    "token", ["15世紀", "400キロ", "3次", "2010年代", "5時間", "10万トン", "20代"]
)
def test_counters_stay_with_their_number(token: str) -> None:
    for before in range(12):
        lines = [line.text for line in breaker_lines(FILLER * before + token + FILLER * 8, 60)]
        assert any(token in line for line in lines), (token, lines)


def test_token_wider_than_the_line_is_the_one_case_broken_inside() -> None:
    url = "https://www.jetro.go.jp/world/asia/kg/basic_01.html"
    width = 100.0
    text = "出所：" + url + "（2025年）"
    lines = [line.text for line in breaker_lines(text, width)]
    widths = set_widths(text)
    where = list(locate(text, lines))
    inside = [end for _, end in where[:-1] if text.index(url) < end < text.index(url) + len(url)]
    assert inside, f"the URL ({sum(advance(c) for c in url)} pt) was not broken: {lines}"
    for start, end in where:
        assert sum(widths[start:end]) <= width + EPS, (lines, text[start:end])
    for (start, end), (nxt, _) in zip(where, where[1:], strict=False):
        if end in inside:  # cut where the line is full, not earlier
            assert sum(widths[start:end]) + widths[nxt] > width, (lines, text[start:end])
    check_lines(text, width, lines)


def test_a_character_wider_than_the_frame_goes_alone() -> None:
    text = "中央アジア"
    lines = [line.text for line in breaker_lines(text, 0.6 * SIZE)]
    assert lines == list(text)


# --- Newlines ---------------------------------------------------------------------------------
def test_explicit_newline_forces_a_break() -> None:
    assert [x.text for x in breaker_lines("一行目\n二行目", 500)] == ["一行目", "二行目"]
    first, second = japanese_sentences()[:2]
    for width in (60.0, 137.5, 250.0):
        together = [x.text for x in breaker_lines(first + "\n" + second, width)]
        apart = [x.text for x in breaker_lines(first, width)] + [
            x.text for x in breaker_lines(second, width)
        ]
        assert together == apart, width


# --- What is drawn: justification and squeezed punctuation, read back from a PDF -------------
X0 = 50.0  # left edge of the frame on the page
PAGE_HEIGHT = 1200.0


def drawn_lines(blocks: list[tuple[str, float, str]]) -> list[list[list[tuple[str, float]]]]:
    """Draw each (text, frame width, align) with ``JText`` on its own PDF page, then read the
    glyphs back with pdfium: for each block, its lines as (character, origin x) pairs."""
    import ctypes
    import io

    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c
    from reportlab.pdfgen.canvas import Canvas

    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(X0 * 2 + 500, PAGE_HEIGHT))
    for text, width, align in blocks:
        flowable = JText(text, style(align), fontset())
        _, height = flowable.wrap(width, PAGE_HEIGHT)
        assert height < PAGE_HEIGHT - 100
        flowable.drawOn(canvas, X0, PAGE_HEIGHT - 50 - height)
        canvas.showPage()
    canvas.save()
    pdf = pdfium.PdfDocument(buffer.getvalue())
    found = []
    x, y = ctypes.c_double(), ctypes.c_double()
    for page in pdf:
        textpage = page.get_textpage()
        rows: dict[float, list[tuple[str, float]]] = {}
        for i in range(textpage.count_chars()):
            if pdfium_c.FPDFText_IsGenerated(textpage.raw, i):
                continue  # a space or line end pdfium inferred, not a drawn glyph
            assert pdfium_c.FPDFText_GetCharOrigin(textpage.raw, i, x, y)
            ch = chr(pdfium_c.FPDFText_GetUnicode(textpage.raw, i))
            rows.setdefault(round(y.value, 1), []).append((ch, x.value))
        found.append(
            [sorted(row, key=lambda g: g[1]) for _, row in sorted(rows.items(), reverse=True)]
        )
    pdf.close()
    return found


TOLERANCE = 0.02  # points: what a PDF's number formatting may round away


def _squeezed_opening(text: str, at: int) -> bool:
    return at > 0 and text[at] in HALF_BLANK_OPENING and text[at - 1] in HALF_BLANK_OPENING


def glyph_offsets(text: str, lines: list[list[tuple[str, float]]]) -> list[list[int]]:
    """Where each drawn glyph is in ``text`` (spaces are not read back: they are skipped).
    Fails unless the glyphs are the text's characters, in order, none added or lost."""
    offsets: list[list[int]] = []
    pos = 0
    for line in lines:
        row = []
        for ch, _ in line:
            if ch == " ":
                continue
            while pos < len(text) and text[pos] == " ":
                pos += 1
            assert pos < len(text) and text[pos] == ch, (text, pos, ch)
            row.append(pos)
            pos += 1
        offsets.append(row)
    assert text[pos:].strip(" ") == "", text
    return offsets


def test_justified_lines_fill_the_measure_and_the_last_line_is_set_solid() -> None:
    blocks = [(p, w, "justify") for w in (100.0, 187.5, 262.5, 400.0) for p in japanese_sentences()]
    for (text, width, _), lines in zip(blocks, drawn_lines(blocks), strict=True):
        widths = set_widths(text)
        spans = token_spans(text)
        for k, (line, offsets) in enumerate(zip(lines, glyph_offsets(text, lines), strict=True)):
            origins = [x for ch, x in line if ch != " "]
            # An opening bracket after another loses its blank half by being drawn half an
            # em to the left (its advance kept): read its origin where its box would start.
            origins = [
                x + (advance(text[o], "regular", SIZE) / 2 if _squeezed_opening(text, o) else 0)
                for x, o in zip(origins, offsets, strict=True)
            ]
            start, end = offsets[0], offsets[-1] + 1
            # Space added after each glyph, beyond its advance (and any space character).
            gaps = [
                b - a - sum(widths[i:j])
                for (a, b), (i, j) in zip(pairwise(origins), pairwise(offsets), strict=True)
            ]
            solid = all(abs(g) <= TOLERANCE for g in gaps)
            assert abs(origins[0] - X0) <= TOLERANCE, (text, k)
            assert all(g >= -TOLERANCE for g in gaps), ("glyphs overlap", text[start:end])
            if k == len(lines) - 1:
                assert solid, ("the last line is spread", text[start:end])
            else:
                short = X0 + width - (origins[-1] + widths[end - 1])
                # The one exception: a line with so few places to open up that filling it
                # would need more than half an em at each is left ragged, set solid.
                openings = sum(may_break(text, at, spans) for at in range(start + 1, end))
                ragged_ok = solid and short > 0.5 * SIZE * openings
                assert abs(short) <= TOLERANCE or ragged_ok, (
                    f"line {k} ends {short:.2f} pt short of the {width} pt measure: "
                    f"{text[start:end]!r}"
                )
            for s, e in spans:  # no space is added inside a number or a word
                if start <= s and e <= end:
                    inside = [g for g, i in zip(gaps, offsets, strict=False) if s <= i < e - 1]
                    assert all(abs(g) <= TOLERANCE for g in inside), text[s:e]


def test_consecutive_punctuation_is_set_half_width() -> None:
    # Advances by hand (10 pt type): where two half-blank punctuation marks meet, the pair
    # loses half an em (JLReq 3.1.4).
    cases = {
        "「ストーリー」。": [10, 10, 10, 10, 10, 10, 5],  # 」。: 」 half
        "（「注」）、字": [5, 10, 10, 5, 5, 10],  # （「: 「 half; 」）、: 」 and ） half
        "字。「字": [10, 5, 10],  # 。「: 。 half
        "字、字": [10, 10],  # no pair: nothing squeezed
    }
    blocks = [(text, 400.0, "left") for text in cases]
    for (text, _, _), lines in zip(blocks, drawn_lines(blocks), strict=True):
        assert len(lines) == 1 and "".join(ch for ch, _ in lines[0]) == text
        origins = [x for _, x in lines[0]]
        steps = [round(b - a, 2) for a, b in pairwise(origins)]
        assert steps == cases[text], (text, steps)


# --- Generated text ---------------------------------------------------------------------------
# Text built from the pieces Japanese prose is made of. A number or Latin word is always
# followed by something that is not a letter, digit or unit, so where a token ends is plain.
KANA_KANJI = "本貿易中央経済漢字計画道路改修事業輸出入あいうえおさしすせそアイウエオサシスセソ"
MARKS = sorted(
    set(
        CL01_OPENING_BRACKETS
        + CL02_CLOSING_BRACKETS
        + CL03_HYPHENS
        + CL04_DIVIDING_PUNCTUATION
        + CL05_MIDDLE_DOTS
        + CL06_FULL_STOPS
        + CL07_COMMAS
        + CL08_INSEPARABLE
        + CL09_ITERATION_MARKS
        + CL10_PROLONGED_SOUND_MARK
        + CL11_SMALL_KANA
    )
    - set(".,?!:;’")  # ASCII marks glue to Latin words; they come with numbers below
)
numbers = st.builds(
    lambda sign, digits, unit: sign + digits + unit,
    st.sampled_from(["", "", "△"]),
    st.from_regex(r"[1-9][0-9]{0,2}(,[0-9]{3}){0,2}(\.[0-9]{1,2})?", fullmatch=True),
    st.sampled_from(["", "", "億円", "ドル", "年", "万人", "%", "位", "カ国", "km"]),
)
words = st.one_of(
    st.from_regex(r"[A-Za-z]{1,10}", fullmatch=True),
    st.from_regex(r"https://[a-z]{3,30}\.jp/[a-z0-9_]{0,30}", fullmatch=True),
)
pieces = st.lists(
    st.one_of(
        st.text(alphabet=KANA_KANJI, min_size=1, max_size=6),
        st.sampled_from(MARKS),
        numbers.map(lambda t: (t,)),  # a tuple: a token that needs a plain end
        words.map(lambda t: (t,)),
        st.just(" "),
        st.just("\n"),
    ),
    max_size=60,
)


def compose(parts: list[str | tuple[str]]) -> str:
    out = ""
    for part in parts:
        if isinstance(part, tuple):
            out += part[0] + "本"
        else:
            out += part
    return out


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pieces, st.floats(min_value=5.0, max_value=400.0).map(lambda w: round(w * 4) / 4))
def test_generated_text_obeys_jlreq(parts: list[str | tuple[str]], width: float) -> None:
    text = compose(parts)
    lines = [line.text for line in breaker_lines(text, width)]
    # A newline ends a paragraph: the text sets as its paragraphs set one by one.
    by_paragraph = [[line.text for line in breaker_lines(p, width)] for p in text.split("\n")]
    assert lines == [line for p in by_paragraph for line in p]
    for paragraph, its_lines in zip(text.split("\n"), by_paragraph, strict=True):
        check_lines(paragraph, width, its_lines)


# With two spaces in a row the breaker once looked only one character back, so 「（」 could
# end a line and 「。」 start one (found by this file).
@pytest.mark.parametrize("text", ["本本（  本本本本", "本本本本  。本本"])
def test_a_run_of_spaces_does_not_open_a_prohibited_break(text: str) -> None:
    check_lines(text, 4 * SIZE, [line.text for line in breaker_lines(text, 4 * SIZE)])


def test_a_ragged_line_does_not_end_in_a_runt_either() -> None:
    """A centred table header (not justified) is re-broken like a paragraph: 「モバイル
    コネクティビティ指／数」 leaves 「数」 alone; ragged lines may carry more down, since no
    gap has to stretch: 「モバイルコネクティビ／ティ指数」."""
    from briefpack.linebreak import break_lines

    def measure(ch: str, font: str) -> float:
        return 10.0 if ord(ch) > 127 else 5.0

    text = "モバイルコネクティビティ指数\n2025年順位"
    ragged = [line.text for line in break_lines([Run(text, "bold")], 135, measure, justify=False)]
    assert ragged[:2] == ["モバイルコネクティビ", "ティ指数"]
    assert all(len(line) > 2 for line in ragged)


def test_japanese_text_is_set_with_full_width_punctuation() -> None:
    """Whoever typed it: 「訪日(公式訪問)」 is set 「訪日（公式訪問）」, 「単位:億円」
    「単位：億円」, 「8～15歳」 「8〜15歳」; English text, figures and times stay as typed."""
    from briefpack.typeset import full_width_punctuation

    assert full_width_punctuation("訪日(公式訪問)") == "訪日（公式訪問）"
    assert full_width_punctuation("単位:億円") == "単位：億円"
    assert full_width_punctuation("二国間交流の開始: 関係構築") == "二国間交流の開始：関係構築"
    assert full_width_punctuation("8～15歳") == "8〜15歳"
    for kept in ("IMF World Economic Outlook (April 2025)", "12:30", "1,234.5"):
        assert full_width_punctuation(kept) == kept
    lines = JText("訪日(公式訪問)", style("left"), fontset()).lines_for(400)
    assert [line.text for line in lines] == ["訪日（公式訪問）"]


def test_a_glued_chain_that_fits_only_by_rounding_is_set_not_a_crash() -> None:
    """「 A: nothing may break after 「, so 「, the space and A form one chain.  Summed as
    units it overflows the measure by a hair; cut character by character it fits.  The
    line is then set whole (the breaker once failed here, finding nothing left to carry)."""
    from briefpack.linebreak import break_lines

    advance = {"「": 41.71043543315341, "A": 19.966361437759243, " ": 0.0}
    lines = break_lines([Run("「 A")], 61.67679587091265, lambda ch, _font: advance.get(ch, 10.0))
    assert [line.text for line in lines] == ["「 A"]
