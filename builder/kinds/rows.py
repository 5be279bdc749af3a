"""The row kinds: a heading, a typed line, a total of other rows, a formula over rows and inputs."""

from __future__ import annotations

import string
from typing import Any

from builder.errors import Problem, Source
from builder.expr import Expr, ParseError, RowRef, Str, parse_row_formula, signed_sum, walk
from builder.kinds.base import Cells, RowKind
from builder.spec import Column, Layout, Row


class Heading(RowKind):
    """A label over the lines below it: no id, no cells."""

    name = "heading"
    key = "heading"
    keys = {"heading": {"type": "string"}}
    has_cells = False
    computed = False

    def typed(self, row: Row, role: str) -> bool:
        return False


class Line(RowKind):
    """A line whose figures are typed in the data file (called 'input' in messages and the spec)."""

    name = "input"
    computed = False

    def typed(self, row: Row, role: str) -> bool:
        return True

    def amount(self, cells: Cells, row: Row, col: Column, layout: Layout) -> Expr | None:
        # Typed in every period but a `sum_of` one, which adds up the typed parts.
        return cells.parts_sum(row.id, col.period)


class TextLine(Line):
    """A line whose figures are text typed in the data file ("N/A", "~11%", "$8.70 - $8.72 Billion"),
    taken verbatim. `text: true` says so, so that a typo on a number line (15O) is still refused
    rather than taken as text. It fills only amount columns, and no formula may use it."""

    name = "text"
    key = "text"
    keys = {"text": {"oneOf": [{"const": True}, {"type": "string", "minLength": 1}]}}
    default_show = ("amount",)

    def variant(self, item: Any) -> RowKind:
        return self if item["text"] is True else QUOTE

    def amount(self, cells: Cells, row: Row, col: Column, layout: Layout) -> Expr | None:
        return None  # text has no sum over periods


class Quote(RowKind):
    """A row of text made from figures, live: `text: "${low:0.00} - ${high:0.00} Billion"` writes
    ="$"&TEXT(low,"0.00")&" - $"&TEXT(high,"0.00")&" Billion" in each amount column, quoting
    the rows' figures of that column's period. The quoting is the resolver's `template`, which
    titles and notes use too: one mechanism."""

    name = "quote"
    default_show = ("amount",)

    def fields(self, item: Any, where: Source, problems: list[Problem]) -> dict | None:
        return {"text": item["text"]}

    def refs(self, row: Row) -> list[str]:
        try:
            return [field for _, field, _, _ in string.Formatter().parse(row.text or "") if field]
        except ValueError:  # a stray brace: validate.templates reports it
            return []

    def amount(self, cells: Cells, row: Row, col: Column, layout: Layout) -> Expr | None:
        if col.period in row.input_periods:
            return None
        made = cells.template(row.text or "", col.period, row.source)
        return Str(made) if isinstance(made, str) else made


QUOTE = Quote()


class Total(RowKind):
    """A signed sum of other rows (`-id` subtracts), in the units of its own sheet."""

    name = "total"
    key = "total"
    keys = {
        "total": {
            "type": "array",
            "minItems": 1,
            "items": {"type": "string", "pattern": r"^[-+]?\s*[A-Za-z_][A-Za-z0-9_]*$"},
        }
    }

    def fields(self, item: Any, where: Source, problems: list[Problem]) -> dict | None:
        terms = tuple((-1 if t.strip().startswith("-") else 1, t.strip().lstrip("+-").strip()) for t in item["total"])
        return {"terms": terms}

    def refs(self, row: Row) -> list[str]:
        return [rid for _, rid in row.terms]

    def amount(self, cells: Cells, row: Row, col: Column, layout: Layout) -> Expr | None:
        if col.period in row.input_periods:
            return None  # typed in this period
        terms = []
        for sign, rid in row.terms:
            ref = cells.amount_ref(rid, col.period, row.source)
            if ref is not None:
                terms.append((sign, cells.scaled(ref, cells.layout_of(rid), layout)))
        return signed_sum(terms) if len(terms) == len(row.terms) else None


class Formula(RowKind):
    """A formula over row ids and inputs (`row[period]`, `row.column`), typed in `input_periods`."""

    name = "formula"
    key = "formula"
    keys = {"formula": {"type": "string"}}

    def fields(self, item: Any, where: Source, problems: list[Problem]) -> dict | None:
        # Imported here: importing the builder.load package at import time would rebind
        # `builder.load`, the API's function, to the package (Python sets a parent's attribute).
        from builder.load.yamlsrc import source_at

        try:
            return {"formula": parse_row_formula(item["formula"])}
        except ParseError as exc:
            problems.append(Problem(source_at(item, ["formula"]), str(exc)))
            return None

    def refs(self, row: Row) -> list[str]:
        return [n.row_id for n in walk(row.formula) if isinstance(n, RowRef)]

    def amount(self, cells: Cells, row: Row, col: Column, layout: Layout) -> Expr | None:
        if col.period in row.input_periods:
            return None
        return cells.bind(row.formula, col.period, row.source, layout)
