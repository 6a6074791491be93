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
from ..errors import BuildError
from ..formatting import format_as_of, latest
from ..spec import PackSpec
from .blocks import REGISTRY, Context, Used, data_time
from .model import Block, Group, PackPlan, SectionPlan, SourceEntry
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
    for section in spec.sections:
        for name in section.absent:
            record = data.absent.get(name, {})
            title, reason = record.get("title", name), record.get("reason", "")
            log.append(f"left out: {title} (its numbers are not in the data: {reason})")
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
                groups.append(Group(code, member_heading, tuple(blocks)))
        if groups:
            title = section_ctx.fill(section.title)
            sections.append(SectionPlan(title, tuple(groups)))
        else:
            log.append(f"left out: section {section.title}: no data for {target}")
    return PackPlan(
        template=spec.template,
        target=target,
        title=fill_place(spec.title, place),
        subtitle=fill_place(spec.subtitle, place),
        description=spec.description,
        sections=sections,
        sources=_sources(data, used),
        publications=_publications(data, used),
        issue_date=_issue_date(data, used),
        as_of=_as_of(used),
        log=log,
        reads=reads.record_dict(),
    )


def _sources(data: DataLayer, used: dict[str, Used]) -> list[SourceEntry]:
    """「データ出所一覧」: each dataset used, its sources, unit, data time and publications."""
    entries = []
    for u in sorted(used.values(), key=lambda u: u.dataset.title):
        d = u.dataset
        publications = [
            _publication_text(data, key) for key in u.publications if key in data.publications
        ]
        as_of = f"{max(u.years)}年" if u.years else data_time(d, [])
        entries.append(
            SourceEntry(
                d.title, "／".join(u.sources), d.unit or "—", as_of, "／".join(publications) or "—"
            )
        )
    return entries


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


def has_content(plan: PackPlan) -> bool:
    return bool(plan.sections)


def require_content(plan: PackPlan) -> None:
    if not plan.sections:
        raise BuildError(f"{plan.name}: the data has nothing to show for this pack")


def blocks_of(plan: PackPlan) -> list[Block]:
    return [b for s in plan.sections for g in s.groups for b in g.blocks]


__all__ = ["plan_pack", "formal_name", "has_content", "require_content", "blocks_of", "Any"]
