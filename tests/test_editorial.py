"""Type, cover, binder and 2-up as an editor checks them (issue 11, "Type" and "Cover,
binder, print"): proportional running text beside fixed-width table figures, the issuer on
the cover, a binder's part-title pages and single sources list, no text below 6 pt on a
2-up sheet.  Fonts and sizes are read back from the PDFs' text runs, not from the code."""

from __future__ import annotations

import re
import shutil
import tomllib
from pathlib import Path

import pypdf
import pytest

from .conftest import DATA, STYLES, cli

TEXT_FONT = "BIZUDPGothic"  # proportional: running text, headings, captions, cover
TABULAR_FONT = "BIZUDGothic"  # fixed-width figures: table cells, chart labels


def text_runs(pdf: Path) -> list[tuple[int, str, float, str]]:
    """Every text run drawn: (page index, font, size as printed in pt, text).

    The size is the Tf size times the scale of text and graphics matrices, so a page
    scaled onto a 2-up sheet reports what the reader gets."""
    reader = pypdf.PdfReader(pdf)
    runs: list[tuple[int, str, float, str]] = []
    for index, page in enumerate(reader.pages):

        def visit(text, cm, tm, font, size, index=index):  # noqa: ANN001
            if not text.strip() or font is None:
                return
            a = tm[0] * cm[0] + tm[1] * cm[2]
            b = tm[0] * cm[1] + tm[1] * cm[3]
            c = tm[2] * cm[0] + tm[3] * cm[2]
            d = tm[2] * cm[1] + tm[3] * cm[3]
            name = str(font["/BaseFont"]).split("+")[-1]
            runs.append((index, name, size * abs(a * d - b * c) ** 0.5, text.strip()))

        page.extract_text(visitor_text=visit)
    return runs


def build(tmp: Path, *args: str, data: Path = DATA) -> None:
    result = cli(*args, "--out", str(tmp), data=data)
    assert result.exit_code == 0, result.stderr


@pytest.fixture(scope="module")
def relations_kg(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("editorial")
    build(out, "build", "relations", "kg")
    return out / "relations-kg.pdf"


@pytest.fixture(scope="module")
def binder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("binder") / "b.pdf"
    result = cli("binder", "relations:kg", "economy:central-asia", "--out", str(out))
    assert result.exit_code == 0, result.stderr
    return out


def fixture_organisation() -> dict[str, str]:
    raw = tomllib.loads((STYLES / "default" / "style.toml").read_text(encoding="utf-8"))
    return raw["organisation"]


# --------------------------------------------------------------------------- type


def test_running_text_is_proportional_and_table_figures_tabular(relations_kg: Path) -> None:
    runs = text_runs(relations_kg)

    def joined(family: str) -> str:  # a justified line is drawn in pieces: join them
        return "".join(t for _, f, _, t in runs if f.startswith(family + "-"))

    text, tabular = joined(TEXT_FONT), joined(TABULAR_FONT)
    assert "議員になり政界入り" in text and "政界入り" not in tabular  # a bullet of 国の概要
    assert "出所：" in text and "出所：" not in tabular  # captions
    headings = [f for _, f, _, t in runs if t.startswith("日本との貿易額・貿易収支")]
    assert headings and all(f == TEXT_FONT + "-Bold" for f in headings), headings
    figures = [f for _, f, _, t in runs if t == "44,512"]  # a table cell: 2024 exports
    assert figures and all(f.startswith(TABULAR_FONT + "-") for f in figures), figures


def test_both_families_embedded_as_subsets_and_nothing_else(relations_kg: Path) -> None:
    assert b"Helvetica" not in relations_kg.read_bytes()
    names = set()
    for page in pypdf.PdfReader(relations_kg).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            assert "/FontFile2" in font["/FontDescriptor"].get_object()  # embedded
            names.add(str(font["/BaseFont"]))
    assert all(re.fullmatch(r"/[A-Z]{6}\+BIZUDP?Gothic-(Regular|Bold)", n) for n in names)
    assert {n.split("+")[1].split("-")[0] for n in names} == {TEXT_FONT, TABULAR_FONT}


def test_proportional_punctuation_is_not_squeezed_again() -> None:
    """JLReq's half-em squeeze of 。」 is for em-wide glyphs; a proportional font's 。 has no
    blank half to lose, so its text is set at the glyphs' own advances."""
    from briefpack.fonts import FONT_DIR, register_fonts
    from briefpack.typeset import JText, TextStyle

    fonts = register_fonts(
        FONT_DIR / "BIZUDGothic-Regular.ttf",
        FONT_DIR / "BIZUDGothic-Bold.ttf",
        FONT_DIR / "BIZUDPGothic-Regular.ttf",
        FONT_DIR / "BIZUDPGothic-Bold.ttf",
    )
    text = "「合意。」（仮）"
    proportional = TextStyle(10, 16, align="left", family="text")
    line = JText(text, proportional, fonts).lines_for(500)[0]
    assert line.width == pytest.approx(sum(fonts.width(ch, "regular", 10, "text") for ch in text))
    tabular = TextStyle(10, 16, align="left")
    squeezed = JText(text, tabular, fonts).lines_for(500)[0]
    assert squeezed.width < len(text) * 10  # the em-wide family still loses its blank halves
    assert fonts.clean("2,470ドル") == "2,470ドル"


# --------------------------------------------------------------------------- cover


def test_cover_prints_the_organisation_and_its_contact(relations_kg: Path) -> None:
    org = fixture_organisation()
    assert org["name"] and org["contact"]
    cover = [(font, text) for page, font, _, text in text_runs(relations_kg) if page == 0]
    assert (TEXT_FONT + "-Bold", org["name"]) in cover
    squeezed = "".join("".join(text.split()) for _, text in cover)  # pieces, no spaces
    assert "".join(org["contact"].split()) in squeezed, cover
    assert pypdf.PdfReader(relations_kg).metadata.author == org["name"]


def test_a_style_without_an_organisation_prints_none(tmp_path: Path) -> None:
    styles = tmp_path / "styles"
    shutil.copytree(STYLES, styles)
    path = styles / "default" / "style.toml"
    org = fixture_organisation()
    text = path.read_text(encoding="utf-8")
    text = text.replace(f'name = "{org["name"]}"', 'name = ""')
    text = text.replace(f'contact = "{org["contact"]}"', 'contact = ""')
    path.write_text(text, encoding="utf-8")
    from click.testing import CliRunner

    from briefpack.cli import main

    result = CliRunner().invoke(
        main,
        ["--data", str(DATA), "--styles", str(styles), "build", "relations", "kg"]
        + ["--out", str(tmp_path / "out")],
    )
    assert result.exit_code == 0, result.stderr
    cover = [t for page, _, _, t in text_runs(tmp_path / "out" / "relations-kg.pdf") if page == 0]
    assert org["name"] not in cover
    assert "".join(org["contact"].split()) not in "".join("".join(t.split()) for t in cover)


# --------------------------------------------------------------------------- binder


def outline(reader: pypdf.PdfReader) -> list[tuple[int, str, int]]:
    out = []

    def walk(items: list, level: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, level + 1)
            else:
                out.append((level, item.title, reader.get_destination_page_number(item)))

    walk(reader.outline, 0)
    return out


def test_binder_parts_open_on_title_pages(binder: Path) -> None:
    reader = pypdf.PdfReader(binder)
    runs = text_runs(binder)
    parts = [(title, page) for level, title, page in outline(reader) if level == 0]
    titles = ["日本・キルギス関係 ブリーフィング資料", "中央アジア 経済データ集"]
    assert [t for t, _ in parts[:2]] == titles
    for number, (title, page) in enumerate(parts[:2], start=1):
        on_page = [t for p, _, _, t in runs if p == page]
        assert f"第{number}部" in on_page and title in on_page, on_page
        assert not any(t.startswith("出所") for t in on_page)  # a title page, no content
        following = [lv for lv, _, p in outline(reader) if p == page + 1]
        assert following[:1] == [1], (title, following)  # its first section on the next page
    pages = [int(t) for p, _, _, t in runs if t.isdigit() and p > 0 and int(t) == p + 1]
    assert len(set(pages)) == len(reader.pages) - 1  # numbered on through both parts


def test_binder_has_one_sources_list_for_all_its_packs(binder: Path) -> None:
    reader = pypdf.PdfReader(binder)
    lists = [(lv, t, p) for lv, t, p in outline(reader) if t.endswith("データ出所一覧")]
    assert len(lists) == 1 and lists[0][0] == 0, lists  # one, at the top level, last
    assert outline(reader)[-1][1] == lists[0][1]
    text = "".join(page.extract_text().replace("\n", "") for page in reader.pages[lists[0][2] :])
    assert "ハイレベルでの交流" in text  # from the relations pack
    assert "国際ランキング比較一覧" in text  # from the economy pack
    assert text.count("ドル建て1人当たりGDP") == 1  # used by both: listed once


# --------------------------------------------------------------------------- 2-up


@pytest.mark.parametrize("style", ["default", "portrait"])
def test_two_up_sheets_set_no_text_below_6pt(tmp_path: Path, style: str) -> None:
    build(tmp_path, "build", "economy", "kg", "--nup", "2", "--style", style)
    pdf = tmp_path / "economy-kg.pdf"
    runs = text_runs(pdf)
    smallest = min(runs, key=lambda r: r[2])
    assert smallest[2] >= 6.0 - 1e-6, smallest
    assert any(
        font.startswith(TABULAR_FONT + "-") and text[0].isdigit() for _, font, _, text in runs
    )
    reader = pypdf.PdfReader(pdf)
    sheet = reader.pages[1]
    box = sheet.mediabox
    rule = re.search(
        rb"q 0\.55 G 0\.4 w ([\d.]+) ([\d.]+) m ([\d.]+) ([\d.]+) l S Q",
        sheet.get_contents().get_data(),
    )
    assert rule, "no separator rule between the two pages"
    x0, y0, x1, y1 = map(float, rule.groups())
    if style == "default":  # landscape pages stacked: a horizontal rule across the middle
        assert float(box.height) > float(box.width)
        assert y0 == y1 == pytest.approx(float(box.height) / 2, abs=0.01) and x1 - x0 > 300
    else:  # portrait pages side by side: a vertical rule
        assert float(box.width) > float(box.height)
        assert x0 == x1 == pytest.approx(float(box.width) / 2, abs=0.01) and y1 - y0 > 300
