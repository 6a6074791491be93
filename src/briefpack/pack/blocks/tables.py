"""Table blocks: dataset rows → tables (records, year series, timelines, key figures, ranks)."""

from __future__ import annotations

from typing import Any

from ...datalayer import Dataset, Row
from ..model import Block, Caption, Gap, Heading, TableItem, UnitLine
from ..reads import place_column, time_column, year_column
from . import Context, _bare, block, data_time, note_mark, row_source, year_notes

NUMERIC = ("int", "decimal")


def cell_text(ctx: Context, row: Row, dataset: Dataset, column: str) -> str:
    col = dataset.column(column)
    value = row[column]
    if col is not None and col.type == "place":
        return ctx.reads.place_name(value) if value else ctx.numbers["missing"]
    if col is not None and col.type in NUMERIC:
        return ctx.number(value, dataset, column)
    if value is None:
        return ctx.numbers["missing"]
    if col is not None and col.type == "year":
        return f"{value}年"
    return str(value)


def row_notes(ctx: Context, dataset: Dataset, rows: list[Row]) -> list[str]:
    """Notes written in the rows' ``note`` cells, each naming the places and years it is for.

    The same note on several rows is printed once with every place it concerns; a note the
    dataset's own notes already say is not printed twice.
    """
    return list(row_note_lines(ctx, dataset, rows).values())


def row_note_lines(ctx: Context, dataset: Dataset, rows: list[Row]) -> dict[str, str]:
    """Each ``note`` cell's text → the 注 line that prints it (see :func:`row_notes`)."""
    if dataset.column("note") is None:
        return {}
    pcol, ycol = place_column(dataset), year_column(dataset)
    said = [n.text for n in dataset.notes]
    by_text: dict[str, list[str]] = {}
    for r in rows:
        note = r["note"]
        if not note or any(note.split("：")[-1].rstrip("。") in text for text in said):
            continue
        who = ctx.reads.place_name(r[pcol]) if pcol and r[pcol] else ""
        when = f"{r[ycol]}年" if ycol and r[ycol] else ""
        what = r["mineral"] or r["partner"] or ""
        when = f"・{what}" if what and not when else when
        label = f"{who}{when}"
        if label not in by_text.setdefault(note, []):
            by_text[note].append(label)
    return {
        note: f"{'、'.join(filter(None, labels))}：{note}".lstrip("：")
        for note, labels in by_text.items()
    }


def _heading(spec: dict[str, Any], ctx: Context, years: set[int]) -> list:
    return [Heading(ctx.fill(spec["heading"], years))] if spec.get("heading") else []


def _years(dataset: Dataset, rows: list[Row]) -> set[int]:
    ycol = time_column(dataset)
    return {r[ycol] for r in rows if ycol and r[ycol] is not None}


@block("table", {"dataset", "columns", "widths", "unit", "sort"})
def records_table(spec: dict[str, Any], ctx: Context) -> Block | None:
    """One table row per dataset row; ``columns`` picks and orders the columns shown."""
    dataset = ctx.reads.dataset(spec["dataset"])
    rows = ctx.select(spec)
    if not rows:
        return None
    if spec.get("sort"):
        rows = sorted(rows, key=lambda r: tuple(_sortable(r[c]) for c in spec["sort"]))
    hidden = {"note", "source", "publication"}
    names = spec.get("columns") or [c.name for c in dataset.columns if c.name not in hidden]
    columns = [dataset.column(n) for n in names]
    header = tuple(
        c.label + (f"（{ctx.unit(dataset, c.name)}）" if c.unit else "") for c in columns
    )
    numeric = tuple(c.type in NUMERIC for c in columns)
    body = tuple(tuple(cell_text(ctx, r, dataset, n) for n in names) for r in rows)
    highlight = ()
    pcol = place_column(dataset)
    if ctx.highlight(spec) and pcol:
        highlight = tuple(i for i, r in enumerate(rows) if r[pcol] == ctx.target.code)
    widths = tuple(spec["widths"]) if spec.get("widths") else None
    scaled = [c.name for c in columns if c.scale and not c.unit]
    unit = spec.get("unit", ctx.unit(dataset, scaled[0]) if scaled else dataset.unit)
    out: list = _heading(spec, ctx, _years(dataset, rows))
    out += [UnitLine(unit)] if unit else []
    out.append(TableItem(header, body, numeric, widths, highlight=highlight))
    notes = year_notes(ctx, dataset, rows) + row_notes(ctx, dataset, rows)
    out += ctx.caption(dataset, rows, notes)
    return Block("table", tuple(out))


def _sortable(value: Any) -> tuple[int, Any]:
    return (1, 0) if value is None else (0, value)


@block("timeline", {"dataset"})
def timeline(spec: dict[str, Any], ctx: Context) -> Block | None:
    """Period label beside the event, in the published order (labels kept as published)."""
    dataset = ctx.reads.dataset(spec["dataset"])
    rows = sorted(ctx.select(spec), key=lambda r: (r["year"], r["order"]))
    if not rows:
        return None
    title = spec.get("heading")
    era = (spec.get("where") or {}).get("era")
    if title is None and era:
        title = dataset.meta.get("eras", {}).get(era, {}).get("title")
    out: list = [Heading(ctx.fill(title, _years(dataset, rows)))] if title else []
    label, text = dataset.column("label"), dataset.column("text")
    body = tuple((r["label"], r["text"]) for r in rows)
    out.append(TableItem((label.label, text.label), body, (False, False), label_width=True))
    out += ctx.caption(dataset, rows)
    return Block("timeline", tuple(out))


@block("series_table", {"series", "by", "unit", "group", "years_per_block"})
def series_table(spec: dict[str, Any], ctx: Context) -> Block | None:
    """Years across, one row per series (and per place with ``by``), split into year blocks."""
    series = spec["series"]
    lines: list[tuple[tuple[int, int], str, dict[int, Row], Dataset, str]] = []
    shown: list[tuple[Dataset, list[Row]]] = []
    notes: list[str] = []
    note_line: dict[tuple[str, str], str] = {}  # (dataset, note cell) → its 注 line
    for s_no, s in enumerate(series):
        dataset = ctx.reads.dataset(s["dataset"])
        rows = ctx.select({**spec, **s})
        if not rows:
            continue
        shown.append((dataset, rows))
        for raw, line in row_note_lines(ctx, dataset, rows).items():
            note_line[(dataset.id, raw)] = line
            notes += [line] if line not in notes else []
        for place, group in _group_rows(rows, spec.get("by")):
            label = s.get("label", dataset.column(s["column"]).label)
            if place and ctx.target.is_region:  # a country pack needs no place name
                name = ctx.reads.place_name(place)
                label = f"{name}　{label}" if len(series) > 1 else name
            order = (ctx.reads.order(place) if place else 0, s_no)
            year_col = year_column(dataset)
            lines.append((order, label, {r[year_col]: r for r in group}, dataset, s["column"]))
    if not lines:
        return None
    if spec.get("group") == "place":  # each place's series together: 輸出額, 輸入額, 貿易収支
        lines.sort(key=lambda line: line[0])
    years = sorted({y for _, _, values, _, _ in lines for y in values if y is not None})
    per_block = int(spec.get("years_per_block") or ctx.year_columns)
    captions = merge_captions([ctx.caption(dataset, rows, notes)[0] for dataset, rows in shown])
    all_notes = captions[0].notes
    out: list = _heading(spec, ctx, set(years))
    units = {s.get("unit", ctx.unit(ctx.reads.dataset(s["dataset"]), s["column"])) for s in series}
    unit = spec.get("unit") or (units.pop() if len(units) == 1 else None)
    out += [UnitLine(unit)] if unit else []
    # a place's series (輸出額, 輸入額, 貿易収支) stay on one page: a table breaks between places
    places = [order[0] for order, *_ in lines]
    groups = (
        tuple(i for i, p in enumerate(places) if i == 0 or p != places[i - 1])
        if spec.get("group") == "place" and len(series) > 1
        else ()
    )
    for chunk in _spread(years, per_block):
        body = []
        for _, label, values, dataset, column in lines:
            cells = []
            for y in chunk:
                row = values.get(y)
                text = cell_text(ctx, row, dataset, column) if row else ctx.numbers["missing"]
                line = note_line.get((dataset.id, row["note"])) if row is not None else None
                if line in all_notes:  # the cell points to its note: （注）5 / （注2）5
                    text = f"{note_mark(all_notes, line)}{text}"
                cells.append(text)
            body.append((label, *cells))
        header = ("", *[f"{y}年" for y in chunk])
        numeric = (False,) + (True,) * len(chunk)
        out += [TableItem(header, tuple(body), numeric, label_width=True, groups=groups), Gap(4)]
    out += captions
    return Block("series_table", tuple(out))


def _spread(years: list, most: int) -> list[list]:
    """``years`` in as few blocks of at most ``most`` as they need, spread evenly: next
    year's row makes 9 + 9 + 9 of 27 years, never 13 + 13 + 1."""
    blocks = -(-len(years) // most)
    size = -(-len(years) // blocks) if blocks else most
    return [years[i : i + size] for i in range(0, len(years), size)]


def _group_rows(rows: list[Row], by: str | None) -> list[tuple[str | None, list[Row]]]:
    if not by:
        return [(None, rows)]
    groups: dict[str, list[Row]] = {}
    for r in rows:
        groups.setdefault(r[by], []).append(r)
    return list(groups.items())


@block("keyfigures", {"items"})
def keyfigures(spec: dict[str, Any], ctx: Context) -> Block | None:
    """A short table of headline figures, each with its unit, year and source."""
    body = []
    captions: list = []
    for item in spec["items"]:
        dataset = ctx.reads.dataset(item["dataset"])
        rows = ctx.select({**{k: spec[k] for k in ("scope",) if k in spec}, **item})
        if not rows:
            ctx.log.append(f"key figure {item.get('label')}: no data for {ctx.target.code}")
            continue
        for row in rows:
            value = cell_text(ctx, row, dataset, item.get("column", "value"))
            unit = item.get("unit", ctx.unit(dataset, item.get("column", "value")) or "")
            ycol = year_column(dataset)
            when = f"{row[ycol]}年" if ycol and row[ycol] else (row["note"] or "—")
            label = item["label"]
            pcol = place_column(dataset)
            if ctx.target.is_region and pcol and row[pcol]:
                label = f"{ctx.reads.place_name(row[pcol])}：{label}"
            body.append((label, value, unit, when))
        captions += ctx.caption(dataset, rows)[:1]
    if not body:
        return None
    out: list = _heading(spec, ctx, set())
    out.append(
        TableItem(("項目", "数値", "単位", "時点"), tuple(body), (False, True, False, False))
    )
    out += merge_captions(captions)
    return Block("keyfigures", tuple(out))


def merge_captions(captions: list) -> list:
    """One 出所 line and one set of 注 for several datasets shown together."""
    sources: list[str] = []
    notes: list[str] = []
    for c in captions:
        sources += [s for s in c.sources if s not in sources]
        notes += [n for n in c.notes if n not in notes]
    return [Caption(tuple(sources), tuple(notes)), Gap(9)]


@block("ranking_table", {"dataset", "indices"})
def ranking_table(spec: dict[str, Any], ctx: Context) -> Block | None:
    """Places down, indices across; each index's year, universe (「139カ国中」) and source."""
    dataset = ctx.reads.dataset(spec["dataset"])
    rows = ctx.select(spec)
    if not rows:
        return None
    indices_set = ctx.reads.dataset(spec["indices"])
    indices = ctx.reads.rows(spec["indices"], None)
    missing = ctx.numbers["missing"]
    header = ("国名",) + tuple(
        f"{i['name']}\n{i['year']}年順位\n（{i['universe_label']}）" for i in indices
    )
    places = sorted({r["country"] for r in rows}, key=ctx.reads.order)
    rank = {(r["country"], r["index"]): r["rank"] for r in rows}
    body = [
        (ctx.reads.place_name(code),)
        + tuple(
            f"{rank[(code, i['index'])]}位" if rank.get((code, i["index"])) else missing
            for i in indices
        )
        for code in places
    ]
    n = len(indices)
    widths = (0.14,) + ((1 - 0.14) / n,) * n
    highlight = ()
    if ctx.highlight(spec):
        highlight = tuple(i for i, code in enumerate(places) if code == ctx.target.code)
    out: list = _heading(spec, ctx, set())
    out.append(TableItem(header, tuple(body), (False,) + (True,) * n, widths, highlight=highlight))
    ctx.shown(indices_set, indices)
    caption, gap = ctx.caption(dataset, rows)
    sources = index_sources(indices_set, indices)
    out += [Caption(sources, caption.notes), gap]
    return Block("ranking_table", tuple(out))


def index_sources(indices_set: Dataset, indices: list[Row]) -> tuple[str, ...]:
    """One 出所 entry per distinct source, naming the indices it ranks and their year.

    「イノベーション指数：世界知的所有権機関（WIPO）（2025年）」: each index's publisher is
    printed once, under the table (not in a row of the table and again in the 出所 line).
    """
    groups: dict[str, list[Row]] = {}
    for index in indices:
        groups.setdefault(_bare(row_source(indices_set, index)[0]), []).append(index)
    entries = []
    for source, group in groups.items():
        years = [i["year"] for i in group if i["year"]]
        when = f"{max(years)}年" if years else data_time(indices_set, group)
        entries.append(f"{'、'.join(i['name'] for i in group)}：{source}（{when}）")
    return tuple(entries)
