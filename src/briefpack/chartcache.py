"""Chart cache: the hash of everything that drew a chart → its recorded drawing (OUT/.briefpack).

An entry holds its own key and the hash of its drawing and is checked on read: a damaged
or mismatched entry is discarded and the chart drawn again.  ``--force`` reads no entry.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from pathlib import Path
from typing import Any

from .outputs import STATE_DIR


def _ops_hash(ops: Any) -> str:
    text = json.dumps(ops, separators=(",", ":"), sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


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
            entry = json.loads(path.read_text(encoding="utf-8"))
        except OSError:
            self.misses += 1
            return None
        except ValueError:
            entry = None
        valid = (
            isinstance(entry, dict)
            and entry.get("key") == key
            and entry.get("sha256") == _ops_hash(entry.get("ops"))
        )
        if not valid:
            self.discarded += 1
            self.misses += 1
            with contextlib.suppress(OSError):
                path.unlink()
            return None
        self.hits += 1
        return entry["ops"]

    def put(self, key: str, ops: Any) -> None:
        from .outputs import write_atomically

        entry = {"key": key, "sha256": _ops_hash(ops), "ops": ops}
        with contextlib.suppress(Exception):  # a cache that cannot be written is no error
            self.folder.mkdir(parents=True, exist_ok=True)
            write_atomically(
                self.folder / f"{key}.json",
                json.dumps(entry, separators=(",", ":")).encode("utf-8"),
            )
