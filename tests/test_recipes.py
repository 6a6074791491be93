"""The README's "Updating the data" recipes, followed step by step on a copy of the fixture."""

from __future__ import annotations

from pathlib import Path

import pypdf

from .conftest import ROOT, cli
from .edits import add_member, read_csv, write_csv

README = (ROOT / "README.md").read_text(encoding="utf-8")


def text_of(pdf: Path) -> str:
    return "".join(p.extract_text() for p in pypdf.PdfReader(pdf).pages).replace("\n", "")


def build(data: Path, out: Path, template: str, target: str) -> str:
    result = cli("build", template, target, "--out", str(out), data=data)
    assert result.exit_code == 0, result.stderr
    return text_of(out / f"{template}-{target}.pdf")


def check(data: Path) -> str:
    result = cli("check", data=data)
    assert result.exit_code == 0, result.stderr
    return result.stderr


def test_a_correction(data_copy: Path, tmp_path: Path) -> None:
    trade = data_copy / "datasets" / "japan_trade.csv"
    text = trade.read_text(encoding="utf-8")
    trade.write_text(text.replace("kg,2024,44512,1802,42710", "kg,2024,44612,1802,42810"), "utf-8")
    check(data_copy)
    pack = build(data_copy, tmp_path, "relations", "kg")
    assert "44,612" in pack and "42,810" in pack and "44,512" not in pack


def test_the_next_years_figures(data_copy: Path, tmp_path: Path) -> None:
    row = "kg,2025,50000,2000,48000"
    assert f"```csv\n{row}\n```" in README
    with (data_copy / "datasets" / "japan_trade.csv").open("a", encoding="utf-8") as f:
        f.write(row + "\n")
    warnings = check(data_copy)
    assert "datasets/japan_trade.toml: warning: as_of = '2024' is older than the rows" in warnings
    pack = build(data_copy, tmp_path, "relations", "kg")
    assert "日本との貿易の推移（日本側統計、2000〜2025年）" in pack
    assert "50,000" in pack and "48,000" in pack
    assert "出所：財務省統計をもとにジェトロ作成（2025年）" in pack


def test_a_new_member_of_the_region(data_copy: Path, tmp_path: Path) -> None:
    add_member(data_copy)
    (data_copy / "texts" / "profiles" / "mn.toml").write_text(
        'head_of_state_title = "大統領"\nhead_of_state = "フィクスチャ・テスト"\n'
        'economy = ["フィクスチャの経済概況。"]\nindustries = ["鉱業"]\n',
        encoding="utf-8",
    )
    check(data_copy)
    listing = cli("list", data=data_copy).stdout
    assert "  economy mn\n" in listing and "  relations mn\n" in listing
    pack = build(data_copy, tmp_path, "economy", "central-asia")
    assert "中央アジア6カ国" in pack
    assert "モンゴルは2024年の値なし（比較に含めず）。" in pack
    mn = build(data_copy, tmp_path, "economy", "mn")
    assert "フィクスチャ・テスト大統領" in mn


def test_figures_from_another_publication(data_copy: Path, tmp_path: Path) -> None:
    assert "```csv\ncountry,year,value,source\nkg,2025,19.01,IMF World Economic Outlook\n```" in (
        README
    )
    path = data_copy / "datasets" / "gdp_nominal.csv"
    header, body = read_csv(path)
    rows = [[*r, ""] for r in body] + [["kg", "2025", "19.01", "IMF World Economic Outlook"]]
    write_csv(path, [*header, "source"], rows)
    check(data_copy)
    pack = build(data_copy, tmp_path, "economy", "kg")
    assert "IMF World Economic Outlook（2025年）" in pack
    assert "19.01" in pack


def test_a_new_dataset(data_copy: Path, tmp_path: Path) -> None:
    datasets = data_copy / "datasets"
    (datasets / "test_index.csv").write_text(
        "country,year,value\nkg,2023,101.5\nkg,2024,103.25\nkz,2024,99.0\n", encoding="utf-8"
    )
    (datasets / "test_index.toml").write_text(
        'title = "試験用指数"\nsource = "フィクスチャ統計"\nunit = "ポイント"\n'
        'key = ["country", "year"]\n\n[columns.country]\ntype = "place"\nlabel = "国名"\n\n'
        '[columns.year]\ntype = "year"\nlabel = "年"\n\n'
        '[columns.value]\ntype = "decimal"\nlabel = "指数"\n',
        encoding="utf-8",
    )
    spec = data_copy / "packs" / "relations.toml"
    spec.write_text(
        spec.read_text(encoding="utf-8")
        + '\n[[sections]]\nid = "test-index"\ntitle = "試験用指数（{year}年）"\n\n'
        '[[sections.blocks]]\ntype = "table"\ndataset = "test_index"\nyear = "latest"\n',
        encoding="utf-8",
    )
    check(data_copy)
    pack = build(data_copy, tmp_path, "relations", "kg")
    assert "試験用指数（2024年）" in pack
    assert "103.25" in pack and "101.5" not in pack
    assert "出所：フィクスチャ統計（2024年）" in pack
