"""The packs follow the data: next year's rows, a new member, a row's own source.

Expected sentences and years are written out by hand here, from the fixture's figures;
the code under test computes them from the rows.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pypdf
import pytest

from briefpack.datalayer import load
from briefpack.pack import model
from briefpack.pack.plan import plan_pack
from briefpack.runner import load_specs
from briefpack.style import load_style

from .conftest import DATA, STYLES, cli
from .edits import add_member, add_next_years, read_csv, shift_years


def plans(data: Path, *packs: tuple[str, str]) -> dict[str, model.PackPlan]:
    layer = load(data)
    specs = load_specs(layer)
    style = load_style(STYLES, "default")
    return {
        f"{t}-{c}": plan_pack(layer, specs[t], c, dict(style["numbers"]))
        for t, c in packs or [(t, c) for t in specs for c in layer.places]
    }


def items(plan: model.PackPlan, kind: type) -> list:
    """Every item of a kind, side-by-side cells included, in page order."""
    found = []

    def walk(item):
        if isinstance(item, model.SideBySide):
            for cell in item.cells:
                for part in cell:
                    walk(part)
        elif isinstance(item, kind):
            found.append(item)

    for section in plan.sections:
        for group in section.groups:
            for block in group.blocks:
                for item in block.items:
                    walk(item)
    return found


def section(plan: model.PackPlan, start: str) -> model.SectionPlan:
    return next(s for s in plan.sections if s.title.startswith(start))


def sentences(plan: model.PackPlan) -> list[str]:
    return [s for b in items(plan, model.Bullets) for s in b.items]


def text_of(pdf: Path) -> str:
    return "".join(p.extract_text() for p in pypdf.PdfReader(pdf).pages).replace("\n", "")


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    return target


# --------------------------------------------------------------------------- today's data


def test_headings_name_the_years_of_the_rows_shown() -> None:
    made = plans(DATA, ("economy", "central-asia"), ("relations", "kg"))
    economy, relations = made["economy-central-asia"], made["relations-kg"]
    titles = [s.title for s in economy.sections]
    assert "名目GDP（2024年）" in titles
    assert "ドル建て1人当たりGDP（2000〜2024年）" in titles
    assert "日本との貿易（2000〜2024年）" in titles
    assert "日系企業の拠点数・在留邦人数（2012〜2024年）" in titles
    assert "主要な埋蔵鉱物・石油・天然ガス資源の世界シェア（2022年）" in titles
    headings = [h.text for h in items(relations, model.Heading)]
    assert "日本との貿易の推移（日本側統計、2000〜2024年）" in headings
    assert "在留邦人数の推移（2012〜2024年）" in headings


def test_region_count_is_composed_from_its_members() -> None:
    made = plans(DATA, ("economy", "central-asia"))["economy-central-asia"]
    assert made.subtitle == "中央アジア5カ国の経済・対外関係・日本との関係"


def test_sources_credit_each_row_group_and_its_data_time() -> None:
    """Turkmen partner rows (2021, no source in the seed) are not credited to 各国統計局 2024."""
    made = plans(DATA, ("economy", "tm"), ("economy", "kg"))
    partners = section(made["economy-tm"], "国別輸出入額")
    captions = [
        i for b in partners.groups[0].blocks for i in _flat(b) if isinstance(i, model.Caption)
    ]
    partner = [s for c in captions for s in c.sources]
    assert len(partner) == 4
    # short 出所 lines: source and data time; the publication is named in the appendix
    assert all(s == "原資料に出所の記載なし（2021年）" for s in partner)
    kg_sources = [s for c in items(made["economy-kg"], model.Caption) for s in c.sources]
    assert "各国統計局（2024年）" in kg_sources


def test_country_pack_shows_the_target_among_its_region() -> None:
    made = plans(DATA, ("economy", "kg"))["economy-kg"]
    gdp = section(made, "名目GDP")
    charts = [i for b in gdp.groups[0].blocks for i in _flat(b)]
    bars = next(i for i in charts if isinstance(i, model.ChartItem))
    assert [bar[0] for bar in bars.data["bars"]] == [
        "ウズベキスタン",
        "カザフスタン",
        "キルギス",
        "タジキスタン",
        "トルクメニスタン",
    ]
    assert bars.highlight == "キルギス"
    assert "キルギスの2024年のドル建て名目GDP額は17.49（10億ドル）で、中央アジア5カ国中4位。" in (
        sentences(made)
    )
    assert "ドル建て名目GDP額（2024年）の棒グラフ。単位10億ドル。カザフスタン291.48、" in bars.alt


def _flat(block: model.Block) -> list:
    return block.leaves()


# --------------------------------------------------------------------------- next year's rows


@pytest.mark.parametrize("update_as_of", [True, False])
def test_next_two_years_give_a_true_pack(data_copy: Path, update_as_of: bool) -> None:
    last = add_next_years(data_copy, 2, update_as_of=update_as_of)
    assert last == 2026
    made = plans(data_copy, ("economy", "central-asia"), ("economy", "kg"))
    region, kg = made["economy-central-asia"], made["economy-kg"]
    titles = [s.title for s in region.sections]
    assert "名目GDP（2026年）" in titles
    assert "ドル建て1人当たりGDP（2000〜2026年）" in titles
    assert "日本との貿易（2000〜2026年）" in titles
    # one value per place in the single-year views
    gdp = section(region, "名目GDP")
    table = next(
        i for b in gdp.groups[0].blocks for i in _flat(b) if isinstance(i, model.TableItem)
    )
    assert [row[0] for row in table.body] == [
        "ウズベキスタン",
        "カザフスタン",
        "キルギス",
        "タジキスタン",
        "トルクメニスタン",
    ]
    # 2026 = 2024 × 1.02 (the edit's rule), computed here by hand
    assert [row[1] for row in table.body] == ["117.26", "297.31", "17.84", "14.48", "70.05"]
    assert (
        "2026年のドル建て名目GDP額はカザフスタンが最も多く、次いでウズベキスタン、"
        "トルクメニスタン、キルギス、タジキスタンの順となる。" in sentences(region)
    )
    assert "キルギスの2026年のドル建て名目GDP額は17.84（10億ドル）で、中央アジア5カ国中4位。" in (
        sentences(kg)
    )
    captions = [s for c in items(region, model.Caption) for s in c.sources]
    assert "国際通貨基金（IMF）（2026年）" in captions
    assert "国際通貨基金（IMF）（2024年）" not in captions
    # every span ends in the new year
    spans = re.findall(r"(\d{4})〜(\d{4})年", " ".join(titles))
    assert spans and all(end == "2026" for _, end in spans)


def test_as_of_left_behind_is_reported_by_check(data_copy: Path) -> None:
    add_next_years(data_copy, 2, update_as_of=False)
    result = cli("check", data=data_copy)
    assert result.exit_code == 0
    assert (
        "datasets/gdp_nominal.toml: warning: as_of = '2024' is older than the rows "
        "(latest year 2026); packs print the data time of the rows they show — update or "
        "remove as_of\n"
    ) in result.stderr


def test_years_shifted_shift_every_derived_year(data_copy: Path) -> None:
    """Metamorphic: every year in the data +3 → every year the pack composes +3."""
    packs = [("economy", "central-asia"), ("relations", "kg"), ("economy", "kg")]
    before = plans(DATA, *packs)
    shift_years(data_copy, 3)
    after = plans(data_copy, *packs)
    for name in before:
        old, new = _derived(before[name]), _derived(after[name])
        assert len(old) == len(new) > 20
        for a, b in zip(old, new, strict=True):
            assert _shifted(a, 3) == b, (name, a, b)


def _derived(plan: model.PackPlan) -> list[str]:
    """The texts a pack composes from its rows (not prose, not published labels)."""
    out = [s.title for s in plan.sections]
    for s in plan.sections:
        for g in s.groups:
            for b in g.blocks:
                if b.type in ("profile", "column", "bullets", "paragraph", "timeline"):
                    continue
                for item in _flat(b):
                    if isinstance(item, model.Heading):
                        out.append(item.text)
                    elif isinstance(item, model.TableItem):
                        out += list(item.header)
                    elif isinstance(item, model.Caption):
                        out += [re.sub(r"掲載：.*", "", s) for s in item.sources]
                    elif isinstance(item, model.Bullets):
                        out += list(item.items)
                    elif isinstance(item, model.ChartItem) and "x" in item.data:
                        out += [str(x) for x in item.data["x"]]
    return out


def _shifted(text: str, n: int) -> str:
    """Years moved by ``n``, except inside 「」 (quoted published titles keep their year)."""
    parts = re.split(r"(「[^」]*」)", text)
    year = re.compile(r"(?<![0-9,.])(19[5-9][0-9]|20[0-4][0-9])(?![0-9])")
    return "".join(
        p if p.startswith("「") else year.sub(lambda m: str(int(m[0]) + n), p) for p in parts
    )


# --------------------------------------------------------------------------- a new member


def test_a_sixth_member_with_fewer_years(data_copy: Path) -> None:
    add_member(data_copy)
    made = plans(data_copy, ("economy", "central-asia"), ("economy", "kg"))
    region, kg = made["economy-central-asia"], made["economy-kg"]
    assert region.subtitle == "中央アジア6カ国の経済・対外関係・日本との関係"
    said = sentences(region)
    # Mongolia has no 2024 GDP: named, not counted in the ranking or the share
    assert "モンゴルは2024年の値なし（比較に含めず）。" in said
    assert "上位のカザフスタンとウズベキスタンで全体の80.2%を占め、8割を超える。" in said
    assert "キルギスの2024年のドル建て名目GDP額は17.49（10億ドル）で、中央アジア5カ国中4位。" in (
        sentences(kg)
    )
    gdp = section(region, "名目GDP")
    table = next(
        i for b in gdp.groups[0].blocks for i in _flat(b) if isinstance(i, model.TableItem)
    )
    assert ("モンゴル", "20.31") in table.body  # its own latest year, with a note
    caption = next(
        i for b in gdp.groups[0].blocks for i in _flat(b) if isinstance(i, model.Caption)
    )
    assert "モンゴルは2023年の値。" in caption.notes


def test_a_place_without_rows_has_no_pack_and_list_says_why(data_copy: Path) -> None:
    places = data_copy / "places.csv"
    header, body = read_csv(places)
    body.append(["af", "country", "アフガニスタン", "アフガニスタン・イスラム共和国", "", "9"])
    from .edits import write_csv

    write_csv(places, header, body)
    result = cli("list", data=data_copy)
    assert result.exit_code == 0, result.stderr
    assert "  economy af: no data for any section\n" in result.stdout
    assert "  relations af: no data for any section\n" in result.stdout


# --------------------------------------------------------------------------- sources per row


def test_a_row_from_another_publication_is_credited_to_its_source_only(data_copy: Path) -> None:
    path = data_copy / "datasets" / "gdp_nominal.csv"
    header, body = read_csv(path)
    body = [[*r, ""] for r in body] + [["kg", "2025", "19.01", "IMF World Economic Outlook"]]
    from .edits import write_csv

    write_csv(path, [*header, "source"], body)
    made = plans(data_copy, ("economy", "kg"))["economy-kg"]
    gdp = section(made, "名目GDP")
    captions = [i for b in gdp.groups[0].blocks for i in _flat(b) if isinstance(i, model.Caption)]
    sources = [s for c in captions for s in c.sources]
    assert "IMF World Economic Outlook（2025年）" in sources
    assert "国際通貨基金（IMF）（2024年）" in sources
    # the appendix credits the seed's publication for the IMF rows only
    appendix = {(e.title, e.source): e for e in made.sources}
    weo = appendix[("ドル建て名目GDP額", "IMF World Economic Outlook")]
    imf = appendix[("ドル建て名目GDP額", "国際通貨基金（IMF）")]
    assert (weo.as_of, weo.publication) == ("2025年", "—")
    assert imf.as_of == "2024年"
    assert imf.publication == (
        "日本貿易振興機構（ジェトロ）調査部「中央アジア各国経済データ集」（2025年12月）"
    )


# --------------------------------------------------------------------------- the spec


def test_a_literal_year_in_a_spec_is_refused(data_copy: Path) -> None:
    spec = data_copy / "packs" / "economy.toml"
    text = spec.read_text(encoding="utf-8").replace("名目GDP（{year}年）", "名目GDP（2024年）", 1)
    spec.write_text(text, encoding="utf-8")
    line = next(i for i, t in enumerate(text.splitlines(), 1) if "名目GDP（2024年）" in t)
    result = cli("check", data=data_copy)
    assert result.exit_code == 1
    assert (
        f"packs/economy.toml:{line}: literal year 2024 in 'title': write {{year}} (the latest "
        "year shown) or {years} (first〜last), composed from the rows\n"
    ) in result.stderr


def test_binder_copies(tmp_path: Path) -> None:
    out = tmp_path / "meeting.pdf"
    result = cli("binder", "relations:kg", "--copies", "2", "--out", str(out))
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in tmp_path.glob("*.pdf")) == [
        "meeting-copy01.pdf",
        "meeting-copy02.pdf",
        "meeting.pdf",
    ]
    assert "No. 2/2" in pypdf.PdfReader(tmp_path / "meeting-copy02.pdf").pages[1].extract_text()


def test_next_year_pdf_prints_the_new_figures(data_copy: Path, tmp_path: Path) -> None:
    add_next_years(data_copy, 2)
    result = cli("build", "economy", "kg", "--out", str(tmp_path), data=data_copy)
    assert result.exit_code == 0, result.stderr
    text = text_of(tmp_path / "economy-kg.pdf")
    assert "名目GDP（2026年）" in text
    assert "中央アジア5カ国中4位" in text and "10カ国" not in text


def test_next_years_spread_a_year_table_evenly(data_copy: Path) -> None:
    """25 years fit two tables of at most 13 columns (13 + 12); two more years need three,
    and they get 9 each, not 13 + 13 + 1 (a table of one year on its own)."""
    before = items(plans(data_copy, ("economy", "kg"))["economy-kg"], model.TableItem)
    add_next_years(data_copy)
    after = items(plans(data_copy, ("economy", "kg"))["economy-kg"], model.TableItem)

    def widths(tables: list) -> list[int]:
        return [len(t.header) - 1 for t in tables if all(h.endswith("年") for h in t.header[1:])]

    assert widths(before)[:2] == [13, 12]  # 1人当たりGDP, 2000–2024
    assert widths(after)[:3] == [9, 9, 9]  # 2000–2026


def test_a_members_bar_charts_share_the_unit_of_their_axis() -> None:
    """Tajikistan's export partners fit 100万ドル, its import partners need 億ドル: both
    charts of the pack are labelled in 億ドル, the unit the larger of them needs."""
    made = plans(DATA, ("economy", "tj"))["economy-tj"]
    charts = [
        i
        for s in made.sections
        for g in s.groups
        for b in g.blocks
        for i in b.leaves()
        if isinstance(i, model.ChartItem) and i.kind == "barh" and i.unit == "1,000ドル"
    ]
    assert len(charts) >= 2
    assert len({c.data["axis"]["unit"] for c in charts}) == 1, [c.data["axis"] for c in charts]
