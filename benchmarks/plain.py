"""The baseline: a plain XlsxWriter script writing the same cells (formulas, stored values,
formats) that the builder writes. Usage: plain.py CELLS.json OUT_DIR [COUNT]"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import xlsxwriter


def write(cells: dict, out: Path) -> None:
    book = xlsxwriter.Workbook(str(out), {"constant_memory": True, "strings_to_formulas": False})
    formats: dict[str, object] = {}

    def fmt(props):
        key = json.dumps(props, sort_keys=True)
        if key not in formats:
            formats[key] = book.add_format(props)
        return formats[key]

    for sheet in cells["sheets"]:
        ws = book.add_worksheet(sheet["name"])
        for col, width in enumerate(sheet["widths"]):
            ws.set_column(col, col, width)
        merges = {m[0]: m for m in sheet["merges"]}
        for row, col, value, formula, props in sheet["cells"]:
            if row in merges:
                m = merges.pop(row)
                ws.merge_range(m[0], m[1], m[2], m[3], m[4], fmt(m[5]))
            if formula is not None:
                ws.write_formula(row, col, formula, fmt(props), "" if value is None else value)
            elif isinstance(value, str):
                ws.write_string(row, col, value, fmt(props))
            elif value is None:
                ws.write_blank(row, col, None, fmt(props))
            else:
                ws.write_number(row, col, value, fmt(props))
    for name, ref in cells["names"]:
        book.define_name(name, ref)
    book.close()


if __name__ == "__main__":
    data = json.loads(Path(sys.argv[1]).read_text())
    out = Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    for n in range(int(sys.argv[3]) if len(sys.argv) > 3 else 1):
        write(data, out / f"plain{n}.xlsx")
