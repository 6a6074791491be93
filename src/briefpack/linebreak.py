"""Line breaking: styled text runs → lines that obey JLReq's line-start and line-end rules.

Text is cut into *units* that may not be split (a Latin word, a number with its unit such as
``119.15億円``, a kanji with the closing punctuation that follows it); lines are filled
greedily with whole units and justified by spreading the remaining space over the gaps
between units.  Only a unit wider than the whole line is broken inside (the last resort).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import repeat

# JLReq character classes (https://www.w3.org/TR/jlreq/#character_classes).
OPENING_BRACKETS = "‘“（〔［｛〈《「『【〘〖〝([{«"  # cl-01
CLOSING_BRACKETS = "’”）〕］｝〉》」』】〙〗〟)]}»"  # cl-02
HYPHENS = "‐〜゠–～"  # cl-03
DIVIDING_PUNCTUATION = "？！‼⁇⁈⁉?!"  # cl-04
MIDDLE_DOTS = "・：；:;"  # cl-05
FULL_STOPS = "。．."  # cl-06
COMMAS = "、，,"  # cl-07
INSEPARABLE = "—…‥〳〴〵―"  # cl-08
ITERATION_MARKS = "ヽヾゝゞ々〻"  # cl-09
PROLONGED_SOUND_MARK = "ー"  # cl-10
SMALL_KANA = (
    "ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶㇰㇱㇲㇳㇴㇵㇶㇷㇸㇹㇺㇻㇼㇽㇾㇿ"  # cl-11
)
PREFIXED_ABBREVIATIONS = "¥$£#€№＄￥＃△▲"  # cl-12 (plus the seeds' negative marks)
POSTFIXED_ABBREVIATIONS = "%‰℃°′″¢％‱"  # cl-13

NOT_AT_LINE_START = frozenset(
    CLOSING_BRACKETS
    + HYPHENS
    + DIVIDING_PUNCTUATION
    + MIDDLE_DOTS
    + FULL_STOPS
    + COMMAS
    + ITERATION_MARKS
    + PROLONGED_SOUND_MARK
    + SMALL_KANA
    + POSTFIXED_ABBREVIATIONS
)
NOT_AT_LINE_END = frozenset(OPENING_BRACKETS + PREFIXED_ABBREVIATIONS)

# Characters that stay attached to a number before them: 2025年, 119.15億円, 44,512ドル, 5カ国.
NUMERIC_SUFFIXES = frozenset(
    "年月日時分秒円銭万億兆千百十人名社件位倍歳頃度回台点個割カヵヶか国所ドル%％次代週号条項期"
)
# Counters and units of more than one character that stay with their number: 15世紀, 5時間.
COUNTER_WORDS = (
    "世紀",
    "世帯",
    "時間",
    "キロ",
    "トン",
    "メートル",
    "ヘクタール",
    "バレル",
    "ポイント",
    "パーセント",
    "ユーロ",
    "ルーブル",
    "テンゲ",
    "ソム",
    "スム",
)
# Characters that make up one Latin word or number: JICA, 1,234.5, 2025-12-01, https://…
WORD_CHARS = frozenset(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    "０１２３４５６７８９.,'’&_@#%+-/:=?~*$\\"
)
DIGITS = frozenset("0123456789０１２３４５６７８９")
SPACE = " "
# Half of these full-width glyphs is blank; JLReq sets them half-width when they meet.
CLOSING_PUNCT_FULL = frozenset("、。，．）〕］｝〉》」』】〙〗")
OPENING_PUNCT_FULL = frozenset("（〔［｛〈《「『【〘〖")

MeasureFn = Callable[[str, str], float]


def _by_first_char(words: Sequence[str]) -> dict[str, tuple[str, ...]]:
    """``words`` grouped by their first character, each group in the order given."""
    groups: dict[str, tuple[str, ...]] = {}
    for word in words:
        groups[word[0]] = (*groups.get(word[0], ()), word)
    return groups


# Lookups for the per-character loops, built once here rather than once per character.
_COUNTER_WORDS_BY_FIRST = _by_first_char(COUNTER_WORDS)
_NUMBER_RUNS_ON = NUMERIC_SUFFIXES | WORD_CHARS  # what a number keeps with it (2025年, 1.5)
_HALF_BLANK = re.compile(  # the marks `_squeeze_punctuation` may squeeze
    "[" + re.escape("".join(sorted(CLOSING_PUNCT_FULL | OPENING_PUNCT_FULL))) + "]"
)
# The characters `may_break_between` has a rule for on either side of a break, and the space
# (a unit of its own): outside a number, a line may always break between two characters
# that are in neither set.
_RULED_EITHER = (
    WORD_CHARS
    | frozenset(INSEPARABLE + SPACE)
    | frozenset(map(chr, range(0xC0, 0x250)))  # the Latin letters of `_is_word_char`
)
_RULED_BEFORE = NOT_AT_LINE_END | _RULED_EITHER
_RULED_AFTER = NOT_AT_LINE_START | _RULED_EITHER


@dataclass(frozen=True)
class Run:
    """A stretch of text in one font (``font`` is a style key such as ``"regular"``)."""

    text: str
    font: str = "regular"


@dataclass(frozen=True)
class Piece:
    """Text drawn from ``x`` with ``char_space`` added after every character."""

    text: str
    font: str
    x: float
    char_space: float = 0.0


@dataclass(frozen=True)
class Line:
    pieces: tuple[Piece, ...]
    width: float  # natural width of the content, before justification
    forced: bool = False  # broken inside a unit because the unit is wider than the line

    @property
    def text(self) -> str:
        return "".join(p.text for p in self.pieces)


@dataclass(slots=True)
class _Paragraph:
    """A paragraph's characters as parallel lists: ``text[i]`` is set in ``fonts[i]``, takes
    ``advance[i]`` and is drawn ``shift[i]`` from its pen position.  One text piece never
    spans an index in ``cuts`` (a change of font, after a squeezed glyph, a shifted glyph)."""

    text: str
    fonts: list[str]
    advance: list[float]
    shift: list[float]
    cuts: set[int]


@dataclass(slots=True)
class _Units:
    """A paragraph's units as parallel lists, a unit being referred to by its index: unit
    ``u`` is characters ``start[u]`` to ``end[u]`` (exclusive), ``width[u]`` wide (their
    advances summed in order), and a line may start with it if ``break_before[u]``.  The
    paragraph's own units are the first ``count``; cutting a unit appends its two parts."""

    start: list[int]
    end: list[int]
    width: list[float]
    break_before: list[bool]
    is_space: list[bool]
    advance: list[float]  # the paragraph's, to measure the parts of a cut unit
    count: int

    def add(self, start: int, end: int, break_before: bool) -> int:
        """A new unit (never a space) of characters ``start`` to ``end``: its index."""
        self.start.append(start)
        self.end.append(end)
        self.width.append(sum(self.advance[start:end]))
        self.break_before.append(break_before)
        self.is_space.append(False)
        return len(self.start) - 1

    def cut(self, u: int, i: int) -> tuple[int, int | None]:
        """Unit ``u`` cut before the paragraph's character ``i`` (None: nothing after it)."""
        head = self.add(self.start[u], i, self.break_before[u])
        return head, (self.add(i, self.end[u], True) if i < self.end[u] else None)

    def split(self, u: int, room: float) -> tuple[int | None, int | None]:
        """Unit ``u`` cut where it overflows ``room`` (head None: not even one character fits)."""
        used = 0.0
        for i in range(self.start[u], self.end[u]):
            if used + self.advance[i] > room + 1e-6:
                return self.cut(u, i) if i > self.start[u] else (None, u)
            used += self.advance[i]
        return u, None

    def chars(self, line: list[int]) -> int:
        """How many characters other than spaces ``line`` holds."""
        return sum(self.end[u] - self.start[u] for u in line if not self.is_space[u])


def _is_word_char(ch: str) -> bool:
    return ch in WORD_CHARS or ("\u00c0" <= ch <= "\u024f")


def may_break_between(before: str, after: str, before_is_number: bool = False) -> bool:
    """Whether JLReq allows a line break between two adjacent non-space characters
    (spaces are break opportunities of their own, handled where units are built)."""
    if after in NOT_AT_LINE_START or before in NOT_AT_LINE_END:
        return False
    if before in INSEPARABLE and after in INSEPARABLE:
        return False
    if _is_word_char(before) and _is_word_char(after):
        return False
    if before_is_number and after in NUMERIC_SUFFIXES:
        return False
    return True


def _paragraph(runs: list[tuple[str, str]], measure: MeasureFn) -> _Paragraph:
    """The characters of ``runs`` (``(text, font)`` pairs) measured, with JLReq's punctuation
    squeezing applied."""
    fonts: list[str] = []
    advance: list[float] = []
    cuts: set[int] = set()
    for run_text, font in runs:
        if fonts and fonts[-1] != font:
            cuts.add(len(fonts))
        fonts += [font] * len(run_text)
        advance += map(measure, run_text, repeat(font))
    text = "".join([run_text for run_text, _ in runs])
    para = _Paragraph(text, fonts, advance, [0.0] * len(text), cuts)
    if _HALF_BLANK.search(text):
        _squeeze_punctuation(para, measure)
    return para


def _squeeze_punctuation(para: _Paragraph, measure: MeasureFn) -> None:
    """Where two half-blank full-width marks meet, one blank half goes (JLReq 3.1.4)."""
    text, advance, shift = para.text, para.advance, para.shift
    natural = list(advance)
    ems: dict[str, float] = {}

    def full(i: int) -> bool:  # an em-wide glyph: a proportional font's 。（ have no blank half
        font = para.fonts[i]
        if font not in ems:
            ems[font] = measure("一", font)
        return natural[i] >= ems[font] * 0.95

    touched = []
    for match in _HALF_BLANK.finditer(text, 0, len(text) - 1):  # other pairs are never squeezed
        i = match.start()
        prev, cur = text[i], text[i + 1]
        if (
            prev in CLOSING_PUNCT_FULL
            and (cur in CLOSING_PUNCT_FULL or cur in OPENING_PUNCT_FULL)
            and full(i)
        ):
            advance[i] /= 2  # 。」 → the blank right half of 。 goes
            touched.append(i)
        elif prev in OPENING_PUNCT_FULL and cur in OPENING_PUNCT_FULL and full(i + 1):
            shift[i + 1] = -advance[i + 1] / 2  # 「（ → the blank left half of （ goes
            advance[i + 1] /= 2
            touched.append(i + 1)
    for i in touched:  # a squeezed glyph ends its piece, a shifted one starts a piece
        if advance[i] != natural[i]:
            para.cuts.add(i + 1)
        if shift[i] != 0.0:
            para.cuts.add(i)


def _units(para: _Paragraph) -> _Units:
    """The paragraph cut into units (each space is a unit of its own)."""
    text, advance = para.text, para.advance
    if not text:
        return _Units([], [], [], [], [], advance, 0)
    starts, widths, breaks, spaces = [0], [], [False], [text[0] == SPACE]
    in_number = text[0] in DIGITS  # the current unit is a number, possibly with suffixes (2025年)
    glue = 0  # characters still to attach to the current unit (the rest of a counter word)
    for i in range(1, len(text)):
        if glue:
            glue -= 1
            continue
        ch, prev = text[i], text[i - 1]
        if not in_number and ch not in _RULED_AFTER and prev not in _RULED_BEFORE:
            may_break, is_space = True, False  # the common case, decided without the rules
        elif ch in WORD_CHARS and prev in WORD_CHARS:
            in_number = in_number or ch in DIGITS  # one word or number goes on: JICA, 1,234
            continue
        elif ch == SPACE:
            may_break = prev != SPACE and prev not in NOT_AT_LINE_END
            is_space, in_number = True, False
        elif spaces[-1]:
            may_break = _may_start_after_spaces(text, i, breaks, spaces)
            is_space, in_number = False, ch in DIGITS
        else:
            if in_number and ch in _COUNTER_WORDS_BY_FIRST:
                word = next((w for w in _COUNTER_WORDS_BY_FIRST[ch] if text.startswith(w, i)), "")
                if word:
                    glue = len(word) - 1
                    continue
            if not may_break_between(prev, ch, in_number):
                in_number = ch in DIGITS or (in_number and ch in _NUMBER_RUNS_ON)
                continue
            may_break, is_space, in_number = True, False, ch in DIGITS
        widths.append(sum(advance[starts[-1] : i]))  # the unit before this one is complete
        starts.append(i)
        breaks.append(may_break)
        spaces.append(is_space)
    widths.append(sum(advance[starts[-1] :]))
    return _Units(starts, [*starts[1:], len(text)], widths, breaks, spaces, advance, len(starts))


def _may_start_after_spaces(text: str, i: int, breaks: list[bool], spaces: list[bool]) -> bool:
    """Whether a line may start at ``text[i]``, which follows a run of spaces: a run of spaces
    is a break opportunity unless what surrounds it forbids one.  「00 、」 may not end before
    the spaces (so breaks before the space units are withdrawn), 「（ 日本」 may not break
    after them."""
    if text[i] in NOT_AT_LINE_START:
        k = len(spaces) - 1
        while k >= 0 and spaces[k]:
            breaks[k] = False
            k -= 1
        return False
    j = i - 1
    while j >= 0 and text[j] == SPACE:
        j -= 1
    return j < 0 or text[j] not in NOT_AT_LINE_END


def _split_paragraphs(runs: Sequence[Run]) -> list[list[tuple[str, str]]]:
    """Split runs at explicit newlines into separate paragraphs (forced breaks), each a list
    of non-empty ``(text, font)`` pairs."""
    paragraphs: list[list[tuple[str, str]]] = [[]]
    for run in runs:
        parts = run.text.split("\n")
        for j, part in enumerate(parts):
            if j:
                paragraphs.append([])
            if part:
                paragraphs[-1].append((part, run.font))
    return paragraphs


def break_lines(
    runs: Sequence[Run],
    width: float,
    measure: MeasureFn,
    justify: bool = True,
    max_gap: float | None = None,
) -> list[Line]:
    """Break ``runs`` into lines no wider than ``width``.

    ``measure(char, font)`` returns a character's advance at the paragraph's size.
    ``max_gap`` caps the space added to one gap when justifying; a line that would need
    more is left ragged rather than spaced out.
    """
    lines: list[Line] = []
    for paragraph in _split_paragraphs(runs):
        para = _paragraph(paragraph, measure)
        units = _units(para)
        raw = _without_runt(units, width, measure, _fill(units, width), justify)
        for k, (line, forced) in enumerate(raw):
            last = k == len(raw) - 1
            lines.append(_place(para, units, line, width, justify and not last, max_gap, forced))
    return lines


RUNT = 2  # a last line of this many characters or fewer is a runt (「選。」「当」)


def _without_runt(
    units: _Units,
    width: float,
    measure: MeasureFn,
    raw: list[tuple[list[int], bool]],
    justify: bool = True,
) -> list[tuple[list[int], bool]]:
    """Re-break a paragraph whose last line is a runt, if a slightly narrower measure for the
    lines before it carries a few more characters down without adding a line (justified,
    those lines must not need gaps wider than justification allows; ragged, any will do)."""
    if len(raw) < 2 or units.chars(raw[-1][0]) > RUNT or any(forced for _, forced in raw):
        return raw
    em = measure("国", "regular") or 1.0

    def justifiable(line: list[int]) -> bool:  # well inside the half-em-per-gap limit
        slack = width - sum(units.width[u] for u in line)
        return slack <= 0.4 * em * max(len(line) - 1, 0)

    for k in range(1, 5):
        again = _fill(units, width - k * em)
        if (
            len(again) == len(raw)
            and not any(f for _, f in again)
            and units.chars(again[-1][0]) > RUNT
            and (not justify or all(justifiable(line) for line, _ in again[:-1]))
        ):
            return again
    return raw


def _fill(units: _Units, width: float) -> list[tuple[list[int], bool]]:
    """The paragraph's units filled greedily into lines (each with whether it was forced)."""
    lines: list[tuple[list[int], bool]] = []
    current: list[int] = []
    current_width = 0.0
    queue = list(range(units.count - 1, -1, -1))
    widths, is_space = units.width, units.is_space
    while queue:
        unit = queue.pop()
        if not current and is_space[unit]:
            continue  # spaces vanish at the start of a line
        if current_width + widths[unit] <= width + 1e-6 or is_space[unit]:
            current.append(unit)
            current_width += widths[unit]
            continue
        cut = len(current) if units.break_before[unit] else _last_break(units, current)
        if cut > 0:
            queue.append(unit)
            queue.extend(reversed(current[cut:]))
            lines.append((current[:cut], False))
        elif current:
            # Nothing in this line may be separated from what follows: the line is one
            # chain of glued units wider than the frame, so it is cut where it is full.
            head, tail = units.split(unit, width - current_width)
            if head is None:
                queue.append(unit)
                lines.append((current, True))
            else:
                if tail is not None:  # None: rounding lets the whole unit fit after all
                    queue.append(tail)
                lines.append((current + [head], True))
        else:
            head, tail = units.split(unit, width)
            if head is None:  # a single character wider than the frame: it goes alone
                head, tail = units.cut(unit, units.start[unit] + 1)
            if tail is not None:
                queue.append(tail)
            lines.append(([head], True))
        current, current_width = [], 0.0
    if current or not lines:
        lines.append((current, False))
    return lines


def _last_break(units: _Units, line: list[int]) -> int:
    """Where ``line`` may last be broken (0: nowhere)."""
    for i in range(len(line) - 1, 0, -1):
        if units.break_before[line[i]]:
            return i
    return 0


def _place(
    para: _Paragraph,
    units: _Units,
    line: list[int],
    width: float,
    justify: bool,
    max_gap: float | None,
    forced: bool,
) -> Line:
    """The line's units set: trailing spaces dropped, the gaps between the rest stretched to
    fill ``width`` if ``justify`` (within ``max_gap``)."""
    while line and units.is_space[line[-1]]:
        line = line[:-1]
    natural = sum([units.width[u] for u in line])
    gaps = len(line) - 1
    extra = 0.0
    if justify and gaps > 0 and natural < width:
        extra = (width - natural) / gaps
        if max_gap is not None and extra > max_gap:
            extra = 0.0
    if not line:
        return Line((), natural, forced)
    if extra == 0.0:
        start, end = units.start[line[0]], units.end[line[-1]]
        return Line(_solid_pieces(para, start, end), natural, forced)
    return Line(_spaced_pieces(para, units, line, extra), natural, forced)


def _solid_pieces(para: _Paragraph, start: int, end: int) -> tuple[Piece, ...]:
    """Characters ``start`` to ``end`` set with no space added: one piece per stretch between
    cuts (what `_spaced_pieces` gives when every gap is 0.0)."""
    stops = sorted(k for k in para.cuts if start < k < end) if para.cuts else []
    stops.append(end)
    pieces = []
    x = 0.0
    for stop in stops:
        pieces.append(Piece(para.text[start:stop], para.fonts[start], x + para.shift[start]))
        if stop < end:  # the pen moves on to the next piece
            for k in range(start, stop):
                x += para.advance[k]
        start = stop
    return tuple(pieces)


def _spaced_pieces(
    para: _Paragraph, units: _Units, line: list[int], extra: float
) -> tuple[Piece, ...]:
    """The line's characters with ``extra`` added after each unit, merged into as few text
    calls as the spacing allows: a piece adds one ``char_space`` after every character, so it
    ends where that space changes (beyond rounding), and at the paragraph's cuts."""
    text, fonts, advance, shift, cuts = para.text, para.fonts, para.advance, para.shift, para.cuts
    pieces: list[Piece] = []
    start, piece_x, char_space = -1, 0.0, 0.0  # the open piece (none before the first char)
    prev_gap = 0.0  # the space after the previous character
    x = 0.0
    for unit in line:
        last = units.end[unit] - 1
        for k in range(units.start[unit], last + 1):
            if (
                start >= 0
                and k not in cuts
                and (k - start == 1 or abs(char_space - prev_gap) < 1e-6)
            ):
                char_space = prev_gap
            else:
                if start >= 0:
                    pieces.append(Piece(text[start:k], fonts[start], piece_x, char_space))
                start, piece_x, char_space = k, x + shift[k], 0.0
            prev_gap = extra if k == last else 0.0
            x += advance[k] + prev_gap
    pieces.append(Piece(text[start : units.end[line[-1]]], fonts[start], piece_x, char_space))
    return tuple(pieces)
