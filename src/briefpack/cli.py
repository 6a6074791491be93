"""Command line: the `briefpack` commands, a thin Click layer over the library."""

from __future__ import annotations

import datetime as dt
import errno
import json
import logging
import os
import re
import sys
from pathlib import Path

import click

from . import __version__
from .errors import BriefpackError, BuildError, DataError, UsageError
from .paths import default_root

log = logging.getLogger("briefpack")


class Settings:
    def __init__(self, data: Path, styles: Path, verbose: bool, quiet: bool):
        self.data, self.styles, self.verbose, self.quiet = data, styles, verbose, quiet


class _EchoHandler(logging.Handler):
    """The log goes to stderr through Click (so that tests and pipes see it as a user does)."""

    def emit(self, record: logging.LogRecord) -> None:
        click.echo(self.format(record), err=True)


def _configure_logging(verbose: bool, quiet: bool) -> None:
    """-v: every stage (DEBUG); default: one line per pack (INFO); -q: errors only."""
    log.handlers[:] = [_EchoHandler()]
    log.setLevel(logging.DEBUG if verbose else logging.ERROR if quiet else logging.INFO)
    log.propagate = False


def _fail(settings: Settings, exc: BriefpackError, cause: BaseException | None = None) -> None:
    if settings.verbose:
        import traceback

        traceback.print_exception(cause or exc, file=sys.stderr)
    if isinstance(exc, UsageError):
        raise click.UsageError(str(exc))
    raise click.ClickException(str(exc))


# What a command was doing when an OSError reached this layer (``Error: PATH: DOING: REASON``).
DOING = {
    "build": "while building",
    "binder": "while building the binder",
    "check": "while checking the data",
    "list": "while reading the data",
    "import": "while importing",
    "export": "while exporting",
}


class BriefpackGroup(click.Group):
    """Every OSError that reaches the command line becomes one line and exit 1.

    ``Error: PATH: what was being done: reason``; the traceback only with -v.
    """

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except OSError as exc:
            if exc.errno == errno.EPIPE:
                raise  # a closed pipe (| head): Click ends quietly
            from .outputs import os_error_text

            settings = ctx.obj if isinstance(ctx.obj, Settings) else None
            settings = settings or Settings(Path("."), Path("."), False, False)
            command = ctx.invoked_subcommand or "briefpack"
            doing = DOING.get(command, f"while running {command}")
            _fail(settings, BuildError(os_error_text(exc, doing)), exc)


def cpu_count() -> int:
    """The CPUs this process may use (its affinity where the system keeps one)."""
    if hasattr(os, "process_cpu_count"):
        count = os.process_cpu_count()
    elif hasattr(os, "sched_getaffinity"):
        count = len(os.sched_getaffinity(0))
    else:
        count = os.cpu_count()
    return max(1, count or 1)


def _checked_out(kind: str):
    """An --out callback: refuse an output under --data/--styles or onto a user's file."""

    def callback(ctx: click.Context, _param, value: Path | None) -> Path | None:
        settings = ctx.find_object(Settings)
        if value is None or settings is None:
            return value
        from .outputs import check_output_path

        try:
            check_output_path(value, settings.data, settings.styles, kind=kind)
        except BriefpackError as exc:
            _fail(settings, exc)
        return value

    return callback


@click.group(cls=BriefpackGroup)
@click.version_option(__version__, prog_name="briefpack")
@click.option(
    "--data",
    "data_dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Data folder (default: ./data if it exists, else the installed copy).",
)
@click.option(
    "--styles",
    "styles_dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Styles folder (default: ./styles if it exists, else the installed copy).",
)
@click.option("-v", "--verbose", is_flag=True, help="Log every stage; tracebacks on errors.")
@click.option("-q", "--quiet", is_flag=True, help="Print errors only.")
@click.pass_context
def main(
    ctx: click.Context, data_dir: Path | None, styles_dir: Path | None, verbose: bool, quiet: bool
) -> None:
    """Japanese-language PDF briefing packs from a shared data layer."""
    if verbose and quiet:
        raise click.UsageError("-v and -q cannot be used together")
    _configure_logging(verbose, quiet)
    ctx.obj = Settings(
        data_dir or default_root("data"), styles_dir or default_root("styles"), verbose, quiet
    )


def _load(settings: Settings):
    from .datalayer import load

    return load(settings.data)


@main.command()
@click.pass_obj
def check(settings: Settings) -> None:
    """Validate the data layer and the styles; list every problem as PATH:LINE:COL: message."""
    from .spec import available_templates, load_spec
    from .style import available_styles, load_style

    style_problems = []
    for name in available_styles(settings.styles):
        try:
            load_style(settings.styles, name)
        except DataError as exc:
            style_problems += exc.problems
    where = f"{settings.data} and {settings.styles}" if style_problems else f"{settings.data}"
    try:
        data = _load(settings)
        problems = list(style_problems)
        for template in available_templates(settings.data):
            try:
                load_spec(data, template)
            except DataError as exc:
                problems += exc.problems
        if problems:
            raise DataError(problems)
    except DataError as exc:
        problems = exc.problems + [p for p in style_problems if p not in exc.problems]
        for problem in problems:
            click.echo(str(problem), err=True)
        raise click.ClickException(f"{len(problems)} problem(s) in {where}") from None
    for warning in data.warnings:
        click.echo(str(warning), err=True)
    rows = sum(len(d.rows) for d in data.datasets.values())
    counts = f"{len(data.datasets)} datasets, {rows} rows, {len(data.places)} places"
    log.info(f"ok: {counts}, {len(data.texts)} prose files")


@main.command("list")
@click.pass_obj
def list_(settings: Settings) -> None:
    """Show templates, targets, and which packs the data can make (and why not)."""
    from .runner import Planner, load_specs, pack_status
    from .style import load_style

    try:
        data = _load(settings)
        specs = load_specs(data)
        status = pack_status(Planner(data, specs, load_style(settings.styles, "default")))
    except BriefpackError as exc:
        _fail(settings, exc)
    click.echo("templates: " + " ".join(specs))
    click.echo("targets:")
    for place in sorted(data.places.values(), key=lambda p: p.order):
        members = f" ({' '.join(place.members)})" if place.is_region else ""
        click.echo(f"  {place.code:<13} {place.name}{members}")
    click.echo("packs the data can make:")
    for template, target, why in status:
        if why is None:
            click.echo(f"  {template} {target}")
    missing = [(t, c, why) for t, c, why in status if why is not None]
    if missing:
        click.echo("packs the data cannot make:")
        for template, target, why in missing:
            click.echo(f"  {template} {target}: {why}")


DATE_RANGE = (dt.date(1900, 1, 1), dt.date(2100, 12, 31))


def _parse_date(_ctx, _param, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise ValueError(value)
        date = dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date in the form YYYY-MM-DD") from None
    low, high = DATE_RANGE
    if not low <= date <= high:
        raise click.BadParameter(f"{value!r} is out of range: give a date from {low} to {high}")
    return date


def print_options(command):
    """The print options shared by `build` and `binder`."""
    options = [
        click.option("--meeting", help="Meeting name, printed on the cover."),
        click.option(
            "--date",
            callback=_parse_date,
            help="Issue (and meeting) date YYYY-MM-DD, from 1900-01-01 to 2100-12-31.",
        ),
        click.option("--mark", help="Handling marking on every page, e.g. 取扱注意."),
        click.option("--watermark", help="Light diagonal mark on every page, e.g. 案."),
        click.option(
            "--copies",
            type=click.IntRange(min=1, max=999),
            default=None,
            help="Also write N numbered copies TEMPLATE-TARGET-copyNN.pdf (「No. 3/20」).",
        ),
        click.option("--gray", is_flag=True, help="Black-and-white print style."),
        click.option("--duplex", is_flag=True, help="Sections start on right-hand pages."),
        click.option(
            "--nup",
            type=click.Choice(["2"]),
            default=None,
            help="Two pages per sheet (plain PDF, not PDF/A).",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


@main.command()
@click.argument("template", required=False)
@click.argument("target", required=False)
@click.option("--all", "build_every", is_flag=True, help="Build every pack the data can make.")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    default=Path("dist"),
    show_default=True,
    callback=_checked_out("folder"),
    help="Output folder (not inside --data or --styles).",
)
@click.option("--style", default="default", show_default=True, help="Style name (in --styles).")
@click.option("--force", is_flag=True, help="Rebuild even if nothing changed.")
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="At most and by default the number of CPUs: worker processes that build packs side "
    "by side (--all), or draw one pack's charts while it is laid out; 1: all in this process.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the --all summary as JSON.")
@click.option(
    "--prune",
    is_flag=True,
    help="Remove the PDFs of targets that are no longer in the data (reported by every run).",
)
@click.option(
    "--changes-page",
    is_flag=True,
    help="Append 「前回版からの変更点」 (what changed since the last build) to rebuilt packs.",
)
@print_options
@click.pass_obj
def build(
    settings: Settings,
    template: str | None,
    target: str | None,
    build_every: bool,
    out_dir: Path,
    style: str,
    force: bool,
    jobs: int | None,
    as_json: bool,
    prune: bool,
    changes_page: bool,
    **printing,
) -> None:
    """Build OUT/TEMPLATE-TARGET.pdf, e.g. `briefpack build relations kg`, or --all packs."""
    from .runner import all_packs, check_request

    options = _options(settings, out_dir, style, force, printing)
    options.changes_page = changes_page
    if build_every and (template or target):
        raise click.UsageError("give either TEMPLATE TARGET or --all, not both")
    if not build_every and not (template and target):
        raise click.UsageError("missing TEMPLATE and TARGET (or --all)")

    def choose(planner):
        if build_every:
            return all_packs(planner)
        check_request(planner.data, list(planner.specs), template, target)
        return [(template, target)]

    request = "all" if build_every else f"{template}-{target}"
    limit = cpu_count()
    if jobs is not None and jobs > limit:
        log.info(f"note: --jobs {jobs} capped at {limit}, the number of CPUs")
    jobs = min(jobs or limit, limit)
    outcomes = _run(settings, options, request, choose, jobs, build_every, prune)
    counts = {
        s: sum(1 for o in outcomes if o.status == s) for s in ("built", "unchanged", "failed")
    }
    if as_json:
        click.echo(json.dumps(_summary(counts, outcomes), ensure_ascii=False, indent=2))
    if build_every:
        log.info(
            f"{len(outcomes)} packs: {counts['built']} built, {counts['unchanged']} unchanged, "
            f"{counts['failed']} failed"
        )
    if counts["failed"]:
        if not build_every:
            raise click.ClickException(outcomes[0].error)
        raise SystemExit(1)


def _options(settings: Settings, out_dir: Path, style: str, force: bool, printing: dict):
    from .options import BuildOptions

    return BuildOptions(
        settings.data,
        settings.styles,
        out_dir,
        style,
        printing.pop("date"),
        force,
        meeting=printing["meeting"],
        mark=printing["mark"],
        watermark=printing["watermark"],
        copies=printing["copies"] or 0,
        gray=printing["gray"],
        duplex=printing["duplex"],
        nup=int(printing["nup"] or 1),
    )


@main.command()
@click.argument("packs", nargs=-1, required=True, metavar="TEMPLATE:TARGET...")
@click.option(
    "--out",
    "out_file",
    type=click.Path(path_type=Path),
    required=True,
    callback=_checked_out("file"),
    help="The binder's PDF (a new file or a PDF; not inside --data or --styles).",
)
@click.option("--style", default="default", show_default=True, help="Style name (in --styles).")
@print_options
@click.pass_obj
def binder(
    settings: Settings, packs: tuple[str, ...], out_file: Path, style: str, **printing
) -> None:
    """Bind packs into one PDF: `briefpack binder relations:kg economy:central-asia --out b.pdf`."""
    from .runner import build_binder, internal_error

    items = []
    for item in packs:
        template, sep, target = item.partition(":")
        if not sep:
            raise click.UsageError(f"{item!r}: expected TEMPLATE:TARGET, e.g. relations:kg")
        items.append((template, target))
    options = _options(settings, out_file.parent, style, True, printing)
    try:
        written, pages, log_lines = build_binder(items, out_file, options)
    except BriefpackError as exc:
        _fail(settings, exc)
    except OSError as exc:
        from .outputs import os_error_text

        _fail(settings, BuildError(os_error_text(exc, DOING["binder"])), exc)
    except Exception as exc:  # noqa: BLE001 - a bug still gets a one-line message and exit 1
        _fail(settings, BuildError(f"binder: {internal_error(exc)}"), exc)
    for line in log_lines:
        (log.warning if "warning:" in line else log.debug)(line)
    log.info(f"{'built' if written else 'unchanged'}: {out_file} ({pages} pages)")
    if options.copies:
        log.info(f"copies: {options.copies} numbered files {out_file.stem}-copyNN.pdf")


class Reporter:
    """Says what happened to each pack: a progress bar on a terminal, plain lines otherwise."""

    def __init__(self, settings: Settings, many: bool):
        self.settings, self.many = settings, many
        self.show_bar = many and not settings.quiet and not settings.verbose and sys.stderr.isatty()
        self.bar = None

    def begin(self, total: int) -> None:
        if self.show_bar and total:
            self.bar = click.progressbar(
                length=total,
                label="building",
                file=click.get_text_stream("stderr"),
                item_show_func=lambda name: name,
            )
            self.bar.__enter__()

    def __call__(self, outcome) -> None:
        name = f"{outcome.template}-{outcome.target}"
        for line in outcome.log:
            message = f"{name}: {line}" if self.many else line
            (log.warning if line.startswith("warning:") else log.debug)(message)
        if outcome.status == "built":
            for change in outcome.changes:
                log.debug(f"{name}: changed: {change}")
        if outcome.status == "failed" and self.many:
            self._line(f"failed: {name}: {outcome.error}", force=True)
        elif outcome.status in ("vanished", "pruned"):
            what = "kept; --prune removes it" if outcome.status == "vanished" else "removed"
            self._line(f"{outcome.status}: {outcome.path}: {outcome.error} ({what})", force=True)
        elif outcome.status != "failed":
            self._line(f"{outcome.status}: {outcome.path} ({outcome.pages} pages)")
        if self.bar is not None:
            self.bar.update(1, name)
            if self.bar.pos >= self.bar.length:
                self.bar.__exit__(None, None, None)
                self.bar = None

    def _line(self, text: str, force: bool = False) -> None:
        """A pack's line: above the bar on a terminal (failures only), else in the log."""
        if self.bar is not None:
            if force:
                click.echo("\r\x1b[2K" + text, err=True)
        elif force:
            log.error(text)
        else:
            log.info(text)


def _run(
    settings: Settings, options, request: str, choose, jobs: int, many: bool, prune: bool
) -> list:
    from .runner import run_request

    try:
        return run_request(
            options, request, choose, jobs, Reporter(settings, many), prune, many=many
        )
    except BriefpackError as exc:
        _fail(settings, exc)


def _summary(counts: dict, outcomes: list) -> dict:
    keys = ("template", "target", "status", "path", "pages", "error", "changes")
    return {**counts, "packs": [{k: getattr(o, k) for k in keys} for o in outcomes]}


def _interactive() -> bool:
    """Whether a person can answer a question (stdin is a terminal)."""
    return sys.stdin.isatty()


def _refuse(exc: DataError) -> None:
    for problem in exc.problems:
        click.echo(str(problem), err=True)
    summary = getattr(exc, "summary", f"{len(exc.problems)} problem(s)")
    raise click.ClickException(f"{summary}: nothing written")


@main.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dataset", "dataset_id", required=True, help="The dataset the file updates.")
@click.option("--sheet", help="The workbook's sheet (default: the dataset's name or the only one).")
@click.option("--dry-run", is_flag=True, help="Show what the file changes; write nothing.")
@click.option("--yes", is_flag=True, help="Write without asking (needed without a terminal).")
@click.pass_obj
def import_(
    settings: Settings, file: Path, dataset_id: str, sheet: str | None, dry_run: bool, yes: bool
) -> None:
    """Import a spreadsheet (xlsx/CSV) into a dataset: show the changes, then write them."""
    from .spreadsheet import plan_import

    try:
        plan = plan_import(settings.data, file, dataset_id, sheet)
    except DataError as exc:
        _refuse(exc)
    except BriefpackError as exc:
        _fail(settings, exc)
    except Exception as exc:  # noqa: BLE001 - a bug still gets a one-line message and exit 1
        _fail(settings, BuildError(f"import: {type(exc).__name__}: {exc}"), exc)
    for line in plan.report():
        click.echo(line)
    try:
        plan.validate()
    except DataError as exc:
        _refuse(exc)
    if not plan.changes:
        log.info("nothing to write")
        return
    if dry_run:
        log.info("dry run: nothing written")
        return
    if not yes:
        if not _interactive():
            raise click.ClickException(
                "no terminal to confirm on: nothing written (add --yes to write)"
            )
        if not click.confirm(f"Write these changes to {plan.csv_rel}?", default=False):
            raise click.ClickException("nothing written")
    try:
        plan.apply()
    except BriefpackError as exc:
        _fail(settings, exc)
    log.info(f"wrote {plan.csv_rel}")


@main.command()
@click.argument("names", nargs=-1, metavar="[NAME...]")
@click.option(
    "--out", "out_file", type=click.Path(path_type=Path), required=True, help="The .xlsx file."
)
@click.pass_obj
def export(settings: Settings, names: tuple[str, ...], out_file: Path) -> None:
    """Write datasets (default: all) to a workbook, one sheet each, that import takes back."""
    from .spreadsheet import export_workbook

    try:
        sheets = export_workbook(settings.data, list(names), out_file)
    except DataError as exc:
        _refuse(exc)
    except BriefpackError as exc:
        _fail(settings, exc)
    except Exception as exc:  # noqa: BLE001 - a bug still gets a one-line message and exit 1
        _fail(settings, BuildError(f"export: {type(exc).__name__}: {exc}"), exc)
    log.info(f"wrote {out_file}: {len(sheets)} sheet(s): {', '.join(sheets)}")


BLAS_THREADS = ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OMP_NUM_THREADS")


def entry() -> None:
    """The ``briefpack`` console script: run the command, then leave at once.

    Every file has been written and closed, and the lock released, by the time the command
    returns, so the interpreter's teardown (freeing hundreds of thousands of objects one
    by one, a sixth of a small build's time) buys nothing: the streams are flushed and the
    process exits with the command's status.

    Charts are drawn from a few dozen points: the BLAS thread pools numpy starts on import
    (one thread per core, in every process that draws) only cost start-up time, so this
    process and its workers ask for one thread, unless the user set otherwise.
    """
    for variable in BLAS_THREADS:
        os.environ.setdefault(variable, "1")
    try:
        main.main(prog_name="briefpack")
    except SystemExit as exc:
        status = _exit_status(exc.code)
    else:  # pragma: no cover - main() in standalone mode always raises SystemExit
        status = 0
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (| head) or a closed stream
            status = status or 1
    os._exit(status)


def _exit_status(code: object) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)  # sys.exit("message") prints it and exits 1
    return 1


if __name__ == "__main__":  # pragma: no cover
    entry()
