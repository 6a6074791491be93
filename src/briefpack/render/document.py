"""Document: plans → one PDF (cover, 目次, sections, 「データ出所一覧」, print settings).

A pack is one plan; a binder is several plans as parts of one document.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

from ..errors import BuildError
from ..fonts import FontSet, text_fonts
from ..formatting import format_date, latest
from ..layout import BuiltSection, MemberHeading, PackLayout, Part, PrintSettings, render
from ..options import BuildOptions
from ..pack import model
from ..pack.changes import in_words
from ..pack.model import PackPlan, SourceEntry
from ..style import Style
from ..typeset import full_width_punctuation
from .flow import RenderContext, bullet_list, kept_together
from .geometry import frame_size


def issue_date(options: BuildOptions, plans: list[PackPlan]) -> tuple[dt.date, bool]:
    """--date, else SOURCE_DATE_EPOCH, else the latest publication among the rows used.

    The flag says whether the day is known (a publication dated by month is printed by month).
    """
    if options.date is not None:
        return options.date, True
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date(), True
        except (ValueError, OverflowError, OSError):
            raise BuildError(f"SOURCE_DATE_EPOCH={epoch!r} is not a number of seconds") from None
    published = [p.issue_date for p in plans if p.issue_date]
    if not published:
        raise BuildError("no publication date among the data used: pass --date")
    newest = latest(published)
    parts = [int(p) for p in newest.split("-")] + [1, 1]
    return dt.date(parts[0], parts[1], parts[2]), newest.count("-") == 2


def render_context(style: Style, fonts: FontSet, chart_cache: Any) -> RenderContext:
    frame_width, frame_height = frame_size(style)
    return RenderContext(
        style=style,
        fonts=fonts,
        frame_width=frame_width,
        frame_height=frame_height,
        chart_cache=chart_cache,
    )


def part_of(
    plan: PackPlan, rc: RenderContext, changes: list[str] | None = None, *, appendix: bool = True
) -> Part:
    """One plan's sections as flowables (with its 「データ出所一覧」 unless ``appendix`` is
    false: a binder lists the sources of all its packs once, at the end)."""
    sections = []
    for s_no, section in enumerate(plan.sections, start=1):
        flowables = []
        for group in section.groups:
            lead = []
            if group.heading:
                key = f"{plan.name}-s{s_no}-{group.target}"
                heading = full_width_punctuation(group.heading)
                lead = [MemberHeading(heading, rc.style, rc.fonts, key)]
            for block in group.blocks:
                flowables.append(kept_together(block, rc, lead))
                lead = []
        sections.append(BuiltSection(full_width_punctuation(section.title), flowables))
    if appendix:
        sections.append(BuiltSection("データ出所一覧", sources_appendix(rc, plan.sources)))
    if changes:
        # the run's change lines name files, ids and codes: the page names titles and places
        shown = in_words(changes, plan.names, rc.style["numbers"]["negative_prefix"])
        sections.append(BuiltSection("前回版からの変更点", bullet_list(rc, shown, kind="small")))
    return Part(plan.title, sections)


def sources_appendix(rc: RenderContext, sources: list[SourceEntry]) -> list:
    """The 「データ出所一覧」: a table of the data shown (title, source, unit, time) under
    each publication it was taken from, the publication named once, above its table."""
    by_publication: dict[str, list[SourceEntry]] = {}
    for entry in sources:
        by_publication.setdefault(entry.publication, []).append(entry)
    blocks = []
    for publication, entries in by_publication.items():
        taken_from = publication if publication != "—" else "なし（出所の数値を直接掲載）"
        table = model.TableItem(
            ("データ", "出所", "単位", "時点"),
            tuple((e.title, e.source, e.unit, e.as_of) for e in entries),
            (False,) * 4,
            APPENDIX_WIDTHS,
        )
        items = (model.Heading(f"掲載資料：{taken_from}"), table, model.Gap(9))
        blocks.append(kept_together(model.Block("sources", items), rc, []))
    return blocks


APPENDIX_WIDTHS = (0.36, 0.40, 0.11, 0.13)  # shares of the frame: データ, 出所, 単位, 時点


def render_document(
    plans: list[PackPlan],
    style: Style,
    fonts: FontSet,
    options: BuildOptions,
    chart_cache: Any,
    *,
    title: str,
    subtitle: str,
    subject: str,
    keywords: str,
    copy_label: str | None = None,
    changes: list[str] | None = None,
) -> bytes:
    """Plans → one PDF with cover, 目次 and the print settings of ``options``.

    Several plans make a binder: a title page per pack (its part), continuous page numbers,
    one 目次, and one 「データ出所一覧」 at the end listing every pack's sources once.
    """
    fonts = text_fonts(fonts, style["fonts"], style.folder)
    if options.nup == 2:
        from ..nup import style_for_two_up

        style = style_for_two_up(style)  # no text below 6 pt once the pages are scaled
    rc = render_context(style, fonts, chart_cache)
    binder = len(plans) > 1
    parts = [part_of(plan, rc, changes, appendix=not binder) for plan in plans]
    if not binder:
        parts[0].title = None  # a single pack: its sections are the top level
    else:
        entries: dict[tuple[str, ...], SourceEntry] = {}
        for plan in plans:
            for s in plan.sources:
                entries.setdefault((s.title, s.source, s.unit, s.as_of, s.publication), s)
        appendix = sources_appendix(rc, sorted(entries.values(), key=lambda s: s.title))
        parts.append(Part(None, [BuiltSection("データ出所一覧", appendix)]))  # top level
    date, exact = issue_date(options, plans)
    wareki = style.raw.get("dates", {}).get("wareki", False)
    as_of = max((p.as_of for p in plans), key=_as_of_key)
    printing = PrintSettings(
        meeting=options.meeting,
        meeting_date=format_date(options.date, wareki)
        if options.meeting and options.date
        else None,
        mark=options.mark,
        watermark=options.watermark,
        copy_label=copy_label,
        duplex=options.duplex,
    )
    publications = sorted({p for plan in plans for p in plan.publications})
    layout = PackLayout(
        title=title,
        subtitle=subtitle,
        issue_date=format_date(date, wareki, exact),
        as_of=f"{as_of}（各表・グラフに個別の時点を記載）",
        publications=publications,
        parts=parts,
        printing=printing,
        subject=subject,
        keywords=keywords,
        creation_date=date,
        author=style.raw.get("organisation", {}).get("name", ""),
    )
    pdf = render(layout, style, fonts)
    if options.nup == 2:
        from ..nup import two_up

        pdf = two_up(pdf)
    return pdf


def _as_of_key(text: str) -> tuple[int, str]:
    digits = "".join(ch for ch in text[:4] if ch.isdigit())
    return (int(digits) if len(digits) == 4 else 0, text)


def count_pages(pdf: bytes) -> int:
    return pdf.count(b"/Type /Page\n")
