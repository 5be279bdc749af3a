"""What the kinds that compare a row's amounts in two periods share (change, difference)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from builder.errors import Problem
from builder.expr import Expr
from builder.kinds.base import BASIS, ID, Cells, ColumnKind
from builder.spec import Column, Report, Row


class TwoPeriods(ColumnKind):
    """A column over the row's amount `from` one period `to` another."""

    keys = {"from": ID, "to": ID, "basis": BASIS}
    row_keys = ("basis", "number_format")

    def periods(self, col: Column) -> tuple[str, ...]:
        return tuple(role for role in (col.change_from, col.change_to) if role)

    def label_period(self, col: Column) -> str | None:
        return col.change_to

    def problems(self, col: Column, report: Report, rows: dict[str, Any]) -> Iterator[Problem]:
        if col.change_from is None or col.change_to is None:
            yield Problem(col.source, f"column '{col.id}': a {self.name} needs 'from' and 'to' periods")

    def pair(self, cells: Cells, row: Row, col: Column) -> tuple[Expr, Expr] | None:
        """The row's (to, from) amounts as the column's basis takes them, or None where either is blank."""
        new = cells.amount_ref(row.id, col.change_to, row.source)
        old = cells.amount_ref(row.id, col.change_from, row.source)
        if cells.is_blank(new) or cells.is_blank(old):
            return None
        # On a displayed basis each is rounded as its cell shows it (the base too: 0.004 shows 0.00, a zero base).
        new, old = self.operands(cells, row, col, new, old)
        return new, old
