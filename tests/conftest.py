from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
STYLES = ROOT / "styles"
SEEDS = ROOT.parent / "shared" / "seeds"


def data_args(data: Path) -> list[str]:
    """The global options that point the CLI at a data folder and the repository's styles."""
    return ["--data", str(data), "--styles", str(STYLES)]


def replace_in(path: Path, old: str, new: str) -> None:
    """Edit a data file in place (tests break or change copies of the data)."""
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A writable copy of the data layer, for tests that break or change it."""
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    return target


@pytest.fixture(scope="session")
def built_kg(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """relations-kg.pdf built once for the whole session."""
    from briefpack.build import BuildOptions, build_pack
    from briefpack.datalayer import load

    out = tmp_path_factory.mktemp("dist")
    build_pack(load(DATA), "relations", "kg", BuildOptions(DATA, STYLES, out))
    return out / "relations-kg.pdf"
