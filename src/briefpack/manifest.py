"""Manifest: OUT/.briefpack/manifest.json — per pack, the fingerprint of its plan and inputs.

A pack's fingerprint is the digest of its plan (everything rendering consumes, resolved
from the rows the build actually read), the style, the fonts, the code and the options
that change its bytes.  The manifest also keeps the rows each pack read, to say in words
what changed.  Standard library only: a nightly run that finds nothing changed never loads
ReportLab or matplotlib.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .outputs import STATE_DIR
from .pack.reads import COLUMNS_KEY

FORMAT = 2
# A file modified this close to the moment its digest was recorded may change again within
# the same mtime tick unseen (the "racy" case of git's index): its digest is not trusted.
RACY_SECONDS = 2.0


def digest(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def hash_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


# path → (size, mtime in ns, sha256, recorded at): a file whose size and mtime are unchanged
# and were not racy when recorded is not read again (how make and git judge files).
_DIGESTS: dict[str, tuple[int, int, str, float]] = {}


def file_digest(path: Path) -> str:
    stat = path.stat()
    known = _DIGESTS.get(str(path))
    if (
        known
        and known[0] == stat.st_size
        and known[1] == stat.st_mtime_ns
        and stat.st_mtime_ns / 1e9 < known[3] - RACY_SECONDS
    ):
        return known[2]
    value = hash_file(path)
    _DIGESTS[str(path)] = (stat.st_size, stat.st_mtime_ns, value, time.time())
    return value


def tree_digest(root: Path, trust_stat: bool) -> list[tuple[str, str]]:
    """(relative path, content hash) of every file under ``root``.

    ``trust_stat=False`` reads every file (the data and styles a keeper edits: small, and a
    same-size edit within the same second must not be missed); ``True`` reuses a recorded
    digest when size and mtime prove the file unchanged (the installed code and fonts).
    """
    out = []
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            out.append((str(folder), "missing"))
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                if entry.name not in ("__pycache__", STATE_DIR) and not entry.name.startswith("."):
                    stack.append(Path(entry.path))
            elif entry.is_file():
                path = Path(entry.path)
                value = file_digest(path) if trust_stat else hash_file(path)
                out.append((str(path.relative_to(root)), value))
    return sorted(out)


@dataclass
class Manifest:
    path: Path
    packs: dict[str, dict[str, Any]]
    quick: dict[str, dict[str, Any]] = field(default_factory=dict)

    def entry(self, name: str) -> dict[str, Any] | None:
        """A pack's last record, or None when absent or damaged (the pack is rebuilt)."""
        entry = self.packs.get(name)
        if not isinstance(entry, dict) or not isinstance(entry.get("inputs"), str):
            return None
        if not isinstance(entry.get("output"), str) or not isinstance(entry.get("outputs"), list):
            return None
        return entry

    def quick_hit(self, request: str, key: str) -> list[tuple[str, dict]] | None:
        """The packs of ``request`` if its quick key matches and every output is in place."""
        record = self.quick.get(request)
        if not isinstance(record, dict) or record.get("key") != key:
            return None
        found = []
        for name in record.get("packs", []):
            entry = self.entry(name)
            if not entry or not outputs_in_place(entry, self.path.parent.parent):
                return None
            found.append((name, entry))
        return found

    @classmethod
    def read(cls, out_dir: Path) -> Manifest:
        path = out_dir / STATE_DIR / "manifest.json"
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
            if doc.get("format") != FORMAT:
                raise ValueError("another format")
            packs, files, quick = doc.get("packs", {}), doc.get("files", {}), doc.get("quick", {})
        except (OSError, ValueError, AttributeError, TypeError):
            packs, files, quick = {}, {}, {}  # none, or damaged: everything counts as changed
        if isinstance(files, dict):
            for name, entry in files.items():
                if isinstance(entry, list) and len(entry) == 4:
                    _DIGESTS.setdefault(name, tuple(entry))  # type: ignore[arg-type]
        return cls(
            path,
            packs if isinstance(packs, dict) else {},
            quick if isinstance(quick, dict) else {},
        )

    def write(self) -> None:
        from .outputs import write_json

        files = {name: list(entry) for name, entry in sorted(_DIGESTS.items())}
        doc = {"format": FORMAT, "packs": self.packs, "files": files, "quick": self.quick}
        write_json(self.path, doc)


def outputs_in_place(entry: dict[str, Any], out_dir: Path) -> bool:
    """Every file the pack wrote (named relative to OUT) still has its recorded size and mtime."""
    for item in entry.get("outputs", []):
        if not (isinstance(item, list) and len(item) == 3 and isinstance(item[0], str)):
            return False
        name, size, mtime = item
        if Path(name).name != name:
            return False  # a path, not a file name in OUT: an old or damaged record
        try:
            st = os.stat(out_dir / name)
        except OSError:
            return False
        if st.st_size != size or st.st_mtime_ns != mtime:
            return False
    return bool(entry.get("outputs"))


def output_stats(paths: list[Path]) -> list[list[Any]]:
    """Name (in OUT), size and mtime of each output: a copied or moved OUT stays valid."""
    return [[p.name, p.stat().st_size, p.stat().st_mtime_ns] for p in paths]


def changes(
    previous: dict[str, Any] | None, parts: dict[str, str], rows: dict[str, dict[str, str]]
) -> list[str]:
    """What changed since the last build, in words: values read, spec, style, …"""
    if not previous:
        return ["first build"]
    out = []
    old_parts = previous.get("parts", {}) if isinstance(previous.get("parts"), dict) else {}
    old_rows = previous.get("rows", {}) if isinstance(previous.get("rows"), dict) else {}
    for dataset_id in sorted(set(old_rows) | set(rows)):
        out += _value_changes(dataset_id, old_rows.get(dataset_id, {}), rows.get(dataset_id, {}))
    for name, value in parts.items():
        if name != "plan" and old_parts.get(name) != value:
            out.append(f"{name} changed")
    if not out and old_parts.get("plan") != parts.get("plan"):
        out.append("plan changed (prose or composition)")
    return out


def _value_changes(dataset_id: str, old: dict[str, str], new: dict[str, str]) -> list[str]:
    """``japan_trade kg/2024: exports 44512 → 44513, balance 42710 → 42711``."""
    names = (new.get(COLUMNS_KEY) or old.get(COLUMNS_KEY) or "").split(",")
    out = []
    for key in sorted((set(old) | set(new)) - {COLUMNS_KEY}):
        before, after = old.get(key), new.get(key)
        if before == after:
            continue
        if before is None:
            out.append(f"{dataset_id} {key}: added ({after})")
        elif after is None:
            out.append(f"{dataset_id} {key}: removed ({before})")
        else:
            out.append(f"{dataset_id} {key}: {_cell_changes(names, before, after)}")
    return out


def _cell_changes(names: list[str], before: str, after: str) -> str:
    old_cells, new_cells = next(csv.reader([before])), next(csv.reader([after]))
    if len(old_cells) != len(new_cells) or len(names) != len(new_cells):
        return f"{before} → {after}"
    diffs = [
        f"{name} {a or '—'} → {b or '—'}"
        for name, a, b in zip(names, old_cells, new_cells, strict=True)
        if a != b
    ]
    return ", ".join(diffs)
