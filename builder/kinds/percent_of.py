"""percent_of: the amount as a share of a base row's amount (a row may name its own base)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from builder.errors import Problem
from builder.expr import Bin, Num, Str
from builder.kinds.base import BASIS, NOT_FOOTED, Cells, ColumnKind, Derived
from builder.spec import Column, Report, Row

ID = {"type": "string", "pattern": r"^[A-Za-z_][A-Za-z0-9_]*$"}


class PercentOf(ColumnKind):
    name = "percent_of"
    keys = {"base": ID, "zero_base": {"enum": ["n.m.", "blank"]}, "basis": BASIS}
    row_keys = ("basis",)
    foots = True
    percent = True
    needs_period = True

    def base_rows(self, col: Column) -> tuple[str, ...]:
        return (col.base,) if col.base else ()

    def problems(self, col: Column, report: Report, rows: dict[str, Any]) -> Iterator[Problem]:
        if col.base is None or col.base not in rows:
            yield Problem(col.source, f"column '{col.id}': 'base' must name a row, found {col.base!r}")
        if col.option("basis") == "displayed" and col.rounding == "foot":
            yield Problem(
                col.source,
                f"column '{col.id}': basis: displayed cannot foot ({NOT_FOOTED}); "
                "give the column rounding: plain (a layout's rounding: foot reaches it too)",
            )

    def cell(self, cells: Cells, row: Row, col: Column) -> Derived | None:
        amount = cells.amount_ref(row.id, col.period, row.source)
        base_id = row.percent_base or col.base
        base = cells.amount_ref(base_id, col.period, row.source)
        if cells.is_blank(amount) or base is None:
            return None
        amount, base = self.operands(cells, row, col, amount, base)  # each as its own sheet shows it
        # A base on a sheet of other units (thousands against millions) is taken in this one's.
        base = cells.scaled(base, cells.layout_of(base_id), cells.layout_of(row.id))
        zero = Str("n.m." if col.zero_base == "n.m." else "")
        return self.result(cells, row, col, Derived(Bin("/", amount, base), Bin("=", base, Num(0)), zero))
