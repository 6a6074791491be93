"""Reading a tagged pack back: its structure tree (pikepdf) and the text of each marked
content (pdfium), the way a screen reader gets them.  Used by tests/test_tagging.py and
tools/check_tagged.py."""

from __future__ import annotations

import ctypes
import re
from pathlib import Path
from typing import Any

# pikepdf's PDF/A validator does not yet accept the XMP extension schema that declares the
# pdfuaid namespace inside PDF/A-2 metadata, which ISO 19005-2 (6.6.2.3) permits: exactly
# these findings are set aside, no other.
EXTENSION_SCHEMA = re.compile(
    r"6\.6\.2\.3\.1-1 .*: XMP (namespace pdfaExtension=http://www\.aiim\.org/pdfa/ns/extension/"
    r"|namespace pdfaSchema=http://www\.aiim\.org/pdfa/ns/schema#"
    r"|namespace pdfaProperty=http://www\.aiim\.org/pdfa/ns/property#"
    r"|property pdfuaid:part|property pdfaExtension:schemas) is not permitted$"
)


def pdfa_findings(path: Path) -> list[str]:
    """pikepdf's PDF/A-2b findings on ``path``, less those about the pdfuaid extension schema."""
    from pikepdf.pdfa import validate_written

    findings = [str(f) for f in validate_written(path, "2b").findings]
    return [f for f in findings if not EXTENSION_SCHEMA.search(f)]


def marked_content(path: Path) -> tuple[dict[tuple[int, int], str], dict[int, list[str]]]:
    """({(page index, MCID): text}, {page index: [artifact texts]}) read with pdfium."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    texts: dict[tuple[int, int], str] = {}
    artifacts: dict[int, list[str]] = {}
    pdf = pdfium.PdfDocument(str(path))
    try:
        for index in range(len(pdf)):
            page = pdf[index]
            textpage = page.get_textpage()
            count = raw.FPDFPage_CountObjects(page.raw)
            objects = [raw.FPDFPage_GetObject(page.raw, i) for i in range(count)]
            _walk(raw, objects, textpage.raw, index, None, False, texts, artifacts)
    finally:
        pdf.close()
    return texts, artifacts


def _walk(raw, objects, textpage, page, mcid, artifact, texts, artifacts) -> None:  # noqa: ANN001
    for obj in objects:
        own = raw.FPDFPageObj_GetMarkedContentID(obj)
        inner_mcid = own if own >= 0 else mcid
        inner_artifact = artifact or _is_artifact(raw, obj)
        kind = raw.FPDFPageObj_GetType(obj)
        if kind == raw.FPDF_PAGEOBJ_TEXT:
            text = _obj_text(raw, obj, textpage)
            if inner_artifact:
                artifacts.setdefault(page, []).append(text)
            elif inner_mcid is not None:
                texts[(page, inner_mcid)] = texts.get((page, inner_mcid), "") + text
        elif kind == raw.FPDF_PAGEOBJ_FORM:
            n = raw.FPDFFormObj_CountObjects(obj)
            children = [raw.FPDFFormObj_GetObject(obj, i) for i in range(n)]
            _walk(raw, children, textpage, page, inner_mcid, inner_artifact, texts, artifacts)


def _is_artifact(raw, obj) -> bool:  # noqa: ANN001
    for i in range(raw.FPDFPageObj_CountMarks(obj)):
        mark = raw.FPDFPageObj_GetMark(obj, i)
        buffer = (ctypes.c_ushort * 32)()
        length = ctypes.c_ulong(0)
        raw.FPDFPageObjMark_GetName(mark, buffer, 64, ctypes.byref(length))
        name = bytes(buffer)[: max(0, length.value - 2)].decode("utf-16-le")
        if name == "Artifact":
            return True
    return False


def _obj_text(raw, obj, textpage) -> str:  # noqa: ANN001
    size = raw.FPDFTextObj_GetText(obj, textpage, None, 0)
    buffer = (ctypes.c_ushort * max(1, size // 2))()
    raw.FPDFTextObj_GetText(obj, textpage, buffer, size)
    return bytes(buffer)[: max(0, size - 2)].decode("utf-16-le")


class Node:
    """A structure element read back: role, attributes, kids (nodes or (page, MCID))."""

    def __init__(self, role: str, obj: Any):
        self.role, self.obj, self.kids = role, obj, []
        self.parent: Node | None = None

    def mcids(self) -> list[tuple[int, int]]:
        return [k for k in self.kids if isinstance(k, tuple) and k[0] != "annot"]

    def walk(self):  # noqa: ANN201
        yield self
        for k in self.kids:
            if isinstance(k, Node):
                yield from k.walk()

    def text(self, texts: dict[tuple[int, int], str]) -> str:
        """The text of this element and its descendants, in order."""
        out = []
        for k in self.kids:
            if isinstance(k, Node):
                out.append(k.text(texts))
            elif k[0] != "annot":
                out.append(texts.get(k, ""))
        return "".join(out)


def structure(pdf: Any) -> Node:
    """The structure tree of an open pikepdf.Pdf (MCIDs resolved to page indexes)."""
    import pikepdf

    pages = {p.objgen: i for i, p in enumerate(pdf.pages)}
    root = pdf.Root.StructTreeRoot

    def build(obj: Any, page: int | None) -> Node:
        node = Node(str(obj.get("/S", "/?"))[1:], obj)
        if "/Pg" in obj:
            page = pages[obj.Pg.objgen]
        kids = obj.get("/K")
        items = list(kids) if isinstance(kids, pikepdf.Array) else [] if kids is None else [kids]
        for kid in items:
            if isinstance(kid, int):
                node.kids.append((page, int(kid)))
            elif kid.get("/Type") == "/MCR":
                node.kids.append((pages[kid.Pg.objgen] if "/Pg" in kid else page, int(kid.MCID)))
            elif kid.get("/Type") == "/OBJR":
                node.kids.append(("annot", kid.Obj.objgen))
            else:
                child = build(kid, page)
                child.parent = node
                node.kids.append(child)
        return node

    top = Node("StructTreeRoot", root)
    kids = root.K if isinstance(root.K, pikepdf.Array) else [root.K]
    for kid in kids:
        child = build(kid, None)
        child.parent = top
        top.kids.append(child)
    return top
