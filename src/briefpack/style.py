"""Styles: STYLES/NAME/style.toml → a validated Style (page, fonts, colours, sizes)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .datalayer import read_toml_file
from .errors import BriefpackError, DataError, Problem

MM = 72 / 25.4
PAGE_SIZES_MM = {"A4": (210, 297), "A3": (297, 420), "B5": (182, 257)}


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
    """Read and check a style against :class:`~briefpack.schema.StyleDoc`: every problem is
    reported at its line and column in the style file, and the files it names must exist."""
    from .schema import Located, StyleDoc

    folder = styles_root / name
    path = folder / "style.toml"
    rel = f"{name}/style.toml"
    if not path.is_file():
        known = ", ".join(available_styles(styles_root)) or "none"
        raise DataError([Problem(rel, None, None, f"style {name!r} not found (styles: {known})")])
    problems: list[Problem] = []
    parsed = read_toml_file(path, rel, problems)
    if parsed is None:
        raise DataError(problems)
    located = Located(rel, parsed.text)
    doc = located.check(parsed.doc, StyleDoc, problems)
    if doc is not None:
        problems += _check_files(doc, located, folder)
    if problems:
        raise DataError(problems)
    return Style(name, folder, parsed.doc, rel)


def _check_files(doc: Any, located: Any, folder: Path) -> list[Problem]:
    """The chart style sheet and the fonts a style names exist (fonts: TrueType files)."""
    from .fonts import resolve_font_path

    problems = []
    if not (folder / doc.chart.mplstyle).is_file():
        problems.append(
            located.at(("chart", "mplstyle"), f"mplstyle file {doc.chart.mplstyle} not found")
        )
    for key in ("regular", "bold", "text_regular", "text_bold"):
        file_name = getattr(doc.fonts, key)
        if not file_name:
            continue
        try:
            font = resolve_font_path(file_name, folder)
        except BriefpackError as exc:
            problems.append(located.at(("fonts", key), str(exc)))
            continue
        try:
            with font.open("rb") as f:
                magic = f.read(4)
        except OSError as exc:
            problems.append(located.at(("fonts", key), f"cannot read {font}: {exc.strerror}"))
            continue
        if magic not in (b"\x00\x01\x00\x00", b"true"):
            problems.append(
                located.at(("fonts", key), f"{file_name} is not a TrueType font file (.ttf)")
            )
    return problems
