"""The baseline: the fastest honest plain XlsxWriter script writing what the builder writes.

    python benchmarks/plain.py CELLS.pickle OUT_DIR [COUNT [CELLS2.pickle ...]]

The cells (formulas with their stored values, numbers, text, blanks, merges, sheet settings)
come from benchmarks/dump.py, made outside the timed region; loading the pickle is the
script's only input step. Formats are created once and taken by index; XlsxWriter's
per-formula scan for Excel 365 functions is switched off as the builder switches it off;
the workbook options (constant_memory or shared strings) are the builder's. COUNT
workbooks are written, the i-th from the (i mod n)-th pickle (batch: entities' variants).
"""

from __future__ import annotations

import pickle
import sys
from pathlib import Path

import xlsxwriter
import xlsxwriter.worksheet


class NoScan(xlsxwriter.worksheet.Worksheet):
    """Without XlsxWriter's future-function scan, as the builder's worksheets (builder/render.py)."""

    def _prepare_formula(self, formula, expand_future_functions=False):
        if expand_future_functions:
            return super()._prepare_formula(formula, expand_future_functions)
        return formula[1:] if formula.startswith("=") else formula


def _formats(value, formats, charts=()):
    if isinstance(value, tuple) and len(value) == 2 and value[0] in ("format", "chart"):
        return formats[value[1]] if value[0] == "format" else charts[value[1]]
    if isinstance(value, dict):
        return {k: _formats(v, formats, charts) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_formats(v, formats, charts) for v in value)
    return value


def write(dump: dict, out: Path) -> None:
    book = xlsxwriter.Workbook(str(out), dump["options"])
    formats = [book.add_format(props) for props in dump["formats"]]
    formats.append(None)  # index -1: no format
    book_calls = list(dump["book"])
    if book_calls and book_calls[0][0] == "set_properties":
        name, args, kwargs = book_calls.pop(0)
        book.set_properties(*args, **kwargs)
    charts = []  # in the order the builder made them
    for sheet in dump["sheets"]:
        ws = book.add_worksheet(sheet["name"], worksheet_class=NoScan if sheet["class"] == "builder" else None)
        number, string, formula, blank = ws.write_number, ws.write_string, ws.write_formula, ws.write_blank
        for op, row, col, data, fmt, value in sheet["cells"]:
            if op == 2:
                formula(row, col, data, formats[fmt], value)
            elif op == 0:
                number(row, col, data, formats[fmt])
            elif op == 1:
                string(row, col, data, formats[fmt])
            elif op == 3:
                blank(row, col, data, formats[fmt])
            elif op == -2:  # a chart made while this sheet is written: row, col, data are (method, args, kwargs)
                charts.append(book.add_chart(*_formats(col, formats), **_formats(data, formats)))
            elif op == -3:  # a call on chart number `fmt`
                getattr(charts[fmt], row)(*_formats(col, formats, charts), **_formats(data, formats, charts))
            elif op == -4:  # a link on a formula cell, its string not written, as the builder writes it
                ws.ignore_write_string = True
                ws.write_url(*_formats(col, formats), **_formats(data, formats))
                ws.ignore_write_string = False
            else:  # merges, rows, columns, print settings, charts placed: row, col, data are (method, args, kwargs)
                getattr(ws, row)(*_formats(col, formats, charts), **_formats(data, formats, charts))
    for name, args, kwargs in book_calls:
        getattr(book, name)(*args, **kwargs)
    book.close()


if __name__ == "__main__":
    dumps = []
    for path in [sys.argv[1], *sys.argv[4:]]:
        with open(path, "rb") as handle:
            dumps.append(pickle.load(handle))
    out = Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    for n in range(int(sys.argv[3]) if len(sys.argv) > 3 else 1):
        write(dumps[n % len(dumps)], out / f"plain{n}.xlsx")
