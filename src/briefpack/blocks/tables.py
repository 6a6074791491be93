"""Table blocks: dataset rows → ruled tables (records, year series, timelines, key figures)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from reportlab.lib.colors import HexColor
from reportlab.platypus import Flowable, Spacer, Table, TableStyle

from ..datalayer import Dataset, Row
from ..formatting import format_number
from ..typeset import JText
from . import block
from .common import heading, source_lines, unit_line

NUMERIC = ("int", "decimal")


def cell_text(ctx: Any, row: Row, dataset: Dataset, column: str) -> str:
    col = dataset.column(column)
    value = row[column]
    numbers = ctx.style["numbers"]
    if col is not None and col.type == "place":
        return ctx.place_name(value)
    if col is not None and col.type in NUMERIC:
        return format_number(value, numbers["negative_prefix"], numbers["missing"])
    if value is None:
        return numbers["missing"]
    if col is not None and col.type == "year":
        return f"{value}年"
    return str(value)


def ruled_table(
    ctx: Any,
    header: list[str],
    body: list[list[str]],
    numeric: list[bool],
    widths: list[float] | None = None,
    header_rows: int = 1,
    stretch: bool = False,
) -> Table:
    """A table of JText cells: header shaded and repeated on every page, numbers right-aligned."""
    cell = ctx.text_style("cell", align="left")
    head_style = ctx.text_style("cell", align="center", font="bold")
    pad = ctx.style["table"]["padding"]
    frame = ctx.frame_width
    if widths is None:
        widths = _auto_widths(ctx, header, body, numeric, frame, pad)
        if stretch and sum(widths) < frame:
            widths = [w * frame / sum(widths) for w in widths]
    data: list[list[Any]] = [[JText(h, head_style, ctx.fonts) for h in header]]
    for values in body:
        data.append(
            [
                JText(
                    v,
                    replace(cell, align="right" if n else "justify"),
                    ctx.fonts,
                )
                for v, n in zip(values, numeric, strict=True)
            ]
        )
    colors = ctx.style["colors"]
    commands: list[tuple] = [
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), pad),
        ("RIGHTPADDING", (0, 0), (-1, -1), pad),
        ("TOPPADDING", (0, 0), (-1, -1), pad * 0.6),
        ("BOTTOMPADDING", (0, 0), (-1, -1), pad * 0.6),
        ("BACKGROUND", (0, 0), (-1, header_rows - 1), HexColor(colors["header_fill"])),
        ("LINEABOVE", (0, 0), (-1, 0), 0.9, HexColor(colors["rule"])),
        ("LINEBELOW", (0, header_rows - 1), (-1, header_rows - 1), 0.7, HexColor(colors["rule"])),
        ("LINEBELOW", (0, -1), (-1, -1), 0.9, HexColor(colors["rule"])),
        ("INNERGRID", (0, header_rows), (-1, -1), 0.3, HexColor(colors["light_rule"])),
        ("FONT", (0, 0), (-1, -1), ctx.fonts.regular, ctx.style["table"]["font_size"]),
    ]
    for i in range(header_rows + 1, len(data), 2):
        commands.append(("BACKGROUND", (0, i), (-1, i), HexColor(colors["stripe_fill"])))
    # splitInRow: a cell taller than a page (a very long timeline entry) splits across pages.
    table = Table(data, colWidths=widths, repeatRows=header_rows, hAlign="LEFT", splitInRow=1)
    table.setStyle(TableStyle(commands))
    return table


def _auto_widths(
    ctx: Any,
    header: list[str],
    body: list[list[str]],
    numeric: list[bool],
    frame: float,
    pad: float,
) -> list[float]:
    """Numbers and short labels get their natural width; long text shares the rest."""
    cell = ctx.text_style("cell")
    bold = ctx.text_style("cell", font="bold")
    natural = []
    for j in range(len(header)):
        values = [JText(r[j], cell, ctx.fonts).natural_width() for r in body] or [0.0]
        head = JText(header[j], bold, ctx.fonts).natural_width()
        natural.append(
            max(max(values), head if numeric[j] else min(head, 6 * cell.size)) + 2 * pad + 1
        )
    if sum(natural) <= frame:
        return natural
    fixed = [w if (numeric[j] or w < frame * 0.18) else None for j, w in enumerate(natural)]
    flexible = [j for j, w in enumerate(fixed) if w is None]
    room = frame - sum(w for w in fixed if w is not None)
    if not flexible or room < frame * 0.25:
        return [frame / len(header)] * len(header)
    total_flex = sum(natural[j] for j in flexible)
    return [w if w is not None else room * natural[j] / total_flex for j, w in enumerate(fixed)]


@block("table", {"dataset", "columns", "widths", "unit", "sort"})
def records_table(spec: dict[str, Any], ctx: Any) -> list[Flowable] | None:
    """One table row per dataset row; ``columns`` picks and orders the columns shown."""
    dataset = ctx.dataset(spec["dataset"])
    rows = ctx.rows(spec["dataset"], spec)
    if not rows:
        return None
    if spec.get("sort"):
        rows = sorted(rows, key=lambda r: tuple(r[c] for c in spec["sort"]))
    ctx.use(dataset.id, rows)
    names = spec.get("columns") or [c.name for c in dataset.columns if c.name != "note"]
    columns = [dataset.column(n) for n in names]
    header = [c.label + (f"（{c.unit}）" if c.unit else "") for c in columns]
    numeric = [c.type in NUMERIC for c in columns]
    body = [[cell_text(ctx, r, dataset, n) for n in names] for r in rows]
    widths = [w * ctx.frame_width for w in spec["widths"]] if spec.get("widths") else None
    out: list[Flowable] = [heading(ctx, spec["heading"])] if spec.get("heading") else []
    out += unit_line(ctx, spec.get("unit", dataset.unit))
    out.append(ruled_table(ctx, header, body, numeric, widths))
    out += source_lines(ctx, [dataset], _row_notes(ctx, dataset, rows))
    return out


def _row_notes(ctx: Any, dataset: Dataset, rows: list[Row]) -> list[str]:
    if dataset.column("note") is None:
        return []
    notes = []
    for r in rows:
        if r["note"]:
            who = ctx.place_name(r["country"]) if r["country"] else ""
            when = f"{r['year']}年" if r["year"] else ""
            what = r["mineral"] or r["partner"] or ""
            when = f"・{what}" if what and not when else when
            notes.append(f"{who}{when}：{r['note']}".lstrip("："))
    return notes


@block("timeline", {"dataset"})
def timeline(spec: dict[str, Any], ctx: Any) -> list[Flowable] | None:
    """Period label beside the event, in the published order (labels kept as published)."""
    dataset = ctx.dataset(spec["dataset"])
    rows = sorted(ctx.rows(spec["dataset"], spec), key=lambda r: (r["year"], r["order"]))
    if not rows:
        return None
    ctx.use(dataset.id, rows)
    label, body = "label", "text"
    title = spec.get("heading")
    era = (spec.get("where") or {}).get("era")
    if title is None and era:
        title = dataset.meta.get("eras", {}).get(era, {}).get("title")
    out: list[Flowable] = [heading(ctx, title)] if title else []
    labels = [r[label] for r in rows] + [dataset.column(label).label]
    first = max(
        JText(t, ctx.text_style("cell", font="bold"), ctx.fonts).natural_width() for t in labels
    )
    first = min(first + 2 * ctx.style["table"]["padding"] + 2, ctx.frame_width * 0.25)
    table = ruled_table(
        ctx,
        [dataset.column(label).label, dataset.column(body).label],
        [[r[label], r[body]] for r in rows],
        [False, False],
        [first, ctx.frame_width - first],
    )
    out.append(table)
    out += source_lines(ctx, [dataset])
    return out


@block("series_table", {"series", "year", "by", "unit", "group", "years_per_block"})
def series_table(spec: dict[str, Any], ctx: Any) -> list[Flowable] | None:
    """Years across, one row per series (and per place with ``by``), split into year blocks."""
    year_col = spec.get("year", "year")
    series = spec["series"]
    lines: list[tuple[str, dict[int, Any], Dataset, str]] = []
    datasets: list[Dataset] = []
    notes: list[str] = []
    for s in series:
        dataset = ctx.dataset(s["dataset"])
        rows = ctx.rows(s["dataset"], {**spec, **s})
        if not rows:
            continue
        ctx.use(dataset.id, rows)
        if dataset not in datasets:
            datasets.append(dataset)
        notes += [n for n in _row_notes(ctx, dataset, rows) if n not in notes]
        groups = _group_rows(rows, spec.get("by"))
        for place, group in groups:
            label = s.get("label", dataset.column(s["column"]).label)
            if place and ctx.target.is_region:  # a country pack needs no place name
                label = (
                    f"{ctx.place_name(place)}　{label}"
                    if len(series) > 1
                    else ctx.place_name(place)
                )
            lines.append((label, {r[year_col]: r for r in group}, dataset, s["column"]))
    if not lines:
        return None
    if spec.get("group") == "place":  # each place's series together: 輸出額, 輸入額, 貿易収支
        labels = [s.get("label") for s in series]
        lines.sort(key=lambda line: _place_order(ctx, line[0], labels))
    years = sorted({y for _, values, _, _ in lines for y in values})
    per_block = int(spec.get("years_per_block") or ctx.style["table"].get("max_year_columns", 13))
    out: list[Flowable] = [heading(ctx, spec["heading"])] if spec.get("heading") else []
    units = {s.get("unit", ctx.dataset(s["dataset"]).unit) for s in series}
    out += unit_line(ctx, spec.get("unit") or (units.pop() if len(units) == 1 else None))
    pad = ctx.style["table"]["padding"]
    bold = ctx.text_style("cell", font="bold")
    label_w = (
        max(JText(label, bold, ctx.fonts).natural_width() for label, *_ in lines) + 2 * pad + 2
    )
    year_w = (ctx.frame_width - label_w) / min(per_block, len(years))
    for start in range(0, len(years), per_block):
        chunk = years[start : start + per_block]
        body = []
        for label, values, dataset, column in lines:
            cells = []
            for y in chunk:
                row = values.get(y)
                text = (
                    cell_text(ctx, row, dataset, column) if row else ctx.style["numbers"]["missing"]
                )
                if row is not None and dataset.column("note") and row["note"]:
                    text = f"(注) {text}"
                cells.append(text)
            body.append([label, *cells])
        header = ["", *[f"{y}年" for y in chunk]]
        widths = [label_w] + [year_w] * len(chunk)
        out.append(ruled_table(ctx, header, body, [False] + [True] * len(chunk), widths))
        out.append(Spacer(1, 4))
    out += source_lines(ctx, datasets, notes)
    return out


def _place_order(ctx: Any, label: str, series_labels: list) -> tuple[int, int]:
    place = next((p for p in ctx.data.places.values() if label.startswith(p.name)), None)
    series_no = next((i for i, s in enumerate(series_labels) if s and label.endswith(s)), 0)
    return (place.order if place else 0, series_no)


def _group_rows(rows: list[Row], by: str | None) -> list[tuple[str | None, list[Row]]]:
    if not by:
        return [(None, rows)]
    groups: dict[str, list[Row]] = {}
    for r in rows:
        groups.setdefault(r[by], []).append(r)
    return list(groups.items())


@block("keyfigures", {"items"})
def keyfigures(spec: dict[str, Any], ctx: Any) -> list[Flowable] | None:
    """A short table of headline figures, each with its unit, year and source."""
    body = []
    datasets: list[Dataset] = []
    for item in spec["items"]:
        dataset = ctx.dataset(item["dataset"])
        rows = ctx.rows(item["dataset"], item)
        if not rows:
            ctx.log.append(f"key figure {item.get('label')}: no data for {ctx.target.code}")
            continue
        ctx.use(dataset.id, rows)
        if dataset not in datasets:
            datasets.append(dataset)
        for row in rows:
            value = cell_text(ctx, row, dataset, item.get("column", "value"))
            unit = item.get("unit", dataset.unit or "")
            when = f"{row['year']}年" if row["year"] else (row["note"] or "—")
            label = item["label"]
            if ctx.target.is_region and row["country"]:
                label = f"{ctx.place_name(row['country'])}：{label}"
            body.append([label, value, unit, when])
    if not body:
        return None
    out: list[Flowable] = [heading(ctx, spec["heading"])] if spec.get("heading") else []
    out.append(
        ruled_table(ctx, ["項目", "数値", "単位", "時点"], body, [False, True, False, False])
    )
    out += source_lines(ctx, datasets)
    return out


@block("ranking_table", {"dataset", "indices"})
def ranking_table(spec: dict[str, Any], ctx: Any) -> list[Flowable] | None:
    """Places down, indices across; each index's year, universe (「139カ国中」) and source."""
    dataset = ctx.dataset(spec["dataset"])
    rows = ctx.rows(spec["dataset"], spec)
    indices = ctx.dataset(spec["indices"])
    if not rows:
        return None
    ctx.use(dataset.id, rows)
    ctx.use(indices.id, indices.rows)
    missing = ctx.style["numbers"]["missing"]
    header = ["国名"] + [
        f"{i['name']}\n{i['year']}年順位\n（{i['universe_label']}）" for i in indices.rows
    ]
    places = sorted({r["country"] for r in rows}, key=lambda c: ctx.data.places[c].order)
    rank = {(r["country"], r["index"]): r["rank"] for r in rows}
    body = [
        [ctx.place_name(code)]
        + [
            f"{rank[(code, i['index'])]}位" if rank.get((code, i["index"])) else missing
            for i in indices.rows
        ]
        for code in places
    ]
    body.append(["出所"] + [i["source"] for i in indices.rows])
    n = len(indices.rows)
    first = ctx.frame_width * 0.14
    widths = [first] + [(ctx.frame_width - first) / n] * n
    out: list[Flowable] = [heading(ctx, spec["heading"])] if spec.get("heading") else []
    out.append(ruled_table(ctx, header, body, [False] + [True] * n, widths))
    out += source_lines(ctx, [dataset])
    return out
