"""Loading and validating the data layer: the real data loads; broken files are located."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from briefpack.datalayer import load
from briefpack.errors import DataError

from .conftest import DATA, ROOT, SEEDS


def problems_of(root: Path) -> list[str]:
    with pytest.raises(DataError) as info:
        load(root)
    return [str(p) for p in info.value.problems]


def test_real_data_loads_with_published_figures() -> None:
    data = load(DATA)
    trade = {(r["country"], r["year"]): r for r in data.datasets["japan_trade"].rows}
    assert trade[("kg", 2024)]["exports"] == 44512
    assert trade[("kg", 2018)]["balance"] == -20347
    partners = data.datasets["trade_partners"].rows
    japan_kg = [r for r in partners if r["country"] == "kg" and r["partner"] == "日本"]
    assert {r["flow"]: r["value"] for r in japan_kg} == {
        "export": Decimal("832.0"),
        "import": Decimal("118797.2"),
    }
    gdp = {r["country"]: r["value"] for r in data.datasets["gdp_nominal"].rows}
    assert str(gdp["tj"]) == "14.20"  # published decimals are kept
    loans = data.datasets["yen_loans"].rows
    assert [str(r["budget"]) for r in loans] == ["30.16", "52.50", "119.15"]
    companies = {(r["country"], r["year"]): r for r in data.datasets["japanese_companies"].rows}
    assert companies[("kg", 2012)]["count"] == 5
    assert companies[("kg", 2012)]["note"] == "実数不明"


def test_both_published_dates_of_the_first_yen_loan_stand() -> None:
    data = load(DATA)
    timeline = [r for r in data.datasets["timeline"].rows if r["year"] == 1996]
    assert "交換公文締結" in timeline[0]["text"]
    assert data.datasets["yen_loans"].rows[0]["exchange_of_notes"] == 1997


def test_timeline_labels_keep_the_published_period() -> None:
    labels = [r["label"] for r in load(DATA).datasets["timeline"].rows]
    assert "1895～97年頃" in labels and "第二次世界大戦後" in labels
    assert not any("<b>" in label or " " in label for label in labels)


def test_non_number_is_reported_with_line_and_column(data_copy: Path) -> None:
    path = data_copy / "datasets" / "japan_trade.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].replace(",16969,", ",16,9x9,", 1)
    lines[5] = "uz,2004,51712,86208,-34496,extra"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    found = problems_of(data_copy)
    assert "datasets/japan_trade.csv:4:3: column 'exports': '16' is not a whole number" not in found
    assert any(p.startswith("datasets/japan_trade.csv:4:") for p in found)
    assert "datasets/japan_trade.csv:6:6: expected 5 fields (as in the header), found 6" in found


def test_every_problem_is_listed_at_once(data_copy: Path) -> None:
    trade = data_copy / "datasets" / "japan_trade.csv"
    text = trade.read_text(encoding="utf-8")
    trade.write_text(
        text.replace("kg,2024,44512", "xx,2024,44512").replace("uz,2001,17774", "uz,1700,17774"),
        encoding="utf-8",
    )
    residents = data_copy / "datasets" / "japanese_residents.csv"
    residents.write_text(
        residents.read_text(encoding="utf-8").replace("country,year,count", "country,yr,count"),
        encoding="utf-8",
    )
    found = problems_of(data_copy)
    assert any(
        p.startswith("datasets/japan_trade.csv:") and "unknown place code 'xx'" in p for p in found
    )
    assert any("year 1700 is out of range" in p for p in found)
    assert any(
        p.startswith("datasets/japanese_residents.csv:1:2: unexpected column 'yr'") for p in found
    )
    assert "datasets/japanese_residents.csv:1:2: missing column 'year'" in found


def test_published_balance_must_match_exports_minus_imports(data_copy: Path) -> None:
    trade = data_copy / "datasets" / "japan_trade.csv"
    trade.write_text(
        trade.read_text(encoding="utf-8").replace(
            "kg,2024,44512,1802,42710", "kg,2024,44512,1802,42000"
        ),
        encoding="utf-8",
    )
    found = problems_of(data_copy)
    assert any("column 'balance': 42000 differs from exports − imports = 42710" in p for p in found)


def test_rounding_gap_of_one_is_accepted() -> None:
    rows = load(DATA).datasets["japan_trade"].rows
    gaps = [r["balance"] - (r["exports"] - r["imports"]) for r in rows]
    assert max(abs(g) for g in gaps) <= 1
    assert any(g != 0 for g in gaps)  # the seed's own rounding is kept as published


def test_duplicate_keys_and_encoding(data_copy: Path) -> None:
    gdp = data_copy / "datasets" / "gdp_nominal.csv"
    gdp.write_text(gdp.read_text(encoding="utf-8") + "kg,2024,17.49\n", encoding="utf-8")
    visits = data_copy / "datasets" / "visits.csv"
    visits.write_bytes(visits.read_text(encoding="utf-8").encode("shift_jis"))
    found = problems_of(data_copy)
    assert any(p.startswith("datasets/gdp_nominal.csv:7:") and "duplicate key" in p for p in found)
    assert any(p.startswith("datasets/visits.csv:2:") and "not UTF-8" in p for p in found)


def test_empty_file_and_bad_toml(data_copy: Path) -> None:
    (data_copy / "datasets" / "visits.csv").write_text("", encoding="utf-8")
    (data_copy / "datasets" / "minerals.toml").write_text('title = "x\n', encoding="utf-8")
    found = problems_of(data_copy)
    assert "datasets/visits.csv:1: empty file: expected a header line" in found
    assert any(p.startswith("datasets/minerals.toml:1:") and "invalid TOML" in p for p in found)


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the seed documents are not beside the repository")
def test_seed_004_tables_match_the_seed_cell_by_cell() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "verify_seed004.py")], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout[-2000:]
    assert " 0 mismatches" in result.stdout


IGNORED = str.maketrans("", "", " \t~～")


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the seed documents are not beside the repository")
def test_seed_000_texts_are_in_the_seed() -> None:
    seed = (SEEDS / "000_f99dee594b2c05e8.txt").read_text(encoding="utf-8")
    flat = seed.replace("<b>~</b>", "").translate(IGNORED)
    data = load(DATA)
    for name, column in (("timeline", "text"), ("visits", "text"), ("timeline", "label")):
        for row in data.datasets[name].rows:
            assert row[column].translate(IGNORED) in flat, row[column]


def test_data_reference_is_up_to_date() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "data_reference.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout
