"""The report specification: plain frozen data, kept apart from loading and rendering.

Row ids are resolved to cells late, in one place (builder.resolve). The records are
NamedTuples, as are the plan's (builder.plan): defining a frozen dataclass costs about a
millisecond at import, a NamedTuple a tenth of that, and every command pays it.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from builder.errors import Source
from builder.expr import Expr


class Period(NamedTuple):
    role: str  # what layouts call it: current, prior_year, ...
    key: str  # what the data file calls it: 2Q04
    label: str  # what headers print: Sept 30, 2004
    source: Source
    sum_of: tuple[str, ...] = ()  # a derived period: first half = first quarter + second quarter


class Input(NamedTuple):
    name: str
    value: float | str
    label: str
    number_format: str | None
    source: Source


class Column(NamedTuple):
    id: str
    kind: str  # a name of builder.kinds.COLUMN_KINDS, which says what it means
    header: str
    period: str | None  # the period role of columns that read one period (amount, convert, percent_of)
    groups: tuple[str, ...] = ()  # the headers of the groups around it, outermost first
    period_header: str | None = None  # printed over the period's columns instead of its label
    in_period_block: bool = False  # defined inside a `period:` block, which prints a header row
    # Keys some kinds share (builder/kinds says which kind takes which); others go in `options`.
    rate: str | None = None  # convert: the input that divides
    base: str | None = None  # percent_of: the row that is 100%
    change_from: str | None = None  # change and difference: the periods compared (`from:` and `to:`)
    change_to: str | None = None
    negative_base: str = "signed"  # change: signed | abs | n.m.
    zero_base: str = "n.m."  # percent_of and change: what a zero base shows
    number_format: str | None = None
    width: float | None = None
    rounding: str = "plain"  # plain | foot (footing-aware largest remainder, builder.footing)
    source: Source | None = None
    options: tuple[tuple[str, object], ...] = ()  # a kind's own keys that are not fields above
    # `header` and `period_header` as written where they quote a period ("{current.key}"): the
    # quoted text is filled in from report.yaml's periods, so a header follows a roll.
    written_headers: tuple[str | None, str | None] | None = None

    def option(self, key: str, default: object = None) -> object:
        return dict(self.options).get(key, default)


class Row(NamedTuple):
    id: str | None
    label: str
    kind: str  # a name of builder.kinds.ROW_KINDS: heading | input | total | formula
    source: Source
    terms: tuple[tuple[int, str], ...] = ()  # total: (sign, row id)
    formula: Expr | None = None  # formula: over RowRefs and input Names
    indent: int = 0
    bold: bool = False
    rule_above: bool = False
    double_rule_below: bool = False
    show: tuple[str, ...] | None = None  # column kinds this row fills; None = all
    number_format: str | None = None
    missing: str = "error"  # error | blank: an input row may lack a figure for some periods
    percent_base: str | None = None
    input_periods: tuple[str, ...] = ()  # periods whose figure is typed although the row is a formula
    plug: bool = False  # shows its total's rounding difference, so the displayed column foots
    hidden: bool = False  # a memo row: in the workbook for formulas to use, hidden and not printed
    column_kinds: tuple[tuple[str, str], ...] = ()  # (column id, kind): this row's cell in it is of that kind
    # A column kind's key given by the row for its own cells (`basis: displayed`, or
    # `basis: {yoy: displayed}`): (key, column id or None for every column, value).
    cell_options: tuple[tuple[str, str | None, object], ...] = ()
    text: str | None = None  # a row of text quoting figures: "${low:0.00} - ${high:0.00} Billion"

    def kind_in(self, col: Column) -> str:
        """The kind of this row's cell in `col`: the column's, unless the row says otherwise."""
        for col_id, kind in self.column_kinds:
            if col_id == col.id:
                return kind
        return col.kind

    def cell_option(self, key: str, col_id: str) -> object:
        """The row's own `key` for its cell in column `col_id` (None: the column's holds)."""
        found = None
        for name, target, value in self.cell_options:
            if name == key and target == col_id:
                return value
            if name == key and target is None:
                found = value
        return found


class Check(NamedTuple):
    """Two expressions that must agree within a tolerance, in each of some periods."""

    name: str
    left: Expr
    right: Expr
    tolerance: float
    periods: tuple[str, ...] | None  # None: every period the statement has amounts for
    source: Source


class Adjustment(NamedTuple):
    """A rounding unit a publisher placed by judgement: `row`'s shown figure in footed column
    `column` is its own rounding plus `units` (builder.footing places the rest by rule)."""

    row: str
    column: str
    units: float
    note: str
    source: Source


class Layout(NamedTuple):
    sheet: str
    title: tuple[str, ...]
    subtitle: tuple[str, ...]
    number_format: str
    percent_format: str
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    notes: tuple[str, ...]
    source: Source
    checks: tuple[Check, ...] = ()
    scale: float = 1.0  # units relative to the data's (0.001: thousands shown as millions)
    unaudited: bool = False  # the printed page header says "Unaudited"
    page_header: str = "all"  # title lines the page header prints: "all" or "first"
    sheet_source: Source | None = None
    text_sources: tuple[tuple[str, Source], ...] = ()  # title, subtitle and note lines
    adjustments: tuple[Adjustment, ...] = ()  # `adjust:` declared rounding placements
    charts: tuple = ()  # builder.charts.spec.Chart: charts drawn from this statement's rows

    def text_source(self, text: str) -> Source:
        return next((src for t, src in self.text_sources if t == text), self.source)


class Recast(NamedTuple):
    """A figure that differs from the published workbook on purpose: a row in one period, with a note."""

    line: str  # row id
    period: str  # period key
    note: str
    source: Source


class Report(NamedTuple):
    title: str
    company: str
    date: dt.date | None
    periods: tuple[Period, ...]
    inputs: tuple[Input, ...]
    layouts: tuple[Layout, ...]
    data_path: str
    source: Source
    subject: str = "Financial statements"
    key_totals: tuple[str, ...] = ()  # rows a batch index lists for each entity
    formats: tuple = ()  # named formats rows of text quote figures in (builder.narrative.NamedFormat)
    published: tuple[tuple[str, Source], ...] = ()  # earlier quarters' workbooks (path, where it is named)
    recast: tuple[Recast, ...] = ()
    reviewer_conventions: bool = True  # colours, protection, source links (builder.reviewer)

    def period(self, role: str) -> Period | None:
        return _lookup(self, "periods", "role").get(role)

    def input(self, name: str) -> Input | None:
        return _lookup(self, "inputs", "name").get(name)

    def period_name(self, role: str) -> str:
        """A period as messages and helper sheets name it: its label, with its key when
        another period has the same label (three months and year to date ending the same day)."""
        period = self.period(role)
        if period is None:
            return role
        twins = sum(p.label == period.label for p in self.periods)
        return f"{period.label} ({period.key})" if twins > 1 else period.label


_LOOKUPS: dict[tuple[int, str], dict] = {}


def _lookup(report: Report, field: str, key: str) -> dict:
    """A by-key index of report.periods or report.inputs, built once per report (they are hot paths)."""
    cache_key = (id(report), field)
    index = _LOOKUPS.get(cache_key)
    if index is None or index.get("__report__") is not report:
        index = {getattr(item, key): item for item in getattr(report, field)}
        index["__report__"] = report
        _LOOKUPS[cache_key] = index
    return index


class Figure(NamedTuple):
    """One typed-in figure of the data file: a number, or the text of a text line ("N/A")."""

    line: str
    period: str  # the period key
    value: float | str
    source: Source
    entity: str | None = None  # whose figure, in a batch
