"""What a kind is: the interface every column kind and row kind implements.

A kind is one object that declares its name, the keys it takes (its schema fragment), the
references it makes, and how it builds a cell. The schema, validation, resolve, footing
and styles ask the kind; none of them tests a kind's name.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from builder.errors import Problem, Source
from builder.expr import Call, Expr, Num, Ref

if TYPE_CHECKING:
    from builder.spec import Column, Layout, Report, Row

# `basis: displayed` computes a change or a percentage from its operands as their cells show
# them (EPS to 2 decimals, a margin to 0.1%), and rounds the result to what its own cell shows.
# A row id, a column id or a period role, as every key naming one is checked.
ID = {"type": "string", "pattern": r"^[A-Za-z_][A-Za-z0-9_]*$"}
BASIS = {"enum": ["exact", "displayed"]}
# Why a footed column cannot take it: its figures would be rounded twice, and figures as shown
# need not add up to their total as shown, so the footing could not hand out the difference.
NOT_FOOTED = "footing rounds exact figures so that they add up, and figures as shown need not"
# Keys a row may give for its cells whatever the column's kind, beside the kinds' own keys:
# `number_format: {pct: "0.0%"}` formats the row's cell in column pct, and `rounding: plain`
# (or `{pct: plain}`) keeps its figure in a footed column at its own rounding (builder.footing).
ROW_CELL_KEYS = {
    "number_format": {"type": "string", "minLength": 1, "maxLength": 255},
    "rounding": {"enum": ["plain"]},
}


class Derived(NamedTuple):
    """A cell as data: its exact value, and what it shows instead when `guard` holds (a zero
    or negative base). Footing rounds `value` and keeps the guard, without parsing formulas."""

    value: Expr
    guard: Expr | None = None
    instead: Expr | None = None

    def expr(self) -> Expr:
        """The cell's formula: IF(guard, instead, value), or the value alone."""
        if self.guard is None:
            return self.value
        return Call("IF", (self.guard, self.instead, self.value))


class Cells(Protocol):
    """What a kind may ask of the resolver while it builds a cell."""

    def amount_ref(self, row_id: str, role: str, where: Source) -> Ref | None:
        """The statement cell of a row's amount in a period (a problem is noted if there is none)."""
        ...

    def parts_sum(self, row_id: str, role: str) -> Expr | None:
        """A typed line's amount in a `sum_of` period, the sum of its parts (None if `role` is not one)."""
        ...

    def is_blank(self, ref: Ref | None) -> bool:
        """Whether a cell is empty (a line that is blank in some periods)."""
        ...

    def bind(self, expr: Expr, role: str, where: Source, layout: Layout | None = None) -> Expr | None:
        """A row formula as a cell formula in one period."""
        ...

    def layout_of(self, row_id: str) -> Layout:
        """The layout that defines a row."""
        ...

    def scaled(self, expr: Expr, source: Layout, target: Layout) -> Expr:
        """A figure of `source` in the units of `target`."""
        ...

    def displayed(self, ref: Ref) -> Expr:
        """A statement cell's figure as its number format shows it: ROUND(ref, its decimals)."""
        ...

    def cell_format(self, row: Row, col: Column) -> str:
        """The number format of the row's cell in `col`."""
        ...

    def template(self, text: str, role: str | None = None, where: Source | None = None) -> Expr | str | None:
        """Text quoting the company, periods, inputs and (in period `role`) rows' figures: a
        formula of text pieces and TEXT() where it quotes a live figure, else fixed text."""
        ...


class ColumnKind:
    """A kind of column. Subclasses set the class attributes and override what differs."""

    name: str = ""
    # The keys this kind takes beyond every column's own (id, kind, header, period, number_format,
    # width, rounding), as JSON Schema properties: the schema's column is the union of them all.
    keys: dict[str, dict] = {}
    needs: tuple[str, ...] = ()  # keys a column of this kind must give
    derived: bool = True  # built from its row's amount cells, which are made first
    foots: bool = False  # `rounding: foot` applies (a layout's rounding reaches it)
    percent: bool = False  # shown in the layout's percent format, ignoring a row's own format
    needs_period: bool = False  # reads the amount column of its own period
    # Keys a row may also give, for its own cells in columns of this kind (`basis: displayed`).
    row_keys: tuple[str, ...] = ("number_format",)

    def periods(self, col: Column) -> tuple[str, ...]:
        """The period roles this column reads."""
        return (col.period,) if col.period else ()

    def own_periods(self, col: Column) -> tuple[str, ...]:
        """The periods whose amount columns it reads on its own sheet (a percent-only column: none)."""
        return self.periods(col)

    def base_rows(self, col: Column) -> tuple[str, ...]:
        """Rows other than its own whose amounts it reads, in the column's period."""
        return ()

    def label_period(self, col: Column) -> str | None:
        """The period a message names for one of its cells."""
        return col.period

    def problems(self, col: Column, report: Report, rows: dict[str, Any]) -> Iterator[Problem]:
        """What is wrong with a column of this kind beyond its shape (names it refers to)."""
        return iter(())

    def cell(self, cells: Cells, row: Row, col: Column) -> Derived | None:
        """The row's cell in this column, or None for a blank (or typed) cell."""
        raise NotImplementedError

    def column_format(self, layout: Layout, col: Column) -> str:
        """The format a column shows when a row does not say otherwise."""
        return col.number_format or (layout.percent_format if self.percent else layout.number_format)

    def number_format(self, layout: Layout, row: Row, col: Column) -> str:
        """The format of the row's cell in this column."""
        own = row_format(row, col)
        if own is not None:
            return own
        if self.percent:
            return self.column_format(layout, col)
        return row.number_format or self.column_format(layout, col)

    def basis(self, row: Row, col: Column) -> str:
        """`exact` or `displayed`: the row's own `basis` for this column, else the column's."""
        return str(row.cell_option("basis", col.id) or col.option("basis", "exact"))

    def operands(self, cells: Cells, row: Row, col: Column, *refs: Ref) -> tuple[Expr, ...]:
        """The cells a derived cell computes from, as their cells show them on a displayed basis."""
        if self.basis(row, col) != "displayed":
            return refs
        return tuple(cells.displayed(ref) for ref in refs)

    def result(self, cells: Cells, row: Row, col: Column, cell: Derived) -> Derived:
        """On a displayed basis, the value rounded to the decimals its own cell shows, so that a
        result on a display half (1.025 is 1.02499... in binary) shows the same in every engine.
        (Validation refuses a displayed basis in a footed column: footing needs exact remainders.)"""
        if self.basis(row, col) != "displayed":
            return cell
        return cell._replace(value=round_as_shown(cell.value, cells.cell_format(row, col)))


def row_format(row: Row, col: Column) -> str | None:
    """The row's own format for its cell in `col` (`number_format: {pct: "0.0%"}`), if it gives one.
    A single `number_format` keeps its old meaning (amount and USD cells), so only a mapping counts."""
    for name, target, value in row.cell_options:
        if name == "number_format" and target == col.id:
            return str(value)
    return None


def round_as_shown(expr: Expr, number_format: str) -> Expr:
    """ROUND(expr, d), d the decimals the format shows; the expression alone if it shows no fixed number."""
    d = shown_decimals(number_format)
    return expr if d is None else Call("ROUND", (expr, Num(float(d))))


def shown_decimals(number_format: str) -> int | None:
    """The decimals of a cell's value that its format shows, as Excel reads the format's first
    section: 0.00 shows 2, 0.0% shows 3 (of the fraction), #,##0, shows -3 (thousands), and
    quoted text, [colours], escaped characters and fill characters show none. None for a format
    without a fixed number of decimals: General, scientific, fractions, dates, text."""
    plain = []
    chars = iter(number_format)
    for ch in chars:
        if ch == ";":
            break  # the first section: the one a positive value shows
        if ch == '"':
            for ch in chars:
                if ch == '"':
                    break
        elif ch == "[":
            for ch in chars:
                if ch == "]":
                    break
        elif ch in "\\_*":
            next(chars, None)  # an escaped character, or the one whose width or fill it takes
        else:
            plain.append(ch)
    section = "".join(plain)
    if "general" in section.lower() or any(ch in section for ch in "eE/@yYmMdDhHsS"):
        return None
    digits = [i for i, ch in enumerate(section) if ch in "0#?"]
    if not digits:
        return None  # shows no figure at all ("--")
    point = section.find(".")
    places = sum(1 for i in digits if point != -1 and i > point)
    # Commas right after the last digit placeholder scale by a thousand each (#,##0, shows thousands).
    after = section[digits[-1] + 1 :]
    scaling = len(after) - len(after.lstrip(","))
    return places + 2 * section.count("%") - 3 * scaling


class RowKind:
    """A kind of row. Subclasses set the class attributes and override what differs."""

    name: str = ""
    key: str | None = None  # the key whose presence makes a row this kind (`total:`, `formula:`)
    keys: dict[str, dict] = {}  # the keys it takes beyond every row's own, as JSON Schema properties
    has_cells: bool = True  # a heading has none
    computed: bool = True  # its amounts are computed by the layout (a data file may not give them)
    default_show: tuple[str, ...] | None = None  # the column kinds it fills when the row does not say
    wraps: bool = False  # its cells wrap their text (a sentence of narrative)

    def variant(self, item: Any) -> RowKind:
        """The kind a row with this kind's key is (`text: true` types text, `text: "..."` quotes figures)."""
        return self

    def fields(self, item: Any, where: Source, problems: list[Problem]) -> dict | None:
        """The Row fields of this kind read from a layout's row (None, with a problem, if unreadable)."""
        return {}

    def refs(self, row: Row) -> list[str]:
        """The row ids this row's amounts refer to."""
        return []

    def typed(self, row: Row, role: str) -> bool:
        """Whether the row's amount in period `role` is a figure typed in the data file
        (never asked of a `sum_of` period, which is always computed)."""
        return role in row.input_periods

    def amount(self, cells: Cells, row: Row, col: Column, layout: Layout) -> Expr | None:
        """The row's amount cell in `col` (None: typed, or blank)."""
        return None
