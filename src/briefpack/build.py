"""Build: template + target → PDF file, stage by stage (data → spec → blocks → layout → PDF)."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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
    # Print options (PRODUCT.md): all of them change the output, so all are pack inputs.
    meeting: str | None = None
    mark: str | None = None
    watermark: str | None = None
    copies: int = 0
    gray: bool = False
    duplex: bool = False
    nup: int = 1
    changes_page: bool = False  # append 「前回版からの変更点」 when a pack is rebuilt

    def print_options(self) -> dict[str, Any]:
        keys = ("meeting", "mark", "watermark", "copies", "gray", "duplex", "nup", "changes_page")
        return {k: getattr(self, k) for k in keys}


@dataclass
class BuildResult:
    template: str
    target: str
    path: Path
    written: bool  # False when skipped as up to date, or when the new PDF was identical
    pages: int
    log: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)  # what changed since the last build
    entry: dict | None = None  # the manifest entry for this build


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


@dataclass
class PackPlan:
    """What one pack is made of, known without loading ReportLab or matplotlib."""

    template: str
    target: str
    spec: Any
    style: Any
    font_paths: tuple[Path, Path]
    fingerprint: Any
    pdf_path: Path

    @property
    def name(self) -> str:
        return f"{self.template}-{self.target}"


def plan_pack(data: DataLayer, template: str, target: str, options: BuildOptions) -> PackPlan:
    """Check the request and fingerprint every input of the pack (standard library only)."""
    from .fonts import resolve_font_path
    from .manifest import fingerprint
    from .spec import available_templates, load_spec
    from .style import load_style

    check_request(data, available_templates(data.root), template, target)
    style = load_style(options.styles_root, options.style)
    if options.gray:
        style = style.to_gray()
    font_paths = (
        resolve_font_path(style["fonts"]["regular"], style.folder),
        resolve_font_path(style["fonts"]["bold"], style.folder),
    )
    spec = load_spec(data, template, check_blocks=False)
    fp = fingerprint(
        data,
        spec,
        target,
        style.files,
        list(font_paths),
        {
            "style": options.style,
            "date": options.date,
            "SOURCE_DATE_EPOCH": os.environ.get("SOURCE_DATE_EPOCH"),
            **options.print_options(),
        },
    )
    pdf_path = options.out_dir / f"{template}-{target}.pdf"
    return PackPlan(template, target, spec, style, font_paths, fp, pdf_path)


def build_pack(
    data: DataLayer,
    template: str,
    target: str,
    options: BuildOptions,
    previous: dict | None = None,
) -> BuildResult:
    """Build one pack unless its inputs and output match ``previous`` (its manifest entry)."""
    import time

    from .manifest import changes, output_stats

    started = time.perf_counter()
    plan = plan_pack(data, template, target, options)
    what_changed = changes(previous, plan.fingerprint)
    if not options.force and is_up_to_date(plan, previous):
        return BuildResult(
            template, target, plan.pdf_path, False, previous.get("pages", 0), [], [], previous
        )
    shown_changes = what_changed if options.changes_page and previous else None
    pdf, pages, log = render_pack(data, plan, options, changes=shown_changes)
    written = write_atomically(plan.pdf_path, pdf)
    outputs = [plan.pdf_path]
    for n in range(1, options.copies + 1):
        label = f"No. {n}/{options.copies}"
        copy, _, _ = render_pack(data, plan, options, label, changes=shown_changes)
        copy_path = plan.pdf_path.with_name(f"{plan.name}-copy{n:02d}.pdf")
        written = write_atomically(copy_path, copy) or written
        outputs.append(copy_path)
    entry = {
        "inputs": plan.fingerprint.digest,
        "parts": plan.fingerprint.parts,
        "rows": plan.fingerprint.rows,
        "output": hashlib.sha256(pdf).hexdigest(),  # what is in place: written or identical
        "pages": pages,
        "build_seconds": round(time.perf_counter() - started, 3),
        "outputs": output_stats(outputs),
    }
    return BuildResult(template, target, plan.pdf_path, written, pages, log, what_changed, entry)


def is_up_to_date(plan: PackPlan, previous: dict | None) -> bool:
    """Same inputs as the last build, and the PDF in place is the one that build wrote."""
    from .manifest import file_digest

    return bool(
        previous
        and previous.get("inputs") == plan.fingerprint.digest
        and plan.pdf_path.is_file()
        and file_digest(plan.pdf_path) == previous.get("output")
    )


def render_pack(
    data: DataLayer,
    plan: PackPlan,
    options: BuildOptions,
    copy_label: str | None = None,
    changes: list[str] | None = None,
) -> tuple[bytes, int, list]:
    """Spec + data → blocks → layout → PDF bytes (this is where ReportLab is loaded)."""
    from .fonts import register_fonts

    fonts = register_fonts(*plan.font_paths)
    part, used, log = build_part(data, plan, options, fonts, changes)
    spec, place = plan.spec, data.places[plan.target]
    pdf = compose(
        [part],
        used,
        spec.title_for(place),
        spec.subtitle_for(place),
        spec.description,
        f"{plan.template} {plan.target}",
        plan.style,
        fonts,
        options,
        copy_label,
    )
    if fonts.missing:
        missing = "".join(sorted(set(fonts.missing)))
        log.append(f"warning: characters missing from the font, printed as 〓: {missing}")
    return pdf, count_pages(pdf), log


def count_pages(pdf: bytes) -> int:
    return pdf.count(b"/Type /Page\n")


def build_part(
    data: DataLayer,
    plan: PackPlan,
    options: BuildOptions,
    fonts: Any,
    changes: list[str] | None = None,
) -> tuple:
    """One pack's sections (with its 「データ出所一覧」), the datasets it used, and its log."""
    from .blocks import Context
    from .chartcache import ChartCache
    from .layout import BuiltSection, Part
    from .spec import load_spec

    style, place = plan.style, data.places[plan.target]
    spec = load_spec(data, plan.template)  # checked in full (block types and keys) to build
    page_w, page_h = style.page_size
    ctx = Context(
        data=data,
        target=place,
        style=style,
        fonts=fonts,
        frame_width=page_w - style.margin("left") - style.margin("right"),
        frame_height=page_h - style.margin("top") - style.margin("bottom"),
        chart_cache=ChartCache(options.out_dir),
    )
    sections = build_sections(spec, ctx)
    if not sections:
        raise BuildError(f"{plan.name}: the data has nothing to show for this pack")
    used = list(ctx.used.values())
    sections.append(BuiltSection("データ出所一覧", _sources_appendix(ctx, used)))
    if changes:
        sections.append(BuiltSection("前回版からの変更点", _changes_page(ctx, changes)))
    cache = ctx.chart_cache
    ctx.log.append(f"charts: {cache.misses} rendered, {cache.hits} from the cache")
    return Part(spec.title_for(place), sections), used, ctx.log


def compose(
    parts: list,
    used: list[Dataset],
    title: str,
    subtitle: str,
    subject: str,
    keywords: str,
    style: Any,
    fonts: Any,
    options: BuildOptions,
    copy_label: str | None = None,
) -> bytes:
    """Parts → one PDF with cover, 目次 and the print settings of ``options``."""
    from .layout import PackLayout, PrintSettings, render

    if len(parts) == 1:
        parts[0].title = None  # a single pack: its sections are the top level
    date, exact = issue_date(options, used)
    wareki = style.raw.get("dates", {}).get("wareki", False)
    as_of = latest([d.as_of for d in used if d.as_of])
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
    layout = PackLayout(
        title=title,
        subtitle=subtitle,
        issue_date=format_date(date, wareki, exact),
        as_of=f"{format_as_of(as_of)}（各表・グラフに個別の時点を記載）",
        publications=sorted({_publication_text(d) for d in used if d.publication}),
        parts=parts,
        printing=printing,
        subject=subject,
        keywords=keywords,
    )
    pdf = render(layout, style, fonts)
    if options.nup == 2:
        from .nup import two_up

        pdf = two_up(pdf)
    return pdf


def _publication_text(d: Dataset) -> str:
    p = d.publication
    return f"{p.publisher}「{p.title}」（{format_as_of(p.published)}）"


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


def _changes_page(ctx: Any, changes: list[str]) -> list:
    """「前回版からの変更点」: each changed value with its dataset's title, old → new."""
    from .blocks.text import bullet_list

    lines = []
    for change in changes:
        dataset_id, _, rest = change.partition(" ")
        dataset = ctx.data.datasets.get(dataset_id)
        lines.append(f"{dataset.title}（{dataset_id}）：{rest}" if dataset else change)
    return bullet_list(ctx, lines, kind="small")


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


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomically(path: Path, content: bytes) -> bool:
    """Write ``content`` to ``path`` via a temporary file and rename; skip if identical."""
    if path.exists() and path.read_bytes() == content:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o666 & ~_umask())  # mkstemp makes 0600; a PDF is as readable as any file
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
    """What happened to one pack: built, unchanged or failed (and why)."""

    template: str
    target: str
    status: str  # built | unchanged | failed
    path: str
    pages: int = 0
    error: str = ""
    changes: list[str] = field(default_factory=list)
    log: list[str] = field(default_factory=list)
    entry: dict | None = None


def _build_one(args: tuple[str, str, BuildOptions, dict | None]) -> PackOutcome:
    from .datalayer import load
    from .errors import BriefpackError

    template, target, options, previous = args
    path = str(options.out_dir / f"{template}-{target}.pdf")
    try:
        result = build_pack(load(options.data_root), template, target, options, previous)
    except BriefpackError as exc:
        return PackOutcome(template, target, "failed", path, error=str(exc))
    except Exception as exc:  # noqa: BLE001 - one broken pack must not stop the others
        return PackOutcome(template, target, "failed", path, error=internal_error(exc))
    status = "built" if result.written else "unchanged"
    return PackOutcome(
        template, target, status, path, result.pages, "", result.changes, result.log, result.entry
    )


def quick_key_for(options: BuildOptions) -> str:
    """The make-style key of a request: stats of every input file, options, version."""
    from .fonts import FONT_DIR
    from .manifest import quick_key

    package = Path(__file__).resolve().parent
    roots = [options.data_root, options.styles_root, FONT_DIR, package]
    settings = {
        "style": options.style,
        "date": options.date,
        "SOURCE_DATE_EPOCH": os.environ.get("SOURCE_DATE_EPOCH"),
        **options.print_options(),
    }
    return quick_key(roots, settings)


def run_request(
    options: BuildOptions,
    request: str,
    choose: Any,
    jobs: int = 1,
    report: Any = None,
) -> list[PackOutcome]:
    """Build what ``choose(data)`` names, unless nothing at all changed since the last run.

    ``request`` names the request in the manifest (``all`` or ``relations-kg``). When every
    input file has the size and mtime it had then, and every output is in place, the data is
    not even loaded; otherwise the data is checked row by row, pack by pack.
    """
    from .datalayer import load
    from .manifest import Manifest

    key = quick_key_for(options)
    if not options.force:
        hit = Manifest.read(options.out_dir).quick_hit(request, key)
        if hit is not None:
            outcomes = [_unchanged_outcome(name, entry, options) for name, entry in hit]
            if hasattr(report, "begin"):
                report.begin(len(outcomes))
            for outcome in outcomes:
                if report:
                    report(outcome)
            return outcomes
    data = load(options.data_root)
    packs = choose(data)
    return run_builds(data, packs, options, jobs, report, (request, key))


def _unchanged_outcome(name: str, entry: dict, options: BuildOptions) -> PackOutcome:
    template, _, target = name.partition("-")
    path = str(options.out_dir / f"{name}.pdf")
    return PackOutcome(template, target, "unchanged", path, entry.get("pages", 0))


def run_builds(
    data: DataLayer,
    packs: list[tuple[str, str]],
    options: BuildOptions,
    jobs: int = 1,
    report: Any = None,
    quick: tuple[str, str] | None = None,
) -> list[PackOutcome]:
    """Build ``packs`` under the output folder's lock, ``jobs`` at a time, and record them.

    One failure stops no other pack; the manifest is written once, by this process.
    """
    from .manifest import Manifest, output_lock

    if hasattr(report, "begin"):
        report.begin(len(packs))
    with output_lock(options.out_dir):
        _remove_leftovers(options.out_dir)
        manifest = Manifest.read(options.out_dir)
        outcomes: list[PackOutcome] = []

        def done(outcome: PackOutcome) -> None:
            outcomes.append(outcome)
            if outcome.entry is not None:
                manifest.packs[f"{outcome.template}-{outcome.target}"] = outcome.entry
            if report:
                report(outcome)

        stale = []
        for template, target in packs:
            previous = manifest.packs.get(f"{template}-{target}")
            fresh = None if options.force else _unchanged(data, template, target, options, previous)
            if fresh is not None:
                done(fresh)
            else:
                stale.append((template, target, options, previous))
        for outcome in _map(stale, jobs):
            done(outcome)
        if quick and not any(o.status == "failed" for o in outcomes):
            names = [f"{t}-{c}" for t, c in packs]
            manifest.quick[quick[0]] = {"key": quick[1], "packs": names}
        manifest.write()
    return outcomes


def _remove_leftovers(out_dir: Path) -> None:
    """Temporary files of a run that was killed before it could rename them into place."""
    for leftover in out_dir.glob(".*.pdf.*.tmp"):
        leftover.unlink(missing_ok=True)


def _unchanged(
    data: DataLayer, template: str, target: str, options: BuildOptions, previous: dict | None
) -> PackOutcome | None:
    """The outcome of a pack whose inputs and output match the manifest, else None."""
    from .errors import BriefpackError

    if not previous:
        return None
    try:
        plan = plan_pack(data, template, target, options)
    except BriefpackError:
        return None  # let the build report it
    if not is_up_to_date(plan, previous):
        return None
    from .manifest import output_stats

    copies = [
        plan.pdf_path.with_name(f"{plan.name}-copy{n:02d}.pdf")
        for n in range(1, options.copies + 1)
    ]
    if not all(c.is_file() for c in copies):
        return None
    entry = {**previous, "outputs": output_stats([plan.pdf_path, *copies])}
    path = str(plan.pdf_path)
    return PackOutcome(template, target, "unchanged", path, previous.get("pages", 0), entry=entry)


def _map(work: list, jobs: int):
    if jobs <= 1 or len(work) <= 1:
        for item in work:
            yield _build_one(item)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(
        max_workers=jobs, mp_context=context, initializer=_worker_start
    ) as pool:
        yield from pool.map(_build_one, work)


def _worker_start() -> None:
    """A worker dies with the run that started it and does not keep its output lock."""
    import signal

    from .manifest import release_inherited_locks

    release_inherited_locks()
    if sys.platform.startswith("linux"):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: killed when the parent is
        if os.getppid() == 1:  # the parent was already gone
            os._exit(1)


def all_packs(data: DataLayer) -> list[tuple[str, str]]:
    """Every (template, target) the data can make."""
    from .select import available_packs
    from .spec import available_templates, load_spec

    specs = [load_spec(data, t, check_blocks=False) for t in available_templates(data.root)]
    return available_packs(data, specs)


def build_binder(
    data: DataLayer, items: list[tuple[str, str]], out_file: Path, options: BuildOptions
) -> BuildResult:
    """Several packs as one document: one cover, one 目次, continuous page numbers."""
    from .fonts import register_fonts

    if not items:
        raise UsageError("a binder needs at least one TEMPLATE:TARGET")
    plans = [plan_pack(data, template, target, options) for template, target in items]
    fonts = register_fonts(*plans[0].font_paths)
    parts, used, log = [], [], []
    for plan in plans:
        part, part_used, part_log = build_part(data, plan, options, fonts)
        parts.append(part)
        used += [d for d in part_used if d not in used]
        log += [f"{plan.name}: {line}" for line in part_log]
    title = options.meeting or "ブリーフィング資料集"
    subtitle = "／".join(p.title for p in parts)
    keywords = " ".join(f"{t}-{c}" for t, c in items)
    pdf = compose(
        parts,
        used,
        title,
        subtitle,
        "ブリーフィング資料集",
        keywords,
        plans[0].style,
        fonts,
        options,
    )
    written = write_atomically(out_file, pdf)
    return BuildResult(
        "binder", ",".join(f"{t}:{c}" for t, c in items), out_file, written, count_pages(pdf), log
    )
