#!/usr/bin/env python3
"""Benchmark briefpack against baselines measured in the same run; write benchmarks/RESULTS.md.

Usage: python benchmarks/run.py [--repeat N]

Every measurement runs the real command in a fresh process. Repetitions are interleaved
(one of each, then again) so that machine noise spreads evenly, and medians are reported
as ratios to the baselines: the import floor (matplotlib.pyplot, reportlab.platypus and
pandas if installed) and `python -c "import click"`.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BRIEFPACK = [sys.executable, "-m", "briefpack.cli"]
KG_ROW = "kg,2024,44512,1802,42710"


def run(cmd: list[str], cwd: Path = ROOT) -> tuple[float, int, str]:
    """Wall time, peak RSS in MiB (the process and its waited-for children), stderr."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    stderr = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{stderr}")
    return elapsed, usage.ru_maxrss // 1024, stderr


def floor_command() -> tuple[list[str], str]:
    modules = ["matplotlib.pyplot", "reportlab.platypus"]
    try:
        import importlib.util

        if importlib.util.find_spec("pandas"):
            modules.append("pandas")
    except ImportError:
        pass
    return [sys.executable, "-c", "import " + ", ".join(modules)], " + ".join(modules)


def changed_data(work: Path) -> Path:
    data = work / "data"
    shutil.copytree(ROOT / "data", data)
    trade = data / "datasets" / "japan_trade.csv"
    text = trade.read_text(encoding="utf-8")
    assert KG_ROW in text
    trade.write_text(text.replace(KG_ROW, "kg,2024,44513,1802,42711"), encoding="utf-8")
    return data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="briefpack-bench-"))
    floor_cmd, floor_label = floor_command()
    click_cmd = [sys.executable, "-c", "import click"]
    warm = work / "warm"
    subprocess.run(
        [*BRIEFPACK, "build", "--all", "--out", str(warm)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    data_changed = changed_data(work)

    samples: dict[str, list[float]] = {}
    rss: dict[str, int] = {}
    notes: dict[str, str] = {}

    def measure(name: str, cmd: list[str], cwd: Path = ROOT) -> str:
        elapsed, peak, stderr = run(cmd, cwd)
        samples.setdefault(name, []).append(elapsed)
        rss[name] = max(rss.get(name, 0), peak)
        return stderr

    for i in range(args.repeat):
        measure("import floor", floor_cmd)
        measure("python -c 'import click'", click_cmd)
        cold = work / f"cold{i}"
        measure(
            "cold: build relations kg --force",
            [*BRIEFPACK, "build", "relations", "kg", "--force", "--out", str(cold)],
        )
        every = work / f"all{i}"
        measure(
            "cold: build --all --force --jobs 2",
            [*BRIEFPACK, "build", "--all", "--force", "--jobs", "2", "--out", str(every)],
        )
        measure("no-op: build --all", [*BRIEFPACK, "build", "--all", "--out", str(warm)])
        # One Kyrgyz figure changed: a copy of the warm output, built from the changed data.
        changed_out = work / f"changed{i}"
        shutil.copytree(warm, changed_out)
        stderr = measure(
            "one figure changed: build --all",
            [
                *BRIEFPACK,
                "--data",
                str(data_changed),
                "-v",
                "build",
                "--all",
                "--jobs",
                "2",
                "--out",
                str(changed_out),
            ],
        )
        rendered = sum(int(n) for n in re.findall(r"charts: (\d+) rendered", stderr))
        cached = sum(int(n) for n in re.findall(r"(\d+) from the cache", stderr))
        rebuilt = len(re.findall(r"^built: ", stderr, re.M))
        notes["one figure changed: build --all"] = (
            f"{rebuilt} packs rebuilt, {rendered} charts re-rendered, {cached} from the cache"
        )

    medians = {name: statistics.median(values) for name, values in samples.items()}
    floor = medians["import floor"]
    click_floor = medians["python -c 'import click'"]
    cold = medians["cold: build relations kg --force"]
    sizes = {p.name: p.stat().st_size for p in sorted(warm.glob("*.pdf"))}
    targets = [
        ("cold single pack ≤ 1.5 × import floor", cold / floor, 1.5),
        (
            "all packs, --jobs 2 ≤ 3 × one cold pack",
            medians["cold: build --all --force --jobs 2"] / cold,
            3.0,
        ),
        ("no-op build --all ≤ 2 × import click", medians["no-op: build --all"] / click_floor, 2.0),
        ("peak RSS per process ≤ 250 MB", max(rss.values()), 250),
        ("largest PDF ≤ 1 MiB", max(sizes.values()) / 2**20, 1.0),
    ]
    report = render(
        medians, rss, notes, targets, sizes, floor, click_floor, floor_label, args.repeat
    )
    print(report)
    (ROOT / "benchmarks" / "RESULTS.md").write_text(report, encoding="utf-8")
    shutil.rmtree(work, ignore_errors=True)


def render(medians, rss, notes, targets, sizes, floor, click_floor, floor_label, repeat) -> str:
    versions = ", ".join(
        f"{name} {metadata.version(name)}"
        for name in ("briefpack", "reportlab", "matplotlib", "click")
        if _installed(name)
    )
    out = io.StringIO()
    out.write("# Benchmark results\n\n")
    out.write("Written by `python benchmarks/run.py`; every figure below comes from one run.\n\n")
    machine = f"{platform.platform()}, {os.cpu_count()} cores"
    out.write(f"- machine: {machine}, Python {platform.python_version()}\n")
    out.write(f"- versions: {versions}\n")
    out.write(f"- import floor: `import {floor_label}`\n")
    out.write(f"- {repeat} interleaved repetitions; medians\n\n")
    out.write(
        "| measurement | median (s) | × import floor | × import click | peak RSS (MiB) | notes |\n"
    )
    out.write("|---|---:|---:|---:|---:|---|\n")
    for name, value in medians.items():
        ratios = f"{value / floor:.2f} | {value / click_floor:.2f}"
        out.write(f"| {name} | {value:.3f} | {ratios} | {rss[name]} | {notes.get(name, '')} |\n")
    out.write("\n## Targets\n\n| target | measured | limit | met |\n|---|---:|---:|---|\n")
    for label, measured, limit in targets:
        out.write(
            f"| {label} | {measured:.2f} | {limit} | {'yes' if measured <= limit else '**no**'} |\n"
        )
    out.write("\n## PDF sizes\n\n| pack | bytes |\n|---|---:|\n")
    for name, size in sizes.items():
        out.write(f"| {name} | {size:,} |\n")
    return out.getvalue()


def _installed(name: str) -> bool:
    try:
        metadata.version(name)
    except metadata.PackageNotFoundError:
        return False
    return True


if __name__ == "__main__":
    main()
