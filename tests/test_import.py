"""Spreadsheets in (`briefpack import`), workbooks out (`export`), DataFrames for analysts.

The fixtures are made here, shaped like published tables: a title and a 単位 line above the
header, Japanese place names, years across, 「１２３」「△1,000」「－」, footnote marks, merged
cells, a total row, and 出所/注 rows below.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import Workbook

import briefpack.cli
from briefpack.cli import main

from .conftest import DATA, data_args, replace_in

TRADE = "datasets/japan_trade.csv"


def run(data: Path, *args: str, input: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [*data_args(data), *args], input=input)
    return result.exit_code, result.stdout, result.stderr


def kg_trade_csv(folder: Path) -> Path:
    """Japan's trade with Kyrgyzstan as a Shift_JIS CSV with years across, as JETRO sends it."""
    lines = [
        "日本の対キルギス貿易（2023〜2025年）",
        ",,,（単位：1,000ドル）",
        "国名,項目,2023年,2024年,2025年",
        'キルギス,輸出額,"27,039","44,513","１，０００"',
        'キルギス,輸入額,"1,902","1,802","2,000"',
        'キルギス,貿易収支,"25,137","42,711",△1000',
        "出所：財務省貿易統計をもとに作成",
        "注：2025年は暫定値",
    ]
    path = folder / "kg-trade.csv"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp932"))
    return path


def test_dry_run_shows_every_change_and_writes_nothing(data_copy: Path, tmp_path: Path) -> None:
    csv_file = kg_trade_csv(tmp_path)
    before = (data_copy / TRADE).read_bytes()
    code, out, err = run(
        data_copy, "import", str(csv_file), "--dataset", "japan_trade", "--dry-run"
    )
    assert code == 0, err
    assert out == (
        f"read {csv_file} (Shift_JIS/cp932 CSV): header on row 3, years across (2023–2025), "
        "単位 1,000ドル\n"
        "changed kg/2024 exports: 44512 → 44513\n"
        "changed kg/2024 balance: 42710 → 42711\n"
        "added   kg/2025: exports 1000, imports 2000, balance -1000\n"
        "japan_trade: 2 cells changed in 1 row, 1 row added, 0 rows removed, 1 row unchanged\n"
    )
    assert err == "dry run: nothing written\n"
    assert (data_copy / TRADE).read_bytes() == before


def test_yes_writes_only_the_change_so_the_git_diff_is_the_change(
    data_copy: Path, tmp_path: Path
) -> None:
    csv_file = kg_trade_csv(tmp_path)
    before = (data_copy / TRADE).read_text(encoding="utf-8").splitlines(keepends=True)
    code, _, err = run(data_copy, "import", str(csv_file), "--dataset", "japan_trade", "--yes")
    assert code == 0, err
    assert err == f"wrote {TRADE}\n"
    after = (data_copy / TRADE).read_text(encoding="utf-8").splitlines(keepends=True)
    at = before.index("kg,2024,44512,1802,42710\n")
    assert after == [
        *before[:at],
        "kg,2024,44513,1802,42711\n",
        "kg,2025,1000,2000,-1000\n",
        *before[at + 1 :],
    ]
    code, out, err = run(data_copy, "import", str(csv_file), "--dataset", "japan_trade")
    assert code == 0
    assert out.endswith("japan_trade: no changes (3 rows unchanged)\n")
    assert err == "nothing to write\n"


def test_without_a_terminal_or_yes_nothing_is_written(data_copy: Path, tmp_path: Path) -> None:
    csv_file = kg_trade_csv(tmp_path)
    before = (data_copy / TRADE).read_bytes()
    code, out, err = run(data_copy, "import", str(csv_file), "--dataset", "japan_trade")
    assert code == 1
    assert "changed kg/2024 exports: 44512 → 44513\n" in out
    assert err == "Error: no terminal to confirm on: nothing written (add --yes to write)\n"
    assert (data_copy / TRADE).read_bytes() == before


def test_a_yes_on_a_terminal_writes(
    data_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(briefpack.cli, "_interactive", lambda: True)
    csv_file = kg_trade_csv(tmp_path)
    before = (data_copy / TRADE).read_bytes()
    code, _, err = run(data_copy, "import", str(csv_file), "--dataset", "japan_trade", input="n\n")
    assert (code, err) == (1, "Error: nothing written\n")
    assert (data_copy / TRADE).read_bytes() == before
    code, out, err = run(
        data_copy, "import", str(csv_file), "--dataset", "japan_trade", input="y\n"
    )
    assert code == 0
    assert f"Write these changes to {TRADE}? [y/N]: y\n" in out
    assert err == f"wrote {TRADE}\n"
    assert "kg,2024,44513,1802,42711\n" in (data_copy / TRADE).read_text(encoding="utf-8")


def published_trade_xlsx(folder: Path) -> Path:
    """An xlsx like a trade-promotion office's table: merged country cells, a region total."""
    wb = Workbook()
    ws = wb.active
    ws.title = "貿易"
    ws.append(["日本の対中央アジア貿易（国別）"])
    ws.append([None, None, None, "（単位：1,000ドル）"])
    ws.append([])
    ws.append([None, "項目", "2023年", "2024年"])
    ws.append(["ウズベキスタン共和国", "輸出額", 241350, 436158])
    ws.append([None, "輸入額", "30,240", "17,888"])
    ws.append([None, "貿易収支", "211,110", "418,270"])
    ws.append(["キルギス", "輸出額", "27,039", "４４，５１３"])
    ws.append([None, "輸入額", "1,902", "1,802"])
    ws.append([None, "貿易収支", "－", "42,711※1"])
    ws.append(["中央アジア", "輸出額", "999,999", "999,999"])
    ws.append(["出所：財務省貿易統計をもとに作成"])
    ws.append(["注1：2024年は確々報値"])
    for rows in ("A5:A7", "A8:A10"):
        ws.merge_cells(rows)
    path = folder / "trade.xlsx"
    wb.save(path)
    return path


def test_a_published_xlsx_is_read_like_a_person_reads_it(data_copy: Path, tmp_path: Path) -> None:
    book = published_trade_xlsx(tmp_path)
    code, out, err = run(data_copy, "import", str(book), "--dataset", "japan_trade", "--dry-run")
    assert out == (
        f"read {book} (sheet '貿易'): header on row 4, years across (2023–2024), 単位 1,000ドル\n"
        "skipped row 11 (中央アジア): a region's total (japan_trade holds countries only)\n"
        "changed kg/2023 balance: 25137 → —\n"
        "changed kg/2024 exports: 44512 → 44513\n"
        "changed kg/2024 balance: 42710 → 42711\n"
        "japan_trade: 3 cells changed in 2 rows, 0 rows added, 0 rows removed, 2 rows unchanged\n"
    )
    assert (code, err) == (0, "dry run: nothing written\n")


def gdp_xlsx(folder: Path, unit: str = "（単位：ドル）", place: str = "キルギス") -> Path:
    """Per-capita GDP with the table starting in column B, as statistics yearbooks lay it out."""
    wb = Workbook()
    ws = wb.active
    ws.append([None, "ドル建て1人当たりGDP"])
    ws.append([None, None, None, unit])
    ws.append([])
    ws.append([None, "国名", 2023, "2024年"])
    ws.append([None, "ウズベキスタン", "2,850", "3,110"])
    ws.append([None, "カザフスタン", "13,160", "14,460"])
    ws.append([None, place, "2,190", "2,470"])
    path = folder / "gdp.xlsx"
    wb.save(path)
    return path


def test_an_unknown_place_is_refused_naming_the_cell(data_copy: Path, tmp_path: Path) -> None:
    book = gdp_xlsx(tmp_path, place="キルギスタン")
    before = (data_copy / "datasets" / "gdp_per_capita.csv").read_bytes()
    code, out, err = run(data_copy, "import", str(book), "--dataset", "gdp_per_capita", "--yes")
    assert code == 1
    assert out == ""
    assert err == (
        f"{book}: B7: unknown place 'キルギスタン'\n"
        f"Error: 1 problem(s) in {book}: nothing written\n"
    )
    assert (data_copy / "datasets" / "gdp_per_capita.csv").read_bytes() == before


def test_a_unit_other_than_the_datasets_is_refused(data_copy: Path, tmp_path: Path) -> None:
    book = gdp_xlsx(tmp_path, unit="（単位：100万ドル）")
    code, _, err = run(data_copy, "import", str(book), "--dataset", "gdp_per_capita", "--yes")
    assert code == 1
    assert err == (
        f"{book}: D2: 単位 '100万ドル' does not match the unit of gdp_per_capita ('ドル')\n"
        f"Error: 1 problem(s) in {book}: nothing written\n"
    )


def test_unreadable_numbers_are_refused_naming_each_cell(data_copy: Path, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(
        '（単位：1,000ドル）\n国名,年,輸出額\nキルギス,2024,4451two\nキルギス,2023,"27,03,9"\n'
        "キルギス,2024,1\n",
        encoding="utf-8-sig",
    )
    code, _, err = run(data_copy, "import", str(path), "--dataset", "japan_trade", "--dry-run")
    assert code == 1
    assert err == (
        f"{path}: C3: column 'exports' (輸出額): '4451two' is not a whole number\n"
        f"{path}: C4: column 'exports' (輸出額): '27,03,9': thousands separators out of place\n"
        f"{path}: A5: repeats the row of kg/2024 (row 3)\n"
        f"Error: 3 problem(s) in {path}: nothing written\n"
    )


def test_the_merged_dataset_must_pass_check(data_copy: Path, tmp_path: Path) -> None:
    path = tmp_path / "exports.csv"
    path.write_text('国名,年,輸出額\nキルギス,2024,"44,999"\n', encoding="utf-8")
    code, out, err = run(data_copy, "import", str(path), "--dataset", "japan_trade", "--yes")
    assert code == 1
    assert out.splitlines()[1:] == [
        "note: the file states no 単位; taken to be the unit of japan_trade (1,000ドル)",
        "changed kg/2024 exports: 44512 → 44999",
        "japan_trade: 1 cell changed in 1 row, 0 rows added, 0 rows removed, 0 rows unchanged",
    ]
    assert err == (
        f"{TRADE}:76:5: column 'balance': 42710 differs from exports − imports = 43197 by 487 "
        "(more than rounding)\n"
        f"Error: 1 problem(s) in {TRADE} after the import: nothing written\n"
    )
    assert "kg,2024,44512,1802,42710\n" in (data_copy / TRADE).read_text(encoding="utf-8")


def test_a_list_in_the_file_replaces_the_list_in_the_dataset(
    data_copy: Path, tmp_path: Path
) -> None:
    path = tmp_path / "partners.csv"
    path.write_text(
        "国名,年,輸出入,順位,相手国,金額\n"
        'キルギス,2024,export,1,英国,"1,212,631.6"\n'
        'キルギス,2024,export,2,スイス,"1,166,225.2"\n'
        'キルギス,2024,export,3,ロシア,"1,151,703.2"\n'
        'キルギス,2024,export,4,カザフスタン,"494,556.8"\n'
        'キルギス,2024,export,5,トルコ,"350,000.0"\n'
        "キルギス,2024,export,－,日本,832.0\n",
        encoding="utf-8",
    )
    code, out, _ = run(data_copy, "import", str(path), "--dataset", "trade_partners", "--dry-run")
    assert code == 0
    lines = out.splitlines()
    assert "added   kg/2024/export/トルコ: rank 5, value 350000.0" in lines
    assert any(line.startswith("removed kg/2024/export/ウズベキスタン: rank 5,") for line in lines)
    assert lines[-1] == (
        "trade_partners: 0 cells changed in 0 rows, 1 row added, 1 row removed, 5 rows unchanged"
    )


def test_export_then_import_changes_nothing(data_copy: Path, tmp_path: Path) -> None:
    from briefpack.datalayer import load

    # text that a spreadsheet would take for a formula or a number stays text
    replace_in(
        data_copy / "datasets" / "visits.csv", "アカエフ大統領訪日(公式訪問)", '"=1+1, ""x"""'
    )
    book = tmp_path / "all.xlsx"
    code, _, err = run(data_copy, "export", "--out", str(book))
    data = load(data_copy)
    names = sorted(data.datasets)
    assert (code, err) == (0, f"wrote {book}: {len(names)} sheet(s): {', '.join(names)}\n")
    before = {n: (data_copy / data.datasets[n].csv_path).read_bytes() for n in names}
    for name in names:
        code, out, err = run(data_copy, "import", str(book), "--dataset", name, "--yes")
        rows = len(data.datasets[name].rows)
        assert (code, err) == (0, "nothing to write\n"), out
        assert out.endswith(f"{name}: no changes ({rows} rows unchanged)\n"), out
    assert {n: (data_copy / data.datasets[n].csv_path).read_bytes() for n in names} == before


def test_export_names_unknown_datasets(data_copy: Path, tmp_path: Path) -> None:
    code, _, err = run(data_copy, "export", "japan_trad", "--out", str(tmp_path / "x.xlsx"))
    assert code == 2
    assert "Error: unknown dataset 'japan_trad' (datasets: gdp_nominal," in err
    assert not (tmp_path / "x.xlsx").exists()


def test_a_build_after_import_prints_the_new_figure(data_copy: Path, tmp_path: Path) -> None:
    import pypdf

    csv_file = kg_trade_csv(tmp_path)
    code, _, _ = run(data_copy, "import", str(csv_file), "--dataset", "japan_trade", "--yes")
    assert code == 0
    out = tmp_path / "out"
    code, _, err = run(data_copy, "build", "relations", "kg", "--out", str(out))
    assert code == 0, err
    text = "".join(p.extract_text() for p in pypdf.PdfReader(out / "relations-kg.pdf").pages)
    assert "44,513" in text
    assert "44,512" not in text


def test_load_data_gives_typed_frames_with_unit_and_source() -> None:
    from briefpack import load_data

    layer = load_data(DATA)
    trade = layer.frame("japan_trade")
    assert [str(t) for t in trade.dtypes] == ["string", "Int64", "Int64", "Int64", "Int64"]
    kg = trade[(trade.country == "kg") & (trade.year == 2024)].iloc[0]
    assert (kg.exports, kg.balance) == (44512, 42710)
    assert trade.attrs["unit"] == "1,000ドル"
    assert trade.attrs["source"] == "財務省統計をもとにジェトロ作成"
    assert trade.attrs["as_of"] == "2024"
    assert trade.attrs["publication"] == (
        "日本貿易振興機構（ジェトロ）調査部「中央アジア各国経済データ集」(2025-12)"
    )
    assert trade.attrs["notes"] == ["貿易収支は原資料の記載値（△はマイナス）。"]
    population = layer.frame("population")
    assert population.year.isna().sum() == 4  # the source gives no base year: <NA>, not 0
    gdp = layer.frame("gdp_nominal")
    assert str(gdp.value.dtype) == "Float64"
    assert gdp.attrs["decimals"] == {"value": 2}
    exact = layer.frame("gdp_nominal", exact=True)
    assert str(exact.value[3]) == "14.20"
    with pytest.raises(KeyError, match="unknown dataset 'gdp'"):
        layer.frame("gdp")


def test_importing_briefpack_does_not_import_pandas() -> None:
    code = (
        "import sys, briefpack, briefpack.cli\n"
        "print(sorted(m for m in ('pandas', 'openpyxl') if m in sys.modules))\n"
        "from briefpack import load_data\n"
        "print(load_data.__module__)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout == "[]\nbriefpack.frames\n", result.stderr
