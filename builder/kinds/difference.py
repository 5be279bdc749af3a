"""difference: to - from, e.g. a margin's change in percentage points ("0.5 pts").

Between two ratio rows (`unit: points`, the default) the difference is shown in points:
(35.2% - 34.7%) * 100 = 0.5. With `unit: amount` it is the plain difference in the row's
own units and format (an EPS up by 0.12). There is no base, so no zero-base policy, and
differences of components do not add up to a total's, so it never foots.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from builder.errors import Problem
from builder.expr import Bin, Num
from builder.kinds.base import BASIS, Cells, ColumnKind, Derived
from builder.spec import Column, Layout, Report, Row

ID = {"type": "string", "pattern": r"^[A-Za-z_][A-Za-z0-9_]*$"}
POINTS_FORMAT = '0.0" pts";(0.0" pts")'


class Difference(ColumnKind):
    name = "difference"
    keys = {"from": ID, "to": ID, "unit": {"enum": ["points", "amount"]}, "basis": BASIS}
    row_keys = ("basis",)

    def periods(self, col: Column) -> tuple[str, ...]:
        return tuple(role for role in (col.change_from, col.change_to) if role)

    def label_period(self, col: Column) -> str | None:
        return col.change_to

    def problems(self, col: Column, report: Report, rows: dict[str, Any]) -> Iterator[Problem]:
        if col.change_from is None or col.change_to is None:
            yield Problem(col.source, f"column '{col.id}': a difference needs 'from' and 'to' periods")

    def cell(self, cells: Cells, row: Row, col: Column) -> Derived | None:
        new = cells.amount_ref(row.id, col.change_to, row.source)
        old = cells.amount_ref(row.id, col.change_from, row.source)
        if cells.is_blank(new) or cells.is_blank(old):
            return None
        new, old = self.operands(cells, row, col, new, old)  # margins as shown: 35.2% - 34.7% = 0.5 pts
        delta = Bin("-", new, old)
        return self.result(cells, row, col, Derived(Bin("*", delta, Num(100.0)) if _points(col) else delta))

    def column_format(self, layout: Layout, col: Column) -> str:
        return col.number_format or (POINTS_FORMAT if _points(col) else layout.number_format)

    def number_format(self, layout: Layout, row: Row, col: Column) -> str:
        # A ratio row's own format (0.0%) would show points as a percentage; amounts keep theirs.
        if _points(col):
            return self.column_format(layout, col)
        return row.number_format or self.column_format(layout, col)


def _points(col: Column) -> bool:
    return col.option("unit", "points") == "points"
