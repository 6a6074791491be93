from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).resolve().parent / "fixture"
# Tests build from a frozen copy of the data and styles: updating data/ never turns them red.
DATA = FIXTURE / "data"
STYLES = FIXTURE / "styles"
# The live data layer: only `briefpack check` and the seeds' published figures are tested on it.
LIVE_DATA = ROOT / "data"
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


def cli(*args: str, data: Path = DATA, env: dict | None = None):
    """Run the command line on the fixture (or ``data``), as a user would."""
    from click.testing import CliRunner

    from briefpack.cli import main

    return CliRunner(env=env).invoke(main, [*data_args(data), *args])


@pytest.fixture(scope="session")
def built_kg(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """relations-kg.pdf built once for the whole session."""
    out = tmp_path_factory.mktemp("dist")
    result = cli("build", "relations", "kg", "--out", str(out))
    assert result.exit_code == 0, result.stderr
    return out / "relations-kg.pdf"


@pytest.fixture(scope="session")
def all_packs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """All 12 packs built once from the fixture (with --jobs 2), for tests that only read them.

    The folder also holds ``binder/meeting.pdf`` (relations:kg economy:central-asia) and the
    chart cache in ``.briefpack/charts``.  Tests that change files build their own.
    """
    out = tmp_path_factory.mktemp("all-packs")
    result = cli("build", "--all", "--jobs", "2", "--out", str(out))
    assert result.exit_code == 0, result.stderr
    binder = out / "binder" / "meeting.pdf"
    result = cli("binder", "relations:kg", "economy:central-asia", "--out", str(binder))
    assert result.exit_code == 0, result.stderr
    return out


@pytest.fixture(scope="session")
def all_packs_gray_duplex(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """All 12 packs and the same binder as ``all_packs``, built for black-and-white duplex
    printing (``--gray --duplex``: the body and parts open on right-hand pages), once per
    session."""
    out = tmp_path_factory.mktemp("all-packs-gray-duplex")
    result = cli("build", "--all", "--jobs", "2", "--gray", "--duplex", "--out", str(out))
    assert result.exit_code == 0, result.stderr
    binder = out / "binder" / "meeting.pdf"
    result = cli(
        "binder", "relations:kg", "economy:central-asia", "--gray", "--duplex", "--out", str(binder)
    )
    assert result.exit_code == 0, result.stderr
    return out
