"""Absent charts on the page: a one-line notice, and what the source says about the chart.

A chart of a source document whose numbers are not in the data (``absent.toml``) is not
drawn; the page says so in one line, where the chart would be:
「（グラフ「実質GDP成長率」は原資料に数値の記載がないため掲載していません）」.  When the
source prints statements about the chart (``quotes``: sentences transcribed exactly, such
as the bullets above a JETRO chart), they follow the notice as quotations in 「」, and one
「出典：」 line names the publication they are quoted from and its date (「出典：「中央アジア各国
経済データ集」（2025年12月）」), once for all the quotations of a group taken from it.
Standard library only.
"""

from __future__ import annotations

from typing import Any

from ...datalayer import Publication
from ...formatting import format_as_of
from ..model import Bullets, Gap, Item, Paragraph, SideBySide

NOTICE = "（{kind}「{title}」は原資料に数値の記載がないため掲載していません）"


def absent_lines(records: list[dict[str, Any]], publications: dict[str, Publication]) -> list[Item]:
    """The items a group's absent charts add at its end: notices, quotations, 出典 lines.

    ``records`` are absent.toml entries (``title``, optional ``kind``, ``quotes`` and
    ``publication``), in the order the section names them.  Quotations are printed only
    with the publication they come from: a record without ``publication`` gets its notice.
    A publication's 出典 line follows the last quotation taken from it, once.  When there
    are quotations, the group's absent lines are one unit (a one-cell :class:`SideBySide`,
    which a page break never splits): a quotation never reaches a page without its notice
    and its 出典.
    """
    lines: list[Item] = []
    last: dict[str, tuple[int, Publication]] = {}  # each publication's last quotation (index)
    for record in records:
        kind = record.get("kind") or "グラフ"
        lines.append(Paragraph(NOTICE.format(kind=kind, title=record["title"]), "note"))
        quotes = [q.strip() for q in record.get("quotes") or [] if q.strip()]
        publication = publications.get(record.get("publication") or "")
        if not quotes or publication is None:
            continue
        lines.append(Bullets(tuple(quotation(q) for q in quotes), mark="", kind="small"))
        last[publication.key] = (len(lines) - 1, publication)
    if not last:
        return lines
    for at, publication in sorted(last.values(), key=lambda v: v[0], reverse=True):
        lines.insert(at + 1, source_line(publication))
    return [SideBySide((tuple(lines),), (1.0,)), Gap(9)]


def quotation(text: str) -> str:
    """「text」: brackets inside a quotation become double brackets (『』), as in print."""
    return "「" + text.replace("「", "『").replace("」", "』") + "」"


def source_line(publication: Publication) -> Paragraph:
    """「出典：「中央アジア各国経済データ集」（2025年12月）」: the publication's title and date.

    Not a 出所 caption: it names the publication a quotation is taken from, not the source
    of figures (which the 「データ出所一覧」 names with its publication).
    """
    title = quotation(publication.title)
    return Paragraph(f"出典：{title}（{format_as_of(publication.published)}）", "note")
