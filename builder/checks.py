"""Tie-out checks: two expressions that must agree, as live formulas on a Checks sheet.

Each check is bound per period like a row formula, shown as Left | Right | Difference |
Tolerance | Status, and evaluated by the builder from the same expressions.
"""

from __future__ import annotations

from typing import NamedTuple

from builder.errors import Problem, Source
from builder.expr import Bin, Call, EvalError, Expr, Ref, Str
from builder.kinds import COLUMN_KINDS, Derived
from builder.plan import Cell, Conditional, SheetPlan, Style
from builder.resolved import Resolved
from builder.spec import Check, Layout

CHECKS_SHEET = "Checks"
HEADERS = ("Check", "Statement", "Period", "Left", "Right", "Difference", "Tolerance", "Status")
_NUMBER = "#,##0.##;(#,##0.##);0"
OK, BREAK = "OK", "BREAK"


class CheckResult(NamedTuple):
    name: str
    sheet: str
    period: str
    left: float
    right: float
    tolerance: float
    source: Source

    @property
    def difference(self) -> float:
        return self.left - self.right

    @property
    def ok(self) -> bool:
        return abs(self.difference) <= self.tolerance

    def __str__(self) -> str:
        status = OK if self.ok else BREAK
        return (
            f"{status}: {self.name} ({self.sheet}, {self.period}): left {self.left:,.2f}, "
            f"right {self.right:,.2f}, difference {self.difference:,.2f} (tolerance {self.tolerance:g})"
        )


def _periods(layout: Layout, check: Check) -> list[str]:
    if check.periods:
        return list(check.periods)
    return [c.period for c in layout.columns if not COLUMN_KINDS[c.kind].derived and c.period]


def checks_sheet(res: Resolved) -> tuple[SheetPlan | None, list[CheckResult]]:
    """The Checks sheet and each check's result; None when no layout declares a check."""
    work = [(layout, check) for layout in res.report.layouts for check in layout.checks]
    if not work:
        return None, []
    header = Style(bold=True, bottom=1)
    cells = [Cell(0, c, text, header) for c, text in enumerate(HEADERS)]
    results: list[CheckResult] = []
    r = 1
    for layout, check in work:
        for role in _periods(layout, check):
            sides = [res.bind(side, role, check.source, layout) for side in (check.left, check.right)]
            if None in sides:
                continue
            left, right = sides
            here = [Ref(CHECKS_SHEET, r, c) for c in range(8)]
            exprs: dict[int, Expr] = {
                3: left,
                4: right,
                5: Bin("-", here[3], here[4]),
                7: Call("IF", (Bin("<=", Call("ABS", (here[5],)), here[6]), Str(OK), Str(BREAK))),
            }
            res.set_constant(here[6], check.tolerance)
            for c, expr in exprs.items():
                res.set_cell(here[c], Derived(expr))
            try:
                values = {c: res.value(here[c]) for c in exprs}
            except EvalError as exc:
                res.problem(Problem(check.source, f"check '{check.name}': {exc}"))
                continue
            period = res.report.period_name(role)
            for c, text in enumerate((check.name, layout.sheet, period)):
                cells.append(Cell(r, c, text, Style()))
            for c, expr in exprs.items():
                style = Style(num_format=_NUMBER) if c < 7 else Style(bold=True, align="center")
                cells.append(Cell(r, c, values[c], style, expr, res.formula(here[c], expr, CHECKS_SHEET)))
            cells.append(Cell(r, 6, check.tolerance, Style(num_format=_NUMBER), source=check.source))
            results.append(
                CheckResult(check.name, layout.sheet, period, values[3], values[4], check.tolerance, check.source)
            )
            r += 1
    conditional = (
        Conditional(1, 7, max(r - 1, 1), 7, BREAK, Style(bold=True, font_color="#9C0006", bg_color="#FFC7CE")),
        Conditional(1, 7, max(r - 1, 1), 7, OK, Style(bold=True, font_color="#006100", bg_color="#C6EFCE")),
    )
    widths = (max([len(check.name) for _, check in work] + [10]) + 2, 16, 16, 16, 16, 14, 11, 9)
    sheet = SheetPlan(
        CHECKS_SHEET,
        tuple(sorted(cells, key=lambda c: (c.row, c.col))),
        widths=widths,
        freeze=(1, 0),
        conditional=conditional,
    )
    return sheet, results
