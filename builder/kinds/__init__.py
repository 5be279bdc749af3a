"""The kinds of columns and rows a layout may use, each one object in one module.

A new kind is a class in a module of this package (see base.py for what it declares) and
one entry below; the schema, validation, resolve, footing and styles find it here.
"""

from __future__ import annotations

from builder.kinds.amount import Amount
from builder.kinds.base import ID, ROW_CELL_KEYS, ColumnKind, Derived, RowKind
from builder.kinds.change import Change
from builder.kinds.convert import Convert
from builder.kinds.difference import Difference
from builder.kinds.percent_of import PercentOf
from builder.kinds.rows import QUOTE, Formula, Heading, Line, TextLine, Total
from builder.kinds.sentence import Sentence

AMOUNT = Amount.name  # `show: [amount]` and typed figures name the one column kind that is not derived

# In this order in messages ("is not one of 'amount', 'convert', ...").
COLUMN_KINDS: dict[str, ColumnKind] = {k.name: k for k in (Amount(), Convert(), PercentOf(), Change(), Difference())}
ROW_KINDS: dict[str, RowKind] = {
    k.name: k for k in (Heading(), Line(), TextLine(), QUOTE, Total(), Formula(), Sentence())
}

__all__ = [
    "AMOUNT",
    "COLUMN_KINDS",
    "ROW_KINDS",
    "ColumnKind",
    "Derived",
    "RowKind",
    "cell_keys",
    "column_keys",
    "row_keys",
    "text_lines",
]


def text_lines(report) -> frozenset[str]:
    """The ids of a report's rows whose figures are text: the data loader takes their values verbatim."""
    return frozenset(row.id for layout in report.layouts for row in layout.rows if row.kind == TextLine.name)


def column_keys() -> dict[str, dict]:
    """Every key some column kind takes, as JSON Schema properties (kinds sharing a key agree on it)."""
    return _keys(COLUMN_KINDS.values())


def row_keys() -> dict[str, dict]:
    """Every key some row kind takes, as JSON Schema properties."""
    return _keys(ROW_KINDS.values())


def cell_keys() -> dict[str, dict]:
    """The column keys a row may give for its own cells (`row_keys` of a column kind), as JSON
    Schema properties of a row: one value for all its cells, or a mapping of column id to value."""
    keys = {**column_keys(), **ROW_CELL_KEYS}
    names = sorted({key for kind in COLUMN_KINDS.values() for key in kind.row_keys})
    per_column = {"type": "object", "minProperties": 1, "propertyNames": ID}
    return {key: {"oneOf": [keys[key], {**per_column, "additionalProperties": keys[key]}]} for key in names}


def _keys(kinds) -> dict[str, dict]:
    keys: dict[str, dict] = {}
    for kind in kinds:
        for key, schema in kind.keys.items():
            if keys.setdefault(key, schema) != schema:
                raise AssertionError(f"column kinds disagree on the key {key!r}")
    return keys
