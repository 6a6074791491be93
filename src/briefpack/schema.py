"""Schemas: what every TOML and CSV file of the data layer and the styles may hold.

Each file kind is declared once, as msgspec ``Struct`` types: its keys, which are required,
their types, ranges and lengths (``Annotated[..., Meta(...)]``), and the rules a type alone
cannot say (``Rule``: a date that exists, a list without repeats, a colour).  :func:`validate`
converts a parsed file with msgspec piece by piece, so that one run reports *every* problem
(msgspec alone stops at the first), each with the key path it concerns; :class:`Located`
turns a path into ``PATH:LINE:COL`` through :class:`~briefpack.tomlpos.Locator`.

References between files (a dataset named by a spec, a publication named by a dataset, a
place code) are checked by the loaders that know both sides, with the same located
problems.  ``briefpack check`` and every build run the same validation, so nothing
``check`` passes can fail later for a reason a schema could have said.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Union, get_args, get_origin, get_type_hints

import msgspec
from msgspec import Meta, Struct

from .errors import Problem
from .tomlpos import MAX_DEPTH, Locator

KeyPath = tuple[Any, ...]


# --------------------------------------------------------------------------- rules


class Rule:
    """A rule on a value that a type cannot express: ``check(value)`` → message or None."""

    def __init__(self, check: Callable[[Any], str | None]):
        self.check = check


@dataclass(frozen=True)
class Tagged:
    """A union of Structs told apart by their tag (``type = "chart"``): what the tag names."""

    noun: str


YEAR_RANGE = (1800, 2100)
_YEARS = f"years {YEAR_RANGE[0]}–{YEAR_RANGE[1]}"
DATE_TEXT = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


def is_date_text(text: str, parts: tuple[int, ...] = (1, 2, 3)) -> bool:
    """YYYY, YYYY-MM or YYYY-MM-DD (as many parts as ``parts`` allows) naming a real date."""
    if not isinstance(text, str) or not DATE_TEXT.match(text):
        return False
    numbers = [int(p) for p in text.split("-")]
    if len(numbers) not in parts:
        return False
    try:
        dt.date(*(numbers + [1, 1])[:3])
    except ValueError:
        return False
    return YEAR_RANGE[0] <= numbers[0] <= YEAR_RANGE[1]


def _as_of(text: str) -> str | None:
    if is_date_text(text):
        return None
    return f"{_q(text)} is not a date YYYY, YYYY-MM or YYYY-MM-DD that exists ({_YEARS})"


def _published(text: str) -> str | None:
    if is_date_text(text, (2, 3)):
        return None
    return f"{_q(text)} is not a date YYYY-MM or YYYY-MM-DD that exists ({_YEARS})"


def _q(value: Any) -> str:
    """A value quoted for a message, a long one cut short."""
    if isinstance(value, str) and len(value) > 40:
        return repr(value[:40] + "…")
    return repr(value)


def _unique(values: list) -> str | None:
    seen: set = set()
    for value in values:
        key = repr(value)
        if key in seen:
            return f"lists {_q(value)} twice"
        seen.add(key)
    return None


def _colour(text: str) -> str | None:
    return None if re.fullmatch(r"#[0-9a-fA-F]{6}", text) else f"{_q(text)} is not a colour #rrggbb"


def _file_name(text: str) -> str | None:
    if not text or "/" in text or "\\" in text or text in (".", ".."):
        return f"{_q(text)} is not a file name (a file in the style folder, no folders)"
    return None


def _not_blank(text: str) -> str | None:
    return "must not be empty" if not text.strip() else None


# Strings: printed ones are bounded so that a stray paste cannot run a heading off its page.
Name = Annotated[str, Meta(min_length=1, max_length=100)]  # ids: datasets, columns, keys
Short = Annotated[str, Meta(max_length=200), Rule(_not_blank)]  # titles, labels, headings
Text = Annotated[str, Meta(max_length=20_000)]  # prose: a paragraph, a note
AsOf = Annotated[str, Rule(_as_of)]
Published = Annotated[str, Rule(_published)]
Colour = Annotated[str, Rule(_colour)]
FileName = Annotated[str, Rule(_file_name)]
Scalar = Union[str, int, bool]  # noqa: UP007 - a runtime type for msgspec
Where = Annotated[dict[str, Scalar | list[Scalar]], Meta(max_length=20)]
Names = Annotated[list[Name], Meta(max_length=200), Rule(_unique)]
Texts = Annotated[list[Text], Meta(max_length=500)]
ColumnType = Literal["place", "year", "int", "decimal", "text"]


class Doc(Struct, forbid_unknown_fields=True, kw_only=True, omit_defaults=True):
    """A TOML table whose keys are all declared (an unknown key is a problem)."""

    def problems(self) -> Iterator[tuple[KeyPath, str]]:
        """Rules between keys: (path below this table, message)."""
        return iter(())


# --------------------------------------------------------------------------- publications.toml


class PublicationDoc(Doc):
    title: Short
    publisher: Short
    published: Published
    seed: Annotated[str, Meta(max_length=200)] | None = None
    url: Annotated[str, Meta(max_length=2000)] | None = None
    note: Text | None = None


Publications = dict[str, PublicationDoc]


# --------------------------------------------------------------------------- absent.toml


class AbsentDoc(Doc):
    """A chart or picture of a source document whose numbers are not in the data."""

    title: Short
    reason: Text
    kind: Annotated[str, Meta(min_length=1, max_length=20)] | None = None  # グラフ, 図表, 写真
    publication: Name | None = None
    seed_ref: Text | None = None
    targets: Names = []
    note: Text | None = None
    source: Text | None = None
    kind: Short | None = None  # what the page calls it: グラフ (default), 図表, 写真 …
    # the source's own statements about the chart, each transcribed exactly (debris removed);
    # printed under the notice in 「」 with the publication's title and date
    quotes: Texts = []


Absent = dict[str, AbsentDoc]


# --------------------------------------------------------------------------- datasets/NAME.toml


class ColumnDoc(Doc):
    type: ColumnType
    label: Short
    unit: Short | None = None
    required: bool = False
    decimals: Annotated[int, Meta(ge=0, le=6)] | None = None  # printed decimals (numbers)
    scale: Short | None = None  # printed magnitude, e.g. "億" (numbers with a unit)


class NoteDoc(Doc):
    text: Text
    places: Names = []
    # printed only under a table or chart that shows a row of one of these years
    years: Annotated[list[Annotated[int, Meta(ge=1000, le=2999)]], Meta(max_length=200)] = []


class CheckDoc(Doc):
    """A published derived figure: ``result`` = ``minuend`` − ``subtrahend`` ± ``tolerance``."""

    result: Name
    minuend: Name
    subtrahend: Name
    tolerance: Annotated[float, Meta(ge=0, le=1e12)] = 1


class EraDoc(Doc):
    title: Short
    order: Annotated[int, Meta(ge=0, le=10_000)] | None = None


class DatasetDoc(Doc):
    title: Short
    columns: Annotated[dict[Name, ColumnDoc], Meta(min_length=1, max_length=100)]
    publication: Name | None = None
    source: Annotated[Text, Rule(_not_blank)] | None = None
    source_note: Short | None = None
    unit: Short | None = None
    as_of: AsOf | None = None
    as_of_note: Short | None = None
    seed_ref: Text | None = None
    place: Name | None = None
    decimals: Annotated[int, Meta(ge=0, le=6)] | None = None  # every number column's decimals
    key: Names = []
    notes: Annotated[list[Text | NoteDoc], Meta(max_length=100)] = []
    remarks: Texts = []
    checks: Annotated[list[CheckDoc], Meta(max_length=20)] = []
    eras: dict[Name, EraDoc] = {}

    def problems(self) -> Iterator[tuple[KeyPath, str]]:
        if self.source is None and self.source_note is None:
            yield (), "needs 'source' (the 出所 as printed) or 'source_note' (why there is none)"
        for i, k in enumerate(self.key):
            if k not in self.columns:
                known = ", ".join(self.columns)
                yield ("key", i), f"key column {k!r} is not a column (columns: {known})"
        numeric = {n for n, c in self.columns.items() if c.type in ("int", "decimal")}
        for i, check in enumerate(self.checks):
            for part in ("result", "minuend", "subtrahend"):
                name = getattr(check, part)
                if name not in numeric:
                    what = "is not a column" if name not in self.columns else "is not a number"
                    yield ("checks", i, part), f"column {name!r} {what} (int or decimal)"


# --------------------------------------------------------------------------- places.csv


class PlaceRow(Struct, forbid_unknown_fields=True):
    """One row of places.csv (cells are text; ``order`` a whole number)."""

    code: Annotated[str, Meta(pattern=r"^[a-z][a-z0-9-]{0,39}$")]
    kind: Literal["country", "region"]
    name: Short
    formal_name: Annotated[str, Meta(max_length=200)]
    members: Annotated[str, Meta(max_length=2000)]
    order: Annotated[int, Meta(ge=-1_000_000, le=1_000_000)]


# --------------------------------------------------------------------------- texts/**/*.toml


TextOrList = Text | Texts


class ProfileDoc(Doc):
    """texts/profiles/CODE.toml: the head of state, economy and industries of a country."""

    head_of_state: Short
    head_of_state_title: Annotated[str, Meta(max_length=100)] = ""
    head_of_state_notes: TextOrList = []
    economy: TextOrList = []
    industries: TextOrList = []
    publication: Name | None = None
    seed_ref: Text | None = None


class ColumnTextDoc(Doc):
    """texts/columns/NAME.toml: a コラム."""

    title: Short
    paragraphs: Texts = []
    captions: Texts = []
    captions_note: Text | None = None
    related_datasets: Names = []
    targets: Names = []
    publication: Name | None = None
    seed_ref: Text | None = None


# Any other prose file: tables of text, lists of text (and plain numbers or true/false).
PROSE_LEAF = Text | int | bool
PROSE_LIST = Annotated[list[PROSE_LEAF], Meta(max_length=500)]


# --------------------------------------------------------------------------- packs/TEMPLATE.toml

Scope = Literal["target", "region", "all"]
Numberish = Annotated[float, Meta(ge=-1e15, le=1e15)]


class BlockDoc(Doc, tag_field="type"):
    """Keys every block may carry (pack/blocks/__init__.py: COMMON_KEYS)."""

    heading: Short | None = None
    scope: Scope | None = None
    where: Where | None = None
    year: Any = None  # only "latest": checked with the literal years, message of its own
    absent: Names = []


class ChartBlock(BlockDoc, tag="chart", kw_only=True):
    dataset: Name
    kind: Literal["line", "bar", "barh", "balance"] = "line"
    x: Name | None = None
    y: Name | None = None
    series: Name | None = None
    category: Name | None = None
    title: Short | None = None
    size: Literal["full", "small"] | None = None
    bars: Annotated[list[Name], Meta(min_length=1, max_length=10)] | None = None
    line: Name | None = None

    def problems(self) -> Iterator[tuple[KeyPath, str]]:
        if self.kind == "balance":
            for key in ("bars", "line"):
                if getattr(self, key) is None:
                    yield (), f"a chart of kind 'balance' needs '{key}'"


class CommentItem(Doc):
    kind: Literal[
        "ranking", "top_share", "above", "rank_among", "trend", "balance", "share_over_years"
    ]
    dataset: Name
    value: Name
    subject: Short | None = None
    only: Literal["region", "country"] | None = None
    top: Annotated[int, Meta(ge=1, le=50)] | None = None
    threshold: Numberish | None = None
    label: Short | None = None
    what: Short | None = None
    where: Where | None = None
    year: Any = None
    scope: Scope | None = None

    def problems(self) -> Iterator[tuple[KeyPath, str]]:
        needs = {"above": ("threshold", "label"), "trend": ("what",), "share_over_years": ("what",)}
        for key in needs.get(self.kind, ()):
            if getattr(self, key) is None:
                yield (), f"a commentary item of kind {self.kind!r} needs '{key}'"


class CommentaryBlock(BlockDoc, tag="commentary", kw_only=True):
    items: Annotated[list[CommentItem], Meta(min_length=1, max_length=50)]


class SeriesItem(Doc):
    dataset: Name
    column: Name
    label: Short | None = None
    unit: Short | None = None
    where: Where | None = None
    year: Any = None
    scope: Scope | None = None


class SeriesTableBlock(BlockDoc, tag="series_table", kw_only=True):
    series: Annotated[list[SeriesItem], Meta(min_length=1, max_length=50)]
    by: Name | None = None
    unit: Short | None = None
    group: Literal["place"] | None = None
    years_per_block: Annotated[int, Meta(ge=1, le=40)] | None = None


class KeyItem(Doc):
    dataset: Name
    label: Short
    column: Name = "value"
    unit: Short | None = None
    where: Where | None = None
    year: Any = None
    scope: Scope | None = None


class KeyFiguresBlock(BlockDoc, tag="keyfigures", kw_only=True):
    items: Annotated[list[KeyItem], Meta(min_length=1, max_length=50)]


Width = Annotated[float, Meta(gt=0, le=1)]


class TableBlock(BlockDoc, tag="table", kw_only=True):
    dataset: Name
    columns: Annotated[list[Name], Meta(min_length=1, max_length=30)] | None = None
    widths: Annotated[list[Width], Meta(min_length=1, max_length=30)] | None = None
    unit: Short | None = None
    sort: Annotated[list[Name], Meta(min_length=1, max_length=30)] | None = None

    def problems(self) -> Iterator[tuple[KeyPath, str]]:
        if self.widths and self.columns and len(self.widths) != len(self.columns):
            yield (
                ("widths",),
                (f"{len(self.widths)} widths for {len(self.columns)} columns: one per column"),
            )


class TimelineBlock(BlockDoc, tag="timeline", kw_only=True):
    dataset: Name


class RankingTableBlock(BlockDoc, tag="ranking_table", kw_only=True):
    dataset: Name
    indices: Name


TextRef = Annotated[str, Meta(min_length=1, max_length=300)]


class BulletsBlock(BlockDoc, tag="bullets", kw_only=True):
    text: TextRef
    mark: Annotated[str, Meta(max_length=4)] = "・"


class ParagraphBlock(BlockDoc, tag="paragraph", kw_only=True):
    text: TextRef
    kind: Literal["body", "small", "note", "heading", "cell"] = "body"


class ProfileBlock(BlockDoc, tag="profile", kw_only=True):
    pass


class ColumnBlock(BlockDoc, tag="column", kw_only=True):
    text: TextRef


class RowBlock(BlockDoc, tag="row", kw_only=True):
    blocks: Annotated[list[Block], Meta(min_length=1, max_length=6)]
    widths: Annotated[list[Width], Meta(min_length=1, max_length=6)] | None = None

    def problems(self) -> Iterator[tuple[KeyPath, str]]:
        if self.widths and len(self.widths) != len(self.blocks):
            yield (
                ("widths",),
                (f"{len(self.widths)} widths for {len(self.blocks)} blocks: one per block"),
            )


BLOCKS = (
    ChartBlock,
    CommentaryBlock,
    SeriesTableBlock,
    KeyFiguresBlock,
    TableBlock,
    TimelineBlock,
    RankingTableBlock,
    BulletsBlock,
    ParagraphBlock,
    ProfileBlock,
    ColumnBlock,
    RowBlock,
)
Block = Annotated[Union[BLOCKS], Tagged("block type")]  # noqa: UP007


class SectionDoc(Doc):
    title: Short
    id: Name | None = None
    blocks: Annotated[list[Block], Meta(max_length=100)] = []
    absent: Names = []
    each_member: bool = False


class IfMissingDoc(Doc):
    """The title and subtitle of a pack that has none of ``sections`` (ids)."""

    sections: Annotated[list[Name], Meta(min_length=1, max_length=100)]
    title: Short
    subtitle: Annotated[str, Meta(max_length=200)] | None = None


class SpecDoc(Doc):
    sections: Annotated[list[SectionDoc], Meta(min_length=1, max_length=100)]
    title: Short | None = None
    template: Name | None = None
    subtitle: Annotated[str, Meta(max_length=200)] = ""
    description: Annotated[str, Meta(max_length=2000)] = ""
    targets: Names | None = None
    if_missing: IfMissingDoc | None = None

    def problems(self) -> Iterator[tuple[KeyPath, str]]:
        seen: dict[str, int] = {}
        for i, section in enumerate(self.sections):
            if section.id is not None:
                if section.id in seen:
                    yield ("sections", i, "id"), f"section id {section.id!r} is used twice"
                seen[section.id] = i


# --------------------------------------------------------------------------- styles/NAME/style.toml

PointSize = Annotated[float, Meta(ge=4, le=96)]
Millimetres = Annotated[float, Meta(ge=10, le=500)]
Margin = Annotated[float, Meta(ge=0, le=60)]


class PageDoc(Doc):
    size: Literal["A4", "A3", "B5"]
    orientation: Literal["landscape", "portrait"]
    margin_top_mm: Margin
    margin_bottom_mm: Margin
    margin_left_mm: Margin
    margin_right_mm: Margin


class FontsDoc(Doc):
    """``regular``/``bold``: tables and chart labels; ``text_*``: running text (optional)."""

    regular: FileName
    bold: FileName
    text_regular: FileName | None = None
    text_bold: FileName | None = None


class ColorsDoc(Doc):
    text: Colour
    muted: Colour
    accent: Colour
    accent_text: Colour
    rule: Colour
    light_rule: Colour
    header_fill: Colour
    stripe_fill: Colour
    cover_band: Colour
    watermark: Colour | None = None


class TextSizesDoc(Doc):
    body_size: PointSize
    body_leading: PointSize
    small_size: PointSize
    small_leading: PointSize
    note_size: PointSize
    title_size: PointSize
    section_size: PointSize
    heading_size: PointSize
    block_gap: Annotated[float, Meta(ge=0, le=96)]


class TableStyleDoc(Doc):
    font_size: Annotated[float, Meta(ge=4, le=36)]
    leading: PointSize
    padding: Annotated[float, Meta(ge=0, le=36)]
    header_font: Literal["bold", "regular"] = "bold"
    max_year_columns: Annotated[int, Meta(ge=1, le=40)] = 13


class ChartStyleDoc(Doc):
    mplstyle: FileName
    width_mm: Millimetres
    height_mm: Millimetres
    half_width_mm: Millimetres
    series_colors: Annotated[list[Colour], Meta(min_length=1, max_length=20)]
    small_height_mm: Millimetres | None = None
    min_font_size: PointSize | None = None


class NumbersDoc(Doc):
    negative_prefix: Annotated[str, Meta(max_length=3)]
    missing: Annotated[str, Meta(min_length=1, max_length=3)]


class DatesDoc(Doc):
    wareki: bool = False


class OrganisationDoc(Doc):
    name: Annotated[str, Meta(max_length=100)] = ""
    contact: Annotated[str, Meta(max_length=200)] = ""


class StyleDoc(Doc):
    page: PageDoc
    fonts: FontsDoc
    colors: ColorsDoc
    text: TextSizesDoc
    table: TableStyleDoc
    chart: ChartStyleDoc
    numbers: NumbersDoc
    name: Annotated[str, Meta(max_length=100)] | None = None
    description: Annotated[str, Meta(max_length=500)] | None = None
    dates: DatesDoc | None = None
    organisation: OrganisationDoc | None = None
    gray: bool = False


# --------------------------------------------------------------------------- validation


@dataclass(frozen=True)
class Issue:
    """A problem at a key path: ``at_key`` for a key that is unknown or missing."""

    path: KeyPath
    message: str
    at_key: bool = False


_BAD = object()


def validate(value: Any, tp: Any, strict: bool = True) -> tuple[Any, list[Issue]]:
    """``value`` converted to ``tp`` (None if it does not fit) and every problem found."""
    issues: list[Issue] = []
    out = _walk(value, tp, (), issues, strict)
    return (None if out is _BAD or issues else out), issues


def _unwrap(tp: Any) -> tuple[Any, tuple]:
    if get_origin(tp) is Annotated:
        return tp.__origin__, tp.__metadata__
    return tp, ()


def _is_struct(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, Struct)


def _deep(tp: Any) -> bool:
    """Whether ``tp`` holds a Struct or a Rule (then it is walked, not converted at once)."""
    base, extras = _unwrap(tp)
    if _is_struct(base) or any(isinstance(m, Rule) for m in extras):
        return True
    return any(_deep(a) for a in get_args(base) if a is not Ellipsis)


_UNIONS = (Union, type(int | str))
_NONE = type(None)


def _walk(value: Any, tp: Any, path: KeyPath, issues: list[Issue], strict: bool) -> Any:
    base, extras = _unwrap(tp)
    metas = tuple(m for m in extras if isinstance(m, Meta))
    origin = get_origin(base)
    if _is_struct(base):
        out = _struct(value, base, path, issues, strict)
    elif origin in _UNIONS:
        out = _union(value, base, extras, path, issues, strict)
    elif origin in (list, dict) and _deep(base):
        out = _container(value, base, metas, path, issues, strict)
    else:
        try:
            out = msgspec.convert(value, Annotated[base, *metas] if metas else base, strict=strict)
        except msgspec.ValidationError as exc:
            issues.append(_leaf_issue(str(exc), value, base, path))
            return _BAD
    if out is _BAD:
        return _BAD
    for rule in (m for m in extras if isinstance(m, Rule)):
        message = rule.check(out)
        if message:
            issues.append(Issue(path, message))
            return _BAD
    return out


def _container(
    value: Any, base: Any, metas: tuple, path: KeyPath, issues: list[Issue], strict: bool
) -> Any:
    kind = list if get_origin(base) is list else dict
    if not isinstance(value, kind):
        issues.append(Issue(path, f"expected {_WHAT[kind.__name__]}, found {_show(value)}"))
        return _BAD
    if metas:
        try:
            msgspec.convert(value, Annotated[kind, *metas], strict=strict)
        except msgspec.ValidationError as exc:
            issues.append(_leaf_issue(str(exc), value, kind, path))
            return _BAD
    args = get_args(base)
    if kind is list:
        items = [_walk(v, args[0], (*path, i), issues, strict) for i, v in enumerate(value)]
        return _BAD if any(v is _BAD for v in items) else items
    out = {}
    for k, v in value.items():
        name = _walk(k, args[0], (*path, k), issues, strict)
        out[k] = _walk(v, args[1], (*path, k), issues, strict) if name is not _BAD else _BAD
    return _BAD if any(v is _BAD for v in out.values()) else out


def _kind(tp: Any) -> str:
    base, _ = _unwrap(tp)
    if _is_struct(base) or get_origin(base) is dict or base is dict:
        return "dict"
    if get_origin(base) is list or base is list:
        return "list"
    if get_origin(base) is Literal:
        return type(get_args(base)[0]).__name__
    return getattr(base, "__name__", "")


def _union(
    value: Any, base: Any, extras: tuple, path: KeyPath, issues: list[Issue], strict: bool
) -> Any:
    args = get_args(base)
    if value is None and _NONE in args:
        return None
    members = [a for a in args if a is not _NONE]
    tagged = next((m for m in extras if isinstance(m, Tagged)), None)
    if tagged is not None:
        return _tagged(value, members, tagged.noun, path, issues, strict)
    if len(members) == 1:
        return _walk(value, members[0], path, issues, strict)
    for member in members:
        scratch: list[Issue] = []
        out = _walk(value, member, path, scratch, strict)
        if not scratch and out is not _BAD:
            return out
    found = {dict: "dict", list: "list", str: "str", bool: "bool", int: "int", float: "float"}
    same = [m for m in members if _kind(m) == found.get(type(value))]
    if len(same) == 1:
        return _walk(value, same[0], path, issues, strict)
    wanted = " or ".join(_describe(m) for m in members)
    issues.append(Issue(path, f"expected {wanted}, found {_show(value)}"))
    return _BAD


def _tagged(
    value: Any, structs: list, noun: str, path: KeyPath, issues: list[Issue], strict: bool
) -> Any:
    if not isinstance(value, dict):
        issues.append(Issue(path, f"expected a table, found {_show(value)}"))
        return _BAD
    field = structs[0].__struct_config__.tag_field
    by_tag = {s.__struct_config__.tag: s for s in structs}
    known = ", ".join(sorted(by_tag))
    tag = value.get(field)
    if tag is None:
        issues.append(Issue(path, f"missing key '{field}' (one of: {known})", at_key=True))
        return _BAD
    if tag not in by_tag:
        issues.append(Issue((*path, field), known_name(tag, by_tag, noun)))
        return _BAD
    return _struct(value, by_tag[tag], path, issues, strict)


def _struct(value: Any, cls: type, path: KeyPath, issues: list[Issue], strict: bool) -> Any:
    if not isinstance(value, dict):
        issues.append(Issue(path, f"expected a table, found {_show(value)}"))
        return _BAD
    before = len(issues)
    fields, hints = _fields(cls)
    tag_field = cls.__struct_config__.tag_field
    for key in value:
        if key not in fields and key != tag_field:
            hint = _did_you_mean(key, fields) or f" (keys: {', '.join(fields)})"
            issues.append(Issue((*path, key), f"unknown key {_q(key)}{hint}", at_key=True))
    kwargs = {}
    for name, f in fields.items():
        if name not in value:
            if f.required:
                issues.append(Issue(path, f"missing key '{name}'", at_key=True))
            continue
        converted = _walk(value[name], hints[f.name], (*path, name), issues, strict)
        kwargs[f.name] = converted
    if len(issues) > before:
        return _BAD
    obj = cls(**kwargs)
    if isinstance(obj, Doc):
        for sub, message in obj.problems():
            issues.append(Issue((*path, *sub), message))
    return _BAD if len(issues) > before else obj


_FIELDS: dict[type, tuple[dict[str, Any], dict[str, Any]]] = {}


def _fields(cls: type) -> tuple[dict[str, Any], dict[str, Any]]:
    """A Struct's fields by key, and their declared types (worked out once per class)."""
    if cls not in _FIELDS:
        fields = {f.encode_name: f for f in msgspec.structs.fields(cls)}
        _FIELDS[cls] = fields, get_type_hints(cls, include_extras=True)
    return _FIELDS[cls]


def _did_you_mean(word: str, known: Any) -> str:
    close = difflib.get_close_matches(word, list(known), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


_WHAT = {
    "str": "text in quotes",
    "int": "a whole number",
    "float": "a number",
    "bool": "true or false",
    "array": "a list [ … ]",
    "list": "a list [ … ]",
    "object": "a table",
    "dict": "a table",
    "null": "nothing",
}


def _describe(tp: Any) -> str:
    base, _ = _unwrap(tp)
    if get_origin(base) is Literal:
        return "one of " + ", ".join(map(str, get_args(base)))
    return _WHAT.get(_kind(base), str(base))


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        if len(value) <= 40:
            return f"text {value!r}"
        return f"text {value[:40] + '…'!r} ({len(value):,} characters)"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, list):
        return f"a list of {len(value)}"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return f'the date {value.isoformat()} (write dates in quotes: "{value.isoformat()}")'
    return type(value).__name__


_AT = re.compile(r" - at `\$(.*)`$")
_STEP = re.compile(r"\[(\d+|\.\.\.)\]|\.([^.\[]+)")


def _leaf_issue(message: str, value: Any, base: Any, path: KeyPath) -> Issue:
    """A msgspec message in the user's words, at the path it concerns."""
    match = _AT.search(message)
    if match:
        message = message[: match.start()]
        for index, key in _STEP.findall(match.group(1)):
            if index == "...":
                break
            step: Any = int(index) if index else key
            try:
                value = value[step]
            except (LookupError, TypeError):
                break
            path = (*path, step)
            base = None
    return Issue(path, _say(message, value, base))


def _say(message: str, value: Any, base: Any) -> str:
    if m := re.fullmatch(r"Expected `(.+?)`, got `(.+?)`", message):
        wanted = " or ".join(_WHAT.get(w, w) for w in m.group(1).split(" | "))
        return f"expected {wanted}, found {_show(value)}"
    if m := re.fullmatch(r"Expected `(?:str|array|object)` of length (>=|<=) (\d+)", message):
        limit = int(m.group(2))
        if isinstance(value, str):
            if m.group(1) == ">=":
                return "must not be empty"
            return f"{_show(value)} is longer than {limit:,} characters"
        what = "items" if isinstance(value, list) else "keys"
        if m.group(1) == ">=":
            return f"needs at least {limit} {what}" if limit > 1 else "must not be empty"
        return f"has {len(value):,} {what}: at most {limit:,}"
    if m := re.fullmatch(r"Expected `(?:int|float)` (>=|<=|>|<) (\S+)", message):
        bound = m.group(2).removesuffix(".0")
        words = {">=": "at least", "<=": "at most", ">": "more than", "<": "less than"}
        return f"{_show(value)} is out of range: must be {words[m.group(1)]} {bound}"
    if m := re.fullmatch(r"Invalid enum value (.+)", message):
        choices = [str(c) for c in get_args(base)] if get_origin(base) is Literal else []
        close = difflib.get_close_matches(str(value), choices, n=1)
        parts = [f"did you mean {close[0]!r}?"] if close else []
        parts += [f"one of: {', '.join(choices)}"] if choices else []
        return f"{_q(value)} is not allowed" + (f" ({' '.join(parts)})" if parts else "")
    if m := re.fullmatch(r"Expected `str` matching regex (.+)", message):
        return f"{_q(value)} is not a valid code (lower-case letters, digits and '-')"
    return message[:1].lower() + message[1:]


# --------------------------------------------------------------------------- located problems


def show_path(path: KeyPath) -> str:
    """``("sections", 3, "blocks", 1, "dataset")`` → ``sections[4].blocks[2].dataset``.

    List items are counted from 1, as a reader counts ``[[sections]]``.
    """
    out = ""
    for step in path:
        if isinstance(step, int):
            out += f"[{step + 1}]"
        else:
            text = step if re.fullmatch(r"[A-Za-z0-9_-]+", step) else f'"{step}"'
            out += f".{text}" if out else text
    return out


class Located:
    """Problems of one TOML file, each at the line and column of the key path it concerns."""

    def __init__(self, rel: str, text: str | None):
        self.rel = rel
        self.locator = Locator(text or "")

    def at(self, path: KeyPath, message: str, key: bool = False) -> Problem:
        line, col = self.locator.key(path) if key else self.locator.value(path)
        return Problem(self.rel, line, col, message)

    def issue(self, issue: Issue, base: KeyPath = ()) -> Problem:
        path = (*base, *issue.path)
        if issue.at_key:
            table = path[:-1] if issue.message.startswith("unknown") else path
            where = f"[{show_path(table)}]: " if table else ""
            return self.at(path, where + issue.message, key=True)
        shown = show_path(path)
        return self.at(path, f"{shown}: {issue.message}" if shown else issue.message)

    def check(self, value: Any, tp: Any, problems: list[Problem], base: KeyPath = ()) -> Any:
        """``value`` as ``tp``, or None with every problem appended (located)."""
        out, issues = validate(value, tp)
        problems.extend(self.issue(i, base) for i in issues)
        return out


def too_deep(doc: Any) -> KeyPath | None:
    """The first key path nested deeper than MAX_DEPTH (dotted keys nest without brackets)."""
    stack: list[tuple[Any, KeyPath]] = [(doc, ())]
    while stack:
        value, path = stack.pop()
        if len(path) > MAX_DEPTH * 2:
            return path
        if isinstance(value, dict):
            stack.extend((v, (*path, k)) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((v, (*path, i)) for i, v in enumerate(value))
    return None


def check_prose(located: Located, doc: dict, problems: list[Problem]) -> None:
    """A prose file with no schema of its own: tables of text and lists of text."""
    stack: list[tuple[Any, KeyPath]] = [(doc, ())]
    while stack:
        value, path = stack.pop()
        if isinstance(value, dict):
            stack.extend((v, (*path, k)) for k, v in reversed(value.items()))
        elif isinstance(value, list):
            located.check(value, PROSE_LIST, problems, path)
        else:
            located.check(value, PROSE_LEAF, problems, path)


def known_name(name: Any, names: Any, what: str, listed: bool = True) -> str:
    """「unknown dataset 'timelines' (did you mean 'timeline'? known: gdp_nominal, …)」"""
    close = difflib.get_close_matches(name, list(names), n=1) if isinstance(name, str) else []
    parts = [f"did you mean {close[0]!r}?"] if close else []
    if listed:
        parts.append(f"known: {', '.join(sorted(names)) or 'none'}")
    return f"unknown {what} {_q(name)}" + (f" ({' '.join(parts)})" if parts else "")
