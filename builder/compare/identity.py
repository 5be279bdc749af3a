"""Which figure each statement cell holds, carried inside the workbook.

A comparison (a published baseline, `report-builder diff`) matches figures across two
builds by what they are, not where they stand: net income for 2Q04 is in the current
quarter's column of the 2Q04 release and in the prior quarter's column of the 3Q04 one.
So the builder writes, on a very hidden sheet `_figures` (before `_formulas`), one row per
statement row that has an id and one per statement column:

    A1   report-builder figure identities, version 1
    row     | sheet | row number | row id    | label           | 1 if hidden
    column  | sheet | col number | column id | header          | measure | period key | second key | period | rate

A figure is the cell where such a row meets such a column. Its identity is (row id,
measure, period keys): the measure is the column's kind with what makes it that figure
(`amount`, `convert:fx_rate`, `percent_of:total_revenues`), the keys are the period it
shows, or the two a change compares (from, to). It costs a row per line and per column,
not one per figure; the sheet is written in row order, as constant_memory needs.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import NamedTuple

from builder.kinds import COLUMN_KINDS, ROW_KINDS
from builder.resolved import grid_of
from builder.spec import Report

SHEET = "_figures"
MARK = "report-builder figure identities, version 1"


class RowId(NamedTuple):
    sheet: str
    row: int  # 0-based, as the plan counts
    id: str
    label: str
    hidden: bool = False


class ColumnId(NamedTuple):
    sheet: str
    col: int  # 0-based
    id: str
    header: str
    measure: str
    keys: tuple[str, ...]  # the period key, or (from, to) for a change
    period: str  # as messages name it: "Sept 30, 2004", "Sept 30, 2004 vs Sept 30, 2003"
    rate: float | None = None  # a conversion's rate when built: a translation at another rate is another figure


class Identities(NamedTuple):
    rows: tuple[RowId, ...]
    columns: tuple[ColumnId, ...]


Key = tuple[str, str, tuple[str, ...], int]  # row id, measure, period keys, n-th such cell (1 unless repeated)


class At(NamedTuple):
    """One figure cell: where it is and what it is."""

    key: Key
    row: RowId
    column: ColumnId


def of_report(report: Report) -> Identities:
    """The identities of every statement cell that can hold a figure (from the layouts alone)."""
    rows: list[RowId] = []
    columns: list[ColumnId] = []
    for layout in report.layouts:
        grid = grid_of(layout)
        for i, row in enumerate(layout.rows):
            if row.id and ROW_KINDS[row.kind].has_cells:
                rows.append(RowId(layout.sheet, grid.body_row + i, row.id, row.label, row.hidden))
        for j, col in enumerate(layout.columns):
            kind = COLUMN_KINDS[col.kind]
            roles = kind.periods(col)
            keys = tuple(p.key for p in (report.period(r) for r in roles) if p is not None)
            names = [report.period_name(r) for r in reversed(roles)]  # "to vs from"
            measure = col.kind + "".join(f":{v}" for v in (col.rate, col.base, col.option("of")) if v)
            rate = report.input(col.rate).value if col.rate and report.input(col.rate) else None
            columns.append(
                ColumnId(
                    layout.sheet,
                    j + 1,
                    col.id,
                    col.header,
                    measure,
                    keys,
                    " vs ".join(names),
                    rate if isinstance(rate, float) else None,
                )
            )
    return Identities(tuple(rows), tuple(columns))


def cells(ids: Identities) -> Iterator[At]:
    """Every figure cell, sheet by sheet in row and column order, with its identity."""
    by_sheet: dict[str, tuple[list[RowId], list[ColumnId]]] = {}
    for row in ids.rows:
        by_sheet.setdefault(row.sheet, ([], []))[0].append(row)
    for col in ids.columns:
        by_sheet.setdefault(col.sheet, ([], []))[1].append(col)
    seen: dict[tuple, int] = {}
    for rows, cols in by_sheet.values():
        for row in sorted(rows, key=lambda r: r.row):
            for col in sorted(cols, key=lambda c: c.col):
                base = (row.id, col.measure, col.keys)
                # Two columns of one sheet showing the same figure (a repeated JPY column) are told
                # apart by their order, the same in both builds of one layout.
                n = seen[base] = seen.get(base, 0) + 1
                yield At((*base, n), row, col)


def write(workbook, ids: Identities) -> None:
    """Add `_figures`, very hidden (Excel's UI cannot unhide it)."""
    sheet = workbook.add_worksheet(SHEET)
    sheet.very_hidden()
    sheet.write_string(0, 0, MARK)
    r = 1
    for row in ids.rows:
        for c, value in enumerate(("row", row.sheet, row.row + 1, row.id, row.label, int(row.hidden))):
            _put(sheet, r, c, value)
        r += 1
    for col in ids.columns:
        keys = (*col.keys, "", "")[:2]
        rate = "" if col.rate is None else col.rate
        values = ("column", col.sheet, col.col + 1, col.id, col.header, col.measure, *keys, col.period, rate)
        for c, value in enumerate(values):
            _put(sheet, r, c, value)
        r += 1


def _put(sheet, r: int, c: int, value) -> None:
    if value == "":
        return
    if isinstance(value, str):
        sheet.write_string(r, c, value)
    else:
        sheet.write_number(r, c, value)


def read(rows: Iterable[tuple]) -> Identities:
    """The identities back from the sheet's rows (values only); ValueError if it is damaged."""
    rows = iter(rows)
    first = next(rows, None)
    if not first or first[0] != MARK:
        raise ValueError(f"cell A1 does not say {MARK!r}")
    found_rows: list[RowId] = []
    found_cols: list[ColumnId] = []
    for number, values in enumerate(rows, 2):
        values = tuple(values) + (None,) * 10
        what = values[0]
        try:
            if what == "row":
                sheet, at, rid, label, hidden = values[1:6]
                found_rows.append(RowId(_text(sheet), _index(at), _text(rid), _text(label, ""), bool(hidden)))
            elif what == "column":
                sheet, at, cid, header, measure, key, second, period, rate = values[1:10]
                keys = tuple(_text(k) for k in (key, second) if k not in (None, ""))
                found_cols.append(
                    ColumnId(
                        _text(sheet),
                        _index(at),
                        _text(cid),
                        _text(header, ""),
                        _text(measure),
                        keys,
                        _text(period, ""),
                        None if rate in (None, "") else float(rate),
                    )
                )
            elif what is not None:
                raise ValueError(f"it starts with {what!r}, not 'row' or 'column'")
        except (TypeError, ValueError) as exc:
            raise ValueError(f"row {number} is damaged ({exc})") from None
    return Identities(tuple(found_rows), tuple(found_cols))


def _text(value, default: str | None = None) -> str:
    if value is None and default is not None:
        return default
    if isinstance(value, int | float) and not isinstance(value, bool):
        # A period key such as 2024 is written as text, but a workbook saved by hand may hold it as a number.
        return str(int(value)) if float(value).is_integer() else str(value)
    if not isinstance(value, str) or not value:
        raise ValueError(f"expected text, found {value!r}")
    return value


def _index(value) -> int:
    if not isinstance(value, int | float) or isinstance(value, bool) or not float(value).is_integer() or value < 1:
        raise ValueError(f"expected a row or column number, found {value!r}")
    return int(value) - 1
