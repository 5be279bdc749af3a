"""The resolved workbook: every cell with its value, its formula text and its style.

This is what render writes and what verify compares; it holds no XlsxWriter objects.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, NamedTuple

from builder.errors import Source
from builder.expr import Expr, Value

if TYPE_CHECKING:
    from builder.reviewer import Conventions


class Style(NamedTuple):
    num_format: str | None = None
    bold: bool = False
    italic: bool = False
    indent: int = 0
    top: int = 0  # Excel border style: 1 thin, 6 double
    bottom: int = 0
    align: str | None = None
    wrap: bool = False
    font_color: str | None = None
    bg_color: str | None = None
    locked: bool = True  # False: a typed input a protected sheet lets the user change (builder.reviewer)


class Cell(NamedTuple):
    """One written cell. A NamedTuple: workbooks hold hundreds of thousands of them."""

    row: int
    col: int
    value: Value  # what the cell shows before any recalculation
    style: Style
    expr: Expr | None = None  # None: a typed figure or a text
    formula: str | None = None  # expr rendered as Excel formula text
    source: Source | None = None  # where a typed figure came from
    link: str | None = None  # an internal hyperlink target, e.g. 'Balance Sheet'!A1


class Merge(NamedTuple):
    first_row: int
    first_col: int
    last_row: int
    last_col: int
    text: str
    style: Style


class Conditional(NamedTuple):
    """Cells in the range that show exactly `equals` take `style` (e.g. BREAK in red)."""

    first_row: int
    first_col: int
    last_row: int
    last_col: int
    equals: str
    style: Style
    criteria: str = "=="


class PrintSetup(NamedTuple):
    """A printed page: landscape A4, fitted, with running header and footer (Excel's &-codes)."""

    area: tuple[int, int, int, int]
    header: str
    footer: str
    repeat_rows: tuple[int, int] | None = None
    fit_tall: int = 1  # pages tall; 0 lets a long statement run over, repeating its header rows


class SheetPlan(NamedTuple):
    name: str
    cells: tuple[Cell, ...]
    merges: tuple[Merge, ...] = ()
    widths: tuple[float, ...] = ()
    freeze: tuple[int, int] | None = None
    row_heights: tuple[tuple[int, float], ...] = ()
    hidden_rows: tuple[int, ...] = ()  # memo rows: written (formulas use them) but hidden, so not printed
    conditional: tuple[Conditional, ...] = ()
    print: PrintSetup | None = None
    charts: tuple = ()  # builder.charts.place.ChartPlan: native charts over this sheet's cells


class WorkbookPlan(NamedTuple):
    sheets: tuple[SheetPlan, ...]
    names: tuple[tuple[str, str], ...]  # defined name -> =Sheet!$B$2
    title: str
    company: str
    subject: str
    created: dt.datetime
    checks: tuple = ()  # CheckResult of every tie-out check
    printed_pages: int | None = None
    key_figures: tuple[tuple[str, float], ...] = ()  # the report's key totals, first period
    identities: tuple = ()  # builder.compare.identity.Identities: which figure each statement cell holds
    reviewer: Conventions | None = None  # colours, protection and source links (builder.reviewer)
