"""Shared pieces of blocks: headings, unit lines, and the 出所／注 lines under tables and charts."""

from __future__ import annotations

from typing import Any

from reportlab.platypus import Flowable, Spacer

from ..datalayer import Dataset
from ..formatting import format_as_of
from ..typeset import Bullet, JText, runs_from_text


def heading(ctx: Any, text: str) -> JText:
    style = ctx.text_style("heading", space_before=4, space_after=4)
    return JText(runs_from_text(text, "bold"), style, ctx.fonts)


def unit_line(ctx: Any, unit: str | None, align: str = "left") -> list[Flowable]:
    if not unit:
        return []
    return [JText(f"（単位：{unit}）", ctx.text_style("note", align=align), ctx.fonts)]


def source_text(dataset: Dataset) -> str:
    if dataset.source:
        return dataset.source
    return f"（{dataset.source_note}）" if dataset.source_note else "（出所の記載なし）"


def as_of_text(dataset: Dataset) -> str:
    if dataset.as_of:
        return format_as_of(dataset.as_of)
    return dataset.meta.get("as_of_note", "記載なし")


def source_lines(
    ctx: Any,
    datasets: list[Dataset],
    notes: list[str] | None = None,
    extra_sources: list[str] | None = None,
) -> list[Flowable]:
    """出所 (with the data's as-of date) and 注 lines, as printed under every table and chart."""
    style = ctx.text_style("note", space_after=0)
    sources: list[str] = []
    for d in datasets:
        details = [f"データ時点：{as_of_text(d)}"]
        if d.publication:
            p = d.publication
            details.append(f"掲載：{p.publisher}「{p.title}」{format_as_of(p.published)}")
        entry = f"{source_text(d)}（{'。'.join(details)}）"
        if entry not in sources:
            sources.append(entry)
    for s in extra_sources or []:
        if s not in sources:
            sources.append(s)
    out: list[Flowable] = []
    if sources:
        out.append(JText("出所：" + "／".join(sources), style, ctx.fonts))
    all_notes = list(notes or [])
    members = set(ctx.data.members(ctx.target.code))
    for d in datasets:
        for n in d.notes:
            if n.applies_to(members) and n.text not in all_notes:
                all_notes.append(n.text)
    for i, note in enumerate(all_notes):
        prefix = "注：" if i == 0 else "　　"
        out.append(
            Bullet(prefix, JText(note, style, ctx.fonts), ctx.style["text"]["note_size"] * 3)
        )
    out.append(Spacer(1, ctx.style["text"]["block_gap"]))
    return out
