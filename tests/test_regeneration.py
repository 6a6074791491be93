"""A nightly run is never stale: after any single edit, incremental = fresh, byte for byte.

The property test mutates one random cell (or row) of one random dataset or prose file,
rebuilds incrementally into a folder built before the edit, builds fresh into an empty
folder, and compares every pack.  ``BRIEFPACK_MUTATIONS=50`` runs more edits than CI does.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import time
from pathlib import Path

import pytest

from .conftest import DATA, cli
from .edits import read_csv, write_csv

MUTATIONS = int(os.environ.get("BRIEFPACK_MUTATIONS", "3"))
SEED = int(os.environ.get("BRIEFPACK_MUTATION_SEED", "20261201"))


def build_all(data: Path, out: Path, *extra: str) -> dict:
    result = cli("build", "--all", "--out", str(out), "--json", "--jobs", "2", *extra, data=data)
    assert result.stdout.startswith("{"), result.stderr
    return json.loads(result.stdout)


def pdfs(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.glob("*.pdf"))}


def mtimes(out: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in sorted(out.glob("*.pdf"))}


def random_edit(data: Path, rng: random.Random) -> str:
    """One routine edit: a changed cell, a removed row, a new year's row, or changed prose."""
    if rng.random() < 0.2:
        return _edit_prose(data, rng)
    csvs = sorted((data / "datasets").glob("*.csv"))
    path = rng.choice(csvs)
    header, body = read_csv(path)
    meta = path.with_suffix(".toml").read_text(encoding="utf-8")
    key = re.search(r"^key = \[(.*)\]", meta, flags=re.M)
    keys = re.findall(r'"(\w+)"', key[1]) if key else []
    kind = rng.choice(["cell", "cell", "row", "year"])
    if kind == "row" and len(body) > 1:
        row = body.pop(rng.randrange(len(body)))
        write_csv(path, header, body)
        return f"{path.name}: removed {row}"
    if kind == "year" and "year" in header:
        y = header.index("year")
        dated = [r for r in body if r[y]]
        if dated:
            row = list(rng.choice(dated))
            existing = {tuple(r[header.index(k)] for k in keys) for r in body}
            row[y] = str(max(int(r[y]) for r in dated) + 1)
            if tuple(row[header.index(k)] for k in keys) not in existing:
                body.append(row)
                write_csv(path, header, body)
                return f"{path.name}: added {row}"
    editable = [i for i, h in enumerate(header) if h not in keys and h not in ("balance",)]
    row = rng.choice(body)
    i = rng.choice(editable)
    old = row[i]
    if re.fullmatch(r"-?\d+", old):
        row[i] = str(int(old) + rng.choice([1, -1, 7, 1000]))
    elif re.fullmatch(r"-?\d+\.\d+", old):
        row[i] = f"{float(old) * 1.5:.{len(old.split('.')[1])}f}"
    elif header[i] in ("country", "publication", "flow", "index"):
        return random_edit(data, rng)  # a reference: an edit would only make the data invalid
    else:
        row[i] = (old or "補足") + "（改）"
    if "balance" in header and header[i] in ("exports", "imports"):
        e, m = header.index("exports"), header.index("imports")
        if row[e] and row[m]:
            row[header.index("balance")] = str(int(row[e]) - int(row[m]))
    write_csv(path, header, body)
    return f"{path.name}:{header[i]}: {old!r} → {row[i]!r}"


def _edit_prose(data: Path, rng: random.Random) -> str:
    path = rng.choice(sorted((data / "texts").rglob("*.toml")))
    text = path.read_text(encoding="utf-8")
    strings = list(re.finditer(r'^\s*(?:[\w.]+\s*=\s*)?"([^"\\\n]{4,})"', text, flags=re.M))
    match = rng.choice(strings)
    edited = text[: match.end(1)] + "（改）" + text[match.end(1) :]
    path.write_text(edited, encoding="utf-8")
    return f"{path.relative_to(data)}: {match[1][:20]!r} + （改）"


def test_incremental_equals_fresh_after_random_edits(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    rng = random.Random(SEED)
    incremental = tmp_path / "incremental"
    build_all(data, incremental)
    compared = stale = 0
    for n in range(MUTATIONS):
        before, before_mtimes = pdfs(incremental), mtimes(incremental)
        what = random_edit(data, rng)
        summary = build_all(data, incremental)
        fresh = tmp_path / f"fresh{n}"
        fresh_summary = build_all(data, fresh)
        assert summary["failed"] == fresh_summary["failed"] == 0, (what, summary)
        got, want = pdfs(incremental), pdfs(fresh)
        assert got.keys() == want.keys(), what
        for name in want:
            compared += 1
            if got[name] != want[name]:
                stale += 1
            status = next(
                p["status"]
                for p in summary["packs"]
                if f"{p['template']}-{p['target']}.pdf" == name
            )
            if want[name] == before.get(name):
                # bytes that would not change: neither rewritten nor touched
                assert status == "unchanged" and mtimes(incremental)[name] == before_mtimes[name], (
                    what,
                    name,
                )
        assert stale == 0, (what, [n for n in want if got[n] != want[n]])
    print(f"mutations: {MUTATIONS}, packs compared: {compared}, stale: {stale}")


# --------------------------------------------------------------------------- named cases


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture(scope="module")
def built_once(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every pack built once from the fixture; tests take copies (data and output)."""
    root = tmp_path_factory.mktemp("built")
    shutil.copytree(DATA, root / "data")
    assert build_all(root / "data", root / "out")["built"] == 12
    return root


@pytest.fixture
def built(built_once: Path, tmp_path: Path) -> tuple[Path, Path]:
    data, out = tmp_path / "data", tmp_path / "out"
    shutil.copytree(DATA, data)
    shutil.copytree(built_once / "out", out)
    # the copy is a folder built from this very data: nothing to do, every pack in place
    summary = build_all(data, out)
    assert summary["built"] == 0 and summary["unchanged"] == 12, summary
    return data, out


def rebuilt(summary: dict) -> list[str]:
    return sorted(
        f"{p['template']}-{p['target']}" for p in summary["packs"] if p["status"] == "built"
    )


def test_a_neighbours_figure_behind_a_rank_rebuilds_the_packs_that_rank(built) -> None:
    """Uzbekistan's GDP at 1.00 moves Kyrgyzstan, Tajikistan and Turkmenistan up a rank."""
    data, out = built
    replace_in(data / "datasets" / "gdp_nominal.csv", "uz,2024,114.96", "uz,2024,1.00")
    summary = build_all(data, out)
    assert rebuilt(summary) == [
        "economy-central-asia",
        "economy-kg",
        "economy-kz",
        "economy-tj",
        "economy-tm",
        "economy-uz",
        "relations-central-asia",
        "relations-uz",
    ]
    text = (out / "economy-kg.pdf").read_bytes()
    assert text != b""
    kg = next(p for p in summary["packs"] if p["template"] == "economy" and p["target"] == "kg")
    assert "gdp_nominal uz/2024: value 114.96 → 1.00" in kg["changes"]


def test_a_same_size_edit_in_the_same_second_is_seen(built) -> None:
    data, out = built
    path = data / "datasets" / "japan_trade.csv"
    stat = path.stat()
    replace_in(path, "kg,2024,44512,1802,42710", "kg,2024,44513,1803,42710")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same size, same mtime
    assert path.stat().st_size == stat.st_size
    summary = build_all(data, out)
    assert "relations-kg" in rebuilt(summary)


def test_force_bypasses_a_lying_chart_cache(built, tmp_path: Path) -> None:
    data, out = built
    charts = sorted((out / ".briefpack" / "charts").glob("*.json"))
    assert charts
    first = json.loads(charts[0].read_text(encoding="utf-8"))
    for path in charts[1:]:  # every entry now claims another chart's drawing
        entry = json.loads(path.read_text(encoding="utf-8"))
        entry["ops"], entry["sha256"] = first["ops"], first["sha256"]
        path.write_text(json.dumps(entry), encoding="utf-8")
    fresh = tmp_path / "fresh"
    build_all(data, fresh)
    build_all(data, out, "--force")
    assert pdfs(out) == pdfs(fresh)


def test_a_damaged_chart_entry_is_discarded_and_redrawn(built, tmp_path: Path) -> None:
    data, out = built
    for path in (out / ".briefpack" / "charts").glob("*.json"):
        entry = json.loads(path.read_text(encoding="utf-8"))
        entry["ops"] = entry["ops"][:-3]  # damaged: no longer matches its hash
        path.write_text(json.dumps(entry), encoding="utf-8")
    replace_in(data / "datasets" / "gdp_nominal.csv", "kg,2024,17.49", "kg,2024,17.50")
    build_all(data, out)
    fresh = tmp_path / "fresh"
    build_all(data, fresh)
    assert pdfs(out) == pdfs(fresh)


def test_a_damaged_manifest_entry_rebuilds_its_pack(built) -> None:
    data, out = built
    manifest = out / ".briefpack" / "manifest.json"
    doc = json.loads(manifest.read_text(encoding="utf-8"))
    doc["packs"]["relations-kg"] = {"inputs": 42}
    doc["quick"] = {}
    manifest.write_text(json.dumps(doc), encoding="utf-8")
    summary = build_all(data, out)
    assert summary["failed"] == 0
    status = {f"{p['template']}-{p['target']}": p["status"] for p in summary["packs"]}
    assert status["relations-kg"] in ("built", "unchanged")
    assert sum(s == "unchanged" for s in status.values()) == 12  # same bytes: not rewritten
    doc = json.loads(manifest.read_text(encoding="utf-8"))
    assert isinstance(doc["packs"]["relations-kg"]["inputs"], str)


def test_a_vanished_target_is_reported_and_removed_only_with_prune(built) -> None:
    data, out = built
    places = data / "places.csv"
    header, body = read_csv(places)
    body = [r for r in body if r[0] != "tm"]
    for r in body:
        r[4] = " ".join(m for m in r[4].split() if m != "tm")
    write_csv(places, header, body)
    for csv_path in (data / "datasets").glob("*.csv"):
        h, rows = read_csv(csv_path)
        if "country" in h:
            write_csv(csv_path, h, [r for r in rows if r[h.index("country")] != "tm"])
    for meta in (data / "datasets").glob("*.toml"):
        lines = meta.read_text(encoding="utf-8").splitlines(keepends=True)
        meta.write_text("".join(x for x in lines if 'places = ["tm"]' not in x), encoding="utf-8")
    absent = data / "absent.toml"
    absent.write_text(absent.read_text(encoding="utf-8").replace(', "tm"]', "]"), "utf-8")
    (data / "texts" / "profiles" / "tm.toml").unlink()
    result = cli("build", "--all", "--out", str(out), data=data)
    assert result.exit_code == 0, result.stderr
    vanished = out / "economy-tm.pdf"
    kept = f"vanished: {vanished}: tm: no longer in the data (kept; --prune removes it)\n"
    assert kept in result.stderr
    assert (out / "economy-tm.pdf").exists()
    time.sleep(0.01)
    result = cli("build", "--all", "--out", str(out), "--prune", data=data)
    assert result.exit_code == 0, result.stderr
    assert not (out / "economy-tm.pdf").exists() and not (out / "relations-tm.pdf").exists()
    assert (
        f"pruned: {out / 'relations-tm.pdf'}: tm: no longer in the data (removed)\n"
        in result.stderr
    )
