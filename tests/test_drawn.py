"""What the charts actually draw, read back from the recorded drawing, against the CSV.

The expected values come from the fixture's CSV files read here, not from the plan: a chart
that swapped exports and imports, or drew another year, fails.
"""

from __future__ import annotations

import csv
import json

import pytest

from .conftest import DATA, cli


@pytest.fixture(scope="module")
def drawings(tmp_path_factory: pytest.TempPathFactory) -> list[list[dict]]:
    out = tmp_path_factory.mktemp("drawn")
    for template, target in (("relations", "kg"), ("economy", "kg")):
        result = cli("build", template, target, "--out", str(out))
        assert result.exit_code == 0, result.stderr
    entries = sorted((out / ".briefpack" / "charts").glob("*.json"))
    return [json.loads(p.read_text(encoding="utf-8"))["ops"] for p in entries]


def rows(name: str) -> list[dict[str, str]]:
    with (DATA / "datasets" / f"{name}.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def texts(ops: list[dict]) -> list[dict]:
    return [op for op in ops if op["op"] == "text"]


def rectangles(ops: list[dict]) -> list[tuple[tuple, float, float, float, float]]:
    """(fill colour, x, y, width, height) of every filled four-sided path."""
    out = []
    for op in ops:
        if op["op"] != "path" or not op.get("fill") or len(op["segments"]) not in (4, 5):
            continue
        points = [s[1][:2] for s in op["segments"] if s[0] != 79]  # 79: close path
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        if len(set(xs)) == 2 and len(set(ys)) == 2:
            x0, y0 = min(xs), min(ys)
            out.append((tuple(op["fill"]), x0, y0, max(xs) - x0, max(ys) - y0))
    return out


def legend_colour(ops: list[dict], label: str) -> tuple:
    """The colour of the legend patch drawn just left of ``label``."""
    text = next(t for t in texts(ops) if t["text"] == label)
    patches = [
        r
        for r in rectangles(ops)
        if abs((r[2] + r[4] / 2) - (text["y"] + 3)) < 6 and r[1] < text["x"]
    ]
    return max(patches, key=lambda r: r[1])[0]


def test_trade_chart_draws_exports_and_imports_as_published(drawings) -> None:
    chart = next(ops for ops in drawings if {"輸出額", "輸入額"} <= {t["text"] for t in texts(ops)})
    kg = [r for r in rows("japan_trade") if r["country"] == "kg"]
    exports = {int(r["year"]): int(r["exports"]) for r in kg}
    imports = {int(r["year"]): int(r["imports"]) for r in kg}
    bars = rectangles(chart)
    tallest = {}
    for label, values in (("輸出額", exports), ("輸入額", imports)):
        colour = legend_colour(chart, label)
        heights = sorted((r[4] for r in bars if r[0] == colour), reverse=True)
        assert len(heights) >= len(values)  # a bar per year (and the legend patch)
        tallest[label] = heights[0]
    ratio = tallest["輸出額"] / tallest["輸入額"]
    expected = max(exports.values()) / max(imports.values())
    assert ratio == pytest.approx(expected, rel=0.02)
    ticks = {t["text"] for t in texts(chart)}
    assert str(max(exports)) in ticks  # the last year is on the axis


def test_gdp_bars_show_each_members_latest_value_in_order(drawings) -> None:
    gdp = rows("gdp_nominal")
    latest = max(int(r["year"]) for r in gdp)
    values = {r["country"]: r["value"] for r in gdp if int(r["year"]) == latest}
    chart = next(ops for ops in drawings if values["kz"] in {t["text"] for t in texts(ops)})
    labels = [t for t in texts(chart) if t["text"] in values.values()]
    assert sorted(t["text"] for t in labels) == sorted(values.values())
    # bar labels left to right follow the places' order in places.csv
    by_x = [t["text"] for t in sorted(labels, key=lambda t: t["x"])]
    assert by_x == [values[c] for c in ("uz", "kz", "kg", "tj", "tm")]
    # heights are proportional to the values
    bars = sorted((r for r in rectangles(chart) if r[4] > 1), key=lambda r: r[1])[-5:]
    heights = [r[4] for r in sorted(bars, key=lambda r: r[1])]
    for height, code in zip(heights, ("uz", "kz", "kg", "tj", "tm"), strict=True):
        assert height / max(heights) == pytest.approx(
            float(values[code]) / max(float(v) for v in values.values()), rel=0.02
        )


def test_place_names_under_narrow_bars_do_not_touch(tmp_path) -> None:
    """Portrait pages leave a bar chart of the five members narrow: its names get smaller
    or go on two lines, and two texts on one baseline of a chart keep 2 pt between them."""
    from briefpack.fonts import register_fonts, resolve_font_path
    from briefpack.style import load_style

    from .conftest import STYLES

    result = cli("build", "economy", "central-asia", "--style", "portrait", "--out", str(tmp_path))
    assert result.exit_code == 0, result.stderr
    style = load_style(STYLES, "portrait")
    fonts = register_fonts(
        *(resolve_font_path(style["fonts"][k], style.folder) for k in ("regular", "bold"))
    )
    checked = 0
    for path in sorted((tmp_path / ".briefpack" / "charts").glob("*.json")):
        rows_of_text: dict[float, list[dict]] = {}
        for op in texts(json.loads(path.read_text(encoding="utf-8"))["ops"]):
            if op["angle"] == 0:
                rows_of_text.setdefault(round(op["y"]), []).append(op)
        for row in rows_of_text.values():
            row.sort(key=lambda op: op["x"])
            for left, right in zip(row, row[1:], strict=False):
                width = sum(fonts.width(ch, left["font"], left["size"]) for ch in left["text"])
                gap = right["x"] - (left["x"] + width)
                assert gap >= 2, (path.name, round(gap, 2), left["text"], right["text"])
                checked += 1
    assert checked > 20


def _series(ops: list[dict], kind: str) -> dict[str, list[int]]:
    """Positions of the paths each artist id of ``kind`` (``bar``, ``series``) drew."""
    out: dict[str, list[int]] = {}
    for i, op in enumerate(ops):
        prefix, _, name = op.get("gid", "").partition(":")
        if prefix == kind:
            out.setdefault(name, []).append(i)
    return out


def _size(op: dict) -> float:
    xs = [v for _, vs in op["segments"] for v in vs[0::2]]
    return max(xs) - min(xs)


def test_a_country_pack_stands_its_member_out_in_the_regions_drawing(drawings) -> None:
    """The region's chart is drawn once; the country pack's emphasis is applied to it: the
    target's bar keeps the series colour and every other bar is muted; the target's line is
    the accent colour, thicker, drawn over the others, whose markers are smaller."""
    from briefpack.render.charts import MUTED, emphasize

    target, accent = "キルギス", "#123456"
    bar_chart = next(ops for ops in drawings if len(_series(ops, "bar")) == 5)
    line_chart = next(ops for ops in drawings if len(_series(ops, "series")) == 5)
    untouched = json.dumps([bar_chart, line_chart])

    bars = emphasize(bar_chart, target, accent)
    fills = {name: bars[i[0]]["fill"] for name, i in _series(bars, "bar").items()}
    muted = [round(int(MUTED[k : k + 2], 16) / 255, 4) for k in (1, 3, 5)] + [1.0]
    assert fills[target] == bar_chart[_series(bar_chart, "bar")[target][0]]["fill"]
    assert fills[target] != muted
    assert all(fill == muted for name, fill in fills.items() if name != target)

    lines = emphasize(line_chart, target, accent)
    assert len(lines) == len(line_chart)
    drawn = _series(lines, "series")
    assert min(drawn[target]) > max(i for name, at in drawn.items() if name != target for i in at)
    strong = [0.0706, 0.2039, 0.3373, 1.0]  # #123456
    for name, at in drawn.items():
        path = next(lines[i] for i in at if "center" not in lines[i])
        assert path["stroke"] == (strong if name == target else muted)
        assert path["width"] == (2.6 if name == target else 1.0)
    before = _series(line_chart, "series")
    for name in ("カザフスタン", target):
        marker_before = next(line_chart[i] for i in before[name] if "center" in line_chart[i])
        marker_after = next(lines[i] for i in drawn[name] if "center" in lines[i])
        ratio = _size(marker_after) / _size(marker_before)
        assert ratio == pytest.approx(1.0 if name == target else 2.5 / 4, abs=0.02)
    assert json.dumps([bar_chart, line_chart]) == untouched  # packs share one drawing
