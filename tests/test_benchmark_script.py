"""benchmarks/run.py's pure helpers: the synthetic scale layer, the derived import floor, the
one-figure edit. Nothing here is timed and nothing is built."""

from __future__ import annotations

import csv
import importlib.util
import io
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from briefpack.cli import main

from .conftest import DATA, ROOT


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location(
        "briefpack_benchmark", ROOT / "benchmarks" / "run.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    yield module
    del sys.modules[spec.name]


def _rows(path: Path) -> list[list[str]]:
    return [r for r in csv.reader(io.StringIO(path.read_text(encoding="utf-8"))) if r]


def _problems(data: Path) -> tuple[int, set[str]]:
    result = CliRunner().invoke(main, ["--data", str(data), "check"])
    problems = {line for line in result.stderr.splitlines() if line.count(":") >= 3}
    return result.exit_code, problems


def test_third_party_packages_leave_out_stdlib_private_and_own(bench) -> None:
    loaded = [
        "os",
        "json.decoder",
        "__main__",
        "_distutils_hack",
        "briefpack",
        "briefpack.cli",
        "click",
        "matplotlib.figure",
        "numpy.linalg",
        "reportlab.platypus.doctemplate",
    ]
    assert bench.third_party_packages(loaded) == ["click", "matplotlib", "numpy", "reportlab"]
    assert bench.third_party_modules(loaded) == [
        "click",
        "matplotlib.figure",
        "numpy.linalg",
        "reportlab.platypus.doctemplate",
    ]


def test_the_floor_imports_what_a_plain_script_would(bench) -> None:
    packages = ["click", "matplotlib", "pandas", "pypdf", "reportlab"]
    assert bench.floor_imports(packages) == [
        "click",
        "matplotlib.pyplot",
        "pandas",
        "pypdf",
        "reportlab.platypus",
    ]
    cmd = bench.import_command(["click", "matplotlib.pyplot"])
    assert cmd[1:] == ["-c", "import click, matplotlib.pyplot"]


def test_change_figure_edits_one_line_and_keeps_the_balance(bench) -> None:
    text = (DATA / "datasets" / "japan_trade.csv").read_text(encoding="utf-8")
    changed = bench.change_figure(text)
    before, after = text.splitlines(), changed.splitlines()
    diff = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
    assert len(diff) == 1 and len(changed) == len(text)
    old, new = (line.split(",") for line in diff[0])
    assert new[:2] == old[:2] == ["kg", "2024"]
    assert int(new[2]) == int(old[2]) + 1 and int(new[4]) == int(old[4]) + 1
    assert int(new[2]) - int(new[3]) == int(new[4])


def test_page_objects_are_counted_without_the_pages_tree(bench) -> None:
    pdf = b"<< /Type /Pages /Kids [3 0 R 4 0 R] >> << /Type /Page >> <</Type/Page/Parent 2 0 R>>"
    assert len(bench.PAGE_OBJECT.findall(pdf)) == 2


def test_synthetic_codes_are_new_two_letter_codes(bench) -> None:
    codes = bench.synthetic_codes(100, ["xa", "kg"])
    assert len(codes) == len(set(codes)) == 100
    assert "xa" not in codes and all(len(c) == 2 and c.isalpha() for c in codes)


def test_scale_layer_is_valid_deterministic_and_keeps_the_shipped_rows(bench, tmp_path) -> None:
    layer = bench.make_scale_layer(DATA, tmp_path / "a", countries=12, region_size=5)
    again = bench.make_scale_layer(DATA, tmp_path / "b", countries=12, region_size=5)
    assert len(layer.countries) == 12
    assert [len(m) for m in layer.regions.values()] == [5, 5, 2]

    # Valid: no problem that the source layer does not have itself.
    source_status, source_problems = _problems(DATA)
    status, problems = _problems(layer.root)
    assert problems <= source_problems
    assert status == source_status

    # Same arguments, same bytes.
    files = sorted(p.relative_to(layer.root) for p in layer.root.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(again.root) for p in again.root.rglob("*") if p.is_file())
    for rel in files:
        assert (layer.root / rel).read_bytes() == (again.root / rel).read_bytes(), rel

    # The shipped rows stay first and unchanged; shipped regions keep their members.
    for original in [DATA / "places.csv", *sorted((DATA / "datasets").glob("*.csv"))]:
        rows = _rows(original)
        generated = _rows(layer.root / original.relative_to(DATA))
        assert generated[: len(rows)] == rows, original.name
    places = _rows(layer.root / "places.csv")
    members = {r[0]: r[4].split() for r in places[1:] if r[1] == "region"}
    for region, codes in layer.regions.items():
        assert members[region] == codes

    # Each synthetic country has its template's rows; published balances still hold.
    trade = _rows(layer.root / "datasets" / "japan_trade.csv")
    for code, template in layer.templates.items():
        mine = [r for r in trade if r[0] == code]
        assert len(mine) == sum(1 for r in trade if r[0] == template)
        assert all(int(r[2]) - int(r[3]) == int(r[4]) for r in mine)
        assert (layer.root / "texts" / "profiles" / f"{code}.toml").is_file()

    listed = CliRunner().invoke(main, ["--data", str(layer.root), "list"])
    if listed.exit_code == 0:
        for code in [*layer.countries, *layer.regions]:
            assert code in listed.stdout
