"""percent_of: the amount as a share of a base row's amount (a row may name its own base)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from builder.errors import Problem
from builder.expr import Bin, Expr, Neg, Num, Ref, RowRef, Str, Sum, expanded, map_expr, walk
from builder.kinds.amount import Amount
from builder.kinds.base import BASIS, ID, NOT_FOOTED, Cells, ColumnKind, Derived
from builder.spec import Column, Layout, Report, Row


class PercentOf(ColumnKind):
    name = "percent_of"
    # `of: Income`: a percent-only statement. Its rows name the amounts of sheet `of` (formula:
    # product), so it divides those cells and prints no amount column of its own.
    keys = {"base": ID, "zero_base": {"enum": ["n.m.", "blank"]}, "basis": BASIS, "of": {"type": "string"}}
    row_keys = ("basis", "number_format", "rounding")  # rounding: it foots
    foots = True
    percent = True
    needs_period = True

    def own_periods(self, col: Column) -> tuple[str, ...]:
        return () if col.option("of") is not None else self.periods(col)

    def base_rows(self, col: Column) -> tuple[str, ...]:
        return (col.base,) if col.base else ()

    def problems(self, col: Column, report: Report, rows: dict[str, Any]) -> Iterator[Problem]:
        if col.base is None or col.base not in rows:
            yield Problem(col.source, f"column '{col.id}': 'base' must name a row, found {col.base!r}")
        yield from self._of_problems(col, report)
        if col.option("basis") == "displayed" and col.rounding == "foot":
            yield Problem(
                col.source,
                f"column '{col.id}': basis: displayed cannot foot ({NOT_FOOTED}); "
                "give the column rounding: plain (a layout's rounding: foot reaches it too)",
            )

    def _of_problems(self, col: Column, report: Report) -> Iterator[Problem]:
        """`of` names a sheet that has the column's period: checked once, at the column's line."""
        of = col.option("of")
        if of is None:
            return
        sheets = {layout.sheet.casefold(): layout for layout in report.layouts}  # as Excel compares them
        other = sheets.get(str(of).casefold())
        what = f"column '{col.id}': of: {of}"
        if col.rounding == "foot":
            # Footing hands out rounding inside totals; a percent-only statement's rows are
            # formulas over another sheet, so there is no total to foot to: it would do nothing.
            yield Problem(
                col.source,
                f"{what}: a percent-only column cannot foot (its rows are formulas, with no totals to foot "
                "to); give the column rounding: plain (a layout's rounding: foot reaches it too)",
            )
        if other is None:
            names = ", ".join(repr(layout.sheet) for layout in report.layouts)
            yield Problem(col.source, f"{what} names no sheet of the report (its sheets: {names})")
        elif (
            col.period
            and report.period(col.period)
            and not report.period(col.period).sum_of  # summed from its parts' columns
            and not any(c.period == col.period and c.kind == Amount.name for c in other.columns)
        ):
            yield Problem(
                col.source,
                f"{what}: sheet '{other.sheet}' has no amount column for {report.period_name(col.period)}, "
                "so there is nothing to divide",
            )

    def cell(self, cells: Cells, row: Row, col: Column) -> Derived | None:
        base_id = row.percent_base or col.base
        base = cells.amount_ref(base_id, col.period, row.source)
        if col.option("of") is not None:
            amount, units = self._of_amount(cells, row, col)
        else:
            amount, units = cells.amount_ref(row.id, col.period, row.source), cells.layout_of(row.id)
        if amount is None or (isinstance(amount, Ref) and cells.is_blank(amount)) or base is None:
            return None
        (base,) = self.operands(cells, row, col, base)  # as its own sheet shows it
        if col.option("of") is None:
            (amount,) = self.operands(cells, row, col, amount)
        # A base on a sheet of other units (thousands against millions) is taken in the amount's.
        base = cells.scaled(base, cells.layout_of(base_id), units)
        zero = Str("n.m." if col.zero_base == "n.m." else "")
        return self.result(cells, row, col, Derived(Bin("/", amount, base), Bin("=", base, Num(0)), zero))

    def _of_amount(self, cells: Cells, row: Row, col: Column) -> tuple[Expr | None, Layout | None]:
        """A percent-only row's amount: its formula over the other sheet's cells, in that sheet's
        units (a ratio needs no conversion when amount and base share them), each cell as its
        sheet shows it on a displayed basis."""
        if row.formula is None:
            return None, None  # refused by validation: a percent-only row is a formula
        amount = cells.bind(row.formula, col.period, row.source)
        if amount is None:
            return None, None
        if self.basis(row, col) == "displayed":

            def shown(node: Expr) -> Expr | None:
                if isinstance(node, Ref):
                    return cells.displayed(node)
                if isinstance(node, Sum):  # a range of cells: each term rounded as it shows
                    terms = [(sign, map_expr(e, shown)) for sign, e in expanded(node)]
                    total = terms[0][1] if terms[0][0] > 0 else Neg(terms[0][1])
                    for sign, e in terms[1:]:
                        total = Bin("+" if sign > 0 else "-", total, e)
                    return total
                return None

            amount = map_expr(amount, shown)
        units = cells.layout_of(row.id)
        for node in walk(row.formula):
            if isinstance(node, RowRef) and not node.column:
                try:
                    units = cells.layout_of(node.row_id)
                    break
                except KeyError:  # an input's name, which has no sheet of units
                    continue
        return amount, units
