"""Every figure the release derives is a formula; only typed figures are constants."""

from __future__ import annotations

import csv

import openpyxl

from builder.example import EXAMPLE_DIR
from tests.published import APPENDICES, OTHER_TABLES


def _numbers(path):
    wb = openpyxl.load_workbook(path)
    constants, formulas = [], []
    for sheet in [*APPENDICES.values(), *OTHER_TABLES.values()]:
        for row in wb[sheet].iter_rows():
            for cell in row:
                if isinstance(cell.value, int | float):
                    constants.append(cell.value)
                elif isinstance(cell.value, str) and cell.value.startswith("="):
                    formulas.append(cell.value)
    return constants, formulas


def test_constants_are_exactly_the_typed_figures(example_workbook):
    constants, formulas = _numbers(example_workbook)
    with open(EXAMPLE_DIR / "data.csv", newline="") as handle:
        values = [r["value"] for r in csv.DictReader(handle)]
    typed = [float(v[:-1]) / 100 if v.endswith("%") else float(v) for v in values]
    assert sorted(constants) == sorted(typed)
    assert len(constants) + len(formulas) >= 585


def test_derived_figures_are_formulas_over_cells_and_inputs(example_workbook):
    wb = openpyxl.load_workbook(example_workbook)
    ops = wb["Operations"]
    by_label = {row[0].value: row for row in ops.iter_rows() if row[0].value}
    total = by_label["Total revenues"]
    assert total[2].value.startswith("=SUM(")  # JPY total
    # USD translation, rounded, plus its footing adjustment (see test_footing)
    assert total[1].value.startswith("=ROUND(C18/fx_rate,0)+Footing!")
    eps = by_label["Basic Net Income(Loss) Per Share"]
    assert "*1000/" in eps[2].value
    cash_flows = wb["Cash Flows"]
    net_income = next(r for r in cash_flows.iter_rows() if r[0].value == "Net income (loss)")
    assert net_income[2].value.startswith("=Operations!")
    assert wb.defined_names["fx_rate"].attr_text == "Inputs!$B$2"


def test_two_builds_are_byte_identical(example_workbook, tmp_path):
    from builder import build
    from tests.published import EXAMPLE

    again = build(EXAMPLE, tmp_path / "again.xlsx").path
    assert again.read_bytes() == example_workbook.read_bytes()
