"""Nightly regeneration: rebuild only what changed, identical bytes, atomic writes, one writer."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from briefpack.cli import main
from briefpack.outputs import output_lock

from .conftest import DATA, data_args


def build_all(data: Path, out: Path, *extra: str):
    args = [
        *data_args(data),
        "build",
        "--all",
        "--out",
        str(out),
        "--json",
        "--jobs",
        "1",
        *extra,
    ]
    result = CliRunner().invoke(main, args)
    return result, json.loads(result.stdout) if result.stdout.startswith("{") else None


def snapshot(out: Path) -> dict[str, tuple[int, bytes]]:
    return {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in sorted(out.glob("*.pdf"))}


def test_changing_one_kyrgyz_figure_rebuilds_only_the_packs_that_show_it(
    data_copy: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    result, summary = build_all(data_copy, out)
    assert summary["built"] == 12
    before = snapshot(out)

    result, summary = build_all(data_copy, out)
    assert (summary["built"], summary["unchanged"]) == (0, 12)
    assert snapshot(out) == before

    trade = data_copy / "datasets" / "japan_trade.csv"
    trade.write_text(
        trade.read_text(encoding="utf-8").replace(
            "kg,2024,44512,1802,42710", "kg,2024,44513,1802,42711"
        ),
        encoding="utf-8",
    )
    result, summary = build_all(data_copy, out)
    rebuilt = sorted(
        f"{p['template']}-{p['target']}" for p in summary["packs"] if p["status"] == "built"
    )
    assert rebuilt == [
        "economy-central-asia",
        "economy-kg",
        "relations-central-asia",
        "relations-kg",
    ]
    after = snapshot(out)
    for name, state in before.items():
        if name.removesuffix(".pdf") not in rebuilt:
            assert after[name] == state, name  # not rewritten: same bytes and mtime
    kg = next(p for p in summary["packs"] if p["target"] == "kg" and p["template"] == "relations")
    assert "japan_trade kg/2024: exports 44512 → 44513, balance 42710 → 42711" in kg["changes"]


def test_a_failed_build_leaves_the_previous_pdf_untouched(data_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    runner = CliRunner()
    args = [
        *data_args(data_copy),
        "build",
        "relations",
        "kg",
        "--out",
        str(out),
    ]
    assert runner.invoke(main, args).exit_code == 0
    pdf = out / "relations-kg.pdf"
    good = pdf.read_bytes()
    spec = data_copy / "packs" / "relations.toml"
    spec.write_text(
        spec.read_text(encoding="utf-8").replace('type = "timeline"', 'type = "timelin"', 1),
        encoding="utf-8",
    )
    result = runner.invoke(main, args)
    assert result.exit_code == 1
    assert (
        "packs/relations.toml:" in result.stderr and "unknown block type 'timelin'" in result.stderr
    )
    assert pdf.read_bytes() == good
    assert sorted(p.name for p in out.iterdir()) == [".briefpack", "relations-kg.pdf"]


def test_a_second_writer_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with output_lock(out):
        result = CliRunner().invoke(
            main, [*data_args(DATA), "build", "relations", "kg", "--out", str(out)]
        )
    assert result.exit_code == 1
    assert (
        f"Error: {out}: another briefpack build is writing here (pid {os.getpid()})"
        in result.stderr
    )


def test_source_date_epoch_sets_the_issue_date(tmp_path: Path) -> None:
    import pypdf

    env = {"SOURCE_DATE_EPOCH": "1764547200"}  # 2025-12-01
    result = CliRunner(env=env).invoke(
        main, [*data_args(DATA), "build", "relations", "kg", "--out", str(tmp_path)]
    )
    assert result.exit_code == 0, result.stderr
    cover = pypdf.PdfReader(tmp_path / "relations-kg.pdf").pages[0].extract_text()
    assert "2025年12月1日（令和7年）" in cover


@pytest.mark.skipif(sys.platform != "linux", reason="uses /proc to check imported modules")
def test_up_to_date_check_loads_no_heavy_library(tmp_path: Path) -> None:
    out = tmp_path / "out"
    CliRunner().invoke(main, [*data_args(DATA), "build", "relations", "kg", "--out", str(out)])
    code = (
        "import sys; from briefpack.cli import main\n"
        "try:\n    main([*sys.argv[2:], 'build', 'relations', 'kg', '--out', sys.argv[1]])\n"
        "except SystemExit:\n    pass\n"
        "heavy = [m for m in ('reportlab', 'matplotlib', 'pandas', 'numpy') if m in sys.modules]\n"
        "print('HEAVY', heavy)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(out), *data_args(DATA)], capture_output=True, text=True
    )
    assert "unchanged:" in result.stderr
    assert "HEAVY []" in result.stdout


def test_a_killed_build_leaves_every_pdf_whole(tmp_path: Path) -> None:
    import signal
    import time

    import pypdf

    out = tmp_path / "out"
    CliRunner().invoke(main, [*data_args(DATA), "build", "--all", "--out", str(out), "--jobs", "1"])
    before = {p.name: p.read_bytes() for p in out.glob("*.pdf")}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "briefpack.cli",
            *data_args(DATA),
            "build",
            "--all",
            "--force",
            "--jobs",
            "2",  # forked workers must die with the run and not keep its lock
            "--out",
            str(out),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(1.2)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    if sys.platform.startswith("linux"):  # its workers end with it, none left behind
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and _processes_mentioning(str(out)):
            time.sleep(0.2)
        assert not _processes_mentioning(str(out))
    for pdf in out.glob("*.pdf"):
        assert pdf.read_bytes() == before[pdf.name]  # same input: either untouched or identical
        assert len(pypdf.PdfReader(pdf).pages) > 1
    assert sorted(p.name for p in out.glob("*.pdf")) == sorted(before)
    # The next run clears what the killed one left behind and finds everything up to date.
    result = CliRunner().invoke(
        main, [*data_args(DATA), "build", "--all", "--out", str(out), "--jobs", "1"]
    )
    assert result.exit_code == 0
    assert not list(out.glob(".*.tmp"))


def test_changes_page_lists_what_changed(data_copy: Path, tmp_path: Path) -> None:
    import pypdf

    args = [
        *data_args(data_copy),
        "build",
        "relations",
        "kg",
        "--changes-page",
        "--out",
        str(tmp_path),
    ]
    CliRunner().invoke(main, args)
    trade = data_copy / "datasets" / "japan_trade.csv"
    trade.write_text(
        trade.read_text(encoding="utf-8").replace(
            "kg,2024,44512,1802,42710", "kg,2024,44513,1802,42711"
        ),
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.stderr
    last = pypdf.PdfReader(tmp_path / "relations-kg.pdf").pages[-1].extract_text()
    assert "前回版からの変更点" in last
    # in the reader's words: the dataset's title, the place's name, the columns' labels
    assert (
        "日本の対中央アジア貿易推移（国別） キルギス・2024年：輸出額 44,512 → 44,513、"
        "貿易収支 42,710 → 42,711" in last.replace("\n", "")
    )
    assert "japan_trade" not in last and "kg/2024" not in last and "exports" not in last


def _processes_mentioning(text: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if text.encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                pass
    return found
