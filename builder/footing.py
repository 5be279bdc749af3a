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
"""

from __future__ import annotations

from builder.expr import Bin, Call, Expr, Neg, Num, Range, Ref, Sum, expanded, signed_sum, to_formula
from builder.kinds import COLUMN_KINDS, Derived
from builder.plan import Cell, Conditional, SheetPlan, Style
from builder.resolved import Grid, Resolved
from builder.spec import Column, Layout

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


def decimals(number_format: str) -> int:
    """Decimal places a format shows, in the cell's own units (0.0% shows 3 of a fraction)."""
    first = number_format.split(";")[0]
    places = len(first.split(".", 1)[1].rstrip('%"')) if "." in first else 0
    return places + (2 if "%" in first else 0)


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


def _block(siblings: list[tuple[str, str | None, int, int]], at: dict[str, int], scale: Expr, d: int):
    """Formulas that rank one sibling block's remainders and hand out the parent's units."""
    first, last = siblings[0][3], siblings[-1][3]  # a block's rows are contiguous
    floors = signed_sum([(1, _f(s[3], FLOOR)) for s in siblings])
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


def _foot_column(res: Resolved, grid: Grid, col: Column, r: int, cells: list[Cell]) -> int:
    """Lay out one footed column's tree from row r of the Footing sheet; return the next free row."""
    layout = grid.layout
    tops, children = _tree(layout)
    if not tops:
        return r
    d = decimals(COLUMN_KINDS[col.kind].column_format(layout, col))
    scale = Num(float(10**d))
    period = res.report.period_name(col.period)
    cells.append(Cell(r, 0, f"{layout.sheet}: {col.header or col.id}, {period} ({d} decimals)", Style(bold=True)))
    r += 1
    label = {row.id: row.label for row in layout.rows if row.id}
    at: dict[str, int] = {}  # row id -> its Footing row
    formulas: dict[Ref, Expr] = {}
    pending: list[tuple[str, str | None, int]] = [(top, None, 1) for top in tops]
    while pending:  # breadth first: a parent's shown units exist before its block is handed them
        block = []
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
            formulas.update(_block(siblings, at, scale, d))
        pending = [(kid, rid, sign) for rid, _, _, _ in block for kid, sign in children.get(rid, [])]

    for ref, expr in formulas.items():
        res.set_cell(ref, Derived(expr))
    number = Style(num_format="#,##0.000000;-#,##0.000000")
    for ref, expr in formulas.items():
        cells.append(Cell(ref.row, ref.col, res.value(ref), number, expr, to_formula(expr, FOOTING_SHEET)))
    # The statement shows ROUND(exact) plus the adjustment, where it shows anything.
    for rid, row in at.items():
        here = grid.ref(rid, col.id)
        current = res.cell(here)
        if current is None:
            continue
        shown = Bin("+", Call("ROUND", (current.value, Num(d))), _f(row, ADJUST))
        res.set_cell(here, current._replace(value=shown))
    return r + 1


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
    cells = [Cell(0, c, text, Style(bold=True, bottom=1)) for c, text in enumerate(HEADERS)]
    r = 1
    for grid, col in work:
        r = _foot_column(res, grid, col, r, cells)
    widths = (48, 40, 6, 16, 16, 12, 12, 6, 10, 10, 12)
    adjusted = Style(bold=True, bg_color="#FFEB9C")
    conditional = (Conditional(1, ADJUST, max(r, 1), ADJUST, "0", adjusted, criteria="!="),)
    cells.sort(key=lambda c: (c.row, c.col))
    return SheetPlan(FOOTING_SHEET, tuple(cells), widths=widths, freeze=(1, 1), conditional=conditional)
