"""The Python API: load, validate, resolve, render. The CLI is a thin layer over it.

import builder
built = builder.build("report.yaml", out="q2.xlsx")              # data from report.yaml
built = builder.build("report.yaml", data=frame, out="q2.xlsx")  # or a DataFrame, CSV, .xlsx
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from builder.errors import ReportError, TieOutError
from builder.figures import Figures
from builder.plan import WorkbookPlan
from builder.spec import Report

if TYPE_CHECKING:
    from builder.structure import Structures


class Loaded(NamedTuple):
    report: Report
    figures: Figures


def load_report(report: Report | Path | str) -> Report:
    from builder.load.report import load_report as read

    return report if isinstance(report, Report) else read(Path(report))


def load(report: Report | Path | str, data: Any = None) -> Loaded:
    """Load and validate a report and its data; ReportError lists every problem.

    `data` is a path (tidy or wide CSV, .xlsx), a pandas DataFrame, a list of Figures, or
    None for the data file the report names.
    """
    from builder.kinds import text_lines
    from builder.load.data import load_figures
    from builder.validate import validate

    spec = load_report(report)
    if isinstance(data, list | Figures):
        figures = Figures.of(data)
    else:
        figures = load_figures(Path(spec.data_path) if data is None else data, text_lines(spec))
    problems = validate(spec, figures)
    if spec.recast:
        from builder.compare.baseline import recast_problems

        problems += recast_problems(spec)
    if problems:
        raise ReportError(problems)
    return Loaded(spec, figures)


def plan(report: Report | Path | str, data: Any = None, structures: Structures | None = None) -> WorkbookPlan:
    """The resolved workbook; `structures` (a batch's) lets entities whose figures are typed
    alike share their cells' expressions and formula text (builder.structure)."""
    from builder.compare import identity
    from builder.compare.baseline import mark
    from builder.resolve import resolve
    from builder.reviewer import conventions

    loaded = load(report, data)
    # A declared recast is marked on its statement (and listed on Contents): builder.compare.baseline.
    workbook = resolve(mark(loaded.report), loaded.figures, structures)
    return workbook._replace(
        # Which figure each statement cell holds, written in the workbook so that it can be a baseline.
        identities=identity.of_report(loaded.report),
        reviewer=conventions(loaded.report, loaded.figures, workbook),
    )


def breaks(workbook: WorkbookPlan) -> list:
    """The tie-out checks that do not hold."""
    return [result for result in workbook.checks if not result.ok]


class Built(NamedTuple):
    path: Path
    checks: tuple  # CheckResult of every tie-out check
    breaks: list
    pages: int | None  # printed pages (Contents and one per statement), if each fits one page
    key_figures: tuple = ()  # (name, value) of the report's key totals
    compared: int = 0  # figures shared with the published workbooks, all equal as shown


def build(
    report: Report | Path | str,
    out: Path | str,
    allow_breaks: bool = False,
    data: Any = None,
    structures: Structures | None = None,
) -> Built:
    """Build the workbook for `report` at `out`.

    `out` is an .xlsx file, or a folder (ending in a separator, or existing) to hold
    `<report folder>.xlsx`; it may not be a file the build reads. Nothing is written on
    bad input, nor when a tie-out check breaks unless `allow_breaks` is set (the Checks
    sheet then shows the breaks).
    """
    from builder.outputs import refuse_inputs, workbook_path
    from builder.render import render_workbook

    spec = load_report(report)
    target = workbook_path(out, spec.source.file)
    # The PDF that --pdf writes beside the workbook is checked too: it is the same build.
    refuse_inputs([target, target.with_suffix(".pdf")], inputs(spec, data))
    workbook = plan(spec, data, structures)
    compared = compare_published(spec, workbook)
    broken = breaks(workbook)
    if broken and not allow_breaks:
        raise TieOutError(broken)
    path = render_workbook(workbook, target)
    return Built(path, workbook.checks, broken, workbook.printed_pages, workbook.key_figures, compared)


def compare_published(report: Report, workbook: WorkbookPlan) -> int:
    """Every figure the workbook shares with a workbook report.yaml names as `published` must
    equal it as shown, unless declared recast: BaselineError (exit code 7) lists the others.
    Returns how many figures were compared."""
    if not report.published:
        return 0
    from builder.compare.baseline import compare

    return compare(report, workbook)


def inputs(report: Report, data: Any = None) -> list[str]:
    """The files a build of `report` reads: report.yaml, its layouts, its data file, the published workbooks."""
    files = [report.source.file, *(layout.source.file for layout in report.layouts)]
    files += [path for path, _ in report.published]
    if data is None:
        files.append(report.data_path)
    elif isinstance(data, str | Path):
        files.append(str(data))
    return files
