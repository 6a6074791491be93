"""Generated commentary: each kind of sentence, on the seeds' own figures."""

from __future__ import annotations

from decimal import Decimal

from briefpack import commentary
from briefpack.datalayer import load

from .conftest import DATA

GDP_2024 = [
    ("ウズベキスタン", Decimal("114.96")),
    ("カザフスタン", Decimal("291.48")),
    ("キルギス", Decimal("17.49")),
    ("タジキスタン", Decimal("14.20")),
    ("トルクメニスタン", Decimal("68.68")),
]


def test_ranking_sentence_matches_the_seed() -> None:
    assert commentary.ranking("2024年のドル建て名目GDP額", GDP_2024) == (
        "2024年のドル建て名目GDP額はカザフスタンが最も多く、次いでウズベキスタン、"
        "トルクメニスタン、キルギス、タジキスタンの順となる。"
    )


def test_top_share_is_computed_not_copied() -> None:
    # (291.48 + 114.96) / 506.81 = 80.2 %: the seed's 「全体の80%を超える」.
    assert commentary.top_share(GDP_2024, top=2) == (
        "上位のカザフスタンとウズベキスタンで全体の80.2%を占め、8割を超える。"
    )


def test_threshold_sentence() -> None:
    per_capita_2024 = [
        ("ウズベキスタン", 3110),
        ("カザフスタン", 14460),
        ("キルギス", 2470),
        ("タジキスタン", 1390),
        ("トルクメニスタン", 10410),
    ]
    assert commentary.above_threshold(
        "2024年の1人当たりGDP", per_capita_2024, 10000, "1万ドル"
    ) == ("2024年の1人当たりGDPはカザフスタンとトルクメニスタンの2カ国が1万ドルを超える水準。")
    assert commentary.above_threshold("X", [("A", 1)], 10, "10") == "Xが10を超える国はない。"


def test_trend_sentence() -> None:
    assert commentary.trend("キルギス", [2000, 2012, 2024], [281, 1190, 2470], "1人当たりGDP") == (
        "キルギスの1人当たりGDPは2000年の281から2024年の2,470へ増加（最高は2024年）。"
    )


def balances(code: str) -> tuple[list[int], list[int]]:
    rows = [r for r in load(DATA).datasets["japan_trade"].rows if r["country"] == code]
    return [r["year"] for r in rows], [r["balance"] for r in rows]


def test_kazakhstan_balance_follows_the_table_not_the_seed_sentence() -> None:
    # The seed says 「2023年以降は入超」; its table shows surpluses in 2023 and 2024.
    years, values = balances("kz")
    assert commentary.balance_pattern("カザフスタン", years, values) == (
        "カザフスタンは2023年以降は出超（それ以前は2013年を除き入超）。"
    )


def test_kyrgyzstan_balance_names_its_exceptions() -> None:
    years, values = balances("kg")
    assert commentary.balance_pattern("キルギス", years, values) == (
        "キルギスは2000〜2024年のうち2002年、2003年、2018年を除き出超。"
    )


def test_turkmenistan_balance_is_a_surplus_throughout() -> None:
    years, values = balances("tm")
    assert commentary.balance_pattern("トルクメニスタン", years, values) == (
        "トルクメニスタンは2000〜2024年を通じて出超。"
    )


def test_share_over_years() -> None:
    data = load(DATA)
    rows = data.datasets["japanese_companies"].rows
    years = sorted({r["year"] for r in rows})
    names = {p.code: p.name for p in data.places.values()}
    series = {
        names[c]: [
            next(r["count"] for r in rows if r["country"] == c and r["year"] == y) for y in years
        ]
        for c in ("uz", "kz", "kg", "tj", "tm")
    }
    sentence = commentary.share_over_years(years, series, 2, "日系企業の拠点数")
    assert sentence.startswith(
        "日系企業の拠点数は、上位のウズベキスタンとカザフスタンの合計が2012〜2024年の各年とも全体の70%を超える"
    )


def test_latest_date_counts_a_month_as_its_end() -> None:
    from briefpack.formatting import latest

    assert latest(["2025-09", "2025-09-15", "2024"]) == "2025-09"
    assert latest(["2024", "2025-12"]) == "2025-12"
    assert latest(["2025", "2025-06"]) == "2025"
