"""Paths: where the data and styles are (./data and ./styles, else the installed copies)."""

from __future__ import annotations

from pathlib import Path


def installed(name: str) -> Path:
    """The copy of ``data`` or ``styles`` installed inside the package (or the source tree's)."""
    packaged = Path(__file__).resolve().parent / "_data" / name
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / name


def default_root(name: str) -> Path:
    local = Path.cwd() / name
    return local if local.is_dir() else installed(name)
