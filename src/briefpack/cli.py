"""Command line: the `briefpack` commands, a thin Click layer over the library."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from pathlib import Path

import click

from . import __version__
from .errors import BriefpackError, BuildError, DataError, UsageError
from .paths import default_root


class Settings:
    def __init__(self, data: Path, styles: Path, verbose: bool, quiet: bool):
        self.data, self.styles, self.verbose, self.quiet = data, styles, verbose, quiet

    def info(self, message: str) -> None:
        if not self.quiet:
            click.echo(message, err=True)

    def debug(self, message: str) -> None:
        if self.verbose:
            click.echo(message, err=True)


def _fail(settings: Settings, exc: BriefpackError, cause: BaseException | None = None) -> None:
    if settings.verbose:
        import traceback

        traceback.print_exception(cause or exc, file=sys.stderr)
    if isinstance(exc, UsageError):
        raise click.UsageError(str(exc))
    raise click.ClickException(str(exc))


@click.group()
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
    ctx.obj = Settings(
        data_dir or default_root("data"), styles_dir or default_root("styles"), verbose, quiet
    )


def _load(settings: Settings):
    from .datalayer import load

    return load(settings.data)


@main.command()
@click.pass_obj
def check(settings: Settings) -> None:
    """Validate the data layer; list every problem as PATH:LINE:COL: message."""
    from .spec import available_templates, load_spec

    try:
        data = _load(settings)
        problems = []
        for template in available_templates(settings.data):
            try:
                load_spec(data, template)
            except DataError as exc:
                problems += exc.problems
        if problems:
            raise DataError(problems)
    except DataError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        raise click.ClickException(f"{len(exc.problems)} problem(s) in {settings.data}") from None
    rows = sum(len(d.rows) for d in data.datasets.values())
    counts = f"{len(data.datasets)} datasets, {rows} rows, {len(data.places)} places"
    settings.info(f"ok: {counts}, {len(data.texts)} prose files")


@main.command("list")
@click.pass_obj
def list_(settings: Settings) -> None:
    """Show templates, targets, and which packs the data can make."""
    from .select import available_packs
    from .spec import available_templates, load_spec

    try:
        data = _load(settings)
    except BriefpackError as exc:
        _fail(settings, exc)
    templates = available_templates(settings.data)
    try:
        specs = [load_spec(data, t, check_blocks=False) for t in templates]
    except BriefpackError as exc:
        _fail(settings, exc)
    click.echo("templates: " + " ".join(templates))
    click.echo("targets:")
    for place in sorted(data.places.values(), key=lambda p: p.order):
        members = f" ({' '.join(place.members)})" if place.is_region else ""
        click.echo(f"  {place.code:<13} {place.name}{members}")
    click.echo("packs the data can make:")
    for template, target in available_packs(data, specs):
        click.echo(f"  {template} {target}")


def _parse_date(_ctx, _param, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date in the form YYYY-MM-DD") from None


def print_options(command):
    """The print options shared by `build` and `binder`."""
    options = [
        click.option("--meeting", help="Meeting name, printed on the cover."),
        click.option("--date", callback=_parse_date, help="Issue (and meeting) date YYYY-MM-DD."),
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
        click.option("--nup", type=click.Choice(["2"]), default=None, help="Two pages per sheet."),
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
    help="Output folder.",
)
@click.option("--style", default="default", show_default=True, help="Style name (in --styles).")
@click.option("--force", is_flag=True, help="Rebuild even if nothing changed.")
@click.option(
    "--jobs", type=click.IntRange(min=1), default=None, help="Packs built side by side (--all)."
)
@click.option("--json", "as_json", is_flag=True, help="Print the --all summary as JSON.")
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
    changes_page: bool,
    **printing,
) -> None:
    """Build OUT/TEMPLATE-TARGET.pdf, e.g. `briefpack build relations kg`, or --all packs."""
    from .build import all_packs, check_request
    from .spec import available_templates

    options = _options(settings, out_dir, style, force, printing)
    options.changes_page = changes_page
    if build_every and (template or target):
        raise click.UsageError("give either TEMPLATE TARGET or --all, not both")
    if not build_every and not (template and target):
        raise click.UsageError("missing TEMPLATE and TARGET (or --all)")
    templates = available_templates(settings.data)

    def choose(data):
        if build_every:
            return all_packs(data)
        check_request(data, templates, template, target)
        return [(template, target)]

    request = "all" if build_every else f"{template}-{target}"
    outcomes = _run(settings, options, request, choose, jobs or os.cpu_count() or 1, build_every)
    counts = {
        s: sum(1 for o in outcomes if o.status == s) for s in ("built", "unchanged", "failed")
    }
    if as_json:
        click.echo(json.dumps(_summary(counts, outcomes), ensure_ascii=False, indent=2))
    if build_every:
        settings.info(
            f"{len(outcomes)} packs: {counts['built']} built, {counts['unchanged']} unchanged, "
            f"{counts['failed']} failed"
        )
    if counts["failed"]:
        if not build_every:
            raise click.ClickException(outcomes[0].error)
        raise SystemExit(1)


def _options(settings: Settings, out_dir: Path, style: str, force: bool, printing: dict):
    from .build import BuildOptions

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
    "--out", "out_file", type=click.Path(path_type=Path), required=True, help="The binder's PDF."
)
@click.option("--style", default="default", show_default=True, help="Style name (in --styles).")
@print_options
@click.pass_obj
def binder(
    settings: Settings, packs: tuple[str, ...], out_file: Path, style: str, **printing
) -> None:
    """Bind packs into one PDF: `briefpack binder relations:kg economy:central-asia --out b.pdf`."""
    from .build import build_binder, check_request
    from .spec import available_templates

    items = []
    for item in packs:
        template, sep, target = item.partition(":")
        if not sep:
            raise click.UsageError(f"{item!r}: expected TEMPLATE:TARGET, e.g. relations:kg")
        items.append((template, target))
    options = _options(settings, out_file.parent, style, True, printing)
    try:
        data = _load(settings)
        for template, target in items:
            check_request(data, available_templates(settings.data), template, target)
        result = build_binder(data, items, out_file, options)
    except BriefpackError as exc:
        _fail(settings, exc)
    except Exception as exc:  # noqa: BLE001 - a bug still gets a one-line message and exit 1
        from .build import internal_error

        _fail(settings, BuildError(f"binder: {internal_error(exc)}"), exc)
    for line in result.log:
        (settings.info if "warning:" in line else settings.debug)(line)
    settings.info(
        f"{'built' if result.written else 'unchanged'}: {out_file} ({result.pages} pages)"
    )


class Reporter:
    """Says what happened to each pack: a progress bar on a terminal, plain lines otherwise."""

    def __init__(self, settings: Settings, many: bool):
        self.settings, self.many = settings, many
        self.bar = many and not settings.quiet and not settings.verbose and sys.stderr.isatty()
        self.total, self.done = 0, 0

    def begin(self, total: int) -> None:
        self.total = total

    def __call__(self, outcome) -> None:
        self.done += 1
        name = f"{outcome.template}-{outcome.target}"
        settings = self.settings
        for line in outcome.log:
            message = f"{name}: {line}" if self.many else line
            (settings.info if line.startswith("warning:") else settings.debug)(message)
        if outcome.status == "built":
            for change in outcome.changes:
                settings.debug(f"{name}: changed: {change}")
        if outcome.status == "failed" and self.many:
            self._line(f"failed: {name}: {outcome.error}", force=True)
        elif outcome.status != "failed":
            self._line(f"{outcome.status}: {outcome.path} ({outcome.pages} pages)")
        if self.bar:
            self._draw(name)

    def _line(self, text: str, force: bool = False) -> None:
        if self.bar:
            click.echo("\r\x1b[2K" + text if force else "", err=True, nl=force)
        elif force:
            click.echo(text, err=True)
        else:
            self.settings.info(text)

    def _draw(self, name: str) -> None:
        width = 30
        filled = int(width * self.done / max(self.total, 1))
        bar = "█" * filled + "░" * (width - filled)
        end = "\n" if self.done >= self.total else ""
        click.echo(f"\r\x1b[2K{bar} {self.done}/{self.total} {name}{end}", err=True, nl=False)


def _run(settings: Settings, options, request: str, choose, jobs: int, many: bool) -> list:
    from .build import run_request

    try:
        return run_request(options, request, choose, jobs, Reporter(settings, many))
    except BriefpackError as exc:
        _fail(settings, exc)


def _summary(counts: dict, outcomes: list) -> dict:
    keys = ("template", "target", "status", "path", "pages", "error", "changes")
    return {**counts, "packs": [{k: getattr(o, k) for k in keys} for o in outcomes]}


if __name__ == "__main__":  # pragma: no cover
    main()
