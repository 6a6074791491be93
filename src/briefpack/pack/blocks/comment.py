"""Commentary block: dataset rows → generated sentences that stay true when the data changes.

Ranks and shares compare one value per place for one year (the latest year with a value);
a place shown without a value for that year is named, never silently left out of a
denominator or counted twice.
"""

from __future__ import annotations

from typing import Any

from ... import commentary
from ...datalayer import Dataset, Row
from ..model import Block, Bullets, Gap
from ..reads import place_column, time_column
from . import Context, block

COMPARISONS = ("ranking", "top_share", "above", "rank_among")


@block("commentary", {"items"})
def commentary_block(spec: dict[str, Any], ctx: Context) -> Block | None:
    sentences: list[str] = []
    for item in spec["items"]:
        only = item.get("only")
        if only == "region" and not ctx.target.is_region:
            continue
        if only == "country" and ctx.target.is_region:
            continue
        dataset = ctx.reads.dataset(item["dataset"])
        if item["kind"] in COMPARISONS:
            new = _comparison(item, dataset, ctx)
        else:
            rows = ctx.select(item)
            if not rows:
                continue
            ctx.shown(dataset, rows)
            new = KINDS[item["kind"]](item, rows, ctx)
        sentences += [s for s in new if s and s not in sentences]
    if not sentences:
        return None
    return Block("commentary", (Bullets(tuple(sentences)), Gap(4.5)))


def compared_values(
    dataset: Dataset, rows: list[Row], places: list[str], value: str
) -> tuple[int | None, list[tuple[str, Any]], list[str]]:
    """One value per place for the latest year with a value: (year, values, places without).

    A dataset without a year column compares its rows as they are, one per place.
    """
    pcol, ycol = place_column(dataset), time_column(dataset)
    with_value = [r for r in rows if r[value] is not None and r[pcol] in places]
    if ycol:
        years = [r[ycol] for r in with_value if r[ycol] is not None]
        year = max(years) if years else None
        with_value = [r for r in with_value if r[ycol] == year]
    else:
        year = None
    by_place: dict[str, Any] = {}
    for r in with_value:
        by_place.setdefault(r[pcol], r[value])  # one value per place
    values = [(code, by_place[code]) for code in places if code in by_place]
    missing = [code for code in places if code not in by_place]
    return year, values, missing


def _comparison(item: dict, dataset: Dataset, ctx: Context) -> list[str | None]:
    """Ranking, top share, threshold and rank among the region: one year, every place."""
    if item["kind"] == "rank_among":
        region = ctx.reads.region_of(ctx.target.code)
        if region is None:
            return []
        places = list(region.members)
    else:
        region = ctx.target
        places = ctx.reads.members(ctx.target.code)
    rows = ctx.reads.rows(dataset.id, places, item.get("where"))
    year, values, missing = compared_values(dataset, rows, places, item["value"])
    if not values:
        return []
    used = [
        r
        for r in rows
        if r[place_column(dataset)] in dict(values)
        and (year is None or r[time_column(dataset)] == year)
    ]
    ctx.shown(dataset, used)
    years = {year} if year else set()
    named = [(ctx.reads.place_name(code), v) for code, v in values]
    subject = ctx.fill(item.get("subject", ""), years)
    out: list[str | None] = []
    kind = item["kind"]
    if kind == "ranking":
        out.append(commentary.ranking(subject, named))
    elif kind == "top_share":
        out.append(commentary.top_share(named, int(item.get("top", 2))))
    elif kind == "above":
        out.append(commentary.above_threshold(subject, named, item["threshold"], item["label"]))
    else:
        out.append(_rank_among(item, dataset, region.name, values, subject, ctx))
    if missing and any(out):
        when = f"{year}年の" if year else ""
        names = commentary.join_names([ctx.reads.place_name(c) for c in missing])
        out.append(f"{names}は{when}値なし（比較に含めず）。")
    return out


def _rank_among(
    item: dict, dataset: Dataset, region: str, values: list, subject: str, ctx: Context
) -> str | None:
    """「キルギスの2024年のドル建て名目GDP額は17.49（10億ドル）で、中央アジア5カ国中4位。」"""
    own = dict(values).get(ctx.target.code)
    if own is None:
        return None
    rank = commentary.rank_of(own, [v for _, v in values])
    figure = commentary.with_unit(
        ctx.number(own, dataset, item["value"]), ctx.unit(dataset, item["value"])
    )
    return f"{ctx.target.name}の{subject}は{figure}で、{region}{len(values)}カ国中{rank}。"


def _series(rows: list, value: str, pcol: str) -> dict[str, tuple[list[int], list[Any]]]:
    out: dict[str, tuple[list[int], list[Any]]] = {}
    for r in sorted(rows, key=lambda r: (r[pcol], r["year"])):
        years, values = out.setdefault(r[pcol], ([], []))
        years.append(r["year"])
        values.append(r[value])
    return out


def _trend(item: dict, rows: list, ctx: Context) -> list[str | None]:
    series = _series(rows, item["value"], "country")
    dataset = ctx.reads.dataset(item["dataset"])

    def fmt(value: Any) -> str:
        number = ctx.number(value, dataset, item["value"])
        return commentary.with_unit(number, ctx.unit(dataset, item["value"]))

    return [
        commentary.trend(ctx.reads.place_name(code), *series[code], item["what"], fmt)
        for code in sorted(series, key=ctx.reads.order)
    ]


def _balance(item: dict, rows: list, ctx: Context) -> list[str | None]:
    series = _series(rows, item["value"], "country")
    return [
        commentary.balance_pattern(ctx.reads.place_name(code), *series[code])
        for code in sorted(series, key=ctx.reads.order)
    ]


def _share_over_years(item: dict, rows: list, ctx: Context) -> list[str | None]:
    """Shares over the years in which every place shown has a value; the others are named."""
    series = _series(rows, item["value"], "country")
    years = sorted({r["year"] for r in rows})
    aligned = {
        code: [dict(zip(ys, vs, strict=True)).get(y) for y in years]
        for code, (ys, vs) in series.items()
    }
    complete = [i for i, _ in enumerate(years) if all(v[i] is not None for v in aligned.values())]
    if not complete:
        return []
    named = {
        ctx.reads.place_name(code): [values[i] for i in complete]
        for code, values in sorted(aligned.items(), key=lambda cv: ctx.reads.order(cv[0]))
    }
    sentence = commentary.share_over_years(
        [years[i] for i in complete], named, int(item.get("top", 2)), item["what"]
    )
    skipped = [y for i, y in enumerate(years) if i not in complete]
    if sentence and skipped:
        lacking = [
            ctx.reads.place_name(code)
            for code, values in aligned.items()
            if any(values[years.index(y)] is None for y in skipped)
        ]
        sentence += (
            f"{'、'.join(f'{y}年' for y in skipped)}は{commentary.join_names(lacking)}の"
            "値がないため含めず。"
        )
    return [sentence]


KINDS = {
    "trend": _trend,
    "balance": _balance,
    "share_over_years": _share_over_years,
}
