"""Build options: what the user asked for on the command line (all of it shapes the output)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass
class BuildOptions:
    data_root: Path
    styles_root: Path
    out_dir: Path
    style: str = "default"
    date: dt.date | None = None
    force: bool = False
    # Print options (PRODUCT.md): all of them change the output, so all are pack inputs.
    meeting: str | None = None
    mark: str | None = None
    watermark: str | None = None
    copies: int = 0
    gray: bool = False
    duplex: bool = False
    nup: int = 1
    changes_page: bool = False  # append 「前回版からの変更点」 when a pack is rebuilt

    def print_options(self) -> dict[str, Any]:
        keys = ("meeting", "mark", "watermark", "copies", "gray", "duplex", "nup", "changes_page")
        return {k: getattr(self, k) for k in keys}

    def output_settings(self) -> dict[str, Any]:
        """Every option that changes a pack's bytes (the issue date's sources included)."""
        import os

        return {
            "style": self.style,
            "date": self.date,
            "SOURCE_DATE_EPOCH": os.environ.get("SOURCE_DATE_EPOCH"),
            **self.print_options(),
        }
