"""A row's amount in a quarter its statement shows no column for, where a year-to-date sum
needs it: after a roll, nine months add up 1Q04, 2Q04 and 3Q04, but the statement of
operations shows only 2Q04 and 3Q04 (and 3Q03). The amount is computed from the typed
figures' cells on the Data sheet, live: a typed line is its figure's cell, a total the signed
sum of its terms, a formula its formula, each taken in that quarter."""

from __future__ import annotations

from builder.errors import Problem, Source
from builder.expr import Expr, signed_sum
from builder.kinds import ROW_KINDS
from builder.sources import data_ref


def off_sheet_amount(res, row_id: str, role: str, where: Source) -> Expr | None:
    grid = res.grid_of_row[row_id]
    layout = grid.layout
    row = layout.rows[grid.row_at[row_id] - grid.body_row]
    period = res.report.period(role)
    kind = ROW_KINDS[row.kind]
    if kind.typed(row, role):
        typed = res.figures.find(row_id, period.key)
        if typed is None:
            res.problems.append(
                Problem(where, f"no figure for '{row_id}' in period {period.key}, which a sum_of period adds up")
            )
            return None
        ref = data_ref(typed)
        res.data_cells[ref] = typed
        return ref
    if row.terms:
        terms = []
        for sign, rid in row.terms:
            amount = res.period_amount(rid, role, where)
            if amount is None:
                return None
            terms.append((sign, res.scaled(amount, res.layout_of(rid), layout)))
        return signed_sum(terms)
    if row.formula is not None:
        return res.bind(row.formula, role, where, layout)
    return None
