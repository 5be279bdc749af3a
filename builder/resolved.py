"""What resolve offers the sheets built over the statements' cells (footing, checks, contents).

Those modules see a statement's grid and a `Resolved`: the cells as data (a Derived's exact
value and zero-base guard), values computed once, and row formulas bound to cells; never
the resolver's own dictionaries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from builder.errors import Problem, Source
from builder.expr import Expr, Ref, Value
from builder.kinds import AMOUNT, COLUMN_KINDS, Derived
from builder.spec import Layout, Report


@dataclass
class Grid:
    """Where one layout's rows and columns land on its sheet."""

    layout: Layout
    header_row: int  # first header row
    levels: list[str]  # which header rows exist: a group row per level of nesting, period, column
    body_row: int
    row_at: dict[str, int] = field(default_factory=dict)
    col_at: dict[str, int] = field(default_factory=dict)
    amount_col: dict[str, int] = field(default_factory=dict)  # period role -> column
    amount_period: dict[int, str] = field(default_factory=dict)  # column -> period role, every amount column

    def ref(self, row_id: str, col_id: str) -> Ref:
        """The cell of a row in a column of this sheet."""
        return Ref(self.layout.sheet, self.row_at[row_id], self.col_at[col_id])


def header_rows(layout: Layout) -> tuple[int, list[str]]:
    """The first header row (below the titles and a blank row) and which header rows follow:
    one per level of nested groups, the period row if a period block prints one, the columns'."""
    header_row = len(layout.title) + len(layout.subtitle) + (1 if layout.title or layout.subtitle else 0)
    levels = ["group"] * max(len(c.groups) for c in layout.columns)
    if any(c.in_period_block for c in layout.columns):
        levels.append("period")
    levels.append("column")
    return header_row, levels


def grid_of(layout: Layout) -> Grid:
    header_row, levels = header_rows(layout)
    grid = Grid(layout, header_row, levels, header_row + len(levels))
    for i, col in enumerate(layout.columns):
        grid.col_at[col.id] = i + 1
        if not COLUMN_KINDS[col.kind].derived:
            grid.amount_col.setdefault(col.period, i + 1)
            grid.amount_period[i + 1] = col.period
    for i, row in enumerate(layout.rows):
        if row.id:
            grid.row_at[row.id] = grid.body_row + i
    return grid


class Resolved(Protocol):
    """The resolver as footing, checks and contents use it."""

    report: Report
    grids: list[Grid]

    def cell(self, ref: Ref) -> Derived | None:
        """A computed cell as data (None: a typed figure, a text or a blank)."""
        ...

    def set_cell(self, ref: Ref, cell: Derived) -> None:
        """Make `ref` a computed cell (a helper sheet's, or a statement cell rewritten)."""
        ...

    def set_constant(self, ref: Ref, value: float) -> None:
        """A number written into a helper sheet's cell (a sign, a tolerance)."""
        ...

    def value(self, ref: Ref) -> Value:
        """A cell's value, computed once from its expression."""
        ...

    def name_value(self, name: str) -> Value:
        """The value of an input (a defined name)."""
        ...

    def bind(self, expr: Expr, role: str, where: Source, layout: Layout | None = None) -> Expr | None:
        """A row formula as a cell formula in one period (None, with a problem noted, if it cannot be)."""
        ...

    def formula(self, ref: Ref, expr: Expr, sheet: str) -> str:
        """The formula text of cell `ref` holding `expr` (rendered once per structure in a batch)."""
        ...

    def laid_out(self, key: tuple) -> Any:
        """What an earlier entity of a batch with the same structure laid out under `key`, its
        cells already set; None: lay it out, set its cells, and `keep` it."""
        ...

    def keep(self, key: tuple, layout: Any) -> None:
        """Record a layout for the next entities of the structure."""
        ...

    def problem(self, problem: Problem) -> None:
        """Note a problem; all are reported together when the workbook is resolved."""
        ...


__all__ = ["AMOUNT", "Grid", "Resolved", "grid_of"]
