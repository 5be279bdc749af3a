"""Where typed figures live: the Data sheet (with the file and line each came from) and the Inputs sheet.

Statements refer to these cells by formula, so a reviewer who asks where a figure came
from follows the reference to its source line.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from builder.errors import Source
from builder.excel_limits import MAX_ROWS
from builder.expr import Ref
from builder.figures import Figures
from builder.plan import Cell, SheetPlan, Style
from builder.spec import Report

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


PER_SHEET = MAX_ROWS - 1  # below the header row


def _data_sheet_name(k: int) -> str:
    return DATA_SHEET if k == 0 else f"{DATA_SHEET} ({k + 1})"


def data_ref(i: int) -> Ref:
    """The cell of figure number i (0-based, in file order) on the Data sheets."""
    return Ref(_data_sheet_name(i // PER_SHEET), i % PER_SHEET + 1, 3)


def data_sheets(report: Report, figures: Figures, labels: dict[str, str]) -> list[SheetPlan]:
    """One row per typed figure, in file order, on as many Data sheets as Excel's row limit
    needs ("Data", "Data (2)", ...); `data_ref` gives the cell of each figure."""
    base = Path(report.source.file).parent
    sheets: list[SheetPlan] = []
    width = max([len(line) for line in set(figures.lines)] + [10]) + 2
    for k, start in enumerate(range(0, max(len(figures), 1), PER_SHEET)):
        cells = _DataCells(figures, range(start, min(start + PER_SHEET, len(figures))), labels, base)
        sheets.append(
            SheetPlan(_data_sheet_name(k), cells, widths=(width, 50, 10, 16, 40), freeze=(1, 0))  # type: ignore[arg-type]
        )
    return sheets


class _DataCells:
    """A Data sheet's cells, made when they are read rather than held: five cells per typed
    figure would be most of a large statement's memory."""

    def __init__(self, figures: Figures, numbers: range, labels: dict[str, str], base: Path):
        self.figures, self.numbers, self.labels, self.base = figures, numbers, labels, base

    def __len__(self) -> int:
        return 5 * (len(self.numbers) + 1)

    def __iter__(self):
        plain = Style()
        for c, text in enumerate(("Line", "Label", "Period", "Value", "Source")):
            yield Cell(0, c, text, HEADER)
        figures = self.figures
        value = figures.values.__getitem__ if not figures.texts else figures.value  # numbers only: the fast path
        for n, i in enumerate(self.numbers, start=1):
            line, source = figures.lines[i], figures.source(i)
            yield Cell(n, 0, line, plain)
            yield Cell(n, 1, self.labels.get(line, ""), plain)
            yield Cell(n, 2, figures.period_keys[figures.periods[i]], plain)
            yield Cell(n, 3, value(i), FIGURE, source=source)
            yield Cell(n, 4, where(source, self.base), plain)


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
