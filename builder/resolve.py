"""Resolve: lay each statement out on a grid, bind row ids to cells, and compute values.

This is the one place where references become cells. Every derived cell gets an
Expr; its value is computed from that same Expr (builder.expr.evaluate) and its
formula text is rendered from it (builder.expr.to_formula).
"""

from __future__ import annotations

import datetime as dt
import math
import string
from typing import Any

from builder import narrative
from builder.a1 import quote_sheetname, xl_rowcol_to_cell
from builder.charts.place import with_charts
from builder.checks import checks_sheet
from builder.contents import contents_sheet
from builder.errors import Problem, ReportError, Source
from builder.excel_limits import MAX_FORMULA, MAX_FORMULA_STRING, utf16_len, utf16_pieces
from builder.expr import (
    Bin,
    Call,
    EvalError,
    Expr,
    Name,
    Num,
    OutOfRange,
    Range,
    Ref,
    RowRef,
    Str,
    Value,
    evaluate,
    map_expr,
    signed_sum,
    to_formula,
    walk,
)
from builder.figures import Figures
from builder.footing import apply_footing, apply_plugs
from builder.kinds import AMOUNT, COLUMN_KINDS, ROW_KINDS, Derived
from builder.kinds.base import round_as_shown, shown_decimals
from builder.numbers import EXCEL_LARGEST, EXCEL_SMALLEST, beyond_excel
from builder.plan import Cell, Merge, SheetPlan, Style, WorkbookPlan
from builder.printing import header_title, page_setup, printed_pages
from builder.resolved import Grid, grid_of
from builder.sources import data_ref, data_sheets, input_names, inputs_sheet
from builder.spec import Column, Layout, Report, Row
from builder.structure import Structure, Structures, run

_UNKNOWN = object()
HEADER = Style(bold=True, align="center", bottom=1)
COLUMN_HEADER = Style(bold=True, align="center", bottom=1, wrap=True)
PERIOD_HEADER = COLUMN_HEADER  # a long date wraps within its block's columns
GROUP_HEADER = COLUMN_HEADER  # "Nine Months Ended" over one narrow column wraps rather than being cut


# The names the tests and older code know.
_Grid = Grid
_grid = grid_of


class _Resolver:
    """Binds row ids to cells and computes their values; offers footing, checks and contents
    the typed interface builder.resolved.Resolved."""

    def __init__(self, report: Report, figures: Figures, structure: Structure | None = None):
        self.report = report
        self.figures = figures
        self.grids = [grid_of(layout) for layout in report.layouts]
        self.grid_of_row = {rid: g for g in self.grids for rid in g.row_at}
        self.grid_of_sheet = {g.layout.sheet: g for g in self.grids}
        self.problems: list[Problem] = []
        self.exprs: dict[Ref, Expr] = {}  # every derived cell; typed cells are found by typed_at
        self.guarded: dict[Ref, Derived] = {}  # the parts of cells that show something else on a zero base
        self.constants: dict[Ref, float] = {}  # numbers typed in layouts (check tolerances)
        self.visiting: set[Ref] = set()  # cells being evaluated, to catch one that depends on itself
        self.data_plans: list[SheetPlan] = []  # the Data sheet(s), where typed figures live
        self.values: dict[Ref, Value] = {}
        self.inputs = {i.name: i.value for i in report.inputs}
        self.data_cells: dict[Ref, int] = {}  # Data sheet cells formulas read directly (parts of a sum_of)
        # In a batch, what this entity shares with the others whose figures are typed alike (builder.structure).
        self.structure = structure
        self.adopted = structure is not None and structure.complete
        if self.adopted:
            self.exprs, self.guarded = dict(structure.exprs), dict(structure.guarded)
            self.constants, self.data_cells = dict(structure.constants), dict(structure.data_cells)
            program = structure.program(self.typed_at)
            values = None if program is None else run(program, figures, self.constants, self.name_value)
            if values is not None:
                self.values = values

    def record(self) -> None:
        """A resolved entity's cells, for the next entities of its structure."""
        if self.structure is not None and not self.adopted:
            self.structure.record(self.exprs, self.guarded, self.constants, self.data_cells)

    # ------------------------------------------------------------ references

    def amount_ref(self, row_id: str, role: str, where: Source) -> Ref | None:
        grid = self.grid_of_row[row_id]
        col = grid.amount_col.get(role)
        if col is None:
            self.problems.append(
                Problem(
                    where,
                    f"'{row_id}' is needed for {self.report.period_name(role)}, "
                    f"but sheet '{grid.layout.sheet}' has no amount column for that period",
                )
            )
            return None
        return Ref(grid.layout.sheet, grid.row_at[row_id], col)

    def period_amount(self, row_id: str, role: str, where: Source) -> Expr | None:
        """A row's amount in a period: its cell, or for a derived period the sum of its parts."""
        grid = self.grid_of_row[row_id]
        period = self.report.period(role)
        if role not in grid.amount_col and period is not None and period.sum_of:
            parts = [self.period_amount(row_id, part, where) for part in period.sum_of]
            return None if None in parts else signed_sum([(1, p) for p in parts])
        if role not in grid.amount_col and period is not None and self.is_part(role):
            from builder.cycle.parts import off_sheet_amount

            return off_sheet_amount(self, row_id, role, where)
        return self.amount_ref(row_id, role, where)

    def is_part(self, role: str) -> bool:
        """Whether `role` is a part of a sum_of period (1Q04 of nine months)."""
        return any(role in p.sum_of for p in self.report.periods)

    def parts_sum(self, row_id: str, role: str) -> Expr | None:
        """A typed line's amount in a `sum_of` period: the live sum of its typed parts, each
        the line's cell in the part's column, or its figure's cell on the Data sheet when the
        statement shows no column for that part. None if `role` is not a sum_of period, or
        every part is blank (`missing: blank`)."""
        period = self.report.period(role)
        if period is None or not period.sum_of:
            return None
        grid = self.grid_of_row[row_id]
        terms: list[tuple[int, Expr]] = []
        for part in period.sum_of:
            if part in grid.amount_col:
                ref = Ref(grid.layout.sheet, grid.row_at[row_id], grid.amount_col[part])
                if not self.is_blank(ref):
                    terms.append((1, ref))
            else:
                typed = self.figures.find(row_id, self.report.period(part).key)
                if typed is not None:  # typed figures are in their own sheet's units
                    ref = data_ref(typed)
                    self.data_cells[ref] = typed
                    terms.append((1, ref))
        return signed_sum(terms) if terms else None

    def scaled(self, expr: Expr, source: Layout, target: Layout) -> Expr:
        """A figure of `source` in the units of `target` (thousands to millions: /1000)."""
        factor = target.scale / source.scale
        if factor == 1:
            return expr
        if factor < 1 and (1 / factor).is_integer():
            return Bin("/", expr, Num(1 / factor))
        return Bin("*", expr, Num(factor))

    def bind(self, expr: Expr, role: str, where: Source, layout: Layout | None = None) -> Expr | None:
        """Turn a row formula of `layout` into a cell formula for one period."""
        failed = []

        def replace(node: Expr) -> Expr | None:
            if isinstance(node, RowRef):
                if node.row_id in self.inputs and node.row_id not in self.grid_of_row:
                    return Name(node.row_id)
                grid = self.grid_of_row[node.row_id]
                if node.column is not None:
                    return Ref(grid.layout.sheet, grid.row_at[node.row_id], grid.col_at[node.column])
                ref = self.period_amount(node.row_id, node.period or role, where)
                if ref is None:
                    failed.append(node)
                    return Num(0)
                return ref if layout is None else self.scaled(ref, grid.layout, layout)
            return None

        bound = map_expr(expr, replace)
        return None if failed else bound

    # ------------------------------------------------------------ cells of one statement

    def typed_at(self, ref: Ref) -> int | None:
        """The number of the figure typed into a statement cell, if it holds one.

        Computed from the layout rather than stored: a long statement has a million."""
        grid = self.grid_of_sheet.get(ref.sheet)
        if grid is None:
            return self.data_cells.get(ref)
        role = grid.amount_period.get(ref.col)
        if role is None:
            return None
        i = ref.row - grid.body_row
        rows = grid.layout.rows
        if not 0 <= i < len(rows):
            return None
        row = rows[i]
        kind = ROW_KINDS[row.kind]
        if not kind.has_cells or (row.show is not None and AMOUNT not in row.show):
            return None
        period = self.report.period(role)
        # A sum_of period is never typed: each row's amount in it is computed from the parts.
        if not period.sum_of and kind.typed(row, role):
            return self.figures.find(row.id, period.key)
        return None

    def is_blank(self, ref: Ref | None) -> bool:
        return ref is None or (ref not in self.exprs and self.typed_at(ref) is None)

    def layout_of(self, row_id: str) -> Layout:
        return self.grid_of_row[row_id].layout

    def cell_format(self, row: Row, col: Column) -> str:
        return _cell_format(self.grid_of_row[row.id].layout, row, col)

    def displayed(self, ref: Ref) -> Expr:
        grid = self.grid_of_sheet[ref.sheet]
        layout = grid.layout
        row, col = layout.rows[ref.row - grid.body_row], layout.columns[ref.col - 1]
        return round_as_shown(ref, _cell_format(layout, row, col))

    def build_cell(self, grid: Grid, row: Row, col: Column) -> None:
        """One statement cell, as its column's kind (or, for amounts, its row's kind) builds it."""
        kind = COLUMN_KINDS[row.kind_in(col)]
        if kind.derived:
            cell = kind.cell(self, row, col)
        else:
            amount = ROW_KINDS[row.kind].amount(self, row, col, grid.layout)
            cell = None if amount is None else Derived(amount)
        if cell is not None:
            self.set_cell(grid.ref(row.id, col.id), cell)

    # ------------------------------------------------------------ the interface of builder.resolved

    def cell(self, ref: Ref) -> Derived | None:
        guarded = self.guarded.get(ref)
        if guarded is not None:
            return guarded
        expr = self.exprs.get(ref)
        return None if expr is None else Derived(expr)

    def set_cell(self, ref: Ref, cell: Derived) -> None:
        self.exprs[ref] = cell.expr()
        if cell.guard is not None:
            self.guarded[ref] = cell
        else:
            self.guarded.pop(ref, None)

    def set_constant(self, ref: Ref, value: float) -> None:
        self.constants[ref] = value

    def laid_out(self, key: tuple) -> Any:
        """What an earlier entity of this structure laid out under `key`; None: lay it out (and keep it)."""
        return self.structure.layouts.get(key) if self.adopted else None  # type: ignore[union-attr]

    def keep(self, key: tuple, layout: Any) -> None:
        if self.structure is not None and not self.adopted:
            self.structure.layouts[key] = layout

    def formula(self, ref: Ref, expr: Expr, sheet: str) -> str:
        """The formula text of the cell `ref` holding `expr`; rendered once per structure in a batch."""
        if self.structure is None:
            return to_formula(expr, sheet)
        text = self.structure.formulas.get(ref)
        if text is None:
            text = self.structure.formulas[ref] = to_formula(expr, sheet)
        return text

    def problem(self, problem: Problem) -> None:
        self.problems.append(problem)

    # ------------------------------------------------------------ values

    def value(self, ref: Ref) -> Value:
        """A cell's value, computed once from its Expr (the cells it refers to first)."""
        known = self.values.get(ref, _UNKNOWN)
        if known is not _UNKNOWN:
            return known
        if ref in self.constants:
            return self.constants[ref]
        expr = self.exprs.get(ref)
        if expr is None:
            typed = self.typed_at(ref)
            return None if typed is None else self.figures.value(typed)
        if ref in self.visiting:
            raise EvalError(f"cell {ref.sheet}!R{ref.row + 1}C{ref.col + 1} depends on itself")
        self.visiting.add(ref)
        try:
            result = evaluate(expr, self.value, self.name_value)
        except OutOfRange as exc:
            if exc.problem is None:  # a step inside this cell's formula went out of range
                exc.problem = self.out_of_range(ref, None)
            raise
        finally:
            self.visiting.discard(ref)
        if isinstance(result, bool):
            result = float(result)
        elif type(result) is float and not EXCEL_SMALLEST <= abs(result) <= EXCEL_LARGEST and result != 0:
            # The last line of defence: an inf or NaN stored in a cell makes a file that
            # openpyxl and pandas cannot open. (Typed figures and inputs were checked on loading.)
            problem = self.out_of_range(ref, result)
            error = OutOfRange(problem.message)
            error.problem = problem
            raise error
        self.values[ref] = result
        return result

    def out_of_range(self, ref: Ref, result: float | None) -> Problem:
        """The cell that would hold a number Excel cannot, and the typed figures and inputs it
        is computed from, the most extreme first: those are what the user can fix."""
        cell = f"{quote_sheetname(ref.sheet)}!{xl_rowcol_to_cell(ref.row, ref.col)}"
        what, where = f"cell {cell}", self.report.source
        grid = self.grid_of_sheet.get(ref.sheet)
        if grid is not None and 0 <= ref.row - grid.body_row < len(grid.layout.rows):
            row, col = grid.layout.rows[ref.row - grid.body_row], grid.layout.columns[ref.col - 1]
            period = self.report.period_name(COLUMN_KINDS[col.kind].label_period(col) or "")
            what, where = f"'{row.id}' in column '{col.id}' ({period}, cell {cell})", row.source
        if result is None:
            told = "a step of its formula is beyond Excel's largest number, 9.99999999999999E+307"
        else:
            told = f"it would be {result:.15g}, which {beyond_excel(result)}"
        origins = sorted(self.origins(ref), key=lambda o: -abs(math.log10(abs(o[2])) if o[2] else 0.0))
        if origins:
            listed = ", ".join(f"{source}{name} = {value:.15g}" for source, name, value in origins[:4])
            more = f" and {len(origins) - 4} more" if len(origins) > 4 else ""
            told += f"; it is computed from {listed}{more}"
            if grid is None:  # a Footing or Checks cell: the most extreme figure is the one to look at
                where = origins[0][0]
        return Problem(where, f"{what}: {told}")

    def origins(self, ref: Ref) -> list[tuple[Source, str, float]]:
        """The typed figures and inputs a cell is computed from: (source, name, value)."""
        found: dict[Source, tuple[Source, str, float]] = {}
        seen: set[Ref] = set()
        pending = [ref]
        while pending:
            here = pending.pop()
            if here in seen:
                continue
            seen.add(here)
            expr = self.exprs.get(here)
            if expr is None:
                typed = self.typed_at(here)
                if typed is not None:
                    source = self.figures.source(typed)
                    found[source] = (source, "", self.figures.values[typed])
                continue
            for node in walk(expr):
                if type(node) is Ref:
                    pending.append(node)
                elif type(node) is Range:
                    pending.extend(node.refs())
                elif type(node) is Name and isinstance(self.inputs.get(node.name), float):
                    inp = self.report.input(node.name)
                    found[inp.source] = (inp.source, f" (input {inp.name})", inp.value)
        return list(found.values())

    def name_value(self, name: str) -> Value:
        return self.inputs[name]

    # ------------------------------------------------------------ text that quotes inputs and figures

    def template(self, text: str, role: str | None = None, where: Source | None = None) -> Expr | str | None:
        if self.structure is None:
            return self._template(text, role, where)
        key = (text, role)
        made = self.structure.templates.get(key, _UNKNOWN)
        if made is _UNKNOWN:
            problems = len(self.problems)
            made = self._template(text, role, where)
            if len(self.problems) == problems:  # what was refused is said again for each entity
                self.structure.templates[key] = made
        return made  # type: ignore[return-value]

    def _template(self, text: str, role: str | None = None, where: Source | None = None) -> Expr | str | None:
        """Titles, notes and rows of text (`text: "..."`, given `role`) quoting the company,
        period labels, inputs and, in a row of text, rows' figures in period `role`. What
        quotes a live figure is a formula of text pieces and TEXT(); the rest is fixed text.
        None if a quoted row has no figure in `role` (a problem is noted)."""
        static = {
            "company": self.report.company,
            "title": self.report.title,
            "date": self.report.date.isoformat() if self.report.date else "",
        }
        static.update({p.role: p.label for p in self.report.periods})
        parts: list[Expr] = []
        live = False
        for literal, field_name, spec, _ in string.Formatter().parse(text):
            if literal:
                # Excel refuses a text constant of over 255 characters inside a formula:
                # a long note that quotes an input is joined from pieces.
                parts += [Str(piece) for piece in utf16_pieces(literal, MAX_FORMULA_STRING)]
            if field_name is None:
                continue
            # Live narrative's richer fields (row[period], row.column, named formats): builder.narrative.
            part = narrative.field_expr(self, field_name, spec, role, where or self.report.source)
            if part is None:
                return None
            if part is not narrative.NOT_MINE:
                live = live or not isinstance(part, Str)
                parts.append(part)  # type: ignore[arg-type]
                continue
            if role is not None and field_name in self.grid_of_row:
                ref = self.period_amount(field_name, role, where or self.report.source)
                if ref is None:
                    return None
                live = True
                parts.append(Call("TEXT", (ref, Str(spec))) if spec else ref)
            elif field_name in self.inputs:
                live = True
                parts.append(Call("TEXT", (Name(field_name), Str(spec))) if spec else Name(field_name))
            else:
                value = static[field_name]
                parts.append(Str(value.upper() if spec == "upper" else value))
        if not live:
            return "".join(p.value for p in parts)  # type: ignore[union-attr]
        expr = parts[0]
        for part in parts[1:]:
            expr = Bin("&", expr, part)
        return expr


def _cell_format(layout: Layout, row: Row, col: Column) -> str:
    kind = row.kind_in(col)
    # A row that shows another kind in this column takes that kind's format, not the column's.
    return COLUMN_KINDS[kind].number_format(layout, row, col if kind == col.kind else col._replace(number_format=None))


def _number_style(layout: Layout, row: Row, col: Column) -> Style:
    fmt = _cell_format(layout, row, col)
    return Style(
        num_format=fmt,
        bold=row.bold,
        top=1 if row.rule_above else 0,
        bottom=6 if row.double_rule_below else 0,
        wrap=ROW_KINDS[row.kind].wraps,  # a sentence of narrative wraps in its cell
    )


def _display_width(value: Value, fmt: str | None) -> int:
    if value is None:
        return 0
    if isinstance(value, str):
        return len(value)
    first = (fmt or "0").split(";")[0]
    # Quoted words ("Up "0.0" pts") are shown beside the number, not counted as its decimals.
    pieces = first.split('"')
    percent, words = "%" in "".join(pieces[0::2]), sum(len(word) for word in pieces[1::2])
    decimals = max((shown_decimals(first) or 0) - (2 if percent else 0), 0)
    number = abs(value) * (100 if percent else 1)
    return len(f"{number:,.{decimals}f}") + 2 + percent + words


def _merges(grid: _Grid, level: int, shown: list, same: list, style: Style = HEADER) -> list[Merge]:
    """Header cells over runs of adjacent columns that share a group or a period: `shown` is
    each column's text (None: none), `same` what a run of columns must share."""
    merges, cols = [], grid.layout.columns
    i = 0
    while i < len(cols):
        text = shown[i]
        j = i
        while j + 1 < len(cols) and text and same[j + 1] == same[i]:
            j += 1
        if text:
            r = grid.header_row + level
            merges.append(Merge(r, i + 1, r, j + 1, text, style))
        i = j + 1
    return merges


def period_headers(report: Report, columns: tuple[Column, ...]) -> list[str | None]:
    """The text over each column of a period block: the period's label, or the block's own
    `header`. Where the same label would stand over two periods of one group on this sheet
    (three months and year to date ending the same day), each is named with its key as
    messages name it: "Sept 30, 2004 (YTD04)". A group's own header tells them apart otherwise."""
    texts = [(c.period_header or report.period(c.period).label) if c.in_period_block else None for c in columns]
    periods: dict[tuple, set[str]] = {}
    for col, text in zip(columns, texts, strict=True):
        if text is not None:
            periods.setdefault((col.groups, text), set()).add(col.period)
    out: list[str | None] = []
    for col, text in zip(columns, texts, strict=True):
        if text is not None and col.period_header is None and len(periods[(col.groups, text)]) > 1:
            text = f"{text} ({report.period(col.period).key})"
        out.append(text)
    return out


def _wrapped_lines(text: str, width: float) -> int:
    """Lines a bold header takes wrapped at word breaks in a column `width` units wide (a unit
    is a digit of the default Calibri 11, 7 pixels; a bold Arial 9 character is about 6 and a
    space under 3; a cell keeps a little padding). Rather a line too many than a clipped date."""
    room = max(width - 1, 1)
    lines, line = 1, 0.0
    for word in text.split():
        size = len(word) * 0.9
        if line and line + SPACE + size > room:
            lines, line = lines + 1, size
        else:
            line += (SPACE if line else 0) + size
    return lines


SPACE = 0.4


def resolve(report: Report, figures: Figures, structures: Structures | None = None) -> WorkbookPlan:
    """The whole workbook as plain data, or ReportError with every problem found.

    `structures`: a batch's record of the cells its entities share (builder.structure)."""
    res = _Resolver(report, figures, structures.of(figures) if structures is not None else None)
    if not res.adopted:
        _build_cells(res)
    try:
        if not res.adopted:
            apply_plugs(res)
        footing = apply_footing(res)
    except OutOfRange as exc:  # footing rounds the statement's cells: the first one out of range
        raise ReportError([exc.problem]) from None
    labels = {row.id: row.label for layout in report.layouts for row in layout.rows if row.id}
    res.data_plans = data_sheets(report, figures, labels)
    sheets = [with_charts(res, grid, _sheet(res, grid)) for grid in res.grids]
    checks, results = checks_sheet(res)
    if res.problems:
        raise ReportError(_unique(res.problems))
    sheets += [sheet for sheet in (checks, footing) if sheet is not None]
    sheets += [*res.data_plans, *([inputs_sheet(report)] if report.inputs else [])]
    names = input_names(report)
    created = dt.datetime.combine(report.date or dt.date(2000, 1, 1), dt.time())
    sheets.insert(0, contents_sheet(res, sheets, checks))
    if res.problems:  # the Contents sheet's formulas
        raise ReportError(_unique(res.problems))
    first = report.periods[0].role
    keys = []
    for rid in report.key_totals:
        ref = res.amount_ref(rid, first, report.source)
        keys.append((rid, res.value(ref) if ref is not None else None))
    res.record()
    return WorkbookPlan(
        tuple(sheets),
        names,
        report.title,
        report.company,
        report.subject,
        created,
        tuple(results),
        printed_pages(report),
        tuple(keys),
    )


def _build_cells(res: _Resolver) -> None:
    # Amounts first, then the cells derived from them (blank amounts leave them blank).
    for derived in (False, True):
        for grid in res.grids:
            for row in grid.layout.rows:
                if not ROW_KINDS[row.kind].has_cells:
                    continue
                for col in grid.layout.columns:
                    if COLUMN_KINDS[col.kind].derived is derived and (row.show is None or col.kind in row.show):
                        res.build_cell(grid, row, col)
    if res.problems:
        raise ReportError(_unique(res.problems))


def _static(made: str | Expr) -> str | None:
    """A text line as fixed text, or None where it quotes an input (it is then a formula)."""
    return made if isinstance(made, str) else None


def _unique(problems: list[Problem]) -> list[Problem]:
    return list(dict.fromkeys(problems))


def _sheet(res: _Resolver, grid: Grid) -> SheetPlan:
    layout = grid.layout
    sheet = layout.sheet
    cells: list[Cell] = []  # the titles and headers; the body is made as it is written

    def text_cell(r: int, c: int, text: str, style: Style) -> None:
        made = res.template(text)
        if isinstance(made, str):
            cells.append(Cell(r, c, made, style))
            return
        formula = res.formula(Ref(sheet, r, c), made, sheet)
        if utf16_len(formula) > MAX_FORMULA:
            message = (
                f"text that quotes an input becomes a formula of {utf16_len(formula):,} characters; "
                f"Excel allows {MAX_FORMULA:,}: shorten it or split it into several notes"
            )
            res.problems.append(Problem(layout.text_source(text), message))
        cells.append(Cell(r, c, evaluate(made, res.value, res.name_value), style, made, formula))

    for i, text in enumerate(layout.title + layout.subtitle):
        text_cell(i, 0, text, Style(bold=i < len(layout.title)))

    merges: list[Merge] = []
    for level, kind in enumerate(grid.levels):
        r = grid.header_row + level
        if kind == "group":  # one row per level of nesting, the outermost first
            shown = [c.groups[level] if level < len(c.groups) else None for c in layout.columns]
            # A run never crosses the edge of an enclosing group: a header repeated in two groups is two cells.
            same = [(c.groups[:level], text) for c, text in zip(layout.columns, shown, strict=True)]
            merges += _merges(grid, level, shown, same, GROUP_HEADER)
        elif kind == "period":
            shown = period_headers(res.report, layout.columns)
            # Two periods side by side never share one header cell, even where they print alike.
            same = [(c.groups, c.period, text) for c, text in zip(layout.columns, shown, strict=True)]
            merges += _merges(grid, level, shown, same, PERIOD_HEADER)
        else:
            for i, col in enumerate(layout.columns):
                cells.append(Cell(r, i + 1, col.header, COLUMN_HEADER))

    body = _Body(res, grid)
    widths = body.measure()
    head = tuple(sorted(cells, key=lambda c: (c.row, c.col)))
    cells = []  # now the notes, written after the body
    notes_row = grid.body_row + len(layout.rows) + 1
    note_style = Style(wrap=True)
    for i, note in enumerate(layout.notes):
        text_cell(notes_row + i, 0, note, note_style)

    for j, col in enumerate(layout.columns):
        longest_word = max((len(w) for w in col.header.split()), default=0)
        widths[j + 1] = col.width or max(widths[j + 1], longest_word + 2, 9)
    widths[0] = min(max(widths[0] + 2, 24), 80)
    # Header rows as tall as their longest wrapped header: Excel does not fit the height of a
    # row whose wrapped cell is merged, and a clipped date would misname its figures.
    header_lines = {
        grid.body_row - 1: max(_wrapped_lines(c.header, widths[k + 1]) for k, c in enumerate(layout.columns))
    }
    for m in merges:  # group and period headers (the notes' merges come later)
        width = sum(widths[m.first_col : m.last_col + 1])
        header_lines[m.first_row] = max(header_lines.get(m.first_row, 1), _wrapped_lines(m.text, width))
    header_height = tuple((r, 12.5 * n + 5) for r, n in sorted(header_lines.items()) if n > 1)
    # Notes wrap across the whole table, so they print inside the page.
    per_line = max(sum(widths) * 1.2, 40)
    for i, note in enumerate(layout.notes):
        merges.append(Merge(notes_row + i, 0, notes_row + i, len(layout.columns), "", note_style))
        lines = -(-len(note) // int(per_line))
        if lines > 1:
            header_height += ((notes_row + i, 12.5 * lines),)
    header_height += narrative.wrapped_heights(layout, grid.body_row, body.derived, widths)  # sentences wrap
    last_row = notes_row + len(layout.notes) - 1 if layout.notes else grid.body_row + len(layout.rows) - 1
    title = header_title(layout, res.report.company, lambda text: _static(res.template(text)))
    return SheetPlan(
        name=sheet,
        cells=_StatementCells(head, body, tuple(sorted(cells, key=lambda c: (c.row, c.col)))),  # type: ignore[arg-type]
        merges=tuple(merges),
        widths=tuple(widths),
        freeze=(grid.body_row, 1),
        row_heights=header_height,
        hidden_rows=tuple(grid.body_row + i for i, row in enumerate(layout.rows) if row.hidden),
        print=page_setup(
            res.report,
            title,
            (0, 0, last_row, len(layout.columns)),
            (grid.header_row, grid.body_row - 1),
            unaudited=layout.unaudited,
            rows=last_row + 1,
        ),
    )


class _Body:
    """A statement's body rows. Derived cells are evaluated once, up front (their values set
    the column widths, and a formula that cannot be computed is a problem to report before
    anything is written); typed cells are made as they are written, so a statement of a
    million typed figures is never held in memory."""

    def __init__(self, res: _Resolver, grid: Grid):
        self.res, self.grid = res, grid
        self.derived: dict[tuple[int, int], Cell] = {}
        self.styles: dict[tuple, Style] = {}

    def style(self, row: Row, j: int) -> Style:
        col = self.grid.layout.columns[j]
        key = (row.number_format, row.bold, row.rule_above, row.double_rule_below, j, row.kind_in(col))
        key += (row.cell_options,)  # a row's own format for this column: number_format: {pct: "0.0%"}
        style = self.styles.get(key)
        if style is None:
            style = self.styles[key] = _number_style(self.grid.layout, row, col)
        return style

    def measure(self) -> list[float]:
        """Evaluate every derived cell; return the widths the columns need."""
        res, grid = self.res, self.grid
        layout, sheet = grid.layout, grid.layout.sheet
        widths = [0.0] * (len(layout.columns) + 1)
        value_of = res.figures.value
        for i, row in enumerate(layout.rows):
            r = grid.body_row + i
            widths[0] = max(widths[0], len(row.label) + 2 * row.indent)
            if not ROW_KINDS[row.kind].has_cells:
                continue
            for j, col in enumerate(layout.columns):
                here = Ref(sheet, r, j + 1)
                style = self.style(row, j)
                expr = res.exprs.get(here)
                if expr is None:
                    typed = res.typed_at(here)
                    if typed is not None:
                        widths[j + 1] = max(widths[j + 1], _display_width(value_of(typed), style.num_format))
                    continue
                try:
                    value = res.value(here)
                except OutOfRange as exc:
                    res.problems.append(exc.problem)
                    continue
                except EvalError as exc:
                    period = res.report.period_name(COLUMN_KINDS[col.kind].label_period(col) or "")
                    res.problems.append(Problem(row.source, f"'{row.id}' in column '{col.id}' ({period}): {exc}"))
                    continue
                formula = res.formula(here, expr, sheet)
                if utf16_len(formula) > MAX_FORMULA:
                    res.problems.append(
                        Problem(
                            row.source,
                            f"'{row.id}' in column '{col.id}': the formula has {utf16_len(formula)} characters; "
                            f"Excel allows {MAX_FORMULA}",
                        )
                    )
                self.derived[(r, j + 1)] = Cell(r, j + 1, value, style, expr, formula)
                widths[j + 1] = max(widths[j + 1], _display_width(value, style.num_format))
        return widths

    def __iter__(self):
        res, grid = self.res, self.grid
        layout, sheet = grid.layout, grid.layout.sheet
        figures = res.figures
        for i, row in enumerate(layout.rows):
            r = grid.body_row + i
            yield Cell(r, 0, row.label, Style(bold=row.bold, indent=row.indent))
            if not ROW_KINDS[row.kind].has_cells:
                continue
            for j in range(len(layout.columns)):
                cell = self.derived.get((r, j + 1))
                if cell is None:
                    typed = res.typed_at(Ref(sheet, r, j + 1))
                    if typed is None:
                        continue
                    ref = data_ref(typed)  # typed figures live on the Data sheet, with their source line
                    source = figures.source(typed)
                    value, style = figures.value(typed), self.style(row, j)
                    cell = Cell(r, j + 1, value, style, ref, to_formula(ref, sheet), source)
                yield cell


class _StatementCells:
    """A statement's cells in row order: titles and headers, the body, the notes."""

    def __init__(self, head: tuple[Cell, ...], body: _Body, tail: tuple[Cell, ...]):
        self.head, self.body, self.tail = head, body, tail

    def __iter__(self):
        yield from self.head
        yield from self.body
        yield from self.tail
