"""The plan's vocabulary: what a resolved block is made of (heading, text, table, figure, …).

A plan holds only these typed, immutable values: every number already formatted, every
heading composed from the rows shown.  Rendering turns each item into flowables and needs
nothing else, so the plan is also what the manifest fingerprints.  Each item says what it
is (``role``), which is what keeps blocks together and what a tagged PDF will name.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Heading:
    """A block's heading (a table's or a chart's title)."""

    text: str
    role: str = "heading"


@dataclass(frozen=True)
class Paragraph:
    text: str  # ``**bold**`` is the only markup
    kind: str = "body"  # body | small | note
    role: str = "paragraph"


@dataclass(frozen=True)
class Bullets:
    items: tuple[str, ...]
    mark: str = "・"
    kind: str = "body"
    role: str = "list"


@dataclass(frozen=True)
class UnitLine:
    """「（単位：1,000ドル）」 above a table."""

    unit: str
    role: str = "caption"


@dataclass(frozen=True)
class TableItem:
    header: tuple[str, ...]
    body: tuple[tuple[str, ...], ...]
    numeric: tuple[bool, ...]
    widths: tuple[float, ...] | None = None  # shares of the frame; None: measured
    label_width: bool = False  # first column measured, the rest share the frame equally
    highlight: tuple[int, ...] = ()  # body rows that show the target among its peers
    groups: tuple[int, ...] = ()  # body rows that start a group kept on one page (a place's)
    role: str = "table"


@dataclass(frozen=True)
class ChartItem:
    kind: str  # line | bar | barh | balance
    data: dict[str, Any]
    unit: str
    size: str  # full | small
    highlight: str | None  # the label drawn in the accent colour, others muted
    alt: str  # the chart in words, from the data it draws
    role: str = "figure"


@dataclass(frozen=True)
class Caption:
    """出所 and 注 lines under a table or chart.

    ``sources`` are short: a source and the data time of its rows (「国際通貨基金（IMF）
    （2024年）」); the publication is named once, in the 「データ出所一覧」.  Notes are
    numbered when there are several (「注1：」「注2：」), so that a cell can point to one.
    """

    sources: tuple[str, ...]
    notes: tuple[str, ...] = ()
    role: str = "caption"

    def source_line(self) -> str:
        return "出所：" + "／".join(self.sources) if self.sources else ""

    def note_labels(self) -> tuple[str, ...]:
        if len(self.notes) == 1:
            return ("注：",)
        return tuple(f"注{i}：" for i in range(1, len(self.notes) + 1))


@dataclass(frozen=True)
class Box:
    """A コラム: a titled box of paragraphs set at a reading measure (35–45 characters)."""

    title: str
    paragraphs: tuple[str, ...]
    label: str = "コラム"
    role: str = "aside"


@dataclass(frozen=True)
class Gap:
    size: float  # points
    role: str = "artifact"


@dataclass(frozen=True)
class SideBySide:
    """Blocks next to each other (a chart beside its table), each a list of items."""

    cells: tuple[tuple[Any, ...], ...]
    shares: tuple[float, ...]
    role: str = "row"


Item = (
    Heading
    | Paragraph
    | Bullets
    | UnitLine
    | TableItem
    | ChartItem
    | Caption
    | Box
    | Gap
    | SideBySide
)


@dataclass(frozen=True)
class Block:
    """One spec block resolved: its items are kept together on a page where they fit."""

    type: str
    items: tuple[Item, ...]

    def leaves(self) -> list[Item]:
        """The block's items with side-by-side cells opened up, in reading order."""
        out: list[Item] = []
        for item in self.items:
            if isinstance(item, SideBySide):
                out += [part for cell in item.cells for part in cell]
            else:
                out.append(item)
        return out


@dataclass(frozen=True)
class Group:
    """A section's blocks for one place (a region's ``each_member`` section has one per member)."""

    target: str
    heading: str | None
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class SectionPlan:
    title: str
    groups: tuple[Group, ...]


@dataclass(frozen=True)
class SourceEntry:
    """One line of the 「データ出所一覧」: a dataset as the pack used it."""

    title: str
    source: str
    unit: str
    as_of: str
    publication: str


@dataclass
class PackPlan:
    """A pack resolved against the data: everything rendering needs, nothing it must look up."""

    template: str
    target: str
    title: str
    subtitle: str
    description: str
    sections: list[SectionPlan]
    sources: list[SourceEntry]
    publications: list[str]  # 「publisher「title」（month）」 of every publication credited
    issue_date: str  # YYYY-MM-DD or YYYY-MM: the latest publication among the rows used
    as_of: str  # the latest data time of the rows shown (「2024年」)
    log: list[str] = field(default_factory=list)  # what was left out, and why
    reads: dict[str, Any] = field(default_factory=dict)  # recorded inputs (for "what changed")
    # What the data calls the datasets, columns and places read: 「前回版からの変更点」 names
    # them so (dataset id → title, column labels and key; place code → name).
    names: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return f"{self.template}-{self.target}"

    def digest(self) -> str:
        """The digest of everything rendering consumes (the log and the read record
        excluded), every dataclass tagged with its type: two kinds of item with equal
        fields must not digest alike.  The encoder calls back only for dataclasses."""
        fields = {
            f.name: getattr(self, f.name)
            for f in dataclasses.fields(self)
            if f.name not in ("log", "reads", "names")
        }
        text = json.dumps(fields, sort_keys=True, ensure_ascii=False, default=_tagged)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


_FIELD_NAMES: dict[type, list[str]] = {}


def _tagged(value: Any) -> Any:
    """A dataclass as the fields it holds and its type's name; anything else as text."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = _FIELD_NAMES.get(type(value))
        if fields is None:
            fields = _FIELD_NAMES[type(value)] = [f.name for f in dataclasses.fields(value)]
        return {"@": type(value).__name__, **{f: getattr(value, f) for f in fields}}
    return str(value)
