"""Editorial apparatus: short 出所 lines, numbered 注, one number format per column in tables,
charts and sentences, readable axes, no internal names on a page, absent charts said so,
コラム boxed at a reading measure.

Every expected line is written out by hand from the fixture's figures and metadata; the code
under test composes them from the rows.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pypdf
import pytest

from briefpack.pack import model
from briefpack.pack.changes import in_words

from .conftest import DATA, cli, replace_in
from .test_follow_data import items, plans, section

TEMPLATES = ("economy", "relations")
TARGETS = ("kg", "kz", "uz", "tj", "tm", "central-asia")


def pages_of(pdf: Path) -> list[str]:
    return [p.extract_text() for p in pypdf.PdfReader(pdf).pages]


def text_of(pdf: Path) -> str:
    return "".join(pages_of(pdf)).replace("\n", "")


@pytest.fixture(scope="module")
def built(all_packs: Path) -> Path:
    """All 12 packs, built once for the session."""
    return all_packs


@pytest.fixture(scope="module")
def every_plan() -> dict[str, model.PackPlan]:
    return plans(DATA)


def chart_texts(out: Path) -> list[list[str]]:
    """The texts each cached chart drawing holds (bar labels, ticks, unit notes)."""
    drawings = []
    for path in sorted((out / ".briefpack" / "charts").glob("*.json")):
        ops = json.loads(path.read_text(encoding="utf-8"))["ops"]
        drawings.append([op["text"] for op in ops if op["op"] == "text"])
    return drawings


def flat(block: model.Block) -> list:
    return block.leaves()


# --------------------------------------------------------------------------- 出所 and 注


def test_source_lines_name_the_source_and_data_time_only(every_plan) -> None:
    economy_kg, relations_kg = every_plan["economy-kg"], every_plan["relations-kg"]
    gdp = [s for b in section(economy_kg, "名目GDP").groups[0].blocks for s in _sources(b)]
    assert set(gdp) == {"国際通貨基金（IMF）（2024年）"}
    visits = [
        s for b in section(relations_kg, "対日関係：要人往来").groups[0].blocks for s in _sources(b)
    ]
    assert visits == ["外務省HP（2025年9月）"]
    population = [s for b in section(economy_kg, "人口").groups[0].blocks for s in _sources(b)]
    assert set(population) == {"各国統計局（基準年の記載なし）"}
    # Turkmen partner tables: their own group (2021, no source in the seed)
    tm = every_plan["economy-tm"]
    assert {s for b in section(tm, "国別輸出入額").groups[0].blocks for s in _sources(b)} == {
        "原資料に出所の記載なし（2021年）"
    }
    # no 出所 line anywhere names a publication: that is the appendix's job, once
    for plan in every_plan.values():
        for caption in items(plan, model.Caption):
            for source in caption.sources:
                assert "掲載" not in source and "データ集" not in source, source
                assert re.search(r"（(\d{4}年(\d{1,2}月)?|基準年の記載なし)）$", source), source


def _sources(block: model.Block) -> list[str]:
    return [s for i in flat(block) if isinstance(i, model.Caption) for s in i.sources]


def test_the_appendix_names_each_publication(every_plan) -> None:
    entries = {(e.title, e.source): e for e in every_plan["economy-tm"].sources}
    jetro = "日本貿易振興機構（ジェトロ）調査部「中央アジア各国経済データ集」（2025年12月）"
    title = "中央アジア各国の国別輸出入額（上位5位＋日本）"
    assert entries[(title, "（原資料に出所の記載なし）")].as_of == "2021年"
    assert entries[(title, "（原資料に出所の記載なし）")].publication == jetro
    assert entries[("ドル建て名目GDP額", "国際通貨基金（IMF）")].publication == jetro


def test_notes_are_numbered_and_cells_point_to_them(every_plan, built: Path) -> None:
    central = every_plan["economy-central-asia"]
    population = [
        i
        for b in section(central, "人口").groups[0].blocks
        for i in flat(b)
        if isinstance(i, model.Caption) and len(i.notes) > 1
    ][0]
    assert population.note_labels() == ("注1：", "注2：")
    assert population.notes == (
        "ウズベキスタン、カザフスタン、キルギス、タジキスタン：原資料に基準年の記載なし",
        "トルクメニスタン統計局は最新データとして2022年の人口の値のみ公表。"
        "また、各年齢層の分布については割合(%)を公表。",
    )
    text = text_of(built / "economy-central-asia.pdf")
    assert "注1：" in text and "注2：" in text
    # one note: unnumbered, and the cell it concerns says （注）
    rows = [r for t in items(central, model.TableItem) for r in t.body if r[0] == "キルギス"]
    assert (
        "キルギス",
        "（注）5",
        "5",
        "6",
        "6",
        "4",
        "5",
        "5",
        "8",
        "14",
        "15",
        "17",
        "13",
        "11",
    ) in (rows)
    assert "（注）5" in text and "注：キルギス2012年：実数不明" in text


def test_a_cell_points_to_its_number_among_several_notes(data_copy: Path) -> None:
    replace_in(
        data_copy / "datasets" / "japanese_companies.toml",
        "notes = []",
        'notes = ["拠点数は各年10月1日現在。"]',
    )
    made = plans(data_copy, ("relations", "kg"))["relations-kg"]
    block = next(b for b in section(made, "日系企業").groups[0].blocks if b.type == "series_table")
    table = next(i for i in flat(block) if isinstance(i, model.TableItem))
    caption = next(i for i in flat(block) if isinstance(i, model.Caption))
    assert caption.notes == ("キルギス2012年：実数不明", "拠点数は各年10月1日現在。")
    assert caption.note_labels() == ("注1：", "注2：")
    assert table.body[0][1] == "（注1）5"


# --------------------------------------------------------------------------- number formats


def test_chart_labels_print_the_tables_figures(every_plan, built: Path) -> None:
    drawn = chart_texts(built)
    gdp = next(t for t in drawn if "291.48" in t)
    assert {"114.96", "291.48", "17.49", "14.20", "68.68"} <= set(gdp)  # 14.20, never 14.2
    exports_kg = next(t for t in drawn if "1,212,631.6" in t)
    assert {"1,212,631.6", "1,166,225.2", "832.0"} <= set(exports_kg)  # 832.0, never 832
    # every bar label of every chart is a cell of a table of the same pack
    for name, plan in every_plan.items():
        cells = {c for t in items(plan, model.TableItem) for r in t.body for c in r}
        for chart in items(plan, model.ChartItem):
            if chart.kind in ("bar", "barh"):
                for bar in chart.data["bars"]:
                    assert bar[2] in cells, (name, bar)
    # the chart in words uses the same figures
    kg = every_plan["economy-kg"]
    alt = next(c.alt for c in items(kg, model.ChartItem) if c.kind == "bar")
    assert "タジキスタン14.20" in alt


def test_a_declared_scale_prints_alike_in_table_chart_and_words(data_copy: Path) -> None:
    replace_in(
        data_copy / "datasets" / "trade_partners.toml",
        '[columns.value]\ntype = "decimal"\nlabel = "金額"',
        '[columns.value]\ntype = "decimal"\nlabel = "金額"\nscale = "億"\ndecimals = 1',
    )
    assert cli("check", data=data_copy).exit_code == 0
    made = plans(data_copy, ("economy", "kg"))["economy-kg"]
    partners = section(made, "国別輸出入額").groups[0].blocks[0]
    units = [i.unit for i in flat(partners) if isinstance(i, model.UnitLine)]
    table = next(i for i in flat(partners) if isinstance(i, model.TableItem))
    chart = next(i for i in flat(partners) if isinstance(i, model.ChartItem))
    assert units == ["億ドル"]
    # 1,212,631.6 thousand dollars = 12.1億ドル; 832.0 thousand = 0.0083億 → 0.0
    assert table.body[0] == ("1", "英国", "12.1") and table.body[-1] == ("—", "日本", "0.0")
    assert [bar[2] for bar in chart.data["bars"]] == ["12.1", "11.7", "11.5", "4.9", "3.5", "0.0"]
    assert chart.unit == "億ドル" and chart.data["axis"]["unit"] == "億ドル"
    assert "英国12.1" in chart.alt


def test_zero_decimals_round_half_up(data_copy: Path) -> None:
    replace_in(
        data_copy / "datasets" / "trade_partners.toml",
        '[columns.value]\ntype = "decimal"\nlabel = "金額"',
        '[columns.value]\ntype = "decimal"\nlabel = "金額"\ndecimals = 0',
    )
    made = plans(data_copy, ("economy", "kg"))["economy-kg"]
    table = next(i for i in items(made, model.TableItem) if i.body and i.body[0][1] == "英国")
    assert table.body[0][2] == "1,212,632"  # 1,212,631.6
    assert table.body[-1][2] == "832"


def test_a_bad_number_format_is_refused(data_copy: Path) -> None:
    replace_in(
        data_copy / "datasets" / "gdp_nominal.toml", "decimals = 2", 'decimals = 2\nscale = "ほげ"'
    )
    result = cli("check", data=data_copy)
    assert result.exit_code == 1
    assert "datasets/gdp_nominal.toml" in result.stderr and "scale" in result.stderr


def test_axes_are_labelled_in_a_readable_unit(built: Path) -> None:
    drawn = chart_texts(built)
    population = next(t for t in drawn if "37,543,167" in t)
    assert "（目盛：万人）" in population and "（棒の数値：人）" in population
    assert {"0", "1,000", "2,000", "3,000"} <= set(population)
    labels = {"37,543,167", "20,283,399", "7,281,827", "10,288,331", "7,057,841"}
    ticks = [t for t in population if re.fullmatch(r"[△\d,.]+", t) and t not in labels]
    assert ticks and all(len(t.replace(",", "")) <= 4 for t in ticks), ticks
    exports_kz = next(t for t in drawn if "18,663,764.8" in t)
    assert "（目盛：億ドル）" in exports_kz and {"0", "50", "100", "150"} <= set(exports_kz)
    # small figures keep their unit: the region's per-capita GDP up to 14,460ドル
    per_capita = next(t for t in drawn if "（ドル）" in t and "トルクメニスタン" in t)
    assert "5,000" in per_capita


def test_commentary_states_units(every_plan) -> None:
    sentences = [s for b in items(every_plan["economy-kg"], model.Bullets) for s in b.items]
    assert "キルギスの2024年の1人当たりGDPは2,470ドルで、中央アジア5カ国中4位。" in sentences
    assert (
        "キルギスの1人当たりGDPは2000年の281ドルから2024年の2,470ドルへ増加（最高は2024年）。"
        in sentences
    )
    assert "キルギスの日系企業の拠点数は2012年の5社から2024年の11社へ増加（最高は2022年）。" in (
        sentences
    )


# --------------------------------------------------------------------------- pages


def test_no_internal_names_on_any_page(built: Path) -> None:
    dataset_ids = [p.stem for p in (DATA / "datasets").glob("*.toml")]
    # place codes as words (「Gazeta.uz」, a source's name, is published text)
    codes = re.compile(r"(?<![A-Za-z.])(kg|kz|uz|tj|tm|central-asia)(?![A-Za-z])")
    for template in TEMPLATES:
        for target in TARGETS:
            for n, page in enumerate(pages_of(built / f"{template}-{target}.pdf"), start=1):
                where = f"{template}-{target} p{n}"
                assert ".csv" not in page and ".toml" not in page, where
                assert "datasets/" not in page and "texts/" not in page, where
                for name in dataset_ids:
                    assert name not in page, (where, name)
                assert not codes.search(page), (where, codes.search(page))


def test_composed_text_uses_full_width_punctuation(every_plan) -> None:
    for plan in every_plan.values():
        for caption in items(plan, model.Caption):
            assert ":" not in caption.source_line() and "(" not in caption.source_line()
        for table in items(plan, model.TableItem):
            for row in table.body:
                assert not any(cell.startswith("(注") for cell in row)


def test_an_absent_chart_is_said_so_on_the_page(built: Path) -> None:
    kg = text_of(built / "relations-kg.pdf")
    assert (
        "（グラフ「我が国による対キルギスODAの推移(支出総額ベース)」は原資料に数値の記載が"
        "ないため掲載していません）" in kg
    )
    assert (
        "（図表「輸出・輸入品目別金額/シェア」は原資料に数値の記載がないため掲載していません）"
        in kg
    )
    economy = text_of(built / "economy-kz.pdf")
    assert "（グラフ「実質GDP成長率」は原資料に数値の記載がないため掲載していません）" in economy
    # a chart the source draws once per country is named once in a region's pack
    region = text_of(built / "economy-central-asia.pdf")
    assert region.count("（グラフ「国別対内直接投資残高 2024年末（上位5位＋日本）」") == 1
    # a record about another place stays off the page
    assert "ODA" not in text_of(built / "relations-kz.pdf")
    assert "ウズベキスタンの人口推移" not in economy


def test_a_relations_pack_without_relations_content_says_what_it_holds(every_plan) -> None:
    assert every_plan["relations-kz"].title == "日本・カザフスタン経済関係 ブリーフィング資料"
    assert every_plan["relations-kz"].subtitle == "カザフスタン共和国概況と日本との経済関係"
    assert every_plan["relations-kg"].title == "日本・キルギス関係 ブリーフィング資料"
    assert every_plan["relations-central-asia"].title == "日本・中央アジア関係 ブリーフィング資料"


def test_changes_are_told_in_the_readers_words(every_plan) -> None:
    names = every_plan["relations-kg"].names
    lines = in_words(
        [
            "japan_trade kg/2024: exports 44512 → 44513, balance -42710 → 42711",
            "japan_trade kg/2025: added (kg,2025,1,2,3)",
            "style changed",
        ],
        names,
    )
    assert lines == [
        "日本の対中央アジア貿易推移（国別） キルギス・2024年：輸出額 44,512 → 44,513、"
        "貿易収支 △42,710 → 42,711",
        "日本の対中央アジア貿易推移（国別） キルギス・2025年：行の追加",
        "体裁（スタイル）の変更",
    ]


# --------------------------------------------------------------------------- コラム


def test_columns_are_boxed_at_a_reading_measure(every_plan) -> None:
    from briefpack.fonts import register_fonts, resolve_font_path, text_fonts
    from briefpack.render.document import render_context
    from briefpack.render.flow import boxed
    from briefpack.style import load_style

    from .conftest import STYLES

    box = next(i for i in items(every_plan["economy-uz"], model.Box))
    assert box.title == "人口増が続くウズベキスタン"
    assert len(box.paragraphs) == 3
    # not numbered chapters or bullets: the コラム is one boxed item
    assert not any(
        "人口増が続くウズベキスタン" in h.text
        for h in items(every_plan["economy-uz"], model.Heading)
    )
    style = load_style(STYLES, "default")
    paths = [resolve_font_path(style["fonts"][k], style.folder) for k in ("regular", "bold")]
    fonts = text_fonts(register_fonts(*paths), style["fonts"], style.folder)
    rc = render_context(style, fonts, None)
    flowable = boxed(rc, box)
    flowable.wrap(rc.frame_width, rc.frame_height * 3)
    column, count, _ = flowable._geometry(rc.frame_width)
    assert count == 2  # A4 landscape: two columns
    assert 35 - 1e-6 <= column / flowable.body.size <= 45
    full = [line for para in flowable._lines for line in para[:-1]]  # last lines run short
    assert full and all(line.width / flowable.body.size <= 45.01 for line in full)
    # in a portrait frame: one column narrowed to the measure
    narrow = boxed(rc, box)
    column, count, width = narrow._geometry(480)
    assert count == 1 and column / narrow.body.size <= 45.01 and width <= 480
