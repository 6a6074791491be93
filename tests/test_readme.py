"""The README's two commands are the ones CI and users run."""

from __future__ import annotations

import re

from .conftest import ROOT


def commands() -> dict[str, str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    found = re.findall(r"<!-- (\w+)-command -->\n```sh\n(.+)\n```", readme)
    return dict(found)


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert commands()["test"] in ci


def test_readme_first_command_builds_the_kyrgyz_brief() -> None:
    assert commands()["build"].endswith("briefpack build relations kg")
