"""change: (to - from) / from, with a declared convention for a zero or negative base."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from builder.errors import Problem
from builder.expr import Bin, Call, Num, Str
from builder.kinds.base import BASIS, Cells, ColumnKind, Derived
from builder.spec import Column, Report, Row

ID = {"type": "string", "pattern": r"^[A-Za-z_][A-Za-z0-9_]*$"}


class Change(ColumnKind):
    name = "change"
    keys = {
        "from": ID,
        "to": ID,
        "negative_base": {"enum": ["signed", "abs", "n.m."]},
        "zero_base": {"enum": ["n.m.", "blank"]},
        "basis": BASIS,
    }
    row_keys = ("basis",)
    percent = True

    def periods(self, col: Column) -> tuple[str, ...]:
        return tuple(role for role in (col.change_from, col.change_to) if role)

    def label_period(self, col: Column) -> str | None:
        return col.change_to

    def problems(self, col: Column, report: Report, rows: dict[str, Any]) -> Iterator[Problem]:
        if col.change_from is None or col.change_to is None:
            yield Problem(col.source, f"column '{col.id}': a change needs 'from' and 'to' periods")

    def cell(self, cells: Cells, row: Row, col: Column) -> Derived | None:
        new = cells.amount_ref(row.id, col.change_to, row.source)
        old = cells.amount_ref(row.id, col.change_from, row.source)
        if cells.is_blank(new) or cells.is_blank(old):
            return None
        # On a displayed basis the guard tests the base as shown too: 0.004 shows 0.00, a zero base.
        new, old = self.operands(cells, row, col, new, old)
        delta = Bin("-", new, old)
        if col.negative_base == "n.m.":
            return self.result(cells, row, col, Derived(Bin("/", delta, old), Bin("<=", old, Num(0)), Str("n.m.")))
        denominator = Call("ABS", (old,)) if col.negative_base == "abs" else old
        zero = Str("n.m." if col.zero_base == "n.m." else "")
        return self.result(cells, row, col, Derived(Bin("/", delta, denominator), Bin("=", old, Num(0)), zero))
