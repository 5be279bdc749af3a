"""convert: the amount divided by a rate input (the US$ convenience translation)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from builder.errors import Problem
from builder.expr import Bin, Name
from builder.kinds.base import ID, Cells, ColumnKind, Derived
from builder.spec import Column, Report, Row


class Convert(ColumnKind):
    name = "convert"
    keys = {"rate": ID}
    foots = True
    row_keys = ("number_format", "rounding")  # rounding: plain keeps a footed figure's own rounding
    needs_period = True

    def problems(self, col: Column, report: Report, rows: dict[str, Any]) -> Iterator[Problem]:
        rate = report.input(col.rate) if col.rate else None
        if rate is None:
            yield Problem(col.source, f"column '{col.id}': 'rate' must name an input of the report")
        elif not isinstance(rate.value, float) or rate.value <= 0:
            yield Problem(
                rate.source,
                f"input '{rate.name}' is a conversion rate: expected a number above zero, found {rate.value!r}",
            )

    def cell(self, cells: Cells, row: Row, col: Column) -> Derived | None:
        amount = cells.amount_ref(row.id, col.period, row.source)
        if cells.is_blank(amount):
            return None
        # No guard: validation refuses a rate that is not above zero.
        return Derived(Bin("/", amount, Name(col.rate)))
