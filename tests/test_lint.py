"""The code passes ruff (lint and format), as the README promises."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from .conftest import ROOT


@pytest.mark.skipif(shutil.which("ruff") is None, reason="ruff is not installed")
def test_ruff_check_and_format() -> None:
    paths = [str(ROOT / p) for p in ("src", "tests", "tools", "benchmarks")]
    check = subprocess.run(["ruff", "check", *paths], capture_output=True, text=True, cwd=ROOT)
    assert check.returncode == 0, check.stdout
    fmt = subprocess.run(
        ["ruff", "format", "--check", *paths], capture_output=True, text=True, cwd=ROOT
    )
    assert fmt.returncode == 0, fmt.stdout
