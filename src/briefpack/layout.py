"""Layout: built sections → a paginated PDF (cover, 目次, section pages, bookmarks, metadata).

The 目次 is laid out in the single pass: its page holds a form XObject that is filled in
when the document is saved, once every section's page number is known.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from reportlab.lib.colors import HexColor
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
)

from .fonts import FontSet
from .style import Style
from .typeset import ASCENT, JText, TextStyle

TOC_FORM = "briefpackToc"


@dataclass
class BuiltSection:
    title: str
    flowables: list[Flowable]


@dataclass
class PackLayout:
    """Everything the layout needs to know about one pack."""

    title: str
    subtitle: str
    issue_date: str  # as printed
    as_of: str  # as printed
    publications: list[str]
    sections: list[BuiltSection]
    author: str = "briefpack"
    subject: str = ""
    keywords: str = ""
    toc: list[tuple[int, str, int]] = field(default_factory=list)  # (level, title, page)


class SectionBand(Flowable):
    """The coloured title band that opens a section; registers its bookmark and 目次 entry."""

    def __init__(self, number: int, title: str, style: Style, fonts: FontSet, layout: PackLayout):
        super().__init__()
        self.number, self.title, self.style, self.fonts, self.layout = (
            number,
            title,
            style,
            fonts,
            layout,
        )
        self.size = style["text"]["section_size"]
        self.spaceAfter = style["text"]["block_gap"]

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        self.width = availWidth
        self.height = self.size * 2.1
        return availWidth, self.height

    def draw(self) -> None:
        canvas = self.canv
        canvas.setFillColor(HexColor(self.style.color("accent")))
        canvas.rect(0, 0, self.width, self.height, stroke=0, fill=1)
        canvas.setFillColor(HexColor(self.style.color("accent_text")))
        canvas.setFont(self.fonts.bold, self.size)
        baseline = (self.height - self.size) / 2 + (1 - ASCENT) * self.size
        label = f"{self.number}　{self.fonts.clean(self.title)}"
        canvas.drawString(self.size * 0.6, baseline, label)
        key = f"section{self.number}"
        canvas.bookmarkPage(key)
        canvas.addOutlineEntry(f"{self.number} {self.fonts.clean(self.title)}", key, level=0)
        self.layout.toc.append((0, label, canvas.getPageNumber()))


class MemberHeading(Flowable):
    """A country's sub-heading inside a region's section, with its own bookmark."""

    def __init__(self, title: str, style: Style, fonts: FontSet, key: str):
        super().__init__()
        self.title, self.style, self.fonts, self.key = title, style, fonts, key
        self.size = style["text"]["heading_size"] + 2
        self.spaceBefore = 4
        self.spaceAfter = 4

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        self.width, self.height = availWidth, self.size * 1.8
        return self.width, self.height

    def draw(self) -> None:
        canvas = self.canv
        canvas.setFillColor(HexColor(self.style.color("accent")))
        canvas.rect(0, 0, 4, self.height, stroke=0, fill=1)
        canvas.setFont(self.fonts.bold, self.size)
        baseline = (self.height - self.size) / 2 + (1 - ASCENT) * self.size
        canvas.drawString(12, baseline, self.fonts.clean(self.title))
        canvas.setStrokeColor(HexColor(self.style.color("light_rule")))
        canvas.setLineWidth(0.5)
        canvas.line(0, 0, self.width, 0)
        canvas.bookmarkPage(self.key)
        canvas.addOutlineEntry(self.fonts.clean(self.title), self.key, level=1)


class TocBlock(Flowable):
    """Reserves the 目次's space and draws the form that the canvas fills in at save time."""

    def __init__(self, entries: int, leading: float):
        super().__init__()
        self.entries, self.leading = entries, leading

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        self.width, self.height = availWidth, self.entries * self.leading
        return self.width, self.height

    def draw(self) -> None:
        self.canv.saveState()
        self.canv.translate(0, self.height)
        self.canv.doForm(TOC_FORM)
        self.canv.restoreState()


class Cover(Flowable):
    def __init__(self, layout: PackLayout, style: Style, fonts: FontSet, height: float):
        super().__init__()
        self.layout, self.style, self.fonts, self.full_height = layout, style, fonts, height

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        self.width, self.height = availWidth, min(self.full_height, availHeight)
        return self.width, self.height

    def draw(self) -> None:
        c, style, fonts, layout = self.canv, self.style, self.fonts, self.layout
        t = style["text"]
        band_h = t["title_size"] * 4.2
        top = self.height * 0.72
        c.setFillColor(HexColor(style.color("cover_band")))
        c.rect(0, top - band_h, self.width, band_h, stroke=0, fill=1)
        white = style.color("accent_text")
        title = JText(
            layout.title,
            TextStyle(t["title_size"], t["title_size"] * 1.35, white, "left", "bold"),
            fonts,
        )
        _, h = title.wrap(self.width - 40, band_h)
        title.drawOn(
            c, 24, top - band_h / 2 + h / 2 - t["title_size"] * 0.55 + (t["title_size"] * 0.2)
        )
        if layout.subtitle:
            sub = JText(
                layout.subtitle,
                TextStyle(t["heading_size"] + 2, (t["heading_size"] + 2) * 1.4, white, "left"),
                fonts,
            )
            _, sh = sub.wrap(self.width - 40, band_h)
            sub.drawOn(c, 24, top - band_h + 10)
        lines = [
            ("発行日", layout.issue_date),
            ("データ時点", layout.as_of),
            ("出典資料", "／".join(layout.publications)),
        ]
        body = TextStyle(t["body_size"] + 1, t["body_leading"] + 2, style.color("text"), "left")
        y = top - band_h - 36
        for label, value in lines:
            head = JText(
                label,
                TextStyle(body.size, body.leading, style.color("muted"), "left", "bold"),
                fonts,
            )
            head.wrap(90, 100)
            text = JText(value, body, fonts)
            _, h = text.wrap(self.width - 140, 400)
            head.drawOn(c, 24, y - body.leading)
            text.drawOn(c, 120, y - h)
            y -= h + 8


class PackCanvas(Canvas):
    """A canvas that fills in the 目次 form just before the file is written."""

    layout: PackLayout | None = None
    fontset: FontSet | None = None
    pack_style: Style | None = None
    toc_width: float = 0.0

    def save(self) -> None:
        self._draw_toc()
        super().save()

    def _draw_toc(self) -> None:
        layout, fonts, style = self.layout, self.fontset, self.pack_style
        if layout is None or fonts is None or style is None:
            return
        size = style["text"]["body_size"] + 1
        leading = size * 2.0
        height = max(len(layout.toc), 1) * leading
        self.beginForm(TOC_FORM, 0, -height, self.toc_width, 0)
        self.setFillColor(HexColor(style.color("text")))
        for i, (_level, title, page) in enumerate(layout.toc):
            baseline = -(i + 1) * leading + (leading - size) / 2 + (1 - ASCENT) * size
            self.setFont(fonts.regular, size)
            self.drawString(0, baseline, title)
            number = str(page)
            self.drawRightString(self.toc_width, baseline, number)
            title_w = self.stringWidth(title, fonts.regular, size)
            num_w = self.stringWidth(number, fonts.regular, size)
            self.setStrokeColor(HexColor(style.color("light_rule")))
            self.setDash([1, 2.5])
            self.setLineWidth(0.6)
            self.line(title_w + 8, baseline + 2, self.toc_width - num_w - 8, baseline + 2)
            self.setDash([])
        self.endForm()


def render(layout: PackLayout, style: Style, fonts: FontSet) -> bytes:
    """Lay the pack out and return the PDF's bytes."""
    buffer = io.BytesIO()
    page_w, page_h = style.page_size
    left, right = style.margin("left"), style.margin("right")
    top, bottom = style.margin("top"), style.margin("bottom")
    frame_w, frame_h = page_w - left - right, page_h - top - bottom

    doc = BaseDocTemplate(
        buffer,
        pagesize=(page_w, page_h),
        leftMargin=left,
        rightMargin=right,
        topMargin=top,
        bottomMargin=bottom,
        title=layout.title,
        author=layout.author,
        subject=layout.subject,
        keywords=layout.keywords,
        creator="briefpack",
        producer="briefpack",
        invariant=1,
        lang="ja",
        initialFontName=fonts.regular,
        initialFontSize=10,
        displayDocTitle=1,
    )
    cover_frame = Frame(
        left,
        bottom,
        frame_w,
        frame_h,
        id="cover",
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
    )
    body_frame = Frame(
        left,
        bottom,
        frame_w,
        frame_h,
        id="body",
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
    )
    decorate = _page_decorator(layout, style, fonts)
    doc.addPageTemplates(
        [
            PageTemplate("cover", [cover_frame]),
            PageTemplate("body", [body_frame], onPage=decorate),
        ]
    )
    story: list[Flowable] = [
        NextPageTemplate("body"),
        Cover(layout, style, fonts, frame_h),
        PageBreak(),
    ]
    toc_size = style["text"]["body_size"] + 1
    story.append(_toc_heading(style, fonts))
    story.append(TocBlock(len(layout.sections), toc_size * 2.0))
    for number, section in enumerate(layout.sections, start=1):
        story.append(PageBreak())
        story.append(SectionBand(number, section.title, style, fonts, layout))
        story.extend(section.flowables)

    class _Canvas(PackCanvas):
        pass

    _Canvas.layout, _Canvas.fontset, _Canvas.pack_style, _Canvas.toc_width = (
        layout,
        fonts,
        style,
        frame_w * 0.75,
    )
    doc.build(story, canvasmaker=_Canvas)
    return buffer.getvalue()


def _toc_heading(style: Style, fonts: FontSet) -> Flowable:
    size = style["text"]["section_size"]
    return JText("目次", TextStyle(size, size * 2.2, style.color("accent"), "left", "bold"), fonts)


def _page_decorator(layout: PackLayout, style: Style, fonts: FontSet) -> Any:
    page_w, page_h = style.page_size
    left, right = style.margin("left"), style.margin("right")
    small = style["text"]["small_size"]

    def decorate(canvas: Canvas, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(fonts.regular, small)
        canvas.setFillColor(HexColor(style.color("muted")))
        header_y = page_h - style.margin("top") + 12
        canvas.drawString(left, header_y, fonts.clean(layout.title))
        canvas.setStrokeColor(HexColor(style.color("light_rule")))
        canvas.setLineWidth(0.5)
        canvas.line(left, header_y - 4, page_w - right, header_y - 4)
        footer_y = style.margin("bottom") - 18
        canvas.drawString(left, footer_y, f"発行日：{layout.issue_date}")
        canvas.drawCentredString(page_w / 2, footer_y, f"{canvas.getPageNumber()}")
        canvas.drawRightString(page_w - right, footer_y, f"データ時点：{layout.as_of}")
        canvas.restoreState()

    return decorate
