"""The Python API: load, validate, resolve, render. The CLI is a thin layer over it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from builder.errors import ReportError
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


def build(report_path: Path | str, out: Path | str) -> Path:
    """Build the workbook for `report_path` at `out`. Nothing is written on error."""
    from builder.render import render_workbook

    return render_workbook(plan(report_path), Path(out))
