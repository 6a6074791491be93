"""Block resolvers: one spec block + the data → a :class:`~briefpack.pack.model.Block`.

Each block type is one module that registers a resolver with :func:`block`, naming the
spec keys it accepts; a pack spec names block types, never code.  A resolver reads the data
only through ``ctx.reads`` (which records every read), formats every number, composes every
heading from the rows it shows, and returns ``None`` when it finds nothing to show: the
block is left out and the reason logged, never drawn with made-up content.
Standard library only.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ...datalayer import Dataset, Place, Row
from ...formatting import format_as_of, format_value, scale_factor, scaled_unit
from ..model import Block, Caption, Gap, Item
from ..reads import Reads, place_column, time_column, year_column

Resolver = Callable[[dict[str, Any], "Context"], Block | None]
REGISTRY: dict[str, Resolver] = {}
KEYS: dict[str, set[str]] = {}
# Keys every block may carry besides its own.
COMMON_KEYS = {"type", "heading", "scope", "where", "year", "absent"}


def block(name: str, keys: set[str]) -> Callable[[Resolver], Resolver]:
    """Register a block type and the spec keys it accepts."""

    def register(fn: Resolver) -> Resolver:
        REGISTRY[name] = fn
        KEYS[name] = keys | COMMON_KEYS
        return fn

    return register


@dataclass
class Used:
    """How the pack used one dataset: its sources, data time and publications."""

    dataset: Dataset
    sources: list[str] = field(default_factory=list)
    years: set[int] = field(default_factory=set)
    publications: list[str] = field(default_factory=list)  # publication keys
    # each source → the publications its rows were taken from, and the years of its rows
    credits: dict[str, list[str]] = field(default_factory=dict)
    source_years: dict[str, set[int]] = field(default_factory=dict)


@dataclass
class Context:
    """What a resolver may use: the recorded reads, the target and the number format."""

    reads: Reads
    target: Place
    numbers: dict[str, str]
    log: list[str]
    used: dict[str, Used]
    years: set[int] = field(default_factory=set)  # years shown in the current section
    year_columns: int = 13  # a year table wider than this is split into blocks

    # ----------------------------------------------------------------- selection
    def places(self, scope: str) -> list[str] | None:
        """The places a block shows: the target's (default), its region's, or every place."""
        if scope == "all":
            return None
        if scope == "region" and not self.target.is_region:
            region = self.reads.region_of(self.target.code)
            return list(region.members) if region else [self.target.code]
        return self.reads.members(self.target.code)

    def select(self, spec: dict[str, Any], dataset_id: str | None = None) -> list[Row]:
        """The rows a block (or a block's series) shows, ``year = "latest"`` applied."""
        dataset_id = dataset_id or spec["dataset"]
        rows = self.reads.rows(
            dataset_id, self.places(spec.get("scope", "target")), spec.get("where")
        )
        if spec.get("year") == "latest":
            rows = latest_rows(self.reads.dataset(dataset_id), rows)
        return rows

    def highlight(self, spec: dict[str, Any]) -> str | None:
        """The target's name where a block shows it among its region's members."""
        if spec.get("scope") == "region" and not self.target.is_region:
            return self.target.name
        return None

    # ----------------------------------------------------------------- what is shown
    def shown(self, dataset: Dataset, rows: list[Row]) -> None:
        """Record rows as shown: their years (for headings), sources and publications."""
        used = self.used.setdefault(dataset.id, Used(dataset))
        ycol = time_column(dataset)
        dated = False  # a row shown has a year
        for row in rows:
            year = row[ycol] if ycol else None
            if year is not None:
                dated = True
                used.years.add(year)
                self.years.add(year)
            source, publication = row_source(dataset, row)
            if source not in used.sources:
                used.sources.append(source)
            if publication and publication not in used.publications:
                used.publications.append(publication)
            credited = used.credits.setdefault(source, [])
            if publication and publication not in credited:
                credited.append(publication)
            if year is not None:
                used.source_years.setdefault(source, set()).add(year)
        if not dated:
            year = as_of_year(dataset)
            if year:
                self.years.add(year)

    def number(self, value: Any, dataset: Dataset | None = None, column: str | None = None) -> str:
        """A value in its column's declared format (decimals, scale), else as published.

        Table cells, chart labels, the chart in words and commentary all format through
        here, so one column prints one way wherever it appears.
        """
        col = dataset.column(column) if dataset is not None and column else None
        decimals = col.decimals if col is not None else None
        factor = None
        if col is not None and col.scale:
            factor = scale_factor(col.unit or dataset.unit or "", col.scale)  # type: ignore[union-attr]
        return format_value(
            value, decimals, factor, self.numbers["negative_prefix"], self.numbers["missing"]
        )

    def unit(self, dataset: Dataset, column: str | None = None) -> str | None:
        """The unit a column's values are printed in (its declared scale applied)."""
        col = dataset.column(column) if column else None
        base = (col.unit if col is not None and col.unit else None) or dataset.unit
        if col is not None and col.scale and base:
            return scaled_unit(base, col.scale)
        return base

    def fill(self, text: str, years: set[int] | None = None) -> str:
        """``{year}`` → the latest year shown, ``{years}`` → 2000〜2024 (from the rows)."""
        return fill_years(text, self.years if years is None else years)

    # ----------------------------------------------------------------- captions
    def caption(
        self, dataset: Dataset, rows: list[Row], notes: list[str] | None = None
    ) -> list[Item]:
        """出所 (every source of the rows shown, with its data time) and 注 lines."""
        self.shown(dataset, rows)
        groups: dict[tuple[str, str | None], list[Row]] = {}
        for row in rows:
            groups.setdefault(row_source(dataset, row), []).append(row)
        # A short line: each source with the data time of its rows.  The publication the
        # figures were taken from is named once, in the 「データ出所一覧」.
        entries = []
        for (source, _publication), group in groups.items():
            entry = f"{_bare(source)}（{data_time(dataset, group)}）"
            if entry not in entries:
                entries.append(entry)
        all_notes = list(notes or [])
        shown_places = {r[place_column(dataset)] for r in rows} if place_column(dataset) else set()
        members = set(self.reads.members(self.target.code)) | shown_places
        ycol = year_column(dataset)
        years = {r[ycol] for r in rows if r[ycol] is not None} if ycol else None
        for note in dataset.notes:
            if note.applies_to(members, years) and note.text not in all_notes:
                all_notes.append(note.text)
        return [Caption(tuple(entries), tuple(all_notes)), Gap(9)]


def _bare(source: str) -> str:
    """「（原資料に出所の記載なし）」 → 原資料に出所の記載なし (the 出所 line brackets the time)."""
    if source.startswith("（") and source.endswith("）") and source.count("（") == 1:
        return source[1:-1]
    return source


def note_mark(notes: tuple[str, ...] | list[str], note: str) -> str:
    """The mark a cell carries for one of its block's notes: （注） alone, （注2） among several."""
    if len(notes) <= 1:
        return "（注）"
    return f"（注{list(notes).index(note) + 1}）"


def latest_rows(dataset: Dataset, rows: list[Row]) -> list[Row]:
    """Each place's rows of its latest year (rows without a year count when none has one)."""
    ycol, pcol = time_column(dataset), place_column(dataset)
    if not ycol:
        return rows
    latest: dict[Any, int] = {}
    for row in rows:
        if row[ycol] is not None:
            place = row[pcol] if pcol else None
            latest[place] = max(latest.get(place, row[ycol]), row[ycol])
    kept = []
    for row in rows:
        place = row[pcol] if pcol else None
        if place not in latest or row[ycol] == latest[place]:
            kept.append(row)
    return kept


def year_notes(ctx: Context, dataset: Dataset, rows: list[Row]) -> list[str]:
    """「トルクメニスタンは2021年の値。」 for places shown with another year than the rest."""
    ycol, pcol = time_column(dataset), place_column(dataset)
    if not ycol or not pcol:
        return []
    years: dict[str, int] = {}
    for row in rows:
        if row[ycol] is not None:
            years[row[pcol]] = max(years.get(row[pcol], row[ycol]), row[ycol])
    if len(set(years.values())) <= 1:
        return []
    newest = max(years.values())
    return [
        f"{ctx.reads.place_name(code)}は{year}年の値。"
        for code, year in sorted(years.items(), key=lambda cy: ctx.reads.order(cy[0]))
        if year != newest
    ]


def row_source(dataset: Dataset, row: Row) -> tuple[str, str | None]:
    """A row's 出所 and publication key: its own ``source`` cell, else the dataset's.

    A row with its own source in a column the keeper added is credited to a publication
    only when its ``publication`` cell names one: a keeper's figure from elsewhere is never
    credited to the seed.
    """
    own = row["source"] if dataset.column("source") else None
    publication = dataset.publication.key if dataset.publication else None
    if own:
        # A source column the metadata declares is part of the published table (each index's
        # publisher); one a keeper added names rows taken from elsewhere.
        declared = "source" in (dataset.meta.get("columns") or {})
        row_publication = row["publication"] if dataset.column("publication") else None
        return own, row_publication or (publication if declared else None)
    if dataset.column("publication") and row["publication"]:
        publication = row["publication"]
    if dataset.source:
        return dataset.source, publication
    return f"（{dataset.source_note or '出所の記載なし'}）", publication


def data_time(dataset: Dataset, rows: list[Row]) -> str:
    """The latest year of the rows shown, else the dataset's as-of date, else its note."""
    ycol = time_column(dataset)
    years = [r[ycol] for r in rows if ycol and r[ycol] is not None]
    if years:
        return f"{max(years)}年"
    if dataset.as_of:
        return format_as_of(dataset.as_of)
    return dataset.meta.get("as_of_note", "記載なし")


def as_of_year(dataset: Dataset) -> int | None:
    return int(dataset.as_of[:4]) if dataset.as_of else None


YEAR_FIELD = re.compile(r"\{(year|years)\}")


def fill_years(text: str, years: set[int]) -> str:
    if not YEAR_FIELD.search(text):
        return text
    if not years:
        return YEAR_FIELD.sub("—", text)
    first, last = min(years), max(years)
    span = str(last) if first == last else f"{first}〜{last}"
    return text.replace("{years}", span).replace("{year}", str(last))


def as_number(value: Any) -> float:
    return float(value) if isinstance(value, int | float | Decimal) else float(str(value))


def _register_all() -> None:
    """Importing the block modules registers their block types (the one list of them)."""
    import importlib

    for name in ("charts", "comment", "row", "tables", "text"):
        importlib.import_module(f"{__name__}.{name}")


_register_all()
