#!/usr/bin/env python3
"""Check the seed-004 datasets in data/datasets/ against the seed text, cell by cell.

Independent of tools/transcribe_seed004.py: every CSV value is rendered back into the
form the seed prints (thousands separators, `△ `, `万`, `位`, ` %`, `—`) and compared
with the seed cell found by row label and column header. It also checks that every
seed table cell has a CSV row (no missing / extra rows) and that the metadata
(source, unit, as_of, seed_ref, publication, key uniqueness) is consistent.

Usage: python3 tools/verify_seed004.py [SEED_PATH]   (exit 1 on any mismatch)
"""

from __future__ import annotations

import csv
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DS = ROOT / "data" / "datasets"
SEED = (
    Path(sys.argv[1])
    if len(sys.argv) > 1
    else ROOT.parent / "shared" / "seeds" / "004_a436690e7219a919.txt"
)

LINES = SEED.read_text(encoding="utf-8").split("\n")
with open(ROOT / "data" / "places.csv", encoding="utf-8", newline="") as _f:
    NAME = {r["code"]: r["name"] for r in csv.DictReader(_f) if r["kind"] == "country"}
CODES = list(NAME)

errors: list[str] = []


def note_texts(meta: dict) -> list[str]:
    """Dataset notes as text (a note may be a table with ``text`` and ``places``)."""
    return [n if isinstance(n, str) else n["text"] for n in meta.get("notes", [])]


checked = 0  # all assertions
cells_checked = 0  # CSV cells compared with a seed cell


def check(ok: bool, what: str) -> None:
    global checked
    checked += 1
    if not ok:
        errors.append(what)


def cell(ok: bool, what: str, n: int = 1) -> None:
    """A comparison of n CSV cells with the seed."""
    global cells_checked
    cells_checked += n
    check(ok, what)


def load(ds: str):
    with open(DS / f"{ds}.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    meta = tomllib.loads((DS / f"{ds}.toml").read_text(encoding="utf-8"))
    return rows, meta


def window(start_text: str, end_text: str | None) -> list[str]:
    s = next(i for i, ln in enumerate(LINES) if start_text in ln)
    e = (
        len(LINES)
        if end_text is None
        else next(i for i in range(s + 1, len(LINES)) if end_text in LINES[i])
    )
    return LINES[s:e]


def commas(v: str) -> str:
    """'1234567.8' -> '1,234,567.8' (rendering only)."""
    ip, _, fp = v.partition(".")
    out = f"{int(ip):,}"
    return out + ("." + fp if fp else "")


def printed_num(v: str) -> str:
    if v.startswith("-"):
        return "△ " + commas(v[1:])
    return commas(v)


def grid(lines: list[str], header_pred, label_col: int = 0) -> dict[tuple[str, str], str]:
    """All tables in `lines` whose header row satisfies header_pred -> {(row label, col)}."""
    out: dict[tuple[str, str], str] = {}
    cols = None
    last_label = ""
    for line in lines:
        cells = line.split("\t")
        if header_pred(cells):
            cols = cells
            continue
        if cols is None or len(cells) < 2:
            cols = None if not line.strip() else cols
            continue
        label = cells[label_col] or last_label
        last_label = label
        for j in range(label_col + 1, len(cells)):
            if j < len(cols) and cols[j].strip():
                out[(label, cols[j].strip())] = cells[j].strip()
    return out


def check_meta(ds: str, meta: dict, rows: list[dict], **expect) -> None:
    check(meta.get("publication") == "jetro-ca-2025", f"{ds}: publication")
    for k, v in expect.items():
        check(meta.get(k) == v, f"{ds}: meta {k} = {meta.get(k)!r}, expected {v!r}")
    # columns in CSV order, keys unique and present
    with open(DS / f"{ds}.csv", encoding="utf-8", newline="") as f:
        header = next(csv.reader(f))
    optional = ("source", "publication", "note")  # columns any dataset may carry undeclared
    declared = [h for h in header if h in meta["columns"]]
    check(list(meta["columns"]) == declared, f"{ds}: TOML columns != CSV header")
    check(all(h in meta["columns"] or h in optional for h in header), f"{ds}: unknown column")
    keys = [tuple(r[k] for k in meta["key"]) for r in rows]
    check(len(set(keys)) == len(keys), f"{ds}: duplicate keys")
    check(all(all(k) for k in keys), f"{ds}: empty key cell")
    for r in rows:
        for c, spec in meta["columns"].items():
            v = r[c]
            if v == "":
                continue
            t = spec["type"]
            ok = {
                "place": v in NAME,
                "year": bool(re.fullmatch(r"\d{4}", v)) and 1800 <= int(v) <= 2100,
                "int": bool(re.fullmatch(r"-?\d+", v)),
                "decimal": bool(re.fullmatch(r"-?\d+(\.\d+)?", v)),
                "text": v == v.strip(),
            }[t]
            if not ok:
                errors.append(f"{ds}: bad {t} {c}={v!r}")
    # an empty non-key value cell needs a note, if the dataset has a note column
    if "note" in meta["columns"]:
        for r in rows:
            empties = [c for c in meta["columns"] if c not in ("note", "source") and r[c] == ""]
            if empties:
                check(r["note"] != "", f"{ds}: empty {empties} without note in {r}")


def in_seed(text: str) -> bool:
    return any(text in ln for ln in LINES)


# ---------------------------------------------------------------------------------------


def v_gdp_nominal():
    rows, meta = load("gdp_nominal")
    w = window("2 | ドル建て名目GDP額（2024年）", "3 | ")
    g = grid(w, lambda c: c[0] == "国名" and "単位：10億ドル" in c[1:])
    check(len(g) == len(rows) == 5, "gdp_nominal: row count")
    for r in rows:
        cell(g.get((NAME[r["country"]], "単位：10億ドル")) == r["value"], f"gdp_nominal {r}")
        cell(r["year"] == "2024", f"gdp_nominal year {r}")
    check(
        any(ln.strip() == "（出所）国際通貨基金（IMF）" for ln in w), "gdp_nominal source in seed"
    )
    check_meta(
        "gdp_nominal",
        meta,
        rows,
        source="国際通貨基金（IMF）",
        unit="10億ドル",
        as_of="2024",
        seed_ref="II-2",
        key=["country", "year"],
    )


def v_gdp_per_capita():
    rows, meta = load("gdp_per_capita")
    w = window("3 | ドル建て1人当たりGDP", "4 | ")
    g = grid(w, lambda c: c[0] == "" and len(c) > 1 and c[1].endswith("年"))
    check(len(g) == len(rows) == 125, f"gdp_per_capita: {len(g)} seed cells, {len(rows)} rows")
    for r in rows:
        cell(
            g.get((NAME[r["country"]], r["year"] + "年")) == printed_num(r["value"]),
            f"gdp_per_capita {r}",
        )
    check("(出所) 国際通貨基金 (IMF)" in w, "gdp_per_capita source line")
    check("(単位：ドル)" in w, "gdp_per_capita unit line")
    check_meta(
        "gdp_per_capita",
        meta,
        rows,
        source="国際通貨基金（IMF）",
        unit="ドル",
        as_of="2024",
        seed_ref="II-3",
        key=["country", "year"],
    )


def v_population():
    rows, meta = load("population")
    w = window("4 | 中央アジア各国の人口", "コラム 人口増")
    check(len(rows) == 5, "population: row count")
    for r in rows:
        i = w.index(NAME[r["country"]])
        nxt = next(ln for ln in w[i + 1 :] if ln.strip())
        v = int(r["value"])
        cell(nxt == f"{v // 10000:,}万{v % 10000:,}人", f"population {r} vs {nxt!r}")
        if r["country"] == "tm":
            cell(r["year"] == "2022", "population tm year")
        else:
            cell(r["year"] == "" and r["note"] != "", f"population year/note {r}", 2)
    note = next(ln for ln in w if ln.startswith("(注)"))
    check("2022年" in note and "トルクメニスタン" in note, "population (注)")
    check(note.removeprefix("(注)").strip() in note_texts(meta), "population (注) in notes")
    check("(出所) 各国統計局" in w, "population source line")
    check_meta(
        "population", meta, rows, source="各国統計局", unit="人", seed_ref="II-4", key=["country"]
    )


def v_uz_labour_migration():
    rows, meta = load("uz_labour_migration")
    w = window("ウズベキスタンの労働移民先国 上位3位", "5 | ")
    g = grid(w, lambda c: c[0] == "" and c[1:] == ["2023年", "2024年"])
    check(len(g) == len(rows) == 6, "uz_labour_migration row count")
    for r in rows:
        cell(
            g.get((r["destination"], r["year"] + "年")) == r["value"] + "万",
            f"uz_labour_migration {r}",
        )
    check("（単位：人）" in w and "（出所）Gazeta.uzを基に作成" in w, "uz_labour_migration lines")
    check(
        any("万人" in n for n in note_texts(meta) + meta.get("remarks", [])),
        "uz_labour_migration unit note",
    )
    check_meta(
        "uz_labour_migration",
        meta,
        rows,
        source="Gazeta.uzを基に作成",
        unit="万人",
        as_of="2024",
        key=["destination", "year"],
    )


def nospace(s: str) -> str:
    return s.replace(" ", "").replace("（", "(").replace("）", ")")


def v_rankings():
    irows, imeta = load("ranking_indices")
    rows, meta = load("rankings")
    w = window("6 | 国際ランキング比較一覧", "Ⅲ. 対外経済関係")
    hi = next(i for i, ln in enumerate(w) if ln.startswith("国 名\t"))
    head = w[hi].split("\t")[1:]
    src = next(ln for ln in w if ln.startswith("出 所\t")).split("\t")[1:]
    check(len(irows) == len(head) == 5, "ranking_indices row count")
    printed_name = {"モバイルコネクティビティ指数": "モバイルコネクティビリティ指数"}
    for ix, h, s in zip(irows, head, src, strict=True):
        pname = printed_name.get(ix["name"], ix["name"])
        cell(
            nospace(h) == nospace(f"{pname}{ix['year']}年順位({ix['universe_label']})"),
            f"ranking_indices header {ix['index']}: {h!r}",
            3,
        )
        cell(
            re.fullmatch(rf"(アジア)?{ix['universe']}カ国中", ix["universe_label"]) is not None,
            f"ranking_indices universe {ix}",
        )
        cell(nospace(s) == nospace(ix["source"]), f"ranking_indices source {ix['index']}")
        check(
            " " not in ix["name"] and " " not in ix["source"].replace("SolAbility", ""),
            f"ranking_indices spaces {ix}",
        )
    ids = [ix["index"] for ix in irows]
    check(
        ids
        == [
            "innovation",
            "mobile_connectivity",
            "sdgs",
            "green_growth",
            "sustainable_competitiveness",
        ],
        "ranking_indices ids",
    )
    check(len(rows) == 25, "rankings row count")
    for r in rows:
        line = next(ln for ln in w[hi + 1 :] if ln.startswith(NAME[r["country"]] + "\t"))
        sc = line.split("\t")[1 + ids.index(r["index"])]
        if r["rank"] == "":
            cell(sc == "—" and r["note"] == "順位の記載なし", f"rankings {r}", 2)
        else:
            cell(sc == r["rank"] + "位", f"rankings {r} vs {sc!r}")
    check_meta("ranking_indices", imeta, irows, as_of="2025", seed_ref="II-6", key=["index"])
    check_meta("rankings", meta, rows, as_of="2025", seed_ref="II-6", key=["country", "index"])


def v_trade_partners():
    rows, meta = load("trade_partners")
    all_w = window("Ⅲ. 対外経済関係", "6 | 国別対内直接投資残高")
    starts = [i for i, ln in enumerate(all_w) if "の国別輸出入額（上位5位＋日本）" in ln] + [
        len(all_w)
    ]
    check(len(starts) == 6, "trade_partners: 5 sections")
    seen = 0
    for k in range(5):
        w = all_w[starts[k] : starts[k + 1]]
        name = re.search(r"(\S+?)の国別輸出入額", w[0]).group(1).split(" ")[-1]
        code = next(c for c, n in NAME.items() if n == name)
        year = re.search(r"^" + name + r"（(\d{4})年）", "\n".join(w), re.M).group(1)
        has_src = "(出所) 各国統計局" in w
        check(has_src == (code != "tm"), f"trade_partners source line {code}")
        for flow, word in (("export", "輸出"), ("import", "輸入")):
            hi = next(i for i, ln in enumerate(w) if ln.startswith("国名\t" + word))
            seed_rows = []
            for ln in w[hi + 1 :]:
                if not ln.strip():
                    break
                seed_rows.append(ln.split("\t"))
            got = [r for r in rows if r["country"] == code and r["flow"] == flow]
            check(len(got) == len(seed_rows) == 6, f"trade_partners count {code} {flow}")
            for n, (r, (partner, value)) in enumerate(zip(got, seed_rows, strict=False), 1):
                seen += 1
                cell(r["partner"] == partner, f"trade_partners partner {r}")
                cell(
                    value in (printed_num(r["value"]), r["value"]),
                    f"trade_partners value {r} vs {value!r}",
                )
                if value == r["value"] and "," not in value and float(value) >= 1000:
                    check(
                        any(r["value"] in x for x in note_texts(meta) + meta.get("remarks", [])),
                        f"trade_partners: unseparated {value} not noted",
                    )
                cell(r["rank"] == ("" if partner == "日本" else str(n)), f"trade_partners rank {r}")
                cell(r["year"] == year, f"trade_partners year {r}")
                cell(r["source"] == ("各国統計局" if has_src else ""), f"trade_partners src {r}")
                cell(
                    r["publication"] == ("jetro-ca-2025" if has_src else ""),
                    f"trade_partners publication {r}",
                )
    check(seen == len(rows) == 60, "trade_partners total rows")
    # Rows without a source of their own (Turkmenistan's) are credited to the dataset's
    # source_note: the seed prints no 出所 for them.
    check(meta.get("source_note") == "原資料に出所の記載なし", "tm source note")
    check_meta(
        "trade_partners",
        meta,
        rows,
        unit="1,000ドル",
        as_of="2024",
        seed_ref="III-1〜5",
    )


def v_minerals():
    rows, meta = load("minerals")
    w = window(
        "7 | 主要な埋蔵鉱物・石油・天然ガス資源の世界に占めるシェア (2022年)", "IV. 日本との関係"
    )
    check(not any("出所" in ln for ln in w), "minerals: seed has no 出所")
    seed_cells = {}
    country = None
    for ln in w:
        c = ln.split("\t")
        if len(c) == 3 and c[1:] == ["", ""]:
            country = next(k for k, n in NAME.items() if n == c[0])
        elif len(c) == 3 and c[0] != "鉱物名" and country:
            seed_cells[(country, c[0])] = (c[1], c[2])
    check(len(seed_cells) == len(rows) == 27, f"minerals count {len(seed_cells)} {len(rows)}")
    for r in rows:
        label = r["mineral"] + (" (※)" if "採掘量は世界最大" in r["note"] else "")
        rank, share = seed_cells.get((r["country"], label), (None, None))
        cell(rank == r["rank"], f"minerals rank {r}")
        exp = "—" if r["share"] == "" else r["share"] + " %"
        cell(share == exp, f"minerals share {r} vs {share!r}")
    check("※ 採掘量は世界最大" in w, "minerals ※ line")
    check_meta(
        "minerals",
        meta,
        rows,
        source_note="原資料に出所の記載なし",
        as_of="2022",
        seed_ref="III-7",
        key=["country", "mineral"],
    )
    check("source" not in meta, "minerals: no source key")


def v_japan_trade():
    rows, meta = load("japan_trade")
    w = window("3 | 日本の対中央アジア貿易推移（3）", "6 | 日本からの輸出品目別割合")
    cells: dict[tuple[str, str, str], str] = {}
    cols = None
    cur = None
    for ln in w:
        c = ln.split("\t")
        if len(c) > 2 and c[0] == "" and c[1] == "" and c[2].endswith("年"):
            cols = c
        elif cols and len(c) == len(cols) and c[1] in ("輸出額", "輸入額", "貿易収支"):
            cur = c[0] or cur
            for j in range(2, len(c)):
                cells[(cur, cols[j][:-1], c[1])] = c[j]
        elif not ln.strip():
            cols = None
    check(len(cells) == 3 * len(rows) == 375, f"japan_trade {len(cells)} cells, {len(rows)} rows")
    for r in rows:
        for col, lab in (("exports", "輸出額"), ("imports", "輸入額"), ("balance", "貿易収支")):
            cell(
                cells.get((NAME[r["country"]], r["year"], lab)) == printed_num(r[col]),
                f"japan_trade {r['country']} {r['year']} {col}={r[col]}",
            )
    check(sum("（出所）財務省統計をもとにジェトロ作成" == ln for ln in w) >= 3, "japan_trade 出所")
    check(sum("（単位：1,000ドル）" == ln for ln in w) == 3, "japan_trade 単位")
    check_meta(
        "japan_trade",
        meta,
        rows,
        source="財務省統計をもとにジェトロ作成",
        unit="1,000ドル",
        as_of="2024",
        seed_ref="IV-3〜5",
        key=["country", "year"],
    )


def v_presence(ds: str, title: str, unit: str, col: str):
    rows, meta = load(ds)
    w = window(title, "（出所）")
    g = grid(w, lambda c: c[0] == "" and len(c) > 1 and c[1] == "2012年")
    check(len(g) == len(rows) == 65, f"{ds} count")
    for r in rows:
        exp = r[col]
        if r.get("note"):
            exp = "(注) " + exp
            check(r["note"] == "実数不明", f"{ds} note {r}")
        cell(g.get((NAME[r["country"]], r["year"] + "年")) == exp, f"{ds} {r}")
    check(f"（単位：{unit}）" in w, f"{ds} unit line")
    if ds == "japanese_companies":
        check("（注）実数不明" in w, f"{ds} （注）")
    src = LINES[LINES.index(w[0]) + len(w)]
    check(src == "（出所）外務省統計をもとにジェトロ作成", f"{ds} 出所 {src!r}")
    check_meta(
        ds,
        meta,
        rows,
        source="外務省統計をもとにジェトロ作成",
        unit=unit,
        as_of="2024",
        seed_ref="IV-8",
        key=["country", "year"],
    )


def main() -> int:
    v_gdp_nominal()
    v_gdp_per_capita()
    v_population()
    v_uz_labour_migration()
    v_rankings()
    v_trade_partners()
    v_minerals()
    v_japan_trade()
    v_presence(
        "japanese_companies", "中央アジアに進出する日系企業の拠点数推移（国別）", "社", "count"
    )
    v_presence("japanese_residents", "中央アジアの在留邦人数推移（国別）", "人", "count")
    for e in errors:
        print("MISMATCH:", e)
    print(
        f"checked {cells_checked} CSV cells against the seed "
        f"({checked} assertions in all); {len(errors)} mismatches"
    )
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
