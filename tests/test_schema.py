"""One schema for every TOML and CSV file: every problem located, nothing check passes breaks.

The issue's cases are written out with the exact message a keeper now sees; a property test
breaks one value of a random TOML file of the fixture and requires `check` and `build` to
agree: both refuse with the same first located problem, or both succeed — never a traceback.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import re
import shutil
import tomllib
from pathlib import Path
from typing import Any

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefpack import schema
from briefpack.datalayer import load
from briefpack.errors import DataError
from briefpack.pack.blocks import KEYS
from briefpack.style import load_style
from briefpack.tomlpos import MAX_DEPTH, Locator

from .conftest import DATA, STYLES, cli

LOCATED = re.compile(r"^[^\s:][^:]*:\d+(:\d+)?: \S")


def copy_data(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    return target


def edit(path: Path, old: str, new: str, count: int = 1) -> int:
    """Replace ``old`` by ``new`` in a file; the 1-based line of the first replacement."""
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, count), encoding="utf-8")
    return text[: text.index(old)].count("\n") + 1


def line_col(path: Path, needle: str) -> tuple[int, int]:
    """Where ``needle`` starts in a file (1-based line and character column)."""
    text = path.read_text(encoding="utf-8")
    i = text.index(needle)
    return text.count("\n", 0, i) + 1, i - (text.rfind("\n", 0, i) + 1) + 1


def check_and_build(data: Path, tmp_path: Path) -> tuple[list[str], str]:
    """``check``'s problem lines (it must exit 1) and ``build``'s stderr (it must exit 1);
    neither changes a byte of the data."""
    before = {p: p.read_bytes() for p in sorted(data.rglob("*")) if p.is_file()}
    checked = cli("check", data=data)
    assert checked.exit_code == 1, checked.stderr
    lines = checked.stderr.splitlines()
    assert lines[-1] == f"Error: {len(lines) - 1} problem(s) in {data}"
    out = tmp_path / "out"
    built = cli("build", "relations", "kg", "--out", str(out), data=data)
    assert built.exit_code == 1, built.stderr
    assert built.stderr.splitlines()[0] == f"Error: {lines[0]}"
    for text in (checked.stderr, built.stderr):
        assert "Traceback" not in text and "internal error" not in text
    assert not (out / "relations-kg.pdf").exists()
    assert {p: p.read_bytes() for p in sorted(data.rglob("*")) if p.is_file()} == before
    return lines[:-1], built.stderr


# --------------------------------------------------------------------------- the cases


def test_unit_that_is_a_number_is_refused_at_its_line(tmp_path: Path) -> None:
    data = copy_data(tmp_path)
    meta = data / "datasets" / "gdp_nominal.toml"
    line = edit(meta, 'unit = "10億ドル"', "unit = 5")
    problems, _ = check_and_build(data, tmp_path)
    assert problems == [
        f"datasets/gdp_nominal.toml:{line}:8: unit: expected text in quotes, found the number 5"
    ]


def test_publication_date_that_does_not_exist(tmp_path: Path) -> None:
    data = copy_data(tmp_path)
    line = edit(data / "publications.toml", 'published = "2025-12"', 'published = "2025-13"')
    problems, _ = check_and_build(data, tmp_path)
    assert problems == [
        f"publications.toml:{line}:13: jetro-ca-2025.published: '2025-13' is not a date "
        "YYYY-MM or YYYY-MM-DD that exists (years 1800–2100)"
    ]


def test_as_of_that_does_not_exist(tmp_path: Path) -> None:
    data = copy_data(tmp_path)
    meta = data / "datasets" / "japan_trade.toml"
    line = edit(meta, 'as_of = "2024"', 'as_of = "2024-13-45"')
    problems, _ = check_and_build(data, tmp_path)
    assert problems == [
        f"datasets/japan_trade.toml:{line}:9: as_of: '2024-13-45' is not a date YYYY, YYYY-MM "
        "or YYYY-MM-DD that exists (years 1800–2100)"
    ]


def test_date_written_without_quotes(tmp_path: Path) -> None:
    data = copy_data(tmp_path)
    meta = data / "datasets" / "japan_trade.toml"
    line = edit(meta, 'as_of = "2024"', "as_of = 2024-12-01")
    problems, _ = check_and_build(data, tmp_path)
    assert problems == [
        f"datasets/japan_trade.toml:{line}:9: as_of: expected text in quotes, found the date "
        '2024-12-01 (write dates in quotes: "2024-12-01")'
    ]


def test_region_listing_a_member_twice(tmp_path: Path) -> None:
    data = copy_data(tmp_path)
    edit(data / "places.csv", "uz kz kg tj tm,6", "uz kz kg tj tm kg,6")
    problems, _ = check_and_build(data, tmp_path)
    assert problems == ["places.csv:7:5: column 'members': a member is listed twice"]


@pytest.mark.parametrize(
    ("value", "col"),
    [("[" * 3000 + "]" * 3000, 8 + MAX_DEPTH), ("{ a = " * 3000 + "1" + " }" * 3000, 8 + 6 * 16)],
)
def test_deeply_nested_value_in_a_text_file(tmp_path: Path, value: str, col: int) -> None:
    data = copy_data(tmp_path)
    prose = data / "texts" / "relations" / "kg.toml"
    prose.write_text(prose.read_text(encoding="utf-8") + f"\ndeep = {value}\n", encoding="utf-8")
    line = prose.read_text(encoding="utf-8").count("\n")
    problems, _ = check_and_build(data, tmp_path)
    assert problems == [
        f"texts/relations/kg.toml:{line}:{col}: nested deeper than {MAX_DEPTH} levels of [ ] and "
        "{ }"
    ]


def test_deeply_nested_dotted_key_in_a_text_file(tmp_path: Path) -> None:
    data = copy_data(tmp_path)
    prose = data / "texts" / "relations" / "kg.toml"
    text = prose.read_text(encoding="utf-8")
    prose.write_text(text + "\n" + ".".join(["a"] * 3000) + ' = "x"\n', encoding="utf-8")
    problems, _ = check_and_build(data, tmp_path)
    line = text.count("\n") + 2
    assert problems == [
        f"texts/relations/kg.toml:{line}:1: keys nested too deeply (dotted keys or [a.b.c…] "
        "headers)"
    ]


def test_huge_file_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    data = copy_data(tmp_path)
    prose = data / "texts" / "relations" / "kg.toml"
    prose.write_text('x = "' + "長" * 400_000 + '"\n', encoding="utf-8")
    problems, _ = check_and_build(data, tmp_path)
    assert problems == [
        "texts/relations/kg.toml:1:1: file larger than 1,000,000 bytes: not a data file"
    ]


def test_spec_naming_an_unknown_dataset_is_located(tmp_path: Path) -> None:
    data = copy_data(tmp_path)
    spec = data / "packs" / "relations.toml"
    edit(
        spec,
        'dataset = "timeline"\nwhere = { era = "foundation" }',
        'dataset = "timelines"\nwhere = { era = "foundation" }',
    )
    line, col = line_col(spec, '"timelines"')
    problems, _ = check_and_build(data, tmp_path)
    assert problems[0].startswith(
        f"packs/relations.toml:{line}:{col}: unknown dataset 'timelines' (did you mean "
        "'timeline'? known: gdp_nominal, gdp_per_capita, "
    )
    assert len(problems) == 1


def test_misspelt_column_type_and_key_are_located(tmp_path: Path) -> None:
    data = copy_data(tmp_path)
    meta = data / "datasets" / "japan_trade.toml"
    text = meta.read_text(encoding="utf-8")
    text = text.replace('[columns.exports]\ntype = "int"', '[columns.exports]\ntype = "integer"')
    text = text.replace('[columns.imports]\ntype = "int"', '[columns.imports]\ntpye = "int"')
    meta.write_text(text, encoding="utf-8")
    lines = text.splitlines()
    typo = lines.index('type = "integer"') + 1
    key = lines.index('tpye = "int"') + 1
    problems, _ = check_and_build(data, tmp_path)
    assert problems == [
        f"datasets/japan_trade.toml:{typo}:8: columns.exports.type: 'integer' is not allowed "
        "(did you mean 'int'? one of: place, year, int, decimal, text)",
        f"datasets/japan_trade.toml:{key - 1}:1: [columns.imports]: missing key 'type'",
        f"datasets/japan_trade.toml:{key}:1: [columns.imports]: unknown key 'tpye' (did you mean "
        "'type'?)",
    ]


def test_every_metadata_problem_at_once(tmp_path: Path) -> None:
    """Every type problem of a file in one run (names it refers to are checked once the
    types are right: here the unknown publication and place wait for the next run)."""
    data = copy_data(tmp_path)
    meta = data / "datasets" / "gdp_nominal.toml"
    meta.write_text(
        'title = ""\nsource = "x"\nunit = "10億ドル"\npublication = "jetro-ca-2024"\n'
        'key = ["country", "year", "country"]\nnotes = [{ text = "a", places = ["xx"] }]\n'
        'remarks = "not a list"\n\n[columns.country]\ntype = "place"\nlabel = "国名"\n\n'
        '[columns.year]\ntype = "year"\nlabel = "年"\nrequired = "yes"\n\n'
        '[columns.value]\ntype = "decimal"\nlabel = "GDP"\nunit = 10\n',
        encoding="utf-8",
    )
    problems, _ = check_and_build(data, tmp_path)
    assert problems == [
        "datasets/gdp_nominal.toml:1:9: title: must not be empty",
        "datasets/gdp_nominal.toml:5:7: key: lists 'country' twice",
        "datasets/gdp_nominal.toml:7:11: remarks: expected a list [ … ], found text 'not a list'",
        "datasets/gdp_nominal.toml:16:12: columns.year.required: expected true or false, found "
        "text 'yes'",
        "datasets/gdp_nominal.toml:21:8: columns.value.unit: expected text in quotes, found the "
        "number 10",
    ]


def test_references_between_files_are_located(tmp_path: Path) -> None:
    data = copy_data(tmp_path)
    meta = data / "datasets" / "population.toml"
    line = edit(meta, 'publication = "jetro-ca-2025"', 'publication = "jetro-ca-2024"')
    edit(meta, 'places = ["tm"]', 'places = ["tk"]')
    places_line, places_col = line_col(meta, '"tk"')
    absent = data / "absent.toml"
    absent_line = edit(absent, 'targets = ["central-asia"]', 'targets = ["centralasia"]')
    column = data / "texts" / "columns" / "uz_population.toml"
    related = edit(column, '"uz_labour_migration", "population"', '"uz_labour", "population"')
    problems, _ = check_and_build(data, tmp_path)
    assert problems == [
        f"absent.toml:{absent_line}:12: unknown place 'centralasia' (did you mean "
        "'central-asia'? known: central-asia, kg, kz, tj, tm, uz)",
        f"datasets/population.toml:{line}:15: unknown publication 'jetro-ca-2024' (did you mean "
        "'jetro-ca-2025'? known: embassy-kg-2025, jetro-ca-2025)",
        f"datasets/population.toml:{places_line}:{places_col}: unknown place 'tk' (known: "
        "central-asia, kg, kz, tj, tm, uz)",
        f"texts/columns/uz_population.toml:{related}:21: unknown dataset 'uz_labour' (did you "
        "mean 'uz_labour_migration'? known: gdp_nominal, gdp_per_capita, japan_trade, "
        "japanese_companies, japanese_residents, minerals, population, ranking_indices, "
        "rankings, timeline, trade_partners, uz_labour_migration, visits, yen_loans)",
    ]


def test_balance_check_on_a_text_column_is_refused(tmp_path: Path) -> None:
    data = copy_data(tmp_path)
    meta = data / "datasets" / "japan_trade.toml"
    line = edit(meta, 'subtrahend = "imports"', 'subtrahend = "country"')
    col = line_col(meta, '"country", tolerance')[1]
    problems, _ = check_and_build(data, tmp_path)
    assert problems == [
        f"datasets/japan_trade.toml:{line}:{col}: checks[1].subtrahend: column 'country' is not a "
        "number (int or decimal)"
    ]


# --------------------------------------------------------------------------- pack specs


def test_spec_problems_are_located_in_blocks_and_rows(tmp_path: Path) -> None:
    data = copy_data(tmp_path)
    spec = data / "packs" / "economy.toml"
    text = spec.read_text(encoding="utf-8")
    text = text.replace('type = "ranking_table"', 'type = "ranking_tabel"')
    text = text.replace("widths = [0.38, 0.62]", "widths = [0.38]")
    text = text.replace("years_per_block = 9", "years_per_block = 0\nyears_per_blok = 9")
    spec.write_text(text, encoding="utf-8")
    lines = text.splitlines()

    def at(needle: str, offset: int = 0) -> str:
        i, line = next((i, t) for i, t in enumerate(lines, 1) if needle in t)
        return f"packs/economy.toml:{i}:{line.index(needle) + 1 + offset}"

    block_type = at('"ranking_tabel"')
    problems, _ = check_and_build(data, tmp_path)
    assert problems == [
        f"{at('[0.38]')}: sections[3].blocks[2].widths: 1 widths for 2 blocks: one per block",
        f"{block_type}: sections[6].blocks[1].type: unknown block type 'ranking_tabel' (did you "
        "mean 'ranking_table'? known: bullets, chart, column, commentary, keyfigures, paragraph, "
        "profile, ranking_table, row, series_table, table, timeline)",
        f"{at('years_per_block = 0', 18)}: sections[10].blocks[2].years_per_block: the number 0 "
        "is out of range: must be at least 1",
        f"{at('years_per_blok')}: [sections[10].blocks[2]]: unknown key 'years_per_blok' (did "
        "you mean 'years_per_block'?)",
    ]


def test_spec_column_that_cannot_be_drawn(tmp_path: Path) -> None:
    data = copy_data(tmp_path)
    spec = data / "packs" / "relations.toml"
    edit(spec, 'category = "partner", y = "value"', 'category = "partner", y = "partner"')
    line, col = line_col(spec, ', y = "partner"')
    problems, _ = check_and_build(data, tmp_path)
    assert problems == [
        f"packs/relations.toml:{line}:{col + 6}: column 'partner' of dataset 'trade_partners' is "
        "text: this needs numbers (int or decimal)"
    ]


def test_timeline_needs_a_year_in_every_row(tmp_path: Path) -> None:
    data = copy_data(tmp_path)
    meta = data / "datasets" / "visits.toml"
    edit(
        meta,
        '[columns.year]\ntype = "year"\nlabel = "年"\nrequired = true',
        '[columns.year]\ntype = "year"\nlabel = "年"',
    )
    spec = data / "packs" / "relations.toml"
    line, col = line_col(spec, 'dataset = "visits"')
    problems, _ = check_and_build(data, tmp_path)
    assert problems == [
        f"packs/relations.toml:{line}:{col + 10}: column 'year' of dataset 'visits' may be "
        "empty: this needs a value in every row (required = true, or part of key)"
    ]


def test_rows_of_a_table_are_named_by_a_place_or_text_column(tmp_path: Path) -> None:
    data = copy_data(tmp_path)
    spec = data / "packs" / "economy.toml"
    line = edit(spec, 'by = "country"\ngroup = "place"', 'by = "year"\ngroup = "place"')
    problems, _ = check_and_build(data, tmp_path)
    assert problems == [
        f"packs/economy.toml:{line}:6: column 'year' of dataset 'japan_trade' is year: this needs "
        "names (a place or text column)"
    ]


def test_column_block_shows_a_column_file(tmp_path: Path) -> None:
    data = copy_data(tmp_path)
    spec = data / "packs" / "economy.toml"
    line = edit(spec, 'text = "columns/regional_cooperation"', 'text = "profiles/kg"')
    problems, _ = check_and_build(data, tmp_path)
    assert problems == [
        f'packs/economy.toml:{line}:8: a column block shows a コラム: text = "columns/NAME" '
        "(a file in texts/columns), not 'profiles/kg'"
    ]


def test_literal_year_message_is_kept(tmp_path: Path) -> None:
    data = copy_data(tmp_path)
    spec = data / "packs" / "relations.toml"
    line = edit(spec, 'where = { era = "early" }', 'where = { era = "early", year = 2024 }')
    problems, _ = check_and_build(data, tmp_path)
    assert (
        f'packs/relations.toml:{line}: literal year 2024 in a selection: use year = "latest" '
        "instead" in problems
    )


def test_schema_declares_exactly_the_registered_block_keys() -> None:
    declared = {}
    for cls in schema.BLOCKS:
        fields = {f.encode_name for f in msgspec.structs.fields(cls)}
        declared[cls.__struct_config__.tag] = fields | {"type"}
    assert declared == KEYS


# --------------------------------------------------------------------------- styles


def test_style_problems_are_located(tmp_path: Path) -> None:
    styles = tmp_path / "styles"
    shutil.copytree(STYLES, styles)
    style = styles / "default" / "style.toml"
    text = style.read_text(encoding="utf-8")
    text = text.replace("margin_top_mm = 24", "margin_top_mm = 240")
    text = text.replace('orientation = "landscape"', 'orientation = "landscpe"')
    text = text.replace("body_size = 10.5", 'body_size = "10.5"')
    text = text.replace('mplstyle = "charts.mplstyle"', 'mplstyle = "../charts.mplstyle"')
    style.write_text(text + "\n[extra]\nx = 1\n", encoding="utf-8")
    lines = text.splitlines()

    def line(start: str) -> int:
        return next(i for i, t in enumerate(lines, 1) if t.startswith(start))

    with pytest.raises(DataError) as info:
        load_style(styles, "default")
    assert [str(p) for p in info.value.problems] == [
        f"default/style.toml:{line('orientation')}:15: page.orientation: 'landscpe' is not "
        "allowed (did you mean 'landscape'? one of: landscape, portrait)",
        f"default/style.toml:{line('margin_top_mm')}:17: page.margin_top_mm: the number 240 is "
        "out of range: must be at most 60",
        f"default/style.toml:{line('body_size')}:13: text.body_size: expected a number, found "
        "text '10.5'",
        f"default/style.toml:{line('mplstyle')}:12: chart.mplstyle: '../charts.mplstyle' is not "
        "a file name (a file in the style folder, no folders)",
        f"default/style.toml:{len(lines) + 2}:1: unknown key 'extra' (did you mean 'text'?)",
    ]
    out = tmp_path / "out"
    result = cli("--styles", str(styles), "build", "relations", "kg", "--out", str(out))
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith(f"Error: {info.value.problems[0]}\n")


def test_style_font_that_is_not_a_font(tmp_path: Path) -> None:
    styles = tmp_path / "styles"
    shutil.copytree(STYLES, styles)
    (styles / "default" / "notes.ttf").write_text("not a font", encoding="utf-8")
    style = styles / "default" / "style.toml"
    line = edit(style, 'bold = "BIZUDGothic-Bold.ttf"', 'bold = "notes.ttf"')
    with pytest.raises(DataError) as info:
        load_style(styles, "default")
    assert [str(p) for p in info.value.problems] == [
        f"default/style.toml:{line}:8: notes.ttf is not a TrueType font file (.ttf)"
    ]


# --------------------------------------------------------------------------- the locator


def test_locator_finds_keys_headers_and_inline_values() -> None:
    text = (
        '# comment [not = "a header"]\n'
        'title = "x" # [x]\n'
        'a."b.c" = { d = [1, { e = "]" }], f = """\n]\n""" }\n'
        "[[sections]]\n"
        'title = "s1"\n'
        "[[sections.blocks]]\n"
        "items = [\n"
        "  # a comment\n"
        '  { dataset = "x", value = 2 },\n'
        "]\n"
        "[[sections]]\n"
        "[sections.extra]\n"
        "k = 'v'\n"
    )
    doc = tomllib.loads(text)
    assert doc["sections"][0]["blocks"][0]["items"][0]["value"] == 2
    loc = Locator(text)
    assert loc.value(("title",)) == (2, 9)
    assert loc.value(("a", "b.c", "d", 1, "e")) == (3, 27)
    assert loc.value(("a", "b.c", "f")) == (3, 39)
    assert loc.key(("sections", 0, "title")) == (7, 1)
    assert loc.value(("sections", 0, "blocks", 0)) == (8, 1)
    assert loc.value(("sections", 0, "blocks", 0, "items", 0, "value")) == (11, 28)
    assert loc.value(("sections", 1, "extra", "k")) == (15, 5)
    assert loc.value(("sections", 1, "nothing", "here")) == (13, 1)  # the nearest parent


def test_every_fixture_value_is_located_at_its_own_line() -> None:
    """Every leaf of every TOML file is found on a line that holds its key or its value."""
    for path in sorted(DATA.rglob("*.toml")) + sorted(STYLES.rglob("*.toml")):
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        loc = Locator(text)
        for key_path, value in _leaves(tomllib.loads(text)):
            line, col = loc.value(key_path)
            shown = json.dumps(value, ensure_ascii=False) if isinstance(value, str) else None
            if shown and "\\" not in shown and "\n" not in value:
                assert lines[line - 1][col - 1 :].startswith(shown), (path, key_path)


def _leaves(value: Any, path: tuple = ()):
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _leaves(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _leaves(v, (*path, i))
    else:
        yield path, value


# --------------------------------------------------------------------------- the property


class Deep:
    """A value nested ``n`` levels deep, written as text (no writer recurses that far)."""

    def __init__(self, n: int):
        self.n = n


def dump_toml(doc: dict[str, Any]) -> str:
    """A TOML writer: keys first, then [tables] and [[arrays of tables]], as people write."""
    lines: list[str] = []
    _table(doc, (), lines)
    return "\n".join(lines) + "\n"


def _table(table: dict[str, Any], path: tuple, lines: list[str]) -> None:
    nested = {k: v for k, v in table.items() if isinstance(v, dict) or _tables(v)}
    for k, v in table.items():
        if k not in nested:
            lines.append(f"{_key(k)} = {_value(v)}")
    for k, v in nested.items():
        header = ".".join(_key(p) for p in (*path, k))
        for item in v if isinstance(v, list) else [v]:
            lines.append(f"\n[[{header}]]" if isinstance(v, list) else f"\n[{header}]")
            _table(item, (*path, k), lines)


def _tables(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def _key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else _string(key)


def _string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def _value(value: Any) -> str:
    if isinstance(value, Deep):
        return "[" * value.n + "]" * value.n
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, float) and math.isnan(value):
        return "nan"
    if isinstance(value, float) and math.isinf(value):
        return "inf" if value > 0 else "-inf"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    return "{ " + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + " }"


def _nodes(value: Any, path: tuple = ()) -> list[tuple[tuple, Any]]:
    out = [(path, value)]
    if isinstance(value, dict):
        for k, v in value.items():
            out += _nodes(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _nodes(v, (*path, i))
    return out


def _set(doc: Any, path: tuple, value: Any) -> None:
    for step in path[:-1]:
        doc = doc[step]
    doc[path[-1]] = value


WRONG_TYPES = [42, -1, 3.5, True, "テキスト", "", [1, 2], ["a", 3], {"a": 1}, dt.date(2024, 1, 1)]
OUT_OF_RANGE = [
    0,
    -5,
    10**15,
    1e300,
    float("nan"),
    float("inf"),
    "2024-13-45",
    "2025-13",
    "0000",
    "9999-01",
    "latest",
    "timelines",
    "kg ",
    "region",
    "balance",
]
HUGE = ["長" * 250, "x" * 30_000, "あ" * 400_000]
DEEP = [Deep(3000), Deep(MAX_DEPTH + 1), Deep(MAX_DEPTH - 3)]
TOML_FILES = sorted(str(p.relative_to(DATA)) for p in DATA.rglob("*.toml"))
# Values from elsewhere in the fixture: a dataset name where a column is wanted, a block type
# where a chart kind is, a column of another dataset… (each valid somewhere, wrong here).
ELSEWHERE = sorted(
    {
        value
        for name in TOML_FILES
        for _, value in _leaves(tomllib.loads((DATA / name).read_text(encoding="utf-8")))
        if isinstance(value, int | float) or (isinstance(value, str) and len(value) <= 40)
    },
    key=repr,
)


def mutate(doc: dict, data: st.DataObject) -> str:
    """Break one value (or add a key) somewhere in ``doc``; a description of what was done."""
    nodes = _nodes(doc)
    kind = data.draw(
        st.sampled_from(["type", "range", "huge", "deep", "key", "drop", "swap", "swap"])
    )
    if kind in ("key", "drop"):
        tables = [(p, v) for p, v in nodes if isinstance(v, dict) and (v or kind == "key")]
        path, table = data.draw(st.sampled_from(tables))
        if kind == "drop":
            key = data.draw(st.sampled_from(sorted(table)))
            del table[key]
            return f"drop {path + (key,)}"
        near = [k[:-1] + k[-1] * 2 for k in table] + ["zzz_unknown", "Title"]
        key = data.draw(st.sampled_from(near))
        table[key] = data.draw(st.sampled_from(["x", 1, ["a"]]))
        return f"add {path + (key,)}"
    leaves = [(p, v) for p, v in nodes if p]
    path, _ = data.draw(st.sampled_from(leaves))
    pool = {
        "type": WRONG_TYPES,
        "range": OUT_OF_RANGE,
        "huge": HUGE,
        "deep": DEEP,
        "swap": ELSEWHERE,
    }[kind]
    value = data.draw(st.sampled_from(pool))
    _set(doc, path, value)
    return f"set {path} = {value if not isinstance(value, str) else value[:20]!r}"


EXAMPLES = int(os.environ.get("BRIEFPACK_SCHEMA_EXAMPLES", "25"))


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.data())
def test_check_and_build_agree_on_any_broken_value(tmp_path_factory, data: st.DataObject) -> None:
    root = tmp_path_factory.mktemp("data") / "data"
    shutil.copytree(DATA, root)
    name = data.draw(st.sampled_from(TOML_FILES))
    path = root / name
    doc = tomllib.loads(path.read_text(encoding="utf-8"))
    what = mutate(doc, data)
    path.write_text(dump_toml(doc), encoding="utf-8")
    note = f"{name}: {what}"
    checked = cli("check", data=root)
    out = tmp_path_factory.mktemp("out")
    built = cli("build", "relations", "kg", "--out", str(out), data=root)
    for result in (checked, built):
        assert result.exit_code in (0, 1), (note, result.stderr, result.exception)
        assert "Traceback" not in result.stderr and "internal error" not in result.stderr, (
            note,
            result.stderr,
        )
    if checked.exit_code == 1:
        lines = checked.stderr.splitlines()
        problems = lines[:-1]
        assert lines[-1] == f"Error: {len(problems)} problem(s) in {root}", (note, lines)
        assert problems and all(LOCATED.match(p) for p in problems), (note, problems)
        assert built.exit_code == 1, (note, problems)
        assert built.stderr.splitlines()[0] == f"Error: {problems[0]}", (note, built.stderr)
    else:
        assert built.exit_code == 0, (note, built.stderr)
        # every other pack plans (the nightly `build --all` plans them all) and renders
        listed = cli("list", data=root)
        assert listed.exit_code == 0, (note, listed.stderr)
        region = cli("build", "economy", "central-asia", "--out", str(out), data=root)
        assert region.exit_code == 0, (note, region.stderr)


def test_fixture_passes_the_schema() -> None:
    layer = load(DATA)
    assert len(layer.datasets) == 14
    assert load_style(STYLES, "default").raw["page"]["size"] == "A4"
