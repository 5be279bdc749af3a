"""The Python API: load, validate, resolve, render. The CLI is a thin layer over it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from builder.errors import ReportError, TieOutError
from builder.plan import WorkbookPlan
from builder.spec import Figure, Report


@dataclass(frozen=True)
class Loaded:
    report: Report
    figures: list[Figure]


def load(report_path: Path | str) -> Loaded:
    """Load and validate a report and its data; ReportError lists every problem."""
    from builder.load.data import load_figures
    from builder.load.report import load_report
    from builder.validate import validate

    report = load_report(Path(report_path))
    figures = load_figures(Path(report.data_path))
    problems = validate(report, figures)
    if problems:
        raise ReportError(problems)
    return Loaded(report, figures)


def plan(report_path: Path | str) -> WorkbookPlan:
    from builder.resolve import resolve

    loaded = load(report_path)
    return resolve(loaded.report, loaded.figures)


def breaks(workbook: WorkbookPlan) -> list:
    """The tie-out checks that do not hold."""
    return [result for result in workbook.checks if not result.ok]


@dataclass(frozen=True)
class Built:
    path: Path
    checks: tuple  # CheckResult of every tie-out check
    breaks: list
    pages: int | None  # printed pages (Contents and one per statement), if each fits one page


def build(report_path: Path | str, out: Path | str, allow_breaks: bool = False) -> Built:
    """Build the workbook for `report_path` at `out`.

    Nothing is written on bad input, nor when a tie-out check breaks unless
    `allow_breaks` is set (the Checks sheet then shows the breaks).
    """
    from builder.render import render_workbook

    workbook = plan(report_path)
    broken = breaks(workbook)
    if broken and not allow_breaks:
        raise TieOutError(broken)
    return Built(render_workbook(workbook, Path(out)), workbook.checks, broken, workbook.printed_pages)
