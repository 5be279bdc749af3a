"""A1 cell references and quoted sheet names, as XlsxWriter's utility module writes them.

Importing `xlsxwriter.utility` imports the whole of XlsxWriter (its package __init__ loads
the Workbook, every chart class and the worksheet), which was half of `--help`'s and
`check`'s start-up. These give the same text (tests/test_startup.py compares them with
XlsxWriter's); only a sheet name outside the plain cases below asks XlsxWriter itself.
"""

from __future__ import annotations

import re

_COLUMNS: dict[int, str] = {}
# Names XlsxWriter leaves bare: no digit (so neither an A1 nor an R1C1 reference), ASCII word
# characters and dots, not starting with a dot.
_BARE = re.compile(r"[A-Za-z_][A-Za-z_.]*")
# An ASCII character that is neither a word character nor a dot: XlsxWriter's rule 1 quotes the
# name whatever else it holds.
_QUOTED = re.compile(r"[\x00-\x2d\x2f\x3a-\x40\x5b-\x5e\x60\x7b-\x7f]")


def column(col: int) -> str:
    """0 -> 'A', 26 -> 'AA' (zero-based, as XlsxWriter counts)."""
    name = _COLUMNS.get(col)
    if name is None:
        letters, n = "", col + 1
        while n:
            n, rest = divmod(n - 1, 26)
            letters = chr(65 + rest) + letters
        name = _COLUMNS[col] = letters
    return name


def xl_rowcol_to_cell(row: int, col: int, row_abs: bool = False, col_abs: bool = False) -> str:
    """(4, 2) -> 'C5'; with row_abs and col_abs, '$C$5' (a chart's series)."""
    if row_abs or col_abs:
        return f"{'$' if col_abs else ''}{column(col)}{'$' if row_abs else ''}{row + 1}"
    return f"{column(col)}{row + 1}"


def xl_range(first_row: int, first_col: int, last_row: int, last_col: int) -> str:
    """'C5:N9', or 'C5' when the range is one cell."""
    first = xl_rowcol_to_cell(first_row, first_col)
    last = xl_rowcol_to_cell(last_row, last_col)
    return first if first == last else f"{first}:{last}"


def quote_sheetname(name: str) -> str:
    """The sheet name as a formula refers to it: quoted when XlsxWriter would quote it."""
    if not name.startswith("'"):
        if _BARE.fullmatch(name) and name.upper() not in ("R", "C", "RC"):
            return name
        if _QUOTED.search(name):
            return "'" + name.replace("'", "''") + "'"
    from xlsxwriter.utility import quote_sheetname as xlsxwriter_quote  # digits, emoji, other scripts

    return xlsxwriter_quote(name)
