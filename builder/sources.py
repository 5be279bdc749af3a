"""Where typed figures live: the Data sheet (with the file and line each came from) and the Inputs sheet.

Statements refer to these cells by formula, so a reviewer who asks where a figure came
from follows the reference to its source line.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from builder.errors import Source
from builder.expr import Ref
from builder.plan import Cell, SheetPlan, Style
from builder.spec import Figure, Report

DATA_SHEET = "Data"
INPUTS_SHEET = "Inputs"
HEADER = Style(bold=True, bottom=1)
FIGURE = Style(num_format="#,##0.########;(#,##0.########);0")


@lru_cache(maxsize=64)
def _relative(file: str, base: Path) -> str:
    return file if file.startswith("<") else Path(os.path.relpath(file, base)).as_posix()


def where(source: Source, base: Path) -> str:
    """file:line relative to the report's folder, so the workbook does not depend on where it was built."""
    path = _relative(source.file, base)
    return f"{path}:{source.line}" if source.line else path


MAX_ROWS = 1_048_576


def data_sheets(
    report: Report, figures: list[Figure], labels: dict[str, str]
) -> tuple[list[SheetPlan], dict[int, Ref]]:
    """One row per typed figure, in file order, on as many Data sheets as Excel's row limit
    needs ("Data", "Data (2)", ...); returns the sheets and the cell of each figure."""
    base = Path(report.source.file).parent
    per_sheet = MAX_ROWS - 1
    sheets: list[SheetPlan] = []
    refs: dict[int, Ref] = {}  # by id(figure): hashing a figure's fields is needlessly slow
    width = max([len(f.line) for f in figures] + [10]) + 2
    for start in range(0, max(len(figures), 1), per_sheet):
        name = DATA_SHEET if start == 0 else f"{DATA_SHEET} ({start // per_sheet + 1})"
        chunk = figures[start : start + per_sheet]
        for n, fig in enumerate(chunk, start=1):
            refs[id(fig)] = Ref(name, n, 3)
        cells = _DataCells(chunk, labels, base)
        sheets.append(SheetPlan(name, cells, widths=(width, 50, 10, 16, 40), freeze=(1, 0)))  # type: ignore[arg-type]
    return sheets, refs


class _DataCells:
    """A Data sheet's cells, made when they are read rather than held: five cells per typed
    figure would be most of a large statement's memory."""

    def __init__(self, figures: list[Figure], labels: dict[str, str], base: Path):
        self.figures, self.labels, self.base = figures, labels, base

    def __len__(self) -> int:
        return 5 * (len(self.figures) + 1)

    def __iter__(self):
        plain = Style()
        for c, text in enumerate(("Line", "Label", "Period", "Value", "Source")):
            yield Cell(0, c, text, HEADER)
        for n, fig in enumerate(self.figures, start=1):
            yield Cell(n, 0, fig.line, plain)
            yield Cell(n, 1, self.labels.get(fig.line, ""), plain)
            yield Cell(n, 2, fig.period, plain)
            yield Cell(n, 3, fig.value, FIGURE, source=fig.source)
            yield Cell(n, 4, where(fig.source, self.base), plain)


def inputs_sheet(report: Report) -> SheetPlan:
    base = Path(report.source.file).parent
    headers = ("Input", "Value", "Description", "Source")
    cells = [Cell(0, c, text, HEADER) for c, text in enumerate(headers)]
    for n, inp in enumerate(report.inputs, start=1):
        style = Style(num_format=inp.number_format) if inp.number_format else Style()
        cells += [
            Cell(n, 0, inp.name, Style()),
            Cell(n, 1, inp.value, style, source=inp.source),
            Cell(n, 2, inp.label, Style()),
            Cell(n, 3, where(inp.source, base), Style()),
        ]
    width = max([len(i.label) for i in report.inputs] + [20]) + 2
    return SheetPlan(INPUTS_SHEET, tuple(cells), widths=(16, 16, width, 30), freeze=(1, 0))


def input_names(report: Report) -> tuple[tuple[str, str], ...]:
    return tuple((inp.name, f"={INPUTS_SHEET}!$B${n}") for n, inp in enumerate(report.inputs, start=2))
