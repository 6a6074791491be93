#!/usr/bin/env python3
"""Transcribe the statistics tables of seed 004 (jetro-ca-2025) into data/datasets/.

Record of how the datasets were made. Reads the seed text (tables are tab-separated
lines) and writes, for each dataset id below, data/datasets/<id>.csv and <id>.toml.
Nothing is computed: cells are copied with only the format conversions of
docs/data-format.md (thousands separators, units, `△` removed; `—` -> empty + note).

Usage: python3 tools/transcribe_seed004.py [SEED_PATH]
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "data" / "datasets"
DEFAULT_SEED = (
    Path(__file__).resolve().parent.parent.parent / "shared" / "seeds" / "004_a436690e7219a919.txt"
)
PUBLICATION = "jetro-ca-2025"

DATASETS = [
    "gdp_nominal",
    "gdp_per_capita",
    "population",
    "uz_labour_migration",
    "ranking_indices",
    "rankings",
    "trade_partners",
    "minerals",
    "japan_trade",
    "japanese_companies",
    "japanese_residents",
]

DASH = "—"


# --------------------------------------------------------------------------- helpers


def load_places() -> dict[str, str]:
    """Japanese country name -> place code (countries only)."""
    with open(ROOT / "data" / "places.csv", encoding="utf-8", newline="") as f:
        return {r["name"]: r["code"] for r in csv.DictReader(f) if r["kind"] == "country"}


class Seed:
    def __init__(self, path: Path):
        self.lines = path.read_text(encoding="utf-8").split("\n")

    def find(self, text: str, start: int = 0, exact: bool = False) -> int:
        for i in range(start, len(self.lines)):
            line = self.lines[i]
            if (line.strip() == text) if exact else (text in line):
                return i
        raise LookupError(f"seed: {text!r} not found after line {start + 1}")

    def cells(self, i: int) -> list[str]:
        return self.lines[i].split("\t")


def plain_number(cell: str) -> str:
    """'1,234.5' -> '1234.5'; '△ 54,002' -> '-54002'. No arithmetic, only characters."""
    s = cell.strip()
    neg = s.startswith("△")
    if neg:
        s = s[1:].strip()
    s = s.replace(",", "")
    if not re.fullmatch(r"\d+(\.\d+)?", s):
        raise ValueError(f"not a number cell: {cell!r}")
    return ("-" + s) if neg else s


def year_of(cell: str) -> str:
    m = re.fullmatch(r"(\d{4})年", cell.strip())
    if not m:
        raise ValueError(f"not a year header: {cell!r}")
    return m.group(1)


def dewrap(text: str) -> str:
    """Remove spaces left by line wraps: any space not between two Latin characters."""
    text = text.strip()
    return re.sub(r"(?<![A-Za-z0-9]) +| +(?![A-Za-z0-9])", "", text)


def fullwidth_parens(text: str) -> str:
    """'国際通貨基金 (IMF)' -> '国際通貨基金（IMF）' (Japanese text + Latin acronym in parens)."""
    return re.sub(r"\s*\(([A-Za-z]+)\)", r"（\1）", text)


def write_csv(ds: str, header: list[str], rows: list[list[str]]) -> None:
    with open(OUT / f"{ds}.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)
    print(f"{ds}: {len(rows)} rows")


def tq(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_toml(ds: str, meta: dict, columns: list[tuple[str, dict]]) -> None:
    out = []
    for k in ("title", "publication", "source", "source_note", "unit", "as_of", "seed_ref"):
        if k in meta:
            out.append(f"{k} = {tq(meta[k])}")
    out.append("key = [" + ", ".join(tq(k) for k in meta["key"]) + "]")
    notes = meta.get("notes", [])
    if notes:
        out.append("notes = [")
        out.extend(f"  {tq(n)}," for n in notes)
        out.append("]")
    else:
        out.append("notes = []")
    for name, col in columns:
        out.append("")
        out.append(f"[columns.{name}]")
        for k in ("type", "label", "unit"):
            if k in col:
                out.append(f"{k} = {tq(col[k])}")
        if "required" in col:
            out.append(f"required = {'true' if col['required'] else 'false'}")
    (OUT / f"{ds}.toml").write_text("\n".join(out) + "\n", encoding="utf-8")


def base_meta(**kw) -> dict:
    return {"publication": PUBLICATION, **kw}


COUNTRY = ("country", {"type": "place", "label": "国名"})
YEAR = ("year", {"type": "year", "label": "年"})
NOTE = ("note", {"type": "text", "label": "注"})


def country_table(seed: Seed, header_idx: int, places: dict[str, str]):
    """Rows below a header line while the first cell is a known name: [(code, cells)]."""
    rows = []
    i = header_idx + 1
    while i < len(seed.lines) and seed.cells(i)[0].strip() in places:
        c = seed.cells(i)
        rows.append((places[c[0].strip()], [x.strip() for x in c[1:]]))
        i += 1
    return rows


# --------------------------------------------------------------------------- datasets


def gdp_nominal(seed: Seed, places):
    sec = seed.find("2 | ドル建て名目GDP額（2024年）")
    src_line = seed.lines[seed.find("（出所）", sec)].strip()
    assert src_line == "（出所）国際通貨基金（IMF）", src_line
    h = seed.find("国名\t単位：10億ドル", sec)
    rows = [[code, "2024", cells[0]] for code, cells in country_table(seed, h, places)]
    for r in rows:
        assert re.fullmatch(r"\d+\.\d+", r[2]), r
    write_csv("gdp_nominal", ["country", "year", "value"], rows)
    write_toml(
        "gdp_nominal",
        base_meta(
            title="ドル建て名目GDP額（2024年）",
            source="国際通貨基金（IMF）",
            unit="10億ドル",
            as_of="2024",
            seed_ref="II-2",
            key=["country", "year"],
        ),
        [COUNTRY, YEAR, ("value", {"type": "decimal", "label": "名目GDP額"})],
    )


def gdp_per_capita(seed: Seed, places):
    sec = seed.find("3 | ドル建て1人当たりGDP")
    end = seed.find("(出所) 国際通貨基金 (IMF)", sec)
    rows = []
    i = sec
    while i < end:
        c = seed.cells(i)
        if c[0] == "" and len(c) > 1 and c[1].endswith("年"):
            years = [year_of(x) for x in c[1:] if x.strip()]
            for code, cells in country_table(seed, i, places):
                vals = [x for x in cells if x != ""]
                assert len(vals) == len(years), (code, cells)
                rows += [[code, y, plain_number(v)] for y, v in zip(years, vals, strict=True)]
        i += 1
    order = list(places.values())
    rows.sort(key=lambda r: (order.index(r[0]), r[1]))
    assert len(rows) == 5 * 25
    write_csv("gdp_per_capita", ["country", "year", "value"], rows)
    write_toml(
        "gdp_per_capita",
        base_meta(
            title="ドル建て1人当たりGDP",
            source=fullwidth_parens(seed.lines[end].replace("(出所)", "").strip()),
            unit="ドル",
            as_of="2024",
            seed_ref="II-3",
            key=["country", "year"],
        ),
        [COUNTRY, YEAR, ("value", {"type": "int", "label": "1人当たりGDP"})],
    )


def population(seed: Seed, places):
    sec = seed.find("4 | 中央アジア各国の人口")
    note_i = seed.find("(注) ", sec)
    src_i = seed.find("(出所) 各国統計局", sec)
    rows = []
    for name, code in places.items():
        i = seed.find(name, sec, exact=True)
        assert i < note_i
        j = i + 1
        while not seed.lines[j].strip():
            j += 1
        m = re.fullmatch(r"([\d,]+)万([\d,]+)人", seed.lines[j].strip())
        assert m, seed.lines[j]
        man, rest = m.group(1).replace(",", ""), m.group(2).replace(",", "")
        assert len(rest) == 4, rest  # 万 + 4 digits: value is the digit string concatenated
        value = man + rest
        if code == "tm":
            rows.append(
                [
                    code,
                    "2022",
                    value,
                    "原資料の注による：トルクメニスタン統計局は最新データとして2022年の人口の値のみ公表",
                ]
            )
        else:
            rows.append([code, "", value, "原資料に基準年の記載なし"])
    note = seed.lines[note_i].strip().removeprefix("(注)").strip()
    write_csv("population", ["country", "year", "value", "note"], rows)
    write_toml(
        "population",
        base_meta(
            title="中央アジア各国の人口",
            source=seed.lines[src_i].replace("(出所)", "").strip(),
            unit="人",
            seed_ref="II-4",
            key=["country"],
            notes=[
                note,
                "原資料は人口の基準年を明記していない。年はトルクメニスタン（注により2022年）のみ記入し、"
                "他の4カ国は空欄。",
                "原資料の表記は「3,754万3,167人」のような万単位の表記。値は同じ数を人単位で表記したもの。",
            ],
        ),
        [
            COUNTRY,
            ("year", {"type": "year", "label": "年", "required": False}),
            ("value", {"type": "int", "label": "人口"}),
            NOTE,
        ],
    )


def uz_labour_migration(seed: Seed, places):
    sec = seed.find("ウズベキスタンの労働移民先国 上位3位")
    unit_i = seed.find("（単位：人）", sec)
    h = seed.find("\t2023年\t2024年", unit_i)
    years = [year_of(x) for x in seed.cells(h)[1:]]
    rows = []
    i = h + 1
    while seed.lines[i].strip():
        c = seed.cells(i)
        for y, v in zip(years, c[1:], strict=True):
            m = re.fullmatch(r"(\d+(?:\.\d+)?)万", v.strip())
            assert m, v
            rows.append([c[0].strip(), y, m.group(1)])
        i += 1
    src = seed.lines[seed.find("（出所）", i)].strip().removeprefix("（出所）")
    write_csv("uz_labour_migration", ["destination", "year", "value"], rows)
    write_toml(
        "uz_labour_migration",
        base_meta(
            title="ウズベキスタンの労働移民先国 上位3位",
            source=src,
            unit="万人",
            as_of="2024",
            seed_ref="II-4（コラム「人口増が続くウズベキスタン」）",
            key=["destination", "year"],
            notes=[
                "原資料の表頭は（単位：人）だが、各セルは「120万」「69.8万」のように万単位で記載されている。"
                "値は記載どおり万人単位で収録（120 = 120万人）。",
            ],
        ),
        [
            ("destination", {"type": "text", "label": "労働移民先国"}),
            YEAR,
            ("value", {"type": "decimal", "label": "労働移民数"}),
        ],
    )


INDEX_IDS = {
    "イノベーション指数": "innovation",
    "モバイルコネクティビティ指数": "mobile_connectivity",
    "SDGs達成度": "sdgs",
    "グリーン成長指数": "green_growth",
    "グローバル持続可能競争力指数": "sustainable_competitiveness",
}
# printed header text (after wrap spaces are removed) -> name used in the data
NAME_FIXES = {"モバイルコネクティビリティ指数": "モバイルコネクティビティ指数"}


def rankings(seed: Seed, places):
    sec = seed.find("6 | 国際ランキング比較一覧")
    h = seed.find("国 名\t", sec)
    indices = []
    for cell in seed.cells(h)[1:]:
        m = re.fullmatch(r"(.+?) (\d{4})年順位 \((.+?)\)", cell.strip())
        assert m, cell
        name = dewrap(m.group(1))
        name = NAME_FIXES.get(name, name)
        label = m.group(3)
        um = re.fullmatch(r"(?:アジア)?(\d+)カ国中", label)
        assert um, label
        indices.append(
            {
                "index": INDEX_IDS[name],
                "name": name,
                "year": m.group(2),
                "universe": um.group(1),
                "universe_label": label,
            }
        )
    table = country_table(seed, h, places | {"出 所": "出 所"})
    src_cells = [cells for code, cells in table if code == "出 所"][0]
    sources = [fullwidth_parens(dewrap(c)) for c in src_cells]
    for ix, s in zip(indices, sources, strict=True):
        ix["source"] = s
    cols = ["index", "name", "year", "universe", "universe_label", "source"]
    write_csv("ranking_indices", cols, [[ix[c] for c in cols] for ix in indices])
    joined_sources = "、".join(sources)
    write_toml(
        "ranking_indices",
        base_meta(
            title="国際ランキング比較一覧（指標）",
            source=joined_sources,
            as_of="2025",
            seed_ref="II-6",
            key=["index"],
            notes=[
                "出所は指標ごとに異なり、行の source 列に記載。",
                "モバイルコネクティビティ指数は原資料の表頭では「モバイルコネクティビリティ指数」と表記"
                "（本文の記載「モバイルコネクティビティ指数」に合わせた）。",
            ],
        ),
        [
            ("index", {"type": "text", "label": "指標ID"}),
            ("name", {"type": "text", "label": "指標名"}),
            ("year", {"type": "year", "label": "順位の年"}),
            ("universe", {"type": "int", "label": "対象国数"}),
            ("universe_label", {"type": "text", "label": "対象"}),
            ("source", {"type": "text", "label": "出所"}),
        ],
    )

    rows = []
    for code, cells in table:
        if code == "出 所":
            continue
        assert len(cells) == len(indices)
        for ix, v in zip(indices, cells, strict=True):
            if v == DASH:
                rows.append([code, ix["index"], "", "順位の記載なし"])
            else:
                m = re.fullmatch(r"(\d+)位", v)
                assert m, v
                rows.append([code, ix["index"], m.group(1), ""])
    write_csv("rankings", ["country", "index", "rank", "note"], rows)
    write_toml(
        "rankings",
        base_meta(
            title="国際ランキング比較一覧",
            source=joined_sources,
            unit="位",
            as_of="2025",
            seed_ref="II-6",
            key=["country", "index"],
            notes=[
                "指標の名称・年・対象国数・出所は ranking_indices を参照"
                "（グローバル持続可能競争力指数は2024年順位、他は2025年順位）。",
            ],
        ),
        [
            COUNTRY,
            ("index", {"type": "text", "label": "指標ID"}),
            ("rank", {"type": "int", "label": "順位"}),
            NOTE,
        ],
    )


def trade_partners(seed: Seed, places):
    sec = seed.find("Ⅲ. 対外経済関係")
    end = seed.find("6 | 国別対内直接投資残高", sec)
    heads = {
        code: seed.find(f"{name}の国別輸出入額（上位5位＋日本）", sec)
        for name, code in places.items()
    }
    bounds = sorted(heads.values()) + [end]
    rows = []
    for name, code in places.items():
        head = heads[code]
        assert head < end
        m = re.search(r"（(\d{4})年）", seed.lines[seed.find(f"{name}（", head)])
        year = m.group(1)
        # the country's section runs to the next heading; 出所 line (if any) inside it
        nxt = bounds[bounds.index(head) + 1]
        src_lines = [seed.lines[i] for i in range(head, nxt) if "出所" in seed.lines[i]]
        source = src_lines[0].replace("(出所)", "").strip() if src_lines else ""
        for flow, word in (("export", "輸出"), ("import", "輸入")):
            h = next(
                i
                for i in range(head, nxt)
                if re.fullmatch(rf"国名\t{word} ?[(（]1,000ドル[)）]", seed.lines[i])
            )
            j, rank = h + 1, 0
            while seed.lines[j].strip():
                partner, value = seed.cells(j)
                rank += 1
                is_japan = partner == "日本"
                rows.append(
                    [
                        code,
                        year,
                        flow,
                        "" if is_japan else str(rank),
                        partner,
                        plain_number(value),
                        source,
                    ]
                )
                j += 1
            assert rank == 6 and rows[-1][4] == "日本", rows[-6:]
    write_csv(
        "trade_partners", ["country", "year", "flow", "rank", "partner", "value", "source"], rows
    )
    write_toml(
        "trade_partners",
        base_meta(
            title="中央アジア各国の国別輸出入額（上位5位＋日本）",
            source="各国統計局",
            unit="1,000ドル",
            as_of="2024",
            seed_ref="III-1〜5",
            key=["country", "year", "flow", "partner"],
            notes=[
                "上位5位の貿易相手国に加えて日本を掲載（日本の rank は空欄）。",
                "トルクメニスタンは2021年の値。",
                "トルクメニスタンの表には原資料に出所の記載なし（source 列は空欄）。",
                "タジキスタンの対日本の値（輸出2150.7、輸入90430.8）は原資料で桁区切りなしの表記。",
            ],
        ),
        [
            COUNTRY,
            YEAR,
            ("flow", {"type": "text", "label": "輸出入"}),
            ("rank", {"type": "int", "label": "順位", "required": False}),
            ("partner", {"type": "text", "label": "相手国"}),
            ("value", {"type": "decimal", "label": "金額"}),
            ("source", {"type": "text", "label": "出所", "required": False}),
        ],
    )


def minerals(seed: Seed, places):
    sec = seed.find("7 | 主要な埋蔵鉱物・石油・天然ガス資源の世界に占めるシェア (2022年)")
    end = seed.find("IV. 日本との関係", sec)
    mark_i = seed.find("※ ", sec)
    mark_text = seed.lines[mark_i].strip().removeprefix("※").strip()
    assert not any("出所" in seed.lines[i] for i in range(sec, end))
    by_country = {}
    for name, code in places.items():
        t = seed.find(f"{name}\t\t", sec)
        assert t < end and seed.lines[t + 1] == "鉱物名\t世界順位\tシェア"
        out = []
        i = t + 2
        while seed.lines[i].strip():
            mineral, rank, share = [x.strip() for x in seed.cells(i)]
            notes = []
            if mineral.endswith("(※)"):
                mineral = mineral.removesuffix("(※)").strip()
                notes.append(mark_text)
            if share == DASH:
                share = ""
                notes.append("シェアの記載なし")
            else:
                m = re.fullmatch(r"(\d+\.\d+) %", share)
                assert m, share
                share = m.group(1)
            assert re.fullmatch(r"\d+", rank), rank
            out.append([code, mineral, rank, share, "；".join(notes)])
            i += 1
        by_country[code] = out
    rows = [r for code in places.values() for r in by_country[code]]
    write_csv("minerals", ["country", "mineral", "rank", "share", "note"], rows)
    write_toml(
        "minerals",
        base_meta(
            title="主要な埋蔵鉱物・石油・天然ガス資源の世界に占めるシェア",
            source_note="原資料に出所の記載なし",
            unit="%",
            as_of="2022",
            seed_ref="III-7",
            key=["country", "mineral"],
            notes=["タジキスタンのアンチモン：※ 採掘量は世界最大"],
        ),
        [
            COUNTRY,
            ("mineral", {"type": "text", "label": "鉱物名"}),
            ("rank", {"type": "int", "label": "世界順位", "unit": "位"}),
            ("share", {"type": "decimal", "label": "シェア", "required": False}),
            NOTE,
        ],
    )


def japan_trade(seed: Seed, places):
    sec = seed.find("3 | 日本の対中央アジア貿易推移（3）")
    end = seed.find("6 | 日本からの輸出品目別割合", sec)
    data: dict[tuple[str, str], dict[str, str]] = {}
    kinds = {"輸出額": "exports", "輸入額": "imports", "貿易収支": "balance"}
    i = sec
    while i < end:
        c = seed.cells(i)
        if len(c) > 2 and c[0] == "" and c[1] == "" and c[2].endswith("年"):
            years = [year_of(x) for x in c[2:]]
            j, code = i + 1, None
            while seed.lines[j].strip():
                r = seed.cells(j)
                if r[0]:
                    code = places[r[0]]
                kind = kinds[r[1]]
                assert len(r) - 2 == len(years), r
                for y, v in zip(years, r[2:], strict=True):
                    d = data.setdefault((code, y), {})
                    assert kind not in d
                    d[kind] = plain_number(v)
                j += 1
            i = j
        i += 1
    order = list(places.values())
    rows = [
        [c, y, d["exports"], d["imports"], d["balance"]]
        for (c, y), d in sorted(data.items(), key=lambda kv: (order.index(kv[0][0]), kv[0][1]))
    ]
    assert len(rows) == 5 * 25
    src = seed.lines[seed.find("（出所）", sec)].strip().removeprefix("（出所）")
    write_csv("japan_trade", ["country", "year", "exports", "imports", "balance"], rows)
    write_toml(
        "japan_trade",
        base_meta(
            title="日本の対中央アジア貿易推移（国別）",
            source=src,
            unit="1,000ドル",
            as_of="2024",
            seed_ref="IV-3〜5",
            key=["country", "year"],
            notes=["貿易収支は原資料の記載値（△はマイナス）。"],
        ),
        [
            COUNTRY,
            YEAR,
            ("exports", {"type": "int", "label": "輸出額"}),
            ("imports", {"type": "int", "label": "輸入額"}),
            ("balance", {"type": "int", "label": "貿易収支"}),
        ],
    )


def ipv8_table(seed: Seed, places, title: str):
    t = seed.find(title)
    unit = re.fullmatch(r"（単位：(.+)）", seed.lines[seed.find("（単位：", t)].strip()).group(1)
    h = seed.find("\t2012年", t)
    years = [year_of(x) for x in seed.cells(h)[1:]]
    rows = []
    for code, cells in country_table(seed, h, places):
        assert len(cells) == len(years)
        for y, v in zip(years, cells, strict=True):
            note = ""
            if v.startswith("(注)"):
                v = v.removeprefix("(注)").strip()
                note = "(注)"
            assert re.fullmatch(r"\d+", v), v
            rows.append([code, y, v, note])
    j = h + 1
    while seed.lines[j].strip():
        j += 1
    return unit, rows, j


def japanese_presence(seed: Seed, places):
    unit, rows, j = ipv8_table(seed, places, "中央アジアに進出する日系企業の拠点数推移（国別）")
    ci = seed.find("（注）", j)
    note_text = seed.lines[ci].strip().removeprefix("（注）")
    assert note_text == "実数不明"
    rows = [r[:3] + [note_text if r[3] == "(注)" else ""] for r in rows]
    src = seed.lines[seed.find("（出所）", j)].strip().removeprefix("（出所）")
    write_csv("japanese_companies", ["country", "year", "count", "note"], rows)
    write_toml(
        "japanese_companies",
        base_meta(
            title="中央アジアに進出する日系企業の拠点数推移（国別）",
            source=src,
            unit=unit,
            as_of="2024",
            seed_ref="IV-8",
            key=["country", "year"],
            notes=["キルギスの2012年の値（5）には原資料で「（注）実数不明」が付されている。"],
        ),
        [COUNTRY, YEAR, ("count", {"type": "int", "label": "拠点数"}), NOTE],
    )

    unit, rows, j = ipv8_table(seed, places, "中央アジアの在留邦人数推移（国別）")
    assert all(r[3] == "" for r in rows)
    src = seed.lines[seed.find("（出所）", j)].strip().removeprefix("（出所）")
    write_csv("japanese_residents", ["country", "year", "count"], [r[:3] for r in rows])
    write_toml(
        "japanese_residents",
        base_meta(
            title="中央アジアの在留邦人数推移（国別）",
            source=src,
            unit=unit,
            as_of="2024",
            seed_ref="IV-8",
            key=["country", "year"],
        ),
        [COUNTRY, YEAR, ("count", {"type": "int", "label": "在留邦人数"})],
    )


def main() -> int:
    seed = Seed(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_SEED)
    places = load_places()
    OUT.mkdir(parents=True, exist_ok=True)
    for fn in (
        gdp_nominal,
        gdp_per_capita,
        population,
        uz_labour_migration,
        rankings,
        trade_partners,
        minerals,
        japan_trade,
        japanese_presence,
    ):
        fn(seed, places)
    return 0


if __name__ == "__main__":
    sys.exit(main())
