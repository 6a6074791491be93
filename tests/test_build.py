"""The built relations-kg.pdf: its text, figures, fonts, structure and determinism."""

from __future__ import annotations

import re
from pathlib import Path

import pypdf

from .conftest import cli


def text_of(pdf: Path) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(pdf).pages)


def test_published_figures_are_in_the_text(built_kg: Path) -> None:
    text = text_of(built_kg)
    for figure in (
        "44,512",  # Japan's exports to Kyrgyzstan 2024 (Japan's statistics)
        "118,797.2",  # Kyrgyzstan's imports from Japan 2024 (Kyrgyz statistics)
        "42,710",  # balance 2024 as published
        "△20,347",  # 2018 balance: negative printed with △
        "119.15",  # yen loan budget
        "52.50",
        "17.49",  # nominal GDP 2024
        "7,281,827",  # population
        "2,470",  # per-capita GDP 2024
        "1,212,631.6",  # exports to the UK
        "サディル・ジャパロフ",
        "肩書きはいずれも当時",
        "1895〜97年頃",  # the seed's ～ set as the wave dash 〜, as headings set it
        "第二次世界大戦後",
        "右ハンドル中古車",
        "目次",
        "データ出所一覧",
        "財務省統計をもとにジェトロ作成",
    ):
        assert figure in text, figure


def test_table_of_contents_page_numbers_match_the_sections(built_kg: Path) -> None:
    reader = pypdf.PdfReader(built_kg)
    toc = reader.pages[1].extract_text()
    entries = re.findall(r"(\d)\s+(\S+?)\s*\.*\s*(\d+)\s*$", toc, re.M)
    assert len(entries) == 7
    outline = {item.title: reader.get_destination_page_number(item) + 1 for item in reader.outline}
    for number, title, page in entries:
        match = [p for t, p in outline.items() if t.startswith(f"{number}\u3000")]
        assert match == [int(page)], (number, title, page, outline)
        assert title in reader.pages[int(page) - 1].extract_text()


def test_fonts_are_embedded_subsets_and_no_base14_font(built_kg: Path) -> None:
    raw = built_kg.read_bytes()
    assert b"Helvetica" not in raw and b"Times-Roman" not in raw
    reader = pypdf.PdfReader(built_kg)
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            fonts.add(font["/BaseFont"])
            assert "/ToUnicode" in font
            assert "/FontFile2" in font["/FontDescriptor"].get_object()
    # BIZ UD Gothic (tables, charts) and BIZ UDPGothic (running text), nothing else
    assert all(re.fullmatch(r"/[A-Z]{6}\+BIZUDP?Gothic-(Regular|Bold)", f) for f in fonts), fonts


def test_no_raster_images_and_metadata(built_kg: Path) -> None:
    reader = pypdf.PdfReader(built_kg)
    for page in reader.pages:
        xobjects = page["/Resources"].get("/XObject", {})
        for xobject in xobjects.values():
            assert xobject.get_object()["/Subtype"] != "/Image"
    meta = reader.metadata
    assert meta.title == "日本・キルギス関係 ブリーフィング資料"
    assert meta.author == "在キルギス日本国大使館"  # the style's [organisation]
    assert meta.subject
    assert reader.trailer["/Root"]["/Lang"] == "ja"


def test_chart_text_is_searchable(built_kg: Path) -> None:
    reader = pypdf.PdfReader(built_kg)
    chart_page = next(p for p in reader.pages if "ドル建て1人当たりGDPの推移" in p.extract_text())
    text = chart_page.extract_text()
    assert "2024" in text and "2,000" in text and "（ドル）" in text


def test_two_builds_give_identical_bytes(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    assert cli("build", "relations", "kg", "--out", str(first)).exit_code == 0
    assert cli("build", "relations", "kg", "--out", str(second)).exit_code == 0
    assert (first / "relations-kg.pdf").read_bytes() == (second / "relations-kg.pdf").read_bytes()


def test_issue_date_comes_from_the_data_not_the_clock(built_kg: Path) -> None:
    cover = pypdf.PdfReader(built_kg).pages[0].extract_text()
    assert "2025年12月（令和7年）" in cover


def test_style_selects_another_look(tmp_path: Path) -> None:
    result = cli("build", "relations", "kg", "--style", "portrait", "--out", str(tmp_path))
    assert result.exit_code == 0, result.stderr
    page = pypdf.PdfReader(tmp_path / "relations-kg.pdf").pages[0]
    assert float(page.mediabox.height) > float(page.mediabox.width)
    assert "日本・キルギス関係" in page.extract_text()


def test_every_table_and_chart_has_its_unit_source_and_data_time(built_kg: Path) -> None:
    """The lines under and above each block, written out by hand from the fixture."""
    text = text_of(built_kg).replace("\n", "")
    for line in (
        "（単位：1,000ドル）",
        "（単位：社、人）",
        # short 出所 lines: source and data time (the publication: in the appendix, once)
        "出所：財務省統計をもとにジェトロ作成（2024年）",
        "出所：国際通貨基金（IMF）（2024年）",
        "出所：各国統計局（2024年）",
        "注：上位5カ国に加えて日本を掲載。",
    ):
        assert line in text, line
    # one 出所 line per table or chart block (the appendix lists them again, once)
    body = text.split("データ出所一覧")[-2] if text.count("データ出所一覧") > 1 else text
    assert body.count("出所：") >= 12
