"""Commentary block: dataset rows → generated sentences that stay true when the data changes."""

from __future__ import annotations

from typing import Any

from reportlab.platypus import Flowable, Spacer

from .. import commentary
from ..formatting import format_number
from . import block
from .text import bullet_list

SERIES_KINDS = ("trend", "balance")


@block("commentary", {"items"})
def commentary_block(spec: dict[str, Any], ctx: Any) -> list[Flowable] | None:
    sentences = []
    for item in spec["items"]:
        only = item.get("only")
        if only == "region" and not ctx.target.is_region:
            continue
        if only == "country" and ctx.target.is_region:
            continue
        rows = ctx.rows(item["dataset"], item)
        if not rows:
            continue
        ctx.use(item["dataset"], rows)
        sentences += [s for s in KINDS[item["kind"]](item, rows, ctx) if s]
    if not sentences:
        return None
    return [*bullet_list(ctx, sentences), Spacer(1, ctx.style["text"]["block_gap"] / 2)]


def _by_place(rows: list, value: str, ctx: Any) -> list[tuple[str, Any]]:
    return [(ctx.place_name(r["country"]), r[value]) for r in rows]


def _ranking(item: dict, rows: list, ctx: Any) -> list[str | None]:
    return [commentary.ranking(item["subject"], _by_place(rows, item["value"], ctx))]


def _top_share(item: dict, rows: list, ctx: Any) -> list[str | None]:
    return [commentary.top_share(_by_place(rows, item["value"], ctx), int(item.get("top", 2)))]


def _above(item: dict, rows: list, ctx: Any) -> list[str | None]:
    values = _by_place(rows, item["value"], ctx)
    return [commentary.above_threshold(item["subject"], values, item["threshold"], item["label"])]


def _series(rows: list, value: str) -> dict[str, tuple[list[int], list[Any]]]:
    out: dict[str, tuple[list[int], list[Any]]] = {}
    for r in sorted(rows, key=lambda r: (r["country"], r["year"])):
        years, values = out.setdefault(r["country"], ([], []))
        years.append(r["year"])
        values.append(r[value])
    return out


def _ordered(series: dict, ctx: Any) -> list[str]:
    return sorted(series, key=lambda code: ctx.data.places[code].order)


def _trend(item: dict, rows: list, ctx: Any) -> list[str | None]:
    series = _series(rows, item["value"])
    return [
        commentary.trend(ctx.place_name(code), *series[code], item["what"])
        for code in _ordered(series, ctx)
    ]


def _balance(item: dict, rows: list, ctx: Any) -> list[str | None]:
    series = _series(rows, item["value"])
    return [
        commentary.balance_pattern(ctx.place_name(code), *series[code])
        for code in _ordered(series, ctx)
    ]


def _share_over_years(item: dict, rows: list, ctx: Any) -> list[str | None]:
    series = _series(rows, item["value"])
    years = sorted({r["year"] for r in rows})
    complete = {
        ctx.place_name(code): values for code, (ys, values) in series.items() if ys == years
    }
    return [commentary.share_over_years(years, complete, int(item.get("top", 2)), item["what"])]


def _rank_among(item: dict, rows: list, ctx: Any) -> list[str | None]:
    """「キルギスの2024年の名目GDP額は17.49（10億ドル）で、中央アジア5カ国中4位。」"""
    region = next(
        (p for p in ctx.data.places.values() if p.is_region and ctx.target.code in p.members), None
    )
    if region is None:
        return []
    peers = ctx.rows(item["dataset"], {**item, "scope": "all"})
    peers = [r for r in peers if r["country"] in region.members and r[item["value"]] is not None]
    ctx.use(item["dataset"], peers)
    ranked = sorted(peers, key=lambda r: float(r[item["value"]]), reverse=True)
    own = next((i for i, r in enumerate(ranked) if r["country"] == ctx.target.code), None)
    if own is None:
        return []
    unit = ctx.dataset(item["dataset"]).unit or ""
    value = format_number(ranked[own][item["value"]], ctx.style["numbers"]["negative_prefix"])
    return [
        f"{ctx.target.name}の{item['subject']}は{value}（{unit}）で、"
        f"{region.name}{len(ranked)}カ国中{own + 1}位。"
    ]


KINDS = {
    "ranking": _ranking,
    "top_share": _top_share,
    "above": _above,
    "trend": _trend,
    "balance": _balance,
    "share_over_years": _share_over_years,
    "rank_among": _rank_among,
}
