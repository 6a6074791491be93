"""The analyst's API: every dataset as a typed pandas DataFrame carrying its unit and source.

    >>> from briefpack import load_data
    >>> layer = load_data("data")
    >>> df = layer.frame("japan_trade")
    >>> df.attrs["unit"]
    '1,000ドル'

The data layer is loaded and validated exactly as ``briefpack check`` does (a DataError lists
every problem); the frames are built from the validated rows, so a DataFrame never holds a value
that ``check`` would refuse. pandas is imported here only, when a frame is asked for.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import UsageError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from .datalayer import DataLayer, Dataset


class UnknownDataset(UsageError, KeyError):
    """``layer.frame(name)`` for a name that is not a dataset (a KeyError too, for notebooks)."""

    def __str__(self) -> str:
        return str(self.args[0])


def load_data(path: str | Path | None = None) -> Layer:
    """Load and validate the data layer at ``path`` (default: ./data, else the installed copy)."""
    from .datalayer import load
    from .paths import default_root

    return Layer(load(Path(path) if path is not None else default_root("data")))


class Layer:
    """A validated data layer; ``frame(name)`` gives one dataset as a DataFrame."""

    def __init__(self, data: DataLayer):
        self.data = data

    @property
    def root(self) -> Path:
        return self.data.root

    @property
    def names(self) -> list[str]:
        """The dataset names (ids), sorted."""
        return sorted(self.data.datasets)

    def __contains__(self, name: object) -> bool:
        return name in self.data.datasets

    def __repr__(self) -> str:
        return f"<briefpack data layer {self.root}: {len(self.data.datasets)} datasets>"

    def dataset(self, name: str) -> Dataset:
        """The data layer's own record of a dataset (columns, rows with their CSV lines)."""
        try:
            return self.data.datasets[name]
        except KeyError:
            raise UnknownDataset(
                f"unknown dataset {name!r} (datasets: {', '.join(self.names)})"
            ) from None

    def frame(self, name: str, *, exact: bool = False) -> pd.DataFrame:
        """One dataset as a DataFrame, rows in the CSV's order.

        Column dtypes follow the metadata: ``place`` and ``text`` → ``string``; ``int`` and
        ``year`` → nullable ``Int64`` (a missing value is ``<NA>``); ``decimal`` → nullable
        ``Float64``, its published number of decimals in ``attrs["decimals"]`` (or, with
        ``exact=True``, ``object`` columns holding ``decimal.Decimal`` values as written).
        """
        return dataset_frame(self.dataset(name), exact=exact)

    def catalog(self) -> pd.DataFrame:
        """One row per dataset: title, unit, source, as-of date, publication and row count."""
        import pandas as pd

        records = []
        for name in self.names:
            attrs = dataset_attrs(self.data.datasets[name])
            records.append(
                {
                    "name": name,
                    **{k: attrs[k] for k in ("title", "unit", "source", "as_of", "publication")},
                    "rows": len(self.data.datasets[name].rows),
                }
            )
        frame = pd.DataFrame.from_records(records).set_index("name")
        return frame.astype({"rows": "Int64"}).astype(
            {c: "string" for c in frame.columns if c != "rows"}
        )

    def places(self) -> pd.DataFrame:
        """The places (targets): code (index), kind, name, formal name, members, order."""
        import pandas as pd

        places = sorted(self.data.places.values(), key=lambda p: p.order)
        frame = pd.DataFrame(
            {
                "code": pd.array([p.code for p in places], dtype="string"),
                "kind": pd.array([p.kind for p in places], dtype="string"),
                "name": pd.array([p.name for p in places], dtype="string"),
                "formal_name": pd.array([p.formal_name for p in places], dtype="string"),
                "members": [list(p.members) for p in places],
                "order": pd.array([p.order for p in places], dtype="Int64"),
            }
        )
        return frame.set_index("code")


def decimals_of(dataset: Dataset, column: str) -> int:
    """A decimal column's number of decimals: declared (``decimals = 2``) or the most written."""
    declared = dataset.meta.get("columns", {}).get(column, {}).get("decimals")
    if isinstance(declared, int) and not isinstance(declared, bool) and declared >= 0:
        return declared
    places = [
        -value.as_tuple().exponent
        for row in dataset.rows
        if isinstance(value := row.values.get(column), Decimal)
    ]
    return max([0, *places])


def dataset_attrs(dataset: Dataset) -> dict[str, Any]:
    """What a DataFrame of this dataset carries in ``attrs``."""
    pub = dataset.publication
    return {
        "name": dataset.id,
        "title": dataset.title,
        "unit": dataset.unit,
        "source": dataset.source,
        "source_note": dataset.source_note,
        "as_of": dataset.as_of or None,
        "as_of_note": dataset.meta.get("as_of_note"),
        "publication": f"{pub.publisher}「{pub.title}」({pub.published})" if pub else None,
        "published": pub.published if pub else None,
        "notes": [note.text for note in dataset.notes],
        "key": list(dataset.key),
        "labels": {c.name: c.label for c in dataset.columns},
        "decimals": {
            c.name: decimals_of(dataset, c.name) for c in dataset.columns if c.type == "decimal"
        },
        "path": dataset.csv_path,
    }


def dataset_frame(dataset: Dataset, *, exact: bool = False) -> pd.DataFrame:
    """The typed DataFrame of one validated dataset (see ``Layer.frame``)."""
    import pandas as pd

    columns = {}
    for column in dataset.columns:
        values = [row.values.get(column.name) for row in dataset.rows]
        if column.type in ("int", "year"):
            columns[column.name] = pd.array(values, dtype="Int64")
        elif column.type == "decimal" and exact:
            columns[column.name] = pd.array(values, dtype=object)
        elif column.type == "decimal":
            floats = [None if v is None else float(v) for v in values]
            columns[column.name] = pd.array(floats, dtype="Float64")
        else:
            columns[column.name] = pd.array(values, dtype="string")
    frame = pd.DataFrame(columns, index=pd.RangeIndex(len(dataset.rows)))
    frame.attrs.update(dataset_attrs(dataset))
    return frame
