"""Data layer: the files under DATA/ → validated places, datasets, texts and absent-chart records.

Every problem found is collected with its file, line and column before anything is raised,
so that one run of ``briefpack check`` lists them all.
"""

from __future__ import annotations

import csv
import io
import re
import tomllib
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from .errors import DataError, Problem

COLUMN_TYPES = ("place", "year", "int", "decimal", "text")
MAX_CSV_BYTES = 100_000_000
# Columns any dataset may carry without declaring them: a row's own 出所, the publication it
# was taken from (a key of publications.toml), and a note printed as 注.
OPTIONAL_COLUMNS = {
    "source": "出所",
    "publication": "掲載資料",
    "note": "注",
}
YEAR_RANGE = (1800, 2100)
INT_PATTERN = re.compile(r"^-?\d+$")
DECIMAL_PATTERN = re.compile(r"^-?\d+(\.\d+)?$")


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
    """A dataset note (注); ``places`` limits it to packs that show those places, ``years``
    to the tables and charts that show a row of those years."""

    text: str
    places: tuple[str, ...] = ()
    years: tuple[int, ...] = ()

    def applies_to(self, members: set[str], years: set[int] | None = None) -> bool:
        if self.places and not members.intersection(self.places):
            return False
        return not self.years or years is None or bool(years.intersection(self.years))


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    label: str
    unit: str | None = None
    required: bool = False
    decimals: int | None = None  # declared: every value printed with this many decimals
    scale: str | None = None  # declared: values printed at this magnitude (「億」: 億ドル)


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
    # Derived while packs are planned, once per row however many packs read it.
    row_texts: dict[int, tuple[str, str]] = field(default_factory=dict, repr=False, compare=False)
    _by_name: dict[str, Column] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )  # columns by name, filled on first use

    def column(self, name: str) -> Column | None:
        if not self._by_name:  # first use: the columns are set once, when the data is loaded
            self._by_name.update((c.name, c) for c in reversed(self.columns))  # first wins
        return self._by_name.get(name)


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


def read_text(
    path: Path, rel: str, problems: list[Problem], limit: int | None = None
) -> str | None:
    """A file's text as UTF-8; a problem naming the line of the first undecodable byte."""
    try:
        if limit is not None and path.stat().st_size > limit:
            message = f"file larger than {limit:,} bytes: not a data file"
            problems.append(Problem(rel, 1, 1, message))
            return None
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


@dataclass(frozen=True)
class TomlFile:
    """A parsed TOML file with its text (to locate problems by key path)."""

    doc: dict[str, Any]
    text: str


_TOML_CACHE: dict[tuple[str, int, int], TomlFile] = {}


def read_toml(path: Path, rel: str, problems: list[Problem]) -> dict[str, Any] | None:
    """Parsed TOML (parsed once per run for an unchanged file; callers must not modify it)."""
    parsed = read_toml_file(path, rel, problems)
    return parsed.doc if parsed else None


def read_toml_file(path: Path, rel: str, problems: list[Problem]) -> TomlFile | None:
    """Parsed TOML and its text; size and nesting are checked before ``tomllib`` runs."""
    try:
        stat = path.stat()
        key = (str(path), stat.st_size, stat.st_mtime_ns)
    except OSError:
        key = None
    if key in _TOML_CACHE:
        return _TOML_CACHE[key]
    parsed = _parse_toml(path, rel, problems)
    if parsed is not None and key is not None:
        _TOML_CACHE[key] = parsed
    return parsed


def _parse_toml(path: Path, rel: str, problems: list[Problem]) -> TomlFile | None:
    from .tomlpos import MAX_TOML_BYTES, check_limits

    text = read_text(path, rel, problems, limit=MAX_TOML_BYTES)
    if text is None:
        return None
    limits = check_limits(text)
    if limits is not None:
        problems.append(Problem(rel, *limits))
        return None
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        line, col = (int(match.group(1)), int(match.group(2))) if match else (None, None)
        problems.append(Problem(rel, line, col, f"invalid TOML: {message}"))
        return None
    except RecursionError:  # pragma: no cover - check_limits refuses such nesting first
        problems.append(Problem(rel, 1, 1, "nested too deeply to read"))
        return None
    from .schema import Located, too_deep

    deep = too_deep(doc)
    if deep is not None:
        problems.append(
            Located(rel, text).at(deep, "keys nested too deeply (dotted keys or [a.b.c…] headers)")
        )
        return None
    return TomlFile(doc, text)


def read_csv(
    path: Path, rel: str, problems: list[Problem]
) -> tuple[list[str], list[tuple[int, list[str]]]] | None:
    """Header and rows (with the physical line each row starts on) of a CSV file."""
    text = read_text(path, rel, problems, limit=MAX_CSV_BYTES)
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
    publications, publication_keys = _load_publications(root, problems)
    refs = _References(
        places=set(places),
        publications=publication_keys,
        datasets={p.stem for p in (root / "datasets").glob("*.toml")},
    )
    datasets = {}
    for meta_path in sorted((root / "datasets").glob("*.toml")):
        dataset = _load_dataset(root, meta_path, places, publications, refs, problems)
        if dataset is not None:
            datasets[dataset.id] = dataset
    for csv_path in sorted((root / "datasets").glob("*.csv")):
        if not csv_path.with_suffix(".toml").exists():
            rel = _rel(root, csv_path)
            problems.append(Problem(rel, None, None, f"no metadata file {csv_path.stem}.toml"))
    texts = _load_texts(root, refs, problems)
    absent = _load_absent(root, refs, problems)
    if problems:
        raise DataError(problems)
    warnings = [w for d in datasets.values() for w in _as_of_warnings(d)]
    return DataLayer(root, places, publications, datasets, texts, absent, warnings)


@dataclass
class _References:
    """The names other files may refer to (every one written, valid or not: no cascades)."""

    places: set[str]
    publications: set[str]
    datasets: set[str]

    def check(self, located: Any, path: tuple, kind: str, name: Any, problems: list) -> None:
        """A problem at ``path`` unless ``name`` is a known place, publication or dataset."""
        from .schema import known_name

        names = {"place": self.places, "publication": self.publications, "dataset": self.datasets}[
            kind
        ]
        if name not in names:
            problems.append(located.at(path, known_name(name, names, kind)))


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
    """places.csv, each row checked against :class:`~briefpack.schema.PlaceRow`."""
    from .schema import PlaceRow, validate

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
        row, issues = validate(cells, PlaceRow, strict=False)
        for issue in issues:
            name = issue.path[0] if issue.path else "code"
            col = header.index(name) + 1 if name in header else None
            problems.append(Problem(rel, line, col, f"column '{name}': {issue.message}"))
        if row is None:
            continue
        if row.code in places:
            problems.append(Problem(rel, line, 1, f"column 'code': duplicate code {row.code!r}"))
            continue
        members = tuple(row.members.split())
        if len(set(members)) != len(members):
            problems.append(Problem(rel, line, 5, "column 'members': a member is listed twice"))
        if row.kind == "region" and re.search(r"[0-9０-９]+カ国", row.formal_name):
            problems.append(
                Problem(
                    rel,
                    line,
                    4,
                    "column 'formal_name': a region's count of members is composed from "
                    "'members' (「中央アジア5カ国」); leave formal_name empty",
                )
            )
        if row.kind == "country" and members:
            problems.append(Problem(rel, line, 5, "column 'members': only a region has members"))
        places[row.code] = Place(row.code, row.kind, row.name, row.formal_name, members, row.order)
        if row.kind == "region" and not members:
            problems.append(Problem(rel, line, 5, "column 'members': a region needs members"))
    for line, record in body:
        if len(record) == len(header) and record[1].strip() == "region":
            for member in record[4].split():
                if member not in places or places[member].is_region:
                    problems.append(
                        Problem(rel, line, 5, f"column 'members': unknown country {member!r}")
                    )
    return places


def _load_publications(
    root: Path, problems: list[Problem]
) -> tuple[dict[str, Publication], set[str]]:
    """publications.toml: the valid publications, and every key written (for references)."""
    from .schema import Located, PublicationDoc

    path = root / "publications.toml"
    rel = _rel(root, path)
    parsed = read_toml_file(path, rel, problems)
    if parsed is None:
        return {}, set()
    located = Located(rel, parsed.text)
    publications = {}
    for key, entry in parsed.doc.items():
        doc = located.check(entry, PublicationDoc, problems, (key,))
        if doc is not None:
            publications[key] = Publication(key, doc.title, doc.publisher, doc.published)
    return publications, set(parsed.doc)


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
    refs: _References,
    problems: list[Problem],
) -> Dataset | None:
    """datasets/NAME.toml against :class:`~briefpack.schema.DatasetDoc`, then its CSV."""
    from .schema import DatasetDoc, Located

    meta_rel = _rel(root, meta_path)
    parsed = read_toml_file(meta_path, meta_rel, problems)
    csv_path = meta_path.with_suffix(".csv")
    csv_rel = _rel(root, csv_path)
    if parsed is None:
        return None
    meta = parsed.doc
    located = Located(meta_rel, parsed.text)
    before = len(problems)
    doc = located.check(meta, DatasetDoc, problems)
    if doc is None:
        return None
    if doc.publication is not None:
        refs.check(located, ("publication",), "publication", doc.publication, problems)
    if doc.place is not None:
        refs.check(located, ("place",), "place", doc.place, problems)
    notes = []
    for i, note in enumerate(doc.notes):
        if isinstance(note, str):
            notes.append(Note(note))
            continue
        for j, code in enumerate(note.places):
            refs.check(located, ("notes", i, "places", j), "place", code, problems)
        notes.append(Note(note.text, tuple(note.places), tuple(note.years)))
    columns = _meta_columns(meta, doc, located, problems)
    if len(problems) > before:
        return None
    key = list(doc.key)
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
    columns = [replace(c, required=c.required or c.name in key) for c in columns]
    rows = _typed_rows(csv_rel, columns, body, places, problems)
    _check_unique(csv_rel, key, rows, problems)
    names_in_order = [c.name for c in columns]
    if "publication" in names_in_order:
        col_no = names_in_order.index("publication") + 1
        for row in rows:
            if row["publication"] and row["publication"] not in refs.publications:
                known = ", ".join(sorted(refs.publications))
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
        title=doc.title,
        unit=doc.unit,
        source=doc.source,
        source_note=doc.source_note,
        publication=publications.get(doc.publication) if doc.publication else None,
        as_of=doc.as_of or "",
        notes=notes,
        key=key,
        columns=columns,
        rows=rows,
        csv_path=csv_rel,
        meta_path=meta_rel,
        meta=meta,
    )


def _meta_columns(meta: dict, doc: Any, located: Any, problems: list[Problem]) -> list[Column]:
    """The declared columns, in the order of the metadata (types checked by the schema)."""
    columns = []
    for name, col in doc.columns.items():
        found: list[Problem] = []
        decimals, scale = _number_format(meta, name, meta["columns"][name], col.type, "", found)
        for problem in found:  # located at the key they concern
            key = next((k for k in ("decimals", "scale") if f"] {k}" in problem.message), None)
            path = ("columns", name, key) if key else ("columns", name)
            problems.append(located.at(path, problem.message))
        columns.append(Column(name, col.type, col.label, col.unit, col.required, decimals, scale))
    return columns


def _number_format(
    meta: dict, name: str, col: dict, ctype: str, rel: str, problems: list[Problem]
) -> tuple[int | None, str | None]:
    """A column's declared number format: ``decimals = N`` and ``scale = "億"`` (optional)."""
    from .formatting import MAGNITUDES, unit_parts

    decimals, scale = col.get("decimals"), col.get("scale")
    if decimals is None and scale is None:
        return None, None
    where = f"[columns.{name}]"
    if ctype not in ("int", "decimal"):
        problems.append(Problem(rel, None, None, f"{where} decimals/scale: only for numbers"))
        return None, None
    if decimals is not None and (
        isinstance(decimals, bool) or not isinstance(decimals, int) or not 0 <= decimals <= 6
    ):
        problems.append(Problem(rel, None, None, f"{where} decimals: a whole number 0〜6"))
        decimals = None
    if scale is not None:
        unit = col.get("unit") or meta.get("unit")
        ok = isinstance(scale, str) and scale != "" and unit_parts(scale)[1] == ""
        if not ok:
            known = "、".join(MAGNITUDES)
            problems.append(
                Problem(rel, None, None, f"{where} scale {scale!r}: a magnitude such as {known}")
            )
            scale = None
        elif not isinstance(unit, str) or not unit_parts(unit)[1]:
            problems.append(Problem(rel, None, None, f"{where} scale needs a unit (「1,000ドル」)"))
            scale = None
        elif decimals is None:
            decimals = 1  # a scaled value is rounded: one decimal unless declared
    return decimals, scale


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
    root: Path, refs: _References, problems: list[Problem]
) -> dict[str, dict[str, Any]]:
    """texts/**/*.toml: profiles and コラム against their schemas, other prose as text."""
    from .schema import ColumnTextDoc, Located, ProfileDoc, check_prose

    texts = {}
    for path in sorted((root / "texts").rglob("*.toml")):
        rel = _rel(root, path)
        parsed = read_toml_file(path, rel, problems)
        if parsed is None:
            continue
        located = Located(rel, parsed.text)
        key = str(path.relative_to(root / "texts").with_suffix("")).replace("\\", "/")
        folder = key.partition("/")[0] if "/" in key else ""
        schema = {"profiles": ProfileDoc, "columns": ColumnTextDoc}.get(folder)
        before = len(problems)
        if schema is not None:
            located.check(parsed.doc, schema, problems)
        else:
            check_prose(located, parsed.doc, problems)
        if len(problems) == before:
            _check_text_references(located, parsed.doc, refs, problems)
        texts[key] = parsed.doc
    return texts


def _check_text_references(
    located: Any, doc: dict[str, Any], refs: _References, problems: list[Problem]
) -> None:
    """``publication``, ``related_datasets`` and ``targets`` name what exists, at any depth."""
    kinds = {"publication": "publication", "related_datasets": "dataset", "targets": "place"}
    stack: list[tuple[dict, tuple]] = [(doc, ())]
    while stack:
        table, path = stack.pop()
        for key, value in table.items():
            if isinstance(value, dict):
                stack.append((value, (*path, key)))
            elif key in kinds:
                names = value if isinstance(value, list) else [value]
                for i, name in enumerate(names):
                    where = (*path, key, i) if isinstance(value, list) else (*path, key)
                    refs.check(located, where, kinds[key], name, problems)


def _load_absent(
    root: Path, refs: _References, problems: list[Problem]
) -> dict[str, dict[str, Any]]:
    """absent.toml: charts of a source document whose numbers are not in the data."""
    from .schema import AbsentDoc, Located

    path = root / "absent.toml"
    if not path.exists():
        return {}
    rel = _rel(root, path)
    parsed = read_toml_file(path, rel, problems)
    if parsed is None:
        return {}
    located = Located(rel, parsed.text)
    for name, entry in parsed.doc.items():
        record = located.check(entry, AbsentDoc, problems, (name,))
        if record is None:
            continue
        if record.publication is not None:
            refs.check(located, (name, "publication"), "publication", record.publication, problems)
        for i, code in enumerate(record.targets):
            refs.check(located, (name, "targets", i), "place", code, problems)
    return parsed.doc
