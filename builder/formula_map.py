"""Which cells of a built workbook hold formulas, carried inside the workbook.

verify compares every formula's stored value with LibreOffice's recalculation. A formula
overwritten with a typed number is no longer a formula, so nothing in the cell says it
should be one: the builder records its formula cells while rendering and writes them on
a very hidden sheet, `_formulas`, the workbook's last. Row 1 is a marker; then one row
per sheet that has formula cells: its name, then A1 ranges separated by spaces
("C8:N20 C22:N30"), continued in the next cells so that none exceeds Excel's 32,767
characters. Adjacent columns with the same runs of rows share one range, so a statement
costs about one range per block of lines between headings, not one per cell.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from builder.a1 import xl_range

SHEET = "_formulas"
MARK = "report-builder formula map, version 1"
_CELL_TEXT = 32_767
_MAX_COLS = 16_384
_MAX_ROWS = 1_048_576
_RANGE = re.compile(r"([A-Z]{1,3})([1-9][0-9]{0,6})(?::([A-Z]{1,3})([1-9][0-9]{0,6}))?")


class SheetFormulas:
    """A sheet's formula cells as runs of rows per column, fed in row order while rendering."""

    __slots__ = ("runs",)

    def __init__(self) -> None:
        self.runs: dict[int, list[list[int]]] = {}  # column -> [[first row, last row], ...], 0-based

    def add(self, row: int, col: int) -> None:
        runs = self.runs.get(col)
        if runs is None:
            self.runs[col] = [[row, row]]
        elif runs[-1][1] == row - 1:
            runs[-1][1] = row
        elif runs[-1][1] != row:
            runs.append([row, row])

    def ranges(self) -> list[str]:
        spans: list[list] = []  # [first col, last col, runs]: neighbouring columns with equal runs
        for col in sorted(self.runs):
            runs = self.runs[col]
            if spans and spans[-1][1] == col - 1 and spans[-1][2] == runs:
                spans[-1][1] = col
            else:
                spans.append([col, col, runs])
        return [xl_range(first, c0, last, c1) for c0, c1, runs in spans for first, last in runs]


def _chunks(ranges: list[str]) -> Iterator[str]:
    """Space-separated ranges, cut between ranges so that no piece exceeds a cell's limit."""
    piece: list[str] = []
    size = 0
    for text in ranges:
        if piece and size + 1 + len(text) > _CELL_TEXT:
            yield " ".join(piece)
            piece, size = [], -1
        piece.append(text)
        size += 1 + len(text)
    if piece:
        yield " ".join(piece)


def write(workbook, recorded: dict[str, SheetFormulas]) -> None:
    """Add the map as the workbook's last sheet, very hidden (Excel's UI cannot unhide it)."""
    from builder.errors import Problem, ReportError, Source

    sheet = workbook.add_worksheet(SHEET)
    sheet.very_hidden()
    sheet.write_string(0, 0, MARK)
    row = 1
    for name, formulas in recorded.items():
        if not formulas.runs:
            continue
        pieces = list(_chunks(formulas.ranges()))
        if len(pieces) >= _MAX_COLS:  # some 500 million characters of ranges: not a real statement
            raise ReportError(Problem(Source(name), "has too many separate formula cells to record"))
        sheet.write_string(row, 0, name)
        for col, text in enumerate(pieces, 1):
            sheet.write_string(row, col, text)
        row += 1


def parse_range(text: str) -> tuple[int, int, int, int]:
    """'C8:N20' -> (first row, first col, last row, last col), 1-based; ValueError if it is none."""
    match = _RANGE.fullmatch(text)
    if not match:
        raise ValueError(f"{text!r} is not a cell range")
    c0, r0, c1, r1 = match.groups()
    first_col, first_row = _col(c0), int(r0)
    last_col, last_row = (_col(c1), int(r1)) if c1 else (first_col, first_row)
    if not (first_row <= last_row <= _MAX_ROWS and first_col <= last_col <= _MAX_COLS):
        raise ValueError(f"{text!r} is not a cell range within Excel's grid")
    return first_row, first_col, last_row, last_col


def _col(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def read(rows: Iterator[tuple]) -> dict[str, list[tuple[int, int, int, int]]]:
    """The map back from the `_formulas` sheet's rows (values only); ValueError if it is damaged."""
    first = next(rows, None)
    if not first or first[0] != MARK:
        raise ValueError(f"cell A1 does not say {MARK!r}")
    out: dict[str, list[tuple[int, int, int, int]]] = {}
    for number, row in enumerate(rows, 2):
        if not row or row[0] is None:
            continue
        name, *pieces = row
        if not isinstance(name, str) or any(p is not None and not isinstance(p, str) for p in pieces):
            raise ValueError(f"row {number} is not a sheet name followed by ranges")
        try:
            out.setdefault(name, []).extend(parse_range(t) for p in pieces if p for t in p.split())
        except ValueError as exc:
            raise ValueError(f"row {number} ({name}): {exc}") from None
    return out
