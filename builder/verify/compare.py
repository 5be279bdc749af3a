"""Compare a workbook's stored values with a real engine's recalculation, cell by cell."""

from __future__ import annotations

import math
import tempfile
from dataclasses import dataclass
from pathlib import Path

from builder.verify import libreoffice

TOLERANCE = 1e-9  # relative; LibreOffice and Python may differ in the last bits of a quotient


@dataclass(frozen=True)
class Difference:
    sheet: str
    cell: str
    formula: str
    stored: object
    recalculated: object

    def __str__(self) -> str:
        return f"{self.sheet}!{self.cell} {self.formula}: stored {self.stored!r}, recalculated {self.recalculated!r}"


def same(a: object, b: object) -> bool:
    if a in (None, "") and b in (None, ""):
        return True
    if isinstance(a, bool) or isinstance(b, bool):
        return a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return math.isclose(a, b, rel_tol=TOLERANCE, abs_tol=TOLERANCE)
    return a == b


def formula_cells(path: Path) -> dict[tuple[str, str], tuple[str, object]]:
    """(sheet, cell) -> (formula, stored value) for every formula cell of a workbook."""
    import openpyxl

    formulas = openpyxl.load_workbook(path, data_only=False)
    values = openpyxl.load_workbook(path, data_only=True)
    out = {}
    for ws in formulas.worksheets:
        stored = values[ws.title]
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    out[(ws.title, cell.coordinate)] = (cell.value, stored[cell.coordinate].value)
    return out


def stored_vs_recalculated(path: Path, recalculated: Path) -> tuple[int, list[Difference]]:
    """How many formula cells there are, and those whose stored value differs from the engine's."""
    import openpyxl

    cells = formula_cells(path)
    engine = openpyxl.load_workbook(recalculated, data_only=True)
    diffs = []
    for (sheet, coord), (formula, stored) in sorted(cells.items()):
        again = engine[sheet][coord].value
        if not same(stored, again):
            diffs.append(Difference(sheet, coord, formula, stored, again))
    return len(cells), diffs


def verify_workbook(path: Path) -> tuple[int, list[Difference]]:
    """Recalculate `path` in LibreOffice and compare every formula cell's stored value."""
    import zipfile

    from builder.errors import Problem, ReportError, Source

    path = Path(path)
    if not zipfile.is_zipfile(path):
        raise ReportError(Problem(Source(str(path)), "not an .xlsx workbook (it is not even a zip file)"))
    with tempfile.TemporaryDirectory(prefix="verify-") as tmp:
        copies = libreoffice.recalculate([path], Path(tmp))
        return stored_vs_recalculated(path, copies[path])
