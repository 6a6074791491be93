"""Spreadsheets in and out: a published table (xlsx or CSV) → a dataset's CSV, and back.

``plan_import`` reads a statistics office's file the way a person reads it: the title and the
「（単位：1,000ドル）」 line above the table, the header row (the dataset's column names or their
Japanese labels, or years across the columns), Japanese place names, numbers written as
「1,234」「１２３」「△54,002」, 「－」 for none, footnote marks, and 「出所：」「注：」 rows below.
It returns the difference against the dataset and the merged CSV text, already validated as
``briefpack check`` would; ``ImportPlan.apply`` writes it atomically. Nothing is written while a
problem remains: every problem names its cell (``B7: unknown place 'キルギスタン'``).

``export_workbook`` writes datasets as a workbook that ``plan_import`` takes back unchanged.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
import shutil
import tempfile
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from .datalayer import YEAR_RANGE, Column, DataLayer, Dataset, load
from .errors import BuildError, DataError, Problem, UsageError

ITEM_HEADERS = {"項目", "区分", "item"}
TOTAL_LABELS = {"合計", "計", "総計", "総額", "合計額", "total"}
MISSING = {"", "-", "－", "—", "―", "–", "‐", "ー", "…", "...", "‥", "・・・", "x", "X"}
MISSING |= {"n.a.", "N.A.", "NA", "N/A", "n/a", "na"}
FOOTER = re.compile(
    r"^(?:[（(]?\s*(?:出\s*所|出\s*典|資\s*料|注|備\s*考)\s*\d*\s*[）)]?\s*[：:]"
    r"|[（(]\s*注\s*\d*\s*[）)]|注\s*\d*\s*[）)]|※|(?:sources?|notes?)\s*\d*\s*:)",
    re.IGNORECASE,
)
PLACE_HEADINGS = {"国", "国名", "国・地域", "国・地域名", "国/地域", "地域", "country"}
FOOTNOTE_MARKS = re.compile(r"[（(]\s*注\s*\d*\s*[）)]|注\s*\d+|※\s*\d*|[*＊†‡]+\d*")
SUPERSCRIPTS = re.compile(r"[¹²³⁰⁴-⁹]+")
UNIT_LINE = re.compile(r"単\s*位\s*[:：]?\s*([^)）]*)")
INT_TEXT = re.compile(r"^-?\d+$")
DECIMAL_TEXT = re.compile(r"^-?\d+(\.\d+)?$")
GROUPED = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$")


class RefusedImport(DataError):
    """Problems that stop an import; ``summary`` says where they are."""

    def __init__(self, problems: list[Problem], summary: str):
        super().__init__(problems)
        self.summary = summary


# --------------------------------------------------------------------------- cells


def column_letter(col: int) -> str:
    letters = ""
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


@dataclass(frozen=True)
class Cell:
    row: int  # 1-based, as a spreadsheet shows it
    col: int
    value: Any  # str, int, float, bool, datetime or None; xlsx numbers stay numbers
    number_format: str = "General"

    @property
    def ref(self) -> str:
        return f"{column_letter(self.col)}{self.row}"

    @property
    def empty(self) -> bool:
        return self.value is None or (isinstance(self.value, str) and not self.value.strip())

    @property
    def text(self) -> str:
        """The cell as written (numbers as Excel shows them)."""
        if self.value is None:
            return ""
        if isinstance(self.value, int | float) and not isinstance(self.value, bool):
            return _number_text(self.value, self.number_format)
        return str(self.value).strip()


@dataclass
class Sheet:
    path: str  # how problems name the file (and the sheet, in a workbook of several)
    file: str  # the file as given
    described: str  # e.g. "Shift_JIS/cp932 CSV" or "sheet 'japan_trade'"
    rows: list[list[Cell]]


def _norm(text: str) -> str:
    """A heading or name as compared: NFKC, no spaces, no footnote marks, case-folded."""
    text = SUPERSCRIPTS.sub("", text)
    text = unicodedata.normalize("NFKC", text)
    text = FOOTNOTE_MARKS.sub("", text)
    return re.sub(r"\s+", "", text).casefold()


def _number_text(value: int | float, number_format: str = "General") -> str:
    """An xlsx number as its cell shows it: the format's decimals, percent as shown."""
    if isinstance(value, int):
        number = Decimal(value)
    else:
        number = Decimal(format(value, ".15g"))
    section = (number_format or "General").split(";")[0]
    if "%" in section:
        number *= 100
    match = re.search(r"\.([0#?]+)", section)
    if match:
        spec = match.group(1)
        written = max(0, -number.normalize().as_tuple().exponent)
        places = min(max(spec.count("0"), written), len(spec))
        number = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    elif number == number.to_integral_value():
        number = number.quantize(Decimal(1))
    else:
        number = number.normalize()
    return format(number, "f")


# --------------------------------------------------------------------------- reading files


def _decode(raw: bytes) -> tuple[str, str] | None:
    if raw.startswith(codecs.BOM_UTF8):
        try:
            return raw[3:].decode("utf-8"), "UTF-8 CSV with BOM"
        except UnicodeDecodeError:
            return None
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16"), "UTF-16 CSV"
        except UnicodeDecodeError:
            return None
    for encoding, name in (("utf-8", "UTF-8 CSV"), ("cp932", "Shift_JIS/cp932 CSV")):
        try:
            return raw.decode(encoding), name
        except UnicodeDecodeError:
            continue
    return None


def _read_csv(path: Path, label: str) -> Sheet:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        problem = Problem(label, None, None, f"cannot read: {exc.strerror}")
        raise RefusedImport([problem], f"cannot read {label}") from None
    decoded = _decode(raw)
    if decoded is None:
        problem = Problem(label, None, None, "not UTF-8 or Shift_JIS (cp932) text")
        raise RefusedImport([problem], f"cannot read {label}")
    text, described = decoded
    head = text.splitlines()[:30]
    delimiter = "\t" if any("\t" in line for line in head) else ","
    rows: list[list[Cell]] = []
    try:
        for number, record in enumerate(
            csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True), start=1
        ):
            rows.append([Cell(number, i, v or None) for i, v in enumerate(record, start=1)])
    except csv.Error as exc:
        problem = Problem(label, len(rows) + 1, None, f"not valid CSV: {exc}")
        raise RefusedImport([problem], f"cannot read {label}") from None
    if delimiter == "\t":
        described = described.replace("CSV", "tab-separated text")
    return Sheet(label, label, described, rows)


def _read_xlsx(path: Path, label: str, sheet: str | None, dataset_id: str) -> Sheet:
    from zipfile import BadZipFile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(path, data_only=True)
    except (BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        problem = Problem(label, None, None, f"not an xlsx workbook ({exc})")
        raise RefusedImport([problem], f"cannot read {label}") from None
    names = book.sheetnames
    if sheet is not None and sheet not in names:
        problem = Problem(label, None, None, f"no sheet {sheet!r} (sheets: {', '.join(names)})")
        raise RefusedImport([problem], f"cannot read {label}")
    if sheet is None:
        if dataset_id in names:
            sheet = dataset_id
        elif len(names) == 1:
            sheet = names[0]
        else:
            problem = Problem(
                label,
                None,
                None,
                f"{len(names)} sheets ({', '.join(names)}): choose one with --sheet",
            )
            raise RefusedImport([problem], f"cannot read {label}")
    ws = book[sheet]
    merged = {}
    for bounds in ws.merged_cells.ranges:
        top = ws.cell(bounds.min_row, bounds.min_col)
        for row in range(bounds.min_row, bounds.max_row + 1):
            for col in range(bounds.min_col, bounds.max_col + 1):
                merged[(row, col)] = top
    rows = []
    for r, row in enumerate(ws.iter_rows(), start=1):
        cells = []
        for c, cell in enumerate(row, start=1):
            source = merged.get((r, c), cell)
            cells.append(Cell(r, c, source.value, source.number_format or "General"))
        rows.append(cells)
    where = f"{label} (sheet {sheet})" if len(names) > 1 else label
    return Sheet(where, label, f"sheet '{sheet}'", rows)


def read_sheet(path: Path, sheet: str | None, dataset_id: str) -> Sheet:
    label = str(path)
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path, label, sheet, dataset_id)
    if suffix in (".csv", ".txt", ".tsv"):
        if sheet is not None:
            raise UsageError("--sheet applies to xlsx workbooks only")
        return _read_csv(path, label)
    raise RefusedImport(
        [Problem(label, None, None, f"cannot read '{suffix}' files: save it as .xlsx or .csv")],
        f"cannot read {label}",
    )


# --------------------------------------------------------------------------- values


class _Bad(Exception):
    pass


def _unit_key(unit: str) -> str:
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", unit))
    text = re.sub(r"(?<=\d),(?=\d{3})", "", text)
    text = re.sub(r"^千", "1000", text)
    text = re.sub(r"^百万", "100万", text)
    return text.replace("米ドル", "ドル").replace("USドル", "ドル").replace("US$", "ドル")


def _number(raw: str, column: Column, unit: str | None) -> str | None:
    """A number as written in a published table → plain text (``-54002``), None if missing."""
    text = raw.strip()
    if text in MISSING:
        return None
    text = unicodedata.normalize("NFKC", SUPERSCRIPTS.sub("", text))
    text = FOOTNOTE_MARKS.sub("", text).strip()
    if text in MISSING:
        return None
    text = re.sub(r"\s+", "", text)
    if column.type == "year":
        text = text.removesuffix("年")
    suffix = re.sub(r"\s+", "", unicodedata.normalize("NFKC", unit or ""))
    if suffix and not re.search(r"\d", suffix) and text.endswith(suffix) and text != suffix:
        text = text[: -len(suffix)]
    if text[:1] in "△▲":
        text = "-" + text[1:]
    text = text.replace("−", "-").removeprefix("+")
    if "," in text:
        if not GROUPED.match(text):
            raise _Bad(f"{raw.strip()!r}: thousands separators out of place")
        text = text.replace(",", "")
    return text


def _typed(cell: Cell, column: Column, unit: str | None, places: PlaceNames) -> Any:
    """A cell's value for a column, or _Bad naming what is wrong (without the cell)."""
    name = f"column '{column.name}' ({column.label})"
    if cell.empty:
        if column.required:
            raise _Bad(f"{name}: value required")
        return None
    if column.type == "text":
        return cell.text
    if column.type == "place":
        code = places.code(cell.text)
        if code is None:
            raise _Bad(f"unknown place {cell.text!r}")
        return code
    value = cell.value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if column.type in ("int", "year") and isinstance(value, float):
            if not value.is_integer():
                raise _Bad(f"{name}: {cell.text!r} is not a whole number")
            value = int(value)
        text = _number_text(value, cell.number_format)
    else:
        try:
            text = _number(str(value), column, unit)
        except _Bad as exc:
            raise _Bad(f"{name}: {exc}") from None
    if text is None:
        if column.required:
            raise _Bad(f"{name}: value required")
        return None
    if column.type in ("int", "year"):
        if not INT_TEXT.match(text):
            raise _Bad(f"{name}: {cell.text!r} is not a whole number")
        number = int(text)
        if column.type == "year" and not YEAR_RANGE[0] <= number <= YEAR_RANGE[1]:
            raise _Bad(f"{name}: {cell.text!r} is not a year in {YEAR_RANGE[0]}–{YEAR_RANGE[1]}")
        return number
    if not DECIMAL_TEXT.match(text):
        raise _Bad(f"{name}: {cell.text!r} is not a number")
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern admits valid decimals only
        raise _Bad(f"{name}: {cell.text!r} is not a number") from None


def _year_heading(cell: Cell) -> int | None:
    value = cell.value
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        year = int(value) if float(value).is_integer() else None
    else:
        match = re.fullmatch(r"(\d{4})年?", _norm(str(value)))
        year = int(match.group(1)) if match else None
    return year if year is not None and YEAR_RANGE[0] <= year <= YEAR_RANGE[1] else None


class PlaceNames:
    """Japanese names (short or formal) and codes → place codes."""

    def __init__(self, data: DataLayer):
        self.data = data
        self.names: dict[str, str] = {}
        for place in data.places.values():
            for name in (place.formal_name, place.name, place.code):
                if _norm(name or ""):
                    self.names.setdefault(_norm(name), place.code)

    def code(self, text: str) -> str | None:
        return self.names.get(_norm(text)) if text else None


def csv_text(value: Any) -> str:
    """A typed value as the data layer writes it: ``44512``, ``-20347``, ``14.20``, ``""``."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def shown(value: Any) -> str:
    return "—" if value is None else csv_text(value)


# --------------------------------------------------------------------------- the table


@dataclass
class Observation:
    key: tuple
    values: dict[str, Any]  # only the columns the file gives
    row: int


@dataclass
class Table:
    form: str  # "long" | "wide"
    header_row: int
    unit: str | None
    years: list[int]
    columns: list[str]  # the dataset's columns the file gives
    observations: list[Observation]
    skipped: list[str] = field(default_factory=list)


@dataclass
class _Header:
    row: int  # index into sheet.rows
    roles: dict[int, tuple[str, Any]]  # column index → ("column", name) | ("year", y) | ...
    form: str


class _Reader:
    """Finds the table in a sheet and turns its rows into observations of one dataset."""

    def __init__(self, sheet: Sheet, dataset: Dataset, data: DataLayer):
        self.sheet, self.dataset, self.data = sheet, dataset, data
        self.places = PlaceNames(data)
        self.problems: list[Problem] = []
        self.by_name = {_norm(c.name): c.name for c in dataset.columns}
        labels: dict[str, list[str]] = {}
        for c in dataset.columns:
            labels.setdefault(_norm(c.label), []).append(c.name)
        self.by_label = labels
        years = [k for k in dataset.key if self._column(k).type == "year"]
        self.year = years[0] if len(years) == 1 else None

    def _column(self, name: str) -> Column:
        column = self.dataset.column(name)
        assert column is not None
        return column

    def problem(self, cell: Cell | None, message: str) -> None:
        where = f"{cell.ref}: " if cell is not None else ""
        self.problems.append(Problem(self.sheet.path, None, None, where + message))

    # ---- header

    def _role(self, cell: Cell) -> tuple[str, Any]:
        if cell.empty:
            return ("empty", None)
        year = _year_heading(cell) if self.year else None
        if year is not None:
            return ("year", year)
        text = _norm(str(cell.value))
        if text in self.by_name:
            return ("column", self.by_name[text])
        if text in self.by_label:
            names = self.by_label[text]
            return ("column", names[0]) if len(names) == 1 else ("ambiguous", names)
        if text in ITEM_HEADERS:
            return ("item", None)
        places = [c.name for c in self.dataset.columns if c.type == "place"]
        if text in PLACE_HEADINGS and len(places) == 1:
            return ("column", places[0])
        return ("unknown", None)

    def find_header(self) -> _Header | None:
        key = self.dataset.key
        for index, row in enumerate(self.sheet.rows):
            roles = {i: self._role(cell) for i, cell in enumerate(row)}
            kinds = Counter(kind for kind, _ in roles.values())
            mapped = [v for kind, v in roles.values() if kind == "column"]
            if kinds["year"] and self.year and self.year not in mapped:
                group = [k for k in key if k != self.year]
                first_year = min(i for i, (kind, _) in roles.items() if kind == "year")
                missing = [g for g in group if g not in mapped]
                if len(missing) == 1:
                    spare = [
                        i
                        for i in range(first_year)
                        if roles[i][0] == "empty" and self._has_data_below(index, i)
                    ]
                    if len(spare) == 1:
                        roles[spare[0]] = ("column", missing[0])
                        missing = []
                headings = [r for r in roles.values() if r[0] in ("column", "item", "year")]
                if not missing and len(headings) >= 2:
                    return _Header(index, roles, "wide")
            elif key and all(k in mapped for k in key):
                return _Header(index, roles, "long")
        return None

    def _has_data_below(self, index: int, col: int) -> bool:
        for row in self.sheet.rows[index + 1 : index + 6]:
            if col < len(row) and not row[col].empty:
                return True
        return False

    def _unit(self, header: _Header) -> tuple[str | None, Cell | None]:
        for row in self.sheet.rows[: header.row + 1]:
            for i, cell in enumerate(row):
                if cell.empty or not isinstance(cell.value, str):
                    continue
                text = cell.value
                if re.search(r"[（(]\s*単", text) and not re.search(r"[)）]", text):
                    # an unquoted 「（単位：1,000ドル）」 split at its comma by a CSV writer
                    rest = [c.text for c in row[i + 1 :] if not c.empty]
                    ends = next((n for n, t in enumerate(rest) if re.search(r"[)）]", t)), None)
                    if ends is not None:
                        text = ",".join([text, *rest[: ends + 1]])
                match = UNIT_LINE.search(text)
                if not match:
                    continue
                unit = match.group(1).strip()
                if not unit:  # 「単位」 in one cell, the unit in the next one
                    unit = next((c.text for c in row[i + 1 :] if not c.empty), "")
                return unit.strip("()（） ") or None, cell
        return None, None

    # ---- body

    def read(self) -> Table | None:
        header = self.find_header()
        if header is None:
            self._no_header()
            return None
        unit, unit_cell = self._unit(header)
        expected = self.dataset.unit
        if unit is not None and (expected is None or _unit_key(unit) != _unit_key(expected)):
            wanted = f"'{expected}'" if expected else "none"
            self.problem(
                unit_cell,
                f"単位 '{unit}' does not match the unit of {self.dataset.id} ({wanted})",
            )
        for i, (kind, value) in header.roles.items():
            cell = self.sheet.rows[header.row][i]
            if kind == "ambiguous":
                self.problem(
                    cell,
                    f"heading {cell.text!r} could be any of the columns {', '.join(value)}: "
                    "use the column name",
                )
        repeated = Counter(v for kind, v in header.roles.values() if kind in ("column", "year"))
        for i, (kind, value) in header.roles.items():
            if kind in ("column", "year") and repeated[value] > 1:
                cell = self.sheet.rows[header.row][i]
                self.problem(cell, f"heading {cell.text!r} appears twice")
        body = self._body(header)
        read = self._wide if header.form == "wide" else self._long
        table = read(header, body, expected)  # the dataset's unit: "8.9%" for %, "5社" for 社
        table.unit = unit  # as the file states it
        return table

    def _no_header(self) -> None:
        labels = [self._column(k).label for k in self.dataset.key]
        group = [self._column(k).label for k in self.dataset.key if k != self.year]
        wide = f", or {', '.join(group)} and years across" if self.year else ""
        self.problem(
            None,
            f"no header row found: expected the headings {', '.join(labels)}"
            f" (column names or labels){wide}",
        )

    def _body(self, header: _Header) -> list[list[Cell]]:
        """Table rows below the header: blank, 出所/注 and trailing note rows left out."""
        rows = []
        in_footer = False
        for row in self.sheet.rows[header.row + 1 :]:
            filled = [c for c in row if not c.empty]
            if not filled:
                continue
            if isinstance(filled[0].value, str) and FOOTER.match(filled[0].value.strip()):
                in_footer = True
                continue
            if in_footer and len(filled) == 1:
                continue
            rows.append(row)
        return rows

    def _unknown_columns(self, header: _Header, body: list[list[Cell]]) -> None:
        for i, (kind, _) in header.roles.items():
            if kind not in ("unknown", "empty"):
                continue
            if any(i < len(row) and not row[i].empty for row in body):
                cell = self.sheet.rows[header.row][i]
                if kind == "empty":
                    self.problem(cell, "values under no heading")
                else:
                    known = ", ".join(c.label for c in self.dataset.columns)
                    self.problem(cell, f"unknown column {cell.text!r} (columns: {known})")

    def _skip(self, row: list[Cell], header: _Header, table_skipped: list[str]) -> bool:
        """Total rows (合計, or a region's total in a dataset of countries) are left out."""
        for i, (kind, name) in header.roles.items():
            if kind != "column" or i >= len(row) or self._column(name).type != "place":
                continue
            cell = row[i]
            text = _norm(cell.text)
            if not text:
                continue
            if text in TOTAL_LABELS or (text.endswith("計") and self.places.code(text[:-1])):
                table_skipped.append(f"skipped row {cell.row} ({cell.text}): a total")
                return True
            code = self.places.code(cell.text)
            if code and self.data.places[code].is_region:
                holds_regions = any(
                    self.data.places.get(r.values.get(name)) is not None
                    and self.data.places[r.values[name]].is_region
                    for r in self.dataset.rows
                )
                if not holds_regions:
                    table_skipped.append(
                        f"skipped row {cell.row} ({cell.text}): a region's total "
                        f"({self.dataset.id} holds countries only)"
                    )
                    return True
        return False

    def _long(self, header: _Header, body: list[list[Cell]], unit: str | None) -> Table:
        self._unknown_columns(header, body)
        positions = {v: i for i, (kind, v) in header.roles.items() if kind == "column"}
        columns = [c.name for c in self.dataset.columns if c.name in positions]
        skipped: list[str] = []
        observations = []
        for row in body:
            if self._skip(row, header, skipped):
                continue
            values = {}
            for name in columns:
                i = positions[name]
                cell = row[i] if i < len(row) else Cell(row[0].row, i + 1, None)
                try:
                    values[name] = _typed(cell, self._column(name), unit, self.places)
                except _Bad as exc:
                    self.problem(cell, str(exc))
            key = tuple(values.get(k) for k in self.dataset.key)
            observations.append(Observation(key, values, row[0].row))
        return Table(
            "long",
            header.row + 1,
            unit,
            [],
            columns,
            observations,
            skipped,
        )

    def _wide(self, header: _Header, body: list[list[Cell]], unit: str | None) -> Table:
        assert self.year is not None
        self._unknown_columns(header, body)
        group = [k for k in self.dataset.key if k != self.year]
        positions = {v: i for i, (kind, v) in header.roles.items() if kind == "column"}
        for name, i in positions.items():
            if name not in group:
                cell = self.sheet.rows[header.row][i]
                self.problem(cell, f"column {cell.text!r} cannot stand beside years across")
        item_at = next((i for i, (kind, _) in header.roles.items() if kind == "item"), None)
        year_at = {i: y for i, (kind, y) in header.roles.items() if kind == "year"}
        measures = [c.name for c in self.dataset.columns if c.name not in self.dataset.key]
        numeric = [m for m in measures if self._column(m).type in ("int", "decimal")]
        items: dict[str, str] = {}
        for m in measures:
            items.setdefault(_norm(m), m)
            items.setdefault(_norm(self._column(m).label), m)
        if item_at is None and len(numeric) != 1:
            cell = self.sheet.rows[header.row][min(year_at)]
            self.problem(
                cell,
                "years across but no 項目 column to say which of "
                f"{', '.join(self._column(m).label for m in numeric)} each row holds",
            )
            return Table("wide", header.row + 1, unit, [], [], [])
        skipped: list[str] = []
        observations: dict[tuple, Observation] = {}
        seen: dict[tuple, int] = {}
        given: list[str] = []
        previous: dict[str, Cell] = {}
        for row in body:
            if self._skip(row, header, skipped):
                continue

            def at(i: int, row: list[Cell] = row) -> Cell:
                return row[i] if i < len(row) else Cell(row[0].row, i + 1, None)

            keys = {}
            for name in group:
                cell = at(positions[name])
                if cell.empty and item_at is not None and name in previous:
                    cell = previous[name]  # a group's name written once, above its items
                previous[name] = cell
                try:
                    keys[name] = _typed(cell, self._column(name), unit, self.places)
                except _Bad as exc:
                    self.problem(cell, str(exc))
            if item_at is None:
                measure = numeric[0]
            else:
                cell = at(item_at)
                found = items.get(_norm(cell.text))
                if found is None:
                    labels = ", ".join(self._column(m).label for m in measures)
                    self.problem(cell, f"unknown item {cell.text!r} (items: {labels})")
                    continue
                measure = found
            if measure not in given:
                given.append(measure)
            group_key = (*(keys.get(g) for g in group), measure)
            if group_key in seen:
                self.problem(
                    at(0), f"repeats the row of {shown_key(group_key)} (row {seen[group_key]})"
                )
                continue
            seen[group_key] = row[0].row
            for i, year in sorted(year_at.items()):
                cell = at(i)
                try:
                    value = _typed(cell, self._column(measure), unit, self.places)
                except _Bad as exc:
                    self.problem(cell, str(exc))
                    continue
                values = {**keys, self.year: year}
                key = tuple(values.get(k) for k in self.dataset.key)
                obs = observations.setdefault(key, Observation(key, values, row[0].row))
                obs.values[measure] = value
        columns = [c.name for c in self.dataset.columns if c.name in (*group, self.year, *given)]
        return Table(
            "wide",
            header.row + 1,
            unit,
            sorted(set(year_at.values())),
            columns,
            list(observations.values()),
            skipped,
        )


def shown_key(key: tuple) -> str:
    return "/".join(shown(v) for v in key)


# --------------------------------------------------------------------------- the difference


@dataclass
class Change:
    key: tuple
    line: int  # the row's line in the dataset's CSV
    cells: list[tuple[str, Any, Any]]  # column, old, new
    values: dict[str, Any]


@dataclass
class Difference:
    changed: list[Change]
    added: list[Observation]
    removed: list[tuple[tuple, int, dict[str, Any]]]  # key, line, values
    unchanged: int

    @property
    def empty(self) -> bool:
        return not (self.changed or self.added or self.removed)


def _missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        import pandas as pd

        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def difference(dataset: Dataset, table: Table) -> Difference:
    """What the table changes in the dataset: cells, added rows, removed rows (pandas merge)."""
    import pandas as pd

    key = dataset.key
    # A key ending in a list's member (a partner, a mineral, an order number) makes each group
    # a list that the file's rows replace; a key ending in a place or year is never a list.
    lists = dataset.column(key[-1]).type not in ("place", "year")
    scope = key[:-1] if lists else key
    covered = {tuple(o.values.get(k) for k in scope) for o in table.observations}
    old = pd.DataFrame.from_records(
        [(*(r.values.get(k) for k in key), i) for i, r in enumerate(dataset.rows)],
        columns=[*key, "_old"],
    ).astype(object)
    new = pd.DataFrame.from_records(
        [(*o.key, i) for i, o in enumerate(table.observations)], columns=[*key, "_new"]
    ).astype(object)
    joined = old.merge(new, on=key, how="outer", indicator=True)
    changed, added, removed, unchanged = [], [], [], 0
    for record in joined.itertuples(index=False):
        fields = dict(zip(joined.columns, record, strict=True))
        side = fields["_merge"]
        if side == "left_only":
            row = dataset.rows[int(fields["_old"])]
            if lists and tuple(row.values.get(k) for k in scope) in covered:
                removed.append((tuple(row.values.get(k) for k in key), row.line, row.values))
            continue
        obs = table.observations[int(fields["_new"])]
        if side == "right_only":
            given = [v for k, v in obs.values.items() if k not in key]
            # years across: an empty cell where the dataset has no row adds nothing
            if table.form == "long" or not given or any(not _missing(v) for v in given):
                added.append(obs)
            continue
        row = dataset.rows[int(fields["_old"])]
        cells = []
        for column in dataset.columns:
            if column.name in key or column.name not in obs.values:
                continue
            before, after = row.values.get(column.name), obs.values[column.name]
            if _missing(before) and _missing(after):
                continue
            if _missing(before) or _missing(after) or before != after:
                cells.append((column.name, before, after))
        if cells:
            changed.append(Change(obs.key, row.line, cells, obs.values))
        else:
            unchanged += 1
    changed.sort(key=lambda c: c.line)
    removed.sort(key=lambda r: r[1])
    added.sort(key=lambda o: o.row)
    return Difference(changed, added, removed, unchanged)


# --------------------------------------------------------------------------- the merged CSV


def _records(text: str) -> list[tuple[int, int, list[str]]]:
    """Each CSV record with its first physical line and the line after it (1-based)."""
    out = []
    reader = csv.reader(io.StringIO(text, newline=""))
    start = 1
    for record in reader:
        out.append((start, reader.line_num + 1, record))
        start = reader.line_num + 1
    return out


def merged_text(text: str, dataset: Dataset, diff: Difference, order: dict[str, int]) -> str:
    """The dataset's CSV text with the difference applied; untouched lines kept byte for byte."""
    lines = re.findall(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$", text)
    newline = "\r\n" if text.count("\r\n") * 2 > text.count("\n") else "\n"
    names = [c.name for c in dataset.columns]

    def render(fields: list[str]) -> str:
        out = io.StringIO()
        csv.writer(out, lineterminator=newline).writerow(fields)
        return out.getvalue()

    changes = {c.line: c for c in diff.changed}
    removed = {line for _, line, _ in diff.removed}
    rows_by_line = {row.line: row for row in dataset.rows}
    # (sort key, key, text) per data row in output order; other lines ride with the row above
    blocks: list[tuple[tuple | None, str]] = []
    records = _records(text)
    head_end = records[0][1] if records else 1
    header = "".join(lines[: head_end - 1])
    for start, end, fields in records[1:]:
        raw = "".join(lines[start - 1 : end - 1])
        row = rows_by_line.get(start)
        if row is None:
            blocks.append((None, raw))
            continue
        if start in removed:
            continue
        sort_key = _sort_key(tuple(row.values.get(k) for k in dataset.key), order)
        if start in changes:
            new = list(fields)
            for column, _, value in changes[start].cells:
                new[names.index(column)] = csv_text(value)
            ending = re.search(r"(\r\n|\r|\n)?$", raw).group(0) or ""
            raw = render(new).removesuffix(newline) + ending
        blocks.append((sort_key, raw))
    for obs in diff.added:
        fields = [csv_text(obs.values.get(name)) for name in names]
        _insert(blocks, _sort_key(obs.key, order), render(fields), newline)
    if not header.endswith(("\n", "\r")):
        header += newline
    return header + "".join(raw for _, raw in blocks)


def _sort_key(key: tuple, order: dict[str, int]) -> tuple:
    return tuple(
        (1, 0, "")
        if v is None
        else (0, order.get(v, 10**6), v)
        if isinstance(v, str)
        else (0, v, "")
        for v in key
    )


def _insert(blocks: list, sort_key: tuple, text: str, newline: str) -> None:
    """After the last row of the same group that sorts before the new row (else at the end)."""
    for length in range(len(sort_key) - 1, 0, -1):
        group = [
            i
            for i, (k, _) in enumerate(blocks)
            if k is not None and k[:length] == sort_key[:length]
        ]
        if group:
            keys = [blocks[i][0] for i in group]
            if keys == sorted(keys):  # a sorted group: the new row goes in its place
                before = [i for i in group if blocks[i][0] < sort_key]
                at = max(before) + 1 if before else min(group)
            else:
                at = max(group) + 1
            break
    else:
        at = len(blocks)
    if at > 0 and not blocks[at - 1][1].endswith(("\n", "\r")):
        blocks[at - 1] = (blocks[at - 1][0], blocks[at - 1][1] + newline)
    blocks.insert(at, (sort_key, text))


# --------------------------------------------------------------------------- the plan


@dataclass
class ImportPlan:
    dataset: Dataset
    sheet: Sheet
    table: Table
    diff: Difference
    root: Path  # the data folder
    csv_path: Path  # the dataset's CSV file
    csv_rel: str  # as reached from the data folder
    before: bytes  # the CSV as read, to refuse writing over someone else's edit
    after: bytes
    validated: bool = False

    def report(self) -> list[str]:
        """What a user sees: the file as read, every change, and the counts."""
        t, d = self.table, self.dataset
        form = (
            f"years across ({t.years[0]}–{t.years[-1]})"
            if t.form == "wide" and t.years
            else "one row per observation"
        )
        unit = f", 単位 {t.unit}" if t.unit else ""
        where = f"{self.sheet.file} ({self.sheet.described})"
        lines = [f"read {where}: header on row {t.header_row}, {form}{unit}"]
        if t.unit is None and d.unit:
            lines.append(
                f"note: the file states no 単位; taken to be the unit of {d.id} ({d.unit})"
            )
        lines += t.skipped
        for change in self.diff.changed:
            for column, old, new in change.cells:
                lines.append(
                    f"changed {shown_key(change.key)} {column}: {shown(old)} → {shown(new)}"
                )
        names = [c.name for c in d.columns if c.name not in d.key]
        for obs in self.diff.added:
            given = ", ".join(f"{n} {shown(obs.values[n])}" for n in names if n in obs.values)
            lines.append(f"added   {shown_key(obs.key)}" + (f": {given}" if given else ""))
        for key, _, values in self.diff.removed:
            was = ", ".join(f"{n} {shown(values.get(n))}" for n in names)
            lines.append(f"removed {shown_key(key)}" + (f": {was}" if was else ""))
        cells = sum(len(c.cells) for c in self.diff.changed)
        diff = self.diff
        if diff.empty:
            lines.append(f"{d.id}: no changes ({_n(diff.unchanged, 'row')} unchanged)")
            return lines
        lines.append(
            f"{d.id}: {_n(cells, 'cell')} changed in {_n(len(diff.changed), 'row')}, "
            f"{_n(len(diff.added), 'row')} added, {_n(len(diff.removed), 'row')} removed, "
            f"{_n(diff.unchanged, 'row')} unchanged"
        )
        return lines

    @property
    def changes(self) -> bool:
        return not self.diff.empty

    def validate(self) -> None:
        """Raise RefusedImport if the merged dataset would not pass ``briefpack check``."""
        if self.changes and not self.validated:
            _validate(self.root, self.dataset, self.after)
        self.validated = True

    def apply(self) -> None:
        """Write the merged CSV atomically (a temporary file renamed over the dataset's CSV)."""
        self.validate()
        try:
            current = self.csv_path.read_bytes()
        except OSError as exc:
            raise BuildError(f"{self.csv_rel}: cannot read: {exc.strerror}") from None
        if current != self.before:
            raise BuildError(
                f"{self.csv_rel} changed while the import was running: nothing written"
            )
        try:
            write_atomically(self.csv_path, self.after)
        except OSError as exc:
            raise BuildError(f"{self.csv_rel}: cannot write: {exc.strerror}") from None


def _n(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def write_atomically(path: Path, content: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            shutil.copymode(path, tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _dataset(data: DataLayer, name: str) -> Dataset:
    if name not in data.datasets:
        raise UsageError(f"unknown dataset {name!r} (datasets: {', '.join(sorted(data.datasets))})")
    return data.datasets[name]


def plan_import(root: Path, file: Path, dataset_id: str, sheet: str | None = None) -> ImportPlan:
    """Read ``file`` against dataset ``dataset_id`` of the data at ``root``; write nothing.

    Raises RefusedImport (a DataError) naming every problem in the file by its cell.
    ``plan.validate()`` then checks the merged dataset as ``briefpack check`` would (problems
    by the dataset file's line), and ``plan.apply()`` writes it.
    """
    data = load(root)
    dataset = _dataset(data, dataset_id)
    if not dataset.key:
        problem = Problem(dataset.meta_path, None, None, "no key: rows cannot be matched")
        raise RefusedImport([problem], f"{dataset.id} cannot take an import")
    sheet_data = read_sheet(file, sheet, dataset.id)
    reader = _Reader(sheet_data, dataset, data)
    table = reader.read()
    if table is not None:
        _check_repeats(reader, table)
    if reader.problems or table is None:
        raise RefusedImport(
            reader.problems, f"{len(reader.problems)} problem(s) in {sheet_data.path}"
        )
    diff = difference(dataset, table)
    csv_path = root / dataset.csv_path
    before = csv_path.read_bytes()
    bom = before.startswith(codecs.BOM_UTF8)
    text = before.decode("utf-8-sig")
    order = {p.code: p.order for p in data.places.values()}
    after_text = merged_text(text, dataset, diff, order) if not diff.empty else text
    after = (codecs.BOM_UTF8 if bom else b"") + after_text.encode("utf-8")
    return ImportPlan(
        dataset, sheet_data, table, diff, root, csv_path, dataset.csv_path, before, after
    )


def _check_repeats(reader: _Reader, table: Table) -> None:
    if table.form != "long":
        return
    seen: dict[tuple, int] = {}
    for obs in table.observations:
        if None in obs.key:
            continue
        if obs.key in seen:
            reader.problem(
                Cell(obs.row, 1, None),
                f"repeats the row of {shown_key(obs.key)} (row {seen[obs.key]})",
            )
        else:
            seen[obs.key] = obs.row


def _validate(root: Path, dataset: Dataset, content: bytes) -> None:
    """The merged dataset must pass ``briefpack check``'s validation of the data layer."""
    with tempfile.TemporaryDirectory(prefix="briefpack-import-") as tmp:
        copy = Path(tmp) / "data"
        shutil.copytree(root, copy)
        (copy / dataset.csv_path).write_bytes(content)
        try:
            load(copy)
        except DataError as exc:
            raise RefusedImport(
                exc.problems,
                f"{len(exc.problems)} problem(s) in {dataset.csv_path} after the import",
            ) from None


# --------------------------------------------------------------------------- export


def _wide_plan(dataset: Dataset) -> tuple[str, list[str], list[str]] | None:
    """(year column, group columns, measures) when the dataset reads best with years across."""
    years = [k for k in dataset.key if dataset.column(k).type == "year"]
    if len(years) != 1 or not dataset.rows:
        return None
    year = years[0]
    group = [k for k in dataset.key if k != year]
    measures = [c.name for c in dataset.columns if c.name not in dataset.key]
    counts = Counter(tuple(r.values.get(g) for g in group) for r in dataset.rows)
    if not measures or len(dataset.rows) / len(counts) < 2:
        return None
    return year, group, measures


def _int_format(places: int = 0) -> str:
    digits = "#,##0" + ("." + "0" * places if places else "")
    return f'{digits};"△"{digits}'


def export_workbook(root: Path, names: list[str], out: Path) -> list[str]:
    """Write the datasets (all when ``names`` is empty) to ``out`` as an xlsx workbook."""
    from openpyxl import Workbook
    from openpyxl.styles import Border, Font, Side
    from openpyxl.utils.exceptions import IllegalCharacterError

    from .frames import dataset_frame

    if out.suffix.lower() != ".xlsx":
        raise UsageError(f"--out {out}: the workbook's name must end in .xlsx")
    if out.resolve().is_relative_to(root.resolve()):
        raise UsageError(f"--out {out}: outputs are never written inside the data folder")
    data = load(root)
    chosen = [_dataset(data, n) for n in names] or [data.datasets[n] for n in sorted(data.datasets)]
    book = Workbook()
    book.remove(book.active)
    bold = Font(bold=True)
    rule = Border(bottom=Side(style="thin"))
    written = []
    for dataset in {d.id: d for d in chosen}.values():
        ws = book.create_sheet(_sheet_name(dataset.id, written))
        written.append(ws.title)
        frame = dataset_frame(dataset, exact=True)
        ws.append([dataset.title])
        ws["A1"].font = bold
        if dataset.unit:
            ws.append([f"（単位：{dataset.unit}）"])
        ws.append([])
        plan = _wide_plan(dataset)
        try:
            if plan:
                widths = _write_wide(ws, dataset, data, frame, plan, bold, rule)
            else:
                widths = _write_long(ws, dataset, data, frame, bold, rule)
            ws.append([])
            source = dataset.source or dataset.source_note
            if source:
                ws.append([f"出所：{source}"])
            notes = dataset.notes
            for i, note in enumerate(notes, start=1):
                ws.append([f"注{i if len(notes) > 1 else ''}：{note.text}"])
        except IllegalCharacterError as exc:
            raise BuildError(
                f"{dataset.csv_path}: a control character cannot go into xlsx ({exc})"
            ) from None
        for i, width in enumerate(widths, start=1):
            ws.column_dimensions[column_letter(i)].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(out, buffer.getvalue())
    except OSError as exc:
        raise BuildError(f"{out}: cannot write: {exc.strerror}") from None
    return written


def _sheet_name(name: str, taken: list[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", "_", name)[:31]
    candidate, n = base, 2
    while candidate in taken:
        candidate = f"{base[: 31 - len(str(n)) - 1]}~{n}"
        n += 1
    return candidate


def _cell_value(ws, value: Any, column: Column, data: DataLayer, r: int, c: int):
    """Write one value as a typed cell: numbers as numbers (formatted), text as text."""
    cell = ws.cell(r, c)
    if _missing(value):
        return cell
    if column.type == "place":
        place = data.places.get(value)
        cell.value = place.name if place else value
    elif column.type == "year":
        cell.value = int(value)
        cell.number_format = "0"
    elif column.type == "int":
        cell.value = int(value)
        cell.number_format = _int_format()
    elif column.type == "decimal":
        number = Decimal(value)
        digits = len(number.as_tuple().digits)
        if digits > 15:  # beyond a double's precision: keep the written digits as text
            cell.value = format(number, "f")
        else:
            cell.value = float(number)
            cell.number_format = _int_format(max(0, -number.as_tuple().exponent))
    else:
        cell.value = str(value)
        cell.data_type = "s"  # never a formula, even when the text starts with "="
    return cell


def _heading(dataset: Dataset, column: Column) -> str:
    labels = Counter(c.label for c in dataset.columns)
    return column.label if labels[column.label] == 1 else column.name


def _write_long(ws, dataset, data, frame, bold, rule) -> list[float]:
    columns = dataset.columns
    ws.append([_heading(dataset, c) for c in columns])
    header = ws.max_row
    for c in range(1, len(columns) + 1):
        ws.cell(header, c).font, ws.cell(header, c).border = bold, rule
    ws.freeze_panes = ws.cell(header + 1, 1)
    for r, record in enumerate(frame.itertuples(index=False), start=header + 1):
        for c, (column, value) in enumerate(zip(columns, record, strict=True), start=1):
            _cell_value(ws, value, column, data, r, c)
    widths = []
    for column in columns:
        longest = max([len(str(v)) for v in frame[column.name].dropna()] + [len(column.label)])
        widths.append(min(60.0, max(8.0, longest * 2.0 if column.type == "text" else 14.0)))
    return widths


def _write_wide(ws, dataset, data, frame, plan, bold, rule) -> list[float]:
    """Years across: one row per group (and item, when there are several measures)."""
    import pandas as pd

    year, group, measures = plan
    items = len(measures) > 1
    years = sorted(int(y) for y in frame[year].dropna().unique())
    heading = [_heading(dataset, dataset.column(g)) for g in group] + (["項目"] if items else [])
    ws.append([*heading, *years])
    header = ws.max_row
    for c in range(1, len(heading) + len(years) + 1):
        ws.cell(header, c).font, ws.cell(header, c).border = bold, rule
    ws.freeze_panes = ws.cell(header + 1, len(heading) + 1)
    long = frame.astype(object).melt(
        id_vars=[*group, year], value_vars=measures, var_name="_item", value_name="_value"
    )
    wide = long.pivot(index=[*group, "_item"], columns=year, values="_value")
    groups = list(dict.fromkeys(tuple(r.values.get(g) for g in group) for r in dataset.rows))
    order = [(*g, m) for g in groups for m in measures]
    wide = wide.reindex(pd.MultiIndex.from_tuples(order, names=[*group, "_item"]))
    r = header
    for index, values in wide.iterrows():
        *keys, measure = index
        column = dataset.column(measure)
        present = [v for v in values if not _missing(v)]
        if column.type == "text" and not present:
            continue  # an empty note row says nothing
        r += 1
        for c, (g, key) in enumerate(zip(group, keys, strict=True), start=1):
            _cell_value(ws, key, dataset.column(g), data, r, c)
        if items:
            ws.cell(r, len(group) + 1, column.label).data_type = "s"
        for c, y in enumerate(years, start=len(heading) + 1):
            _cell_value(ws, values.get(y), column, data, r, c)
    return [16.0] * len(heading) + [12.0] * len(years)
