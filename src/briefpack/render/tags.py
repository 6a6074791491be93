"""Tagged PDF (PDF/UA-1): the structure tree, recorded while the pages are drawn.

A :class:`TagRecorder` rides on the canvas (``canvas.tags``, made by ``layout.PackCanvas``).
The drawing code tells it what it draws, and it writes the marked-content operators into the
page's content stream as it goes:

- every page opens as an artifact (``/Artifact BMC``): whatever nobody claims — rules, table
  backgrounds, the coloured bands — is decoration, never untagged content;
- real content (a paragraph's lines, a table cell, a chart) leaves that artifact for its own
  ``/P <</MCID n>> BDC … EMC`` and goes back to it;
- running headers, footers, markings and the watermark are typed artifacts
  (:func:`artifact`); a table's header row repeated on a later page is an artifact too.

What an element is comes from the flowable: ``tag_role`` (``P``, ``H``, ``Caption`` …; none:
the content of the element being drawn into, else a ``P``), ``tag_group`` (one element shared
by several flowables: a list, a caption's lines, a table on several pages) and ``tag_key``
(one element for the pieces of a split paragraph).  :func:`tagged` sets them from the plan's
item roles (``model.*.role``), so a new block type declares its role in one place.

Sections come from the layout: ``SectionBand``/``MemberHeading`` open a ``Sect`` (a binder's
part a ``Part``) whose heading is ``H1``/``H2``/``H3`` by outline level, so the headings are the
bookmarks and the 目次; a block's own heading is one level below its section's.  Reading
order is drawing order, which is the visual order of the pages.

At save, :meth:`TagRecorder.write` turns the tree into ``/StructTreeRoot`` with its
``/ParentTree``; ``archival.finish`` puts it into the catalog with ``/MarkInfo``, each page's
``/StructParents`` and ``/Tabs /S``, and ``pdfuaid:part 1`` into the XMP.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from reportlab.pdfbase.pdfdoc import PDFObject, PDFString
from reportlab.platypus import Flowable, Table

# The plan's item roles (pack/model.py) → structure types (ISO 32000-1, 14.8.4).
ROLES = {
    "heading": "H",  # one level below the section's heading
    "paragraph": "P",
    "list": "L",
    "caption": "Caption",
    "table": "Table",
    "figure": "Figure",
    "aside": "Div",  # a コラム: a block of its own (Sect and Part are the bookmarks')
    "artifact": None,  # draws nothing (a gap)
    "row": None,  # blocks side by side: each already tagged
}
# Elements that hold other elements, never content: text drawn into one becomes a P of it.
GROUPING = frozenset(
    "Document Part Art Sect Div BlockQuote NonStruct L LI Table TR THead TBody TFoot TOC TOCI"
    " Index".split()
)


class Elem:
    """A structure element: role, parent, children (elements, (page, mcid), annotations)."""

    __slots__ = ("role", "parent", "kids", "attrs", "page", "name")

    def __init__(self, role: str, parent: Elem | None, attrs: dict[str, Any] | None = None):
        self.role, self.parent, self.kids = role, parent, []
        self.attrs = attrs
        self.page = 0  # the page of the first marked content (/Pg)
        self.name = ""
        if parent is not None:
            parent.kids.append(self)


class Group:
    """One element shared by several flowables (a list, a caption's lines, a table)."""

    __slots__ = ("role", "attrs")

    def __init__(self, role: str, attrs: dict[str, Any] | None = None):
        self.role, self.attrs = role, attrs


class TagRecorder:
    """The structure tree of the document being drawn on ``canvas``, and its MCIDs."""

    def __init__(self, canvas: Any):
        self.canvas = canvas
        self.root = Elem("Document", None)
        self.path: list[Elem] = [self.root]  # the open Part/Sect elements, outermost first
        self.stack: list[Elem] = []  # elements opened while one flowable draws
        self.elements: dict[Any, Elem] = {}  # group, split key → its element
        self.suppress = 0  # > 0: what is drawn now is an artifact (a repeated header row)
        self.pending: tuple[str, Elem] | None = None  # a heading a flowable draws itself
        self.page = 0
        self.mcids: list[Elem] = []  # this page's marked content, by MCID
        self.in_artifact = False  # the page's default artifact is open
        self.parent_tree: dict[int, Any] = {}  # StructParent(s) key → elements / element
        self.page_keys: dict[int, int] = {}  # page number → its /StructParents

    # -- the content stream -----------------------------------------------------------

    def page_begin(self) -> None:
        """A new page: everything on it is an artifact until content claims it."""
        self.page = self.canvas.getPageNumber()
        self.mcids = []
        self.canvas._code.append("/Artifact BMC")
        self.in_artifact = True

    def page_end(self) -> None:
        if self.mcids:
            key = self.page_keys[self.page] = len(self.parent_tree)
            self.parent_tree[key] = self.mcids
        if self.in_artifact:
            self.canvas._code.append("EMC")
            self.in_artifact = False

    def begin(self, elem: Elem) -> bool:
        """Mark what is drawn next as ``elem``'s content (until :meth:`end`)."""
        if self.suppress:
            return False
        page = self.canvas.getPageNumber()
        if page != self.page:  # drawn without a page decorator: no default artifact
            self.page, self.mcids, self.in_artifact = page, [], False
        code = self.canvas._code
        if self.in_artifact:
            code.append("EMC")
        code.append(f"/{elem.role} <</MCID {len(self.mcids)}>> BDC")
        if not elem.page:
            elem.page = page
        elem.kids.append((page, len(self.mcids)))
        self.mcids.append(elem)
        return True

    def end(self, marked: bool) -> None:
        if not marked:
            return
        code = self.canvas._code
        code.append("EMC")
        if self.in_artifact:
            code.append("/Artifact BMC")

    def begin_artifact(self, properties: str) -> bool:
        if not self.in_artifact:
            return False
        self.canvas._code.append(f"EMC /Artifact <<{properties}>> BDC")
        return True

    def end_artifact(self, marked: bool) -> None:
        if marked:
            self.canvas._code.append("EMC /Artifact BMC")

    # -- the tree -----------------------------------------------------------------------

    @property
    def container(self) -> Elem:
        return self.stack[-1] if self.stack else self.path[-1]

    def element(self, key: Any, role: str, parent: Elem, attrs: dict | None = None) -> Elem:
        """The element of ``key`` (made on first use, in ``parent``)."""
        elem = self.elements.get(key)
        if elem is None:
            elem = self.elements[key] = Elem(role, parent, attrs)
        return elem

    def group(self, group: Group | None) -> Elem:
        """The element a group's flowables go into (made on first use, where drawn)."""
        if group is None:
            return self.container
        return self.element(group, group.role, self.container, group.attrs)

    def heading_role(self) -> str:
        """A block heading: one level below the heading of the section that holds it."""
        return f"H{min(len(self.path), 6)}"

    def section(self, level: int, title: str, role: str = "Sect", drawn: bool = True) -> Elem:
        """Open a section at outline ``level`` (0: top); return its heading element (put in
        the section when ``drawn``, else where a flowable draws it: see :class:`Opening`)."""
        del self.path[level + 1 :]
        sect = Elem(role, self.path[-1], {"T": title})
        self.path.append(sect)
        self.stack.clear()
        heading = Elem(f"H{min(len(self.path) - 1, 6)}", None)  # no level skipped
        heading.parent = sect
        if drawn:
            sect.kids.append(heading)
        else:
            self.pending = (title, heading)
        return heading

    def text_element(self, flowable: Any) -> Elem:
        """The element a text flowable's lines are content of."""
        role, key = flowable.tag_role, flowable.tag_key
        if key is None:
            key = flowable
        elem = self.elements.get(key)
        if elem is not None:
            return elem  # a piece of a split paragraph
        parent = self.group(flowable.tag_group)
        if self.pending is not None and _claims(flowable, self.pending[0]):
            elem = self.elements[key] = self.pending[1]
            elem.parent.kids.append(elem)  # in reading order: where it is drawn
            self.pending = None
            return elem
        if role is None:
            if parent.role not in GROUPING:
                return parent  # a table cell's, a list body's, a caption's text
            role = "P"
        elif role == "H":
            role = self.heading_role()
        return self.element(key, role, parent)

    def text(self, flowable: Any) -> bool:
        """Begin marking a text flowable's content (JText); an ``Artifact`` stays one."""
        if self.suppress or flowable.tag_role == "Artifact":
            return False
        return self.begin(self.text_element(flowable))

    def open_item(self, bullet: Any) -> tuple[Elem | None, int]:
        """Push the elements a bullet's mark and text go into: (its mark's element, pushed).

        In a list: ``L`` > ``LI`` > ``Lbl`` (the mark) and ``LBody`` (the text).  Grouped
        with something else (a caption's 「注：」) or given a role: mark and text are that
        element's content.
        """
        if self.suppress:
            return None, 0
        if bullet.tag_role == "Artifact":
            self.suppress += 1  # decoration: mark and text stay in the page's artifact
            return None, -1
        group = bullet.tag_group
        if (group is not None and group.role != "L") or bullet.tag_role not in (None, "LI"):
            elem = self.text_element(bullet)
            self.stack.append(elem)
            return elem, 1
        key = bullet.tag_key if bullet.tag_key is not None else bullet
        items = self.group(group or Group("L"))
        item = self.element(key, "LI", items)
        self.stack += [items, item]
        return (Elem("Lbl", item) if bullet.mark else None), 2

    def open_body(self, bullet: Any, pushed: int) -> int:
        if pushed != 2:
            return pushed
        key = bullet.tag_key if bullet.tag_key is not None else bullet
        self.stack.append(self.element((key, "LBody"), "LBody", self.stack[-1]))
        return 3

    def close(self, pushed: int) -> None:
        if pushed < 0:
            self.suppress -= 1
        elif pushed:
            del self.stack[-pushed:]

    def figure(self, flowable: Any, width: float, height: float) -> bool:
        """Begin marking a chart: one Figure with its alternative text and bounding box."""
        if self.suppress:
            return False
        alt = getattr(flowable, "tag_alt", None) or getattr(flowable, "alt_text", None) or ""
        corners = [self.canvas.absolutePosition(x, y) for x in (0, width) for y in (0, height)]
        xs, ys = [p[0] for p in corners], [p[1] for p in corners]
        box = [round(min(xs), 2), round(min(ys), 2), round(max(xs), 2), round(max(ys), 2)]
        attrs = {"Alt": alt or "グラフ", "A": f"<</O /Layout /BBox [{' '.join(map(str, box))}]>>"}
        return self.begin(Elem("Figure", self.container, attrs))

    def annotation(self, elem: Elem, name: str) -> int:
        """An annotation (``Annot.<name>``) as ``elem``'s content: its /StructParent key."""
        key = len(self.parent_tree)
        self.parent_tree[key] = elem
        elem.kids.append(("annot", name, self.canvas.getPageNumber()))
        return key

    # -- writing ------------------------------------------------------------------------

    @property
    def tagged(self) -> bool:
        return bool(self.root.kids)

    def write(self, doc: Any) -> Any:
        """Register the tree's objects with ReportLab's document; return the root's ref."""
        order: list[Elem] = []
        todo = [self.root]
        while todo:
            elem = todo.pop()
            order.append(elem)
            todo.extend(reversed([k for k in elem.kids if isinstance(k, Elem)]))
        for elem in reversed(order):  # a table's /Pg: its first page (checkers place it)
            if not elem.page:
                elem.page = next((k.page for k in elem.kids if isinstance(k, Elem) and k.page), 0)
        for n, elem in enumerate(order):
            elem.name = f"BriefpackSE{n}"
            doc.Reference(_StructElem(elem), elem.name)
        doc.Reference(_ParentTree(self.parent_tree), "BriefpackParentTree")
        return doc.Reference(_StructTreeRoot(len(self.parent_tree)), ROOT)


ROOT = "BriefpackStructTreeRoot"


def _claims(flowable: Any, title: str) -> bool:
    """Whether a text flowable shows ``title`` (whole, or shortened with 「…」)."""
    text = "".join(r.text for r in getattr(flowable, "runs", ()))
    if text.endswith("…"):
        return title.startswith(text[:-1].rstrip())
    return text == title


def _ref(doc: Any, name: str) -> str:
    number, generation = doc.idToObjectNumberAndVersion[name]
    return f"{number} {generation} R"


class _StructElem(PDFObject):
    """A structure element, formatted straight to bytes (there are thousands of them)."""

    def __init__(self, elem: Elem):
        self.elem = elem

    def format(self, doc: Any) -> bytes:
        e = self.elem
        ref = doc.idToObjectNumberAndVersion
        parent = ref[e.parent.name if e.parent is not None else ROOT]
        out = [f"<< /S /{e.role} /P {parent[0]} {parent[1]} R"]  # /Type is optional
        if e.page and (e.role not in GROUPING or e.role == "Table"):
            page = ref[f"Page{e.page}"]
            out.append(f" /Pg {page[0]} {page[1]} R")
        kids = []
        for kid in e.kids:
            if isinstance(kid, Elem):
                obj = ref[kid.name]
                kids.append(f"{obj[0]} {obj[1]} R")
            elif kid[0] == "annot":
                obj, page = ref["Annot." + kid[1]], ref[f"Page{kid[2]}"]
                kids.append(f"<< /Type /OBJR /Obj {obj[0]} {obj[1]} R /Pg {page[0]} {page[1]} R >>")
            elif kid[0] == e.page:
                kids.append(str(kid[1]))
            else:
                page = ref[f"Page{kid[0]}"]
                kids.append(f"<< /Type /MCR /Pg {page[0]} {page[1]} R /MCID {kid[1]} >>")
        if len(kids) == 1:
            out.append(f" /K {kids[0]}")
        elif kids:
            out.append(f" /K [{' '.join(kids)}]")
        head = "".join(out).encode("latin-1")
        if not e.attrs:
            return head + b" >>"
        tail = []
        for key, value in e.attrs.items():
            if key == "A":
                tail.append(b" /A " + value.encode("latin-1"))
            else:
                tail.append(f" /{key} ".encode() + PDFString(value).format(doc))
        return head + b"".join(tail) + b" >>"


class _ParentTree(PDFObject):
    def __init__(self, entries: dict[int, Any]):
        self.entries = entries

    def format(self, doc: Any) -> bytes:
        out = []
        for key in sorted(self.entries):
            value = self.entries[key]
            if isinstance(value, Elem):
                out.append(f"{key} {_ref(doc, value.name)}")
            else:
                out.append(f"{key} [{' '.join(_ref(doc, e.name) for e in value)}]")
        return f"<< /Nums [{' '.join(out)}] >>".encode("latin-1")


class _StructTreeRoot(PDFObject):
    def __init__(self, next_key: int):
        self.next_key = next_key

    def format(self, doc: Any) -> bytes:
        return (
            f"<< /Type /StructTreeRoot /K {_ref(doc, 'BriefpackSE0')}"
            f" /ParentTree {_ref(doc, 'BriefpackParentTree')}"
            f" /ParentTreeNextKey {self.next_key} >>"
        ).encode("latin-1")


@contextmanager
def artifact(canvas: Any, properties: str = "/Type /Pagination") -> Iterator[None]:
    """Draw page furniture as a typed artifact (``/Subtype /Header`` …) when tagging."""
    tags = getattr(canvas, "tags", None)
    marked = tags.begin_artifact(properties) if tags is not None else False
    try:
        yield
    finally:
        if marked:
            tags.end_artifact(marked)


# -- what the flowables are ------------------------------------------------------------


def tagged(
    flowables: list, role: str | None, alt: str | None = None, *, row_headers: int | None = None
) -> list:
    """Say what ``flowables`` are in the structure tree; returns the list (the same flowables,
    except that a ``Sect``/``Div`` role wraps each in a flowable that draws it inside one).

    ``role`` is a plan role (``heading``, ``paragraph``, ``list``, ``caption``, ``table``,
    ``figure``, ``aside``, ``artifact``, ``row``: ``model.*.role``) or a structure type (``P``,
    ``H`` (one level below its section's heading), ``H3``, ``Caption``, ``L``, ``Table``,
    ``Figure``, ``Sect`` …).  What is already tagged keeps its tags, so calling this twice is
    harmless.  ``alt``: a figure's alternative text; ``row_headers``: how many columns of a
    table are row headers (default: the first, when every other column holds figures).
    """
    role = ROLES.get(role, role) if role is not None else None
    if role is None:
        return flowables
    if role in CONTAINERS:
        group = Group(role)
        return [f if isinstance(f, Within) else Within(f, group) for f in flowables]
    if role in ("Caption", "L"):
        group = Group(role)
        for f in flowables:
            _join(f, group)
        return flowables
    for f in flowables:
        _mark(f, role, alt, row_headers)
    return flowables


CONTAINERS = frozenset(("Part", "Art", "Sect", "Div", "BlockQuote"))


def _join(f: Any, group: Group) -> None:
    """Put a flowable (or what it holds) into ``group``: a list's bullets, a caption's lines."""
    if isinstance(f, Table):
        _mark(f, "Table", None, None)  # a table stays a table
        return
    inner = _inner(f)
    if inner:
        for g in inner:
            _join(g, group)
        return
    if getattr(f, "tag_group", False) is not None:
        return  # draws no text, or already in a group
    if group.role == "L" and not hasattr(f, "mark"):
        return  # only bullets are list items
    f.tag_group = group


def _mark(f: Any, role: str, alt: str | None, row_headers: int | None) -> None:
    if isinstance(f, Table):
        if getattr(f, "_renderCB", None) is None:
            f._renderCB = TableTags(f, row_headers)
        return
    inner = _inner(f)
    if role == "Figure" and alt and hasattr(f, "alt_text"):
        f.tag_alt = alt
    if inner:
        for g in inner:
            _mark(g, role, alt, row_headers)
        return
    if getattr(f, "tag_role", False) is None and f.tag_group is None and role != "Figure":
        f.tag_role = role


class Within(Flowable):
    """``inner`` drawn inside a container element (a コラム's ``Sect``), split or whole."""

    def __init__(self, inner: Flowable, group: Group):
        super().__init__()
        self.inner, self.group = inner, group

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        self.width, self.height = self.inner.wrap(availWidth, availHeight)
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:  # noqa: N803
        return [Within(p, self.group) for p in self.inner.split(availWidth, availHeight)]

    def getSpaceBefore(self) -> float:  # noqa: N802
        return self.inner.getSpaceBefore()

    def getSpaceAfter(self) -> float:  # noqa: N802
        return self.inner.getSpaceAfter()

    def draw(self) -> None:
        tags = getattr(self.canv, "tags", None)
        if tags is not None:
            tags.stack.append(tags.group(self.group))
        self.inner.drawOn(self.canv, 0, 0)
        if tags is not None:
            tags.stack.pop()


class Opening(Within):
    """``inner`` opens a section (a binder part's title page) whose heading it draws itself:
    the first text it draws that shows ``title`` is the heading (H1 at level 0)."""

    def __init__(self, inner: Flowable, level: int, title: str, role: str = "Part"):
        super().__init__(inner, Group(role))
        self.level, self.title = level, title

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:  # noqa: N803
        pieces = self.inner.split(availWidth, availHeight)
        if not pieces:
            return []
        return [Opening(pieces[0], self.level, self.title, self.group.role), *pieces[1:]]

    def draw(self) -> None:
        tags = getattr(self.canv, "tags", None)
        if tags is not None:
            tags.section(self.level, self.title, self.group.role, drawn=False)
        self.inner.drawOn(self.canv, 0, 0)
        if tags is not None:
            tags.pending = None  # not drawn after all: no heading


def _inner(f: Any) -> list:
    """The flowables a container flowable draws (compose.Composed, SideBySide, KeepTogether…)."""
    for attr in ("parts", "_content"):
        value = getattr(f, attr, None)
        if isinstance(value, list):
            return value
    columns = getattr(f, "columns", None)
    if isinstance(columns, list):
        return [g for column in columns for g in column]
    inner = getattr(f, "inner", None)
    return [inner] if isinstance(inner, Flowable) else []


def ensure_tagged(flowables: list) -> list:
    """What no one declared: tables get their tagger, runs of bullets become one list."""
    run: Group | None = None
    for f in flowables:
        if isinstance(f, Table):
            _mark(f, "Table", None, None)
            run = None
            continue
        if hasattr(f, "mark") and hasattr(f, "tag_group"):
            if f.tag_group is None and (f.tag_role in (None, "LI")):
                run = run or Group("L")
                f.tag_group = run
            continue
        run = None
        inner = _inner(f)
        if inner:
            ensure_tagged(inner)
    return flowables


class TableTags:
    """A ReportLab ``Table(renderCB=…)``: the table's structure while it draws.

    One ``Table`` element however many pages the table spans (the split pieces share this
    call-back); header rows are ``TH /Scope /Column``, a row header column ``TH /Scope /Row``,
    the rest ``TD``.  A header row repeated on a later page holds the very cells drawn
    before: it is drawn as an artifact.  A row split inside (``splitInRow``) stays one ``TR``,
    each of its cells one element (the pieces of a cell share its ``tag_key``).
    """

    def __init__(self, table: Table, row_headers: int | None = None):
        self.group = Group("Table")
        repeat = table.repeatRows
        self.header_rows = repeat if isinstance(repeat, int) else len(repeat)
        if row_headers is None:
            row_headers = _row_headers(table, self.header_rows)
        self.row_headers = row_headers
        self.pieces = 0  # pieces of the table drawn so far
        self.drawn: set[Any] = set()  # cell flowables drawn as content
        self.cells: dict[Any, Elem] = {}  # a cell's key → its element
        self.rows: dict[Elem, Elem] = {}  # a cell's element → its row
        self.tags: Any = None
        self.repeat = self.header = False
        self.row: Elem | None = None

    def __call__(self, table: Table, cmd: str, *args: Any) -> None:
        tags = getattr(table.canv, "tags", None)
        if tags is not None:
            self.tags = tags
            getattr(self, cmd)(table, *args)

    def startTable(self, table: Table) -> None:  # noqa: N802
        self.tags.stack.append(self.tags.group(self.group))

    def endTable(self, table: Table) -> None:  # noqa: N802
        self.pieces += 1
        self.tags.stack.pop()

    def startRow(self, table: Table, row: int) -> None:  # noqa: N802
        cells = [c for c in map(_cell, table._cellvalues[row]) if c is not None]
        self.repeat = any(c in self.drawn for c in cells)
        if self.repeat:
            self.tags.suppress += 1  # a header row repeated on a later page
            return
        self.header = self.pieces == 0 and row < self.header_rows
        known = next((self.cells[k] for k in map(_key, cells) if k in self.cells), None)
        self.row = self.rows[known] if known is not None else Elem("TR", self.tags.stack[-1])
        self.tags.stack.append(self.row)

    def endRow(self, table: Table, *_: Any) -> None:  # noqa: N802
        if self.repeat:
            self.tags.suppress -= 1
        else:
            self.tags.stack.pop()

    def startCell(self, table: Table, row: int, col: int, value: Any, *_: Any) -> None:  # noqa: N802
        if self.repeat:
            return
        cell = _cell(value)
        key = _key(cell) if cell is not None else None
        elem = self.cells.get(key) if key is not None else None
        if elem is None:
            if self.header:
                elem = Elem("TH", self.row, {"A": "<</O /Table /Scope /Column>>"})
            elif col < self.row_headers:
                elem = Elem("TH", self.row, {"A": "<</O /Table /Scope /Row>>"})
            else:
                elem = Elem("TD", self.row)
            self.rows[elem] = self.row
            if key is not None:
                self.cells[key] = elem
        if cell is not None:
            self.drawn.add(cell)
        self.tags.stack.append(elem)

    def endCell(self, table: Table, *_: Any) -> None:  # noqa: N802
        if not self.repeat:
            self.tags.stack.pop()

    def startBG(self, table: Table) -> None:  # noqa: N802
        pass  # backgrounds and rules: the page's default artifact

    endBG = startLines = endLines = startBG


def _cell(value: Any) -> Any:
    """The flowable of a cell (a cell may hold a list of them), or None."""
    if isinstance(value, list | tuple):
        value = value[0] if value else None
    return value if isinstance(value, Flowable) else None


def _key(cell: Any) -> Any:
    key = getattr(cell, "tag_key", None)
    return cell if key is None else key


def _row_headers(table: Table, header_rows: int) -> int:
    """1 when the first column labels rows of figures (every other cell right-aligned) and
    the figures outnumber the header cells (in a two-column list the column header says
    what each figure is, and header cells that outnumber data read as a shredded table)."""
    rows = table._cellvalues[header_rows:]
    columns = len(rows[0]) if rows else 0
    if columns < 2 or (columns - 1) * len(rows) < columns + len(rows):
        return 0
    for row in rows:
        first = _cell(row[0])
        if first is None or _align(first) == "right":
            return 0
        for value in row[1:]:
            cell = _cell(value)
            if cell is not None and _align(cell) != "right" and _text(cell).strip():
                return 0
    return 1


def _align(cell: Any) -> str:
    style = getattr(cell, "style", None)
    return getattr(style, "align", "")


def _text(cell: Any) -> str:
    return "".join(r.text for r in getattr(cell, "runs", ()))
