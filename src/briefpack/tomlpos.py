"""TOML positions: limits checked before parsing, and the line and column of any key path.

``tomllib`` gives values without positions.  :class:`Locator` scans the source text once
(only when a problem needs a position) and maps key paths such as
``("columns", "value", "type")`` or ``("sections", 3, "blocks", 1, "dataset")`` to the
1-based line and column of the key and of its value: table headers (``[columns.value]``,
``[[sections]]``, ``[[sections.blocks]]``), ``key = value`` lines, dotted keys, inline
tables and arrays, on one line or several.  The scanner assumes text that ``tomllib``
accepted; it never raises on other text, it only finds less.

:func:`check_limits` runs before ``tomllib`` sees a file: a file larger than
:data:`MAX_TOML_BYTES` or nested deeper than :data:`MAX_DEPTH` (``[[[[…]]]]``, which makes
``tomllib`` recurse until RecursionError) is refused at the line where it goes wrong.
Standard library only.
"""

from __future__ import annotations

import bisect
import re
from typing import Any

MAX_TOML_BYTES = 1_000_000  # the largest prose file is ~10 kB
MAX_DEPTH = 16  # arrays and inline tables inside each other; the data uses 3
Path = tuple[Any, ...]
Position = tuple[int, int]

_BARE = re.compile(r"[A-Za-z0-9_-]+")
_SPACE = " \t"


def check_limits(text: str) -> tuple[int, int, str] | None:
    """(line, column, message) of the first place ``text`` is too large or too deep."""
    if len(text.encode("utf-8")) > MAX_TOML_BYTES:
        return 1, 1, f"file larger than {MAX_TOML_BYTES:,} bytes: not a data file"
    depth, i, n = 0, 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end
        elif ch in "\"'":
            i = _skip_string(text, i)
            continue
        elif ch in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                line, col = _line_col(text, i)
                return line, col, f"nested deeper than {MAX_DEPTH} levels of [ ] and {{ }}"
        elif ch in "]}":
            depth = max(0, depth - 1)
        i += 1
    return None


def _line_col(text: str, i: int) -> Position:
    line = text.count("\n", 0, i) + 1
    return line, i - (text.rfind("\n", 0, i) + 1) + 1


def _skip_string(text: str, i: int) -> int:
    """The index just after the string starting at ``i`` (any of TOML's four kinds)."""
    quote = text[i]
    n = len(text)
    if text.startswith(quote * 3, i):
        j = i + 3
        while j < n:
            if quote == '"' and text[j] == "\\":
                j += 2
                continue
            if text[j] == quote:
                run = j
                while run < n and text[run] == quote:
                    run += 1
                if run - j >= 3:  # up to two quotes before the delimiter belong to the string
                    return run
                j = run
                continue
            j += 1
        return n
    j = i + 1
    while j < n and text[j] != "\n":
        if quote == '"' and text[j] == "\\":
            j += 2
            continue
        if text[j] == quote:
            return j + 1
        j += 1
    return j


class Locator:
    """Line and column of the keys and values of one TOML text (built on first use)."""

    def __init__(self, text: str):
        self.text = text
        self._keys: dict[Path, Position] | None = None
        self._values: dict[Path, Position] = {}
        self._starts: list[int] = []

    # ----------------------------------------------------------------- queries
    def key(self, path: Path) -> Position:
        """Where the key of ``path`` is written (or its nearest located parent)."""
        self._build()
        assert self._keys is not None
        return self._nearest(self._keys, path)

    def value(self, path: Path) -> Position:
        """Where the value of ``path`` starts (or its key, or its nearest located parent)."""
        self._build()
        assert self._keys is not None
        for p in _prefixes(path):
            if p in self._values:
                return self._values[p]
            if p in self._keys:
                return self._keys[p]
        return 1, 1

    def has(self, path: Path) -> bool:
        self._build()
        assert self._keys is not None
        return path in self._keys or path in self._values

    def _nearest(self, table: dict[Path, Position], path: Path) -> Position:
        for p in _prefixes(path):
            if p in table:
                return table[p]
        return 1, 1

    # ----------------------------------------------------------------- scanning
    def _pos(self, i: int) -> Position:
        line = bisect.bisect_right(self._starts, i)
        return line, i - self._starts[line - 1] + 1

    def _build(self) -> None:
        if self._keys is not None:
            return
        self._keys = {}
        text = self.text
        self._starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self._arrays: dict[Path, int] = {}  # array of tables → its length so far
        table: Path = ()
        i, n = 0, len(text)
        try:
            while i < n:
                i = self._skip_blank(i, newlines=True)
                if i >= n:
                    break
                if text[i] == "[":
                    aot = text.startswith("[[", i)
                    at = i
                    i += 2 if aot else 1
                    segments, i = self._key(i)
                    i = self._skip_blank(i)
                    i += 2 if aot else 1
                    table = self._header(segments, aot, self._pos(at))
                else:
                    at = i
                    segments, i = self._key(i)
                    i = self._skip_blank(i)
                    i += 1  # '='
                    i = self._skip_blank(i)
                    path = self._dotted(table, segments, self._pos(at))
                    i = self._value(i, path)
                end = text.find("\n", i)
                i = n if end < 0 else end + 1
        except (IndexError, ValueError):  # pragma: no cover - text tomllib did not accept
            pass

    def _skip_blank(self, i: int, newlines: bool = False) -> int:
        text, n = self.text, len(self.text)
        while i < n:
            ch = text[i]
            if ch in _SPACE or (newlines and ch in "\r\n"):
                i += 1
            elif ch == "#":
                end = text.find("\n", i)
                i = n if end < 0 else (end + 1 if newlines else end)
            else:
                break
        return i

    def _key(self, i: int) -> tuple[list[str], int]:
        """A (dotted) key starting at ``i``: its segments and the index after it."""
        text = self.text
        segments = []
        while True:
            i = self._skip_blank(i)
            if text[i] in "\"'":
                end = _skip_string(text, i)
                raw = text[i:end]
                segments.append(_unquote(raw))
                i = end
            else:
                match = _BARE.match(text, i)
                if match is None:
                    raise ValueError("not a key")
                segments.append(match.group())
                i = match.end()
            i = self._skip_blank(i)
            if i < len(text) and text[i] == ".":
                i += 1
                continue
            return segments, i

    def _mark(self, path: Path, pos: Position, value: Position | None = None) -> None:
        assert self._keys is not None
        self._keys.setdefault(path, pos)
        if value is not None:
            self._values.setdefault(path, value)

    def _header(self, segments: list[str], aot: bool, pos: Position) -> Path:
        path: Path = ()
        for n, segment in enumerate(segments):
            path += (segment,)
            last = n == len(segments) - 1
            if path in self._arrays and not (last and aot):
                path += (self._arrays[path] - 1,)
            elif not last:
                self._mark(path, pos)
        if aot:
            index = self._arrays.get(path, 0)
            self._arrays[path] = index + 1
            self._mark(path, pos, pos)
            path += (index,)
        self._mark(path, pos, pos)
        return path

    def _dotted(self, base: Path, segments: list[str], pos: Position) -> Path:
        path = base
        for segment in segments[:-1]:
            path += (segment,)
            self._mark(path, pos)
        path += (segments[-1],)
        self._mark(path, pos)
        return path

    def _value(self, i: int, path: Path) -> int:
        """Record where the value of ``path`` starts; the index just after the value."""
        text = self.text
        self._values.setdefault(path, self._pos(i))
        ch = text[i]
        if ch in "\"'":
            return _skip_string(text, i)
        if ch == "[":
            i += 1
            index = 0
            while True:
                i = self._skip_blank(i, newlines=True)
                if text[i] == "]":
                    return i + 1
                element = (*path, index)
                self._mark(element, self._pos(i))
                i = self._value(i, element)
                index += 1
                i = self._skip_blank(i, newlines=True)
                if text[i] == ",":
                    i += 1
        if ch == "{":
            i += 1
            while True:
                i = self._skip_blank(i, newlines=True)
                if text[i] == "}":
                    return i + 1
                at = i
                segments, i = self._key(i)
                i = self._skip_blank(i)
                i += 1  # '='
                i = self._skip_blank(i)
                i = self._value(i, self._dotted(path, segments, self._pos(at)))
                i = self._skip_blank(i, newlines=True)
                if text[i] == ",":
                    i += 1
        j = i
        while j < len(text) and text[j] not in ",]}\r\n#":
            j += 1
        return j


def _prefixes(path: Path):
    p = tuple(path)
    while p:
        yield p
        p = p[:-1]


def _unquote(raw: str) -> str:
    if raw.startswith("'"):
        return raw[1:-1]
    import tomllib

    try:
        return tomllib.loads(f"k = {raw}")["k"]
    except tomllib.TOMLDecodeError:  # pragma: no cover - text tomllib did not accept
        return raw[1:-1]
