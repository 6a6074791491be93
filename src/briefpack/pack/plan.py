"""Plan: a pack spec + the data + a target → a :class:`PackPlan`, every block resolved.

The plan is built once per pack and is all that rendering consumes: headings carry the
years of the rows they show, counts come from the region's members, every number is
formatted, every 出所 names the sources of the rows shown.  Its digest is the pack's
fingerprint, so anything that could change the PDF changes the digest.  Standard library
only: the nightly up-to-date check plans every pack without loading ReportLab.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ..datalayer import DataLayer, Place
from ..formatting import format_as_of, latest
from ..spec import PackSpec
from .blocks import REGISTRY, Context, Used, data_time
from .blocks.absent import absent_lines
from .model import (
    Block,
    ChartItem,
    Gap,
    Group,
    Item,
    PackPlan,
    SectionPlan,
    SideBySide,
    SourceEntry,
)
from .reads import Reads


def formal_name(place: Place) -> str:
    """A region's formal name counts its members (「中央アジア5カ国」); never stored."""
    if place.is_region and not place.formal_name:
        return f"{place.name}{len(place.members)}カ国"
    return place.formal_name or place.name


def fill_place(text: str, place: Place) -> str:
    return text.replace("{name}", place.name).replace("{formal_name}", formal_name(place))


def plan_pack(
    data: DataLayer, spec: PackSpec, target: str, numbers: dict[str, str], year_columns: int = 13
) -> PackPlan:
    """Resolve every block of ``spec`` for ``target`` against ``data``, recording each read."""
    reads = Reads(data)
    place = reads.place(target)
    log: list[str] = []
    used: dict[str, Used] = {}
    ctx = Context(reads, place, numbers, log, used, year_columns=year_columns)
    sections = []
    shown_ids: set[str] = set()
    for section in spec.sections:
        section_ctx = replace(ctx, years=set())
        groups = []
        members = (
            [(code, reads.place_name(code)) for code in place.members]
            if section.each_member and place.is_region
            else [(target, None)]
        )
        for code, member_heading in members:
            group_ctx = replace(section_ctx, target=reads.place(code))
            blocks = []
            for spec_block in section.blocks:
                resolved = REGISTRY[spec_block["type"]](spec_block, group_ctx)
                if resolved is None:
                    what = spec_block.get("dataset") or spec_block.get("text") or ""
                    log.append(
                        f"left out: {section.title} / {spec_block['type']} {what}: "
                        f"no data for {code}"
                    )
                else:
                    blocks.append(resolved)
            if blocks:
                groups.append(Group(code, member_heading, tuple(shared_axes(blocks))))
        groups = with_absent_lines(data, section.absent, groups, log)
        if groups:
            title = section_ctx.fill(section.title)
            sections.append(SectionPlan(title, tuple(groups)))
            shown_ids.add(section.id)
        else:
            log.append(f"left out: section {section.title}: no data for {target}")
    title, subtitle = spec.title, spec.subtitle
    if spec.if_missing and not shown_ids & set(spec.if_missing["sections"]):
        title, subtitle = spec.if_missing["title"], spec.if_missing["subtitle"]
    return PackPlan(
        template=spec.template,
        target=target,
        title=fill_place(title, place),
        subtitle=fill_place(subtitle, place),
        description=spec.description,
        sections=sections,
        sources=_sources(data, used),
        publications=_publications(data, used),
        issue_date=_issue_date(data, used),
        as_of=_as_of(used),
        log=log,
        reads=reads.record_dict(),
        names=_names(data),
    )


def shared_axes(blocks: list[Block]) -> list[Block]:
    """Bar charts of one group in the same unit share the unit of their value axis: a
    member's export and import charts both 「（目盛：億ドル）」, never 100万ドル beside 億ドル
    (the unit the chart with the largest bar needs)."""
    bars = [
        item
        for block in blocks
        for item in block.leaves()
        if isinstance(item, ChartItem) and item.kind in ("bar", "barh")
    ]
    axis_of: dict[int, dict[str, Any]] = {}
    for unit in {c.unit for c in bars}:
        same = [c for c in bars if c.unit == unit]
        if len({tuple(sorted(c.data["axis"].items())) for c in same}) < 2:
            continue
        widest = max(same, key=lambda c: max((abs(b[1] or 0) for b in c.data["bars"]), default=0))
        for c in same:
            axis_of[id(c)] = widest.data["axis"]
    if not axis_of:
        return blocks
    return [replace(b, items=tuple(_with_axis(i, axis_of) for i in b.items)) for b in blocks]


def _with_axis(item: Item, axis_of: dict[int, dict[str, Any]]) -> Item:
    if isinstance(item, ChartItem) and id(item) in axis_of:
        return replace(item, data={**item.data, "axis": axis_of[id(item)]})
    if isinstance(item, SideBySide):
        cells = tuple(tuple(_with_axis(i, axis_of) for i in cell) for cell in item.cells)
        return replace(item, cells=cells)
    return item


def with_absent_lines(
    data: DataLayer, names: list[str], groups: list[Group], log: list[str]
) -> list[Group]:
    """The section's groups, a line added for each chart of it that the data lacks.

    「（グラフ「実質GDP成長率」は原資料に数値の記載がないため掲載していません）」: the reader
    learns the chart exists in the source, rather than meeting a section without it.  The
    line goes at the end of the group of the place it concerns, with the group's last block;
    a chart of several members (one per country in the source) is named once, at the end of
    the section.
    """
    lines: dict[int, list[dict[str, Any]]] = {}
    for name in names:
        record = data.absent.get(name, {})
        targets = set(record.get("targets") or [])
        concerned = [
            i
            for i, g in enumerate(groups)
            if not targets or targets & {g.target, *data.places[g.target].members}
        ]
        if not concerned:
            continue
        title, reason = record.get("title", name), record.get("reason", "")
        log.append(f"left out: {title} (its numbers are not in the data: {reason})")
        lines.setdefault(concerned[-1], []).append({**record, "title": title})
    out = list(groups)
    for i, records in lines.items():
        extra = absent_lines(records, data.publications)  # notices, seed quotations, 出典
        *rest, last = out[i].blocks
        out[i] = replace(out[i], blocks=(*rest, Block(last.type, _placed(last.items, extra))))
    return out


def _placed(items: tuple[Item, ...], extra: list[Item]) -> tuple[Item, ...]:
    """``items`` with the absent lines at their end: under the table of a table-and-chart
    pair, where the column beside the chart has room, rather than on a page of their own."""
    if items and isinstance(items[-1], SideBySide) and len(items[-1].cells) == 2:
        pair = items[-1]
        charted = [any(isinstance(x, ChartItem) for x in cell) for cell in pair.cells]
        if charted.count(False) == 1:
            k = charted.index(False)
            lines = [x for x in extra if not isinstance(x, Gap)]
            cells = list(pair.cells)
            cells[k] = (*cells[k], Gap(6), *lines)
            return (*items[:-1], SideBySide(tuple(cells), pair.shares))
    return (*items, *extra)


def _names(data: DataLayer) -> dict[str, Any]:
    """Titles, column labels and keys of the datasets; names of the places (every one: a
    change may concern a dataset this build no longer reads)."""
    datasets = {}
    for dataset_id, d in data.datasets.items():
        datasets[dataset_id] = {
            "title": d.title,
            "key": list(d.key or [c.name for c in d.columns]),
            "columns": {c.name: c.label for c in d.columns},
            "types": {c.name: c.type for c in d.columns},
        }
    places = {code: p.name for code, p in data.places.items()}
    return {"datasets": datasets, "places": places}


def _sources(data: DataLayer, used: dict[str, Used]) -> list[SourceEntry]:
    """「データ出所一覧」: each dataset used, its sources, unit, data time and publications."""
    entries = []
    for u in sorted(used.values(), key=lambda u: u.dataset.title):
        d = u.dataset
        # one line per source: a publication is credited only for the rows taken from it
        for source in u.sources or [""]:
            keys = u.credits.get(source, u.publications if not u.sources else [])
            publications = [_publication_text(data, k) for k in keys if k in data.publications]
            years = u.source_years.get(source) or u.years
            as_of = f"{max(years)}年" if years else data_time(d, [])
            entries.append(
                SourceEntry(
                    d.title, source or "—", d.unit or "—", as_of, "／".join(publications) or "—"
                )
            )
    return [e for e in entries if not any(_details(e, other) for other in entries)]


def _details(entry: SourceEntry, other: SourceEntry) -> bool:
    """Whether ``entry`` only details a part of ``other`` (the ranking indices of the
    rankings: its title extends the other's, its one source is among the other's, from the
    same publication), and so is not listed again."""
    return (
        entry is not other
        and entry.title != other.title
        and entry.title.startswith(other.title)
        and entry.publication == other.publication
        and entry.source in other.source.split("、")
    )


def _publication_text(data: DataLayer, key: str) -> str:
    p = data.publications[key]
    return f"{p.publisher}「{p.title}」（{format_as_of(p.published)}）"


def _publications(data: DataLayer, used: dict[str, Used]) -> list[str]:
    keys = {k for u in used.values() for k in u.publications if k in data.publications}
    return sorted(_publication_text(data, k) for k in keys)


def _issue_date(data: DataLayer, used: dict[str, Used]) -> str:
    """The latest publication date among the rows used ('' when none is credited)."""
    dates = [
        data.publications[k].published
        for u in used.values()
        for k in u.publications
        if k in data.publications
    ]
    return latest(dates) if dates else ""


def _as_of(used: dict[str, Used]) -> str:
    """The newest data time among the datasets used: a year of the rows, or a stated date."""
    dates = [str(max(u.years)) if u.years else u.dataset.as_of for u in used.values()]
    dates = [d for d in dates if d]
    return format_as_of(latest(dates)) if dates else "記載なし"
