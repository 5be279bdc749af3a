"""Typed numbers and the numbers computed from them: only what Excel holds, as typed.

Every refusal runs the real CLI: exit 2, the file:line to fix, no traceback, and the
output folder exactly as it was (no workbook, no temporary file).
"""

from __future__ import annotations

import math

import numpy as np
import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

import builder
from builder.cli import main
from builder.errors import ReportError
from tests.conftest import edit


def build(report, out):
    folder = out.parent
    before = sorted(p.name for p in folder.iterdir())
    result = CliRunner().invoke(main, ["build", str(report), "--out", str(out)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result, before, sorted(p.name for p in folder.iterdir())


def refused(report, *expected: str) -> str:
    out = report.parent / "out" / "report.xlsx"
    out.parent.mkdir()
    result, before, after = build(report, out)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert after == before == [], after  # nothing written, nothing left behind
    for text in expected:
        assert text in result.output, (text, result.output)
    return result.output


def built(report):
    out = report.parent / "out.xlsx"
    result, _, _ = build(report, out)
    assert result.exit_code == 0, result.output
    return out


def data_values(path) -> dict[tuple[str, str], float]:
    sheet = openpyxl.load_workbook(path)["Data"]
    return {(line, period): value for line, _, period, value, _ in sheet.iter_rows(min_row=2, values_only=True)}


# ------------------------------------------------------------------ fault 1: non-finite results


def test_a_total_beyond_excels_range_names_its_row_and_figures(mini):
    data = mini.parent / "data.csv"
    edit(data, "product,2024,120", "product,2024,9e307")
    edit(data, "service,2024,80", "service,2024,9e307")
    refused(
        mini,
        "layout.yaml:17:",
        "'revenue' in column 'jpy'",
        "Income!C9",
        "beyond Excel's largest number",
        "data.csv:2 = 9e+307",
        "data.csv:4 = 9e+307",
    )


def test_a_typed_figure_beyond_excels_range(mini):
    edit(mini.parent / "data.csv", "product,2024,120", "product,2024,1e308")
    refused(mini, "data.csv:2:", "'1e308' is beyond Excel's largest number, 9.99999999999999E+307")


def test_a_subnormal_fx_rate_is_refused(mini):
    edit(mini, "150.0", "1.0e-320")
    refused(mini, "report.yaml:7:", "input 'fx'", "smaller than Excel's smallest number")


def test_an_fx_rate_of_400_digits_is_refused_not_a_traceback(mini):
    edit(mini, "150.0", "1" + "0" * 400)
    refused(mini, "report.yaml:7:", "input 'fx'", "beyond Excel's largest number")


def test_an_fx_rate_of_17_digits_is_refused(mini):
    edit(mini, "150.0", "150.00000000000003")
    refused(mini, "report.yaml:7:", "17 significant digits")


def test_a_subnormal_scale_or_tolerance_is_refused(mini):
    layout = mini.parent / "layout.yaml"
    layout.write_text(
        layout.read_text()
        + "scale: 1.0e-320\nchecks:\n  - {name: tiny, left: revenue, right: revenue, tolerance: 1.0e-320}\n"
    )
    out = refused(mini, "layout.yaml:1:", "sheet 'Income': scale: 1e-320", "layout.yaml:23:", "check 'tiny': tolerance")
    assert out.count("smaller than Excel's smallest number") == 2


def test_a_conversion_beyond_excels_range_names_the_figure_and_the_rate(mini):
    edit(mini, "150.0", "0.5")
    edit(mini.parent / "data.csv", "product,2024,120", "product,2024,9.9e307")
    refused(mini, "layout.yaml:15:", "'product' in column 'usd'", "data.csv:2", "report.yaml:7:3 (input fx)")


def test_a_row_formula_beyond_excels_range(mini):
    edit(
        mini.parent / "layout.yaml",
        "{id: cost, label: Cost}",
        '{id: cost, label: Cost}\n  - {id: big, label: Big, formula: "revenue * 1e306"}',
    )
    refused(mini, "layout.yaml:19:", "'big' in column 'jpy'", "data.csv:2", "data.csv:4")


@pytest.mark.parametrize("number", ["1e400", "1e-400", "12345678901234567"])
def test_a_formula_constant_excel_cannot_hold(mini, number):
    edit(
        mini.parent / "layout.yaml",
        "{id: cost, label: Cost}",
        f'{{id: cost, label: Cost}}\n  - {{id: big, label: Big, formula: "revenue * {number}"}}',
    )
    refused(mini, "layout.yaml:19:", number)


def test_a_change_beyond_excels_range(mini):
    data = mini.parent / "data.csv"
    edit(data, "product,2023,100", "product,2023,1e-300")
    edit(data, "service,2023,50", "service,2023,0")
    edit(data, "product,2024,120", "product,2024,1e10")
    refused(mini, "'product' in column 'chg'", "data.csv:3", "data.csv:2")


def test_a_percentage_beyond_excels_range(mini):
    data = mini.parent / "data.csv"
    edit(data, "product,2024,120", "product,2024,1e-300")
    edit(data, "service,2024,80", "service,2024,0")
    edit(data, "cost,2024,150", "cost,2024,1e10")
    refused(mini, "layout.yaml:18:", "'cost' in column 'pct'", "data.csv:2 = 1e-300", "data.csv:6 = 10000000000")


def test_a_footed_column_beyond_excels_range_names_the_figure(mini):
    edit(mini.parent / "layout.yaml", "sheet: Income", "sheet: Income\nrounding: foot")
    edit(mini, "150.0", "0.5")
    edit(mini.parent / "data.csv", "product,2024,120", "product,2024,9.9e307")
    refused(mini, "error: " + str(mini.parent / "data.csv") + ":2:", "report.yaml:7:3 (input fx)")


def test_a_check_beyond_excels_range(mini):
    layout = mini.parent / "layout.yaml"
    layout.write_text(layout.read_text() + "checks:\n  - {name: huge, left: revenue * 1e306, right: revenue}\n")
    refused(mini, "layout.yaml:22:", "check 'huge'", "data.csv:2", "data.csv:4")


def test_a_footed_column_of_large_figures_builds(mini):
    # Footing rounds 1e22 / 150 to 9 decimals: 29 digits, more than Decimal's default 28.
    edit(mini.parent / "layout.yaml", "sheet: Income", "sheet: Income\nrounding: foot")
    edit(mini.parent / "data.csv", "product,2024,120", "product,2024,1e22")
    out = built(mini)
    assert openpyxl.load_workbook(out)["Data"]["D2"].value == 1e22


@pytest.mark.parametrize(
    ("bad", "words"),
    [
        (np.inf, "inf is beyond Excel's largest number"),
        (-np.inf, "-inf is beyond Excel's largest number"),
        (np.nan, "nan is not a number (NaN)"),
        (np.float64(5e-324), "5e-324 is smaller than Excel's smallest number"),
        (10**400, "beyond Excel's largest number"),
    ],
)
def test_a_dataframe_figure_excel_cannot_hold(mini, bad, words):
    frame = pd.read_csv(mini.parent / "data.csv", dtype=str).astype(object)
    frame.loc[2, "value"] = bad  # service, 2024
    with pytest.raises(ReportError) as caught:
        builder.build(mini, mini.parent / "out.xlsx", data=frame)
    assert "<DataFrame>:4: value of 'service' for 2024" in str(caught.value) and words in str(caught.value)
    assert not (mini.parent / "out.xlsx").exists()


def test_an_excel_data_figure_beyond_excels_range(mini):
    book = openpyxl.Workbook()
    book.active.append(["line", "period", "value"])
    for line in (mini.parent / "data.csv").read_text().splitlines()[1:]:
        name, period, value = line.split(",")
        book.active.append([name, period, 1e308 if (name, period) == ("cost", "2023") else float(value)])
    book.save(mini.parent / "data.xlsx")
    edit(mini, "data: data.csv", "data: data.xlsx")
    refused(mini, "data.xlsx[Sheet]:7:", "value of 'cost' for 2023", "beyond Excel's largest number")


# ------------------------------------------------------------------ fault 2: what a figure may be typed as


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("150%%", "one % sign at most"),
        ("1_000", "'_' does not group digits"),
        ("12345678901234567890123", "23 significant digits; Excel keeps 15"),
        ("1234567890123456", "16 significant digits"),
        ("0.1234567890123456", "16 significant digits"),
        ("inf", "Excel has no infinity or NaN"),
        ("-Infinity", "Excel has no infinity or NaN"),
        ("nan", "Excel has no infinity or NaN"),
        ("１２３", "write the digits 0-9"),
        ("١٢٣", "write the digits 0-9"),
        ("1e-400", "smaller than Excel's smallest number"),
        ("1e309", "beyond Excel's largest number"),
    ],
)
def test_a_figure_excel_would_not_read_as_typed_is_refused(mini, typed, words):
    edit(mini.parent / "data.csv", "cost,2023,120", f"cost,2023,{typed}")
    refused(mini, "data.csv:7:", "value of 'cost' for 2023", words)


def test_a_percentage_on_an_amount_line_is_refused(mini):
    edit(mini.parent / "data.csv", "cost,2024,150", "cost,2024,15000%")
    refused(mini, "data.csv:6:", "'cost' for 2024 is typed with a % sign", "'#,##0;(#,##0)'")


def test_typed_forms_excel_reads_are_kept_exactly(mini):
    edit(
        mini.parent / "layout.yaml",
        "{id: cost, label: Cost}",
        '{id: cost, label: Cost}\n  - {id: margin, label: Margin, number_format: "0.0%"}',
    )
    data = mini.parent / "data.csv"
    edit(data, "product,2024,120", 'product,2024,"1,200"')  # a quoted field, as a spreadsheet saves it
    edit(data, "product,2023,100", "product,2023, 100 ")
    edit(data, "service,2024,80", "service,2024,+8e1")
    edit(data, "service,2023,50", "service,2023,123456789012345")
    edit(data, "cost,2023,120", "cost,2023,1230000000000000000000")
    data.write_text(data.read_text() + "margin,2024,12.5%\nmargin,2023,40 %\n")
    values = data_values(built(mini))
    assert values[("product", "2024")] == 1200
    assert values[("product", "2023")] == 100
    assert values[("service", "2024")] == 80
    assert values[("service", "2023")] == 123456789012345
    assert values[("cost", "2023")] == 1.23e21
    assert values[("margin", "2024")] == 0.125
    assert values[("margin", "2023")] == 0.4
    assert all(math.isfinite(v) for v in values.values())


def test_a_typed_percentage_is_held_as_excel_holds_it(example_workbook):
    # data.csv types cs_vas as 86.9% and 86.8%: Excel holds 0.869 and 0.868, not 0.8690000000000001.
    import openpyxl

    data = openpyxl.load_workbook(example_workbook, read_only=True)["Data"]
    held = {(line, period): value for line, _, period, value, _ in data.iter_rows(min_row=2, values_only=True)}
    assert repr(held[("cs_vas", "2Q04")]) == "0.869"
    assert repr(held[("cs_vas", "1Q04")]) == "0.868"
