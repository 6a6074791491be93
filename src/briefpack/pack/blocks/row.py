"""Row block: several blocks side by side (a chart beside its table), each in its own column."""

from __future__ import annotations

from typing import Any

from ..model import Block, SideBySide
from . import REGISTRY, Context, block


@block("row", {"blocks", "widths"})
def row(spec: dict[str, Any], ctx: Context) -> Block | None:
    parts = spec["blocks"]
    shares = tuple(spec.get("widths") or [1 / len(parts)] * len(parts))
    cells = []
    for part in parts:
        resolved = REGISTRY[part["type"]]({**part, **_inherited(spec, part)}, ctx)
        cells.append(resolved.items if resolved else ())
    if not any(cells):
        return None
    return Block("row", (SideBySide(tuple(cells), shares),))


def _inherited(spec: dict[str, Any], part: dict[str, Any]) -> dict[str, Any]:
    """``scope``, ``where`` and ``year`` set on the row apply to every block in it."""
    return {k: spec[k] for k in ("scope", "where", "year") if k in spec and k not in part}
