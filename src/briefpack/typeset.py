"""Typesetting: plain text and styled runs → ReportLab flowables broken by the JLReq breaker.

Text from data is always text: nothing here parses ReportLab markup.  The only formatting
data may ask for is ``**bold**`` (see :func:`runs_from_text`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cache

from reportlab.lib.colors import HexColor
from reportlab.platypus import Flowable

from .fonts import FontSet
from .linebreak import Line, Run, break_lines

ASCENT = 0.88  # BIZ UD Gothic: ascender 880, descender 120 per 1000 units

# Lines already broken in this process, by text, measure and font: a paragraph is wrapped
# many times while pages are composed, and table cells repeat across tables and packs.
# Lines are immutable; only the fonts' names key the widths (a name is one registered file).
_BROKEN: dict[tuple, list[Line]] = {}
_BROKEN_LIMIT = 4_000  # about 4 KB each: a few packs' worth, a bounded memory


@dataclass(frozen=True)
class TextStyle:
    size: float
    leading: float
    color: str = "#1a1a1a"
    align: str = "justify"  # justify | left | right | center
    font: str = "regular"
    space_after: float = 0.0
    space_before: float = 0.0
    family: str = "tabular"  # tabular (fixed-width figures: cells) | text (proportional)


_JA = "[\u3000-\u30ff\u4e00-\u9fff\uff00-\uffef]"  # kana, kanji, full-width forms
_JAPANESE = re.compile(_JA)
_COLON = re.compile(f"(?<={_JA}):[ \t]*|:[ \t]*(?={_JA})")


def full_width_punctuation(text: str) -> str:
    """Japanese text set with Japanese punctuation, whoever typed it: 「訪日(公式訪問)」 →
    「訪日（公式訪問）」, 「単位:億円」 → 「単位：億円」, 「8～15歳」 → 「8〜15歳」.  Text
    without a Japanese character (an English title, a figure) is left as it is, and so is
    a colon between Latin characters or figures (12:30)."""
    if not _JAPANESE.search(text):
        return text
    text = text.replace("(", "（").replace(")", "）").replace("\uff5e", "\u301c")
    return _COLON.sub("：", text)


def runs_from_text(text: str, font: str = "regular") -> list[Run]:
    """Split ``**bold**`` spans out of ``text``; every other character is literal."""
    parts = text.split("**")
    if len(parts) % 2 == 0:  # an unpaired ** is printed as it stands
        return [Run(text, font)]
    runs = []
    for i, part in enumerate(parts):
        if part:
            runs.append(Run(part, "bold" if i % 2 else font))
    return runs


class JText(Flowable):
    """A paragraph of Japanese text that breaks its lines by JLReq and never overflows.

    In a tagged PDF (``render/tags.py``) its lines are marked content of one structure
    element: ``tag_role`` (``P``, ``H``, ``Caption`` …; None: the content of the element it
    is drawn in, a table cell or a list body, else a ``P``), in ``tag_group`` when several
    flowables share one element; the pieces of a split paragraph share ``tag_key``.
    """

    tag_role: str | None = None
    tag_group: object | None = None
    tag_key: object | None = None

    def __init__(
        self,
        runs: list[Run] | str,
        style: TextStyle,
        fonts: FontSet,
        lines: list[Line] | None = None,
        tag_role: str | None = None,
    ):
        super().__init__()
        if tag_role is not None:
            self.tag_role = tag_role
        if isinstance(runs, str):
            runs = [Run(runs, style.font)]
        if lines is None:
            runs = [Run(fonts.clean(full_width_punctuation(r.text)), r.font) for r in runs]
        self.runs = runs
        self.style = style
        self.fonts = fonts
        self._lines = lines
        self._width_broken: float | None = None
        self.spaceBefore = style.space_before
        self.spaceAfter = style.space_after

    def _measure(self, ch: str, font: str) -> float:
        return self.fonts.width(ch, font, self.style.size, self.style.family)

    def natural_width(self) -> float:
        """The width of the text set on one line (for sizing table columns)."""
        widest = 0.0
        for paragraph in "".join(r.text for r in self.runs).split("\n"):
            widest = max(widest, sum(self._measure(ch, self.style.font) for ch in paragraph))
        return widest

    def lines_for(self, width: float) -> list[Line]:
        if self._lines is not None and self._width_broken is None:
            return self._lines
        if self._width_broken != width or self._lines is None:
            style, fonts = self.style, self.fonts
            key = (
                tuple(self.runs),
                width,
                style.size,
                style.align == "justify",
                fonts.name("regular", style.family),
                fonts.name("bold", style.family),
            )
            lines = _BROKEN.get(key)
            if lines is None:
                lines = break_lines(
                    self.runs,
                    width,
                    self._measure,
                    justify=style.align == "justify",
                    max_gap=style.size * 0.5,
                )
                if len(_BROKEN) >= _BROKEN_LIMIT:  # a very large run: start afresh
                    _BROKEN.clear()
                _BROKEN[key] = lines
            self._lines = lines
            self._width_broken = width
        return self._lines

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        self.width = availWidth
        lines = self.lines_for(availWidth)
        self.height = len(lines) * self.style.leading
        return availWidth, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:  # noqa: N803
        lines = self.lines_for(availWidth)
        fit = int((availHeight + 1e-6) // self.style.leading)
        if fit <= 0 or fit >= len(lines):
            return []
        if len(lines) - fit == 1 and fit > 1:
            fit -= 1  # no single-line widow at the top of the next frame
        first = JText(self.runs, replace(self.style, space_after=0), self.fonts, lines[:fit])
        rest = JText(self.runs, replace(self.style, space_before=0), self.fonts, lines[fit:])
        return _same_element(self, [first, rest])

    def draw(self) -> None:
        canvas = self.canv
        lines = self.lines_for(self.width)
        tags = getattr(canvas, "tags", None)
        marked = tags.text(self) if tags is not None and lines else False
        size, leading = self.style.size, self.style.leading
        text = canvas.beginText()
        text.setFillColor(_color(self.style.color))
        current_font, current_space = None, 0.0
        for i, line in enumerate(lines):
            baseline = self.height - i * leading - (leading - size) / 2 - ASCENT * size
            offset = _align_offset(line, self.width, self.style.align)
            for piece in line.pieces:
                font = self.fonts.name(piece.font, self.style.family)
                if font != current_font:
                    text.setFont(font, size)
                    current_font = font
                if piece.char_space != current_space:
                    text.setCharSpace(piece.char_space)
                    current_space = piece.char_space
                text.setTextOrigin(offset + piece.x, baseline)
                text.textOut(piece.text)
        canvas.drawText(text)
        if marked:
            tags.end(marked)


@cache
def _color(hex_code: str) -> HexColor:
    """A style's colour, parsed once (every paragraph and cell is drawn in one)."""
    return HexColor(hex_code)


def _same_element(whole: Flowable, pieces: list[Flowable]) -> list[Flowable]:
    """The pieces of a split flowable stay one structure element (tagged PDF)."""
    key = whole.tag_key if whole.tag_key is not None else whole
    for piece in pieces:
        piece.tag_role, piece.tag_group, piece.tag_key = whole.tag_role, whole.tag_group, key
    return pieces


def _align_offset(line: Line, width: float, align: str) -> float:
    if align == "right":
        return width - line.width
    if align == "center":
        return (width - line.width) / 2
    return 0.0


class Bullet(Flowable):
    """A bullet mark with a paragraph hung beside it.

    Tagged: a list item (``LI`` > ``Lbl`` + ``LBody``) of the list ``tag_group``, or, when
    grouped with a caption or given another ``tag_role``, mark and text are its content.
    """

    tag_role: str | None = None
    tag_group: object | None = None
    tag_key: object | None = None

    def __init__(self, mark: str, body: JText, indent: float):
        super().__init__()
        self.mark = mark
        self.body = body
        self.indent = indent
        self.spaceBefore = body.spaceBefore
        self.spaceAfter = body.spaceAfter

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        _, h = self.body.wrap(availWidth - self.indent, availHeight)
        self.width, self.height = availWidth, h
        return availWidth, h

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:  # noqa: N803
        parts = self.body.split(availWidth - self.indent, availHeight)
        if not parts:
            return []
        pieces = [Bullet(self.mark, parts[0], self.indent), Bullet("", parts[1], self.indent)]
        return _same_element(self, pieces)

    def draw(self) -> None:
        style = self.body.style
        tags = getattr(self.canv, "tags", None)
        label, pushed = tags.open_item(self) if tags is not None else (None, 0)
        if self.mark:
            marked = tags.begin(label) if label is not None else False
            baseline = self.height - (style.leading - style.size) / 2 - ASCENT * style.size
            self.canv.setFillColor(_color(style.color))
            self.canv.setFont(self.body.fonts.name("regular", style.family), style.size)
            self.canv.drawString(0, baseline, self.mark)
            if marked:
                tags.end(marked)
        if tags is not None:
            pushed = tags.open_body(self, pushed)
        self.body.drawOn(self.canv, self.indent, 0)
        if tags is not None:
            tags.close(pushed)
