"""Runner: a build request → plans → renders of what changed → outcomes (one place for the loop).

The pipeline of a run: load the data once → plan every requested pack (standard library) →
fingerprint each plan → render the packs whose fingerprint or output changed, in worker
processes when asked → write each PDF atomically → record the manifest.  The output lock,
the pool, the progress report and the summary live here and nowhere else.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import BriefpackError, BuildError, UsageError
from .options import BuildOptions

if TYPE_CHECKING:  # the up-to-date check of a nightly run imports neither
    from .datalayer import DataLayer
    from .pack.model import PackPlan

log = logging.getLogger("briefpack")


@dataclass
class PackOutcome:
    """What happened to one pack: built, unchanged, failed or vanished (and why)."""

    template: str
    target: str
    status: str  # built | unchanged | failed | vanished | pruned
    path: str
    pages: int = 0
    error: str = ""
    changes: list[str] = field(default_factory=list)
    log: list[str] = field(default_factory=list)
    entry: dict | None = None

    @property
    def name(self) -> str:
        return f"{self.template}-{self.target}"


@dataclass
class Setting:
    """The style, fonts and code a run renders with, and their digests (standard library)."""

    style: Any
    parts: dict[str, str]
    every_font: dict[str, Path]  # regular, bold, and text_regular/text_bold when both given

    @property
    def font_paths(self) -> tuple[Path, Path]:
        """The tabular family (regular, bold): what charts and table figures are set in."""
        return self.every_font["regular"], self.every_font["bold"]

    @property
    def chart_fonts(self) -> dict[str, Path]:
        """The fonts a chart is drawn with (the tabular family; see ``render.charts.draw``)."""
        return {"regular": self.every_font["regular"], "bold": self.every_font["bold"]}


# --------------------------------------------------------------------------- requests


def targets_for(data: DataLayer) -> list[str]:
    return [p.code for p in sorted(data.places.values(), key=lambda p: p.order)]


def check_request(data: DataLayer, templates: list[str], template: str, target: str) -> None:
    if template not in templates:
        raise UsageError(f"unknown template {template!r} (templates: {', '.join(templates)})")
    if target not in data.places:
        raise UsageError(f"unknown target {target!r} (targets: {', '.join(targets_for(data))})")


def load_specs(data: DataLayer) -> dict[str, Any]:
    from .spec import available_templates, load_spec

    return {t: load_spec(data, t) for t in available_templates(data.root)}


def style_numbers(style: Any) -> tuple[dict[str, str], int]:
    return dict(style["numbers"]), int(style["table"].get("max_year_columns", 13))


@dataclass
class Planner:
    """Plans packs against one loaded data layer, each pack once per run (standard library).

    Choosing the packs of ``--all`` plans every pack to see which the data can make; the
    build then reuses those plans instead of resolving every spec a second time.
    """

    data: DataLayer
    specs: dict[str, Any]
    style: Any
    _made: dict[tuple[str, str], PackPlan] = field(default_factory=dict)

    def plan(self, template: str, target: str) -> PackPlan:
        key = (template, target)
        if key not in self._made:
            from .pack import plan_pack

            numbers, year_columns = style_numbers(self.style)
            spec = self.specs[template]
            self._made[key] = plan_pack(self.data, spec, target, numbers, year_columns)
        return self._made[key]


def pack_status(planner: Planner) -> list[tuple[str, str, str | None]]:
    """Every (template, target, why not) pair; ``why not`` is None for a pack the data can make."""
    out = []
    for template, spec in planner.specs.items():
        for code in targets_for(planner.data):
            if spec.targets and code not in spec.targets:
                out.append((template, code, f"the {template} spec lists its targets"))
                continue
            made = planner.plan(template, code)
            out.append((template, code, None if made.sections else "no data for any section"))
    return out


def all_packs(planner: Planner) -> list[tuple[str, str]]:
    return [(t, c) for t, c, why in pack_status(planner) if why is None]


# --------------------------------------------------------------------------- setting


def load_setting(options: BuildOptions) -> Setting:
    """The style (gray when asked), its fonts, and digests of them and of the code."""
    from . import __version__
    from .fonts import resolve_font_path
    from .manifest import digest, file_digest, tree_digest
    from .style import load_style

    style = load_style(options.styles_root, options.style)
    if options.gray:
        style = style.to_gray()
    package = Path(__file__).resolve().parent
    code = [(str(p.relative_to(package)), file_digest(p)) for p in sorted(package.rglob("*.py"))]
    every_font = {
        key: resolve_font_path(name, style.folder)
        for key in ("regular", "bold", "text_regular", "text_bold")
        if isinstance(name := style["fonts"].get(key), str) and name
    }
    parts = {
        "style": digest(tree_digest(style.folder, trust_stat=False)),
        "fonts": digest([file_digest(p) for p in every_font.values()]),
        "version": __version__,
        "code": digest(code),
        "options": digest(options.output_settings()),
    }
    if not {"text_regular", "text_bold"} <= every_font.keys():  # a style without a text family
        every_font = {k: v for k, v in every_font.items() if k in ("regular", "bold")}
    return Setting(style, parts, every_font)


def fingerprint(made: PackPlan, setting: Setting) -> tuple[str, dict[str, str]]:
    from .manifest import digest

    parts = {"plan": made.digest(), **setting.parts}
    return digest(parts), parts


def quick_key(options: BuildOptions) -> str:
    """Content hashes of the data and styles, the code and fonts, and the options.

    The data and styles are read in full (a same-size edit in the same second still counts);
    the installed code and fonts are judged by size and mtime unless recently modified.
    """
    from . import __version__
    from .manifest import digest, tree_digest

    package = Path(__file__).resolve().parent
    return digest(
        {
            "data": tree_digest(options.data_root, trust_stat=False),
            "styles": tree_digest(options.styles_root, trust_stat=False),
            "package": tree_digest(package, trust_stat=True),
            "fonts": tree_digest(package / "fonts", trust_stat=True),  # the bundled fonts
            "options": options.output_settings(),
            "version": __version__,
        }
    )


# --------------------------------------------------------------------------- a run


def run_request(
    options: BuildOptions,
    request: str,
    choose: Callable[[Planner], list[tuple[str, str]]],
    jobs: int = 1,
    report: Any = None,
    prune: bool = False,
    many: bool = False,
) -> list[PackOutcome]:
    """Build what ``choose(planner)`` names, unless nothing at all changed.

    When the content of every input file and every output is as the last run of the same
    request left them, the data is not even loaded; otherwise every pack is planned and
    those whose fingerprint or output changed are rendered.  With ``jobs`` > 1 the worker
    processes start first and import the rendering libraries while this one loads and
    plans the data (``many``: a worker per job; else one, which draws the pack's charts).
    """
    from .manifest import Manifest
    from .outputs import check_output_path

    check_output_path(options.out_dir, options.data_root, options.styles_root, kind="folder")
    manifest = Manifest.read(options.out_dir)  # first: its file digests spare re-reading fonts
    key = quick_key(options)
    if not options.force and not prune:
        hit = manifest.quick_hit(request, key)
        if hit is not None:
            outcomes = [_unchanged_outcome(name, entry, options) for name, entry in hit]
            _report_all(report, outcomes)
            return outcomes
    from .datalayer import load

    setting = load_setting(options)
    pool = WarmPool(jobs if many else 1, setting, options) if jobs > 1 else None
    try:
        data = load(options.data_root)
        specs = load_specs(data)
        planner = Planner(data, specs, setting.style)
        packs = choose(planner)
        return run_builds(planner, setting, packs, options, report, (request, key), prune, pool)
    finally:
        if pool is not None:
            pool.close()


def _report_all(report: Any, outcomes: list[PackOutcome]) -> None:
    if hasattr(report, "begin"):
        report.begin(len(outcomes))
    for outcome in outcomes:
        if report:
            report(outcome)


def _unchanged_outcome(name: str, entry: dict, options: BuildOptions) -> PackOutcome:
    template, _, target = name.partition("-")
    path = str(options.out_dir / f"{name}.pdf")
    return PackOutcome(template, target, "unchanged", path, entry.get("pages", 0))


@dataclass
class Job:
    """One pack to render: its plan, how to render it, and what to record."""

    plan: PackPlan
    options: BuildOptions
    setting: Setting  # the style and fonts, resolved once per run
    fingerprint: str
    parts: dict[str, str]
    changes: list[str]
    show_changes: bool
    # Charts another worker of this run is drawing into the cache: waited for, not redrawn.
    pending: frozenset[str] = frozenset()


def run_builds(
    planner: Planner,
    setting: Setting,
    packs: list[tuple[str, str]],
    options: BuildOptions,
    report: Any = None,
    quick: tuple[str, str] | None = None,
    prune: bool = False,
    pool: WarmPool | None = None,
) -> list[PackOutcome]:
    """Plan ``packs``, render the changed ones (in ``pool``'s workers when given) under the
    output lock.

    One failure stops no other pack; the manifest is written once, by this process.
    """
    from .manifest import Manifest, changes
    from .outputs import output_lock, remove_leftovers

    if hasattr(report, "begin"):
        report.begin(len(packs))
    with output_lock(options.out_dir):
        remove_leftovers(options.out_dir)
        manifest = Manifest.read(options.out_dir)
        outcomes: list[PackOutcome] = []

        def done(outcome: PackOutcome) -> None:
            outcomes.append(outcome)
            if outcome.entry is not None:
                manifest.packs[outcome.name] = outcome.entry
            if report:
                report(outcome)

        work: list[Job] = []
        for template, target in packs:
            name = f"{template}-{target}"
            pdf_path = options.out_dir / f"{name}.pdf"
            try:
                made = planner.plan(template, target)
                if not made.sections:
                    raise BuildError(f"{name}: the data has nothing to show for this pack")
            except BriefpackError as exc:
                done(PackOutcome(template, target, "failed", str(pdf_path), error=str(exc)))
                continue
            except Exception as exc:  # noqa: BLE001 - one broken pack must not stop the others
                done(
                    PackOutcome(
                        template, target, "failed", str(pdf_path), error=internal_error(exc)
                    )
                )
                continue
            digest_, parts = fingerprint(made, setting)
            previous = manifest.entry(name)
            if not options.force and _up_to_date(previous, digest_, pdf_path, options):
                done(_kept(made, previous, options))
                continue
            what_changed = changes(previous, parts, made.reads.get("rows", {}))
            show = options.changes_page and previous is not None
            work.append(Job(made, options, setting, digest_, parts, what_changed, show))
        for outcome in _render_all(work, pool):
            done(outcome)
        for outcome in _vanished(planner.data, manifest, options, prune):
            done(outcome)
        if quick and not prune and not any(o.status == "failed" for o in outcomes):
            names = [f"{t}-{c}" for t, c in packs]
            manifest.quick[quick[0]] = {"key": quick[1], "packs": names}
        manifest.write()
    return outcomes


def _up_to_date(previous: dict | None, fp: str, pdf_path: Path, options: BuildOptions) -> bool:
    """Same fingerprint as the last build, and every output in place with its content."""
    from .manifest import file_digest

    if not previous or previous.get("inputs") != fp or not pdf_path.is_file():
        return False
    if file_digest(pdf_path) != previous.get("output"):
        return False
    copies = [
        pdf_path.with_name(f"{pdf_path.stem}-copy{n:02d}.pdf") for n in range(1, options.copies + 1)
    ]
    return all(c.is_file() for c in copies)


def _kept(made: PackPlan, previous: dict, options: BuildOptions) -> PackOutcome:
    from .manifest import output_stats

    pdf_path = options.out_dir / f"{made.name}.pdf"
    copies = [
        pdf_path.with_name(f"{made.name}-copy{n:02d}.pdf") for n in range(1, options.copies + 1)
    ]
    entry = {**previous, "outputs": output_stats([pdf_path, *copies])}
    return PackOutcome(
        made.template,
        made.target,
        "unchanged",
        str(pdf_path),
        previous.get("pages", 0),
        entry=entry,
    )


def _vanished(
    data: DataLayer, manifest: Any, options: BuildOptions, prune: bool
) -> list[PackOutcome]:
    """Packs built earlier for targets no longer in the data: reported, removed on --prune."""
    out = []
    for name in sorted(manifest.packs):
        template, _, target = name.partition("-")
        if target in data.places:
            continue
        pdf_path = options.out_dir / f"{name}.pdf"
        entry = manifest.packs[name]
        if prune:
            outputs = entry.get("outputs", []) if isinstance(entry, dict) else []
            for item in outputs:
                if isinstance(item, list) and item and Path(str(item[0])).name == item[0]:
                    (options.out_dir / item[0]).unlink(missing_ok=True)
            pdf_path.unlink(missing_ok=True)
            del manifest.packs[name]
            status = "pruned"
        else:
            status = "vanished"
        message = f"{target}: no longer in the data"
        out.append(PackOutcome(template, target, status, str(pdf_path), error=message))
    return out


def internal_error(exc: BaseException) -> str:
    """A one-line message for a failure that is not a data problem (a bug, to be reported)."""
    return f"internal error ({type(exc).__name__}: {exc}); run with -v for the traceback"


# --------------------------------------------------------------------------- rendering


def render_job(job: Job, pool: WarmPool | None = None) -> PackOutcome:
    """Render one pack and write it (and its numbered copies) atomically: a worker's task
    (or this process's, its charts drawn by ``pool``)."""
    from .errors import BriefpackError

    name = job.plan.name
    path = job.options.out_dir / f"{name}.pdf"
    try:
        return _render_and_write(job, path, pool)
    except BriefpackError as exc:
        return PackOutcome(job.plan.template, job.plan.target, "failed", str(path), error=str(exc))
    except OSError as exc:
        from .outputs import os_error_text

        message = os_error_text(exc, "cannot write the pack")
        return PackOutcome(job.plan.template, job.plan.target, "failed", str(path), error=message)
    except Exception as exc:  # noqa: BLE001 - one broken pack must not stop the others
        log.debug("render of %s failed", name, exc_info=True)
        return PackOutcome(
            job.plan.template, job.plan.target, "failed", str(path), error=internal_error(exc)
        )


def _render_and_write(job: Job, path: Path, pool: WarmPool | None = None) -> PackOutcome:
    import hashlib

    from .chartcache import ChartCache
    from .fonts import register_fonts
    from .manifest import output_stats
    from .outputs import write_atomically
    from .render.charts import ChartSource
    from .render.document import count_pages, render_document

    started = time.perf_counter()
    options, made, setting = job.options, job.plan, job.setting
    cache = ChartSource(ChartCache(options.out_dir, read=not options.force), pending=job.pending)
    if pool is not None:
        cache.drawer = start_drawer(pool, cache, [made], setting, options)
    fonts = register_fonts(*setting.font_paths)
    shown_changes = job.changes if job.show_changes else None

    def render(copy_label: str | None = None) -> bytes:
        return render_document(
            [made],
            setting.style,
            fonts,
            options,
            cache,
            title=made.title,
            subtitle=made.subtitle,
            subject=made.description,
            keywords=f"{made.template} {made.target}",
            copy_label=copy_label,
            changes=shown_changes,
        )

    try:
        pdf = render()
    finally:
        cache.close()
    pages = count_pages(pdf)
    written = write_atomically(path, pdf)
    outputs = [path]
    for n in range(1, options.copies + 1):
        copy_path = path.with_name(f"{made.name}-copy{n:02d}.pdf")
        written = write_atomically(copy_path, render(f"No. {n}/{options.copies}")) or written
        outputs.append(copy_path)
    log_lines = list(made.log)
    if fonts.missing:
        missing = "".join(sorted(set(fonts.missing)))
        log_lines.append(f"warning: characters missing from the font, printed as 〓: {missing}")
    log_lines.append(f"charts: {cache.misses} drawn, {cache.hits} from the cache")
    entry = {
        "inputs": job.fingerprint,
        "parts": job.parts,
        "rows": made.reads.get("rows", {}),
        "output": hashlib.sha256(pdf).hexdigest(),
        "pages": pages,
        "build_seconds": round(time.perf_counter() - started, 3),
        "outputs": output_stats(outputs),
    }
    status = "built" if written else "unchanged"
    return PackOutcome(
        made.template, made.target, status, str(path), pages, "", job.changes, log_lines, entry
    )


def start_drawer(
    pool: WarmPool, source: Any, plans: list[PackPlan], setting: Setting, options: BuildOptions
) -> Any:
    """Read the charts of ``plans`` from the cache and have ``pool`` draw the missing ones
    while this process imports ReportLab and lays the pack out (None when none is missing:
    the chart worker is then stopped, leaving its core to the layout)."""
    from .render.charts import ChartDrawer

    style = chart_style(setting, options)
    missing = source.lookup(planned(plans, style, setting))
    if not missing:
        pool.drop_chart_worker()
        return None
    pool.charts_used = True
    return ChartDrawer(pool.chart_executor(), missing, style, setting.chart_fonts)


def chart_style(setting: Setting, options: BuildOptions) -> Any:
    """The style charts are drawn with (two-up printing raises its smallest text)."""
    if options.nup == 2:
        from .nup import style_for_two_up

        return style_for_two_up(setting.style)
    return setting.style


def planned(plans: list[PackPlan], style: Any, setting: Setting) -> dict[str, dict[str, Any]]:
    """The charts rendering ``plans`` will draw, by key (see ``render.charts``)."""
    from .manifest import file_digest
    from .render.charts import planned_charts

    return planned_charts(plans, style, [file_digest(p) for p in setting.font_paths])


def _render_all(work: list[Job], pool: WarmPool | None) -> Iterator[PackOutcome]:
    if pool is None or len(work) <= 1:
        for job in work:  # one pack: this process lays it out, the pool draws its charts
            yield render_job(job, pool)
        return
    yield from _pooled(work, pool)


def expected_cost(made: PackPlan) -> int:
    """How long a pack takes to render, roughly: its items, a chart counting as ten."""
    from .pack.model import ChartItem

    leaves = [
        leaf
        for section in made.sections
        for group in section.groups
        for block in group.blocks
        for leaf in block.leaves()
    ]
    return len(leaves) + 9 * sum(isinstance(leaf, ChartItem) for leaf in leaves)


def _pooled(work: list[Job], pool: WarmPool) -> Iterator[PackOutcome]:
    """Jobs in the warm worker processes; a worker that dies fails its pack, never the run
    (the packs it took are tried again, each alone in a fresh worker)."""
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    retry: list[Job] = []
    for job, outcome in pool.render(_draw_charts_first(work, pool)):
        if outcome is None:
            retry.append(job)
        else:
            yield outcome
    for job in retry:  # alone in a fresh worker: the one that dies again is the culprit
        job.pending = frozenset()  # the workers drawing them may be gone
        try:
            with ProcessPoolExecutor(
                max_workers=1, mp_context=pool.context, initializer=_die_with_parent
            ) as alone:
                yield alone.submit(render_job, job).result()
        except BrokenProcessPool:
            path = job.options.out_dir / f"{job.plan.name}.pdf"
            yield PackOutcome(
                job.plan.template,
                job.plan.target,
                "failed",
                str(path),
                error="the worker process building this pack died (out of memory, or killed)",
            )


def _draw_charts_first(work: list[Job], pool: WarmPool) -> list[Job]:
    """Queue the charts the packs need and the cache lacks ahead of the packs, each once;
    return the packs in the order to queue them.

    A chart shared by several packs is drawn once, and the packs, which need a chart only
    when its page is drawn, find it in the cache (or wait for it there).  The packs go in
    the order of :func:`_pack_order`, and the charts are queued in the order those packs
    will want them.
    """
    from .chartcache import ChartCache
    from .render.charts import draw_all_into_cache, draw_into_cache

    first = work[0]  # every job of a run shares its options and setting
    cache = ChartCache(first.options.out_dir, read=not first.options.force)
    style = chart_style(first.setting, first.options)
    needs = [planned([job.plan], style, first.setting) for job in work]
    lacking = {key for charts in needs for key in charts if not cache.holds(key)}
    order = _pack_order([expected_cost(job.plan) for job in work], needs, lacking)
    missing: dict[str, dict[str, Any]] = {}  # in the order the packs will want them
    for i in order:
        for key, payload in needs[i].items():
            if key in lacking and key not in missing:
                missing[key] = payload
    for key in missing:
        cache.forget(key)  # what the packs wait for is this run's drawing, nothing older
    fonts, executor, drawing = first.setting.chart_fonts, pool.chart_executor(), {}
    if pool.forks_helpers and missing:  # one task: the worker shares it with a fork of itself
        helpers = 1 if len(missing) >= HELPED_CHARTS else 0
        task = (draw_all_into_cache, list(missing.items()), style, fonts, cache.folder, helpers)
        drawing[executor.submit(*task)] = list(missing)
    else:
        for key, payload in missing.items():
            task = (draw_into_cache, key, payload, style, fonts, cache.folder)
            drawing[executor.submit(*task)] = [key]
    if missing:
        log.debug(f"charts: {len(missing)} drawn ahead of the packs that show them")
        pool.drawing(drawing, cache.folder)
    else:
        pool.drop_chart_worker()
    pending = frozenset(missing)
    for job in work:
        job.pending = pending
    return [work[i] for i in order]


HELPED_CHARTS = 4
"""From this many charts to draw ahead of the packs on, the chart worker shares them with a
fork of itself (fewer are drawn before the fork would pay for itself)."""


def _pack_order(costs: list[int], needs: list[dict[str, Any]], lacking: set[str]) -> list[int]:
    """The order to render packs in (indexes), given what each costs, the charts it shows
    and those to be drawn: each next, the pack that adds the fewest charts to draw for the
    work it is (the packs keep a worker busy while the charts they wait for are drawn), the
    longest of those first (a long pack started last leaves the other workers idle)."""
    new = [len(lacking.intersection(charts)) for charts in needs]
    showing: dict[str, list[int]] = {}  # chart to draw → the packs that show it
    for i, charts in enumerate(needs):
        for key in lacking.intersection(charts):
            showing.setdefault(key, []).append(i)
    left, order, queued = set(range(len(costs))), [], set()
    while left:
        i = min(left, key=lambda i: (new[i] / max(costs[i], 1), -costs[i], i))
        left.discard(i)
        order.append(i)
        for key in lacking.intersection(needs[i]) - queued:
            queued.add(key)
            for j in showing[key]:
                new[j] -= 1
    return order


class WarmPool:
    """Worker processes started as soon as a run knows it must render, and kept busy.

    A single pack (``workers`` 1) is laid out by this process while a chart worker, started
    at once, imports matplotlib and draws its charts.  Several packs:

    - Where the platform forks, the chart worker is started at once too, and imports
      matplotlib while this process loads and plans the data; the charts the packs lack
      are given to it in one task, which it shares with a fork of itself (see
      ``render.charts.draw_all_into_cache``).  Pack workers are forked from this process
      when the first pack is to be rendered, after it has imported ReportLab and read the
      fonts, once, for all of them to share.  The chart worker takes the place of a pack
      worker while it draws (at least one pack worker starts; the fork uses the time a
      pack worker spends waiting for a chart), and when it is done it stops and another
      pack worker is forked in its place.  Each pack worker is given one pack at a time,
      the next as soon as it is free.
    - Elsewhere (``spawn``, on Windows and macOS, or ``BRIEFPACK_START_METHOD``), the
      ``workers`` pack workers start at once and import the rendering libraries while this
      process plans, matplotlib too when many charts will be drawn (no chart cache yet, or
      --force); they draw the charts ahead of the packs, then render the packs.
    """

    def __init__(self, workers: int, setting: Setting, options: BuildOptions):
        import multiprocessing
        import os
        import sys

        # Linux forks (Python 3.14 made forkserver its default): the workers share what
        # this process imported; elsewhere the platform's way (spawn on Windows and macOS).
        default = "fork" if sys.platform.startswith("linux") else None
        method = os.environ.get("BRIEFPACK_START_METHOD") or default
        self.context = multiprocessing.get_context(method)
        self.workers = workers
        self.fonts, self.chart_fonts = setting.every_font, setting.chart_fonts
        self.charts: Any = None  # the chart worker
        self._shared: Any = None  # the pack workers started at once (not forked)
        self._forked: list[Any] = []  # the pack workers forked from this process, one each
        self._drawing: dict[Any, list[str]] = {}  # the charts drawn ahead, by future
        self._chart_folder: Path | None = None
        self._stopped: list[Any] = []  # workers stopped during the run, reaped at the end
        self.used = False
        self.charts_used = False
        if workers == 1 or self.context.get_start_method() == "fork":
            self.charts = self._start(1, "charts", self.chart_fonts)
        else:
            role = "packs+charts" if _many_charts(options) else "packs"
            self._shared = self._start(workers, role, setting.every_font)

    def _start(self, workers: int, role: str, fonts: dict[str, Path]) -> Any:
        from concurrent.futures import ProcessPoolExecutor

        executor = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=self.context,
            initializer=_warm_worker,
            initargs=(role, fonts),
        )
        for _ in range(workers):  # start them now, not at the first job
            executor.submit(_ready)
        return executor

    def chart_executor(self) -> Any:
        """Where charts are drawn: the chart worker, else the pack workers."""
        if self.charts is not None:
            return self.charts
        if self._shared is None:  # the chart worker was stopped: a new one
            self.charts = self._start(1, "charts", self.chart_fonts)
            return self.charts
        return self._shared

    @property
    def forks_helpers(self) -> bool:
        """Whether charts go to a worker of their own that may fork helpers (it has
        imported matplotlib: a fork of it draws at once)."""
        return self.charts is not None and self.context.get_start_method() == "fork"

    def drawing(self, futures: dict[Any, list[str]], folder: Path) -> None:
        """The charts queued ahead of the packs (future → keys), drawn into ``folder``."""
        self._drawing.update(futures)
        self._chart_folder = folder
        self.charts_used = True

    def drop_chart_worker(self) -> None:
        """No chart (left) to draw: the chart worker stops, leaving its core to the packs
        (reaped when the pool closes: nothing waits for it here)."""
        if self.charts is not None:
            _stop(self.charts, terminate=True, wait=False)
            self._stopped.append(self.charts)
            self.charts = None

    def render(self, jobs: list[Job]) -> Iterator[tuple[Job, PackOutcome | None]]:
        """Render ``jobs`` in the pack workers, in order as workers free up; each job with
        its outcome as it completes (None: the worker died)."""
        from concurrent.futures import as_completed
        from concurrent.futures.process import BrokenProcessPool

        self.used = True
        if self._shared is None:
            yield from self._render_forked(jobs)
            return
        futures = {self._shared.submit(render_job, job): job for job in jobs}
        for future in as_completed(futures):
            try:
                yield futures[future], future.result()
            except BrokenProcessPool:
                yield futures[future], None

    def _render_forked(self, jobs: list[Job]) -> Iterator[tuple[Job, PackOutcome | None]]:
        from collections import deque
        from concurrent.futures import FIRST_COMPLETED, wait
        from concurrent.futures.process import BrokenProcessPool

        _warm_worker("packs", self.fonts, in_worker=False)  # once, for every fork to share
        queue = deque(jobs)
        idle: list[Any] = []
        running: dict[Any, tuple[Any, Job]] = {}
        while queue or running:
            self._settle_charts()
            while queue and (idle or len(self._forked) < self._pack_slots()):
                if not idle:
                    idle.append(self._fork_pack_worker())
                executor = idle.pop()
                job = queue.popleft()
                running[executor.submit(render_job, job)] = (executor, job)
            done, _ = wait([*running, *self._drawing], return_when=FIRST_COMPLETED)
            for future in done:
                if future not in running:
                    continue  # a chart: settled at the top of the loop
                executor, job = running.pop(future)
                try:
                    outcome = future.result()
                except BrokenProcessPool:
                    self._forked.remove(executor)
                    _stop(executor, terminate=True)
                    yield job, None
                else:
                    idle.append(executor)
                    yield job, outcome

    def _pack_slots(self) -> int:
        """How many pack workers may run: all the run's workers, less the chart worker
        while it has charts to draw, and never none."""
        return max(1, self.workers - (1 if self._drawing else 0))

    def _fork_pack_worker(self) -> Any:
        from concurrent.futures import ProcessPoolExecutor

        executor = ProcessPoolExecutor(
            max_workers=1,
            mp_context=self.context,
            initializer=_warm_worker,
            initargs=("packs", self.fonts),
        )
        self._forked.append(executor)
        return executor

    def _settle_charts(self) -> None:
        """Forget the charts drawn; mark those a task failed to draw (the chart worker
        died, or could not fork) as failed, so that the packs waiting for them draw them
        themselves; when none is left to draw, stop the chart worker."""
        from .render.charts import mark_failed

        for future in [f for f in self._drawing if f.done()]:
            keys = self._drawing.pop(future)
            failed = future.cancelled() or future.exception() is not None
            if failed and self._chart_folder is not None:
                for key in keys:
                    mark_failed(self._chart_folder, key)
        if not self._drawing and self.charts is not None and self.charts_used:
            self.drop_chart_worker()

    def close(self) -> None:
        """Idle workers end at once; workers never given work (nothing needed rendering)
        are stopped rather than waited for while they finish warming up.  Either way they
        are reaped before the run ends: no worker outlives its run."""
        if self.charts is not None:
            _stop(self.charts, terminate=not self.charts_used)
        if self._shared is not None:
            _stop(self._shared, terminate=not (self.used or self.charts_used))
        for executor in self._forked:
            _stop(executor, terminate=False)
        for executor in self._stopped:
            executor.shutdown(wait=True)


def _stop(executor: Any, terminate: bool, wait: bool = True) -> None:
    if terminate:
        for process in list(getattr(executor, "_processes", {}).values()):
            process.terminate()
    executor.shutdown(wait=wait, cancel_futures=True)


def _many_charts(options: BuildOptions) -> bool:
    from .outputs import STATE_DIR

    if options.force:
        return True
    try:
        return not any((options.out_dir / STATE_DIR / "charts").iterdir())
    except OSError:
        return True


def _ready() -> None:
    return None


def _warm_worker(role: str, font_paths: dict[str, Path], in_worker: bool = True) -> None:
    """A worker's start: the libraries its role renders with, and the fonts (this process's,
    ``in_worker`` False, before it forks pack workers).

    What the imports make lives as long as the worker, so the garbage collector is kept
    out of them and then told to leave them be (``gc.freeze``): otherwise every full
    collection walks matplotlib's and ReportLab's objects again, about a tenth of a
    worker's time.  A worker is short-lived: nothing it freezes outlives the run.
    """
    import gc

    if in_worker:
        _die_with_parent()
    gc.disable()
    try:
        from .fonts import register_fonts

        if "packs" in role:
            from .render import document  # noqa: F401 - ReportLab and the renderers
        fonts = register_fonts(*font_paths.values())
        fonts.clean("")  # the characters the fonts share, worked out before any fork
        if "charts" in role:
            import matplotlib.figure  # noqa: F401
    finally:
        gc.enable()
        if in_worker:
            gc.freeze()


def _die_with_parent() -> None:
    """A worker ends when the run that started it ends, however it ended (kill -9 included).

    Portable: the parent's sentinel (a pipe on POSIX, a process handle on Windows) becomes
    ready when the parent is gone; no ``prctl``, no polling.
    """
    import multiprocessing
    import os
    import threading

    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        parent.join()
        os._exit(1)

    threading.Thread(target=watch, name="briefpack-parent-watch", daemon=True).start()


# --------------------------------------------------------------------------- binder


def build_binder(
    items: list[tuple[str, str]], out_file: Path, options: BuildOptions
) -> tuple[bool, int, list[str]]:
    """Several packs as one document: one cover, one 目次, continuous page numbers."""
    from .datalayer import load
    from .fonts import register_fonts
    from .outputs import check_output_path, write_atomically
    from .render.document import count_pages, render_document
    from .spec import available_templates

    if not items:
        raise UsageError("a binder needs at least one TEMPLATE:TARGET")
    check_output_path(out_file, options.data_root, options.styles_root, kind="file")
    data = load(options.data_root)
    for template, target in items:
        check_request(data, available_templates(data.root), template, target)
    specs = load_specs(data)
    setting = load_setting(options)
    planner = Planner(data, specs, setting.style)
    plans = [planner.plan(t, c) for t, c in items]
    for made in plans:
        if not made.sections:
            raise BuildError(f"{made.name}: the data has nothing to show for this pack")
    fonts = register_fonts(*setting.font_paths)
    cache = None  # a binder writes its one file: no cache folder beside it

    def render(copy_label: str | None = None) -> bytes:
        return render_document(
            plans,
            setting.style,
            fonts,
            options,
            cache,
            title=options.meeting or "ブリーフィング資料集",
            subtitle="／".join(p.title for p in plans),
            subject="ブリーフィング資料集",
            keywords=" ".join(p.name for p in plans),
            copy_label=copy_label,
        )

    pdf = render()
    written = write_atomically(out_file, pdf)
    for n in range(1, options.copies + 1):
        copy_path = out_file.with_name(f"{out_file.stem}-copy{n:02d}.pdf")
        written = write_atomically(copy_path, render(f"No. {n}/{options.copies}")) or written
    log_lines = [f"{p.name}: {line}" for p in plans for line in p.log]
    return written, count_pages(pdf), log_lines
