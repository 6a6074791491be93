"""Printing for meetings: cover, marking, copies, black-and-white, duplex, binder, 2-up."""

from __future__ import annotations

from pathlib import Path

import pypdf
import pytest
from click.testing import CliRunner

from briefpack.cli import main

from .conftest import DATA, data_args

MEETING = ["--meeting", "日キルギス外相会談", "--date", "2026-12-01", "--mark", "取扱注意"]


def run(*args: str):
    result = CliRunner().invoke(main, [*data_args(DATA), *args])
    assert result.exit_code == 0, result.stderr
    return result


def colour_spread(image) -> int:
    """The largest difference between the channels of any pixel (0 for pure greys)."""
    data = image.tobytes()
    return max(max(data[i : i + 3]) - min(data[i : i + 3]) for i in range(0, len(data), 3))


def pages_text(pdf: Path) -> list[str]:
    return [p.extract_text() for p in pypdf.PdfReader(pdf).pages]


@pytest.fixture(scope="module")
def meeting_pack(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("print")
    run("build", "relations", "kg", *MEETING, "--gray", "--duplex", "--out", str(out))
    return out / "relations-kg.pdf"


def test_cover_names_the_meeting_and_its_date(meeting_pack: Path) -> None:
    cover = pages_text(meeting_pack)[0]
    assert "日キルギス外相会談" in cover
    assert "2026年12月1日（令和8年）" in cover


def test_marking_on_every_page_and_in_the_metadata(meeting_pack: Path) -> None:
    texts = pages_text(meeting_pack)
    assert all("取扱注意" in t for t in texts)
    meta = pypdf.PdfReader(meeting_pack).metadata
    assert "取扱注意" in meta.subject and "取扱注意" in meta["/Keywords"]


def test_duplex_opens_the_body_on_a_right_hand_page_and_runs_on(meeting_pack: Path) -> None:
    """Duplex: the cover's back is blank, the 目次 and the first section start on right-hand
    pages, the sections after it run on (each on a new page, none left blank for it), and
    the page count is even."""
    reader = pypdf.PdfReader(meeting_pack)
    assert len(reader.pages) % 2 == 0
    starts = [
        reader.get_destination_page_number(item) + 1
        for item in reader.outline
        if not isinstance(item, list)
    ]
    assert starts[0] % 2 == 1, starts
    assert any(page % 2 == 0 for page in starts), "sections still kept to right-hand pages"
    texts = pages_text(meeting_pack)
    blanks = [i + 1 for i, t in enumerate(texts) if "このページは白紙です" in t]
    assert 2 in blanks and all(page % 2 == 0 for page in blanks)
    assert all(page + 1 in (3, starts[0]) or page == len(texts) for page in blanks), blanks
    assert "目次" in texts[2]  # the 目次 starts on a right-hand page, after the blank page 2
    preferences = reader.trailer["/Root"]["/ViewerPreferences"]
    # viewers print on both sides, landscape pages turned on the sheet's short edge
    assert preferences["/Duplex"] == "/DuplexFlipShortEdge"


def test_simplex_asks_for_no_duplex(built_kg: Path) -> None:
    root = pypdf.PdfReader(built_kg).trailer["/Root"]
    assert "/Duplex" not in root.get("/ViewerPreferences", {})


def test_gray_pages_have_no_colour(meeting_pack: Path) -> None:
    pdfium = pytest.importorskip("pypdfium2")
    document = pdfium.PdfDocument(str(meeting_pack))
    for index in range(len(document)):
        image = document[index].render(scale=0.5).to_pil().convert("RGB")
        worst = colour_spread(image)
        assert worst <= 6, f"page {index + 1} has colour (channel spread {worst})"


def test_colour_is_the_default(tmp_path: Path) -> None:
    pdfium = pytest.importorskip("pypdfium2")
    run("build", "relations", "kg", "--out", str(tmp_path))
    page = pdfium.PdfDocument(str(tmp_path / "relations-kg.pdf"))[2]
    image = page.render(scale=0.5).to_pil().convert("RGB")
    assert colour_spread(image) > 40


def test_numbered_copies_and_watermark(tmp_path: Path) -> None:
    run("build", "relations", "kg", "--copies", "3", "--watermark", "案", "--out", str(tmp_path))
    names = sorted(p.name for p in tmp_path.glob("*.pdf"))
    assert names == [
        "relations-kg-copy01.pdf",
        "relations-kg-copy02.pdf",
        "relations-kg-copy03.pdf",
        "relations-kg.pdf",
    ]
    texts = pages_text(tmp_path / "relations-kg-copy02.pdf")
    assert all("No. 2/3" in t for t in texts)
    assert all("案" in t for t in texts)
    assert not any("No. " in t for t in pages_text(tmp_path / "relations-kg.pdf"))


def test_binder_has_one_cover_one_toc_and_continuous_pages(tmp_path: Path) -> None:
    out = tmp_path / "binder.pdf"
    run("binder", "relations:kg", "economy:central-asia", "--out", str(out), *MEETING)
    reader = pypdf.PdfReader(out)
    texts = pages_text(out)
    assert "目次" in texts[1] and "日本・キルギス関係 ブリーフィング資料" in texts[1]
    assert sum(1 for t in texts if "会議日" in t) == 1  # one cover
    top = [item.title for item in reader.outline if not isinstance(item, list)]
    assert top[:2] == ["日本・キルギス関係 ブリーフィング資料", "中央アジア 経済データ集"]
    assert len(top) == 3 and top[2].endswith("データ出所一覧")  # one list for both packs
    numbers = [
        int(line.strip())
        for t in texts[1:]
        for line in t.splitlines()[-3:]
        if line.strip().isdigit()
    ]
    assert numbers == sorted(numbers)
    assert all("取扱注意" in t for t in texts)


def test_binder_needs_out_and_valid_items(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["binder", "relations:kg"])
    assert result.exit_code == 2 and "Missing option '--out'" in result.stderr
    result = CliRunner().invoke(main, ["binder", "relations-kg", "--out", str(tmp_path / "b.pdf")])
    assert result.exit_code == 2 and "'relations-kg': expected TEMPLATE:TARGET" in result.stderr


def test_two_pages_per_sheet(tmp_path: Path) -> None:
    run("build", "relations", "kg", "--out", str(tmp_path / "one"))
    run("build", "relations", "kg", "--nup", "2", "--out", str(tmp_path / "two"))
    single = pypdf.PdfReader(tmp_path / "one" / "relations-kg.pdf")
    double = pypdf.PdfReader(tmp_path / "two" / "relations-kg.pdf")
    assert len(double.pages) == (len(single.pages) + 1) // 2
    box = double.pages[0].mediabox
    assert float(box.height) > float(box.width)  # portrait sheets, two landscape pages each
    assert "日本・キルギス関係" in double.pages[0].extract_text()
