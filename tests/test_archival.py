"""Archival output: packs and the binder are PDF/A-2b, their metadata agrees, rebuilds are equal.

Validated with pikepdf's PDF/A validator (``pikepdf[pdfa]``, a test extra), which follows the
veraPDF rules; the stream syntax it does not see (EOL before ``endstream``, exact /Length) is
checked on the raw bytes here.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import tomllib
from pathlib import Path

import pikepdf
import pypdf
import pytest
from click.testing import CliRunner
from pikepdf.models.metadata import decode_pdf_date
from pikepdf.pdfa import validate_written
from reportlab.pdfgen.canvas import Canvas

from briefpack.archival import DocumentMetadata, finish
from briefpack.cli import main

from .conftest import DATA, STYLES, data_args
from .tagged_pdf import pdfa_findings

DC = "{http://purl.org/dc/elements/1.1/}"
XMP = "{http://ns.adobe.com/xap/1.0/}"
PDF = "{http://ns.adobe.com/pdf/1.3/}"
PDFAID = "{http://www.aiim.org/pdfa/ns/id/}"
PRINT = ["--gray", "--duplex", "--date", "2026-12-01", "--mark", "取扱注意"]


def run(*args: str) -> None:
    result = CliRunner().invoke(main, [*data_args(DATA), *args])
    assert result.exit_code == 0, result.stderr


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """relations-kg (default, and --gray --duplex) and a binder, each built once."""
    default = tmp_path_factory.mktemp("default")
    printed = tmp_path_factory.mktemp("printed")
    binder = tmp_path_factory.mktemp("binder") / "meeting.pdf"
    run("build", "relations", "kg", "--out", str(default))
    run("build", "relations", "kg", *PRINT, "--out", str(printed))
    run("binder", "relations:kg", "economy:central-asia", "--out", str(binder))
    return {
        "default": default / "relations-kg.pdf",
        "printed": printed / "relations-kg.pdf",
        "binder": binder,
    }


KINDS = ["default", "printed", "binder"]


@pytest.mark.parametrize("kind", KINDS)
def test_pdfa_2b_validation_passes(built: dict[str, Path], kind: str) -> None:
    """No finding but those about the XMP extension schema that declares pdfuaid (the packs
    are tagged PDF/UA-1 too), which pikepdf does not yet accept and ISO 19005-2 permits."""
    report = validate_written(built[kind], "2b")
    other = pdfa_findings(built[kind])
    assert not other, "\n".join(other)
    assert report.verdict == "pass" or report.findings
    assert report.output_intent == "RGB"


@pytest.mark.parametrize("kind", KINDS)
def test_stream_syntax(built: dict[str, Path], kind: str) -> None:
    """Every stream: /Length is exact and an end-of-line precedes ``endstream``."""
    raw = built[kind].read_bytes()
    streams, pos = 0, 0
    while (start := raw.find(b">>\nstream\n", pos)) != -1:
        head = raw[raw.rfind(b" obj\n", 0, start) : start]
        length = int(re.findall(rb"/Length (\d+)\b", head)[-1])
        data_end = start + len(b">>\nstream\n") + length
        assert raw[data_end : data_end + 11] == b"\nendstream\n", (kind, start)
        streams, pos = streams + 1, data_end
    assert streams > 10
    assert raw.count(b"endstream") == streams


@pytest.mark.parametrize("kind", KINDS)
def test_xmp_agrees_with_the_document_information(built: dict[str, Path], kind: str) -> None:
    with pikepdf.open(built[kind]) as pdf:
        info = {k: str(v) for k, v in pdf.docinfo.items()}
        xmp = pdf.open_metadata()
        assert xmp[f"{PDFAID}part"] == "2" and xmp[f"{PDFAID}conformance"] == "B"
        assert "/Trapped" not in info  # not a PDF/A-2 XMP property: left out of both
        assert info["/Title"] and xmp[f"{DC}title"] == info["/Title"]
        assert xmp.get(f"{DC}description") == info.get("/Subject")
        assert xmp.get(f"{PDF}Keywords") == info.get("/Keywords")
        assert xmp[f"{XMP}CreatorTool"] == info["/Creator"]
        assert xmp[f"{PDF}Producer"] == info["/Producer"]
        creator = xmp.get(f"{DC}creator")
        assert (creator or None) == ([info["/Author"]] if "/Author" in info else None)
        for info_key, xmp_key in (("/CreationDate", "CreateDate"), ("/ModDate", "ModifyDate")):
            assert decode_pdf_date(info[info_key]) == dt.datetime.fromisoformat(xmp[XMP + xmp_key])
        assert pdf.Root.Lang == "ja"
        assert pdf.Root.ViewerPreferences.DisplayDocTitle is True
        assert len(pdf.trailer.ID) == 2
        assert all("/Trans" not in page.obj for page in pdf.pages)


def test_dates_are_the_issue_date(built: dict[str, Path]) -> None:
    """CreationDate/ModDate = the issue date (--date, else the data's), never 2000-01-01."""
    with pikepdf.open(built["printed"]) as pdf:
        assert str(pdf.docinfo["/CreationDate"]) == "D:20261201000000+00'00'"
        assert str(pdf.docinfo["/ModDate"]) == "D:20261201000000+00'00'"
    with pikepdf.open(built["default"]) as pdf:
        created = decode_pdf_date(str(pdf.docinfo["/CreationDate"]))
    cover = pypdf.PdfReader(built["default"]).pages[0].extract_text()
    printed = re.search(r"発行日\s*(\d{4})年(\d{1,2})月(?:(\d{1,2})日)?", cover)
    assert printed, cover
    year, month, day = (int(g) if g else 1 for g in printed.groups())  # 「2025年12月」: day 1
    assert created == dt.datetime(year, month, day, tzinfo=dt.UTC)


def test_author_is_the_styles_organisation(built: dict[str, Path]) -> None:
    """The PDF's Author (and dc:creator) is the style's [organisation] name; none if empty."""
    style = tomllib.loads((STYLES / "default" / "style.toml").read_text(encoding="utf-8"))
    name = style.get("organisation", {}).get("name", "")
    with pikepdf.open(built["default"]) as pdf:
        assert str(pdf.docinfo.get("/Author", "")) == name


@pytest.mark.parametrize("kind", ["default", "binder"])
def test_rebuilds_are_byte_identical(built: dict[str, Path], kind: str, tmp_path: Path) -> None:
    if kind == "binder":
        again = tmp_path / "meeting.pdf"
        run("binder", "relations:kg", "economy:central-asia", "--out", str(again))
    else:
        run("build", "relations", "kg", "--out", str(tmp_path))
        again = tmp_path / "relations-kg.pdf"
    assert again.read_bytes() == built[kind].read_bytes()


def test_two_up_sheets_do_not_claim_pdfa(tmp_path: Path) -> None:
    """--nup 2 writes plain PDF: it must not carry the packs' PDF/A identification."""
    run("build", "relations", "kg", "--nup", "2", "--out", str(tmp_path))
    with pikepdf.open(tmp_path / "relations-kg.pdf") as pdf:
        assert f"{PDFAID}part" not in pdf.open_metadata()


@pytest.mark.parametrize(
    "text",
    ['<b>&amp; ]]> "会議" (a\\b)', "tab\there\r\nline\x01\x0b", "😀 Café – €", "長" * 20000],
)
def test_metadata_from_any_text_agrees(text: str) -> None:
    """Data text in Title/Subject/Author reaches Info and XMP alike, within PDF's limits."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, invariant=1)
    canvas.showPage()
    meta = DocumentMetadata(
        text, author=text, subject=text, keywords=text, created=dt.date(2026, 12, 1)
    )
    finish(canvas, meta)
    canvas.save()
    with pikepdf.open(io.BytesIO(buffer.getvalue())) as pdf:
        info, xmp = pdf.docinfo, pdf.open_metadata()
        title = str(info["/Title"])
        assert "\x01" not in title and len(title.encode("utf-16-be")) + 2 <= 32767
        assert xmp[f"{DC}title"] == title == str(info["/Subject"]) == str(info["/Author"])
        assert xmp[f"{DC}description"] == title and xmp[f"{DC}creator"] == [title]
        assert xmp[f"{PDF}Keywords"] == str(info["/Keywords"]) == title
        assert str(info["/CreationDate"]) == "D:20261201000000+00'00'"
