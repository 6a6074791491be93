"""What a user sees: messages and exit statuses of the briefpack command."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from briefpack.cli import main

from .conftest import DATA, data_args


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_check_reports_ok_on_the_real_data() -> None:
    code, _, err = run("--data", str(DATA), "check")
    assert code == 0
    assert err == "ok: 14 datasets, 547 rows, 6 places, 9 prose files\n"


def test_check_lists_every_problem_and_exits_1(data_copy: Path) -> None:
    trade = data_copy / "datasets" / "japan_trade.csv"
    trade.write_text(
        trade.read_text(encoding="utf-8").replace("kg,2024,44512", "kg,2024,4451two"),
        encoding="utf-8",
    )
    places = data_copy / "places.csv"
    places.write_text(
        places.read_text(encoding="utf-8").replace("tj tm,6", "tj tm xx,6"), encoding="utf-8"
    )
    code, _, err = run("--data", str(data_copy), "check")
    assert code == 1
    lines = err.splitlines()
    assert "places.csv:7:5: column 'members': unknown country 'xx'" in lines
    assert (
        "datasets/japan_trade.csv:76:3: column 'exports': '4451two' is not a whole number" in lines
    )
    assert lines[-1] == f"Error: {len(lines) - 1} problem(s) in {data_copy}"
    assert "Traceback" not in err


def test_build_with_broken_data_names_file_line_and_column(data_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    gdp = data_copy / "datasets" / "gdp_nominal.csv"
    gdp.write_text(gdp.read_text(encoding="utf-8").replace("17.49", "17,49"), encoding="utf-8")
    code, _, err = run(
        *data_args(data_copy),
        "build",
        "relations",
        "kg",
        "--out",
        str(out),
    )
    assert code == 1
    assert "datasets/gdp_nominal.csv:4:3: column 'value': expected 3 fields" not in err
    assert err.startswith("Error: datasets/gdp_nominal.csv:4:")
    assert "Traceback" not in err
    assert not out.exists()


def test_unknown_template_and_target_are_usage_errors(tmp_path: Path) -> None:
    code, _, err = run("--data", str(DATA), "build", "relation", "kg", "--out", str(tmp_path))
    assert code == 2
    assert "Error: unknown template 'relation' (templates: economy, relations)" in err
    code, _, err = run("--data", str(DATA), "build", "relations", "jp", "--out", str(tmp_path))
    assert code == 2
    assert "Error: unknown target 'jp' (targets: uz, kz, kg, tj, tm, central-asia)" in err


def test_bad_date_is_a_usage_error(tmp_path: Path) -> None:
    code, _, err = run("build", "relations", "kg", "--date", "2026-13-01", "--out", str(tmp_path))
    assert code == 2
    assert "'2026-13-01' is not a date in the form YYYY-MM-DD" in err


def test_list_shows_templates_and_targets() -> None:
    code, out, _ = run("--data", str(DATA), "list")
    assert code == 0
    assert out.startswith("templates: economy relations\ntargets:\n")
    assert "  central-asia  中央アジア (uz kz kg tj tm)\n" in out
    packs = out.split("packs the data can make:\n")[1].splitlines()
    assert len(packs) == 12
    assert "  relations kg" in packs and "  economy central-asia" in packs


def test_build_reports_the_file_and_leaves_identical_output_alone(tmp_path: Path) -> None:
    args = (
        *data_args(DATA),
        "build",
        "relations",
        "kg",
        "--out",
        str(tmp_path),
    )
    code, _, err = run(*args)
    assert code == 0
    pdf = tmp_path / "relations-kg.pdf"
    assert err == f"built: {pdf} (13 pages)\n"
    mtime = pdf.stat().st_mtime_ns
    code, _, err = run(*args)
    assert err == f"unchanged: {pdf} (13 pages)\n"
    assert pdf.stat().st_mtime_ns == mtime
    # Only the PDF and the bookkeeping folder: no stray temporary files.
    assert sorted(p.name for p in tmp_path.iterdir()) == [".briefpack", "relations-kg.pdf"]


def test_verbose_build_names_the_charts_left_out(tmp_path: Path) -> None:
    code, _, err = run(
        "--data", str(DATA), "-v", "build", "relations", "kg", "--out", str(tmp_path)
    )
    assert code == 0
    assert "left out: 我が国による対キルギスODAの推移(支出総額ベース)" in err


def test_quiet_prints_nothing_but_errors(tmp_path: Path) -> None:
    code, out, err = run(*data_args(DATA), "-q", "build", "relations", "kg", "--out", str(tmp_path))
    assert (code, out, err) == (0, "", "")
    code, _, err = run(*data_args(DATA), "-q", "build", "relations", "xx", "--out", str(tmp_path))
    assert code == 2 and "unknown target 'xx'" in err


def test_default_prints_one_line_per_pack_and_verbose_says_why(tmp_path: Path) -> None:
    code, _, err = run(*data_args(DATA), "build", "relations", "kg", "--out", str(tmp_path))
    assert code == 0
    assert err == f"built: {tmp_path / 'relations-kg.pdf'} (13 pages)\n"
    code, _, err = run(*data_args(DATA), "-v", "build", "relations", "kg", "--out", str(tmp_path))
    assert code == 0
    assert err.endswith(f"unchanged: {tmp_path / 'relations-kg.pdf'} (13 pages)\n")


def test_force_draws_every_chart_again(tmp_path: Path) -> None:
    """--force is a fresh build: no chart comes from the cache."""
    args = [*data_args(DATA), "-v", "build", "relations", "kg", "--out", str(tmp_path)]
    assert run(*args)[0] == 0
    code, _, err = run(*args, "--force")
    assert code == 0
    assert "charts: 5 drawn, 0 from the cache" in err
    code, _, err = run(*args[:-2], "--out", str(tmp_path / "other"))
    code, _, err = run(*args[:-2], "--out", str(tmp_path / "other"), "--changes-page")
    assert "charts: 0 drawn, 5 from the cache" in err


def test_check_validates_the_styles_too(tmp_path: Path) -> None:
    import shutil

    from .conftest import STYLES

    styles = tmp_path / "styles"
    shutil.copytree(STYLES, styles)
    path = styles / "default" / "style.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('text = "#1a1a1a"', 'text = "black"', 1), encoding="utf-8")
    line = next(i for i, t in enumerate(text.splitlines(), 1) if t.startswith('text = "#1a1a1a"'))
    code, _, err = run("--data", str(DATA), "--styles", str(styles), "check")
    assert code == 1
    assert err == (
        f"default/style.toml:{line}:8: colors.text: 'black' is not a colour #rrggbb\n"
        f"Error: 1 problem(s) in {DATA} and {styles}\n"
    )


@pytest.mark.parametrize(("given", "seen"), [(None, "1"), ("4", "4")])
def test_the_console_script_asks_numpy_for_one_blas_thread(given: str | None, seen: str) -> None:
    """Workers inherit it; a user's own setting is kept."""
    import os
    import subprocess
    import sys

    code = (
        "import os\n"
        "from briefpack import cli\n"
        "class Command:\n"
        "    def main(self, **_):\n"
        "        print(os.environ.get('OPENBLAS_NUM_THREADS'), flush=True)\n"
        "        raise SystemExit(0)\n"
        "cli.main = Command()\n"
        "cli.entry()\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    if given is not None:
        env["OPENBLAS_NUM_THREADS"] = given
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == seen
