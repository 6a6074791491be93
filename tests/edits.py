"""Routine edits a data keeper makes, applied to a copy of the fixture (used by several tests)."""

from __future__ import annotations

import csv
import re
from pathlib import Path

ANNUAL = (
    "gdp_nominal",
    "gdp_per_capita",
    "japan_trade",
    "japanese_companies",
    "japanese_residents",
)


def read_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    return rows[0], [r for r in rows[1:] if r]


def write_csv(path: Path, header: list[str], body: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(body)


def add_next_years(data: Path, years: int = 2, update_as_of: bool = True) -> int:
    """Append the next ``years`` years' rows to every annual series; return the new last year.

    New values are the latest row's, raised by 1 % per year (balances recomputed), so every
    new figure differs from every old one.
    """
    last = 0
    for name in ANNUAL:
        path = data / "datasets" / f"{name}.csv"
        header, body = read_csv(path)
        y = header.index("year")
        newest = max(int(r[y]) for r in body if r[y])
        added = []
        for row in body:
            if row[y] != str(newest):
                continue
            for k in range(1, years + 1):
                new = list(row)
                new[y] = str(newest + k)
                for i, col in enumerate(header):
                    if col in ("value", "count", "exports", "imports") and new[i]:
                        new[i] = _raised(new[i], k)
                    if col == "note":
                        new[i] = ""
                if "balance" in header:
                    e, m = header.index("exports"), header.index("imports")
                    new[header.index("balance")] = str(int(new[e]) - int(new[m]))
                added.append(new)
        write_csv(path, header, body + added)
        last = max(last, newest + years)
        if update_as_of:
            meta = data / "datasets" / f"{name}.toml"
            text = meta.read_text(encoding="utf-8")
            meta.write_text(
                re.sub(r'^as_of = "\d{4}"', f'as_of = "{newest + years}"', text, flags=re.M),
                encoding="utf-8",
            )
    return last


def _raised(text: str, k: int) -> str:
    if "." in text:
        decimals = len(text.split(".")[1])
        return f"{float(text) * (1 + 0.01 * k):.{decimals}f}"
    return str(int(text) + max(1, round(int(text) * 0.01 * k)))


def shift_years(data: Path, n: int) -> None:
    """Every year in every dataset's year column (and as_of) moved by ``n``."""
    for meta in sorted((data / "datasets").glob("*.toml")):
        text = meta.read_text(encoding="utf-8")
        year_columns = re.findall(r"^\[columns\.(\w+)\]\ntype = \"year\"", text, flags=re.M)
        text = re.sub(r'^as_of = "(\d{4})', lambda m: f'as_of = "{int(m[1]) + n}', text, flags=re.M)
        meta.write_text(text, encoding="utf-8")
        path = meta.with_suffix(".csv")
        header, body = read_csv(path)
        for column in year_columns:
            i = header.index(column)
            for row in body:
                if row[i]:
                    row[i] = str(int(row[i]) + n)
        write_csv(path, header, body)


def add_member(data: Path, code: str = "mn", name: str = "モンゴル") -> None:
    """A new member of the region with fewer years than the others (no profile text)."""
    places = data / "places.csv"
    header, body = read_csv(places)
    for row in body:
        if row[1] == "region":
            row[4] = f"{row[4]} {code}"
            row[5] = str(int(row[5]) + 1)
    body.insert(5, [code, "country", name, f"{name}国", "", "6"])
    write_csv(places, header, body)
    with (data / "datasets" / "gdp_nominal.csv").open("a", encoding="utf-8") as f:
        f.write(f"{code},2023,20.31\n")
    with (data / "datasets" / "gdp_per_capita.csv").open("a", encoding="utf-8") as f:
        f.write(f"{code},2022,5100\n{code},2023,5870\n")
    with (data / "datasets" / "japan_trade.csv").open("a", encoding="utf-8") as f:
        f.write(f"{code},2023,300001,20001,279999\n{code},2024,310002,21002,289000\n")
