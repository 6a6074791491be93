"""Pack specs: DATA/packs/TEMPLATE.toml → a checked list of sections and blocks.

A spec names datasets, columns and prose files; every name is checked against the data
layer, and a problem is reported at the line of the spec where the name is written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .datalayer import DataLayer, read_text, read_toml
from .errors import DataError, Problem

COLUMN_KEYS = ("x", "y", "series", "category", "by", "line", "column", "value")
COLUMN_LIST_KEYS = ("columns", "bars", "sort")


@dataclass
class Section:
    id: str
    title: str
    blocks: list[dict[str, Any]]
    absent: list[str] = field(default_factory=list)
    each_member: bool = False  # for a region: repeat the blocks for every member country


@dataclass
class PackSpec:
    template: str
    title: str
    subtitle: str
    description: str
    sections: list[Section]
    path: Path
    rel: str
    targets: list[str] | None  # None: every target with data

    def title_for(self, place: Any) -> str:
        return _fill(self.title, place)

    def subtitle_for(self, place: Any) -> str:
        return _fill(self.subtitle, place)


def _fill(text: str, place: Any) -> str:
    return text.replace("{name}", place.name).replace("{formal_name}", place.formal_name)


def available_templates(data_root: Path) -> list[str]:
    return sorted(p.stem for p in (data_root / "packs").glob("*.toml"))


def load_spec(data: DataLayer, template: str) -> PackSpec:
    """Read and check a pack spec (block types, keys, names, no literal years)."""
    path = data.root / "packs" / f"{template}.toml"
    rel = f"packs/{template}.toml"
    problems: list[Problem] = []
    raw = read_toml(path, rel, problems)
    if raw is None:
        raise DataError(problems)
    lines = (read_text(path, rel, []) or "").splitlines()
    spec = _parse(raw, path, rel, template, lines, problems)
    _check_names(spec, data, lines, problems)
    if problems:
        raise DataError(problems)
    return spec


def _line_of(lines: list[str], needle: str, start: int = 0) -> int | None:
    pattern = re.compile(rf"(^|[\s\[,{{]){re.escape(needle)}\b")
    for i in range(start, len(lines)):
        if pattern.search(lines[i]):
            return i + 1
    return None


def _parse(
    raw: dict,
    path: Path,
    rel: str,
    template: str,
    lines: list[str],
    problems: list[Problem],
) -> PackSpec:
    sections = []
    for s_no, s in enumerate(raw.get("sections", []), start=1):
        if not isinstance(s, dict) or not isinstance(s.get("title"), str):
            problems.append(Problem(rel, None, None, f"section {s_no}: needs a title"))
            continue
        blocks = s.get("blocks", [])
        _check_blocks(blocks, rel, lines, problems)
        sections.append(
            Section(
                s.get("id", f"s{s_no}"),
                s["title"],
                blocks,
                s.get("absent", []),
                bool(s.get("each_member", False)),
            )
        )
    if not sections:
        problems.append(Problem(rel, None, None, "no [[sections]]"))
    _check_literal_years(raw, rel, lines, problems)
    return PackSpec(
        template=template,
        title=str(raw.get("title", template)),
        subtitle=str(raw.get("subtitle", "")),
        description=str(raw.get("description", "")),
        sections=sections,
        path=path,
        rel=rel,
        targets=raw.get("targets"),
    )


def _check_blocks(
    blocks: list[dict[str, Any]], rel: str, lines: list[str], problems: list[Problem]
) -> None:
    from .pack.blocks import KEYS

    for b in _flatten(blocks):
        kind = b.get("type")
        if kind not in KEYS:
            line = _line_of(lines, f'"{kind}"') if kind else None
            known = ", ".join(sorted(KEYS))
            problems.append(
                Problem(rel, line, None, f"unknown block type {kind!r} (known: {known})")
            )
            continue
        if "year" in b and b["year"] != "latest":
            problems.append(
                Problem(
                    rel,
                    _line_of(lines, "year"),
                    None,
                    f"block {kind!r}: year = {b['year']!r}: a spec says what to show "
                    '(year = "latest", or every year when left out), never which year',
                )
            )
        unknown = set(b) - KEYS[kind]
        for key in sorted(unknown):
            problems.append(
                Problem(rel, _line_of(lines, key), None, f"block {kind!r}: unknown key {key!r}")
            )


# A year written into a spec (「名目GDP（2024年）」, ``where = { year = 2024 }``) turns false
# with the next year's data; quoted published text (「…報告書2025」) is allowed.
LITERAL_YEAR = re.compile(r"(?<![0-9])(1[89][0-9]{2}|20[0-9]{2})(?![0-9])")
QUOTED = re.compile(r"「[^」]*」")


def _check_literal_years(raw: Any, rel: str, lines: list[str], problems: list[Problem]) -> None:
    def walk(value: Any, key: str) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, k)
        elif isinstance(value, list):
            for v in value:
                walk(v, key)
        elif isinstance(value, str):
            match = LITERAL_YEAR.search(QUOTED.sub("", value))
            if match:
                problems.append(
                    Problem(
                        rel,
                        _line_containing(lines, value.split("\n")[0][:40]),
                        None,
                        f"literal year {match[0]} in {key!r}: write {{year}} (the latest year "
                        "shown) or {years} (first〜last), composed from the rows",
                    )
                )
        elif isinstance(value, int) and not isinstance(value, bool) and key == "year":
            problems.append(
                Problem(
                    rel,
                    _line_of(lines, str(value)),
                    None,
                    f'literal year {value} in a selection: use year = "latest" instead',
                )
            )

    walk(raw, "")


def _line_containing(lines: list[str], text: str) -> int | None:
    return next((i + 1 for i, line in enumerate(lines) if text in line), None)


def _check_names(
    spec: PackSpec, data: DataLayer, lines: list[str], problems: list[Problem]
) -> None:
    """Every dataset, column, prose file and absent-chart record a spec names must exist."""
    for section in spec.sections:
        for name in section.absent:
            if name not in data.absent:
                problems.append(
                    Problem(
                        spec.rel,
                        _line_of(lines, f'"{name}"'),
                        None,
                        f"unknown absent-chart record {name!r}",
                    )
                )
        for b in _flatten(section.blocks):
            for ref in _dataset_refs(b):
                _check_dataset_ref(spec, data, lines, ref, problems)
            for key in ("text",):
                if key in b:
                    path = b[key].partition("#")[0]
                    if "{target}" not in path and path not in data.texts:
                        problems.append(
                            Problem(
                                spec.rel,
                                _line_of(lines, f'"{b[key]}"'),
                                None,
                                f"unknown prose file {path!r}",
                            )
                        )


def _flatten(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Blocks with the blocks of every row, the row's ``where`` applied to its parts."""
    out = []
    for b in blocks:
        out.append(b)
        for part in b.get("blocks", []) if isinstance(b.get("blocks"), list) else []:
            if isinstance(part, dict):
                out.extend(_flatten([{"where": b.get("where"), **part}]))
    return out


def _dataset_refs(b: dict[str, Any]) -> list[dict[str, Any]]:
    refs = []
    if "dataset" in b:
        refs.append(b)
    for key in ("series", "items"):
        if isinstance(b.get(key), list):
            refs += [s for s in b[key] if isinstance(s, dict) and "dataset" in s]
    return refs


def _check_dataset_ref(
    spec: PackSpec, data: DataLayer, lines: list[str], ref: dict[str, Any], problems: list[Problem]
) -> None:
    name = ref["dataset"]
    dataset = data.datasets.get(name)
    if dataset is None:
        problems.append(
            Problem(spec.rel, _line_of(lines, f'"{name}"'), None, f"unknown dataset {name!r}")
        )
        return
    names = {c.name for c in dataset.columns}
    wanted = [ref[k] for k in COLUMN_KEYS if isinstance(ref.get(k), str)]
    for k in COLUMN_LIST_KEYS:
        if isinstance(ref.get(k), list):
            wanted += [c for c in ref[k] if isinstance(c, str)]
    wanted += list((ref.get("where") or {}).keys())
    for column in wanted:
        if column not in names:
            problems.append(
                Problem(
                    spec.rel,
                    _line_of(lines, f'"{column}"') or _line_of(lines, column),
                    None,
                    f"dataset {name!r} has no column {column!r} "
                    f"(columns: {', '.join(sorted(names))})",
                )
            )
