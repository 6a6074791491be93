"""Fonts: the bundled Japanese TrueType files → registered ReportLab fonts and glyph widths."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from functools import cache, cached_property
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
    """The registered fonts of a style, in two families of the same design.

    ``regular``/``bold`` are the *tabular* family (fixed-width Latin and digits, BIZ UD
    Gothic): table cells and chart labels, where figures must line up.  ``text_regular``/
    ``text_bold`` are the *text* family (proportional, BIZ UDPGothic): running text,
    headings, captions and the cover, where fixed-width digits leave gaps (「2, 470ドル」).
    A style without text fonts sets running text in the tabular family.
    """

    regular: str
    bold: str
    paths: dict[str, Path]
    missing: list[str] = field(default_factory=list)  # characters replaced by 〓
    text_regular: str = ""  # "" = the tabular font
    text_bold: str = ""

    @property
    def digests(self) -> list[str]:
        """SHA-256 of the tabular font files (what a chart drawn with them depends on)."""
        from .manifest import file_digest

        return [file_digest(self.paths["regular"]), file_digest(self.paths["bold"])]

    def name(self, key: str, family: str = "tabular") -> str:
        """The ReportLab font of ``key`` (``regular``/``bold``) in ``family`` (tabular/text)."""
        if family == "text":
            return (
                (self.text_bold or self.bold)
                if key == "bold"
                else (self.text_regular or self.regular)
            )
        return self.bold if key == "bold" else self.regular

    def width(self, ch: str, key: str, size: float, family: str = "tabular") -> float:
        return _char_width(self.name(key, family), ch) * size / 1000.0

    def with_text(self, regular: Path, bold: Path) -> FontSet:
        """The same fonts with ``regular``/``bold`` registered as the text family (the list
        of missing characters is shared, so whoever holds this set sees them)."""
        return FontSet(
            self.regular,
            self.bold,
            {**self.paths, "text_regular": regular, "text_bold": bold},
            self.missing,
            _register(regular),
            _register(bold),
        )

    def tabular(self) -> FontSet:
        """The tabular family alone (the list of missing characters is shared)."""
        if not self.text_regular and not self.text_bold:
            return self
        paths = {"regular": self.paths["regular"], "bold": self.paths["bold"]}
        return FontSet(self.regular, self.bold, paths, self.missing)

    def clean(self, text: str) -> str:
        """Map every character to one the fonts can draw (substitute, else 〓 and record)."""
        cmap = self._drawable
        if cmap.issuperset(map(ord, text)):
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

    @cached_property
    def _drawable(self) -> frozenset[int]:
        """The characters every font of the set has: text may be drawn in any of them."""
        names = {n for n in (self.regular, self.bold, self.text_regular, self.text_bold) if n}
        return _common_cmap(tuple(sorted(names)))


def text_fonts(fonts: FontSet, style_fonts: dict, style_dir: Path | None) -> FontSet:
    """``fonts`` with the style's ``[fonts] text_regular``/``text_bold`` as the text family
    (unchanged when the style names none: running text then uses the tabular fonts)."""
    names = [style_fonts.get("text_regular"), style_fonts.get("text_bold")]
    if names == [None, None]:
        return fonts
    for key, value in zip(("text_regular", "text_bold"), names, strict=True):
        if not isinstance(value, str) or not value:
            raise BuildError(f"[fonts] {key}: a font file name is required with the other")
    return fonts.with_text(*(resolve_font_path(n, style_dir) for n in names))


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


def register_fonts(
    regular: Path, bold: Path, text_regular: Path | None = None, text_bold: Path | None = None
) -> FontSet:
    """Register the TrueType files with ReportLab (once per file) and return their names:
    ``regular``/``bold`` the tabular family, ``text_regular``/``text_bold`` the text one."""
    fonts = FontSet(_register(regular), _register(bold), {"regular": regular, "bold": bold})
    if text_regular is not None and text_bold is not None:
        fonts = fonts.with_text(text_regular, text_bold)
    return fonts


@cache
def _register(path: Path) -> str:
    from reportlab.pdfbase import pdfmetrics, ttfonts

    name = path.stem
    try:
        face = _parsed_face(path)
        parse = ttfonts.TTFontFace
        ttfonts.TTFontFace = lambda *args, **kwargs: face  # TTFont builds on the parsed face
        try:
            font = ttfonts.TTFont(name, str(path))
        finally:
            ttfonts.TTFontFace = parse
        pdfmetrics.registerFont(font)
    except (ttfonts.TTFError, OSError) as exc:
        raise BuildError(f"{path}: not a usable TrueType font: {exc}") from None
    return name


def font_cache_dir() -> Path:
    """Where parsed font metrics are kept between runs (the user's cache, never OUT)."""
    import os
    import sys

    if os.environ.get("BRIEFPACK_CACHE"):
        return Path(os.environ["BRIEFPACK_CACHE"])
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local"))
        return base / "briefpack" / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "briefpack"
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "briefpack"


def _parsed_face(path: Path):  # noqa: ANN202 - a ReportLab TTFontFace
    """The font's parsed tables, read from the cache when this very file was parsed before.

    Parsing a 4.6 MB Japanese font takes tens of milliseconds per file; the cache entry is
    named by the font's SHA-256 and the ReportLab and Python versions, so it cannot belong
    to another font.  A cache that cannot be read or written is simply not used.
    """
    import contextlib
    import pickle
    import sys

    from reportlab import Version
    from reportlab.pdfbase.ttfonts import TTFontFace

    from .manifest import file_digest

    version = f"rl{Version}-py{sys.version_info[0]}.{sys.version_info[1]}"
    entry = font_cache_dir() / f"{file_digest(path)}-{version}.pickle"
    with contextlib.suppress(Exception):
        state = pickle.loads(entry.read_bytes())
        face = TTFontFace.__new__(TTFontFace)
        face.__dict__.update(state)
        face.filename = str(path)
        per_em = face.unitsPerEm
        face._pdfScale = (lambda x: x) if per_em == 1000 else (lambda x: x * 1000 / per_em)
        return face
    face = TTFontFace(str(path))
    state = {k: v for k, v in vars(face).items() if k != "_pdfScale"}
    with contextlib.suppress(Exception):
        from .outputs import write_atomically

        entry.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(entry, pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL))
    return face


@cache
def _cmap(font_name: str) -> frozenset[int]:
    from reportlab.pdfbase import pdfmetrics

    return frozenset(pdfmetrics.getFont(font_name).face.charToGlyph)


@cache
def _common_cmap(font_names: tuple[str, ...]) -> frozenset[int]:
    """The characters every font of the set has: text may be drawn in any of them."""
    return frozenset.intersection(*(_cmap(n) for n in font_names))


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
