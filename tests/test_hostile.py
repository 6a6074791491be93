"""Bad data and hostile text: a clear error or a literal rendering, never a traceback."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pypdf
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefpack.cli import main
from briefpack.datalayer import load
from briefpack.errors import DataError

from .conftest import DATA, STYLES, data_args

HOSTILE = [
    '<img src="/etc/hostname"/>',
    "&amp;",
    "<b>太字</b>",
    "<font size=90>巨大</font>",
    "a & b < c",
]


def build(data: Path, out: Path, template: str = "relations", target: str = "kg"):
    args = [
        *data_args(data),
        "build",
        template,
        target,
        "--out",
        str(out),
    ]
    return CliRunner().invoke(main, args)


def text_of(pdf: Path) -> str:
    return "\n".join(p.extract_text() for p in pypdf.PdfReader(pdf).pages)


def set_cell(path: Path, row: int, column: str, value: str) -> None:
    rows = list(csv.DictReader(path.open(encoding="utf-8", newline="")))
    rows[row][column] = value
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def test_markup_in_data_is_printed_literally(data_copy: Path, tmp_path: Path) -> None:
    timeline = data_copy / "datasets" / "timeline.csv"
    set_cell(timeline, 0, "text", " ".join(HOSTILE))
    visits = data_copy / "datasets" / "visits.csv"
    set_cell(visits, 0, "text", HOSTILE[0])
    profile = data_copy / "texts" / "profiles" / "kg.toml"
    profile.write_text(
        profile.read_text(encoding="utf-8").replace(
            '"農業・畜産業"', '"<b>農業</b> & **本当の太字**"'
        ),
        encoding="utf-8",
    )
    result = build(data_copy, tmp_path)
    assert result.exit_code == 0, result.stderr
    pdf = tmp_path / "relations-kg.pdf"
    text = text_of(pdf).replace("\n", "")
    for s in HOSTILE:
        assert s in text, s
    assert "<b>農業</b> & 本当の太字" in text  # ** is the one formatting syntax data may use
    reader = pypdf.PdfReader(pdf)
    for page in reader.pages:
        for xobject in page["/Resources"].get("/XObject", {}).values():
            assert xobject.get_object()["/Subtype"] != "/Image"


def test_layout_survives_extreme_content(data_copy: Path, tmp_path: Path) -> None:
    visits = data_copy / "datasets" / "visits.csv"
    set_cell(visits, 1, "text", "長" * 3000)
    set_cell(visits, 2, "text", "https://example.org/" + "x" * 400)
    timeline = data_copy / "datasets" / "timeline.csv"
    set_cell(timeline, 0, "text", "とても長い出来事の説明。" * 400)  # longer than a page
    rows = ["country,order,year,label,text"] + [f"kg,{i},2000,2000年,行{i}" for i in range(1, 401)]
    visits.write_text("\n".join(rows) + "\n", encoding="utf-8")  # a 400-row table
    residents = data_copy / "datasets" / "japanese_residents.csv"
    lines = residents.read_text(encoding="utf-8").splitlines()
    residents.write_text(
        "\n".join(line if not line.startswith("kg,2020") else "kg,2020," for line in lines) + "\n",
        encoding="utf-8",
    )
    result = build(data_copy, tmp_path)
    assert result.exit_code == 0, result.stderr
    text = text_of(tmp_path / "relations-kg.pdf")
    assert "行400" in text
    assert "—" in text  # the missing value is printed with the style's missing mark


def test_empty_dataset_is_left_out(data_copy: Path, tmp_path: Path) -> None:
    (data_copy / "datasets" / "yen_loans.csv").write_text(
        "country,order,project,budget,exchange_of_notes,status\n", encoding="utf-8"
    )
    result = CliRunner().invoke(
        main, ["--data", str(data_copy), "-v", "build", "relations", "kg", "--out", str(tmp_path)]
    )
    assert result.exit_code == 0, result.stderr
    assert "left out: 経済協力実績 / table yen_loans: no data for kg" in result.stderr


@pytest.mark.parametrize(
    ("file", "content", "expected"),
    [
        (
            "datasets/gdp_nominal.csv",
            b"\x89PNG\r\n\x1a\n\x00\x00binary",
            "datasets/gdp_nominal.csv:3: binary data",
        ),
        (
            "datasets/gdp_nominal.csv",
            "country,year,value\nkg,2024,十七\n".encode("shift_jis"),
            "datasets/gdp_nominal.csv:2:",
        ),
        ("datasets/gdp_nominal.csv", b"", "datasets/gdp_nominal.csv:1: empty file"),
        (
            "datasets/gdp_nominal.csv",
            b"country,year\nkg,2024\n",
            "datasets/gdp_nominal.csv:1:3: missing column 'value'",
        ),
        (
            "datasets/gdp_nominal.csv",
            b"country,year,value\nkg,3024,1\n",
            "datasets/gdp_nominal.csv:2:2: column 'year': year 3024 is out of range",
        ),
        (
            "datasets/gdp_nominal.csv",
            b'country,year,value\n"kg,2024,1\n',
            "datasets/gdp_nominal.csv:2: not valid CSV",
        ),
    ],
)
def test_broken_files_are_located(
    data_copy: Path, tmp_path: Path, file: str, content: bytes, expected: str
) -> None:
    (data_copy / file).write_bytes(content)
    result = CliRunner().invoke(main, ["--data", str(data_copy), "check"])
    assert result.exit_code == 1
    assert expected in result.stderr
    assert "Traceback" not in result.stderr
    result = build(data_copy, tmp_path / "out")
    assert result.exit_code == 1 and expected in result.stderr


def test_spec_naming_unknown_dataset_or_column(data_copy: Path) -> None:
    spec = data_copy / "packs" / "relations.toml"
    text = spec.read_text(encoding="utf-8")
    text = text.replace('dataset = "yen_loans"', 'dataset = "yen_loan"').replace(
        'y = "count"', 'y = "total"'
    )
    spec.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["--data", str(data_copy), "check"])
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert any(
        line.startswith("packs/relations.toml:") and "unknown dataset 'yen_loan'" in line
        for line in lines
    )
    assert any("dataset 'japanese_residents' has no column 'total'" in line for line in lines)


def test_malformed_style_and_missing_font(tmp_path: Path) -> None:
    import shutil

    styles = tmp_path / "styles"
    shutil.copytree(STYLES, styles)
    style = styles / "default" / "style.toml"
    style.write_text(
        style.read_text(encoding="utf-8").replace('text = "#1a1a1a"', 'text = "black"'),
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        main, ["--styles", str(styles), "build", "relations", "kg", "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 1
    lines = style.read_text(encoding="utf-8").splitlines()
    line = next(i for i, t in enumerate(lines, 1) if t == 'text = "black"')
    assert f"default/style.toml:{line}:8: colors.text: 'black' is not a colour #rrggbb" in (
        result.stderr
    )
    style.write_text(
        style.read_text(encoding="utf-8")
        .replace('"black"', '"#1a1a1a"')
        .replace("BIZUDGothic-Bold.ttf", "Missing.ttf"),
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        main, ["--styles", str(styles), "build", "relations", "kg", "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 1
    assert "font file not found: Missing.ttf" in result.stderr


TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=80)
MARKUPISH = st.sampled_from(
    HOSTILE + ["**", "**x**", "<", ">", "&", "&#x41;", "]]>", "\\", "%s", "{target}"]
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(st.one_of(TEXT, MARKUPISH), min_size=1, max_size=4))
def test_any_text_in_a_table_cell_builds(tmp_path_factory, texts: list[str]) -> None:
    import shutil

    data = tmp_path_factory.mktemp("data") / "data"
    shutil.copytree(DATA, data)
    value = "".join(texts).replace("\r", " ")
    set_cell(data / "datasets" / "visits.csv", 0, "text", value)
    out = tmp_path_factory.mktemp("out")
    result = build(data, out)
    # Either a PDF or a clear data error (a blank cell where a value is required).
    assert result.exit_code in (0, 1), result.stderr
    if result.exit_code == 1:
        assert result.stderr.startswith("Error: datasets/visits.csv:2:")
    else:
        assert (out / "relations-kg.pdf").exists()


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=300) | st.text(max_size=300).map(lambda t: t.encode("utf-8")))
def test_random_csv_gives_a_data_error_or_loads(tmp_path_factory, content: bytes) -> None:
    import shutil

    data = tmp_path_factory.mktemp("data") / "data"
    shutil.copytree(DATA, data)
    (data / "datasets" / "gdp_nominal.csv").write_bytes(content)
    try:
        load(data)
    except DataError as exc:
        assert all(str(p).startswith("datasets/gdp_nominal.csv") for p in exc.problems), (
            exc.problems
        )
