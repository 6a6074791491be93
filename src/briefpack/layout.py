"""Layout: built sections → a paginated PDF (cover, 目次, section pages, bookmarks, metadata).

The 目次 is laid out in the single pass: its pages hold form XObjects that are filled in
when the document is saved, once every section's page number is known.  Print options
(meeting, marking, watermark, copy number, duplex) are decided here and nowhere else.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from dataclasses import dataclass, field, replace
from typing import Any

from reportlab.lib.colors import HexColor
from reportlab.pdfbase.pdfdoc import PDFArray, PDFDictionary, PDFName, PDFString
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
)

from .archival import DocumentMetadata, finish
from .fonts import FontSet
from .render.compose import chart_floor
from .render.tags import Elem, Group, Opening, TagRecorder, artifact, ensure_tagged
from .render.tails import settled
from .style import Style
from .typeset import ASCENT, JText, TextStyle

TOC_FORM = "briefpackToc"
TOC_LEADING = 2.0  # a 目次 entry's leading, in times its size
TOC_MIN_LEADING = 1.7  # …tightened down to this when that saves the 目次 a page
BLANK_PAGE_NOTICE = "このページは白紙です"


@dataclass
class BuiltSection:
    title: str
    flowables: list[Flowable]


@dataclass
class Part:
    """One pack inside a document: a binder has several, a pack has one (with no title)."""

    title: str | None
    sections: list[BuiltSection]


@dataclass
class PrintSettings:
    """How the document is printed: meeting, marking, watermark, copy number, duplex."""

    meeting: str | None = None
    meeting_date: str | None = None
    mark: str | None = None
    watermark: str | None = None
    copy_label: str | None = None  # 「No. 3/20」
    duplex: bool = False


@dataclass
class PackLayout:
    """Everything the layout needs to know about one document."""

    title: str
    subtitle: str
    issue_date: str  # as printed
    as_of: str  # as printed
    publications: list[str]
    parts: list[Part]
    printing: PrintSettings = field(default_factory=PrintSettings)
    author: str = "briefpack"  # the issuing organisation: PDF /Author and XMP dc:creator
    subject: str = ""
    keywords: str = ""
    creation_date: dt.date | None = None  # the issue date: PDF and XMP creation/modify dates
    toc: list[tuple[int, str, int]] = field(default_factory=list)  # (level, title, page)

    @property
    def toc_entries(self) -> int:
        return sum(len(p.sections) + (1 if p.title else 0) for p in self.parts)


class SectionBand(Flowable):
    """The coloured title band that opens a section; registers its bookmark and 目次 entry."""

    def __init__(
        self, label: str, level: int, key: str, style: Style, fonts: FontSet, layout: PackLayout
    ):
        super().__init__()
        self.label, self.level, self.key = fonts.clean(label), level, key
        self.style, self.fonts, self.layout = style, fonts, layout
        self.size = style["text"]["section_size"] * (
            1.25 if level == 0 and key.startswith("part") else 1
        )
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
        canvas.setFont(self.fonts.name("bold", "text"), self.size)
        baseline = (self.height - self.size) / 2 + (1 - ASCENT) * self.size
        tags = getattr(canvas, "tags", None)  # tagged PDF: a Sect (Part) headed H1/H2
        role = "Part" if self.key.startswith("part") else "Sect"
        marked = tags.begin(tags.section(self.level, self.label, role)) if tags else False
        canvas.drawString(self.size * 0.6, baseline, self.label)
        if marked:
            tags.end(marked)
        canvas.section_level = self.level  # a MemberHeading goes one level below
        canvas.bookmarkPage(self.key)
        canvas.addOutlineEntry(self.label, self.key, level=self.level)
        self.layout.toc.append((self.level, self.label, canvas.getPageNumber()))


class MemberHeading(Flowable):
    """A country's sub-heading inside a region's section, with its own bookmark one level
    below the section's (``level`` only when drawn without a section band)."""

    def __init__(self, title: str, style: Style, fonts: FontSet, key: str, level: int = 1):
        super().__init__()
        self.title, self.style, self.fonts, self.key, self.level = title, style, fonts, key, level
        self.size = style["text"]["heading_size"] + 2
        self.spaceBefore = 4
        self.spaceAfter = 4

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        self.width, self.height = availWidth, self.size * 1.8
        return self.width, self.height

    def natural_width(self) -> float:
        """The width its title needs (after the accent bar), on one line."""
        title = self.fonts.clean(self.title)
        return 12 + sum(self.fonts.width(ch, "bold", self.size, "text") for ch in title)

    def draw(self) -> None:
        canvas = self.canv
        canvas.setFillColor(HexColor(self.style.color("accent")))
        canvas.rect(0, 0, 4, self.height, stroke=0, fill=1)
        canvas.setFont(self.fonts.name("bold", "text"), self.size)
        baseline = (self.height - self.size) / 2 + (1 - ASCENT) * self.size
        title = self.fonts.clean(self.title)
        level = getattr(canvas, "section_level", self.level - 1) + 1
        tags = getattr(canvas, "tags", None)  # tagged PDF: a Sect in the section, headed
        marked = tags.begin(tags.section(level, title)) if tags else False
        canvas.drawString(12, baseline, title)
        if marked:
            tags.end(marked)
        canvas.setStrokeColor(HexColor(self.style.color("light_rule")))
        canvas.setLineWidth(0.5)
        canvas.line(0, 0, self.width, 0)
        canvas.bookmarkPage(self.key)
        canvas.addOutlineEntry(title, self.key, level=level)


class TocBlock(Flowable):
    """Reserves one page's share of the 目次 and draws its entries, one form each, filled in
    at save time; each entry links to its section (``links``: the entries' bookmark keys and
    titles).  Tagged: the entries are ``TOCI`` > ``Link`` of one ``TOC`` (``toc``)."""

    def __init__(
        self,
        form: str,
        entries: int,
        leading: float,
        links: list[tuple[str, str]] | None = None,
        toc: Group | None = None,
    ):
        super().__init__()
        self.form, self.entries, self.leading = form, entries, leading
        self.links, self.toc = links or [], toc or Group("TOC")

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        self.width, self.height = availWidth, self.entries * self.leading
        return self.width, self.height

    def draw(self) -> None:
        canvas, leading = self.canv, self.leading
        tags = getattr(canvas, "tags", None)
        toc = tags.group(self.toc) if tags is not None else None
        for i in range(self.entries):
            link = Elem("Link", Elem("TOCI", toc)) if toc is not None else None
            marked = tags.begin(link) if link is not None else False
            canvas.saveState()
            canvas.translate(0, self.height - i * leading)
            canvas.doForm(f"{self.form}_{i}")
            canvas.restoreState()
            if marked:
                tags.end(marked)
            if i < len(self.links):
                key, title = self.links[i]
                top = self.height - i * leading
                self._link(key, title, (0, top - leading, self.width, top), link)

    def _link(self, key: str, title: str, rect: tuple, link: Elem | None) -> None:
        """A link annotation over the entry: to its section, printable (PDF/A), tagged."""
        canvas = self.canv
        name = f"toc.{key}"
        annotation = PDFDictionary(
            {
                "Type": PDFName("Annot"),
                "Subtype": PDFName("Link"),
                "Rect": PDFArray([round(v, 3) for v in canvas._absRect(rect, relative=1)]),
                "Border": PDFArray([0, 0, 0]),
                "F": 4,
                "Contents": PDFString(title),
                "Dest": canvas._bookmarkReference(key),
            }
        )
        tags = getattr(canvas, "tags", None)
        if tags is not None and link is not None:
            annotation["StructParent"] = tags.annotation(link, name)
        canvas._addAnnotation(annotation, name)


def _duplex_flip(page_w: float, page_h: float) -> str:
    """How a printer turns the sheet for the back: pages bound on their left edge flip on
    the sheet's short edge when they are landscape, on its long edge when portrait (else
    every back page prints upside down)."""
    return "DuplexFlipShortEdge" if page_w > page_h else "DuplexFlipLongEdge"


class DuplexFiller(Flowable):
    """In duplex printing, fills a left-hand (even) page with 「このページは白紙です」.

    Placed after a page break, it takes the whole page when that page is even, so what
    follows starts on the next right-hand page; ``at_end`` makes the page count even.
    """

    def __init__(self, doc: BaseDocTemplate, style: Style, fonts: FontSet, at_end: bool = False):
        super().__init__()
        self.doc, self.style, self.fonts, self.at_end = doc, style, fonts, at_end
        self._fill = False

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        page = self.doc.page
        self.width = availWidth
        if self.at_end and page % 2 == 1:
            self._fill = False
            return availWidth, availHeight + 1  # does not fit: move to a new (even) page
        # at the end, an even page that holds the last content already makes the count even:
        # it is not blank, and says nothing
        at_top = getattr(getattr(self.doc, "frame", None), "_atTop", True)
        self._fill = page % 2 == 0 and (at_top or not self.at_end)
        self.height = availHeight if self._fill else 0
        return availWidth, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:  # noqa: N803
        return []

    def draw(self) -> None:
        if not self._fill:
            return
        size = self.style["text"]["heading_size"]
        self.canv.setFillColor(HexColor(self.style.color("muted")))
        self.canv.setFont(self.fonts.name("regular", "text"), size)
        self.canv.drawCentredString(self.width / 2, self.height / 2, BLANK_PAGE_NOTICE)


class Cover(Flowable):
    """The cover: meeting, title band, dates and publications, each held to its place, and
    the issuing organisation with its contact line (from the style) at the foot.

    Text of any length (a 3,000-character --meeting) is wrapped, then shortened with 「…」
    to the lines its place has, so that nothing runs off the page.
    """

    MEETING_LINES = 3
    TITLE_LINES = 3
    SUBTITLE_LINES = 2
    VALUE_LINES = {"出典資料": 4}  # the other cover lines: at most 2 lines each

    def __init__(self, layout: PackLayout, style: Style, fonts: FontSet, height: float):
        super().__init__()
        self.layout, self.style, self.fonts, self.full_height = layout, style, fonts, height

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        self.width, self.height = availWidth, min(self.full_height, availHeight)
        return self.width, self.height

    def fitted(self, text: str, style: TextStyle, width: float, max_lines: int) -> JText:
        """``text`` set in ``width``, shortened with 「…」 to at most ``max_lines`` lines."""
        return fitted_text(text, style, self.fonts, width, max_lines)

    def organisation(self, width: float) -> list[JText]:
        """The issuer and its contact line, from the style's ``[organisation]`` ``name`` and
        ``contact`` (never from code): none printed when the style names none."""
        org = self.style.raw.get("organisation") or {}
        t, out = self.style["text"], []
        name, contact = (" ".join(str(org.get(k) or "").split()) for k in ("name", "contact"))
        if name:
            size = t["heading_size"] + 2
            name_style = TextStyle(
                size, size * 1.4, self.style.color("text"), "right", "bold", family="text"
            )
            out.append(self.fitted(name, name_style, width, 2))
        if contact:
            size = t["body_size"]
            contact_style = TextStyle(
                size, size * 1.5, self.style.color("muted"), "right", family="text"
            )
            out.append(self.fitted(contact, contact_style, width, 2))
        return out

    def draw(self) -> None:
        c, style, layout = self.canv, self.style, self.layout
        t = style["text"]
        printing = layout.printing
        band_h = t["title_size"] * 4.2
        top = self.height * 0.74
        text_w = self.width - 48
        issuer = self.organisation(text_w * 0.7)
        issuer_h = sum(block.wrap(text_w * 0.7, self.height)[1] for block in issuer)
        reserved = issuer_h + 20 if issuer else 0.0  # the bottom of the page is the issuer's
        if printing.meeting and printing.meeting != layout.title:
            size = t["heading_size"] + 4
            meeting_style = TextStyle(
                size, size * 1.4, style.color("accent"), "left", "bold", family="text"
            )
            room = int((self.height - top - 14) // meeting_style.leading)
            meeting = self.fitted(
                printing.meeting, meeting_style, text_w, min(self.MEETING_LINES, room)
            )
            meeting.wrap(text_w, self.height)
            meeting.drawOn(c, 24, top + 14)
        lines = []
        if printing.meeting_date:
            lines.append(("会議日", printing.meeting_date))
        lines += [
            ("発行日", layout.issue_date),
            ("データ時点", layout.as_of),
            ("出典資料", "／".join(layout.publications)),
        ]
        body = TextStyle(
            t["body_size"] + 1, t["body_leading"] + 2, style.color("text"), "left", family="text"
        )
        head_style = replace(body, color=style.color("muted"), font="bold")
        values = []
        for label, value in lines:
            text = self.fitted(value, body, self.width - 140, self.VALUE_LINES.get(label, 2))
            _, h = text.wrap(self.width - 140, self.height)
            values.append((label, text, h))
        below = 36 + sum(h + 8 for _, _, h in values) + reserved  # left below the band
        white = style.color("accent_text")
        pad = t["title_size"] * 0.8
        size = t["heading_size"] + 2
        sub_style = TextStyle(size, size * 1.4, white, "left", family="text")
        sub = self.fitted(layout.subtitle, sub_style, text_w, self.SUBTITLE_LINES)
        _, sub_h = sub.wrap(text_w, self.height) if layout.subtitle else (0, 0)
        title_style = TextStyle(
            t["title_size"], t["title_size"] * 1.35, white, "left", "bold", family="text"
        )
        room = top - below - pad * 2 - (sub_h + pad * 0.6 if sub_h else 0)
        title_lines = min(self.TITLE_LINES, int(room // title_style.leading))
        title = self.fitted(layout.title, title_style, text_w, title_lines)
        _, title_h = title.wrap(text_w, self.height)
        band_h = max(band_h, pad * 2 + title_h + (sub_h + pad * 0.6 if sub_h else 0))
        c.setFillColor(HexColor(style.color("cover_band")))
        c.rect(0, top - band_h, self.width, band_h, stroke=0, fill=1)
        title.drawOn(c, 24, top - pad - title_h)
        if sub_h:
            sub.drawOn(c, 24, top - band_h + pad * 0.8)
        y = top - band_h - 36
        for label, text, h in values:
            if y - max(h, body.leading) < reserved:
                break  # a page too small for the cover: leave the rest out, never overflow
            head = JText(label, head_style, self.fonts)
            head.wrap(90, 100)
            head.drawOn(c, 24, y - body.leading)
            text.drawOn(c, 120, y - h)
            y -= h + 8
        if issuer:
            c.setStrokeColor(HexColor(style.color("rule")))
            c.setLineWidth(0.6)
            x0 = self.width - 24 - text_w * 0.7
            c.line(x0, issuer_h + 10, self.width - 24, issuer_h + 10)
            y = issuer_h
            for block in issuer:
                y -= block.height
                block.drawOn(c, x0, y)


def fitted_text(text: str, style: TextStyle, fonts: FontSet, width: float, max_lines: int) -> JText:
    """``text`` set in ``width``, shortened with 「…」 to at most ``max_lines`` lines."""
    max_lines = max(1, max_lines)
    block = JText(text, style, fonts)
    lines = block.lines_for(width)
    if len(lines) <= max_lines:
        return block
    full = "".join(run.text for run in block.runs)  # as cleaned for the font
    kept = sum(len(piece.text) for line in lines[:max_lines] for piece in line.pieces)
    low, high = 0, min(len(full), kept + 16)  # full[:low] + "…" fits

    def candidate(n: int) -> JText:
        return JText(full[:n].rstrip() + "…", style, fonts)

    while low < high:
        middle = (low + high + 1) // 2
        if len(candidate(middle).lines_for(width)) <= max_lines:
            low = middle
        else:
            high = middle - 1
    return candidate(low)


class PartTitle(Flowable):
    """A binder part's title page: 「第N部」, the pack's title on the cover's band and the
    sections the part holds; registers the part's bookmark and 目次 entry (level 0)."""

    TITLE_LINES = 3

    def __init__(self, part: Part, number: int, style: Style, fonts: FontSet, layout: PackLayout):
        super().__init__()
        self.part, self.number, self.key = part, number, f"part{number}"
        self.label = fonts.clean(" ".join((part.title or "").split()))
        self.style, self.fonts, self.layout = style, fonts, layout

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        # The whole frame: after anything else on the page (a duplex filler) it moves on.
        page_h = self.style.page_size[1]
        self.width = availWidth
        self.height = page_h - self.style.margin("top") - self.style.margin("bottom")
        return availWidth, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:  # noqa: N803
        return []

    def sections(self) -> list[tuple[str, str]]:
        """The part's sections, numbered as the 目次 numbers them (on through the binder)."""
        first = 1
        for part in self.layout.parts[: self.number - 1]:
            first += len(part.sections)
        return [(str(first + i), s.title) for i, s in enumerate(self.part.sections)]

    def draw(self) -> None:
        c, style, t = self.canv, self.style, self.style["text"]
        text_w = self.width - 48
        top = self.height * 0.78
        size = t["heading_size"] + 4
        label = TextStyle(size, size * 1.4, style.color("accent"), "left", "bold", family="text")
        mark = JText(f"第{self.number}部", label, self.fonts)
        mark.wrap(text_w, self.height)
        mark.drawOn(c, 24, top + 10)
        white = style.color("accent_text")
        pad = t["title_size"] * 0.7
        title_style = TextStyle(
            t["title_size"], t["title_size"] * 1.35, white, "left", "bold", family="text"
        )
        title = fitted_text(self.label, title_style, self.fonts, text_w, self.TITLE_LINES)
        _, title_h = title.wrap(text_w, self.height)
        band_h = title_h + pad * 2
        c.setFillColor(HexColor(style.color("cover_band")))
        c.rect(0, top - band_h, self.width, band_h, stroke=0, fill=1)
        title.drawOn(c, 24, top - pad - title_h)
        entry = TextStyle(
            t["body_size"] + 1,
            (t["body_size"] + 1) * 1.7,
            style.color("text"),
            "left",
            family="text",
        )
        names = self.sections()
        room = top - band_h - 30
        rows = max(1, int(room // entry.leading))
        columns = 1 if len(names) <= rows else 2
        rows = -(-len(names) // columns)
        column_w = (text_w - 24 * (columns - 1)) / columns
        number_w = entry.size * 1.6  # numbers right-aligned: 7 and 18 end on one line
        for i, (number, name) in enumerate(names[: rows * columns]):
            col, row = divmod(i, rows)
            x, y = 24 + col * (column_w + 24), top - band_h - 30 - (row + 1) * entry.leading
            if y < 0:
                continue  # more sections than the page holds: the 目次 lists them all
            digits = JText(number, replace(entry, align="right"), self.fonts)
            digits.wrap(number_w, entry.leading)
            digits.drawOn(c, x, y)
            room = column_w - number_w - entry.size
            block = fitted_text(name, entry, self.fonts, room, 1)
            block.wrap(room, entry.leading)
            block.drawOn(c, x + number_w + entry.size, y)
        c.bookmarkPage(self.key)
        c.addOutlineEntry(self.label, self.key, level=0)
        self.layout.toc.append((0, self.label, c.getPageNumber()))


class PackCanvas(Canvas):
    """A canvas that fills in the 目次 forms and makes the file PDF/A just before writing it."""

    layout: PackLayout | None = None
    metadata: DocumentMetadata | None = None
    fontset: FontSet | None = None
    pack_style: Style | None = None
    toc_width: float = 0.0
    toc_pages: list[int] = []  # entries per 目次 page
    toc_leading: float = 0.0  # the 目次 entries' leading (0: the normal one)
    section_level: int = 0  # outline level of the last section band drawn

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.tags = TagRecorder(self)  # the structure tree (tagged PDF), see render/tags.py

    def showPage(self) -> None:  # noqa: N802
        self.tags.page_end()
        super().showPage()

    def save(self) -> None:
        self._draw_toc()
        if self.metadata is not None:
            finish(self, self.metadata)
        super().save()

    def _draw_toc(self) -> None:
        layout, fonts, style = self.layout, self.fontset, self.pack_style
        if layout is None or fonts is None or style is None:
            return
        size = style["text"]["body_size"] + 1
        leading = self.toc_leading or size * TOC_LEADING
        entries = list(layout.toc)
        baseline = -leading + (leading - size) / 2 + (1 - ASCENT) * size
        for n, count in enumerate(self.toc_pages):
            chunk, entries = entries[:count], entries[count:]
            for i in range(count):  # one form per entry: each is one link (and TOCI)
                self.beginForm(f"{TOC_FORM}{n}_{i}", 0, -leading, self.toc_width, 0)
                if i < len(chunk):
                    self._toc_line(baseline, *chunk[i], size)
                self.endForm()

    def _toc_line(self, baseline: float, level: int, title: str, page: int, size: float) -> None:
        """One 目次 entry: its title in the text family (a binder's parts in bold), the
        leader dots, and the page number in the tabular family, whose equal-width digits
        line up at the right edge (8, 10 and 83 end on one line)."""
        fonts, style = self.fontset, self.pack_style
        indent = 0 if level == 0 else size * 2
        part = level == 0 and self.layout is not None and len(self.layout.parts) > 1
        font = fonts.name("bold" if part else "regular", "text")
        self.setFillColor(HexColor(style.color("text")))
        self.setFont(font, size)
        self.drawString(indent, baseline, title)
        number = str(page)
        self.setFont(fonts.regular, size)
        self.drawRightString(self.toc_width, baseline, number)
        title_w = indent + self.stringWidth(title, font, size)
        num_w = self.stringWidth(number, fonts.regular, size)
        self.setStrokeColor(HexColor(style.color("light_rule")))
        self.setDash([1, 2.5])
        self.setLineWidth(0.6)
        self.line(title_w + 8, baseline + 2, self.toc_width - num_w - 8, baseline + 2)
        self.setDash([])


def render(layout: PackLayout, style: Style, fonts: FontSet) -> bytes:
    """Lay the document out and return the PDF's bytes."""
    buffer = io.BytesIO()
    page_w, page_h = style.page_size
    left, right = style.margin("left"), style.margin("right")
    top, bottom = style.margin("top"), style.margin("bottom")
    frame_w, frame_h = page_w - left - right, page_h - top - bottom
    printing = layout.printing
    keywords = " ".join(filter(None, [layout.keywords, printing.mark, printing.copy_label]))
    subject = f"【{printing.mark}】{layout.subject}" if printing.mark else layout.subject
    metadata = DocumentMetadata(
        title=layout.title,
        author=layout.author,
        subject=subject,
        keywords=keywords,
        lang="ja",
        created=layout.creation_date,
    )
    # Info, XMP, /Lang and the other catalog entries are written by archival.finish.
    doc = BaseDocTemplate(
        buffer,
        pagesize=(page_w, page_h),
        leftMargin=left,
        rightMargin=right,
        topMargin=top,
        bottomMargin=bottom,
        invariant=1,
        initialFontName=fonts.regular,
        initialFontSize=10,
        duplex=_duplex_flip(page_w, page_h) if printing.duplex else None,
    )

    def frame(name: str) -> Frame:
        return Frame(
            left,
            bottom,
            frame_w,
            frame_h,
            id=name,
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
        )

    decorate = _page_decorator(layout, style, fonts)
    doc.addPageTemplates(
        [
            PageTemplate("cover", [frame("cover")], onPage=decorate),
            PageTemplate("body", [frame("body")], onPage=decorate),
        ]
    )

    def new_major_page() -> list[Flowable]:
        fill = [DuplexFiller(doc, style, fonts)] if printing.duplex else []
        return [PageBreak(), *fill]

    story: list[Flowable] = [NextPageTemplate("body"), Cover(layout, style, fonts, frame_h)]
    toc_size = style["text"]["body_size"] + 1
    heading = _toc_heading(style, fonts)
    room = frame_h - heading.wrap(frame_w, frame_h)[1]
    toc_pages, leading = _toc_pages(_toc_heads(layout), room, toc_size)
    links = _toc_links(layout, fonts)  # (bookmark key, title) of each 目次 entry
    toc = Group("TOC")
    for n, count in enumerate(toc_pages):
        story += new_major_page() if n == 0 else [PageBreak()]
        first = sum(toc_pages[:n])
        entries = TocBlock(f"{TOC_FORM}{n}", count, leading, links[first : first + count], toc)
        heading = _toc_heading(style, fonts)
        if n:
            heading.tag_role = "Artifact"  # the 目次 heading repeated on its next page
        story += [heading, entries]
    number = 0
    opened = False  # the body has begun (on a right-hand page, when printed duplex)
    for p_no, part in enumerate(layout.parts, start=1):
        if part.title:  # a binder's part opens on its own title page (tagged: Part, H1)
            story += new_major_page()
            title = PartTitle(part, p_no, style, fonts, layout)
            story.append(Opening(title, 0, _part_label(part, fonts), "Part"))
            opened = True
        for section in part.sections:
            number += 1
            # Every section opens a page; in duplex only the body's first page and a part's
            # title page are kept to the right: sections run on, no page left blank for them.
            story += [PageBreak()] if opened else new_major_page()
            opened = True
            level = 1 if part.title else 0
            key = f"section{number}"
            label = f"{number}　{section.title}"
            band = SectionBand(label, level, key, style, fonts, layout)
            # a section opens a page: one whose last page would hold a short tail is set again
            body = settled(band, section.flowables, frame_w, frame_h, chart_floor(style))
            story.append(band)
            story.extend(ensure_tagged(body))  # tables, lists: tagged at least
    if printing.duplex:
        story.append(DuplexFiller(doc, style, fonts, at_end=True))

    class _Canvas(PackCanvas):
        pass

    _Canvas.layout, _Canvas.fontset, _Canvas.pack_style = layout, fonts, style
    _Canvas.metadata = metadata
    _Canvas.toc_width, _Canvas.toc_pages = frame_w * 0.75, toc_pages
    _Canvas.toc_leading = leading
    doc.build(story, canvasmaker=_Canvas)
    return buffer.getvalue()


def _part_label(part: Part, fonts: FontSet) -> str:
    """A binder part's title as its title page, bookmark and 目次 show it."""
    return fonts.clean(" ".join((part.title or "").split()))


def _toc_links(layout: PackLayout, fonts: FontSet) -> list[tuple[str, str]]:
    """(bookmark key, title) of every 目次 entry, in the order the sections register them."""
    links, number = [], 0
    for p_no, part in enumerate(layout.parts, start=1):
        if part.title:
            links.append((f"part{p_no}", _part_label(part, fonts)))
        for section in part.sections:
            number += 1
            links.append((f"section{number}", fonts.clean(f"{number}　{section.title}")))
    return links


def _toc_heads(layout: PackLayout) -> list[bool]:
    """For each 目次 entry, in order: is it a binder part's title with sections after it?"""
    heads = []
    for part in layout.parts:
        if part.title:
            heads.append(bool(part.sections))
        heads += [False] * len(part.sections)
    return heads


def _toc_pages(heads: list[bool], room: float, size: float) -> tuple[list[int], float]:
    """Entries per 目次 page, and their leading, for entries of ``size`` in ``room``.

    As few pages as the entries need, the leading tightened (down to ``TOC_MIN_LEADING``)
    when that saves a page; the entries spread evenly over the pages, so that no last page
    holds one or two of them; and no part's title the last line of a page with its
    sections on the next.
    """
    total = len(heads)
    if total == 0:
        return [0], size * TOC_LEADING

    pages = -(-total // max(1, int(room // (size * TOC_MIN_LEADING))))
    fullest = -(-total // pages)
    # to the hundredth of a point below what fills the room: the entries always fit
    leading = min(size * TOC_LEADING, math.floor(room / fullest * 100) / 100)
    capacity = max(fullest, int(room // leading))
    base, extra = divmod(total, pages)
    counts = [base + (1 if n < extra else 0) for n in range(pages)]
    end = 0
    for n in range(pages - 1):
        end += counts[n]
        if not heads[end - 1] or counts[n] < 2:
            continue
        if counts[n + 1] < capacity:  # the part's title goes over with its sections
            counts[n], counts[n + 1] = counts[n] - 1, counts[n + 1] + 1
            end -= 1
        elif counts[n] < capacity and counts[n + 1] > 1:  # …or its first section comes back
            counts[n], counts[n + 1] = counts[n] + 1, counts[n + 1] - 1
            end += 1
    return counts, leading


def _toc_heading(style: Style, fonts: FontSet) -> Flowable:
    size = style["text"]["section_size"]
    heading = TextStyle(size, size * 2.2, style.color("accent"), "left", "bold", family="text")
    return JText("目次", heading, fonts)


def _page_decorator(layout: PackLayout, style: Style, fonts: FontSet) -> Any:
    """Header (title, marking, copy number), footer (issue date, page, as-of), watermark:
    running text, set in the text (proportional) family like the body."""
    regular, bold = fonts.name("regular", "text"), fonts.name("bold", "text")
    page_w, page_h = style.page_size
    left, right = style.margin("left"), style.margin("right")
    small = style["text"]["small_size"]
    printing = layout.printing
    title = fonts.clean(" ".join(layout.title.split()))  # one line: a newline has no glyph
    room = (page_w - left - right) * 0.55  # the marking box takes at most 40 %
    if stringWidth(title, regular, small) > room:
        low, high = 0, len(title)
        while low < high:
            middle = (low + high + 1) // 2
            if stringWidth(title[:middle].rstrip() + "…", regular, small) <= room:
                low = middle
            else:
                high = middle - 1
        title = title[:low].rstrip() + "…"
    mark = fonts.clean(printing.mark) if printing.mark else None
    watermark = fonts.clean(printing.watermark) if printing.watermark else None
    copy_label = printing.copy_label

    def decorate(canvas: Canvas, doc: Any) -> None:
        # Tagged PDF: the page opens as an artifact; all of this is typed page furniture.
        tags = getattr(canvas, "tags", None)
        if tags is not None:
            tags.page_begin()
        canvas.saveState()
        if watermark:
            with artifact(canvas, "/Type /Pagination /Subtype /Watermark"):
                _draw_watermark(canvas, watermark, page_w, page_h, fonts, style)
        header_y = page_h - style.margin("top") + 12
        x_right = page_w - right
        is_cover = doc.page == 1
        with artifact(canvas, "/Type /Pagination /Subtype /Header"):
            if copy_label:
                canvas.setFont(bold, small + 1)
                canvas.setFillColor(HexColor(style.color("text")))
                canvas.drawRightString(x_right, header_y, copy_label)
                x_right -= canvas.stringWidth(copy_label, bold, small + 1) + 12
            if mark:
                _draw_mark(canvas, mark, x_right, header_y, fonts, style)
            canvas.setFont(regular, small)
            canvas.setFillColor(HexColor(style.color("muted")))
            if not is_cover:
                canvas.drawString(left, header_y, title)
                canvas.setStrokeColor(HexColor(style.color("light_rule")))
                canvas.setLineWidth(0.5)
                canvas.line(left, header_y - 5, page_w - right, header_y - 5)
        if not is_cover:
            with artifact(canvas, "/Type /Pagination /Subtype /Footer"):
                footer_y = style.margin("bottom") - 18
                canvas.drawString(left, footer_y, f"発行日：{layout.issue_date}")
                canvas.drawCentredString(page_w / 2, footer_y, f"{canvas.getPageNumber()}")
                canvas.drawRightString(page_w - right, footer_y, f"データ時点：{layout.as_of}")
        canvas.restoreState()

    return decorate


def _draw_mark(
    canvas: Canvas, mark: str, x_right: float, y: float, fonts: FontSet, style: Style
) -> None:
    """The handling marking (取扱注意 …) in a ruled box at the top right of every page.

    One line at most 40 % of the text width: a longer marking is set smaller, down to
    three quarters of its size, then shortened with 「…」 (the PDF's Subject keeps it whole).
    """
    bold = fonts.name("bold", "text")
    mark = "".join(" " if ch in "\r\n\t" else ch for ch in mark)
    size = style["text"]["small_size"] + 2
    page_w, _ = style.page_size
    left, right = style.margin("left"), style.margin("right")
    room = max(40.0, min(x_right - left, (page_w - left - right) * 0.4)) - 10
    natural = canvas.stringWidth(mark, bold, size)
    if natural > room:
        size = max(size * 0.75, size * room / natural)
        if canvas.stringWidth(mark, bold, size) > room:
            low, high = 0, len(mark)  # mark[:low] + "…" fits
            while low < high:
                middle = (low + high + 1) // 2
                shortened = mark[:middle].rstrip() + "…"
                if canvas.stringWidth(shortened, bold, size) <= room:
                    low = middle
                else:
                    high = middle - 1
            mark = mark[:low].rstrip() + "…"
    width = canvas.stringWidth(mark, bold, size) + 10
    canvas.setStrokeColor(HexColor(style.color("text")))
    canvas.setLineWidth(0.9)
    canvas.rect(x_right - width, y - 4, width, size + 6, stroke=1, fill=0)
    canvas.setFont(bold, size)
    canvas.setFillColor(HexColor(style.color("text")))
    canvas.drawRightString(x_right - 5, y, mark)


def _draw_watermark(
    canvas: Canvas, text: str, page_w: float, page_h: float, fonts: FontSet, style: Style
) -> None:
    """A light diagonal mark (案) behind the content, sized so that it stays on the page.

    The text, turned by 30°, fills at most 90 % of the page each way; below 24 pt a longer
    text is shortened with 「…」 instead of being set smaller.
    """
    import math

    bold = fonts.name("bold", "text")
    text = "".join(" " if ch in "\r\n\t" else ch for ch in text)
    cos, sin = math.cos(math.radians(30)), math.sin(math.radians(30))
    unit = max(canvas.stringWidth(text, bold, 1.0), 0.01)
    size = min(160.0, 0.9 * page_w / (unit * cos + sin), 0.9 * page_h / (unit * sin + cos))
    if size < 24.0:
        size = 24.0
        room = min((0.9 * page_w - size * sin) / cos, (0.9 * page_h - size * cos) / sin)
        low, high = 0, len(text)  # text[:low] + "…" fits
        while low < high:
            middle = (low + high + 1) // 2
            if canvas.stringWidth(text[:middle].rstrip() + "…", bold, size) <= room:
                low = middle
            else:
                high = middle - 1
        text = text[:low].rstrip() + "…"
    canvas.saveState()
    canvas.setFillColor(HexColor(style.raw.get("colors", {}).get("watermark", "#e6e6e6")))
    canvas.setFont(bold, size)
    canvas.translate(page_w / 2, page_h / 2)
    canvas.rotate(30)
    canvas.drawCentredString(0, -size * 0.35, text)
    canvas.restoreState()
