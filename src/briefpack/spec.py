"""Pack specs: DATA/packs/TEMPLATE.toml → a checked list of sections and blocks.

A spec names datasets, columns and prose files; every name is checked against the data
layer, and a problem is reported at the line of the spec where the name is written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .datalayer import DataLayer, read_toml_file
from .errors import DataError, Problem

if TYPE_CHECKING:
    from .schema import Located

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
    # [if_missing]: the title and subtitle of a pack that has none of these sections
    if_missing: dict[str, Any] | None = None

    def title_for(self, place: Any) -> str:
        return _fill(self.title, place)

    def subtitle_for(self, place: Any) -> str:
        return _fill(self.subtitle, place)


def _fill(text: str, place: Any) -> str:
    return text.replace("{name}", place.name).replace("{formal_name}", place.formal_name)


def available_templates(data_root: Path) -> list[str]:
    return sorted(p.stem for p in (data_root / "packs").glob("*.toml"))


def load_spec(data: DataLayer, template: str) -> PackSpec:
    """Read and check a pack spec: its schema (:class:`~briefpack.schema.SpecDoc`: block
    types, keys, types), no literal years, and every name it uses against the data."""
    from .schema import Located, SpecDoc

    path = data.root / "packs" / f"{template}.toml"
    rel = f"packs/{template}.toml"
    problems: list[Problem] = []
    parsed = read_toml_file(path, rel, problems)
    if parsed is None:
        raise DataError(problems)
    raw = parsed.doc
    located = Located(rel, parsed.text)
    doc = located.check(raw, SpecDoc, problems)
    _check_literal_years(raw, located, problems)
    if doc is None:
        raise DataError(problems)
    lines = parsed.text.splitlines()
    spec = _parse(raw, path, rel, template, lines, problems)
    _check_names(spec, raw, data, located, problems)
    if problems:
        raise DataError(list(dict.fromkeys(problems)))  # a shared key is reported once
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
    """The spec as sections of block dicts (the schema has checked every key and type)."""
    sections = [
        Section(
            s.get("id", f"s{s_no}"),
            s["title"],
            s.get("blocks", []),
            s.get("absent", []),
            bool(s.get("each_member", False)),
        )
        for s_no, s in enumerate(raw["sections"], start=1)
    ]
    return PackSpec(
        template=template,
        title=str(raw.get("title", template)),
        subtitle=str(raw.get("subtitle", "")),
        description=str(raw.get("description", "")),
        sections=sections,
        path=path,
        rel=rel,
        targets=raw.get("targets"),
        if_missing=_if_missing(raw, sections, rel, lines, problems),
    )


def _if_missing(
    raw: dict, sections: list[Section], rel: str, lines: list[str], problems: list[Problem]
) -> dict[str, Any] | None:
    """``[if_missing]``: ``sections`` (ids) and the ``title``/``subtitle`` a pack without any
    of them takes (a relations pack with no bilateral history, visits or co-operation)."""
    table = raw.get("if_missing")
    if table is None:
        return None
    line = _line_of(lines, "[if_missing]") or _line_containing(lines, "[if_missing]")
    ids = {s.id for s in sections}
    wanted = table.get("sections") if isinstance(table, dict) else None
    if not isinstance(wanted, list) or not isinstance(table.get("title"), str):
        problems.append(Problem(rel, line, None, "[if_missing] needs sections = [ids] and a title"))
        return None
    for name in wanted:
        if name not in ids:
            problems.append(Problem(rel, line, None, f"[if_missing]: no section {name!r}"))
    return {
        "sections": list(wanted),
        "title": table["title"],
        "subtitle": str(table.get("subtitle", raw.get("subtitle", ""))),
    }


# A year written into a spec (「名目GDP（2024年）」, ``where = { year = 2024 }``) turns false
# with the next year's data; quoted published text (「…報告書2025」) is allowed.
LITERAL_YEAR = re.compile(r"(?<![0-9])(1[89][0-9]{2}|20[0-9]{2})(?![0-9])")
QUOTED = re.compile(r"「[^」]*」")


def _check_literal_years(raw: Any, located: Located, problems: list[Problem]) -> None:
    """A year written into a spec, at the line of the value (quoted published text allowed)."""
    stack: list[tuple[Any, tuple, str]] = [(raw, (), "")]
    while stack:
        value, path, key = stack.pop()
        if isinstance(value, dict):
            stack.extend((v, (*path, k), k) for k, v in reversed(value.items()))
        elif isinstance(value, list):
            stack.extend((v, (*path, i), key) for i, v in reversed(list(enumerate(value))))
        elif isinstance(value, str):
            match = LITERAL_YEAR.search(QUOTED.sub("", value))
            if match:
                problems.append(
                    _at_line(
                        located,
                        path,
                        f"literal year {match[0]} in {key!r}: write {{year}} (the latest year "
                        "shown) or {years} (first〜last), composed from the rows",
                    )
                )
        elif isinstance(value, int) and not isinstance(value, bool) and key == "year":
            problems.append(
                _at_line(
                    located,
                    path,
                    f'literal year {value} in a selection: use year = "latest" instead',
                )
            )


def _at_line(located: Located, path: tuple, message: str) -> Problem:
    """A problem at the line of ``path`` (literal years are reported by line, as ever)."""
    problem = located.at(path, message)
    return Problem(problem.path, problem.line, None, message)


def _line_containing(lines: list[str], text: str) -> int | None:
    return next((i + 1 for i, line in enumerate(lines) if text in line), None)


def _check_names(
    spec: PackSpec, raw: dict, data: DataLayer, located: Located, problems: list[Problem]
) -> None:
    """Every dataset, column, prose file, absent-chart record and target a spec names must
    exist, and be of the kind the block needs (numbers to draw, a year to sort by)."""
    from .schema import known_name

    for i, code in enumerate(spec.targets or []):
        if code not in data.places:
            problems.append(located.at(("targets", i), known_name(code, data.places, "target")))
    for s_no, section in enumerate(raw["sections"]):
        for a_no, name in enumerate(section.get("absent", [])):
            if name not in data.absent:
                message = known_name(name, data.absent, "absent-chart record", listed=False)
                problems.append(located.at(("sections", s_no, "absent", a_no), message))
        for path, b in _blocks(section.get("blocks", []), ("sections", s_no, "blocks")):
            _check_block(path, b, data, located, problems)


def _blocks(blocks: list[dict[str, Any]], base: tuple) -> list[tuple[tuple, dict[str, Any]]]:
    """Every block with its key path; a row's parts with the row's ``where`` applied."""
    out = []
    for i, b in enumerate(blocks):
        path = (*base, i)
        out.append((path, b))
        if b.get("type") == "row":
            parts = [{"where": b["where"], **p} if "where" in b else p for p in b["blocks"]]
            out.extend(_blocks(parts, (*path, "blocks")))
    return out


def _check_block(
    path: tuple, b: dict[str, Any], data: DataLayer, located: Located, problems: list[Problem]
) -> None:
    from .schema import known_name

    kind = b["type"]
    refs = _dataset_refs(path, b)
    for part_path, part in [(path, b), *((p, r) for p, r in refs if p != path)]:
        if "year" in part and part["year"] != "latest":
            problems.append(
                located.at(
                    (*part_path, "year"),
                    f"block {kind!r}: year = {part['year']!r}: a spec says what to show "
                    '(year = "latest", or every year when left out), never which year',
                )
            )
    if kind == "column" and not re.fullmatch(r"columns/[^#]+", b["text"]):
        problems.append(
            located.at(
                (*path, "text"),
                f'a column block shows a コラム: text = "columns/NAME" (a file in texts/columns), '
                f"not {b['text']!r}",
            )
        )
    elif "text" in b:
        name = b["text"].partition("#")[0]
        if "{target}" not in name and name not in data.texts:
            message = known_name(name, data.texts, "prose file", listed=False)
            problems.append(located.at((*path, "text"), message))
    for ref_path, ref in refs:
        _check_dataset_ref(ref_path, ref, data, located, problems)


def _dataset_refs(path: tuple, b: dict[str, Any]) -> list[tuple[tuple, dict[str, Any]]]:
    """The parts of a block that name a dataset: the block, its series or items."""
    refs = []
    if "dataset" in b:
        refs.append((path, b))
    for key in ("series", "items"):
        if isinstance(b.get(key), list):
            for i, s in enumerate(b[key]):
                if isinstance(s, dict) and "dataset" in s:
                    inherited = {k: b[k] for k in ("where", "by") if k in b and k not in s}
                    refs.append(((*path, key, i), {**s, **inherited, "type": b["type"]}))
    return refs


NUMERIC = ("int", "decimal")
# Columns a block type reads by name (tables.py, comment.py): they must exist in its dataset.
NEEDS = {
    "timeline": ("label", "text", "year", "order"),
    "ranking_table": ("country", "index", "rank"),
}
INDEX_COLUMNS = ("index", "name", "year", "universe_label", "source")
SERIES_KINDS = ("trend", "balance", "share_over_years")  # comment.py: country and year


def _check_dataset_ref(
    path: tuple, ref: dict[str, Any], data: DataLayer, located: Located, problems: list[Problem]
) -> None:
    from .schema import known_name

    name = ref["dataset"]
    dataset = data.datasets.get(name)
    if dataset is None:
        problems.append(located.at((*path, "dataset"), known_name(name, data.datasets, "dataset")))
        return
    columns = {c.name: c for c in dataset.columns}
    listing = ", ".join(sorted(columns))
    reported: set[str] = set()

    def missing(key_path: tuple, column: str) -> bool:
        if column in columns:
            return False
        if column in reported:
            return True
        reported.add(column)
        problems.append(
            located.at(
                key_path,
                f"dataset {name!r} has no column {column!r} (columns: {listing})",
            )
        )
        return True

    def need(
        key_path: tuple,
        column: str,
        numeric: bool = False,
        filled: bool = False,
        names: bool = False,
    ) -> None:
        if missing(key_path, column):
            return
        col = columns[column]
        if numeric and col.type not in NUMERIC:
            problems.append(
                located.at(
                    key_path,
                    f"column {column!r} of dataset {name!r} is {col.type}: this needs numbers "
                    "(int or decimal)",
                )
            )
        if names and col.type not in ("place", "text"):
            problems.append(
                located.at(
                    key_path,
                    f"column {column!r} of dataset {name!r} is {col.type}: this needs names "
                    "(a place or text column)",
                )
            )
        if filled and not (col.required or column in dataset.key):
            problems.append(
                located.at(
                    key_path,
                    f"column {column!r} of dataset {name!r} may be empty: this needs a value in "
                    "every row (required = true, or part of key)",
                )
            )

    kind = ref["type"]
    if kind == "series_table" and ref.get("by"):
        need((*path[:-2], "by"), ref["by"], names=True)
    for key in COLUMN_KEYS:
        if isinstance(ref.get(key), str):
            missing((*path, key), ref[key])
    for key in COLUMN_LIST_KEYS:
        for i, column in enumerate(ref.get(key) or []):
            missing((*path, key, i), column)
    for column in (ref.get("where") or {}).keys():
        missing((*path, "where", column), column)
    if kind == "chart":
        chart = ref.get("kind", "line")
        if chart in ("line", "balance"):
            need((*path, "x"), ref.get("x", "year"), filled=True)
        if chart == "balance":
            for i, column in enumerate(ref.get("bars") or []):
                need((*path, "bars", i), column, numeric=True)
            need((*path, "line"), ref.get("line", ""), numeric=True)
        else:
            need((*path, "y"), ref.get("y", "value"), numeric=True)
        if chart in ("bar", "barh"):
            need((*path, "category"), ref.get("category", "country"))
        if chart == "line" and ref.get("series"):
            need((*path, "series"), ref["series"], names=True)
    elif kind == "commentary":
        need((*path, "value"), ref["value"], numeric=True)
        if ref.get("kind") in SERIES_KINDS:
            need((*path, "dataset"), "country")
            need((*path, "dataset"), "year", filled=True)
    elif kind == "keyfigures":
        need((*path, "column"), ref.get("column", "value"))
    elif kind == "table" and ref.get("widths") and not ref.get("columns"):
        shown = [c for c in columns if c not in ("note", "source", "publication")]
        if len(ref["widths"]) != len(shown):
            problems.append(
                located.at(
                    (*path, "widths"),
                    f"{len(ref['widths'])} widths for the {len(shown)} columns of dataset "
                    f"{name!r}: one per column",
                )
            )
    elif kind in NEEDS:
        for column in NEEDS[kind]:
            need((*path, "dataset"), column, filled=column in ("year", "order"))
    if kind == "ranking_table":
        indices = data.datasets.get(ref.get("indices", ""))
        if indices is None:
            problems.append(
                located.at((*path, "indices"), known_name(ref["indices"], data.datasets, "dataset"))
            )
        else:
            have = {c.name for c in indices.columns}
            for column in INDEX_COLUMNS:
                if column not in have:
                    problems.append(
                        located.at(
                            (*path, "indices"),
                            f"dataset {ref['indices']!r} has no column {column!r} "
                            f"(columns: {', '.join(sorted(have))})",
                        )
                    )
