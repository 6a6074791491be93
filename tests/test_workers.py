"""The ways a build shares its work out give the same bytes, and each falls back safely.

A single pack with several CPUs is laid out here while a worker draws its charts; several
packs go to workers after the charts they lack, drawn once; ``--jobs 1`` does everything in
one process.  The charts a worker is asked for are worked out from the plan before anything
is laid out: they must be exactly the charts the layout then draws.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from briefpack.options import BuildOptions
from briefpack.render import charts as chart_module
from briefpack.runner import (
    Planner,
    _render_and_write,
    all_packs,
    chart_style,
    load_setting,
    load_specs,
    planned,
)

from .conftest import DATA, STYLES, cli

TEST_PROCESS = os.getpid()  # the workers of a run are other processes


def _build(out: Path, *args: str) -> None:
    result = cli("build", *args, "--out", str(out))
    assert result.exit_code == 0, result.stderr


def test_every_way_of_sharing_the_work_gives_the_same_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _build(tmp_path / "one-process", "--all", "--jobs", "1")
    _build(tmp_path / "drawer", "relations", "kg", "--jobs", "2")
    _build(tmp_path / "pool", "--all", "--jobs", "2")  # forked where processes fork
    _build(tmp_path / "three", "--all", "--jobs", "3")
    monkeypatch.setenv("BRIEFPACK_START_METHOD", "spawn")  # as on Windows and macOS
    _build(tmp_path / "spawned", "--all", "--jobs", "2")
    expected = (tmp_path / "one-process" / "relations-kg.pdf").read_bytes()
    assert (tmp_path / "drawer" / "relations-kg.pdf").read_bytes() == expected
    packs = sorted((tmp_path / "one-process").glob("*.pdf"))
    assert len(packs) == 12
    for way in ("pool", "three", "spawned"):
        for pdf in packs:
            assert (tmp_path / way / pdf.name).read_bytes() == pdf.read_bytes(), (way, pdf.name)


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
        ahead = planned([made], chart_style(setting, options), setting)
        assert drawn, made.name
        assert set(drawn) == set(ahead), made.name


def test_charts_drawn_ahead_replace_what_the_cache_held(tmp_path: Path) -> None:
    """Under --force every chart is drawn ahead, and its old entry is removed before the
    packs may wait for it: a waiting pack can only read this run's drawing."""
    from briefpack.datalayer import load
    from briefpack.runner import Job, _draw_charts_first, fingerprint

    _build(tmp_path, "--all", "--jobs", "2")
    entries = sorted((tmp_path / ".briefpack" / "charts").glob("*.json"))
    assert entries
    options = BuildOptions(DATA, STYLES, tmp_path, force=True)
    setting = load_setting(options)
    data = load(DATA)
    planner = Planner(data, load_specs(data), setting.style)
    work = []
    for template, target in all_packs(planner):
        made = planner.plan(template, target)
        digest_, parts = fingerprint(made, setting)
        work.append(Job(made, options, setting, digest_, parts, [], False))

    class Queue:  # a pool that only records what it is given
        def __init__(self) -> None:
            self.tasks: list[tuple] = []

        def submit(self, *task):
            self.tasks.append(task)
            return len(self.tasks)  # stands for the task's future

    class Pool:
        executor = charts = Queue()
        forks_helpers = False  # a chart task per chart, to see each

        def chart_executor(self) -> Queue:
            return self.charts

        def drop_chart_worker(self) -> None:
            raise AssertionError("charts were missing: the chart worker is needed")

        def drawing(self, futures: dict, folder: Path) -> None:
            assert sorted(futures) == list(range(1, len(self.charts.tasks) + 1))

    ordered = _draw_charts_first(work, Pool())
    assert sorted(j.plan.name for j in ordered) == sorted(j.plan.name for j in work)
    drawn = {task[1] for task in Pool.charts.tasks}
    assert drawn == {p.stem for p in entries}  # --force: every chart again, each once
    assert all(job.pending == frozenset(drawn) for job in work)
    assert not any(p.exists() for p in entries)  # nothing old left to be read


def test_force_with_workers_reads_no_old_drawing(tmp_path: Path) -> None:
    """Under --force the charts drawn ahead replace what the cache held: a pack waiting for
    one never takes an older entry, even one that claims to be it."""
    import json

    out, fresh = tmp_path / "out", tmp_path / "fresh"
    _build(out, "--all", "--jobs", "2")
    charts = sorted((out / ".briefpack" / "charts").glob("*.json"))
    first = json.loads(charts[0].read_text(encoding="utf-8"))
    for path in charts[1:]:  # every entry now claims another chart's drawing
        entry = json.loads(path.read_text(encoding="utf-8"))
        entry["ops"], entry["sha256"] = first["ops"], first["sha256"]
        path.write_text(json.dumps(entry), encoding="utf-8")
    _build(out, "--all", "--jobs", "2", "--force")
    _build(fresh, "--all", "--jobs", "2")
    for pdf in sorted(fresh.glob("*.pdf")):
        assert (out / pdf.name).read_bytes() == pdf.read_bytes(), pdf.name


@pytest.mark.parametrize(
    "edit",
    [
        # A figure a chart shows: its chart is drawn by the run's chart worker.
        ("datasets/japan_trade.csv", "kg,2024,44512,1802,42710", "kg,2024,44513,1802,42711"),
        # Text no chart shows: the chart worker is stopped unused, the packs still rebuilt.
        ("texts/relations/kg.toml", "労働人口の大量出稼ぎ", "労働人口の大規模な出稼ぎ"),
    ],
)
def test_an_incremental_run_with_workers_gives_the_bytes_of_a_fresh_one(
    data_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, edit: tuple[str, str, str]
) -> None:
    monkeypatch.setenv("BRIEFPACK_START_METHOD", "fork")  # the parent imports before forking
    out, fresh = tmp_path / "out", tmp_path / "fresh"
    built = cli("build", "--all", "--jobs", "2", "--out", str(out), data=data_copy)
    assert built.exit_code == 0, built.stderr
    path, old, new = edit
    target = data_copy / path
    text = target.read_text(encoding="utf-8")
    assert old in text
    target.write_text(text.replace(old, new, 1), encoding="utf-8")
    again = cli("build", "--all", "--jobs", "2", "--out", str(out), data=data_copy)
    assert again.exit_code == 0, again.stderr
    once = cli("build", "--all", "--jobs", "1", "--out", str(fresh), data=data_copy)
    assert once.exit_code == 0, once.stderr
    for pdf in sorted(fresh.glob("*.pdf")):
        assert (out / pdf.name).read_bytes() == pdf.read_bytes(), pdf.name


def test_packs_go_in_the_order_that_keeps_a_worker_busy_while_charts_are_drawn() -> None:
    from briefpack.runner import _pack_order

    costs = [100, 300, 50, 200, 120]
    needs = [
        {"a": {}, "b": {}},  # two charts to draw for 100: 0.02 a unit
        {"a": {}, "b": {}, "c": {}, "d": {}},  # four for 300, two once the first is queued
        {"old": {}},  # nothing to draw: first
        {"old": {}, "e": {}},  # one for 200: 0.005 a unit
        {"old": {}},  # nothing to draw, shorter than the region: after it
    ]
    lacking = {"a", "b", "c", "d", "e"}
    assert _pack_order(costs, needs, lacking) == [4, 2, 3, 1, 0]
    # Once a pack's charts are queued, another showing them waits for nothing new.
    assert _pack_order([100, 100], [{"a": {}}, {"a": {}}], {"a"}) == [0, 1]
    assert _pack_order([10, 300], [{"a": {}}, {"a": {}, "b": {}}], {"a", "b"}) == [1, 0]


@pytest.fixture(scope="module")
def some_charts(tmp_path_factory: pytest.TempPathFactory) -> tuple[list, object, dict]:
    options = BuildOptions(DATA, STYLES, tmp_path_factory.mktemp("charts"))
    setting = load_setting(options)
    from briefpack.datalayer import load

    data = load(DATA)
    planner = Planner(data, load_specs(data), setting.style)
    style = chart_style(setting, options)
    made = planner.plan("relations", "kg")
    return list(planned([made], style, setting).items()), style, setting.chart_fonts


@pytest.mark.skipif(not hasattr(os, "fork"), reason="helpers are forks")
def test_a_chart_worker_and_its_helper_draw_every_chart(tmp_path: Path, some_charts) -> None:
    from briefpack.chartcache import ChartCache, decode_ops, encode_ops
    from briefpack.fonts import register_fonts

    charts, style, fonts = some_charts
    assert len(charts) >= 4
    chart_module.draw_all_into_cache(charts, style, fonts, tmp_path, helpers=1)
    cache = ChartCache(tmp_path.parent / "none")
    cache.folder = tmp_path
    drawn_here = register_fonts(*fonts.values())
    for key, payload in charts:
        expected = decode_ops(encode_ops(chart_module.draw(payload, style, drawn_here)))
        assert cache.get(key) == expected, key
    assert not list(tmp_path.glob("*.failed"))


def _helper_dies(key, payload, style, font_paths, folder):  # noqa: ANN001
    if os.getpid() != TEST_PROCESS:
        os._exit(3)
    chart_module.draw_into_cache(key, payload, style, font_paths, folder)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="helpers are forks")
def test_the_charts_a_dead_helper_leaves_are_marked_failed(
    tmp_path: Path, some_charts, monkeypatch: pytest.MonkeyPatch
) -> None:
    charts, style, fonts = some_charts
    monkeypatch.setattr(chart_module, "_draw_one", _helper_dies)
    chart_module.draw_all_into_cache(charts, style, fonts, tmp_path, helpers=1)
    mine, helpers = [k for k, _ in charts[0::2]], [k for k, _ in charts[1::2]]
    assert sorted(p.stem for p in tmp_path.glob("*.json")) == sorted(mine)
    assert sorted(p.stem for p in tmp_path.glob("*.failed")) == sorted(helpers)


def _chart_worker_dies(*_args) -> None:
    os._exit(1)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="forks its workers")
def test_a_run_whose_chart_worker_dies_draws_its_charts_in_the_packs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _build(tmp_path / "expected", "--all", "--jobs", "1")
    monkeypatch.setenv("BRIEFPACK_START_METHOD", "fork")
    monkeypatch.setattr(chart_module, "draw_all_into_cache", _chart_worker_dies)
    _build(tmp_path / "pool", "--all", "--jobs", "2")
    expected = sorted((tmp_path / "expected").glob("*.pdf"))
    assert len(expected) == 12
    for pdf in expected:
        assert (tmp_path / "pool" / pdf.name).read_bytes() == pdf.read_bytes(), pdf.name


def _dies_on_kz(job, path, pool=None):  # noqa: ANN001
    if job.plan.name == "relations-kz" and os.getpid() != TEST_PROCESS:
        os._exit(1)
    return _render_and_write(job, path, pool)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="forks its workers")
def test_a_pack_whose_worker_dies_fails_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from briefpack import runner

    monkeypatch.setenv("BRIEFPACK_START_METHOD", "fork")
    monkeypatch.setattr(runner, "_render_and_write", _dies_on_kz)
    result = cli("build", "--all", "--jobs", "2", "--out", str(tmp_path))
    assert result.exit_code == 1
    assert (
        "relations-kz: the worker process building this pack died (out of memory, or killed)"
        in result.stderr
    )
    built = sorted(p.name for p in tmp_path.glob("*.pdf"))
    assert len(built) == 11 and "relations-kz.pdf" not in built


@pytest.mark.skipif(not hasattr(os, "fork"), reason="helpers are forks")
def test_a_chart_worker_that_cannot_fork_draws_every_chart_itself(
    tmp_path: Path, some_charts, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_process() -> int:
        raise OSError(11, "Resource temporarily unavailable")

    charts, style, fonts = some_charts
    monkeypatch.setattr(os, "fork", no_process)
    chart_module.draw_all_into_cache(charts, style, fonts, tmp_path, helpers=1)
    assert sorted(p.stem for p in tmp_path.glob("*.json")) == sorted(k for k, _ in charts)
    assert not list(tmp_path.glob("*.failed"))
