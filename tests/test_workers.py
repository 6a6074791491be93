"""The ways a build shares its work out give the same bytes, and each falls back safely.

A single pack with several CPUs is laid out here while a worker draws its charts; several
packs go to workers after the charts they lack, drawn once; ``--jobs 1`` does everything in
one process.  The charts a worker is asked for are worked out from the plan before anything
is laid out: they must be exactly the charts the layout then draws.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from briefpack.options import BuildOptions
from briefpack.render import charts as chart_module
from briefpack.runner import Planner, all_packs, charts_of, load_setting, load_specs

from .conftest import DATA, STYLES, cli


def _build(out: Path, *args: str) -> None:
    result = cli("build", *args, "--out", str(out))
    assert result.exit_code == 0, result.stderr


def test_every_way_of_sharing_the_work_gives_the_same_bytes(tmp_path: Path) -> None:
    _build(tmp_path / "one-process", "relations", "kg", "--jobs", "1")
    _build(tmp_path / "drawer", "relations", "kg", "--jobs", "2")
    _build(tmp_path / "pool", "--all", "--jobs", "2")
    expected = (tmp_path / "one-process" / "relations-kg.pdf").read_bytes()
    assert (tmp_path / "drawer" / "relations-kg.pdf").read_bytes() == expected
    assert (tmp_path / "pool" / "relations-kg.pdf").read_bytes() == expected


def _fails_elsewhere(*_args):
    raise RuntimeError("the worker lost its chart")


def test_a_chart_a_worker_fails_to_draw_is_drawn_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _build(tmp_path / "expected", "relations", "kg", "--jobs", "1")
    # Every chart handed to a worker (alone, or ahead of the packs) fails there; forked
    # workers inherit the patched module.
    monkeypatch.setenv("BRIEFPACK_START_METHOD", "fork")
    monkeypatch.setattr(chart_module, "draw_elsewhere", _fails_elsewhere)
    _build(tmp_path / "drawer", "relations", "kg", "--jobs", "2")
    _build(tmp_path / "pool", "--all", "--jobs", "2")
    expected = (tmp_path / "expected" / "relations-kg.pdf").read_bytes()
    assert (tmp_path / "drawer" / "relations-kg.pdf").read_bytes() == expected
    assert (tmp_path / "pool" / "relations-kg.pdf").read_bytes() == expected
    charts = tmp_path / "pool" / ".briefpack" / "charts"
    assert list(charts.glob("*.json")), "the packs drew and cached what the workers could not"
    assert not list(charts.glob("*.failed")), "a failure mark outlived its chart"


@pytest.mark.parametrize("printing", [{}, {"gray": True}, {"nup": 2}])
def test_the_charts_worked_out_ahead_are_the_charts_drawn(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, printing: dict
) -> None:
    from briefpack.fonts import register_fonts
    from briefpack.render.document import render_document

    options = BuildOptions(DATA, STYLES, tmp_path, date=None, **printing)
    setting = load_setting(options)
    from briefpack.datalayer import load

    data = load(DATA)
    planner = Planner(data, load_specs(data), setting.style)
    drawn: list[str] = []

    def recorded(self, key, payload, style, fonts):
        drawn.append(key)
        return []

    monkeypatch.setattr(chart_module.ChartSource, "ops", recorded)
    fonts = register_fonts(*setting.font_paths)
    for template, target in all_packs(planner):
        made = planner.plan(template, target)
        drawn.clear()
        render_document(
            [made],
            setting.style,
            fonts,
            options,
            chart_module.ChartSource(None),
            title=made.title,
            subtitle=made.subtitle,
            subject="",
            keywords="",
        )
        _, ahead = charts_of([made], setting, options)
        assert drawn, made.name
        assert set(drawn) == set(ahead), made.name
