"""Every figure the release derives is a formula; only typed figures are constants."""

from __future__ import annotations

import csv
from decimal import Decimal

import openpyxl

from builder.example import EXAMPLE_DIR
from tests.published import APPENDICES, OTHER_TABLES


def test_statements_hold_no_constants_and_typed_figures_live_on_the_data_sheet(example_workbook):
    wb = openpyxl.load_workbook(example_workbook)
    for sheet in [*APPENDICES.values(), *OTHER_TABLES.values()]:
        constants = [c.coordinate for row in wb[sheet].iter_rows() for c in row if isinstance(c.value, int | float)]
        assert constants == [], sheet
    data = wb["Data"]
    with open(EXAMPLE_DIR / "data.csv", newline="") as handle:
        values = [r["value"] for r in csv.DictReader(handle)]
    # As Excel holds a typed figure: 86.9% is the double nearest 0.869.
    typed = [float(Decimal(v[:-1]) / 100) if v.endswith("%") else float(v) for v in values]
    assert [row[3] for row in data.iter_rows(min_row=2, values_only=True)] == typed
    # Each Data row names the file and line the figure came from.
    sources = [row[4] for row in data.iter_rows(min_row=2, values_only=True)]
    assert sources == [f"data.csv:{n}" for n in range(2, len(typed) + 2)]


def test_a_statement_figure_leads_to_its_source_line(example_workbook):
    wb = openpyxl.load_workbook(example_workbook)
    ops = wb["Operations"]
    dedicated = next(r for r in ops.iter_rows() if r[0].value == "Dedicated access services")
    formula = dedicated[2].value  # JPY, Sept 30, 2004: 2,832,355
    assert formula.startswith("=Data!D")
    row = wb["Data"][formula.removeprefix("=Data!D")]
    assert [c.value for c in row] == ["dedicated_access", "Dedicated access services", "2Q04", 2832355, "data.csv:2"]


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
