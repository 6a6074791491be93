"""Archival output: every pack and binder is PDF/A-2b, written straight from ReportLab.

Everything a document's conformance depends on is decided here, in one place, and applied to
the ReportLab canvas just before it is saved (``finish``), so the finished file is never parsed
again:

- the document information dictionary (Title, Author, Subject, Keywords, Creator, Producer,
  CreationDate, ModDate) and the XMP packet that repeats it (dc:title, dc:creator,
  dc:description, pdf:Keywords, xmp:CreatorTool, pdf:Producer, xmp:CreateDate/ModifyDate,
  pdfaid:part 2 and conformance B) are written from the same values, so they agree;
- the dates are the issue date, never the clock, so the same input still gives the same bytes;
- the catalog: /Lang, /ViewerPreferences /DisplayDocTitle, /OutputIntents (sRGB, with the
  ICC profile shipped in ``icc/``), /Metadata;
- the page dictionaries: no empty /Trans (ReportLab writes ``/Trans << >>`` on every page);
- the stream syntax: an end-of-line before every ``endstream``.

Tagged PDF (PDF/UA-1), when the canvas recorded a structure tree (``canvas.tags``, see
``render/tags.py``): /StructTreeRoot and /MarkInfo go into the catalog (``_catalog``), each
page gets its /StructParents and /Tabs /S, and the XMP says pdfuaid:part 1, with the PDF/A
extension schema that declares the pdfuaid namespace (``_xmp_descriptions``).  The 2-up print
sheets (``nup.py``) are plain PDF.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reportlab.pdfbase.pdfdoc import (
    PDFArray,
    PDFCatalog,
    PDFDictionary,
    PDFInfo,
    PDFName,
    PDFPage,
    PDFStream,
    PDFString,
    PDFZCompress,
)

PDFA_PART = 2
PDFA_CONFORMANCE = "B"
PDF_VERSION = (1, 7)  # PDF/A-2 is based on ISO 32000-1 (PDF 1.7); /Duplex needs 1.7
ICC_PROFILE = Path(__file__).resolve().parent / "icc" / "sRGB.icc"
OUTPUT_CONDITION = "sRGB IEC61966-2.1"
ICC_REGISTRY = "http://www.color.org"
END = b"endstream\n"
MAX_STRING_BYTES = 32767  # ISO 32000-1 Annex C, a limit PDF/A-2 enforces
PDFUA_PART = 1

# Characters XML 1.0 cannot carry: they are dropped from Info and XMP alike, so both agree.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class DocumentMetadata:
    """What the document says about itself: Info dictionary, XMP, catalog /Lang."""

    title: str
    author: str = ""  # the issuing organisation; empty: no /Author, no dc:creator
    subject: str = ""
    keywords: str = ""
    creator: str = "briefpack"  # the tool that composed the content (xmp:CreatorTool)
    producer: str = "briefpack"  # the tool that wrote the PDF (pdf:Producer)
    lang: str = "ja"
    created: dt.date | None = None  # the issue date; None: ReportLab's invariant timestamp

    def cleaned(self) -> DocumentMetadata:
        """The same metadata as Info and XMP can both carry it: characters XML cannot carry
        removed, each value within PDF's longest string (a 3,000-character meeting is kept)."""
        clean = {
            k: _fit(_NOT_XML.sub("", getattr(self, k)))
            for k in ("title", "author", "subject", "keywords", "creator", "producer", "lang")
        }
        return DocumentMetadata(**clean, created=self.created)


def _fit(value: str) -> str:
    """``value``, shortened with 「…」 if its UTF-16 form would pass PDF's 32,767-byte limit."""
    if len(value) <= MAX_STRING_BYTES // 4:
        return value
    while len(value.encode("utf-16-be")) + 2 > MAX_STRING_BYTES:  # + the byte order mark
        value = value[: len(value) - max(1, len(value) // 64) - 1] + "…"
    return value


def finish(canvas: Any, meta: DocumentMetadata) -> None:
    """Make the document being written on ``canvas`` PDF/A-2b: call just before its save()."""
    doc = canvas._doc
    meta = meta.cleaned()
    pdf_date, xmp_date = _dates(meta.created, doc)
    doc.info = _Info(_info_entries(meta, pdf_date))
    tags = getattr(canvas, "tags", None)
    if tags is not None and not tags.tagged:
        tags = None
    _catalog(canvas, meta, _xmp_packet(meta, xmp_date, tagged=tags is not None), tags)
    for number, page in enumerate(doc.Pages.pages, start=1):
        if isinstance(page.Trans, PDFDictionary) and not page.Trans.dict:
            page.Trans = None  # ReportLab's empty /Trans << >>: PDF/A validators reject it
        if tags is not None:
            page.__class__ = _Page
            page.StructParents = tags.page_keys.get(number)
            page.Tabs = PDFName("S")  # tab order: the structure's
    doc._pdfVersion = max(tuple(doc._pdfVersion), PDF_VERSION)
    doc.briefpack_eol_before_endstream = True


def _catalog(canvas: Any, meta: DocumentMetadata, xmp: bytes, tags: Any = None) -> None:
    """The catalog entries of an archival (and tagged, with ``tags``) document."""
    catalog = canvas._doc.Catalog
    if not isinstance(catalog, _Catalog):
        catalog.__class__ = _Catalog  # ReportLab's catalog drops keys it does not list
    catalog.Lang = PDFString(meta.lang)
    canvas.setViewerPreference("DisplayDocTitle", "true")
    catalog.Metadata = PDFStream(
        PDFDictionary({"Type": PDFName("Metadata"), "Subtype": PDFName("XML")}), xmp
    )  # unfiltered, as PDF/A asks
    catalog.OutputIntents = PDFArray([_output_intent()])
    if tags is not None:
        catalog.StructTreeRoot = tags.write(canvas._doc)
        catalog.MarkInfo = PDFDictionary({"Marked": "true"})


def _output_intent() -> PDFDictionary:
    profile = PDFStream(PDFDictionary({"N": 3}), ICC_PROFILE.read_bytes(), [PDFZCompress])
    return PDFDictionary(
        {
            "Type": PDFName("OutputIntent"),
            "S": PDFName("GTS_PDFA1"),
            "OutputConditionIdentifier": PDFString(OUTPUT_CONDITION),
            "Info": PDFString(OUTPUT_CONDITION),
            "RegistryName": PDFString(ICC_REGISTRY),
            "DestOutputProfile": profile,
        }
    )


class _Catalog(PDFCatalog):
    __NoDefault__ = [*PDFCatalog.__NoDefault__, "OutputIntents"]
    # OutputIntents stays a direct array, MarkInfo a direct dictionary
    __Refs__ = [k for k in PDFCatalog.__Refs__ if k != "MarkInfo"]


class _Page(PDFPage):
    """A page of a tagged document: ReportLab's page dictionary drops keys it does not list."""

    __NoDefault__ = [*PDFPage.__NoDefault__, "StructParents", "Tabs"]
    StructParents = Tabs = None


class _Info(PDFInfo):
    """The document information dictionary, exactly the entries given (no empty ones)."""

    def __init__(self, entries: dict[str, str]):
        super().__init__()
        self.entries = entries

    def digest(self, md5object: Any) -> None:  # feeds the trailer /ID, as ReportLab's does
        for key, value in self.entries.items():
            md5object.update(f"{key}={value}\n".encode())

    def format(self, document: Any) -> bytes:
        entries = {k: PDFString(v) for k, v in self.entries.items()}
        return PDFDictionary(entries).format(document)


def _dates(created: dt.date | None, doc: Any) -> tuple[str, str]:
    """(PDF date, XMP date) of midnight UTC on ``created``, else of ReportLab's timestamp."""
    if created is not None:
        stamp = (created.year, created.month, created.day, 0, 0, 0)
    else:
        stamp = tuple(doc._timeStamp.YMDhms)  # 2000-01-01 (invariant) or SOURCE_DATE_EPOCH
    y, mo, d, h, mi, s = stamp
    return (
        f"D:{y:04d}{mo:02d}{d:02d}{h:02d}{mi:02d}{s:02d}+00'00'",
        f"{y:04d}-{mo:02d}-{d:02d}T{h:02d}:{mi:02d}:{s:02d}+00:00",
    )


def _info_entries(meta: DocumentMetadata, date: str) -> dict[str, str]:
    entries = {
        "Title": meta.title,
        "Author": meta.author,
        "Subject": meta.subject,
        "Keywords": meta.keywords,
        "Creator": meta.creator,
        "Producer": meta.producer,
        "CreationDate": date,
        "ModDate": date,
    }
    return {k: v for k, v in entries.items() if v}


def _text(value: str) -> str:
    """XML character data (xml.sax.saxutils would import urllib: slow)."""
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return value.replace("\r", "&#13;")  # a parser would turn a bare CR into LF


def _alt(value: str) -> str:
    return f'<rdf:Alt><rdf:li xml:lang="x-default">{_text(value)}</rdf:li></rdf:Alt>'


def _xmp_descriptions(
    meta: DocumentMetadata, date: str, tagged: bool = False
) -> list[tuple[dict[str, str], list[str]]]:
    """({prefix: namespace}, properties) per schema; each becomes one rdf:Description."""
    dc = ["<dc:format>application/pdf</dc:format>", f"<dc:title>{_alt(meta.title)}</dc:title>"]
    if meta.author:
        dc.append(
            f"<dc:creator><rdf:Seq><rdf:li>{_text(meta.author)}</rdf:li></rdf:Seq></dc:creator>"
        )
    if meta.subject:
        dc.append(f"<dc:description>{_alt(meta.subject)}</dc:description>")
    if meta.lang:
        dc.append(
            f"<dc:language><rdf:Bag><rdf:li>{_text(meta.lang)}</rdf:li></rdf:Bag></dc:language>"
        )
    xmp = [
        f"<xmp:CreateDate>{date}</xmp:CreateDate>",
        f"<xmp:ModifyDate>{date}</xmp:ModifyDate>",
        f"<xmp:MetadataDate>{date}</xmp:MetadataDate>",
    ]
    if meta.creator:
        xmp.append(f"<xmp:CreatorTool>{_text(meta.creator)}</xmp:CreatorTool>")
    pdf = []
    if meta.producer:
        pdf.append(f"<pdf:Producer>{_text(meta.producer)}</pdf:Producer>")
    if meta.keywords:
        pdf.append(f"<pdf:Keywords>{_text(meta.keywords)}</pdf:Keywords>")
    pdfaid = [
        f"<pdfaid:part>{PDFA_PART}</pdfaid:part>",
        f"<pdfaid:conformance>{PDFA_CONFORMANCE}</pdfaid:conformance>",
    ]
    out = [
        ({"dc": "http://purl.org/dc/elements/1.1/"}, dc),
        ({"xmp": "http://ns.adobe.com/xap/1.0/"}, xmp),
        ({"pdf": "http://ns.adobe.com/pdf/1.3/"}, pdf),
        ({"pdfaid": "http://www.aiim.org/pdfa/ns/id/"}, pdfaid),
    ]
    if tagged:
        out.append(({"pdfuaid": PDFUA_NS}, [f"<pdfuaid:part>{PDFUA_PART}</pdfuaid:part>"]))
        out.append((PDFA_EXTENSION_NS, PDFUA_EXTENSION_SCHEMA))
    return out


PDFUA_NS = "http://www.aiim.org/pdfua/ns/id/"
PDFA_EXTENSION_NS = {
    "pdfaExtension": "http://www.aiim.org/pdfa/ns/extension/",
    "pdfaSchema": "http://www.aiim.org/pdfa/ns/schema#",
    "pdfaProperty": "http://www.aiim.org/pdfa/ns/property#",
}
# PDF/A-2 (ISO 19005-2, 6.6.2.3) accepts only the XMP schemas it lists, or others declared
# by an extension schema in the same packet: pdfuaid is not listed, so it is declared here.
PDFUA_EXTENSION_SCHEMA = [
    '<pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">',
    "<pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>",
    f"<pdfaSchema:namespaceURI>{PDFUA_NS}</pdfaSchema:namespaceURI>",
    "<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>",
    '<pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType="Resource">',
    "<pdfaProperty:name>part</pdfaProperty:name>",
    "<pdfaProperty:valueType>Integer</pdfaProperty:valueType>",
    "<pdfaProperty:category>internal</pdfaProperty:category>",
    "<pdfaProperty:description>Indicates, which part of ISO 14289 standard is followed"
    "</pdfaProperty:description>",
    "</rdf:li></rdf:Seq></pdfaSchema:property>",
    "</rdf:li></rdf:Bag></pdfaExtension:schemas>",
]


def _xmp_packet(meta: DocumentMetadata, date: str, tagged: bool = False) -> bytes:
    lines = [
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>',
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">',
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">',
    ]
    for namespaces, properties in _xmp_descriptions(meta, date, tagged):
        if properties:
            xmlns = " ".join(f'xmlns:{p}="{uri}"' for p, uri in namespaces.items())
            lines.append(f'<rdf:Description rdf:about="" {xmlns}>')
            lines += [f" {p}" for p in properties]
            lines.append("</rdf:Description>")
    lines += ["</rdf:RDF>", "</x:xmpmeta>", '<?xpacket end="r"?>']
    return "\n".join(lines).encode("utf-8")


def _stream_format(self: PDFStream, document: Any) -> bytes:
    """ReportLab's stream syntax, plus the end-of-line PDF/A asks for before ``endstream``."""
    out = _plain_stream_format(self, document)
    if getattr(document, "briefpack_eol_before_endstream", False) and out.endswith(END):
        out = out[: -len(END)] + b"\n" + END  # /Length stays the data's: the EOL is syntax
    return out


# Installed once per process (kept across a reload); it changes only the documents that
# ``finish`` marked, every other ReportLab document is written as before.
_plain_stream_format = getattr(PDFStream, "_briefpack_plain_format", PDFStream.format)
PDFStream._briefpack_plain_format = _plain_stream_format
PDFStream.format = _stream_format
