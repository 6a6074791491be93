"""Fonts: the bundled Japanese TrueType files → registered ReportLab fonts and glyph widths."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from .errors import BuildError

FONT_DIR = (
    Path(__file__).resolve().parent / "fonts"
)  # plain path: importlib.resources is slow to import

# Characters the font lacks, replaced by one it has that a Japanese reader reads the same.
SUBSTITUTES = {
    "\u00a0": " ",
    "\u2009": " ",
    "\u2212": "－",  # minus sign
    "\u2011": "-",
    "\u301c": "～",
}
# The 〓 (geta) mark is the Japanese typesetter's sign for a character that could not be set.
GETA = "〓"


@dataclass
class FontSet:
    """The registered fonts of a style: ``regular`` and ``bold`` ReportLab font names."""

    regular: str
    bold: str
    paths: dict[str, Path]
    missing: list[str] = field(default_factory=list)  # characters replaced by 〓

    @property
    def digests(self) -> list[str]:
        """SHA-256 of the font files (what a chart drawn with them depends on)."""
        return [file_sha256(self.paths["regular"]), file_sha256(self.paths["bold"])]

    def name(self, key: str) -> str:
        return self.bold if key == "bold" else self.regular

    def width(self, ch: str, key: str, size: float) -> float:
        return _char_width(self.name(key), ch) * size / 1000.0

    def clean(self, text: str) -> str:
        """Map every character to one the font can draw (substitute, else 〓 and record)."""
        cmap = _cmap(self.regular)
        if all(ord(ch) in cmap for ch in text):
            return text
        out = []
        for ch in text:
            if ord(ch) in cmap or ch == "\n":
                out.append(ch)
                continue
            alt = SUBSTITUTES.get(ch) or unicodedata.normalize("NFKC", ch)
            if alt and all(ord(a) in cmap for a in alt):
                out.append(alt)
            elif unicodedata.category(ch) in ("Cc", "Cf", "Mn", "Me", "Zl", "Zp"):
                continue  # invisible controls and combining marks are dropped
            else:
                self.missing.append(ch)
                out.append(GETA)
        return "".join(out)


@cache
def file_sha256(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def resolve_font_path(name: str, style_dir: Path | None) -> Path:
    """A font file named by a style: relative to the style folder, else the bundled fonts."""
    candidates = []
    if style_dir is not None:
        candidates.append(style_dir / name)
    candidates.append(FONT_DIR / name)
    for path in candidates:
        if path.is_file():
            return path
    raise BuildError(f"font file not found: {name} (looked in {', '.join(map(str, candidates))})")


def register_fonts(regular: Path, bold: Path) -> FontSet:
    """Register the two TrueType files with ReportLab (once per file) and return their names."""
    return FontSet(_register(regular), _register(bold), {"regular": regular, "bold": bold})


@cache
def _register(path: Path) -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFError, TTFont

    name = path.stem
    try:
        pdfmetrics.registerFont(TTFont(name, str(path)))
    except (TTFError, OSError) as exc:
        raise BuildError(f"{path}: not a usable TrueType font: {exc}") from None
    return name


@cache
def _cmap(font_name: str) -> frozenset[int]:
    from reportlab.pdfbase import pdfmetrics

    return frozenset(pdfmetrics.getFont(font_name).face.charToGlyph)


_WIDTHS: dict[tuple[str, str], float] = {}


def _char_width(font_name: str, ch: str) -> float:
    key = (font_name, ch)
    width = _WIDTHS.get(key)
    if width is None:
        from reportlab.pdfbase import pdfmetrics

        face = pdfmetrics.getFont(font_name).face
        width = face.charWidths.get(ord(ch), face.defaultWidth)
        _WIDTHS[key] = width
    return width
