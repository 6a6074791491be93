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
    from reportlab.platypus import KeepTogether

    from .blocks import REGISTRY
    from .layout import BuiltSection

    target = ctx.target.code
    sections = []
    for section in spec.sections:
        for name in section.absent:
            record = ctx.data.absent[name]
            title, reason = record.get("title", name), record.get("reason", "")
            ctx.log.append(f"left out: {title} (its numbers are not in the data: {reason})")
        flowables = []
        for block in section.blocks:
            built = REGISTRY[block["type"]](block, ctx)
            if built is None:
                what = block.get("dataset") or block.get("text") or ""
                ctx.log.append(
                    f"left out: {section.title} / {block['type']} {what}: no data for {target}"
                )
            else:
                flowables.append(KeepTogether(built))
        if flowables:
            sections.append(BuiltSection(section.title, flowables))
        else:
            ctx.log.append(f"left out: section {section.title}: no data for {target}")
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
