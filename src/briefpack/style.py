"""Styles: STYLES/NAME/style.toml → a validated Style (page, fonts, colours, sizes)."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .datalayer import read_toml
from .errors import DataError, Problem

MM = 72 / 25.4
PAGE_SIZES_MM = {"A4": (210, 297), "A3": (297, 420), "B5": (182, 257)}
COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")

REQUIRED: dict[str, dict[str, type | tuple[type, ...]]] = {
    "page": {
        "size": str,
        "orientation": str,
        "margin_top_mm": (int, float),
        "margin_bottom_mm": (int, float),
        "margin_left_mm": (int, float),
        "margin_right_mm": (int, float),
    },
    "fonts": {"regular": str, "bold": str},
    "colors": {
        k: str
        for k in (
            "text",
            "muted",
            "accent",
            "accent_text",
            "rule",
            "light_rule",
            "header_fill",
            "stripe_fill",
            "cover_band",
        )
    },
    "text": {
        k: (int, float)
        for k in (
            "body_size",
            "body_leading",
            "small_size",
            "small_leading",
            "note_size",
            "title_size",
            "section_size",
            "heading_size",
            "block_gap",
        )
    },
    "table": {"font_size": (int, float), "leading": (int, float), "padding": (int, float)},
    "chart": {
        "mplstyle": str,
        "width_mm": (int, float),
        "height_mm": (int, float),
        "half_width_mm": (int, float),
        "series_colors": list,
    },
    "numbers": {"negative_prefix": str, "missing": str},
}


@dataclass
class Style:
    name: str
    folder: Path
    raw: dict[str, Any]
    path: str

    def __getitem__(self, section: str) -> dict[str, Any]:
        return self.raw[section]

    @property
    def page_size(self) -> tuple[float, float]:
        short, long = PAGE_SIZES_MM[self.raw["page"]["size"]]
        w, h = (long, short) if self.raw["page"]["orientation"] == "landscape" else (short, long)
        return w * MM, h * MM

    def margin(self, side: str) -> float:
        return float(self.raw["page"][f"margin_{side}_mm"]) * MM

    def color(self, name: str) -> str:
        return self.raw["colors"][name]

    @property
    def gray(self) -> bool:
        return bool(self.raw.get("gray", False))

    def to_gray(self) -> Style:
        """The same style for black-and-white printing: every colour as its grey level,
        charts told apart by line style, markers and hatching instead of hue."""
        import copy

        raw = copy.deepcopy(self.raw)
        raw["colors"] = {k: _gray(v) for k, v in raw["colors"].items()}
        raw["chart"]["series_colors"] = [_gray(c) for c in raw["chart"]["series_colors"]]
        raw["gray"] = True
        return Style(self.name + "+gray", self.folder, raw, self.path)

    @property
    def mplstyle_path(self) -> Path:
        return self.folder / self.raw["chart"]["mplstyle"]

    @functools.cached_property
    def mplstyle_text(self) -> str:
        return self.mplstyle_path.read_text(encoding="utf-8")

    @property
    def files(self) -> list[Path]:
        """Every file that shapes the output (for the up-to-date check)."""
        return sorted(p for p in self.folder.iterdir() if p.is_file())


def _gray(color: str) -> str:
    r, g, b = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    level = round(0.299 * r + 0.587 * g + 0.114 * b)
    return f"#{level:02x}{level:02x}{level:02x}"


def available_styles(styles_root: Path) -> list[str]:
    if not styles_root.is_dir():
        return []
    return sorted(p.name for p in styles_root.iterdir() if (p / "style.toml").is_file())


def load_style(styles_root: Path, name: str) -> Style:
    """Read and check a style; every problem is reported with the style file's path."""
    folder = styles_root / name
    path = folder / "style.toml"
    rel = f"{name}/style.toml"
    if not path.is_file():
        known = ", ".join(available_styles(styles_root)) or "none"
        raise DataError([Problem(rel, None, None, f"style {name!r} not found (styles: {known})")])
    problems: list[Problem] = []
    raw = read_toml(path, rel, problems)
    if raw is None:
        raise DataError(problems)
    for section, keys in REQUIRED.items():
        table = raw.get(section)
        if not isinstance(table, dict):
            problems.append(Problem(rel, None, None, f"missing table [{section}]"))
            continue
        for key, kind in keys.items():
            value = table.get(key)
            if not isinstance(value, kind) or isinstance(value, bool):
                problems.append(
                    Problem(rel, None, None, f"[{section}] {key}: missing or wrong type")
                )
    if not problems:
        problems += _check_values(raw, rel, folder)
    if problems:
        raise DataError(problems)
    return Style(name, folder, raw, rel)


def _check_values(raw: dict, rel: str, folder: Path) -> list[Problem]:
    problems = []
    if raw["page"]["size"] not in PAGE_SIZES_MM:
        problems.append(
            Problem(rel, None, None, f"[page] size must be one of {list(PAGE_SIZES_MM)}")
        )
    if raw["page"]["orientation"] not in ("landscape", "portrait"):
        problems.append(Problem(rel, None, None, "[page] orientation: landscape or portrait"))
    colors = dict(raw["colors"])
    colors.update({f"series_colors[{i}]": c for i, c in enumerate(raw["chart"]["series_colors"])})
    for key, value in colors.items():
        if not isinstance(value, str) or not COLOR.match(value):
            problems.append(Problem(rel, None, None, f"colour {key}: {value!r} is not #rrggbb"))
    if not (folder / raw["chart"]["mplstyle"]).is_file():
        problems.append(
            Problem(rel, None, None, f"[chart] mplstyle file {raw['chart']['mplstyle']} not found")
        )
    return problems
