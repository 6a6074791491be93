"""Portability that cannot rot: a full parallel build as on Windows (spawn, no fcntl, no prctl).

The run happens in a fresh interpreter whose ``sitecustomize`` makes ``import fcntl`` fail,
with workers started by ``spawn``, into a folder whose name has Japanese characters and a
space; then the same run is repeated and must find everything up to date.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from .conftest import DATA, data_args

BLOCK_FCNTL = "import sys\nsys.modules['fcntl'] = None  # as on Windows: import fcntl fails\n"


def run(args: list[str], site: Path) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(site), os.environ.get("PYTHONPATH")])),
        "BRIEFPACK_START_METHOD": "spawn",
    }
    code = (
        "import sys\nassert sys.modules.get('fcntl', 0) is None\n"
        "from briefpack.cli import main\nmain(sys.argv[1:])\n"
    )
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, timeout=300
    )


def test_build_all_with_spawn_and_without_fcntl(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(BLOCK_FCNTL, encoding="utf-8")
    out = tmp_path / "会議 資料"
    args = [*data_args(DATA), "build", "--all", "--jobs", "2", "--json", "--out", str(out)]
    first = run(args, site)
    assert first.returncode == 0, first.stderr
    summary = json.loads(first.stdout)
    assert (summary["built"], summary["failed"]) == (12, 0)
    assert len(list(out.glob("*.pdf"))) == 12
    second = run(args, site)
    assert second.returncode == 0, second.stderr
    assert json.loads(second.stdout)["unchanged"] == 12
