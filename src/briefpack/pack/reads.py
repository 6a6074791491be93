"""Reads: the one way a plan reaches the data, and the record of everything it read.

Every selection of rows, every prose value and every place a block looks up goes through
:class:`Reads`, which records what each returned.  The record names the pack's inputs as
they were actually read (a neighbour's figure behind a rank included), so a new block or a
new sentence cannot forget one; the manifest keeps it to say what changed between builds.
Standard library only.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # annotations only: the manifest imports this module on a no-op run
    from ..datalayer import DataLayer, Dataset, Place, Row

COLUMNS_KEY = "(columns)"  # in the recorded rows of a dataset: its column names


@dataclass
class Reads:
    data: DataLayer
    rows_read: dict[str, dict[str, str]] = field(default_factory=dict)  # dataset → key → values
    texts_read: dict[str, Any] = field(default_factory=dict)  # "profiles/kg#economy" → value
    places_read: set[str] = field(default_factory=set)

    # ----------------------------------------------------------------- places
    def place(self, code: str) -> Place:
        self.places_read.add(code)
        return self.data.places[code]

    def place_name(self, code: str) -> str:
        place = self.data.places.get(code)
        self.places_read.add(code)
        return place.name if place else code

    def members(self, code: str) -> list[str]:
        self.places_read.add(code)
        return self.data.members(code)

    def region_of(self, code: str) -> Place | None:
        """The first region (in place order) that counts ``code`` among its members."""
        regions = sorted(
            (p for p in self.data.places.values() if p.is_region), key=lambda p: p.order
        )
        for region in regions:
            self.places_read.add(region.code)
            if code in region.members:
                return region
        return None

    def order(self, code: str) -> int:
        place = self.data.places.get(code)
        return place.order if place else 10**6

    # ----------------------------------------------------------------- datasets
    def dataset(self, dataset_id: str) -> Dataset:
        dataset = self.data.datasets[dataset_id]
        self.rows_read.setdefault(dataset_id, {COLUMNS_KEY: _columns(dataset)})
        return dataset

    def rows(
        self,
        dataset_id: str,
        places: list[str] | None,
        where: dict[str, Any] | None = None,
    ) -> list[Row]:
        """Rows of a dataset about ``places`` (None: every place), filtered by ``where``.

        A dataset about one place (``place = "uz"`` in its metadata) has rows only for packs
        that include that place.  Whatever the selection returns is recorded.
        """
        dataset = self.dataset(dataset_id)
        place_col = place_column(dataset)
        rows = dataset.rows
        if places is not None:
            if place_col:
                wanted = set(places)
                rows = [r for r in rows if r[place_col] in wanted]
            elif dataset.meta.get("place") and dataset.meta["place"] not in places:
                rows = []
        for column, wanted_value in (where or {}).items():
            allowed = wanted_value if isinstance(wanted_value, list) else [wanted_value]
            rows = [r for r in rows if r[column] in allowed]
        self.record(dataset, rows)
        return rows

    def record(self, dataset: Dataset, rows: list[Row]) -> None:
        bucket = self.rows_read.setdefault(dataset.id, {COLUMNS_KEY: _columns(dataset)})
        for row in rows:
            key, values = row_text(dataset, row)
            bucket[key] = values

    # ----------------------------------------------------------------- prose
    def text(self, ref: str, target: str) -> Any:
        """A prose value: ``"profiles/{target}#economy"`` (None if absent)."""
        resolved = ref.replace("{target}", target)
        path, _, keys = resolved.partition("#")
        value: Any = self.data.texts.get(path)
        for key in filter(None, keys.split(".")):
            if not isinstance(value, dict):
                value = None
                break
            value = value.get(key)
        self.texts_read[resolved] = value
        return value

    def record_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows_read,
            "texts": sorted(self.texts_read),
            "places": sorted(self.places_read),
        }


def place_column(dataset: Dataset) -> str | None:
    return next((c.name for c in dataset.columns if c.type == "place"), None)


def year_column(dataset: Dataset) -> str | None:
    return next((c.name for c in dataset.columns if c.type == "year"), None)


def time_column(dataset: Dataset) -> str | None:
    """The year of observation: a year column that is part of the dataset's key.

    A year that is not part of the key (a timeline's sort year, a loan's exchange of notes,
    Turkmenistan's population base year) is a value, not the data's time.
    """
    return next(
        (c.name for c in dataset.columns if c.type == "year" and c.name in dataset.key), None
    )


def _columns(dataset: Dataset) -> str:
    return ",".join(c.name for c in dataset.columns)


def row_text(dataset: Dataset, row: Row) -> tuple[str, str]:
    """A row's key (``kg/2024``) and its values as one CSV line."""
    text = dataset.row_texts.get(row.line)
    if text is None:
        text = dataset.row_texts[row.line] = _row_text(dataset, row)
    return text


def _row_text(dataset: Dataset, row: Row) -> tuple[str, str]:
    names = dataset.key or [c.name for c in dataset.columns]
    key = "/".join(str(row[k]) for k in names)
    cells = ["" if row[c.name] is None else str(row[c.name]) for c in dataset.columns]
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow(cells)
    return key, buffer.getvalue()
