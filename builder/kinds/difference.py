"""difference: to - from, e.g. a margin's change in percentage points ("0.5 pts").

Between two ratio rows (`unit: points`, the default) the difference is shown in points:
(35.2% - 34.7%) * 100 = 0.5. With `unit: amount` it is the plain difference in the row's
own units and format (an EPS up by 0.12). There is no base, so no zero-base policy, and
differences of components do not add up to a total's, so it never foots.
"""

from __future__ import annotations

from builder.expr import Bin, Num
from builder.kinds.base import Cells, Derived, row_format
from builder.kinds.two_periods import TwoPeriods
from builder.spec import Column, Layout, Row

POINTS_FORMAT = '0.0" pts";(0.0" pts")'


class Difference(TwoPeriods):
    name = "difference"
    keys = {**TwoPeriods.keys, "unit": {"enum": ["points", "amount"]}}

    def cell(self, cells: Cells, row: Row, col: Column) -> Derived | None:
        pair = self.pair(cells, row, col)
        if pair is None:
            return None
        new, old = pair  # margins as shown: 35.2% - 34.7% = 0.5 pts
        delta = Bin("-", new, old)
        return self.result(cells, row, col, Derived(Bin("*", delta, Num(100.0)) if _points(col) else delta))

    def column_format(self, layout: Layout, col: Column) -> str:
        return col.number_format or (POINTS_FORMAT if _points(col) else layout.number_format)

    def number_format(self, layout: Layout, row: Row, col: Column) -> str:
        # A ratio row's own format (0.0%) would show points as a percentage; amounts keep theirs.
        own = row_format(row, col)  # unless the row gives one for this very column
        if own is not None:
            return own
        if _points(col):
            return self.column_format(layout, col)
        return row.number_format or self.column_format(layout, col)


def _points(col: Column) -> bool:
    return col.option("unit", "points") == "points"
