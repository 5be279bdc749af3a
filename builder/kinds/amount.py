"""amount: the period's figure of the row, typed or computed by the row's kind."""

from __future__ import annotations

from builder.kinds.base import Cells, ColumnKind, Derived
from builder.spec import Column, Row


class Amount(ColumnKind):
    name = "amount"
    derived = False  # every other column is built from these
    needs_period = True

    def cell(self, cells: Cells, row: Row, col: Column) -> Derived | None:
        raise AssertionError("amount cells are built by the row's kind")  # resolve asks the row kind
