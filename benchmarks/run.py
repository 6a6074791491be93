#!/usr/bin/env python3
"""Benchmark briefpack under the product's own definition of cold; write benchmarks/RESULTS.md.

Usage: python benchmarks/run.py [--repeat N] [--quick] [--results PATH] [--keep]

- Cold means a new `--out` folder in a new process: no manifest, no chart cache.
- The import floor is derived from what a cold build really imports: a cold
  `build relations kg` runs once under a wrapper that records the third-party top-level
  packages in `sys.modules`; the floor is `python -c "import <those>"`, written the way a
  plain script would (`matplotlib.pyplot`, `reportlab.platypus`, the others by name). The
  fixed floor `import matplotlib.pyplot, reportlab.platypus, click` is reported beside it.
- Every measurement is the real command in a fresh process. Each case runs once untimed
  (warm-up: byte-compiled files and the OS file cache are warm, as on a machine in use),
  then the repetitions are interleaved (one of each case, in an order rotated every
  repetition) so that machine noise falls on every case alike. Medians; each ratio is
  computed from the same run, both as a ratio of medians and as the median of the
  per-repetition (paired) ratios.
- Scale: a synthetic data layer, the shipped data plus 100 generated countries in
  generated regions, is written into a temporary folder (never shipped) and built cold.
- Peak memory is the largest resident set of the measured process or any process it
  waited for (`os.wait4`; on Linux and macOS this includes `--jobs` workers); on Windows
  the peak working set of the main process (workers not counted), else n/a. Commands are
  started and timed by the small benchmarks/launch.py (see there why).

`--quick`: one repetition, no scale case, RESULTS.md not written unless `--results` is given.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from importlib import metadata, util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
RESULTS = ROOT / "benchmarks" / "RESULTS.md"

# How a plain script imports a package whose top-level name the build loaded.
PLAIN_IMPORT = {"matplotlib": "matplotlib.pyplot", "reportlab": "reportlab.platypus"}
FIXED_FLOOR = ("matplotlib.pyplot", "reportlab.platypus", "click")
OWN_PACKAGE = "briefpack"
NOT_PACKAGES = {"__main__", "sitecustomize", "usercustomize"}

# The figure changed for the incremental case: Japan's exports to Kyrgyzstan in 2024.
CHANGED_PLACE, CHANGED_YEAR = "kg", "2024"
CHANGED_DATASET = "japan_trade"

SCALE_SEED = 20251201
MB = 1_000_000

# Runs a briefpack entry point under sys.argv and records every module each of its processes
# loaded (the build's workers too: they are forked from it and leave through os._exit, which
# the entry point itself also uses), one file per process.
RECORD_IMPORTS = r"""
import atexit, json, os, sys
def _record(path=sys.argv[1]):
    with open(f"{path}.{os.getpid()}", "w", encoding="utf-8") as f:
        json.dump(sorted(sys.modules), f)
_exit = os._exit
def _recorded_exit(code):
    _record()
    _exit(code)
os._exit = _recorded_exit
atexit.register(_record)
module, _, attr = sys.argv[2].partition(":")
sys.argv = ["briefpack", *sys.argv[3:]]
import importlib
sys.exit(getattr(importlib.import_module(module), attr)())
"""

# Builds one pack in-process under cProfile (charts drawn inline, --jobs 1) and prints what
# the archival and accessibility post-step cost: the time spent in render/tags.py (structure
# tree, marked content, table and figure tags) and archival.py (PDF/A: XMP, OutputIntent,
# stream syntax), as a share of the whole rendering measured by the same profiler.
PROFILE_POST_STEP = r"""
import cProfile, json, pstats, sys
out, module, attr = sys.argv[1], *sys.argv[2].partition(":")[::2]
sys.argv = ["briefpack", *sys.argv[3:]]
import importlib
main = getattr(importlib.import_module("briefpack.cli"), "main")
profile = cProfile.Profile()
try:
    profile.runcall(main.main, prog_name="briefpack", standalone_mode=False)
except SystemExit:
    pass
stats = pstats.Stats(profile).stats
WRAPPERS = {"draw", "drawOn", "wrap", "split", "wrapOn", "_drawOn"}  # they draw the content
def ours(key):
    name = key[0].replace("\\", "/")
    return name.endswith(("/render/tags.py", "/archival.py")) and key[2] not in WRAPPERS
post = 0.0
for key, (cc, nc, tt, ct, callers) in stats.items():
    if ours(key) and not any(ours(c) for c in callers):
        post += ct  # an entry into the post-step from outside it: its whole cost
render = sum(v[3] for k, v in stats.items() if k[2] == "render_document")
json.dump({"post": post, "render": render}, open(out, "w"))
"""

# Imports modules listed in a file, one per line (too many for a command line on Windows).
IMPORT_LISTED = r"""
import importlib, sys
for name in open(sys.argv[1], encoding="utf-8").read().split():
    try:
        importlib.import_module(name)
    except Exception:
        pass
"""


# --------------------------------------------------------------------------- pure helpers


def third_party_packages(modules: Iterable[str], own: str = OWN_PACKAGE) -> list[str]:
    """Top-level names of the third-party packages among loaded module names."""
    stdlib = set(sys.stdlib_module_names) | set(sys.builtin_module_names)
    tops = {name.partition(".")[0] for name in modules}
    return sorted(
        (
            top
            for top in tops
            if top not in stdlib and top != own and top not in NOT_PACKAGES
            if not top.startswith("_")
        ),
        key=str.lower,
    )


def third_party_modules(modules: Iterable[str], own: str = OWN_PACKAGE) -> list[str]:
    """Every loaded module (submodules included) of the third-party packages."""
    packages = set(third_party_packages(modules, own))
    return sorted(m for m in modules if m.partition(".")[0] in packages)


def floor_imports(packages: Sequence[str]) -> list[str]:
    """What a plain script would import to load these packages."""
    return [PLAIN_IMPORT.get(p, p) for p in packages]


def import_command(modules: Sequence[str]) -> list[str]:
    return [sys.executable, "-c", "import " + ", ".join(modules)]


def change_figure(text: str, place: str = CHANGED_PLACE, year: str = CHANGED_YEAR) -> str:
    """japan_trade.csv with the place's exports that year one higher (and the balance with it).

    Only that physical line is rewritten, so every other byte of the file stays.
    """
    lines = text.splitlines(keepends=True)
    header = next(csv.reader([lines[0]]))
    col = {name: i for i, name in enumerate(header)}
    for n, line in enumerate(lines[1:], start=1):
        fields = next(csv.reader([line]))
        if len(fields) == len(header) and fields[col["country"]] == place:
            if fields[col["year"]] == year:
                fields[col["exports"]] = str(int(fields[col["exports"]]) + 1)
                fields[col["balance"]] = str(int(fields[col["balance"]]) + 1)
                ending = line[len(line.rstrip("\r\n")) :]
                lines[n] = ",".join(fields) + ending
                return "".join(lines)
    raise ValueError(f"no {place} {year} row in {CHANGED_DATASET}.csv")


PAGE_OBJECT = re.compile(rb"/Type\s*/Page(?![A-Za-z])")


def count_pages(path: Path) -> int:
    """Pages of a PDF: pypdf when installed, else the `/Type /Page` objects in the file."""
    try:
        from pypdf import PdfReader
    except ImportError:
        return len(PAGE_OBJECT.findall(path.read_bytes()))
    return len(PdfReader(path).pages)


def median_ratio(a: Sequence[float], b: Sequence[float]) -> float:
    """The median of the paired ratios a[i] / b[i]."""
    return statistics.median(x / y for x, y in zip(a, b, strict=True))


# --------------------------------------------------------------------------- synthetic layer


def synthetic_codes(n: int, taken: Iterable[str]) -> list[str]:
    """n two-letter codes not in use, from the ranges ISO 3166 leaves to users (x?, q?, z?) on."""
    taken = set(taken)
    firsts = "xqz" + "".join(c for c in "abcdefghijklmnopqrstuvwy" if c not in "xqz")
    codes = []
    for first in firsts:
        for second in "abcdefghijklmnopqrstuvwxyz":
            code = first + second
            if code not in taken:
                codes.append(code)
                if len(codes) == n:
                    return codes
    raise ValueError(f"cannot find {n} free two-letter codes")


def _read_csv(path: Path) -> tuple[list[str], list[list[str]], str]:
    raw = path.read_text(encoding="utf-8")
    bom = "\ufeff" if raw.startswith("\ufeff") else ""
    rows = list(csv.reader(io.StringIO(raw[len(bom) :], newline="")))
    return rows[0], [r for r in rows[1:] if r], bom


def _write_csv(path: Path, header: list[str], rows: list[list[str]], bom: str) -> None:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_text(bom + out.getvalue(), encoding="utf-8", newline="")


def _scaled(text: str, factor: Decimal, kind: str) -> str:
    if text.strip() == "":
        return text
    value = Decimal(text) * factor
    if kind == "int":
        return str(int(value.to_integral_value()))
    places = len(text.split(".", 1)[1]) if "." in text else 0
    return f"{value:.{places}f}"


def _numeric_columns(meta: dict) -> dict[str, str]:
    """Columns whose values are scaled per synthetic country: measures, not keys or ranks."""
    key = set(meta.get("key", []))
    return {
        name: col.get("type")
        for name, col in meta.get("columns", {}).items()
        if col.get("type") in ("int", "decimal")
        if name not in key and "rank" not in name and name != "order"
    }


def _apply_checks(meta: dict, fields: dict[str, str]) -> None:
    """Keep published-balance style checks (result = minuend − subtrahend) true."""
    for check in meta.get("checks", []):
        names = [check.get(k) for k in ("result", "minuend", "subtrahend")]
        if not all(n in fields for n in names) or any(fields[n].strip() == "" for n in names[1:]):
            continue
        result, minuend, subtrahend = names
        value = Decimal(fields[minuend]) - Decimal(fields[subtrahend])
        if "." in fields[result] or "." in fields[minuend] or "." in fields[subtrahend]:
            places = max(len(fields[n].partition(".")[2]) for n in names)
            fields[result] = f"{value:.{places}f}"
        else:
            fields[result] = str(int(value))


@dataclass
class ScaleLayer:
    root: Path
    countries: list[str]
    regions: dict[str, list[str]]
    templates: dict[str, str]  # synthetic code → shipped country it was cloned from


def make_scale_layer(
    src: Path, dst: Path, countries: int = 100, region_size: int = 10, seed: int = SCALE_SEED
) -> ScaleLayer:
    """The data layer in `src` plus `countries` generated countries, written to `dst`.

    Benchmark data, never shipped. Each new country is a clone of a shipped country (in
    turn, so the mix of rich and sparse countries is the shipped one), with every row that
    country has in every per-country dataset; its measures are scaled by a factor drawn
    from an RNG seeded with (seed, code, dataset), keeping published-balance checks true;
    keys, years, ranks and texts are kept. Its texts (profile, relations …) are copied. The
    new countries form new regions of `region_size` members, so the shipped regions and
    their packs are unchanged. Same arguments, same bytes.
    """
    shutil.copytree(src, dst)
    header, places, bom = _read_csv(dst / "places.csv")
    col = {name: i for i, name in enumerate(header)}
    shipped = sorted(
        (r for r in places if r[col["kind"]] == "country"), key=lambda r: int(r[col["order"]])
    )
    if not shipped:
        raise ValueError("the data layer has no country to clone")
    order = max(int(r[col["order"]]) for r in places)
    codes = synthetic_codes(countries, (r[col["code"]] for r in places))
    templates = {code: shipped[i % len(shipped)][col["code"]] for i, code in enumerate(codes)}
    # A region's formal name follows the shipped regions: given, or left to be composed.
    region_formal = all(r[col["formal_name"]] for r in places if r[col["kind"]] == "region")

    def place_row(code: str, kind: str, name: str, formal: str, members: str) -> list[str]:
        nonlocal order
        order += 1
        row = [""] * len(header)
        for column, value in (
            ("code", code),
            ("kind", kind),
            ("name", name),
            ("formal_name", formal),
            ("members", members),
            ("order", str(order)),
        ):
            row[col[column]] = value
        return row

    for i, code in enumerate(codes, start=1):
        places.append(place_row(code, "country", f"架空国{i:03d}", f"架空国{i:03d}共和国", ""))
    regions: dict[str, list[str]] = {}
    for j in range(math.ceil(countries / region_size)):
        members = codes[j * region_size : (j + 1) * region_size]
        region = f"synthetic-{j + 1:02d}"
        regions[region] = members
        name = f"架空地域{j + 1:02d}"
        formal = name if region_formal else ""
        places.append(place_row(region, "region", name, formal, " ".join(members)))
    _write_csv(dst / "places.csv", header, places, bom)

    by_template: dict[str, list[str]] = {}
    for code, template in templates.items():
        by_template.setdefault(template, []).append(code)

    for meta_path in sorted((dst / "datasets").glob("*.toml")):
        csv_path = meta_path.with_suffix(".csv")
        meta = tomllib.loads(meta_path.read_text(encoding="utf-8"))
        place_cols = [n for n, c in meta.get("columns", {}).items() if c.get("type") == "place"]
        if not place_cols or not csv_path.is_file():
            continue
        place_col = place_cols[0]
        numeric = _numeric_columns(meta)
        d_header, rows, d_bom = _read_csv(csv_path)
        index = {name: i for i, name in enumerate(d_header)}
        added = []
        for code in codes:
            template = templates[code]
            rng = random.Random(f"{seed}:{code}:{meta_path.stem}")
            factor = Decimal(f"{rng.uniform(0.5, 1.5):.3f}")
            for row in rows:
                if len(row) != len(d_header) or row[index[place_col]] != template:
                    continue
                fields = dict(zip(d_header, row, strict=True))
                fields[place_col] = code
                for name, kind in numeric.items():
                    if name in fields:
                        fields[name] = _scaled(fields[name], factor, kind)
                _apply_checks(meta, fields)
                added.append([fields[name] for name in d_header])
        _write_csv(csv_path, d_header, rows + added, d_bom)

    texts = dst / "texts"
    if texts.is_dir():
        for path in sorted(texts.rglob("*.toml")):
            for code in by_template.get(path.stem, []):
                shutil.copyfile(path, path.with_name(f"{code}{path.suffix}"))
    return ScaleLayer(dst, codes, regions, templates)


# --------------------------------------------------------------------------- running


@dataclass
class Run:
    seconds: float
    rss: int | None  # bytes
    returncode: int
    stdout: str
    stderr: str


LAUNCHER = Path(__file__).resolve().parent / "launch.py"

# The environment of every measured process (see child_env); None: this process's own.
# briefpack keeps machine-level caches (parsed fonts) outside --out, where this points.
USER_CACHE_VAR = "BRIEFPACK_CACHE"
CHILD_ENV: dict[str, str] | None = None


def child_env(work: Path, as_is: bool) -> tuple[dict[str, str] | None, str]:
    """The environment for the measured commands, and a sentence saying what it is.

    A user's `pip install` leaves byte-compiled files next to the package; an editable
    install under PYTHONDONTWRITEBYTECODE=1 never gets them, and every run would compile
    briefpack's modules again. Unless `as_is`, byte code is written to and read from a
    cache in the work folder (PYTHONPYCACHEPREFIX; the warm-up fills it), for every command
    alike, floors included.
    """
    flag = os.environ.get("PYTHONDONTWRITEBYTECODE")
    if as_is:
        return None, f"environment as is (PYTHONDONTWRITEBYTECODE={flag or 'unset'})"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
    env[USER_CACHE_VAR] = str(work / "user-cache")
    said = "byte code cached for every command (PYTHONPYCACHEPREFIX in the work folder"
    if flag:
        said += f"; PYTHONDONTWRITEBYTECODE={flag} of this environment ignored"
    said += (
        f"); briefpack's per-user cache ({USER_CACHE_VAR}) in the work folder, filled by the "
        "warm-up: 'cold' is a new `--out` on a machine that has run briefpack before; the "
        "first run on a machine is measured separately"
    )
    return env, said


def _cpu_seconds() -> tuple[float, float] | None:
    """(CPU seconds every CPU has been busy, CPU seconds of this process and its waited-for
    descendants), from /proc/stat and getrusage: Linux only, else None."""
    try:
        import resource

        with open("/proc/stat", encoding="ascii") as f:
            ticks = [int(x) for x in f.readline().split()[1:]]
        busy = sum(ticks[i] for i in (0, 1, 2, 5, 6)) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, ImportError, IndexError, AttributeError):
        return None
    own = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        own += usage.ru_utime + usage.ru_stime
    return busy, own


def foreign_cpu(before: tuple[float, float] | None, after: tuple[float, float] | None) -> float:
    """CPU seconds used by processes other than the benchmark's between two samples."""
    if before is None or after is None:
        return math.nan
    return max(0.0, (after[0] - before[0]) - (after[1] - before[1]))


def wait_quiet(limit: float, log: Callable[[str], None], threshold: float = 0.1) -> bool:
    """Wait (up to `limit` s) until other processes use < `threshold` of a core over 1 s."""
    start = time.monotonic()
    announced = False
    while True:
        before = _cpu_seconds()
        if before is None:
            return True
        time.sleep(1.0)
        if foreign_cpu(before, _cpu_seconds()) < threshold:
            return True
        if time.monotonic() - start >= limit:
            log(f"the machine stayed busy for {limit:.0f} s; measuring anyway")
            return False
        if not announced:
            log("other processes are using the CPU; waiting for a quiet machine")
            announced = True


def run(
    cmd: Sequence[str], cwd: Path | None = None, extra_env: dict[str, str] | None = None
) -> Run:
    """Run cmd through benchmarks/launch.py: wall time, peak RSS, exit status, output.

    Output goes to files (no pipe to fill up); the launcher is a small process, so the
    command's ru_maxrss does not start from this (larger) process's resident set.
    """
    with (
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
        tempfile.TemporaryDirectory() as tmp,
    ):
        result_path = Path(tmp) / "result.json"
        launcher = [sys.executable, str(LAUNCHER), str(result_path), *cmd]
        env = {**(CHILD_ENV or os.environ), **extra_env} if extra_env else CHILD_ENV
        proc = subprocess.run(
            launcher, cwd=cwd or ROOT, stdout=out, stderr=err, env=env, check=False
        )
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
        if proc.returncode != 0 or not result_path.is_file():
            raise SystemExit(f"benchmark: the launcher failed on {' '.join(cmd)}\n{stderr}")
        result = json.loads(result_path.read_text(encoding="utf-8"))
    return Run(result["seconds"], result["rss"], result["returncode"], stdout, stderr)


def run_ok(cmd: Sequence[str], what: str, extra_env: dict[str, str] | None = None) -> Run:
    result = run(cmd, extra_env=extra_env)
    if result.returncode != 0:
        raise SystemExit(
            f"benchmark: {what} failed (exit {result.returncode}): {' '.join(map(str, cmd))}\n"
            f"{result.stderr[-4000:]}"
        )
    return result


def briefpack_command() -> list[str]:
    """The console script a user runs, from this Python's environment; else `python -m`."""
    scripts = Path(sys.executable).parent
    for name in ("briefpack", "briefpack.exe"):
        if (scripts / name).is_file():
            return [str(scripts / name)]
    return [sys.executable, "-m", "briefpack.cli"]


def entry_point() -> str:
    try:
        for ep in metadata.entry_points(group="console_scripts"):
            if ep.name == "briefpack":
                return ep.value
    except Exception:
        pass
    return "briefpack.cli:main"


def pdf_state(folder: Path) -> dict[str, tuple[int, int]]:
    return {p.name: (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.glob("*.pdf")}


def pdf_hashes(folder: Path) -> dict[str, bytes]:
    import hashlib

    return {p.name: hashlib.sha256(p.read_bytes()).digest() for p in folder.glob("*.pdf")}


# --------------------------------------------------------------------------- the cases


@dataclass
class Case:
    key: str
    label: str
    command: Callable[[int], list[str]]  # repetition → command (-1: warm-up)
    prepare: Callable[[int], None] | None = None
    verify: Callable[[int, Run], None] | None = None
    build: bool = False  # a briefpack process (its RSS counts for the target)
    note: str = ""
    env: Callable[[int], dict[str, str]] | None = None  # extra environment per run
    samples: list[float] = field(default_factory=list)
    rss: list[int | None] = field(default_factory=list)


@dataclass
class Bench:
    work: Path
    repeat: int
    scale: bool
    scale_countries: int
    scale_region_size: int
    quiet_wait: float = 0.0
    noisy_limit: float = 0.0
    argv: list[str] = field(default_factory=list)
    bp: list[str] = field(default_factory=briefpack_command)
    cases: dict[str, Case] = field(default_factory=dict)
    info: dict[str, object] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def add(self, case: Case) -> None:
        self.cases[case.key] = case

    # ---- setup

    def record_imports(self, args: list[str], name: str) -> list[str]:
        out = self.work / f"modules-{name}.json"
        cmd = [sys.executable, "-c", RECORD_IMPORTS, str(out), entry_point(), *args]
        # Forked workers, so that every process of the build is recorded (spawned ones
        # would start without the recorder).
        run_ok(cmd, f"recording the imports of `briefpack {' '.join(args)}`",
               {"BRIEFPACK_START_METHOD": "fork"} if hasattr(os, "fork") else None)  # fmt: skip
        loaded: set[str] = set()
        for path in self.work.glob(f"modules-{name}.json.*"):
            loaded.update(json.loads(path.read_text(encoding="utf-8")))
        return sorted(loaded)

    def cmd(self, *args: str, data: Path | None = None) -> list[str]:
        """A briefpack command line (global `--data` first, as the contract requires)."""
        return [*self.bp, *(["--data", str(data)] if data else []), *args]

    def setup(self) -> None:
        work = self.work
        # What a cold single build imports (a new --out folder), and what a no-op imports.
        cold_args = ["build", "relations", "kg", "--out", str(work / "record")]
        loaded = self.record_imports(cold_args, "cold")
        packages = third_party_packages(loaded)
        importable = [p for p in packages if util.find_spec(p) is not None]
        derived = floor_imports(importable)
        exact = third_party_modules(loaded)
        exact_list = work / "exact-modules.txt"
        exact_list.write_text("\n".join(exact), encoding="utf-8")
        self.info.update(
            packages=packages,
            derived=derived,
            pyplot_loaded="matplotlib.pyplot" in loaded,
            platypus_loaded="reportlab.platypus" in loaded,
            pandas_loaded="pandas" in packages,
            dropped=[p for p in packages if p not in importable],
        )

        # What the PDF/A and tagged-PDF post-step costs, as a share of rendering.
        post_out = work / "post-step.json"
        post_args = ["build", "relations", "kg", "--jobs", "1", "--out", str(work / "post")]
        run_ok([sys.executable, "-c", PROFILE_POST_STEP, str(post_out), "briefpack.cli:main",
                *post_args], "profiling the PDF/A and tagging post-step")  # fmt: skip
        self.info["post_step"] = json.loads(post_out.read_text(encoding="utf-8"))

        # Baselines.
        self.add(Case("floor", f"derived floor: `import {', '.join(derived)}`",
                      lambda i: import_command(derived)))  # fmt: skip
        self.add(Case("fixed", f"fixed floor: `import {', '.join(FIXED_FLOOR)}`",
                      lambda i: import_command(FIXED_FLOOR)))  # fmt: skip
        self.add(
            Case(
                "floor_blas",
                "derived floor with `OPENBLAS_NUM_THREADS=1`, as briefpack's processes import it",
                lambda i: import_command(derived),
                env=lambda i: {"OPENBLAS_NUM_THREADS": "1"},
                note="no target: the briefpack command asks numpy for one BLAS thread "
                "(its charts have a few dozen points); a plain script does not",
            )
        )
        self.add(
            Case(
                "exact",
                f"the {len(exact)} third-party modules the cold build loaded, one by one",
                lambda i: [sys.executable, "-c", IMPORT_LISTED, str(exact_list)],
                note="no target: the build's own import floor (no pyplot)",
            )
        )
        self.add(Case("click", '`python -c "import click"`', lambda i: import_command(["click"])))

        # Cold: a new --out folder for every run.
        one_dir = self.new_dir("cold-one")
        self.add(
            Case(
                "cold_one",
                "cold: `build relations kg --out NEW`",
                lambda i: self.cmd("build", "relations", "kg", "--out", str(one_dir(i))),
                verify=lambda i, r: self.check_pdfs(one_dir(i), {"relations-kg.pdf"}, "cold_one"),
                build=True,
            )
        )
        first_dir = self.new_dir("first-run")
        self.add(
            Case(
                "first_run",
                "cold, empty per-user cache (first run on a machine): `build relations kg`",
                lambda i: self.cmd("build", "relations", "kg", "--out", str(first_dir(i))),
                verify=lambda i, r: self.check_pdfs(
                    first_dir(i), {"relations-kg.pdf"}, "first_run"
                ),
                build=True,
                note="no target",
                env=lambda i: {USER_CACHE_VAR: str(self.work / f"user-cache-empty-{i}")},
            )
        )
        all_dir = self.new_dir("cold-all")
        self.add(
            Case(
                "cold_all",
                "cold: `build --all --jobs 2 --out NEW`",
                lambda i: self.cmd("build", "--all", "--jobs", "2", "--out", str(all_dir(i))),
                verify=lambda i, r: self.check_all(all_dir(i), "cold_all", i),
                build=True,
            )
        )
        # No-op: on the warm-up's cold --all folder (its warm-up run is the first no-op).
        self.add_noop("noop", "no-op: `build --all` (folder already built)", all_dir(-1), None)

        # One figure changed: a data copy; every repetition rebuilds the baseline folder
        # from the unchanged copy (untimed), then changes the figure and times the update.
        fig_data = work / "data-figure"
        shutil.copytree(DATA, fig_data)
        trade = fig_data / "datasets" / f"{CHANGED_DATASET}.csv"
        original = trade.read_bytes()
        changed = change_figure(original.decode("utf-8")).encode("utf-8")
        fig_dir = self.new_dir("figure")
        baseline: dict[int, dict[str, bytes]] = {}

        def fig_cmd(i: int) -> list[str]:
            return self.cmd(
                "build", "--all", "--jobs", "2", "--out", str(fig_dir(i)), data=fig_data
            )

        def prepare_figure(i: int) -> None:
            trade.write_bytes(original)
            run_ok(fig_cmd(i), "building the baseline for the one-figure case")
            baseline[i] = pdf_hashes(fig_dir(i))
            time.sleep(0.05)  # the edit gets a later mtime than the baseline build's reads
            trade.write_bytes(changed)

        def verify_figure(i: int, r: Run) -> None:
            after = pdf_hashes(fig_dir(i))
            rewritten = sorted(n for n in after if after[n] != baseline[i].get(n))
            if not rewritten:
                raise SystemExit("benchmark: the one-figure change rebuilt nothing")
            names = ", ".join(n.removesuffix(".pdf") for n in rewritten)
            self.cases["figure"].note = f"{len(rewritten)} of {len(after)} PDFs rewritten: {names}"
            shutil.rmtree(fig_dir(i), ignore_errors=True)

        self.add(
            Case(
                "figure",
                f"one figure changed ({CHANGED_PLACE} {CHANGED_YEAR} {CHANGED_DATASET}): "
                "`build --all --jobs 2`",
                fig_cmd,
                prepare=prepare_figure,
                verify=verify_figure,
                build=True,
            )
        )

        if not self.scale:
            return
        layer = make_scale_layer(
            DATA, work / "data-scale", self.scale_countries, self.scale_region_size
        )
        run_ok(self.cmd("check", data=layer.root), "`briefpack check` on the scale layer")
        self.info["scale_layer"] = layer
        scale_dir = self.new_dir("scale")
        extra = f"+{len(layer.countries)} countries"
        self.add(
            Case(
                "scale_cold",
                f"scale ({extra}): cold `build --all --jobs 2 --out NEW`",
                lambda i: self.cmd(
                    "build", "--all", "--jobs", "2", "--out", str(scale_dir(i)), data=layer.root
                ),
                verify=lambda i, r: self.check_all(scale_dir(i), "scale_cold", i),
                build=True,
            )
        )
        self.add_noop(
            "scale_noop", f"scale ({extra}): no-op `build --all`", scale_dir(-1), layer.root
        )

    def new_dir(self, name: str) -> Callable[[int], Path]:
        """A new output folder per run (`-w` for the warm-up run)."""
        return lambda i: self.work / f"{name}-{'w' if i < 0 else i}"

    def add_noop(self, key: str, label: str, folder: Path, data: Path | None) -> None:
        """A no-op `build --all` on a built folder; its warm-up run is the first no-op there."""
        before: dict[str, tuple[int, int]] = {}

        def verify(i: int, r: Run) -> None:
            if i < 0:
                before.update(pdf_state(folder))
            elif pdf_state(folder) != before:
                raise SystemExit(f"benchmark: {key}: the no-op run rewrote PDFs in {folder}")

        self.add(
            Case(
                key,
                label,
                lambda i: self.cmd("build", "--all", "--out", str(folder), data=data),
                verify=verify,
                build=True,
            )
        )

    # ---- verification

    def check_pdfs(self, folder: Path, expected: set[str], key: str) -> None:
        found = {p.name for p in folder.glob("*.pdf")}
        if not expected <= found:
            raise SystemExit(f"benchmark: {key}: missing {sorted(expected - found)} in {folder}")
        shutil.rmtree(folder, ignore_errors=True)

    def check_all(self, folder: Path, key: str, i: int) -> None:
        """Every pack built; the warm-up's folder is counted once and kept for the no-op."""
        pdfs = sorted(folder.glob("*.pdf"))
        if i < 0:
            pages = {p.name: count_pages(p) for p in pdfs}
            sizes = {p.name: p.stat().st_size for p in pdfs}
            self.info[key] = {
                "packs": len(pdfs),
                "pages": sum(pages.values()),
                "sizes": sizes,
                "per_pack_pages": pages,
            }
            return
        if len(pdfs) != self.info[key]["packs"]:  # type: ignore[index]
            raise SystemExit(f"benchmark: {key}: {len(pdfs)} PDFs, not the warm-up's number")
        shutil.rmtree(folder, ignore_errors=True)

    # ---- measuring

    def execute(self, case: Case, i: int) -> None:
        if case.prepare:
            case.prepare(i)
        result = run_ok(case.command(i), case.label, case.env(i) if case.env else None)
        if case.verify:
            case.verify(i, result)
        if i >= 0:
            case.samples.append(result.seconds)
            case.rss.append(result.rss)

    def measure(self, log: Callable[[str], None]) -> None:
        cases = list(self.cases.values())
        log("warm-up: every case once, untimed")
        for case in cases:
            self.execute(case, -1)
        # What a no-op loads (the contract: the standard library and click only).
        noop_args = self.cases["noop"].command(-1)[len(self.bp) :]
        self.info["noop_packages"] = third_party_packages(self.record_imports(noop_args, "noop"))
        busy: list[float] = []  # other processes' CPU use per kept repetition, in cores
        discarded: list[float] = []
        noisy_start = 0
        attempt = 0
        while len(busy) < self.repeat:
            if self.quiet_wait and not wait_quiet(self.quiet_wait, log):
                noisy_start += 1
            kept = {key: len(case.samples) for key, case in self.cases.items()}
            before, start = _cpu_seconds(), time.perf_counter()
            shift = len(busy) % len(cases)
            for case in cases[shift:] + cases[:shift]:
                self.execute(case, attempt)
            attempt += 1
            other = foreign_cpu(before, _cpu_seconds()) / (time.perf_counter() - start)
            summary = ", ".join(f"{c.key} {c.samples[-1]:.3f}" for c in cases)
            retry = self.noisy_limit and other > self.noisy_limit
            if retry and len(discarded) < self.repeat:
                discarded.append(other)
                for key, case in self.cases.items():  # drop this repetition's samples
                    del case.samples[kept[key] :]
                    del case.rss[kept[key] :]
                log(f"discarded (other processes used {other:.2f} cores): {summary}")
                continue
            busy.append(other)
            log(f"repetition {len(busy)}/{self.repeat}: {summary}; others used {other:.2f} cores")
        self.info["foreign"] = busy
        self.info["discarded"] = discarded
        if discarded:
            self.warnings.append(
                f"{len(discarded)} repetition(s) discarded and run again because other processes "
                f"used more than {self.noisy_limit:g} cores meanwhile ("
                + ", ".join(f"{x:.2f}" for x in discarded)
                + ")"
            )
        if busy and not math.isnan(max(busy)) and max(busy) > 0.1:
            self.warnings.append(
                "the machine was not quiet: other processes used up to "
                f"{max(busy):.2f} cores during a kept repetition (median "
                f"{statistics.median(busy):.2f})"
                + (f"; {noisy_start} started without a quiet second" if noisy_start else "")
            )


# --------------------------------------------------------------------------- report


def _versions() -> list[str]:
    out = []
    for name in ("briefpack", "reportlab", "matplotlib", "click", "pandas", "numpy", "pypdf"):
        try:
            out.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            continue
    accel = util.find_spec("rl_accel") is not None or util.find_spec("_rl_accel") is not None
    out.append(f"ReportLab C accelerators (rl_accel) {'installed' if accel else 'not installed'}")
    return out


def _machine() -> str:
    cores = os.cpu_count()
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else cores
    text = f"{platform.platform()}, {platform.machine()}, {cores} cores ({usable} usable)"
    if hasattr(os, "getloadavg"):
        text += ", load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
    return text


def _fmt_mb(value: int | None) -> str:
    return "n/a" if value is None else f"{value / MB:.0f}"


def _peak(values: Sequence[int | None]) -> int | None:
    known = [v for v in values if v is not None]
    return max(known) if known else None


@dataclass
class Target:
    label: str
    measured: float | None  # ratio of medians (or seconds, MB)
    paired: float | None  # median of paired ratios
    limit: float
    strict: bool = False  # measured < limit instead of ≤
    unit: str = "×"

    @property
    def met(self) -> str:
        if self.measured is None:
            return "n/a"
        ok = self.measured < self.limit if self.strict else self.measured <= self.limit
        if ok and self.paired is not None:
            ok = self.paired < self.limit if self.strict else self.paired <= self.limit
        return "yes" if ok else "**no**"


def evaluate(b: Bench) -> list[Target]:
    c = b.cases
    med = {k: statistics.median(v.samples) for k, v in c.items()}

    def ratio(a: str, base: str) -> tuple[float, float]:
        return med[a] / med[base], median_ratio(c[a].samples, c[base].samples)

    targets = [
        Target("cold single pack ≤ 1.5 × derived floor", *ratio("cold_one", "floor"), 1.5),
        Target("cold `--all --jobs 2` ≤ 2.5 × one cold pack", *ratio("cold_all", "cold_one"), 2.5),
        Target("one figure changed `--all` ≤ 1.5 × derived floor", *ratio("figure", "floor"), 1.5),
        Target("no-op `--all` ≤ 2 × `import click`", *ratio("noop", "click"), 2.0),
    ]
    peak = _peak([r for case in c.values() if case.build for r in case.rss])
    targets.append(
        Target(
            "peak RSS per process ≤ 250 MB",
            None if peak is None else peak / MB,
            None,
            250,
            unit="MB",
        )
    )
    if "scale_cold" in c:
        pages, scale_pages = b.info["cold_all"]["pages"], b.info["scale_cold"]["pages"]  # type: ignore[index]
        per = [
            s / scale_pages / (a / pages)
            for s, a in zip(c["scale_cold"].samples, c["cold_all"].samples, strict=True)
        ]
        targets.append(
            Target(
                "scale: per-page cost of cold `--all` ≤ 1.1 × shipped layer's",
                (med["scale_cold"] / scale_pages) / (med["cold_all"] / pages),
                statistics.median(per),
                1.1,
            )
        )
        targets.append(
            Target(
                "scale: no-op `--all` < 1 s", med["scale_noop"], None, 1.0, strict=True, unit="s"
            )
        )
    else:
        targets.append(Target("scale: per-page cost ≤ 1.1 × shipped (skipped)", None, None, 1.1))
        targets.append(Target("scale: no-op `--all` < 1 s (skipped)", None, None, 1.0, True, "s"))
    return targets


def render(b: Bench, targets: list[Target], started: str, finished: str, seconds: float) -> str:
    c, info = b.cases, b.info
    med = {k: statistics.median(v.samples) for k, v in c.items()}
    out = io.StringIO()
    w = out.write
    w("# Benchmark results\n\n")
    w(f"Written by `{' '.join(['python benchmarks/run.py', *b.argv])}`; ")
    w("every figure below comes from that one run.\n\n")
    w(f"- machine: {_machine()}\n")
    w(f"- Python {platform.python_version()} ({platform.python_implementation()})\n")
    w(f"- versions: {', '.join(_versions())}\n")
    w(f"- code: {info['code']}\n")
    w(f"- run: {started} → {finished} ({seconds:.0f} s); command `{' '.join(b.bp)}`\n")
    w(f"- environment: {info['env']}\n")
    foreign = [x for x in info.get("foreign", []) if not math.isnan(x)]
    if foreign:
        w(
            "- other processes' CPU use per repetition (cores): "
            + ", ".join(f"{x:.2f}" for x in foreign)
            + "\n"
        )
    w(
        f"- method: {b.repeat} interleaved repetitions (order rotated each time) after one "
        "untimed warm-up of every case; medians. Cold = a new `--out` folder in a new process "
        "(no manifest, no chart cache). Ratios: of the medians, and (paired) the median of the "
        "per-repetition ratios.\n"
    )
    w(
        "- derived floor: the third-party packages a cold `build relations kg` loaded: "
        f"{', '.join(info['packages'])}; imported as a plain script would: "
        f"`import {', '.join(info['derived'])}`. The build itself loaded "
        f"matplotlib.pyplot: {'yes' if info['pyplot_loaded'] else 'no'}, "
        f"reportlab.platypus: {'yes' if info['platypus_loaded'] else 'no'}, "
        f"pandas: {'yes' if info['pandas_loaded'] else 'no'}.\n"
    )
    if info.get("dropped"):
        w(f"- not importable on their own, left out of the floor: {', '.join(info['dropped'])}\n")
    post = info.get("post_step")
    if post and post.get("render"):
        w(
            "- PDF/A and tagged-PDF post-step (structure tree, marked content, XMP, "
            "OutputIntent), profiled in one `build relations kg --jobs 1`: "
            f"{post['post']:.3f} s of {post['render']:.3f} s rendering "
            f"({post['post'] / post['render']:.1%}, under cProfile); it is included in "
            "every build time below\n"
        )
    noop_pkgs = info["noop_packages"]
    w(f"- third-party packages a no-op `build --all` loads: {', '.join(noop_pkgs) or 'none'}\n")
    for warning in b.warnings:
        w(f"- **warning**: {warning}\n")

    w("\n## Measurements\n\n")
    w(
        "| measurement | median (s) | min | max | × derived floor | × fixed floor "
        "| × import click | peak RSS (MB) | notes |\n"
    )
    w("|---|---:|---:|---:|---:|---:|---:|---:|---|\n")
    for key, case in c.items():
        m = med[key]
        w(
            f"| {case.label} | {m:.3f} | {min(case.samples):.3f} | {max(case.samples):.3f} "
            f"| {m / med['floor']:.2f} | {m / med['fixed']:.2f} | {m / med['click']:.2f} "
            f"| {_fmt_mb(_peak(case.rss))} | {case.note} |\n"
        )

    w("\n## Targets\n\n| target | measured (ratio of medians) | paired | limit | met |\n")
    w("|---|---:|---:|---:|---|\n")
    for t in targets:
        measured = "skipped" if t.measured is None else f"{t.measured:.2f} {t.unit}"
        paired = "" if t.paired is None else f"{t.paired:.2f}"
        limit = f"{'<' if t.strict else '≤'} {t.limit:g} {t.unit}"
        w(f"| {t.label} | {measured} | {paired} | {limit} | {t.met} |\n")

    if "scale_cold" in c:
        net = [
            ((s - f) / info["scale_cold"]["pages"]) / ((a - f) / info["cold_all"]["pages"])
            for s, a, f in zip(
                c["scale_cold"].samples, c["cold_all"].samples, c["floor"].samples, strict=True
            )
        ]
        w(
            "\nNo target, for reading the per-page row: net of the derived floor (the start-up "
            "that a larger run spreads over more pages), the scale layer's cost per page is "
            f"{statistics.median(net):.2f} × the shipped layer's (paired median).\n"
        )
    w(
        "\n## Per page\n\n| layer | packs | pages | cold `--all --jobs 2` (s) | s per page "
        "| (s − derived floor) per page |\n|---|---:|---:|---:|---:|---:|\n"
    )
    layers = [("shipped `data/`", "cold_all")]
    if "scale_cold" in c:
        layer = info["scale_layer"]
        layers.append(
            (
                f"shipped + {len(layer.countries)} synthetic countries in "
                f"{len(layer.regions)} regions of {b.scale_region_size}",
                "scale_cold",
            )
        )
    for name, key in layers:
        data = info[key]
        pages = data["pages"]
        w(
            f"| {name} | {data['packs']} | {pages} | {med[key]:.2f} | {med[key] / pages:.4f} "
            f"| {(med[key] - med['floor']) / pages:.4f} |\n"
        )
    if "scale_cold" in c:
        sizes = info["scale_cold"]["sizes"].values()
        w(
            f"\nScale layer PDFs: {sum(sizes) / MB:.1f} MB in all, largest "
            f"{max(sizes) / MB:.2f} MB. Each synthetic country clones a shipped one in turn "
            "(rows, profile and texts), its measures scaled by a seeded random factor; "
            "generated in a temporary folder by this script, never shipped.\n"
        )

    w("\n## PDF sizes (shipped layer, cold `--all`)\n\n| pack | pages | bytes |\n|---|---:|---:|\n")
    shipped = info["cold_all"]
    for name, size in sorted(shipped["sizes"].items()):
        w(f"| {name} | {shipped['per_pack_pages'][name]} | {size:,} |\n")
    return out.getvalue()


def take_snapshot(dst: Path) -> tuple[Path, Path]:
    """Copy the product (src/, data/, styles/) so that edits made meanwhile do not count."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("src", "data", "styles"):
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, dst / name, ignore=ignore)
    return dst, dst / "data"


def code_state() -> str:
    """The commit measured, and whether the product code differs from it."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        )
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "src", "data", "styles", "pyproject.toml"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
    except OSError:
        return "unknown (no git)"
    if head.returncode != 0:
        return "unknown (not a git checkout)"
    changed = len(dirty.stdout.splitlines())
    extra = f" + {changed} uncommitted change(s) under src/, data/, styles/" if changed else ""
    return f"commit {head.stdout.strip()}{extra}"


# --------------------------------------------------------------------------- guards


def _cache_roots() -> list[Path]:
    home = Path.home()
    roots = [Path(os.environ.get("XDG_CACHE_HOME", home / ".cache")), home / "Library" / "Caches"]
    for var in ("LOCALAPPDATA", "APPDATA"):
        if os.environ.get(var):
            roots.append(Path(os.environ[var]))
    roots.append(Path(tempfile.gettempdir()))
    return [r for r in roots if r.is_dir()]


def outside_state() -> dict[str, object]:
    """What a build could leave outside --out: caches named briefpack, package or data files."""
    state: dict[str, object] = {}
    for root in _cache_roots():
        try:
            for entry in root.iterdir():
                name = entry.name.lower()
                if "briefpack" in name and not name.startswith("briefpack-bench-"):
                    state[str(entry)] = "cache"
        except OSError:
            continue
    spec = util.find_spec(OWN_PACKAGE)
    for folder in (spec.submodule_search_locations or []) if spec else []:
        for path in Path(folder).rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".py":
                state[str(path)] = path.stat().st_size
    for path in DATA.rglob("*"):
        if path.is_file():
            state[str(path)] = path.stat().st_mtime_ns
    return state


# --------------------------------------------------------------------------- main


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="repetitions (default 5)")
    parser.add_argument("--quick", action="store_true", help="1 repetition, no scale case")
    parser.add_argument("--results", type=Path, help=f"report file (default {RESULTS})")
    parser.add_argument("--scale-countries", type=int, default=100)
    parser.add_argument("--scale-region-size", type=int, default=10)
    parser.add_argument("--keep", action="store_true", help="keep the temporary work folder")
    parser.add_argument(
        "--snapshot",
        action="store_true",
        help="measure a copy of src/, data/ and styles/ taken at the start (for a tree that "
        "others are editing meanwhile); the copy is imported through PYTHONPATH",
    )
    parser.add_argument(
        "--env-as-is",
        action="store_true",
        help="measure with this environment as it is (default: byte code cached, see child_env)",
    )
    parser.add_argument(
        "--quiet-wait",
        type=float,
        default=120.0,
        help="before each repetition wait up to this many seconds for other processes to "
        "leave the CPU idle (Linux; 0: do not wait; default 120)",
    )
    parser.add_argument(
        "--noisy-limit",
        type=float,
        default=0.25,
        help="run a repetition again (at most --repeat times in all) when other processes "
        "used more than this many cores during it (Linux; 0: never; default 0.25)",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.repeat = 1
    results = args.results or (None if args.quick else RESULTS)

    def log(message: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)

    started = time.strftime("%Y-%m-%d %H:%M:%S %z")
    t0 = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="briefpack-bench-"))
    global CHILD_ENV, ROOT, DATA
    code = code_state()
    CHILD_ENV, env_note = child_env(work, args.env_as_is)
    if args.snapshot:
        ROOT, DATA = take_snapshot(work / "snapshot")
        CHILD_ENV = dict(CHILD_ENV or os.environ)
        CHILD_ENV["PYTHONPATH"] = os.pathsep.join(
            [str(ROOT / "src"), *filter(None, [os.environ.get("PYTHONPATH")])]
        )
        sys.path.insert(0, str(ROOT / "src"))
        code += f"; measured from a copy taken at {time.strftime('%H:%M:%S')} (--snapshot)"
    before = outside_state()
    bench = Bench(
        work,
        args.repeat,
        not args.quick,
        args.scale_countries,
        args.scale_region_size,
        args.quiet_wait,
        args.noisy_limit,
    )
    bench.info["env"] = env_note
    bench.argv = list(sys.argv[1:] if argv is None else argv)
    bench.info["code"] = code
    try:
        log(f"setting up in {work}")
        bench.setup()
        bench.measure(log)
        after = outside_state()
        new = sorted(set(after) - set(before))
        changed = sorted(k for k in before if k in after and before[k] != after[k])
        if new or changed:
            bench.warnings.append(
                "files appeared or changed outside `--out` during the run (a cache there "
                "would make later 'cold' runs warm): " + ", ".join(new + changed)
            )
        targets = evaluate(bench)
        finished = time.strftime("%Y-%m-%d %H:%M:%S %z")
        report = render(bench, targets, started, finished, time.perf_counter() - t0)
    finally:
        if args.keep:
            log(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    print(report)
    if results:
        results.write_text(report, encoding="utf-8")
        log(f"wrote {results}")
    else:
        log("RESULTS.md not written (--quick); pass --results PATH to write a report")


if __name__ == "__main__":
    main()
