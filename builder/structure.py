"""What a build computes from the layouts and from which figures are typed, not from their values.

A batch builds the same layouts for many entities whose data type the same lines in the same
periods, in the same order. For each of them the cells' expressions, their formula text, the
titles and notes that quote figures and the Footing sheet's layout are the same; only values
differ. The first entity of a structure records those; the next ones adopt them and compute
only values: every cell's expression compiled once (builder.expr.compile_expr) and run per
entity in an order where each cell comes after the cells it reads.

Everything that depends on values (the values, column widths, checks, problems) is computed
for each entity by the same code as a single build: a batch's workbook is byte for byte the
workbook `build` makes of that entity's data (tests/test_structure.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from builder.expr import Compiled, Expr, Range, Ref, compile_expr, walk
from builder.figures import Figures
from builder.kinds import Derived
from builder.numbers import EXCEL_LARGEST, EXCEL_SMALLEST

Key = tuple


def figures_key(figures: Figures) -> Key:
    """Which figures are typed, in their order: two entities with the same key get the same cells
    (a typed figure's Data row is its place in that order)."""
    return (tuple(figures.lines), bytes(figures.periods), tuple(figures.period_keys), tuple(sorted(figures.texts)))


class Program:
    """The cells of one structure as a straight run: typed figures to fetch, then each derived
    cell's compiled expression, every cell after the cells it reads."""

    def __init__(self, typed: list[tuple[Ref, int]], order: list[tuple[Ref, Compiled]]):
        self.typed = typed
        self.order = order


class Structure:
    """One structure's expressions and formula text, recorded by its first entity."""

    def __init__(self, key: Key):
        self.key = key
        self.complete = False  # recorded by an entity that built; until then each entity records
        self.exprs: dict[Ref, Expr] = {}
        self.guarded: dict[Ref, Derived] = {}
        self.constants: dict[Ref, float] = {}
        self.data_cells: dict[Ref, int] = {}
        self.formulas: dict[Ref, str] = {}  # formula text by cell, rendered once
        self.templates: dict[tuple[str, str | None], Any] = {}  # titles, notes and sentences, made once
        self.layouts: dict[tuple, Any] = {}  # what helper sheets lay out once (builder.footing's columns)
        self._program: Program | None = None
        self._no_program = False

    def record(self, exprs, guarded, constants, data_cells) -> None:
        """Keep a resolved entity's cells: the next entities of this structure adopt them."""
        self.exprs, self.guarded = dict(exprs), dict(guarded)
        self.constants, self.data_cells = dict(constants), dict(data_cells)
        self.complete = True

    def program(self, typed_at: Callable[[Ref], int | None]) -> Program | None:
        """The compiled run of this structure's cells; None where a cell's expression names
        itself through a branch (the resolver's own evaluation then reports or skips it)."""
        if self._program is None and not self._no_program:
            self._program = _program(self.exprs, self.constants, typed_at)
            self._no_program = self._program is None
        return self._program


def _reads(expr: Expr) -> list[Ref]:
    """The cells an expression reads, both branches of every IF included."""
    found: list[Ref] = []
    for node in walk(expr):
        if type(node) is Ref:
            found.append(node)
        elif type(node) is Range:
            found.extend(node.refs())
    return found


def _program(exprs: dict[Ref, Expr], constants: dict[Ref, float], typed_at) -> Program | None:
    order: list[Ref] = []
    state: dict[Ref, int] = {}  # 1 being visited, 2 done
    typed: dict[Ref, int] = {}
    for start in exprs:
        if start in state or start in constants:
            continue
        stack: list[tuple[Ref, list[Ref]]] = [(start, _reads(exprs[start]))]
        state[start] = 1
        while stack:  # depth first, without recursion: a ledger's totals run deep
            ref, pending = stack[-1]
            if pending:
                dep = pending.pop()
                if dep in constants or state.get(dep) == 2:
                    continue
                if state.get(dep) == 1:
                    return None  # a cycle (through an IF branch the values never take, or the resolver reports it)
                if dep in exprs:
                    state[dep] = 1
                    stack.append((dep, _reads(exprs[dep])))
                elif dep not in typed:
                    figure = typed_at(dep)
                    if figure is not None:
                        typed[dep] = figure
                continue
            stack.pop()
            state[ref] = 2
            order.append(ref)
    return Program(list(typed.items()), [(ref, compile_expr(exprs[ref])) for ref in order])


def run(program: Program, figures: Figures, constants: dict[Ref, float], name) -> dict[Ref, Any] | None:
    """Every cell's value for one entity's figures, or None if a cell cannot be computed (text
    in arithmetic, a division by zero, a number beyond Excel's): the resolver's own evaluation
    then finds and reports it, as in a single build."""
    values: dict[Ref, Any] = dict(constants)
    value_of = figures.value
    for ref, figure in program.typed:
        values[ref] = value_of(figure)
    cell = values.get
    try:
        for ref, compiled in program.order:
            result = compiled(cell, name)
            if type(result) is float:
                if not EXCEL_SMALLEST <= abs(result) <= EXCEL_LARGEST and result != 0:
                    return None
            elif isinstance(result, bool):
                result = float(result)
            values[ref] = result
    except Exception:  # noqa: BLE001 - the resolver's evaluation meets it again and says what it is
        return None
    return values


class Structures:
    """The structures a batch has met, by their figures' keys."""

    def __init__(self) -> None:
        self.known: dict[Key, Structure] = {}

    def of(self, figures: Figures) -> Structure:
        key = figures_key(figures)
        found = self.known.get(key)
        if found is None:
            found = self.known[key] = Structure(key)
        return found
