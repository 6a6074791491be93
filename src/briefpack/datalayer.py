"""Data layer: the files under DATA/ → validated places, datasets, texts and absent-chart records.

Every problem found is collected with its file, line and column before anything is raised,
so that one run of ``briefpack check`` lists them all.
"""

from __future__ import annotations

import csv
import io
import re
import tomllib
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from .errors import DataError, Problem

COLUMN_TYPES = ("place", "year", "int", "decimal", "text")
# Columns any dataset may carry without declaring them: a row's own 出所, the publication it
# was taken from (a key of publications.toml), and a note printed as 注.
OPTIONAL_COLUMNS = {
    "source": "出所",
    "publication": "掲載資料",
    "note": "注",
}
YEAR_RANGE = (1800, 2100)
AS_OF_PATTERN = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
INT_PATTERN = re.compile(r"^-?\d+$")
DECIMAL_PATTERN = re.compile(r"^-?\d+(\.\d+)?$")


def is_date_text(text: str) -> bool:
    """YYYY, YYYY-MM or YYYY-MM-DD naming a date that exists."""
    import datetime as dt

    if not AS_OF_PATTERN.match(text):
        return False
    parts = [int(p) for p in text.split("-")] + [1, 1]
    try:
        dt.date(parts[0], parts[1], parts[2])
    except ValueError:
        return False
    return YEAR_RANGE[0] <= parts[0] <= YEAR_RANGE[1]


@dataclass(frozen=True)
class Place:
    code: str
    kind: str  # "country" | "region"
    name: str
    formal_name: str
    members: tuple[str, ...]
    order: int

    @property
    def is_region(self) -> bool:
        return self.kind == "region"


@dataclass(frozen=True)
class Publication:
    key: str
    title: str
    publisher: str
    published: str  # YYYY-MM or YYYY-MM-DD


@dataclass(frozen=True)
class Note:
    """A dataset note (注); ``places`` limits it to packs that show those places."""

    text: str
    places: tuple[str, ...] = ()

    def applies_to(self, members: set[str]) -> bool:
        return not self.places or bool(members.intersection(self.places))


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    label: str
    unit: str | None = None
    required: bool = False


@dataclass(frozen=True)
class Row:
    values: dict[str, Any]
    line: int  # physical line in the CSV (header is line 1)

    def __getitem__(self, name: str) -> Any:
        return self.values.get(name)

    def get(self, name: str, default: Any = None) -> Any:
        value = self.values.get(name)
        return default if value is None else value


@dataclass
class Dataset:
    id: str
    title: str
    unit: str | None
    source: str | None
    source_note: str | None
    publication: Publication | None
    as_of: str
    notes: list[Note]
    key: list[str]
    columns: list[Column]
    rows: list[Row]
    csv_path: str  # as reached from the data folder
    meta_path: str
    meta: dict[str, Any] = field(default_factory=dict)

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)


@dataclass
class DataLayer:
    root: Path
    places: dict[str, Place]
    publications: dict[str, Publication]
    datasets: dict[str, Dataset]
    texts: dict[str, dict[str, Any]]  # "profiles/kg" → parsed TOML
    absent: dict[str, dict[str, Any]]
    warnings: list[Problem] = field(default_factory=list)  # not errors: printed by check

    def members(self, code: str) -> list[str]:
        place = self.places[code]
        return list(place.members) if place.is_region else [code]

    def countries(self) -> list[Place]:
        return sorted((p for p in self.places.values() if not p.is_region), key=lambda p: p.order)


# --------------------------------------------------------------------------- reading files


def _rel(root: Path, path: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def read_text(path: Path, rel: str, problems: list[Problem]) -> str | None:
    """A file's text as UTF-8; a problem naming the line of the first undecodable byte."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        problems.append(Problem(rel, None, None, f"cannot read file: {exc.strerror}"))
        return None
    if b"\x00" in raw:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        problems.append(Problem(rel, line, None, "binary data (NUL byte): not a text file"))
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = len(raw[: exc.start].rsplit(b"\n", 1)[-1]) + 1
        problems.append(
            Problem(rel, line, col, "not UTF-8 text (save the file as UTF-8, e.g. not Shift_JIS)")
        )
        return None
    return text.removeprefix("\ufeff")


_TOML_CACHE: dict[tuple[str, int, int], dict[str, Any]] = {}


def read_toml(path: Path, rel: str, problems: list[Problem]) -> dict[str, Any] | None:
    """Parsed TOML (parsed once per run for an unchanged file; callers must not modify it)."""
    try:
        stat = path.stat()
        key = (str(path), stat.st_size, stat.st_mtime_ns)
    except OSError:
        key = None
    if key in _TOML_CACHE:
        return _TOML_CACHE[key]
    doc = _parse_toml(path, rel, problems)
    if doc is not None and key is not None:
        _TOML_CACHE[key] = doc
    return doc


def _parse_toml(path: Path, rel: str, problems: list[Problem]) -> dict[str, Any] | None:
    text = read_text(path, rel, problems)
    if text is None:
        return None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        line, col = (int(match.group(1)), int(match.group(2))) if match else (None, None)
        problems.append(Problem(rel, line, col, f"invalid TOML: {message}"))
        return None


def read_csv(
    path: Path, rel: str, problems: list[Problem]
) -> tuple[list[str], list[tuple[int, list[str]]]] | None:
    """Header and rows (with the physical line each row starts on) of a CSV file."""
    text = read_text(path, rel, problems)
    if text is None:
        return None
    if not text.strip():
        problems.append(Problem(rel, 1, None, "empty file: expected a header line"))
        return None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[tuple[int, list[str]]] = []
    next_line = 1
    try:
        for record in reader:
            rows.append((next_line, record))
            next_line = reader.line_num + 1
    except csv.Error as exc:
        problems.append(Problem(rel, next_line, None, f"not valid CSV: {exc}"))
        return None
    header, body = rows[0][1], [(n, r) for n, r in rows[1:] if any(cell.strip() for cell in r)]
    return [h.strip() for h in header], body


# --------------------------------------------------------------------------- the layer


def load(root: Path) -> DataLayer:
    """Load and validate everything under ``root``; raise DataError listing every problem."""
    problems: list[Problem] = []
    if not root.is_dir():
        raise DataError([Problem(str(root), None, None, "data folder not found")])
    places = _load_places(root, problems)
    publications = _load_publications(root, problems)
    datasets = {}
    for meta_path in sorted((root / "datasets").glob("*.toml")):
        dataset = _load_dataset(root, meta_path, places, publications, problems)
        if dataset is not None:
            datasets[dataset.id] = dataset
    for csv_path in sorted((root / "datasets").glob("*.csv")):
        if not csv_path.with_suffix(".toml").exists():
            rel = _rel(root, csv_path)
            problems.append(Problem(rel, None, None, f"no metadata file {csv_path.stem}.toml"))
    texts = _load_texts(root, places, problems)
    absent = _load_absent(root, problems)
    if problems:
        raise DataError(problems)
    warnings = [w for d in datasets.values() for w in _as_of_warnings(d)]
    return DataLayer(root, places, publications, datasets, texts, absent, warnings)


def _as_of_warnings(dataset: Dataset) -> list[Problem]:
    """Metadata ``as_of`` older than the rows: packs print the rows' year, check says so."""
    year_col = next((c.name for c in dataset.columns if c.type == "year"), None)
    years = [r[year_col] for r in dataset.rows if year_col and r[year_col] is not None]
    found = []
    if year_col and re.search(r"(?<![0-9])(1[89][0-9]{2}|20[0-9]{2})(?![0-9])", dataset.title):
        found.append(
            Problem(
                dataset.meta_path,
                None,
                None,
                f"warning: title {dataset.title!r} names a year; the rows have a year column and "
                "packs compose the year of what they show",
            )
        )
    if not years or not dataset.as_of or int(dataset.as_of[:4]) >= max(years):
        return found
    return found + [
        Problem(
            dataset.meta_path,
            None,
            None,
            f"warning: as_of = {dataset.as_of!r} is older than the rows (latest year "
            f"{max(years)}); packs print the data time of the rows they show — update or "
            "remove as_of",
        )
    ]


def _load_places(root: Path, problems: list[Problem]) -> dict[str, Place]:
    path = root / "places.csv"
    rel = _rel(root, path)
    table = read_csv(path, rel, problems)
    if table is None:
        return {}
    header, body = table
    expected = ["code", "kind", "name", "formal_name", "members", "order"]
    if not _check_header(rel, header, expected, problems):
        return {}
    places: dict[str, Place] = {}
    for line, record in body:
        if len(record) != len(header):
            problems.append(_width_problem(rel, line, record, header))
            continue
        cells = dict(zip(header, (c.strip() for c in record), strict=True))
        code = cells["code"]
        if not re.fullmatch(r"[a-z][a-z0-9-]*", code):
            problems.append(Problem(rel, line, 1, f"column 'code': invalid code {code!r}"))
            continue
        if code in places:
            problems.append(Problem(rel, line, 1, f"column 'code': duplicate code {code!r}"))
            continue
        if cells["kind"] not in ("country", "region"):
            problems.append(
                Problem(rel, line, 2, f"column 'kind': {cells['kind']!r} is not country or region")
            )
            continue
        order = cells["order"]
        if not INT_PATTERN.match(order):
            problems.append(Problem(rel, line, 6, f"column 'order': {order!r} is not a number"))
            continue
        members = tuple(cells["members"].split())
        if len(set(members)) != len(members):
            problems.append(Problem(rel, line, 5, "column 'members': a member is listed twice"))
        if cells["kind"] == "region" and re.search(r"[0-9０-９]+カ国", cells["formal_name"]):
            problems.append(
                Problem(
                    rel,
                    line,
                    4,
                    "column 'formal_name': a region's count of members is composed from "
                    "'members' (「中央アジア5カ国」); leave formal_name empty",
                )
            )
        places[code] = Place(
            code, cells["kind"], cells["name"], cells["formal_name"], members, int(order)
        )
        if cells["kind"] == "region" and not members:
            problems.append(Problem(rel, line, 5, "column 'members': a region needs members"))
    for line, record in body:
        if len(record) == len(header):
            for member in record[4].split():
                if member not in places or places[member].is_region:
                    problems.append(
                        Problem(rel, line, 5, f"column 'members': unknown country {member!r}")
                    )
    return places


def _load_publications(root: Path, problems: list[Problem]) -> dict[str, Publication]:
    path = root / "publications.toml"
    rel = _rel(root, path)
    doc = read_toml(path, rel, problems)
    if doc is None:
        return {}
    publications = {}
    for key, entry in doc.items():
        if not isinstance(entry, dict) or not all(
            isinstance(entry.get(k), str) for k in ("title", "publisher", "published")
        ):
            problems.append(
                Problem(rel, None, None, f"[{key}]: needs title, publisher and published")
            )
            continue
        if not is_date_text(entry["published"]):
            problems.append(
                Problem(rel, None, None, f"[{key}]: published must be YYYY-MM or YYYY-MM-DD")
            )
            continue
        publications[key] = Publication(key, entry["title"], entry["publisher"], entry["published"])
    return publications


def _check_header(
    rel: str, header: list[str], expected: list[str], problems: list[Problem]
) -> bool:
    ok = True
    for i, name in enumerate(expected):
        if i >= len(header):
            problems.append(Problem(rel, 1, i + 1, f"missing column '{name}'"))
            ok = False
        elif header[i] != name:
            problems.append(
                Problem(rel, 1, i + 1, f"expected column '{name}', found '{header[i]}'")
            )
            ok = False
    for i in range(len(expected), len(header)):
        problems.append(Problem(rel, 1, i + 1, f"unexpected column '{header[i]}'"))
        ok = False
    return ok


def _header_columns(
    rel: str,
    header: list[str],
    declared: list[Column],
    publications: dict[str, Publication],
    problems: list[Problem],
) -> list[Column] | None:
    """The CSV's columns in header order: the declared ones, plus optional source/note/…"""
    by_name = {c.name: c for c in declared}
    columns: list[Column] = []
    ok = True
    for i, name in enumerate(header, start=1):
        if name in by_name:
            columns.append(by_name[name])
        elif name in OPTIONAL_COLUMNS:
            columns.append(Column(name, "text", OPTIONAL_COLUMNS[name]))
        else:
            expected = ", ".join([*by_name, *OPTIONAL_COLUMNS])
            problems.append(Problem(rel, 1, i, f"unexpected column '{name}' (columns: {expected})"))
            ok = False
        if header.count(name) > 1 and header.index(name) != i - 1:
            problems.append(Problem(rel, 1, i, f"column '{name}' appears twice"))
            ok = False
    for i, column in enumerate(declared, start=1):
        if column.name not in header:
            problems.append(
                Problem(rel, 1, min(i, len(header) + 1), f"missing column '{column.name}'")
            )
            ok = False
    return columns if ok else None


def _width_problem(rel: str, line: int, record: list[str], header: list[str]) -> Problem:
    col = min(len(record), len(header)) + 1
    return Problem(
        rel, line, col, f"expected {len(header)} fields (as in the header), found {len(record)}"
    )


def _load_dataset(
    root: Path,
    meta_path: Path,
    places: dict[str, Place],
    publications: dict[str, Publication],
    problems: list[Problem],
) -> Dataset | None:
    meta_rel = _rel(root, meta_path)
    meta = read_toml(meta_path, meta_rel, problems)
    csv_path = meta_path.with_suffix(".csv")
    csv_rel = _rel(root, csv_path)
    if meta is None:
        return None
    before = len(problems)
    columns = _meta_columns(meta, meta_rel, problems)
    title = _meta_str(meta, "title", meta_rel, problems)
    as_of = meta.get("as_of")  # optional: the rows' years give the data time
    if as_of is not None and not (isinstance(as_of, str) and is_date_text(as_of)):
        problems.append(Problem(meta_rel, None, None, "as_of must be YYYY, YYYY-MM or YYYY-MM-DD"))
    source = meta.get("source")
    source_note = meta.get("source_note")
    if not source and not source_note:
        problems.append(Problem(meta_rel, None, None, "needs 'source' or 'source_note'"))
    publication = None
    if "publication" in meta:
        publication = publications.get(meta["publication"])
        if publication is None:
            problems.append(
                Problem(meta_rel, None, None, f"unknown publication {meta['publication']!r}")
            )
    notes = _meta_notes(meta, meta_rel, places, problems)
    key = meta.get("key", [])
    names = [c.name for c in columns]
    for k in key:
        if k not in names:
            problems.append(Problem(meta_rel, None, None, f"key column {k!r} is not a column"))
    if len(problems) > before:
        return None
    if not csv_path.exists():
        problems.append(Problem(csv_rel, None, None, "data file missing"))
        return None
    table = read_csv(csv_path, csv_rel, problems)
    if table is None:
        return None
    header, body = table
    columns = _header_columns(csv_rel, header, columns, publications, problems)
    if columns is None:
        return None
    columns = [
        Column(c.name, c.type, c.label, c.unit, c.required or c.name in key) for c in columns
    ]
    rows = _typed_rows(csv_rel, columns, body, places, problems)
    _check_unique(csv_rel, key, rows, problems)
    names_in_order = [c.name for c in columns]
    if "publication" in names_in_order:
        col_no = names_in_order.index("publication") + 1
        for row in rows:
            if row["publication"] and row["publication"] not in publications:
                known = ", ".join(sorted(publications))
                problems.append(
                    Problem(
                        csv_rel,
                        row.line,
                        col_no,
                        f"column 'publication': unknown publication {row['publication']!r} "
                        f"(publications.toml has: {known})",
                    )
                )
    _check_differences(csv_rel, meta, columns, rows, meta_rel, problems)
    return Dataset(
        id=meta_path.stem,
        title=title or "",
        unit=meta.get("unit"),
        source=source,
        source_note=source_note,
        publication=publication,
        as_of=as_of or "",
        notes=notes,
        key=key,
        columns=columns,
        rows=rows,
        csv_path=csv_rel,
        meta_path=meta_rel,
        meta=meta,
    )


def _meta_notes(
    meta: dict, rel: str, places: dict[str, Place], problems: list[Problem]
) -> list[Note]:
    """``notes``: strings, or tables ``{ text = "…", places = ["tm"] }`` for one place's note."""
    notes = []
    raw = meta.get("notes", [])
    if not isinstance(raw, list):
        problems.append(Problem(rel, None, None, "'notes' must be a list"))
        return []
    for i, entry in enumerate(raw):
        if isinstance(entry, str):
            notes.append(Note(entry))
        elif isinstance(entry, dict) and isinstance(entry.get("text"), str):
            codes = entry.get("places", [])
            unknown = [c for c in codes if c not in places]
            if unknown or not isinstance(codes, list):
                problems.append(Problem(rel, None, None, f"notes[{i}]: unknown places {unknown}"))
                continue
            notes.append(Note(entry["text"], tuple(codes)))
        else:
            problems.append(Problem(rel, None, None, f"notes[{i}]: a string or {{ text, places }}"))
    for key in ("remarks",):
        value = meta.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            problems.append(Problem(rel, None, None, f"'{key}' must be a list of strings"))
    return notes


def _meta_str(meta: dict, name: str, rel: str, problems: list[Problem]) -> str | None:
    value = meta.get(name)
    if not isinstance(value, str) or not value:
        problems.append(Problem(rel, None, None, f"'{name}' is required (a string)"))
        return None
    return value


def _meta_columns(meta: dict, rel: str, problems: list[Problem]) -> list[Column]:
    spec = meta.get("columns")
    if not isinstance(spec, dict) or not spec:
        problems.append(Problem(rel, None, None, "'columns' is required: one table per column"))
        return []
    columns = []
    for name, col in spec.items():
        if not isinstance(col, dict):
            problems.append(Problem(rel, None, None, f"[columns.{name}] must be a table"))
            continue
        ctype = col.get("type", "text")
        if ctype not in COLUMN_TYPES:
            problems.append(
                Problem(
                    rel,
                    None,
                    None,
                    f"[columns.{name}] type {ctype!r} is not one of {', '.join(COLUMN_TYPES)}",
                )
            )
            continue
        columns.append(
            Column(
                name,
                ctype,
                str(col.get("label", name)),
                col.get("unit"),
                bool(col.get("required", False)),
            )
        )
    return columns


def parse_cell(text: str, column: Column, places: dict[str, Place]) -> tuple[Any, str | None]:
    """A cell's typed value, or an error message naming what is wrong with it."""
    text = text.strip()
    if text == "":
        return None, (f"column '{column.name}': value required" if column.required else None)
    if column.type == "text":
        return text, None
    if column.type == "place":
        if text not in places:
            known = " ".join(sorted(places))
            return None, f"column '{column.name}': unknown place code {text!r} (known: {known})"
        return text, None
    if column.type in ("int", "year"):
        if not INT_PATTERN.match(text):
            return None, f"column '{column.name}': {text!r} is not a whole number"
        value = int(text)
        if column.type == "year" and not YEAR_RANGE[0] <= value <= YEAR_RANGE[1]:
            return None, (
                f"column '{column.name}': year {value} is out of range "
                f"{YEAR_RANGE[0]}–{YEAR_RANGE[1]}"
            )
        return value, None
    if not DECIMAL_PATTERN.match(text):
        return None, f"column '{column.name}': {text!r} is not a number"
    try:
        return Decimal(text), None
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid decimals
        return None, f"column '{column.name}': {text!r} is not a number"


def _typed_rows(
    rel: str,
    columns: list[Column],
    body: list[tuple[int, list[str]]],
    places: dict[str, Place],
    problems: list[Problem],
) -> list[Row]:
    rows = []
    for line, record in body:
        if len(record) != len(columns):
            problems.append(_width_problem(rel, line, record, [c.name for c in columns]))
            continue
        values = {}
        ok = True
        for col_no, (column, cell) in enumerate(zip(columns, record, strict=True), start=1):
            value, error = parse_cell(cell, column, places)
            if error:
                problems.append(Problem(rel, line, col_no, error))
                ok = False
            values[column.name] = value
        if ok:
            rows.append(Row(values, line))
    return rows


def _check_unique(rel: str, key: list[str], rows: list[Row], problems: list[Problem]) -> None:
    if not key:
        return
    seen: dict[tuple, int] = {}
    for row in rows:
        k = tuple(row[c] for c in key)
        if k in seen:
            shown = ", ".join(f"{c}={row[c]}" for c in key)
            problems.append(
                Problem(rel, row.line, None, f"duplicate key ({shown}); first on line {seen[k]}")
            )
        else:
            seen[k] = row.line


def _check_differences(
    rel: str, meta: dict, columns: list[Column], rows: list[Row], meta_rel: str, problems: list
) -> None:
    """Published derived figures (a balance) agree with their parts within ``tolerance``."""
    names = [c.name for c in columns]
    for check in meta.get("checks", []):
        result, left, right = check.get("result"), check.get("minuend"), check.get("subtrahend")
        if not all(c in names for c in (result, left, right)):
            problems.append(Problem(meta_rel, None, None, f"check names unknown columns: {check}"))
            continue
        tolerance = Decimal(str(check.get("tolerance", 1)))
        col_no = names.index(result) + 1
        for row in rows:
            if None in (row[result], row[left], row[right]):
                continue
            gap = abs(Decimal(row[result]) - (Decimal(row[left]) - Decimal(row[right])))
            if gap > tolerance:
                problems.append(
                    Problem(
                        rel,
                        row.line,
                        col_no,
                        f"column '{result}': {row[result]} differs from {left} − {right} = "
                        f"{row[left] - row[right]} by {gap} (more than rounding)",
                    )
                )


def _load_texts(
    root: Path, places: dict[str, Place], problems: list[Problem]
) -> dict[str, dict[str, Any]]:
    texts = {}
    for path in sorted((root / "texts").rglob("*.toml")):
        rel = _rel(root, path)
        doc = read_toml(path, rel, problems)
        if doc is None:
            continue
        _check_text_values(rel, doc, "", problems)
        key = str(path.relative_to(root / "texts").with_suffix(""))
        texts[key.replace("\\", "/")] = doc
    return texts


def _check_text_values(rel: str, value: Any, where: str, problems: list[Problem]) -> None:
    """Prose files hold strings, lists of strings and tables of those (no numbers to typeset)."""
    if isinstance(value, dict):
        for k, v in value.items():
            _check_text_values(rel, v, f"{where}.{k}" if where else k, problems)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _check_text_values(rel, v, f"{where}[{i}]", problems)
    elif not isinstance(value, str | int | bool):
        problems.append(Problem(rel, None, None, f"'{where}': expected text"))


def _load_absent(root: Path, problems: list[Problem]) -> dict[str, dict[str, Any]]:
    path = root / "absent.toml"
    if not path.exists():
        return {}
    doc = read_toml(path, _rel(root, path), problems)
    return doc or {}
