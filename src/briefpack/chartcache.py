"""Chart cache: the hash of everything that drew a chart → its recorded drawing (OUT/.briefpack).

An entry holds its own key and the hash of its drawing and is checked on read: a damaged
or mismatched entry is discarded and the chart drawn again.  ``--force`` reads no entry.
Entries are JSON, read and written with msgspec (a chart cache hit is a build's most
frequent read).
"""

from __future__ import annotations

import contextlib
import hashlib
from pathlib import Path
from typing import Any

import msgspec

from .outputs import STATE_DIR


def encode_ops(ops: Any) -> bytes:
    """A drawing as JSON bytes: what the cache stores and what a fresh drawing is read back
    from, so that a drawing from the cache and a fresh one are the same values.  Plain
    values only (msgspec refuses a NumPy string: the recorder converts them)."""
    return msgspec.json.encode(ops)


def decode_ops(data: bytes) -> Any:
    return msgspec.json.decode(data)


def _ops_hash(encoded_ops: bytes) -> str:
    return hashlib.sha256(encoded_ops).hexdigest()


class ChartCache:
    """A hit skips matplotlib entirely; a miss renders and stores the drawing operations."""

    def __init__(self, out_dir: Path, read: bool = True):
        self.folder = out_dir / STATE_DIR / "charts"
        self.read = read
        self.hits = 0
        self.misses = 0
        self.discarded = 0

    def get(self, key: str) -> Any:
        if not self.read:
            self.misses += 1
            return None
        path = self.folder / f"{key}.json"
        try:
            data = path.read_bytes()
        except OSError:
            self.misses += 1
            return None
        ops = _checked(data, key)
        if ops is None:
            self.discarded += 1
            self.misses += 1
            with contextlib.suppress(OSError):
                path.unlink()
            return None
        self.hits += 1
        return ops

    def holds(self, key: str) -> bool:
        """Whether an entry for ``key`` is there (counts nothing; a damaged one is found
        and drawn again when it is read)."""
        return self.read and (self.folder / f"{key}.json").is_file()

    def wait_for(self, key: str, timeout: float = 120.0) -> Any:
        """The drawing another process of this run is writing for ``key``: read as soon as
        it is there; None when that process gave up (a ``.failed`` mark) or on timeout.

        Looked for every few milliseconds: a pack waits for each chart of a cold run as it
        is drawn (a few dozen milliseconds each), and every moment it sleeps after the
        chart is there is a moment lost; a look costs microseconds."""
        import time

        path, failed = self.folder / f"{key}.json", self.folder / f"{key}.failed"
        deadline = time.monotonic() + timeout
        delay = 0.001
        while time.monotonic() < deadline:
            try:
                ops = _checked(path.read_bytes(), key)
            except OSError:
                ops = None
            if ops is not None:
                self.hits += 1
                return ops
            if failed.exists():
                return None
            time.sleep(delay)
            delay = min(delay * 2, 0.003)
        return None

    def put(self, key: str, encoded_ops: bytes) -> None:
        """Store a drawing given as :func:`encode_ops` bytes."""
        with contextlib.suppress(Exception):  # a cache that cannot be written is no error
            self.write_entry(self.folder, key, encoded_ops)
            (self.folder / f"{key}.failed").unlink(missing_ok=True)

    @staticmethod
    def write_entry(folder: Path, key: str, encoded_ops: bytes) -> None:
        from .outputs import write_atomically

        entry = {"key": key, "sha256": _ops_hash(encoded_ops), "ops": msgspec.Raw(encoded_ops)}
        folder.mkdir(parents=True, exist_ok=True)
        write_atomically(folder / f"{key}.json", msgspec.json.encode(entry))

    def forget(self, key: str) -> None:
        """Remove ``key``'s entry and failure mark (it is about to be drawn again)."""
        for suffix in (".json", ".failed"):
            with contextlib.suppress(OSError):
                (self.folder / f"{key}{suffix}").unlink()


class _Entry(msgspec.Struct):
    key: str
    sha256: str
    ops: msgspec.Raw


# Drawings already decoded in this process, by the hash of their bytes: the packs of a run
# read the same charts, and a drawing is only ever read, never changed.
_DECODED: dict[str, Any] = {}


def _checked(data: bytes, key: str) -> Any:
    """The drawing of an entry whose key and hash match, else None (the hash is of the
    drawing's bytes as :func:`encode_ops` wrote them; an entry edited in any way is drawn
    again)."""
    try:
        entry = msgspec.json.decode(data, type=_Entry)
    except msgspec.DecodeError:  # damaged, or not an entry at all
        return None
    raw = bytes(entry.ops)
    if entry.key != key or entry.sha256 != _ops_hash(raw):
        return None
    ops = _DECODED.get(entry.sha256)
    if ops is None:
        try:
            ops = decode_ops(raw)
        except msgspec.DecodeError:
            return None
        if len(_DECODED) >= 64:  # a very large run: start afresh
            _DECODED.clear()
        _DECODED[entry.sha256] = ops
    return ops
