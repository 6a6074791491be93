"""Commentary: numbers → Japanese sentences (ranking, share, threshold, trend, balance turns).

Every sentence is computed from the figures it describes, so it stays true when the data
changes; where a seed's own sentence contradicts its table, these follow the table.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from decimal import Decimal

Number = int | float | Decimal


def join_names(names: Sequence[str]) -> str:
    """カザフスタン / カザフスタンとウズベキスタン / A、B、C (Japanese enumeration)."""
    if len(names) <= 1:
        return "".join(names)
    if len(names) == 2:
        return f"{names[0]}と{names[1]}"
    return "、".join(names)


def ranking(subject: str, values: Sequence[tuple[str, Number]]) -> str | None:
    """「{subject}はAが最も多く、次いでB、C、D、Eの順となる。」"""
    ranked = _ranked(values)
    if len(ranked) < 2:
        return None
    tiers = _tiers(ranked)
    if len(tiers) == 1:
        return f"{subject}は{join_names(tiers[0])}が同じ値となる。"
    first = join_names(tiers[0]) + ("（同値）" if len(tiers[0]) > 1 else "")
    rest = [join_names(t) + ("（同値）" if len(t) > 1 else "") for t in tiers[1:]]
    if len(rest) == 1:
        return f"{subject}は{first}が最も多く、次いで{rest[0]}となる。"
    return f"{subject}は{first}が最も多く、次いで{'、'.join(rest)}の順となる。"


def _tiers(ranked: Sequence[tuple[str, Number]]) -> list[list[str]]:
    """Names grouped by equal value, largest first."""
    tiers: list[list[str]] = []
    last: float | None = None
    for name, value in ranked:
        if last is not None and float(value) == last:
            tiers[-1].append(name)
        else:
            tiers.append([name])
        last = float(value)
    return tiers


def rank_of(value: Number, values: Sequence[Number]) -> str:
    """「4位」, or 「2位（同順位）」 when another place has the same value."""
    rank = 1 + sum(1 for v in values if float(v) > float(value))
    tied = sum(1 for v in values if float(v) == float(value)) > 1
    return f"{rank}位（同順位）" if tied else f"{rank}位"


def top_share(values: Sequence[tuple[str, Number]], top: int = 2) -> str | None:
    """「上位のAとBで全体の80.2%を占め、8割を超える。」"""
    ranked = _ranked(values)
    total = sum(float(v) for _, v in ranked)
    if len(ranked) <= top or total <= 0:
        return None
    share = round(100 * sum(float(v) for _, v in ranked[:top]) / total, 1)
    names = join_names([name for name, _ in ranked[:top]])
    floor = math.floor(share / 10)
    if floor >= 1 and share > floor * 10:
        return f"上位の{names}で全体の{share:.1f}%を占め、{floor}割を超える。"
    return f"上位の{names}で全体の{share:.1f}%を占める。"


def share_over_years(
    years: Sequence[int],
    series: dict[str, Sequence[Number | None]],
    top: int,
    what: str,
) -> str | None:
    """「{what}は、上位のAとBの合計が各年とも全体の70%を超える（最低は2019年の71.2%）。」

    The top places are those of the latest year; the lowest share over all years gives the
    threshold, floored to a multiple of ten.
    """
    latest = [(name, vals[-1]) for name, vals in series.items() if vals and vals[-1] is not None]
    ranked = _ranked(latest)
    if len(ranked) <= top:
        return None
    leaders = [name for name, _ in ranked[:top]]
    shares = []
    for i, year in enumerate(years):
        column = [vals[i] for vals in series.values()]
        if any(v is None for v in column):
            continue
        total = sum(float(v) for v in column)
        if total > 0:
            shares.append((year, 100 * sum(float(series[n][i]) for n in leaders) / total))
    if not shares:
        return None
    low_year, low = min(shares, key=lambda ys: ys[1])
    low = round(low, 1)
    threshold = math.floor(low / 10) * 10
    span = f"{shares[0][0]}〜{shares[-1][0]}年"
    names = join_names(leaders)
    if threshold <= 0:
        return None
    relation = "以上となる" if low == threshold else "を超える"
    return (
        f"{what}は、上位の{names}の合計が{span}の各年とも全体の{threshold}%{relation}"
        f"（最低は{low_year}年の{low:.1f}%）。"
    )


def above_threshold(
    subject: str, values: Sequence[tuple[str, Number]], threshold: Number, label: str
) -> str | None:
    """「{subject}はAとBの2カ国が1万ドルを超える水準。」"""
    above = [name for name, v in _ranked(values) if float(v) > float(threshold)]
    if not above:
        return f"{subject}が{label}を超える国はない。"
    count = f"の{len(above)}カ国" if len(above) > 1 else ""
    return f"{subject}は{join_names(above)}{count}が{label}を超える水準。"


def trend(
    name: str,
    years: Sequence[int],
    values: Sequence[Number | None],
    what: str,
    fmt: Callable[[Number], str] | None = None,
) -> str | None:
    """「Aの{what}は2000年の702から2024年の3,110へ増加（最高は2024年）。」

    ``fmt`` prints a value in its column's format with its unit (「702ドル」).
    """
    fmt = fmt or _fmt
    points = [(y, v) for y, v in zip(years, values, strict=True) if v is not None]
    if len(points) < 2:
        return None
    (y0, v0), (y1, v1) = points[0], points[-1]
    peak = max(float(v) for _, v in points)
    peak_years = "・".join(f"{y}年" for y, v in points if float(v) == peak)
    direction = "増加" if float(v1) > float(v0) else "減少" if float(v1) < float(v0) else "同水準"
    change = "へ" + direction if direction != "同水準" else "で同水準"
    return f"{name}の{what}は{y0}年の{fmt(v0)}から{y1}年の{fmt(v1)}{change}（最高は{peak_years}）。"


def balance_pattern(
    name: str, years: Sequence[int], balances: Sequence[Number | None]
) -> str | None:
    """Sign pattern of a trade balance: 出超 (surplus) / 入超 (deficit), turning points, exceptions.

    - the same sign throughout: 「Aは2000〜2024年を通じて出超。」
    - a run at the end after a change: 「Aは2023年以降は出超（それ以前は入超）。」
    - one or two exceptions: 「Aは2018年を除き出超。」
    """
    zeros = [y for y, v in zip(years, balances, strict=True) if v is not None and v == 0]
    sentence = _balance_signs(name, years, balances)
    if sentence and zeros:
        sentence += f"{'、'.join(f'{y}年' for y in zeros)}は収支ゼロ。"
    return sentence


def _balance_signs(
    name: str, years: Sequence[int], balances: Sequence[Number | None]
) -> str | None:
    points = [(y, v) for y, v in zip(years, balances, strict=True) if v is not None and v != 0]
    if not points:
        return None
    signs = [("出超" if float(v) > 0 else "入超") for _, v in points]
    span = f"{points[0][0]}〜{points[-1][0]}年"
    if len(set(signs)) == 1:
        return f"{name}は{span}を通じて{signs[0]}。"
    last = signs[-1]
    run_start = len(signs) - 1
    while run_start > 0 and signs[run_start - 1] == last:
        run_start -= 1
    majority = max(set(signs), key=signs.count)
    exceptions = [points[i][0] for i, s in enumerate(signs) if s != majority]
    if majority == last and len(exceptions) <= 3:
        years_text = "、".join(f"{y}年" for y in exceptions)
        return f"{name}は{span}のうち{years_text}を除き{majority}。"
    other = "入超" if last == "出超" else "出超"
    before = signs[:run_start]
    odd = [points[i][0] for i, s in enumerate(before) if s != other]
    if not odd:
        earlier = f"それ以前は{other}"
    elif len(odd) <= 2:
        earlier = f"それ以前は{'、'.join(f'{y}年' for y in odd)}を除き{other}"
    else:
        earlier = "それ以前は出超と入超が入れ替わる"
    return f"{name}は{points[run_start][0]}年以降は{last}（{earlier}）。"


def _ranked(values: Sequence[tuple[str, Number | None]]) -> list[tuple[str, Number]]:
    present = [(n, v) for n, v in values if v is not None]
    return sorted(present, key=lambda nv: float(nv[1]), reverse=True)


def _fmt(value: Number) -> str:
    return f"{value:,}"


def with_unit(text: str, unit: str | None) -> str:
    """A figure with its unit: 「2,470ドル」「43.0%」, or 「17.49（10億ドル）」 for a unit
    that starts with a number (「17.4910億ドル」 would misread)."""
    if not unit:
        return text
    return f"{text}（{unit}）" if unit[0].isdigit() else f"{text}{unit}"
