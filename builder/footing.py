"""Footing-aware rounding: displayed columns that add up, kept live on a Footing sheet.

Publishers round USD and "%" columns so that each displayed column foots. The rule
(hierarchical largest remainder): a top-level total (one that is nobody's component)
rounds normally; inside each total, components get the floor of their signed exact
value and the units still missing go, one each, to the largest remainders (ties to
the earlier line); then the same inside each component that is itself a total.

Every step is a formula on the Footing sheet (exact, units, floor, remainder, rank,
allocated, shown, adjustment), built as Exprs so the builder computes the same values.
The statement cell becomes ROUND(exact) + the adjustment, so an auditor sees which
figures moved and by how much.

A publisher who places differences by judgement declares them: `adjust:` on a layout puts
a row's figure a unit above or below its own rounding, and `rounding: plain` on a row keeps
its own rounding. Those figures are placed first; the rule places the rest among their
siblings, so the column still adds up. A declaration that leaves the siblings unable to add
up, each a rounding of its own figure, is refused.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import NamedTuple

from builder.errors import Problem, Source, suggest
from builder.excel_limits import MAX_TEXT, utf16_len
from builder.expr import Bin, Call, Expr, Neg, Num, Range, Ref, Sum, expanded, signed_sum
from builder.kinds import COLUMN_KINDS, Derived
from builder.kinds.base import shown_decimals
from builder.plan import Cell, Conditional, SheetPlan, Style
from builder.resolved import Grid, Resolved
from builder.spec import Column, Layout, Report

FOOTING_SHEET = "Footing"
HEADERS = (
    "Line",
    "Part of",
    "Sign",
    "Exact",
    "Units",
    "Floor",
    "Remainder",
    "Rank",
    "Allocated",
    "Shown",
    "Adjustment",
)
EXACT, UNITS, FLOOR, REMAINDER, RANK, ALLOCATED, SHOWN, ADJUST = 3, 4, 5, 6, 7, 8, 9, 10
NOTE = 11  # only when a report declares placements: the example's Footing sheet is unchanged
HIGHLIGHT = Style(bold=True, bg_color="#FFEB9C")


class Held(NamedTuple):
    """A figure placed by declaration: its own rounding plus `units` (0: `rounding: plain`)."""

    units: int
    note: str
    source: Source


def held(layout: Layout, col: Column) -> dict[str, Held]:
    """The rows of `layout` whose figure in footed column `col` is declared, by row id."""
    out: dict[str, Held] = {}
    for row in layout.rows:
        if row.id and row.cell_option("rounding", col.id) == "plain":
            out[row.id] = Held(0, "rounding: plain (its own rounding, kept)", row.source)
    for adj in layout.adjustments:
        if adj.column == col.id and adj.row not in out:
            out[adj.row] = Held(int(adj.units), f"declared {int(adj.units):+d}: {adj.note}", adj.source)
    return out


def decimals(number_format: str) -> int:
    """Decimal places a format shows, in the cell's own units (0.0% shows 3 of a fraction; a
    quoted word such as " pts" is no decimal); 0 for a format without a fixed number of them."""
    return shown_decimals(number_format) or 0


def _tree(layout: Layout) -> tuple[list[str], dict[str, list[tuple[str, int]]]]:
    """parent[row id] = (total id, sign); the first total that lists a row owns it."""
    ids = {row.id for row in layout.rows if row.id}
    parent: dict[str, tuple[str, int]] = {}
    for row in layout.rows:
        if row.terms and all(rid in ids for _, rid in row.terms):  # a total of rows of this sheet
            for sign, rid in row.terms:
                parent.setdefault(rid, (row.id, sign))
    children: dict[str, list[tuple[str, int]]] = {}
    for rid, (pid, sign) in parent.items():
        children.setdefault(pid, []).append((rid, sign))
    order = {row.id: i for i, row in enumerate(layout.rows) if row.id}
    for kids in children.values():
        kids.sort(key=lambda kid: order[kid[0]])
    tops = [row.id for row in layout.rows if row.id in children and row.id not in parent]
    return tops, children


def _f(row: int, col: int) -> Ref:
    return Ref(FOOTING_SHEET, row, col)


def _exact(res: Resolved, here: Ref) -> Expr:
    """The unrounded value of a statement cell; a zero base counts as 0."""
    current = res.cell(here)
    if current is None:  # a blank line ('missing: blank')
        return Num(0.0)
    return current.value if current.guard is None else Call("IF", (current.guard, Num(0.0), current.value))


def _block(
    siblings: list[tuple[str, str | None, int, int]], at: dict[str, int], scale: Expr, d: int, hold: dict[str, Held]
):
    """Formulas that rank one sibling block's remainders and hand out the parent's units.
    Declared figures (`hold`, laid out after the others) take their own rounding plus their
    units; the rule hands the rest out among the others."""
    fixed = [s for s in siblings if s[0] in hold]
    siblings = [s for s in siblings if s[0] not in hold]
    for rid, _, sign, row in fixed:
        units = Call("ROUND", (_f(row, UNITS), Num(0)))
        if hold[rid].units:  # in the figure's own direction: UNITS carry its sign in the parent
            units = Bin("+", units, Num(float(sign * hold[rid].units)))
        yield _f(row, ALLOCATED), units
        yield _f(row, SHOWN), Bin("*", _f(row, 2), _f(row, ALLOCATED))
        yield _f(row, ADJUST), Bin("-", Bin("/", _f(row, SHOWN), scale), Call("ROUND", (_f(row, EXACT), Num(d))))
    if not siblings:
        return
    first, last = siblings[0][3], siblings[-1][3]  # a block's rows are contiguous, the declared ones after
    floors = signed_sum([(1, _f(s[3], FLOOR)) for s in siblings])
    if fixed:
        floors = Bin("+", floors, signed_sum([(1, _f(s[3], ALLOCATED)) for s in fixed]))
    for _, parent, _, row in siblings:
        # Larger remainders first, ties to the earlier line: RANK counts the larger ones,
        # COUNTIF the equal ones up to this line. Linear in the block, not quadratic.
        mine = _f(row, REMAINDER)
        larger = Call("RANK", (mine, Range(FOOTING_SHEET, first, REMAINDER, last, REMAINDER)))
        equal_before = Call("COUNTIF", (Range(FOOTING_SHEET, first, REMAINDER, row, REMAINDER), mine))
        yield _f(row, RANK), Bin("-", Bin("+", larger, equal_before), Num(1))
        if parent is None:
            yield _f(row, ALLOCATED), Call("ROUND", (_f(row, UNITS), Num(0)))
        else:
            to_hand_out = Bin("-", _f(at[parent], SHOWN), floors)
            bump = Call("IF", (Bin("<=", _f(row, RANK), to_hand_out), Num(1), Num(0)))
            yield _f(row, ALLOCATED), Bin("+", _f(row, FLOOR), bump)
        yield _f(row, SHOWN), Bin("*", _f(row, 2), _f(row, ALLOCATED))
        yield _f(row, ADJUST), Bin("-", Bin("/", _f(row, SHOWN), scale), Call("ROUND", (_f(row, EXACT), Num(d))))


class _Laid(NamedTuple):
    """One footed column's part of the Footing sheet, as laid out (no values)."""

    cells: list[Cell]  # labels, parents, signs
    formulas: dict[Ref, Expr]
    blocks: list[list[tuple[str, str | None, int, int]]]
    at: dict[str, int]  # row id -> its Footing row
    hold: dict[str, Held]
    next_row: int


def _foot_column(res: Resolved, grid: Grid, col: Column, r: int, cells: list[Cell]) -> int:
    """One footed column's tree from row r of the Footing sheet; return the next free row.
    In a batch, entities whose figures are typed alike share the layout (builder.structure)."""
    layout = grid.layout
    laid = res.laid_out(("footing", layout.sheet, col.id))
    if laid is None:
        laid = _lay_out(res, grid, col, r)
        if laid is None:
            return r
        res.keep(("footing", layout.sheet, col.id), laid)
        for ref, expr in laid.formulas.items():
            res.set_cell(ref, Derived(expr))
        rewrite = True
    else:
        rewrite = False  # the statement's cells came with the layout
    cells += laid.cells
    number = Style(num_format="#,##0.000000;-#,##0.000000")
    for ref, expr in laid.formulas.items():
        cells.append(Cell(ref.row, ref.col, res.value(ref), number, expr, res.formula(ref, expr, FOOTING_SHEET)))
    for rid, how in laid.hold.items():
        if rid in laid.at:
            cells.append(Cell(laid.at[rid], RANK, "declared" if how.units else "plain", Style(align="center")))
            cells.append(Cell(laid.at[rid], NOTE, how.note, HIGHLIGHT))
    for siblings in laid.blocks:
        _check_block(res, layout, col, siblings, laid.at, laid.hold)
    if rewrite:
        d = decimals(COLUMN_KINDS[col.kind].column_format(layout, col))
        # The statement shows ROUND(exact) plus the adjustment, where it shows anything.
        for rid, row in laid.at.items():
            here = grid.ref(rid, col.id)
            current = res.cell(here)
            if current is None:
                continue
            shown = Bin("+", Call("ROUND", (current.value, Num(d))), _f(row, ADJUST))
            res.set_cell(here, current._replace(value=shown))
    return laid.next_row


def _lay_out(res: Resolved, grid: Grid, col: Column, r: int) -> _Laid | None:
    """The Footing sheet's rows for one footed column: labels and the formulas of each step."""
    layout = grid.layout
    tops, children = _tree(layout)
    if not tops:
        return None
    d = decimals(COLUMN_KINDS[col.kind].column_format(layout, col))
    scale = Num(float(10**d))
    period = res.report.period_name(col.period)
    cells = [Cell(r, 0, f"{layout.sheet}: {col.header or col.id}, {period} ({d} decimals)", Style(bold=True))]
    r += 1
    label = {row.id: row.label for row in layout.rows if row.id}
    hold = held(layout, col)
    at: dict[str, int] = {}  # row id -> its Footing row
    formulas: dict[Ref, Expr] = {}
    blocks: list[list[tuple[str, str | None, int, int]]] = []
    pending: list[tuple[str, str | None, int]] = [(top, None, 1) for top in tops]
    while pending:  # breadth first: a parent's shown units exist before its block is handed them
        block = []
        # Declared figures after the others of their block, so that the rule ranks a contiguous range.
        pending.sort(key=lambda p: (p[1] is not None and at[p[1]], p[0] in hold))
        for rid, parent, sign in pending:
            at[rid] = r
            here = grid.ref(rid, col.id)
            res.set_constant(_f(r, 2), float(sign))
            cells.append(Cell(r, 0, label[rid], Style(indent=1)))
            cells.append(Cell(r, 1, label[parent] if parent else "(top level)", Style()))
            cells.append(Cell(r, 2, float(sign), Style(num_format="+0;-0")))
            formulas[_f(r, EXACT)] = _exact(res, here)
            formulas[_f(r, UNITS)] = Call("ROUND", (Bin("*", Bin("*", _f(r, 2), _f(r, EXACT)), scale), Num(9)))
            formulas[_f(r, FLOOR)] = Call("INT", (_f(r, UNITS),))
            formulas[_f(r, REMAINDER)] = Bin("-", _f(r, UNITS), _f(r, FLOOR))
            block.append((rid, parent, sign, r))
            r += 1
        by_parent: dict[str | None, list] = {}
        for entry in block:
            by_parent.setdefault(entry[1], []).append(entry)
        for siblings in by_parent.values():
            formulas.update(_block(siblings, at, scale, d, hold))
            blocks.append(siblings)
        pending = [(kid, rid, sign) for rid, _, _, _ in block for kid, sign in children.get(rid, [])]
    return _Laid(cells, formulas, blocks, at, hold, r + 1)


def _check_block(
    res: Resolved,
    layout: Layout,
    col: Column,
    siblings: list[tuple[str, str | None, int, int]],
    at: dict[str, int],
    hold: dict[str, Held],
) -> None:
    """A declared figure stays a rounding of its own (the whole unit on either side of its exact
    value), and the block's other figures can still add up to their total, each a rounding of
    its own: otherwise the declaration is refused, at its line."""
    fixed = [s for s in siblings if s[0] in hold]
    if not fixed:
        return
    where = f"sheet '{layout.sheet}', column '{col.id}' ({res.report.period_name(col.period)})"
    for rid, _, sign, row in fixed:
        how = hold[rid]
        exact = sign * float(res.value(_f(row, UNITS)))  # in shown units, with the figure's own sign
        shown = float(res.value(_f(row, SHOWN)))
        if how.units and not math.floor(exact) <= shown <= math.ceil(exact):
            res.problem(
                Problem(
                    how.source,
                    f"{where}: '{rid}' is {exact:g} unit(s) exactly, so {how.units:+d} would show {shown:g}, "
                    "which is not a rounding of it: a declared unit only moves a figure to the whole unit "
                    "on the other side of its exact value",
                )
            )
            return
    parent = siblings[0][1]
    if parent is None:
        return  # top-level totals each round on their own
    free = [s for s in siblings if s[0] not in hold]
    total = float(res.value(_f(at[parent], SHOWN)))
    placed = sum(float(res.value(_f(s[3], ALLOCATED))) for s in fixed)
    left = total - placed - sum(float(res.value(_f(s[3], FLOOR))) for s in free)
    if not -1e-9 < left < len(free) + 1e-9:
        names = ", ".join(f"'{s[0]}'" for s in fixed)
        others = f"its {len(free)} other line(s) can take 0 to {len(free)}" if free else "it has no other line"
        res.problem(
            Problem(
                hold[fixed[0][0]].source,
                f"{where}: with {names} placed as declared, the lines of '{parent}' (shown {total:g} units) "
                f"would leave {left:g} unit(s) to hand out, and {others}: the column would not add up; "
                "declare the placements so that they add up to the total",
            )
        )


def apply_plugs(res: Resolved) -> None:
    """A `plug: true` row shows its total's rounding difference in amount columns.

    The release's EBITDA reconciliation puts income tax at 518 where 517,379 thousand
    rounds to 517, so that the shown lines add up to the shown net income. The total is
    computed from the plug row's exact value (no circular reference); the plug cell
    shows sign * (ROUND(total) - the other shown lines).
    """
    for grid in res.grids:
        layout = grid.layout
        _, children = _tree(layout)
        for row in layout.rows:
            if not row.plug:
                continue
            parent = next(((pid, kids) for pid, kids in children.items() if row.id in dict(kids)), None)
            if parent is None:
                continue
            pid, kids = parent
            for col in layout.columns:
                if COLUMN_KINDS[col.kind].derived:
                    continue  # a plug shows amounts
                here, total = grid.ref(row.id, col.id), grid.ref(pid, col.id)
                total_cell, exact_cell = res.cell(total), res.cell(here)
                if total_cell is None or not isinstance(total_cell.value, Sum) or exact_cell is None:
                    continue
                exact = exact_cell.value
                d = decimals(COLUMN_KINDS[col.kind].number_format(layout, row, col))
                terms = [(s, exact if i == here else i) for s, i in expanded(total_cell.value)]
                res.set_cell(total, Derived(signed_sum(terms)))
                terms = [(1, Call("ROUND", (total, Num(d))))]
                for kid, sign in kids:
                    if kid != row.id:
                        terms.append((-sign, Call("ROUND", (grid.ref(kid, col.id), Num(d)))))
                difference = signed_sum(terms)
                res.set_cell(here, Derived(difference if dict(kids)[row.id] > 0 else Neg(difference)))


def apply_footing(res: Resolved) -> SheetPlan | None:
    """Rewrite footed statement cells and return the Footing sheet (None if nothing foots)."""
    work = [(grid, col) for grid in res.grids for col in grid.layout.columns if col.rounding == "foot"]
    if not work:
        return None
    notes = any(held(grid.layout, col) for grid, col in work)  # a Note column only where it is needed
    headers = HEADERS + ("Note",) if notes else HEADERS
    cells = [Cell(0, c, text, Style(bold=True, bottom=1)) for c, text in enumerate(headers)]
    r = 1
    for grid, col in work:
        r = _foot_column(res, grid, col, r, cells)
    widths = (48, 40, 6, 16, 16, 12, 12, 6, 10, 10, 12) + ((48,) if notes else ())
    conditional = (Conditional(1, ADJUST, max(r, 1), ADJUST, "0", HIGHLIGHT, criteria="!="),)
    cells.sort(key=lambda c: (c.row, c.col))
    return SheetPlan(FOOTING_SHEET, tuple(cells), widths=widths, freeze=(1, 1), conditional=conditional)


def declared_rounding(report: Report, figures: object = None) -> Iterator[Problem]:
    """What validation refuses in `adjust:` and a row's `rounding: plain`, each at its line:
    a row or column the sheet does not have, a column that does not foot, a row whose rounding
    footing does not place (in no total), a unit that is not a whole +1 or -1, a placement
    declared twice; and a row format that would show a footed cell at other decimals than
    the column foots at. (What the figures make of a declaration is checked as it is placed.)"""
    for layout in report.layouts:
        cols = {c.id: c for c in layout.columns}
        rows = {r.id: r for r in layout.rows if r.id}
        tops, children = _tree(layout)
        placed = set(tops) | {kid for kids in children.values() for kid, _ in kids}
        seen: dict[tuple[str, str], Source] = {}
        for adj in layout.adjustments:
            what = f"adjust: row {adj.row}, column {adj.column}"
            row, col = rows.get(adj.row), cols.get(adj.column)
            if row is None:
                yield Problem(
                    adj.source, f"{what}: sheet '{layout.sheet}' has no row '{adj.row}'{suggest(adj.row, rows)}"
                )
            elif col is None:
                near = suggest(adj.column, cols)
                yield Problem(adj.source, f"{what}: sheet '{layout.sheet}' has no column '{adj.column}'{near}")
            elif col.rounding != "foot":
                yield Problem(
                    adj.source,
                    f"{what}: column '{col.id}' does not foot, so every figure shows its own rounding; an "
                    "adjustment places a footed column's rounding (give the column or the layout rounding: foot)",
                )
            elif row.id not in placed:
                yield Problem(
                    adj.source,
                    f"{what}: '{row.id}' is in no total of sheet '{layout.sheet}', so footing places no "
                    "rounding of it; it shows its own rounding",
                )
            elif row.show is not None and col.kind not in row.show:
                yield Problem(adj.source, f"{what}: the row does not show column '{col.id}' (show: {list(row.show)})")
            elif not math.isfinite(adj.units) or adj.units != int(adj.units) or adj.units == 0:
                yield Problem(
                    adj.source, f"{what}: units: expected a whole number of units, 1 or -1, found {adj.units!r}"
                )
            elif abs(adj.units) > 1:
                yield Problem(
                    adj.source,
                    f"{what}: units: {int(adj.units):+d} is more than a rounding moves a figure; a declared unit "
                    "puts a figure on the whole unit on the other side of its exact value (1 or -1)",
                )
            elif utf16_len(f"declared +1: {adj.note}") > MAX_TEXT:  # as the Footing sheet's Note shows it
                yield Problem(adj.source, f"{what}: the note is longer than Excel's {MAX_TEXT:,} characters in a cell")
            elif (adj.row, adj.column) in seen:
                first = seen[(adj.row, adj.column)]
                yield Problem(adj.source, f"{what}: declared twice (also at line {first.line}); give one")
            elif row.cell_option("rounding", col.id) == "plain":
                yield Problem(
                    adj.source,
                    f"{what}: the row says rounding: plain for this column (line {row.source.line}), which keeps "
                    "its own rounding; give one of the two",
                )
            seen.setdefault((adj.row, adj.column), adj.source)
        for row in layout.rows:
            for key, col_id, value in row.cell_options:
                if key == "rounding" and col_id is None:
                    if not any(c.rounding == "foot" for c in layout.columns if row.show is None or c.kind in row.show):
                        yield Problem(
                            row.source,
                            f"row '{row.id}': rounding: plain keeps a footed figure at its own rounding, and "
                            f"the row shows no footed column of sheet '{layout.sheet}'",
                        )
                elif key == "rounding" and col_id in cols and cols[col_id].rounding != "foot":
                    yield Problem(
                        row.source,
                        f"row '{row.id}': rounding {{{col_id}: plain}}: column '{col_id}' does not foot, so its "
                        "figures show their own rounding already",
                    )
                elif key == "number_format" and col_id in cols and cols[col_id].rounding == "foot":
                    col = cols[col_id]
                    column_format = COLUMN_KINDS[col.kind].column_format(layout, col)
                    if decimals(str(value)) != decimals(column_format):
                        yield Problem(
                            row.source,
                            f"row '{row.id}': number_format {{{col_id}: {str(value)!r}}} shows other decimals than "
                            f"column '{col_id}' foots at ({column_format!r}): the figure would show a rounding to "
                            "other decimals than the one that adds up; give a format with the column's decimals",
                        )
