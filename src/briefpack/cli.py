"""Command line: the `briefpack` commands, a thin Click layer over the library."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from . import __version__
from .errors import BriefpackError, DataError, UsageError
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


def _fail(settings: Settings, exc: BriefpackError) -> None:
    if settings.verbose:
        import traceback

        traceback.print_exception(exc, file=sys.stderr)
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
    from .spec import available_templates

    try:
        data = _load(settings)
    except BriefpackError as exc:
        _fail(settings, exc)
    templates = available_templates(settings.data)
    click.echo("templates: " + " ".join(templates))
    click.echo("targets:")
    for place in sorted(data.places.values(), key=lambda p: p.order):
        members = f" ({' '.join(place.members)})" if place.is_region else ""
        click.echo(f"  {place.code:<13} {place.name}{members}")
    click.echo("packs:")
    for template in templates:
        for place in sorted(data.places.values(), key=lambda p: p.order):
            click.echo(f"  {template} {place.code}")


def _parse_date(_ctx, _param, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date in the form YYYY-MM-DD") from None


@main.command()
@click.argument("template")
@click.argument("target")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    default=Path("dist"),
    show_default=True,
    help="Output folder.",
)
@click.option(
    "--style", default="default", show_default=True, help="Style name (a folder in --styles)."
)
@click.option("--force", is_flag=True, help="Rebuild even if nothing changed.")
@click.option(
    "--date",
    callback=_parse_date,
    help="Issue date YYYY-MM-DD (default: the data's publication date).",
)
@click.pass_obj
def build(
    settings: Settings,
    template: str,
    target: str,
    out_dir: Path,
    style: str,
    force: bool,
    date: dt.date | None,
) -> None:
    """Build OUT/TEMPLATE-TARGET.pdf, e.g. `briefpack build relations kg`."""
    from .build import BuildOptions, build_pack

    options = BuildOptions(settings.data, settings.styles, out_dir, style, date, force)
    try:
        data = _load(settings)
        result = build_pack(data, template, target, options)
    except BriefpackError as exc:
        _fail(settings, exc)
    for line in result.log:
        settings.debug(line)
    state = "built" if result.written else "unchanged"
    settings.info(f"{state}: {result.path} ({result.pages} pages)")


if __name__ == "__main__":  # pragma: no cover
    main()
