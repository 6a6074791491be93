"""Build: template + target → PDF file, stage by stage (data → spec → blocks → layout → PDF)."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .datalayer import DataLayer, Dataset
from .errors import BuildError, UsageError
from .formatting import format_as_of, format_date, latest


@dataclass
class BuildOptions:
    data_root: Path
    styles_root: Path
    out_dir: Path
    style: str = "default"
    date: dt.date | None = None
    force: bool = False


@dataclass
class BuildResult:
    template: str
    target: str
    path: Path
    written: bool  # False when the new PDF was identical to the one in place
    pages: int
    log: list[str] = field(default_factory=list)


def targets_for(data: DataLayer) -> list[str]:
    return [p.code for p in sorted(data.places.values(), key=lambda p: p.order)]


def check_request(data: DataLayer, templates: list[str], template: str, target: str) -> None:
    if template not in templates:
        raise UsageError(f"unknown template {template!r} (templates: {', '.join(templates)})")
    if target not in data.places:
        raise UsageError(f"unknown target {target!r} (targets: {', '.join(targets_for(data))})")


def issue_date(options: BuildOptions, datasets: list[Dataset]) -> tuple[dt.date, bool]:
    """--date, else SOURCE_DATE_EPOCH, else the latest publication among the datasets used.

    The flag says whether the day is known (a publication dated by month is printed by month).
    """
    if options.date is not None:
        return options.date, True
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date(), True
        except ValueError:
            raise BuildError(f"SOURCE_DATE_EPOCH={epoch!r} is not a number of seconds") from None
    published = [d.publication.published for d in datasets if d.publication]
    if not published:
        raise BuildError("no publication date among the datasets used: pass --date")
    newest = latest(published)
    parts = [int(p) for p in newest.split("-")] + [1, 1]
    return dt.date(parts[0], parts[1], parts[2]), newest.count("-") == 2


def build_pack(data: DataLayer, template: str, target: str, options: BuildOptions) -> BuildResult:
    """Build one pack and write ``OUT/TEMPLATE-TARGET.pdf`` unless it would be unchanged."""
    from .blocks import Context
    from .fonts import register_fonts, resolve_font_path
    from .layout import BuiltSection, PackLayout, render
    from .spec import available_templates, load_spec
    from .style import MM, load_style

    check_request(data, available_templates(data.root), template, target)
    style = load_style(options.styles_root, options.style)
    fonts = register_fonts(
        resolve_font_path(style["fonts"]["regular"], style.folder),
        resolve_font_path(style["fonts"]["bold"], style.folder),
    )
    spec = load_spec(data, template)
    place = data.places[target]
    page_w, page_h = style.page_size
    ctx = Context(
        data=data,
        target=place,
        style=style,
        fonts=fonts,
        frame_width=page_w - style.margin("left") - style.margin("right"),
        frame_height=page_h - style.margin("top") - style.margin("bottom"),
    )
    sections = build_sections(spec, ctx)
    if not sections:
        raise BuildError(f"{template}-{target}: the data has nothing to show for this pack")
    used = list(ctx.used.values())
    sections.append(BuiltSection("データ出所一覧", _sources_appendix(ctx, used)))
    date, exact = issue_date(options, used)
    as_of = latest([d.as_of for d in used if d.as_of])
    layout = PackLayout(
        title=spec.title_for(place),
        subtitle=spec.subtitle_for(place),
        issue_date=format_date(date, style.raw.get("dates", {}).get("wareki", False), exact),
        as_of=f"{format_as_of(as_of)}（各表・グラフに個別の時点を記載）",
        publications=sorted(
            {
                f"{d.publication.publisher}「{d.publication.title}」（{format_as_of(d.publication.published)}）"
                for d in used
                if d.publication
            }
        ),
        sections=sections,
        subject=spec.description,
        keywords=f"{template} {target}",
    )
    del MM
    pdf = render(layout, style, fonts)
    if fonts.missing:
        ctx.log.append(
            "characters missing from the font, printed as 〓: "
            + "".join(sorted(set(fonts.missing)))
        )
    path = options.out_dir / f"{template}-{target}.pdf"
    written = write_atomically(path, pdf)
    return BuildResult(template, target, path, written, pdf.count(b"/Type /Page\n"), ctx.log)


def build_sections(spec, ctx) -> list:
    """Each section's blocks → flowables; sections and blocks without data are logged, left out."""
    from dataclasses import replace

    from reportlab.platypus import KeepTogether

    from .blocks import REGISTRY
    from .layout import BuiltSection, MemberHeading
    from .select import plan_section

    sections = []
    for section in spec.sections:
        for name in section.absent:
            record = ctx.data.absent[name]
            title, reason = record.get("title", name), record.get("reason", "")
            ctx.log.append(f"left out: {title} (its numbers are not in the data: {reason})")
        flowables = []
        for group in plan_section(ctx.data, section, ctx.target.code):
            group_ctx = replace(ctx, target=ctx.data.places[group.target])
            built_group = []
            for block in group.blocks:
                built = REGISTRY[block["type"]](block, group_ctx)
                if built is None:
                    what = block.get("dataset") or block.get("text") or ""
                    ctx.log.append(
                        f"left out: {section.title} / {block['type']} {what}: "
                        f"no data for {group.target}"
                    )
                else:
                    built_group.append(built)
            if built_group and group.member_heading:
                key = f"section{len(sections) + 1}-{group.target}"
                heading = MemberHeading(group.member_heading, ctx.style, ctx.fonts, key)
                built_group[0] = [heading, *built_group[0]]
            # KeepTogether must not be nested: ReportLab then pushes whole groups to new pages.
            flowables += [KeepTogether(b) for b in built_group]
        if flowables:
            sections.append(BuiltSection(section.title, flowables))
        else:
            ctx.log.append(f"left out: section {section.title}: no data for {ctx.target.code}")
    return sections


def _sources_appendix(ctx, used: list[Dataset]) -> list:
    from .blocks.common import as_of_text, source_text
    from .blocks.tables import ruled_table

    body = []
    for d in sorted(used, key=lambda d: d.id):
        pub = (
            f"{d.publication.publisher}「{d.publication.title}」{format_as_of(d.publication.published)}"
            if d.publication
            else "—"
        )
        body.append([d.title, source_text(d), d.unit or "—", as_of_text(d), pub, d.csv_path])
    widths = [w * ctx.frame_width for w in (0.22, 0.2, 0.08, 0.1, 0.24, 0.16)]
    return [
        ruled_table(
            ctx,
            ["データ", "出所", "単位", "時点", "掲載資料", "データファイル"],
            body,
            [False] * 6,
            widths,
        )
    ]


def internal_error(exc: BaseException) -> str:
    """A one-line message for a failure that is not a data problem (a bug, to be reported)."""
    return f"internal error ({type(exc).__name__}: {exc}); run with -v for the traceback"


def write_atomically(path: Path, content: bytes) -> bool:
    """Write ``content`` to ``path`` via a temporary file and rename; skip if identical."""
    if path.exists() and path.read_bytes() == content:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(content)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True


@dataclass
class PackOutcome:
    """What happened to one pack in ``build --all``: built, unchanged or failed (and why)."""

    template: str
    target: str
    status: str  # built | unchanged | failed
    path: str
    pages: int = 0
    error: str = ""
    log: list[str] = field(default_factory=list)


def _build_one(args: tuple[str, str, BuildOptions]) -> PackOutcome:
    from .datalayer import load
    from .errors import BriefpackError

    template, target, options = args
    path = str(options.out_dir / f"{template}-{target}.pdf")
    try:
        result = build_pack(load(options.data_root), template, target, options)
    except BriefpackError as exc:
        return PackOutcome(template, target, "failed", path, error=str(exc))
    except Exception as exc:  # noqa: BLE001 - one broken pack must not stop the others
        return PackOutcome(template, target, "failed", path, error=internal_error(exc))
    status = "built" if result.written else "unchanged"
    return PackOutcome(template, target, status, path, result.pages, log=result.log)


def build_all(data: DataLayer, options: BuildOptions, jobs: int, report=None) -> list[PackOutcome]:
    """Build every pack the data can make, ``jobs`` at a time; one failure stops no other."""
    from .select import available_packs
    from .spec import available_templates, load_spec

    specs = [load_spec(data, t, check_blocks=False) for t in available_templates(data.root)]
    work = [(template, target, options) for template, target in available_packs(data, specs)]
    outcomes: list[PackOutcome] = []
    if jobs <= 1 or len(work) <= 1:
        for item in work:
            outcomes.append(_build_one(item))
            if report:
                report(outcomes[-1])
        return outcomes
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        for outcome in pool.map(_build_one, work):
            outcomes.append(outcome)
            if report:
                report(outcome)
    return outcomes
