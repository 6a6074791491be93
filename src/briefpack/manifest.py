"""Manifest: a pack's inputs → fingerprints, compared with OUT/.briefpack/manifest.json.

A pack's inputs are the rows it shows or computes from, the prose it prints, its spec, the
style, the fonts, the package version and the options that change its bytes.  Standard
library only: a nightly run that finds nothing changed never loads ReportLab or matplotlib.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import __version__
from .datalayer import DataLayer
from .errors import BuildError
from .select import block_inputs, plan_section

STATE_DIR = ".briefpack"


def _digest(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


_DIGESTS: dict[tuple[str, int, int], str] = {}


def file_digest(path: Path) -> str:
    """SHA-256 of a file, computed once per run for an unchanged file (size and mtime)."""
    stat = path.stat()
    key = (str(path), stat.st_size, stat.st_mtime_ns)
    if key not in _DIGESTS:
        _DIGESTS[key] = _hash_file(path)
    return _DIGESTS[key]


def _hash_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


@dataclass
class Fingerprint:
    """The hash of everything a pack depends on, and the parts it is made of."""

    digest: str
    parts: dict[str, str]  # input name → hash (dataset:ID, prose, spec, style, fonts, …)
    rows: dict[str, dict[str, str]] = field(default_factory=dict)  # dataset → key → values


def _row_key(dataset: Any, row: Any) -> str:
    names = dataset.key or [c.name for c in dataset.columns]
    return "/".join(str(row[k]) for k in names)


def _row_values(dataset: Any, row: Any) -> str:
    return ",".join("" if row[c.name] is None else str(row[c.name]) for c in dataset.columns)


def pack_rows(data: DataLayer, spec: Any, target: str) -> tuple[dict[str, list], list]:
    """Every row (by dataset) and prose value the pack draws on."""
    rows: dict[str, dict[int, Any]] = {}
    texts: list[Any] = []
    for section in spec.sections:
        for group in plan_section(data, section, target):
            for block in group.blocks:
                block_rows, block_texts = block_inputs(data, block, group.target)
                for dataset_id, selected in block_rows.items():
                    bucket = rows.setdefault(dataset_id, {})
                    for row in selected:
                        bucket[row.line] = row
                texts += block_texts
    ordered = {k: [v[line] for line in sorted(v)] for k, v in rows.items()}
    return ordered, texts


def fingerprint(
    data: DataLayer,
    spec: Any,
    target: str,
    style_files: list[Path],
    font_files: list[Path],
    options: dict[str, Any],
) -> Fingerprint:
    rows, texts = pack_rows(data, spec, target)
    parts: dict[str, str] = {}
    row_values: dict[str, dict[str, str]] = {}
    for dataset_id, selected in sorted(rows.items()):
        dataset = data.datasets[dataset_id]
        values = {_row_key(dataset, r): _row_values(dataset, r) for r in selected}
        row_values[dataset_id] = values
        meta = {k: v for k, v in dataset.meta.items() if k != "remarks"}
        parts[f"dataset:{dataset_id}"] = _digest([meta, values])
    parts["prose"] = _digest(texts)
    parts["spec"] = file_digest(spec.path)
    parts["places"] = _digest(
        [p.__dict__ for p in sorted(data.places.values(), key=lambda p: p.code)]
    )
    parts["publications"] = _digest([p.__dict__ for p in data.publications.values()])
    parts["style"] = _digest({p.name: file_digest(p) for p in style_files})
    parts["fonts"] = _digest([file_digest(p) for p in font_files])
    parts["version"] = __version__
    parts["options"] = _digest(options)
    return Fingerprint(_digest(parts), parts, row_values)


# --------------------------------------------------------------------------- the manifest file


@dataclass
class Manifest:
    path: Path
    packs: dict[str, dict[str, Any]]

    @classmethod
    def read(cls, out_dir: Path) -> Manifest:
        path = out_dir / STATE_DIR / "manifest.json"
        try:
            packs = json.loads(path.read_text(encoding="utf-8")).get("packs", {})
        except (OSError, ValueError, AttributeError):
            packs = {}  # no manifest, or a damaged one: everything counts as changed
        return cls(path, packs if isinstance(packs, dict) else {})

    def up_to_date(self, name: str, fp: Fingerprint, pdf: Path) -> bool:
        entry = self.packs.get(name)
        if not entry or entry.get("inputs") != fp.digest or not pdf.is_file():
            return False
        return file_digest(pdf) == entry.get("output")

    def record(self, name: str, fp: Fingerprint, pdf: Path, pages: int, seconds: float) -> None:
        self.packs[name] = {
            "inputs": fp.digest,
            "parts": fp.parts,
            "rows": fp.rows,
            "output": file_digest(pdf),
            "pages": pages,
            "build_seconds": round(seconds, 3),
        }

    def write(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps({"version": 1, "packs": self.packs}, ensure_ascii=False, indent=1)
        fd, tmp = tempfile.mkstemp(prefix=".manifest.", dir=self.path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, self.path)


def changes(previous: dict[str, Any] | None, fp: Fingerprint) -> list[str]:
    """What changed since the last build, in words: datasets, values, spec, style, …"""
    if not previous:
        return ["first build"]
    out = []
    old_parts = previous.get("parts", {})
    old_rows = previous.get("rows", {})
    for name, digest in fp.parts.items():
        if old_parts.get(name) == digest:
            continue
        if name.startswith("dataset:"):
            dataset_id = name.split(":", 1)[1]
            out += _value_changes(dataset_id, old_rows.get(dataset_id, {}), fp.rows[dataset_id])
        else:
            out.append(f"{name} changed")
    for name in old_parts:
        if name not in fp.parts:
            out.append(f"{name} no longer used")
    return out


def _value_changes(dataset_id: str, old: dict[str, str], new: dict[str, str]) -> list[str]:
    out = []
    for key in sorted(set(old) | set(new)):
        before, after = old.get(key), new.get(key)
        if before == after:
            continue
        if before is None:
            out.append(f"{dataset_id} {key}: added ({after})")
        elif after is None:
            out.append(f"{dataset_id} {key}: removed ({before})")
        else:
            out.append(f"{dataset_id} {key}: {before} → {after}")
    return out or [f"{dataset_id}: metadata changed"]


# --------------------------------------------------------------------------- one writer at a time


@contextlib.contextmanager
def output_lock(out_dir: Path):
    """Hold OUT/.briefpack/lock for the whole run; a second run refuses with a clear message."""
    import fcntl

    state = out_dir / STATE_DIR
    state.mkdir(parents=True, exist_ok=True)
    with (state / "lock").open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise BuildError(
                f"{out_dir}: another briefpack build is writing here ({holder}); "
                "wait for it to finish or use another --out"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}")
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle, fcntl.LOCK_UN)
