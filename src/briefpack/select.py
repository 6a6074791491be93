"""Selection: a pack spec + a target → the blocks to build and the exact rows and prose they use.

Standard library only: ``briefpack list`` and the up-to-date check of a nightly run use it
without loading the PDF and chart libraries.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .datalayer import DataLayer, Row

# Keys under which a block lists further dataset references.
NESTED_REFS = ("series", "items")


@dataclass(frozen=True)
class PlannedGroup:
    """Blocks to build for one place; a region's ``each_member`` section has one per member."""

    target: str
    blocks: list[dict[str, Any]]
    member_heading: str | None = None


def select_rows(
    data: DataLayer, dataset_id: str, target: str, spec: dict[str, Any] | None = None
) -> list[Row]:
    """Rows of a dataset for ``target`` (all its members; ``scope = "all"`` for every place)."""
    spec = spec or {}
    dataset = data.datasets[dataset_id]
    place_col = next((c.name for c in dataset.columns if c.type == "place"), None)
    rows = dataset.rows
    if spec.get("scope", "target") == "target":
        members = data.members(target)
        if place_col:
            by_place = _rows_by_place(dataset, place_col)
            rows = [r for code in members for r in by_place.get(code, ())]
            rows.sort(key=lambda r: r.line)
        elif dataset.meta.get("place") and dataset.meta["place"] not in members:
            rows = []  # a dataset about one place (``place = "uz"`` in its metadata)
    for column, wanted in (spec.get("where") or {}).items():
        allowed = wanted if isinstance(wanted, list) else [wanted]
        rows = [r for r in rows if r[column] in allowed]
    return rows


def _rows_by_place(dataset: Any, place_col: str) -> dict[str, list[Row]]:
    """A dataset's rows grouped by place, built once per dataset object (kept on it)."""
    index = dataset.__dict__.get("_rows_by_place")
    if index is None:
        index = {}
        for row in dataset.rows:
            index.setdefault(row.values.get(place_col), []).append(row)
        dataset.__dict__["_rows_by_place"] = index
    return index


def text_value(data: DataLayer, ref: str, target: str) -> Any:
    """A value from the prose files: ``"profiles/{target}#economy"`` (None if absent)."""
    path, _, keys = ref.replace("{target}", target).partition("#")
    value: Any = data.texts.get(path)
    for key in filter(None, keys.split(".")):
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def plan_section(data: DataLayer, section: Any, target: str) -> list[PlannedGroup]:
    """A section's blocks for ``target``; repeated per member for ``each_member`` sections."""
    place = data.places[target]
    if section.each_member and place.is_region:
        return [
            PlannedGroup(member, section.blocks, data.places[member].name)
            for member in place.members
        ]
    return [PlannedGroup(target, section.blocks)]


def block_inputs(data: DataLayer, block: dict[str, Any], target: str) -> tuple[dict, list]:
    """The rows (per dataset) and prose values a block draws on for ``target``."""
    rows: dict[str, list[Row]] = {}
    texts: list[Any] = []
    refs = [block] if "dataset" in block else []
    for key in NESTED_REFS:
        for entry in block.get(key) or []:
            if isinstance(entry, dict) and "dataset" in entry:
                refs.append({**{k: block[k] for k in ("scope", "where") if k in block}, **entry})
    for ref in refs:
        rows.setdefault(ref["dataset"], []).extend(select_rows(data, ref["dataset"], target, ref))
    for part in block.get("blocks") or []:
        merged = {**{k: block[k] for k in ("scope", "where") if k in block}, **part}
        part_rows, part_texts = block_inputs(data, merged, target)
        for k, v in part_rows.items():
            rows.setdefault(k, []).extend(v)
        texts += part_texts
    if "text" in block:
        texts.append(text_value(data, block["text"], target))
    if block.get("type") == "profile":
        texts.append(data.texts.get(f"profiles/{target}"))
    return rows, texts


def block_has_data(data: DataLayer, block: dict[str, Any], target: str) -> bool:
    rows, texts = block_inputs(data, block, target)
    if block.get("type") == "column":
        concerns = texts and isinstance(texts[0], dict) and texts[0].get("targets")
        members = set(data.members(target)) | {target}
        return bool(texts and texts[0]) and (not concerns or bool(members & set(concerns)))
    if block.get("type") in ("profile", "bullets", "paragraph"):
        return any(texts)
    return any(rows.values())


def pack_has_data(data: DataLayer, spec: Any, target: str) -> bool:
    """Whether any block of the pack finds data for ``target``."""
    for section in spec.sections:
        for group in plan_section(data, section, target):
            for block in group.blocks:
                if block_has_data(data, block, group.target):
                    return True
    return False


def available_packs(data: DataLayer, specs: list[Any]) -> list[tuple[str, str]]:
    """Every (template, target) pair the data can make, in spec and place order."""
    places = sorted(data.places.values(), key=lambda p: p.order)
    pairs = []
    for spec in specs:
        allowed = spec.targets or [p.code for p in places]
        for place in places:
            if place.code in allowed and pack_has_data(data, spec, place.code):
                pairs.append((spec.template, place.code))
    return pairs
