"""change: (to - from) / from, with a declared convention for a zero or negative base."""

from __future__ import annotations

from builder.expr import Bin, Call, Num, Str
from builder.kinds.base import Cells, Derived
from builder.kinds.two_periods import TwoPeriods
from builder.spec import Column, Row


class Change(TwoPeriods):
    name = "change"
    keys = {
        **TwoPeriods.keys,
        "negative_base": {"enum": ["signed", "abs", "n.m."]},
        "zero_base": {"enum": ["n.m.", "blank"]},
    }
    percent = True

    def cell(self, cells: Cells, row: Row, col: Column) -> Derived | None:
        pair = self.pair(cells, row, col)
        if pair is None:
            return None
        new, old = pair
        delta = Bin("-", new, old)
        if col.negative_base == "n.m.":
            return self.result(cells, row, col, Derived(Bin("/", delta, old), Bin("<=", old, Num(0)), Str("n.m.")))
        denominator = Call("ABS", (old,)) if col.negative_base == "abs" else old
        zero = Str("n.m." if col.zero_base == "n.m." else "")
        return self.result(cells, row, col, Derived(Bin("/", delta, denominator), Bin("=", old, Num(0)), zero))
