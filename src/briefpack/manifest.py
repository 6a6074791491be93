"""Manifest: a pack's inputs → fingerprints, compared with OUT/.briefpack/manifest.json.

A pack's inputs are the rows it shows or computes from, the prose it prints, its spec, the
style, the fonts, the package version and the options that change its bytes.  Standard
library only: a nightly run that finds nothing changed never loads ReportLab or matplotlib.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
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
COLUMNS_KEY = "(columns)"  # in a pack's recorded rows: the dataset's column names


def _digest(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# path → (size, mtime in ns, sha256); filled from the manifest, so that an unchanged file
# (same size and mtime, as make and rsync judge it) is not read again on the next run.
_DIGESTS: dict[str, tuple[int, int, str]] = {}


def file_digest(path: Path) -> str:
    """SHA-256 of a file, read only when its size or mtime differ from the last known."""
    stat = path.stat()
    known = _DIGESTS.get(str(path))
    if known and known[0] == stat.st_size and known[1] == stat.st_mtime_ns:
        return known[2]
    digest = _hash_file(path)
    _DIGESTS[str(path)] = (stat.st_size, stat.st_mtime_ns, digest)
    return digest


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


def _code_digest() -> str:
    package = Path(__file__).resolve().parent
    files = sorted(package.rglob("*.py"))
    return _digest([(str(p.relative_to(package)), file_digest(p)) for p in files])


def _row_texts(dataset: Any) -> dict[int, tuple[str, str]]:
    """Each row's key and values as text, computed once per dataset object (kept on it)."""
    texts = dataset.__dict__.get("_row_texts")
    if texts is None:
        texts = {r.line: (_row_key(dataset, r), _row_values(dataset, r)) for r in dataset.rows}
        dataset.__dict__["_row_texts"] = texts
    return texts


def _meta_digest(dataset: Any) -> str:
    digest = dataset.__dict__.get("_meta_digest")
    if digest is None:
        digest = _digest({k: v for k, v in dataset.meta.items() if k != "remarks"})
        dataset.__dict__["_meta_digest"] = digest
    return digest


def _row_key(dataset: Any, row: Any) -> str:
    names = dataset.key or [c.name for c in dataset.columns]
    return "/".join(str(row[k]) for k in names)


def _row_values(dataset: Any, row: Any) -> str:
    cells = ["" if row[c.name] is None else str(row[c.name]) for c in dataset.columns]
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow(cells)
    return buffer.getvalue()


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
        texts_of = _row_texts(dataset)
        values = dict(texts_of[r.line] for r in selected)
        row_values[dataset_id] = {COLUMNS_KEY: ",".join(c.name for c in dataset.columns), **values}
        parts[f"dataset:{dataset_id}"] = _digest([_meta_digest(dataset), values])
    parts["prose"] = _digest(texts)
    parts["spec"] = file_digest(spec.path)
    parts["places"] = _digest(
        [p.__dict__ for p in sorted(data.places.values(), key=lambda p: p.code)]
    )
    parts["publications"] = _digest([p.__dict__ for p in data.publications.values()])
    parts["style"] = _digest({p.name: file_digest(p) for p in style_files})
    parts["fonts"] = _digest([file_digest(p) for p in font_files])
    parts["version"] = __version__
    parts["code"] = _code_digest()  # a development build's code changes count as well
    parts["options"] = _digest(options)
    return Fingerprint(_digest(parts), parts, row_values)


# --------------------------------------------------------------------------- the manifest file


def quick_key(roots: list[Path], options: dict[str, Any]) -> str:
    """Every file's path, size and mtime under ``roots``, with the options and version.

    When it equals the last run's, no input can have changed and the data need not even
    be loaded (the way make judges files); when it differs, the row-level check decides.
    """
    stats = []
    for root in roots:
        stack = [root]
        while stack:
            folder = stack.pop()
            try:
                entries = list(os.scandir(folder))
            except OSError:
                stats.append((str(folder), None))
                continue
            for entry in entries:
                if entry.is_dir():
                    if entry.name not in ("__pycache__", STATE_DIR):
                        stack.append(Path(entry.path))
                else:
                    st = entry.stat()
                    stats.append((entry.path, st.st_size, st.st_mtime_ns))
    return _digest([sorted(stats, key=str), options, __version__])


@dataclass
class Manifest:
    path: Path
    packs: dict[str, dict[str, Any]]
    quick: dict[str, dict[str, Any]] = field(default_factory=dict)

    def quick_hit(self, request: str, key: str) -> list[tuple[str, dict]] | None:
        """The packs of ``request`` if its quick key matches and every output is in place."""
        record = self.quick.get(request)
        if not record or record.get("key") != key:
            return None
        found = []
        for name in record.get("packs", []):
            entry = self.packs.get(name)
            if not entry or not _output_in_place(entry):
                return None
            found.append((name, entry))
        return found

    @classmethod
    def read(cls, out_dir: Path) -> Manifest:
        path = out_dir / STATE_DIR / "manifest.json"
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
            packs, files, quick = doc.get("packs", {}), doc.get("files", {}), doc.get("quick", {})
        except (OSError, ValueError, AttributeError):
            packs, files, quick = {}, {}, {}  # none, or damaged: everything counts as changed
        if isinstance(files, dict):
            for name, entry in files.items():
                if isinstance(entry, list) and len(entry) == 3:
                    _DIGESTS.setdefault(name, tuple(entry))
        return cls(
            path,
            packs if isinstance(packs, dict) else {},
            quick if isinstance(quick, dict) else {},
        )

    def write(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        files = {name: list(entry) for name, entry in sorted(_DIGESTS.items())}
        doc = {"version": 1, "packs": self.packs, "files": files, "quick": self.quick}
        text = json.dumps(doc, ensure_ascii=False, indent=1)
        fd, tmp = tempfile.mkstemp(prefix=".manifest.", dir=self.path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, self.path)


def _output_in_place(entry: dict[str, Any]) -> bool:
    for path_text, size, mtime in entry.get("outputs", []):
        try:
            st = os.stat(path_text)
        except OSError:
            return False
        if st.st_size != size or st.st_mtime_ns != mtime:
            return False
    return bool(entry.get("outputs"))


def output_stats(paths: list[Path]) -> list[list[Any]]:
    return [[str(p), p.stat().st_size, p.stat().st_mtime_ns] for p in paths]


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
    """``japan_trade kg/2024: exports 44512 → 44513, balance 42710 → 42711``."""
    names = new.get(COLUMNS_KEY, "").split(",")
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
    return out or [f"{dataset_id}: metadata changed"]


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


# --------------------------------------------------------------------------- one writer at a time


# File descriptors of the locks this process holds: a forked worker closes them, so that
# the lock ends with this process and never lives on in a worker.
HELD_LOCKS: list[int] = []


def release_inherited_locks() -> None:
    for fd in HELD_LOCKS:
        with contextlib.suppress(OSError):
            os.close(fd)
    HELD_LOCKS.clear()


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
        HELD_LOCKS.append(handle.fileno())
        try:
            yield
        finally:
            HELD_LOCKS.remove(handle.fileno())
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle, fcntl.LOCK_UN)
