"""Errors: problems found in data, specs and styles, each located by file, line and column."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One problem, printed like a compiler's error: ``PATH:LINE:COL: message``."""

    path: str
    line: int | None
    col: int | None
    message: str

    def __str__(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
            if self.col is not None:
                where += f":{self.col}"
        return f"{where}: {self.message}"


class BriefpackError(Exception):
    """Base class of every error the library reports to its user."""


class DataError(BriefpackError):
    """The data layer (or a spec or style) has problems; ``problems`` lists all of them."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=lambda p: (p.path, p.line or 0, p.col or 0))
        super().__init__("\n".join(str(p) for p in self.problems))


class BuildError(BriefpackError):
    """A pack could not be built for a reason other than bad data."""


class UsageError(BriefpackError):
    """The user asked for something that does not exist (an unknown template or target)."""
