#!/usr/bin/env python3
"""Break the product on purpose, one mutation at a time, and check that the suite goes red.

Usage: python tools/mutation_check.py [--only N] — run from a checkout whose package is
installed editable (it edits files under src/ and always restores them).  Prints, for each
mutation, the tests that failed; a mutation that no test catches is a gap in the suite.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src" / "briefpack"

# (what it breaks, file, text, replacement, test files to run)
MUTATIONS = [
    (
        "「。」 may start a line",
        "linebreak.py",
        'FULL_STOPS = "。．."',
        'FULL_STOPS = "．."',
        ["tests/test_linebreak.py"],
    ),
    (
        "justification off",
        "linebreak.py",
        "justify and not last",
        "False",
        ["tests/test_linebreak.py"],
    ),
    (
        "exports and imports swapped in the trade chart",
        "pack/blocks/charts.py",
        '"bars": {dataset.column(b).label: [_value(r, b) for r in ordered] for b in bars},',
        '"bars": {dataset.column(b).label: [_value(r, o) for r in ordered]'
        " for b, o in zip(bars, bars[::-1])},",
        ["tests/test_drawn.py", "tests/test_follow_data.py"],
    ),
    (
        "--force ignored",
        "runner.py",
        "if not options.force and _up_to_date(",
        "if _up_to_date(",
        ["tests/test_cli.py", "tests/test_regeneration.py", "tests/test_incremental.py"],
    ),
    (
        "--force still reads the chart cache",
        "runner.py",
        "ChartCache(options.out_dir, read=not options.force)",
        "ChartCache(options.out_dir, read=True)",
        ["tests/test_cli.py", "tests/test_regeneration.py"],
    ),
    (
        "出所 line dropped",
        "render/flow.py",
        "    if item.sources:\n",
        "    if False:\n",
        ["tests/test_build.py", "tests/test_recipes.py"],
    ),
    (
        "a heading's year fixed at 2024",
        "pack/blocks/__init__.py",
        '.replace("{year}", str(last))',
        '.replace("{year}", "2024")',
        ["tests/test_follow_data.py", "tests/test_recipes.py"],
    ),
    (
        "ranks compare rows of every year, not one value per place for one year",
        "pack/blocks/comment.py",
        "        with_value = [r for r in with_value if r[ycol] == year]",
        "        pass",
        ["tests/test_follow_data.py", "tests/test_packs.py"],
    ),
    (
        'year = "latest" ignored',
        "pack/blocks/__init__.py",
        'if spec.get("year") == "latest":',
        "if False:",
        ["tests/test_follow_data.py", "tests/test_drawn.py"],
    ),
    (
        "a place without a value silently left out",
        "pack/blocks/comment.py",
        "    if missing and any(out):",
        "    if False:",
        ["tests/test_follow_data.py", "tests/test_recipes.py"],
    ),
    (
        "a row's own source ignored",
        "pack/blocks/__init__.py",
        '    own = row["source"] if dataset.column("source") else None',
        "    own = None",
        ["tests/test_follow_data.py", "tests/test_recipes.py"],
    ),
    (
        "quick check trusts size and mtime of the data",
        "runner.py",
        '"data": tree_digest(options.data_root, trust_stat=False)',
        '"data": tree_digest(options.data_root, trust_stat=True)',
        ["tests/test_regeneration.py"],
    ),
    (
        "a neighbour's figure not part of the fingerprint (ranks read behind its back)",
        "runner.py",
        'parts = {"plan": made.digest(), **setting.parts}',
        'parts = {"plan": digest([s.title for s in made.sections]), **setting.parts}',
        ["tests/test_regeneration.py", "tests/test_incremental.py"],
    ),
    (
        "region count stored, not composed",
        "pack/plan.py",
        'return f"{place.name}{len(place.members)}カ国"',
        'return f"{place.name}5カ国"',
        ["tests/test_follow_data.py", "tests/test_recipes.py"],
    ),
    (
        "literal years in specs accepted",
        "spec.py",
        '            match = LITERAL_YEAR.search(QUOTED.sub("", value))',
        "            match = None",
        ["tests/test_follow_data.py"],
    ),
]


MUTATIONS += [
    (
        "charts drawn ahead under --force wait on the entries already in the cache",
        "runner.py",
        "        cache.forget(key)  # what the packs wait for is this run's drawing, nothing older",
        "        pass",
        ["tests/test_workers.py", "tests/test_regeneration.py"],
    ),
    (
        "a chart a worker fails to draw fails the pack",
        "render/charts.py",
        "        except Exception:  # noqa: BLE001 - the caller draws it itself",
        "        except ZeroDivisionError:",
        ["tests/test_workers.py"],
    ),
]


MUTATIONS += [
    (
        "blocks kept whole and pushed to the next page (ReportLab KeepTogether)",
        "render/flow.py",
        "    return Composed(\n        parts, breakable, block.type, rc.frame_height,"
        " least_scale=chart_floor(rc.style)\n    )",
        "    from reportlab.platypus import KeepTogether\n\n    return KeepTogether(parts)",
        ["tests/test_composition.py"],
    ),
    (
        "figures wrap in year columns too narrow for them",
        "render/flow.py",
        "    per_table = max(1, min(columns, int((frame - label_w) // need)))",
        "    per_table = columns",
        ["tests/test_composition.py"],
    ),
    (
        "a heading may be left at the foot of a page",
        "render/flow.py",
        "            glued = isinstance(item, model.Heading | model.UnitLine)",
        "            glued = False",
        ["tests/test_composition.py"],
    ),
    (
        "a table may break leaving its header with fewer than two rows",
        "render/compose.py",
        "MIN_TABLE_ROWS = 2",
        "MIN_TABLE_ROWS = 0",
        ["tests/test_composition.py"],
    ),
    (
        "runts allowed",
        "linebreak.py",
        "        raw = _without_runt(units, width, em, _fill(units, width), justify)",
        "        raw = _fill(units, width)",
        ["tests/test_composition.py"],
    ),
    (
        "a section's short last page left as it is",
        "render/tails.py",
        "    if before is None or len(before) < 2 or before[-1] >= TAIL_FILL * height:",
        "    if True:",
        ["tests/test_composition.py"],
    ),
    (
        "a country pack's member not stood out in the region's chart",
        "render/charts.py",
        "    if target is None:\n        return ops",
        "    if True:\n        return ops",
        ["tests/test_drawn.py"],
    ),
    (
        "the データ出所一覧 names the publication above every row",
        "render/document.py",
        "        by_publication.setdefault(entry.publication, []).append(entry)",
        "        by_publication.setdefault(entry.title + entry.source, []).append(entry)",
        ["tests/test_apparatus.py"],
    ),
]


def run(selection: list[str]) -> tuple[bool, list[str]]:
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", *selection],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    failed = re.findall(r"^FAILED (\S+)", result.stdout, flags=re.M)
    return result.returncode != 0, failed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", type=int, action="append")
    args = parser.parse_args()
    import briefpack

    if not Path(briefpack.__file__).resolve().is_relative_to(SRC):
        raise SystemExit(
            f"briefpack is imported from {briefpack.__file__}, not from {SRC}: "
            "install it editable (pip install -e .) so that the mutations take effect"
        )
    selections = sorted({t for m in MUTATIONS for t in m[4]})
    red, failed = run(selections)
    if red:
        raise SystemExit(f"the suite is red before any mutation: {failed or 'see pytest'}")
    missed = 0
    for n, (what, name, old, new, tests) in enumerate(MUTATIONS, start=1):
        if args.only and n not in args.only:
            continue
        path = SRC / name
        original = path.read_text(encoding="utf-8")
        if original.count(old) != 1:
            print(f"{n:2}. {what}: SKIPPED (the text to mutate is not in {name} exactly once)")
            missed += 1
            continue
        try:
            path.write_text(original.replace(old, new), encoding="utf-8")
            red, failed = run(tests)
        finally:
            path.write_text(original, encoding="utf-8")
        verdict = "caught by " + ", ".join(failed or ["(a failing test)"]) if red else "NOT CAUGHT"
        missed += not red
        print(f"{n:2}. {what}: {verdict}", flush=True)
    raise SystemExit(1 if missed else 0)


if __name__ == "__main__":
    main()
