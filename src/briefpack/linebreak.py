"""Line breaking: styled text runs → lines that obey JLReq's line-start and line-end rules.

Text is cut into *units* that may not be split (a Latin word, a number with its unit such as
``119.15億円``, a kanji with the closing punctuation that follows it); lines are filled
greedily with whole units and justified by spreading the remaining space over the gaps
between units.  Only a unit wider than the whole line is broken inside (the last resort).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

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


@dataclass
class _Char:
    ch: str
    font: str
    advance: float
    natural: float
    shift: float = 0.0  # drawing offset of the glyph (used by half-width opening brackets)


@dataclass
class _Unit:
    chars: list[_Char]
    break_before: bool  # a line may start with this unit
    is_space: bool = False

    @property
    def width(self) -> float:
        return sum(c.advance for c in self.chars)


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


def _chars_with_punctuation_squeeze(runs: Sequence[Run], measure: MeasureFn) -> list[_Char]:
    chars = []
    for run in runs:
        for ch in run.text:
            w = measure(ch, run.font)
            chars.append(_Char(ch, run.font, w, w))
    ems: dict[str, float] = {}

    def full(c: _Char) -> bool:  # an em-wide glyph: a proportional font's 。（ have no blank half
        if c.font not in ems:
            ems[c.font] = measure("一", c.font)
        return c.natural >= ems[c.font] * 0.95

    for prev, cur in zip(chars, chars[1:], strict=False):
        if (
            prev.ch in CLOSING_PUNCT_FULL
            and (cur.ch in CLOSING_PUNCT_FULL or cur.ch in OPENING_PUNCT_FULL)
            and full(prev)
        ):
            prev.advance /= 2  # 。」 → the blank right half of 。 goes
        elif prev.ch in OPENING_PUNCT_FULL and cur.ch in OPENING_PUNCT_FULL and full(cur):
            cur.shift = -cur.advance / 2  # 「（ → the blank left half of （ goes
            cur.advance /= 2
    return chars


def _units(chars: list[_Char]) -> list[_Unit]:
    units: list[_Unit] = []
    text = "".join(c.ch for c in chars)
    in_number = False  # the current unit is a number, possibly with suffixes (2025年)
    glue = 0  # characters still to attach to the current unit (the rest of a counter word)
    for i, c in enumerate(chars):
        prev = chars[i - 1].ch if i else ""
        if not units:
            units.append(_Unit([c], break_before=False, is_space=c.ch == SPACE))
            in_number = c.ch in DIGITS
            continue
        if glue:
            units[-1].chars.append(c)
            glue -= 1
            continue
        if c.ch == SPACE:
            may_break = prev != SPACE and prev not in NOT_AT_LINE_END
            units.append(_Unit([c], break_before=may_break, is_space=True))
            in_number = False
            continue
        if units[-1].is_space:
            # A run of spaces is a break opportunity unless what surrounds it forbids one:
            # 「00 、」 may not end before the spaces, 「（ 日本」 may not break after them.
            j = i - 1
            while j >= 0 and chars[j].ch == SPACE:
                j -= 1
            before_space = chars[j].ch if j >= 0 else ""
            glued = c.ch in NOT_AT_LINE_START or before_space in NOT_AT_LINE_END
            if c.ch in NOT_AT_LINE_START:
                for unit in reversed(units):
                    if not unit.is_space:
                        break
                    unit.break_before = False
            units.append(_Unit([c], break_before=not glued))
            in_number = c.ch in DIGITS
            continue
        word = (
            next((w for w in COUNTER_WORDS if text.startswith(w, i)), None) if in_number else None
        )
        if word:
            units[-1].chars.append(c)
            glue = len(word) - 1
            continue
        if may_break_between(prev, c.ch, before_is_number=in_number):
            units.append(_Unit([c], break_before=True))
            in_number = c.ch in DIGITS
        else:
            units[-1].chars.append(c)
            in_number = c.ch in DIGITS or (in_number and c.ch in NUMERIC_SUFFIXES | WORD_CHARS)
    return units


def _split_paragraphs(runs: Sequence[Run]) -> list[list[Run]]:
    """Split runs at explicit newlines into separate paragraphs (forced breaks)."""
    paragraphs: list[list[Run]] = [[]]
    for run in runs:
        parts = run.text.split("\n")
        for j, part in enumerate(parts):
            if j:
                paragraphs.append([])
            if part:
                paragraphs[-1].append(Run(part, run.font))
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
    em = measure("国", "regular") or 1.0
    for paragraph in _split_paragraphs(runs):
        units = _units(_chars_with_punctuation_squeeze(paragraph, measure))
        raw = _without_runt(units, width, em, _fill(units, width), justify)
        for k, (line_units, forced) in enumerate(raw):
            last = k == len(raw) - 1
            lines.append(_place(line_units, width, justify and not last, max_gap, forced))
    return lines


RUNT = 2  # a last line of this many characters or fewer is a runt (「選。」「当」)


def _without_runt(
    units: list[_Unit],
    width: float,
    em: float,
    raw: list[tuple[list[_Unit], bool]],
    justify: bool = True,
) -> list[tuple[list[_Unit], bool]]:
    """Re-break a paragraph whose last line is a runt, if a slightly narrower measure for the
    lines before it carries a few more characters down without adding a line (justified,
    those lines must not need gaps wider than justification allows; ragged, any will do)."""

    def chars(line: list[_Unit]) -> int:
        return sum(len(u.chars) for u in line if not u.is_space)

    if len(raw) < 2 or chars(raw[-1][0]) > RUNT or any(forced for _, forced in raw):
        return raw

    def justifiable(line: list[_Unit]) -> bool:  # well inside the half-em-per-gap limit
        slack = width - sum(u.width for u in line)
        return slack <= 0.4 * em * max(len(line) - 1, 0)

    for k in range(1, 5):
        again = _fill(units, width - k * em)
        if (
            len(again) == len(raw)
            and not any(f for _, f in again)
            and chars(again[-1][0]) > RUNT
            and (not justify or all(justifiable(line) for line, _ in again[:-1]))
        ):
            return again
    return raw


def _fill(units: list[_Unit], width: float) -> list[tuple[list[_Unit], bool]]:
    lines: list[tuple[list[_Unit], bool]] = []
    current: list[_Unit] = []
    current_width = 0.0
    queue = list(reversed(units))
    while queue:
        unit = queue.pop()
        if not current and unit.is_space:
            continue  # spaces vanish at the start of a line
        if current_width + unit.width <= width + 1e-6 or unit.is_space:
            current.append(unit)
            current_width += unit.width
            continue
        cut = len(current) if unit.break_before else _last_break(current)
        if cut > 0:
            queue.append(unit)
            queue.extend(reversed(current[cut:]))
            lines.append((current[:cut], False))
        elif current:
            # Nothing in this line may be separated from what follows: the line is one
            # chain of glued units wider than the frame, so it is cut where it is full.
            head, tail = _split_unit(unit, width - current_width)
            if head is None:
                queue.append(unit)
                lines.append((current, True))
            else:
                queue.append(tail)
                lines.append((current + [head], True))
        else:
            head, tail = _split_unit(unit, width)
            if head is None:  # a single character wider than the frame: it goes alone
                head, tail = _split_unit_at(unit, 1)
            if tail is not None:
                queue.append(tail)
            lines.append(([head], True))
        current, current_width = [], 0.0
    if current or not lines:
        lines.append((current, False))
    return lines


def _last_break(units: list[_Unit]) -> int:
    for i in range(len(units) - 1, 0, -1):
        if units[i].break_before:
            return i
    return 0


def _split_unit(unit: _Unit, room: float) -> tuple[_Unit | None, _Unit | None]:
    used = 0.0
    for i, c in enumerate(unit.chars):
        if used + c.advance > room + 1e-6:
            return _split_unit_at(unit, i) if i else (None, unit)
        used += c.advance
    return unit, None


def _split_unit_at(unit: _Unit, i: int) -> tuple[_Unit, _Unit | None]:
    head = _Unit(unit.chars[:i], unit.break_before)
    tail = _Unit(unit.chars[i:], True) if unit.chars[i:] else None
    return head, tail


def _place(
    units: list[_Unit], width: float, justify: bool, max_gap: float | None, forced: bool
) -> Line:
    while units and units[-1].is_space:
        units = units[:-1]
    natural = sum(u.width for u in units)
    gaps = len(units) - 1
    extra = 0.0
    if justify and gaps > 0 and natural < width:
        extra = (width - natural) / gaps
        if max_gap is not None and extra > max_gap:
            extra = 0.0
    placed: list[tuple[_Char, float, float]] = []  # (char, x, space after its advance)
    x = 0.0
    for unit in units:
        for j, c in enumerate(unit.chars):
            gap = extra if j == len(unit.chars) - 1 else 0.0
            placed.append((c, x, gap))
            x += c.advance + gap
    return Line(_group(placed), natural, forced)


def _group(placed: list[tuple[_Char, float, float]]) -> tuple[Piece, ...]:
    """Merge placed characters into as few text calls as the spacing allows."""
    pieces: list[Piece] = []
    prev: _Char | None = None
    prev_gap = 0.0
    for c, x, gap in placed:
        squeezed = prev is not None and prev.advance != prev.natural
        if (
            pieces
            and prev is not None
            and not squeezed
            and c.shift == 0.0
            and prev.font == c.font
            and (len(pieces[-1].text) == 1 or abs(pieces[-1].char_space - prev_gap) < 1e-6)
        ):
            last = pieces[-1]
            pieces[-1] = Piece(last.text + c.ch, last.font, last.x, prev_gap)
        else:
            pieces.append(Piece(c.ch, c.font, x + c.shift, 0.0))
        prev, prev_gap = c, gap
    return tuple(pieces)
