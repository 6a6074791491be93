"""Blocks: one spec entry (chart, table, timeline, bullets, …) + the data → flowables.

Each block type is one module that registers a function with :func:`block`; a pack spec
names block types, never code.  A block that finds no data for its target returns ``None``:
the block is left out and the reason logged, never drawn with made-up content.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..datalayer import DataLayer, Dataset, Place, Row
from ..fonts import FontSet
from ..select import select_rows, text_value
from ..style import Style
from ..typeset import TextStyle

BlockFn = Callable[[dict[str, Any], "Context"], list | None]
REGISTRY: dict[str, BlockFn] = {}
# Keys every block may carry besides its own.
COMMON_KEYS = {"type", "heading", "scope", "where", "absent"}


def block(name: str, keys: set[str]) -> Callable[[BlockFn], BlockFn]:
    """Register a block type and the spec keys it accepts."""

    def register(fn: BlockFn) -> BlockFn:
        REGISTRY[name] = fn
        fn.keys = keys | COMMON_KEYS  # type: ignore[attr-defined]
        return fn

    return register


@dataclass
class Context:
    """What a block may use: the data, the target, the look, and where to report."""

    data: DataLayer
    target: Place
    style: Style
    fonts: FontSet
    frame_width: float
    frame_height: float
    chart_cache: Any = None
    used: dict[str, Dataset] = field(default_factory=dict)
    used_rows: dict[str, set[int]] = field(default_factory=dict)
    log: list[str] = field(default_factory=list)

    # ----------------------------------------------------------------- text styles
    def text_style(self, kind: str = "body", **overrides: Any) -> TextStyle:
        t, c = self.style["text"], self.style["colors"]
        base = {
            "body": TextStyle(t["body_size"], t["body_leading"], c["text"]),
            "small": TextStyle(t["small_size"], t["small_leading"], c["text"]),
            "note": TextStyle(t["note_size"], t["small_leading"], c["muted"], align="left"),
            "heading": TextStyle(
                t["heading_size"], t["heading_size"] * 1.5, c["accent"], "left", "bold"
            ),
            "cell": TextStyle(
                self.style["table"]["font_size"], self.style["table"]["leading"], c["text"]
            ),
        }[kind]
        return TextStyle(**{**base.__dict__, **overrides})

    # ----------------------------------------------------------------- data access
    def dataset(self, dataset_id: str) -> Dataset:
        return self.data.datasets[dataset_id]

    def rows(self, dataset_id: str, spec: dict[str, Any] | None = None) -> list[Row]:
        """Rows of a dataset for this block's target (``scope = "all"`` for every place)."""
        return select_rows(self.data, dataset_id, self.target.code, spec)

    def use(self, dataset_id: str, rows: list[Row]) -> None:
        """Record that the pack shows (or computes from) these rows."""
        self.used[dataset_id] = self.dataset(dataset_id)
        self.used_rows.setdefault(dataset_id, set()).update(r.line for r in rows)

    def place_name(self, code: str) -> str:
        place = self.data.places.get(code)
        return place.name if place else code

    def text(self, ref: str) -> Any:
        """A value from the prose files: ``"profiles/{target}#economy"`` (None if absent)."""
        return text_value(self.data, ref, self.target.code)


# Importing the modules registers their block types.
from . import charts, comment, row, tables, text  # noqa: E402, F401
