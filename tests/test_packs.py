"""Every pack from one data layer: build --all, the economy pack's figures, data-only changes."""

from __future__ import annotations

import json
from pathlib import Path

import pypdf
from click.testing import CliRunner

from briefpack.cli import main

from .conftest import DATA, data_args


def text_of(pdf: Path) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(pdf).pages)


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def test_build_all_writes_the_twelve_packs(tmp_path: Path) -> None:
    result = run(
        *data_args(DATA),
        "build",
        "--all",
        "--out",
        str(tmp_path),
        "--json",
        "--jobs",
        "2",
    )
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)
    assert (summary["built"], summary["unchanged"], summary["failed"]) == (12, 0, 0)
    names = sorted(p.name for p in tmp_path.glob("*.pdf"))
    assert names == sorted(
        f"{t}-{c}.pdf"
        for t in ("economy", "relations")
        for c in ("kg", "kz", "uz", "tj", "tm", "central-asia")
    )
    assert result.stderr.endswith("12 packs: 12 built, 0 unchanged, 0 failed\n")
    economy = text_of(tmp_path / "economy-central-asia.pdf")
    for figure in (
        "291.48",
        "14.20",
        "14,460",
        "37,543,167",
        "7,057,841",
        "79位",
        "139カ国中",
        "アジア44カ国中",
        "3,869,612.8",
        "2,150.7",
        "90,430.8",
        "4,967,800",
        "43.0",
        "0.04",
        "△1,173,096",
        "925,125",
        "54",
        "（注）5",  # the cell points to its 注 (full-width, as composed text is)
        "コラム",
        "データ出所一覧",
        "2024年のドル建て名目GDP額はカザフスタンが最も多く、次いでウズベキスタン、トルクメニスタン、キルギス、タジキスタンの順となる。",
        "上位のカザフスタンとウズベキスタンで全体の80.2%を占め、8割を超える。",
        "カザフスタンは2023年以降は出超",
    ):
        assert figure in economy.replace("\n", ""), figure
    kz = text_of(tmp_path / "economy-kz.pdf")
    assert "中央アジア5カ国中1位" in kz.replace("\n", "")
    assert "キルギス" not in text_of(tmp_path / "relations-kz.pdf").split("データ出所一覧")[
        0
    ].replace("キルギス共和国概況", "").replace("在キルギス日本国大使館", "")  # the issuer


def add_country(data: Path) -> None:
    """A sixth country, as data only: a place, its rows, its profile (fixture figures)."""
    places = data / "places.csv"
    text = places.read_text(encoding="utf-8").replace("uz kz kg tj tm,6", "uz kz kg tj tm mn,7")
    places.write_text(text + "mn,country,モンゴル,モンゴル国,,6\n", encoding="utf-8")
    with (data / "datasets" / "japan_trade.csv").open("a", encoding="utf-8") as f:
        f.write("mn,2023,300001,20001,280000\nmn,2024,310002,21002,289000\n")
    with (data / "datasets" / "gdp_nominal.csv").open("a", encoding="utf-8") as f:
        f.write("mn,2024,23.45\n")
    (data / "texts" / "profiles" / "mn.toml").write_text(
        'head_of_state_title = "大統領"\nhead_of_state = "テスト・フィクスチャ"\n'
        'economy = ["フィクスチャの経済概況。"]\nindustries = ["鉱業"]\n',
        encoding="utf-8",
    )


def test_a_sixth_country_needs_data_files_only(data_copy: Path, tmp_path: Path) -> None:
    add_country(data_copy)
    listing = run("--data", str(data_copy), "list")
    assert "  relations mn" in listing.stdout and "  economy mn" in listing.stdout
    out = tmp_path / "out"
    for template in ("relations", "economy"):
        result = run(
            *data_args(data_copy),
            "build",
            template,
            "mn",
            "--out",
            str(out),
        )
        assert result.exit_code == 0, result.stderr
    relations = text_of(out / "relations-mn.pdf")
    assert "テスト・フィクスチャ大統領" in relations
    assert "310,002" in relations and "289,000" in relations
    economy = text_of(out / "economy-mn.pdf").replace("\n", "")
    assert "23.45" in economy
    assert (
        "モンゴルの2024年のドル建て名目GDP額は23.45（10億ドル）で、中央アジア6カ国中4位。"
        in economy
    )


def test_a_new_year_needs_data_files_only(data_copy: Path, tmp_path: Path) -> None:
    with (data_copy / "datasets" / "japan_trade.csv").open("a", encoding="utf-8") as f:
        f.write("kg,2025,50001,2001,48000\n")
    result = run(
        *data_args(data_copy),
        "build",
        "relations",
        "kg",
        "--out",
        str(tmp_path),
    )
    assert result.exit_code == 0, result.stderr
    text = text_of(tmp_path / "relations-kg.pdf")
    assert "2025年" in text and "50,001" in text and "48,000" in text
