"""User errors as data: a Problem names its source; ReportError carries them all."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple


class Source(NamedTuple):
    """Where something came from: a file, and a 1-based line and column when known."""

    file: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return where

    @classmethod
    def of(cls, path: Path | str, line: int | None = None, column: int | None = None) -> Source:
        return cls(str(path), line, column)


def suggest(name: str, known) -> str:
    """ "; did you mean 'x'?" naming the closest of `known` to a mistyped name, or "" when none is close."""
    import difflib  # only when a message is written

    close = difflib.get_close_matches(name, list(known), n=1)
    return f"; did you mean '{close[0]}'?" if close else ""


class Problem(NamedTuple):
    source: Source
    message: str

    def __str__(self) -> str:
        return f"{self.source}: {self.message}"


class ReportError(Exception):
    """Input the builder refuses. Carries every problem found, not just the first."""

    exit_code = 2

    def __init__(self, problems: list[Problem] | Problem):
        self.problems = [problems] if isinstance(problems, Problem) else list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class TieOutError(Exception):
    """The workbook was computed but a declared tie-out check does not hold."""

    exit_code = 3

    def __init__(self, breaks: list):
        self.breaks = breaks
        super().__init__(f"{len(breaks)} tie-out check(s) break")


class VerifyError(Exception):
    """A workbook's stored values disagree with a real engine's recalculation."""

    exit_code = 4


class EngineMissing(Exception):
    """LibreOffice is needed for this command and is not installed."""

    exit_code = 5


class EngineFailed(EngineMissing):
    """LibreOffice ran but could not open or convert a workbook."""


class SchedulerError(Exception):
    """A --scheduler address that is not one, or a Dask scheduler that does not answer."""

    exit_code = 2


class BatchFailed(Exception):
    """Some entities of a batch were not built; the others were."""

    exit_code = 6
