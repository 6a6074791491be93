"""Chart cache: a chart's data, spec and style hash → its recorded drawing, in OUT/.briefpack/."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from .manifest import STATE_DIR


class ChartCache:
    """A hit skips matplotlib entirely; a miss renders and stores the drawing operations."""

    def __init__(self, out_dir: Path):
        self.folder = out_dir / STATE_DIR / "charts"
        self.hits = 0
        self.misses = 0

    def get(self, key: str) -> Any:
        try:
            ops = json.loads((self.folder / f"{key}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.misses += 1
            return None
        self.hits += 1
        return ops

    def put(self, key: str, ops: Any) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{key}.", dir=self.folder)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(ops, f, separators=(",", ":"))
        os.replace(tmp, self.folder / f"{key}.json")
