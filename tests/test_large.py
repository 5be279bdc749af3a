"""A long statement (the benchmark's ledger, at 1,000 lines): totals are live ranges,
typed cells point at their own Data row, and LibreOffice recalculates what is stored.

Its memory is measured at 100,000 lines in benchmarks/run.py, not here.
"""

from __future__ import annotations

import csv
import importlib.util
from pathlib import Path

import openpyxl
import pytest

from builder import build
from builder.verify import libreoffice
from builder.verify.compare import stored_vs_recalculated

LINES = 1_000
GENERATOR = Path(__file__).resolve().parent.parent / "benchmarks" / "large.py"


@pytest.fixture(scope="module")
def ledger(tmp_path_factory):
    spec = importlib.util.spec_from_file_location("large", GENERATOR)
    large = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(large)
    folder = tmp_path_factory.mktemp("ledger")
    report = large.make(folder, LINES)
    with open(folder / "data.csv", newline="") as handle:
        typed = {(r["line"], r["period"]): float(r["value"]) for r in csv.DictReader(handle)}
    return build(report, folder / "ledger.xlsx").path, typed, large.MONTHS


def test_totals_are_ranges_and_typed_cells_point_at_their_data_row(ledger):
    path, typed, months = ledger
    book = openpyxl.load_workbook(path)
    stored = openpyxl.load_workbook(path, data_only=True)
    sheet, values = book["Ledger"], stored["Ledger"]
    data = {row[0].row: (row[0].value, row[2].value, row[3].value) for row in book["Data"].iter_rows(min_row=2)}
    assert len(data) == len(typed) == LINES * len(months)
    header = next(r for r in range(1, 10) if sheet.cell(r, 2).value == months[0])
    grand = 0.0
    for g in range(LINES // 100):
        first = header + 1 + g * 101  # 100 lines, then their subtotal
        for c, month in enumerate(months, start=2):
            for r in range(first, first + 100):
                line = f"l{g * 100 + r - first}"
                target = sheet.cell(r, c).value
                assert target.startswith("=Data!D")
                assert data[int(target[7:])] == (line, month, typed[(line, month)])
                assert values.cell(r, c).value == typed[(line, month)]
            column = sheet.cell(first, c).column_letter
            assert sheet.cell(first + 100, c).value == f"=SUM({column}{first}:{column}{first + 99})"
            subtotal = sum(typed[(f"l{g * 100 + k}", month)] for k in range(100))
            assert values.cell(first + 100, c).value == subtotal
            if c == 2:
                grand += subtotal
    last = header + 1 + (LINES // 100) * 101
    assert sheet.cell(last, 1).value == "Total"
    assert values.cell(last, 2).value == grand


def test_libreoffice_recalculates_what_is_stored(ledger, tmp_path):
    path = ledger[0]
    recalculated = libreoffice.recalculate([path], tmp_path)[path]
    checked, differences = stored_vs_recalculated(path, recalculated)
    assert checked > LINES * 12
    assert differences == []
