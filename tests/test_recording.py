"""The chart recorder's shortcuts draw what matplotlib's own ways would draw.

The recorder moves a marker's outline to each centre instead of composing a transform per
marker, and gives matplotlib the line metrics of a font it has already read; each drawing
of the fixture's charts must be the same with and without the shortcut.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from briefpack.chartrecord import _recording_renderer_class
from briefpack.datalayer import load
from briefpack.fonts import register_fonts
from briefpack.options import BuildOptions
from briefpack.render import charts as chart_module
from briefpack.runner import Planner, all_packs, chart_style, load_setting, load_specs, planned

from .conftest import DATA, STYLES


@pytest.fixture(scope="module")
def charts(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, dict], Any, Any]:
    """Every chart the fixture's packs show, with the style and fonts they are drawn in."""
    options = BuildOptions(DATA, STYLES, tmp_path_factory.mktemp("recording"))
    setting = load_setting(options)
    data = load(DATA)
    planner = Planner(data, load_specs(data), setting.style)
    style = chart_style(setting, options)
    payloads: dict[str, dict] = {}
    for template, target in all_packs(planner):
        payloads.update(planned([planner.plan(template, target)], style, setting))
    kinds = {payload["kind"] for payload in payloads.values()}
    assert {"line", "bar", "barh", "balance"} <= kinds  # every kind, markers and legends
    return payloads, style, register_fonts(*setting.chart_fonts.values())


def _drawings(charts: tuple[dict[str, dict], Any, Any]) -> dict[str, list[dict]]:
    payloads, style, fonts = charts
    return {key: chart_module.draw(payload, style, fonts) for key, payload in payloads.items()}


def test_markers_are_matplotlibs_markers_moved(
    charts: tuple[dict[str, dict], Any, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from matplotlib.backend_bases import RendererBase

    drawn = _drawings(charts)
    markers = [op for ops in drawn.values() for op in ops if "center" in op]
    assert len(markers) > 100  # line markers and tick marks

    renderer = _recording_renderer_class()

    def one_by_one(self, gc, marker_path, marker_trans, path, trans, rgbFace=None):  # noqa: ANN001, N803
        """matplotlib's way: each marker drawn through a transform of its own."""
        RendererBase.draw_markers(self, gc, marker_path, marker_trans, path, trans, rgbFace)

    monkeypatch.setattr(renderer, "draw_markers", one_by_one)
    reference = _drawings(charts)
    for key, ops in drawn.items():
        moved = [{k: v for k, v in op.items() if k != "center"} for op in ops]
        assert moved == reference[key], key


def test_the_line_metrics_given_are_matplotlibs_own(
    charts: tuple[dict[str, dict], Any, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    drawn = _drawings(charts)
    renderer = _recording_renderer_class()
    assert hasattr(renderer, "_get_font_height_metrics")
    monkeypatch.delattr(renderer, "_get_font_height_metrics")  # matplotlib reads the font
    assert _drawings(charts) == drawn


def test_two_line_labels_are_spaced_as_matplotlib_spaces_them(
    charts: tuple[dict[str, dict], Any, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Line metrics show between the lines of one text (a place name on two lines); the
    line gap only with matplotlib's ``linespacing="normal"`` (and a font that has one)."""
    import matplotlib
    from matplotlib.figure import Figure

    _payloads, style, fonts = charts
    fonts = fonts.tabular()
    renderer_class = _recording_renderer_class()

    def layouts() -> list:
        with matplotlib.rc_context(chart_module._rc(style, fonts)):
            figure = Figure(figsize=(4, 3), dpi=72)
            renderer = renderer_class(288, 216, fonts)
            out = []
            for size, weight, spacing in itertools.product(
                (6.5, 8, 9.5),
                ("normal", "bold"),
                (1.2, "normal"),  # "normal": the line gap
            ):
                text = figure.text(
                    0.5, 0.5, "キルギス\n共和国", size=size, weight=weight, linespacing=spacing
                )
                bbox, lines, _descent = text._get_layout(renderer)
                out.append((tuple(bbox.bounds), [(line, xy) for line, _wad, xy in lines]))
            return out

    given = layouts()
    monkeypatch.delattr(renderer_class, "_get_font_height_metrics")
    assert layouts() == given
