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

from .conftest import DATA, LIVE_DATA, SEEDS, cli, replace_in
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


def test_the_printed_appendix_names_each_publication_once(built: Path) -> None:
    """On the page: the publication heads its table once; no row repeats it."""
    jetro = "日本貿易振興機構（ジェトロ）調査部「中央アジア各国経済データ集」（2025年12月）"
    for name in ("economy-tm", "relations-kg"):
        appendix = text_of(built / f"{name}.pdf").split("データ出所一覧")[-1]
        assert appendix.count(jetro) == 1, name
        assert f"掲載資料：{jetro}" in appendix
        assert "国際通貨基金（IMF）" in appendix or name.startswith("relations")
    binder = text_of(built / "binder" / "meeting.pdf").split("データ出所一覧")[-1]
    assert binder.count(jetro) == 1


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
        "（グラフ「我が国による対キルギスODAの推移（支出総額ベース）」は原資料に数値の記載が"
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


JETRO_CITED = "「中央アジア各国経済データ集」（2025年12月）"
# The JETRO seed's bullets on its real-GDP-growth chart (II-1), written out by hand.
GROWTH_QUOTES = (
    "「ウズベキスタンとタジキスタンは、一定の成長率を維持。カザフスタン、キルギス、"
    "トルクメニスタンは成長率の増減を繰り返しつつ、5カ国とも2017年頃から一定の成長率。」",
    "「5カ国のGDP成長率は2020年に落ち込んだが翌年には持ち直し、2024年までほぼ同水準で推移。」",
)


def _absent_unit(group: model.Group) -> tuple:
    """The one-cell unit the absent lines of a group form when they quote the source."""
    *_, last = group.blocks
    items = list(last.items)
    for item in last.items:  # under the table of a table-and-chart pair, when there is one
        if isinstance(item, model.SideBySide) and len(item.cells) == 2:
            items += [part for cell in item.cells for part in cell]
    units = [i for i in items if isinstance(i, model.SideBySide) and len(i.cells) == 1]
    assert len(units) == 1, last.items
    return units[0].cells[0]


def test_an_absent_chart_keeps_the_seeds_statements_quoted_with_source(every_plan) -> None:
    gdp = section(every_plan["economy-kz"], "名目GDP").groups[0]
    notice, quotes, cited = _absent_unit(gdp)
    assert notice == model.Paragraph(
        "（グラフ「実質GDP成長率」は原資料に数値の記載がないため掲載していません）", "note"
    )
    assert isinstance(quotes, model.Bullets) and quotes.items == GROWTH_QUOTES
    assert cited == model.Paragraph(f"出典：{JETRO_CITED}", "note")
    # two charts quoted from one publication in a group: one 出典 line, after the last quote
    population = section(every_plan["economy-uz"], "人口").groups[0]
    unit = _absent_unit(population)
    kinds = [type(i).__name__ for i in unit]
    assert kinds == [
        "Paragraph",  # 中央アジア各国の人口（年齢別人口構成）
        "Bullets",
        "Paragraph",  # ウズベキスタンの人口推移: its statement is in the コラム printed above
        "Paragraph",  # 電源別発電量（2023年）
        "Bullets",
        "Paragraph",  # 出典
    ], unit
    assert unit[-1].text == f"出典：{JETRO_CITED}"
    assert (
        unit[1].items[1]
        == "「タジキスタンとトルクメニスタンはおおむねピラミッド型の分布となっている。」"
    )
    assert (
        unit[4].items[0] == "「ウズベキスタンとトルクメニスタンは主に天然ガスを発電源としている。」"
    )
    # the embassy's ODA charts: the seed says nothing about them, so nothing is quoted
    cooperation = section(every_plan["relations-kg"], "経済協力実績").groups[0]
    notices = [i for i in cooperation.blocks[-1].items if isinstance(i, model.Paragraph)]
    assert [n.text[:12] for n in notices[-2:]] == [
        "（グラフ「我が国による対",
        "（図表「我が国による対キ",
    ]
    assert not any(
        p.text.startswith("出典：")
        for plan in every_plan.values()
        if "relations" in plan.name
        for p in items(plan, model.Paragraph)
    )


def test_absent_lines_cite_each_publication_after_its_last_quotation() -> None:
    from briefpack.datalayer import Publication
    from briefpack.pack.blocks.absent import absent_lines

    publications = {
        "a": Publication("a", "資料A", "発行者A", "2025-09"),
        "b": Publication("b", "資料B「続編」", "発行者B", "2025-12"),
    }
    records = [
        {"title": "図1", "publication": "a", "quotes": ["一つ目。"]},
        {"title": "図2", "kind": "図表", "publication": "b", "quotes": ["「引用」を含む。"]},
        {"title": "図3", "publication": "a", "quotes": ["三つ目。"]},
        {"title": "図4", "quotes": ["出典のない文。"]},  # no publication: notice only
    ]
    out = absent_lines(records, publications)
    assert isinstance(out[-1], model.Gap)
    unit = out[0].cells[0]
    lines = [i.text if isinstance(i, model.Paragraph) else i.items for i in unit]
    assert lines == [
        "（グラフ「図1」は原資料に数値の記載がないため掲載していません）",
        ("「一つ目。」",),
        "（図表「図2」は原資料に数値の記載がないため掲載していません）",
        ("「『引用』を含む。」",),
        "出典：「資料B『続編』」（2025年12月）",
        "（グラフ「図3」は原資料に数値の記載がないため掲載していません）",
        ("「三つ目。」",),
        "出典：「資料A」（2025年9月）",
        "（グラフ「図4」は原資料に数値の記載がないため掲載していません）",
    ]
    # without quotations: the notices alone, as plain lines
    assert absent_lines([{"title": "図5"}], publications) == [
        model.Paragraph("（グラフ「図5」は原資料に数値の記載がないため掲載していません）", "note")
    ]


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the seed documents are not beside the repository")
def test_quotations_are_the_seeds_own_sentences() -> None:
    """Each quotation is a seed line as published: only a list mark and ** debris removed."""
    import tomllib

    for data in (DATA, LIVE_DATA):
        records = tomllib.loads((data / "absent.toml").read_text(encoding="utf-8"))
        quoted = 0
        for name, record in records.items():
            seed_file = _seed_of(data, record["publication"])
            seed = (SEEDS / seed_file).read_text(encoding="utf-8").splitlines()
            lines = {line.removeprefix("- ").replace("**", "").strip() for line in seed}
            for quote in record.get("quotes", []):
                assert quote in lines, (data, name, quote)
                quoted += 1
        assert quoted == 12, data


def _seed_of(data: Path, publication: str) -> str:
    import tomllib

    publications = tomllib.loads((data / "publications.toml").read_text(encoding="utf-8"))
    return publications[publication]["seed"]


def test_a_quotation_is_on_the_page_of_its_notice_with_its_source(built: Path) -> None:
    for pack in ("economy-kz", "economy-uz", "economy-central-asia"):
        pages = [p.replace("\n", "") for p in pages_of(built / f"{pack}.pdf")]
        for notice, quote in (
            ("（グラフ「実質GDP成長率」は", GROWTH_QUOTES[1]),
            (
                "（グラフ「国別対内直接投資残高",
                "「トルクメニスタンについては中国に次いでマレーシアの割合が多い。」",
            ),
            (
                "（グラフ「日本への輸入品目別割合",
                "「その他、カザフスタンの石炭、キルギスのはちみつ、",
            ),
        ):
            on = [n for n, page in enumerate(pages) if notice in page]
            assert len(on) == 1, (pack, notice, on)
            page = pages[on[0]]
            assert quote in page and f"出典：{JETRO_CITED}" in page, (pack, on[0] + 1)
            assert page.index(notice) < page.index(quote) < page.rindex("出典：")


def test_a_ranking_table_names_each_source_once(every_plan, built: Path) -> None:
    block = section(every_plan["economy-kz"], "国際ランキング").groups[0].blocks[0]
    table = next(i for i in block.items if isinstance(i, model.TableItem))
    assert all(row[0] != "出所" for row in table.body)  # no row of sources in the table
    (caption,) = [i for i in block.items if isinstance(i, model.Caption)]
    assert caption.sources == (
        "イノベーション指数：世界知的所有権機関（WIPO）（2025年）",
        "モバイルコネクティビティ指数：グローバルシステムモバイルコミュニケーション協会（GSMA）（2025年）",
        "SDGs達成度：国連持続可能な開発ソリューション・ネットワーク「持続可能な開発報告書2025」（2025年）",
        "グリーン成長指数：グローバル・グリーン成長研究所（GGGI）（2025年）",
        "グローバル持続可能競争力指数：SolAbility（2024年）",
    )
    page = next(p for p in pages_of(built / "economy-kz.pdf") if "イノベーション指数" in p)
    page = page.replace("\n", "")
    for source in ("世界知的所有権機関（WIPO）", "SolAbility", "グローバル・グリーン成長研究所"):
        assert page.count(source) == 1, (source, page)


def test_a_ranking_source_shared_by_indices_is_printed_once(data_copy: Path) -> None:
    replace_in(
        data_copy / "datasets" / "ranking_indices.csv", "SolAbility", "世界知的所有権機関（WIPO）"
    )
    block = section(plans(data_copy, ("economy", "kz"))["economy-kz"], "国際ランキング")
    (caption,) = [i for i in block.groups[0].blocks[0].items if isinstance(i, model.Caption)]
    assert caption.sources[0] == (
        "イノベーション指数、グローバル持続可能競争力指数：世界知的所有権機関（WIPO）（2025年）"
    )
    assert len(caption.sources) == 4


DATA_TIME = re.compile(r"（(\d{4}年(\d{1,2}月)?|基準年の記載なし)）$")


def _printed_sources(items_: tuple) -> list[str]:
    """The 出所 a block prints: its 出所 lines, and cells of a table row labelled 出所."""
    out = []
    for item in items_:
        if isinstance(item, model.Caption):
            out += list(item.sources)
        elif isinstance(item, model.TableItem):
            out += [cell for row in item.body if row[0] == "出所" for cell in row[1:]]
    return out


def test_no_block_prints_the_same_source_twice(every_plan) -> None:
    """Each source once per block (each block of a row on its own): not in a 出所 row of the
    table and again in the 出所 line, not once per index or per row group."""
    checked = 0
    for plan in every_plan.values():
        for sec in plan.sections:
            for group in sec.groups:
                for block in group.blocks:
                    cells = [block.items]
                    if block.type == "row":  # each block of the row, and what follows it
                        rows = [i for i in block.items if isinstance(i, model.SideBySide)]
                        rest = tuple(i for i in block.items if i not in rows)
                        cells = [c for r in rows for c in r.cells] + [rest]
                    for cell in cells:
                        printed = _printed_sources(cell)
                        text = "\n".join(printed)
                        for entry in printed:
                            name = DATA_TIME.sub("", entry).split("：")[-1]
                            assert text.count(name) == 1, (plan.name, sec.title, name, printed)
                            checked += 1
    assert checked > 100


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


def test_absent_lines_go_under_the_table_beside_a_chart(every_plan) -> None:
    """In 人口 the table is narrow and the chart beside it tall: the notices and quotations
    go under the table, not onto a page of their own after the pair."""
    population = section(every_plan["economy-kz"], "人口").groups[0]
    *_, last = population.blocks
    pair = last.items[-1]
    assert isinstance(pair, model.SideBySide) and len(pair.cells) == 2
    table_cell, chart_cell = (
        pair.cells
        if not any(isinstance(i, model.ChartItem) for i in pair.cells[0])
        else pair.cells[::-1]
    )
    assert any(isinstance(i, model.TableItem) for i in table_cell)
    assert any(isinstance(i, model.SideBySide) and len(i.cells) == 1 for i in table_cell)
    assert not any(isinstance(i, model.SideBySide) for i in chart_cell)


def test_a_year_table_too_wide_for_the_page_is_cut_into_even_blocks() -> None:
    """25 years whose figures fit 12 to a row: three blocks of about the same width, never
    12 + 12 and a last block of one lone year."""
    from briefpack.fonts import register_fonts, resolve_font_path, text_fonts
    from briefpack.render.compose import RuledTable
    from briefpack.render.document import render_context
    from briefpack.render.flow import tables
    from briefpack.style import load_style

    from .conftest import STYLES

    style = load_style(STYLES, "default")
    paths = [resolve_font_path(style["fonts"][k], style.folder) for k in ("regular", "bold")]
    fonts = text_fonts(register_fonts(*paths), style["fonts"], style.folder)
    rc = render_context(style, fonts, None)
    years = [f"{y}年" for y in range(2000, 2025)]
    rows = tuple(
        (name, *(f"△{1_000_000 + (i + 1) * 123_457 * (k + 1):,}" for i in range(25)))
        for k, name in enumerate(["日本の輸出額", "日本の輸入額", "貿易収支"])
    )
    item = model.TableItem(("", *years), rows, (False, *([True] * 25)), label_width=True)
    blocks = [len(t._cellvalues[0]) - 1 for t in tables(rc, item) if isinstance(t, RuledTable)]
    assert sum(blocks) == 25 and len(blocks) >= 2
    assert max(blocks) - min(blocks) <= len(blocks), blocks


def test_the_appendix_lists_the_rankings_once(every_plan) -> None:
    """The ranking indices detail the rankings' sources: one row, not one per index again."""
    for name in ("economy-kg", "economy-central-asia"):
        titles = [e.title for e in every_plan[name].sources]
        assert titles.count("国際ランキング比較一覧") == 1, name
        assert not any(t.startswith("国際ランキング比較一覧（") for t in titles), name


def test_a_note_about_one_year_is_printed_under_the_table_that_shows_it(every_plan) -> None:
    """The timeline's yen-loan note concerns its 1996 row: under the era table holding 1996
    (and under the yen-loan table, a dataset of its own), never under the Meiji era's."""
    note = "最初の円借款「ビシュケク・オシュ道路改修事業」"
    history = section(every_plan["relations-kg"], "対日関係：二国間交流の歴史").groups[0]
    under = [
        any(note in n for i in flat(b) if isinstance(i, model.Caption) for n in i.notes)
        for b in history.blocks
        if any(isinstance(i, model.TableItem) for i in flat(b))
    ]
    assert under == [False, True]
