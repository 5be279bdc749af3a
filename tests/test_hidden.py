"""Hidden (memo) rows: in the workbook for formulas to use, hidden on screen and not printed."""

from __future__ import annotations

import subprocess

import openpyxl
import pytest
from click.testing import CliRunner

from builder.cli import main
from builder.verify import libreoffice
from tests.test_bad_input import edit

MEMO = (
    "  - {id: units, label: Memo units sold, hidden: true, show: [amount]}\n"
    '  - {id: per_unit, label: Revenue per unit, formula: revenue / units, show: [amount], number_format: "0.00"}\n'
)


def memo_report(mini):
    layout = mini.parent / "layout.yaml"
    layout.write_text(layout.read_text().replace("notes:", MEMO.rstrip("\n") + "\nnotes:", 1))
    with open(mini.parent / "data.csv", "a") as data:
        data.write("units,2024,40\nunits,2023,25\n")  # 200 / 40 = 5.00, 150 / 25 = 6.00
    return mini


def test_a_memo_row_is_hidden_unprinted_and_used_by_formulas(mini, tmp_path):
    memo_report(mini)
    out = tmp_path / "out" / "memo.xlsx"
    result = CliRunner().invoke(main, ["build", str(mini), "--out", str(out), "--pdf"])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output

    sheet = openpyxl.load_workbook(out)["Income"]
    labels = {cell.value: cell.row for cell in sheet["A"] if cell.value}
    assert sheet.row_dimensions[labels["Memo units sold"]].hidden
    assert not sheet.row_dimensions[labels["Revenue per unit"]].hidden
    # The memo row is written, pointing at its typed figures, for formulas to reference.
    assert sheet.cell(labels["Memo units sold"], 3).value.startswith("=Data!")

    shown = libreoffice.shown_text(out, tmp_path / "csv", recalc=True)["Income"]
    per_unit = next(r for r in shown if r and r[0] == "Revenue per unit")
    # LibreOffice's text export lists hidden rows too: the memo row is live, recalculated to its figure.
    memo = next(r for r in shown if r and r[0] == "Memo units sold")
    assert memo[2] == "40" and memo[4] == "25", memo
    # LibreOffice itself reads the row as hidden (it keeps it hidden when it saves the workbook).
    saved = libreoffice.recalculate([out], tmp_path / "recalc")[out]
    again = openpyxl.load_workbook(saved)["Income"]
    assert again.row_dimensions[labels["Memo units sold"]].hidden
    assert not again.row_dimensions[labels["Revenue per unit"]].hidden
    assert per_unit[2] == "5.00" and per_unit[4] == "6.00", per_unit

    pdf = out.with_suffix(".pdf")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Revenue per unit" in text and "5.00" in text and "6.00" in text
    assert "Memo units sold" not in text

    verified = CliRunner().invoke(main, ["verify", str(out)])
    assert verified.exit_code == 0, verified.output


def test_hidden_must_be_true_or_false(mini, tmp_path):
    memo_report(mini)
    edit(mini.parent / "layout.yaml", "hidden: true", "hidden: yes please")
    out = tmp_path / "out.xlsx"
    result = CliRunner().invoke(main, ["build", str(mini), "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert "layout.yaml:20" in result.output and "hidden" in result.output
    assert "Traceback" not in result.output
    assert not out.exists() and list(tmp_path.glob("*.xlsx*")) == []


def test_a_hidden_plug_is_refused_at_its_line(mini, tmp_path):
    edit(mini.parent / "layout.yaml", "{id: cost, label: Cost}", "{id: cost, label: Cost, plug: true, hidden: true}")
    out = tmp_path / "out.xlsx"
    result = CliRunner().invoke(main, ["build", str(mini), "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert "layout.yaml:18" in result.output and "plug and hidden" in result.output
    assert "Traceback" not in result.output
    assert list(tmp_path.glob("*.xlsx*")) == []


# A "% of total revenue" statement printed without amount columns: each row names a row of
# the income statement, and its cells divide the Income sheet's cells.
PERCENT = """\
sheet: Percent
title: ["{company}", Percent of total revenue]
columns:
  - period: current
    columns: [{id: pp_c, kind: percent_of, base: revenue, of: Income, header: "%"}]
  - period: prior
    columns: [{id: pp_p, kind: percent_of, base: revenue, of: Income, header: "%"}]
rows:
  - {heading: "Revenue:"}
  - {id: p_product, label: Product, formula: product, indent: 1}
  - {id: p_service, label: Service, formula: service, indent: 1}
  - {id: p_revenue, label: Total revenue, formula: revenue, style: total}
  - {id: p_cost, label: Cost, formula: cost}
  - {id: p_profit, label: Profit, formula: profit, style: grand_total}
"""


def percent_report(mini, layout: str = PERCENT):
    edit(mini, "layouts: [layout.yaml", "layouts: [layout.yaml, percent.yaml")
    (mini.parent / "percent.yaml").write_text(layout)
    return mini


def test_a_percent_only_statement_divides_the_other_sheets_cells(mini, tmp_path):
    percent_report(mini)
    out = tmp_path / "out" / "percent.xlsx"
    result = CliRunner().invoke(main, ["build", str(mini), "--out", str(out), "--pdf"])
    assert result.exit_code == 0, result.output

    sheet = openpyxl.load_workbook(out)["Percent"]
    assert sheet.max_column == 3  # labels and the two % columns: no amount column printed
    product = next(r for r in sheet.iter_rows() if r[0].value == "Product")
    assert "Income!" in product[1].value and "Income!" in product[2].value, product[1].value

    shown = libreoffice.shown_text(out, tmp_path / "csv", recalc=True)["Percent"]
    rows = {r[0]: r[1:3] for r in shown if r and r[0]}
    # The mini data: product 120/100, service 80/50, cost 150/120 (2024/2023).
    assert rows["Product"] == ["60.0%", "66.7%"]
    assert rows["Service"] == ["40.0%", "33.3%"]
    assert rows["Total revenue"] == ["100.0%", "100.0%"]
    assert rows["Cost"] == ["75.0%", "80.0%"]
    assert rows["Profit"] == ["25.0%", "20.0%"]

    text = subprocess.run(
        ["pdftotext", "-layout", str(out.with_suffix(".pdf")), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Percent of total revenue" in text and "66.7%" in text

    verified = CliRunner().invoke(main, ["verify", str(out)])
    assert verified.exit_code == 0, verified.output


def refused(mini, tmp_path) -> list[str]:
    out = tmp_path / "bad.xlsx"
    result = CliRunner().invoke(main, ["build", str(mini), "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert list(tmp_path.glob("*.xlsx*")) == []
    return [line for line in result.output.splitlines() if line.startswith("error:")]


# A mistake in the column definition: one error, at the column's line (percent.yaml:5), not one per row.
COLUMN_MISTAKES = {
    "of names no sheet": ("of: Income, header", "of: Incme, header", "names no sheet of the report"),
    "of names a sheet without amounts": ("of: Income, header", "of: Percent, header", "has no amount column"),
    "no of at all": (", of: Income, header", ", header", "has no amount column"),
    "a footed percent-only column": ("of: Income, header", "of: Income, rounding: foot, header", "cannot foot"),
}


@pytest.mark.parametrize("case", COLUMN_MISTAKES, ids=list(COLUMN_MISTAKES))
def test_a_mistake_in_a_percent_only_column_is_reported_once_at_its_line(mini, tmp_path, case):
    old, new, words = COLUMN_MISTAKES[case]
    percent_report(mini, PERCENT.replace(old, new, 1))  # the first column only
    errors = refused(mini, tmp_path)
    assert len(errors) == 1, errors
    assert "percent.yaml:5" in errors[0] and "pp_c" in errors[0] and words in errors[0], errors


def test_a_percent_only_row_must_name_a_row_of_the_sheet(mini, tmp_path):
    layout = PERCENT.replace("formula: cost}", "}").replace("formula: profit,", "formula: profit + p_typo,")
    percent_report(mini, layout)
    errors = refused(mini, tmp_path)
    assert any("percent.yaml:13" in e and "'p_cost'" in e and "give it formula:" in e for e in errors), errors
    assert any("percent.yaml:14" in e and "p_typo" in e for e in errors), errors


def test_a_percent_only_row_naming_another_sheet_is_refused(mini, tmp_path):
    (mini.parent / "other.yaml").write_text(
        "sheet: Other\ncolumns: [{id: o, kind: amount, period: current, header: X}]\n"
        "rows: [{id: memo, label: Memo, formula: product}]\n"
    )
    edit(mini, "layouts: [layout.yaml]", "layouts: [layout.yaml, other.yaml]")  # before percent.yaml
    percent_report(mini, PERCENT.replace("formula: cost}", "formula: memo}"))
    errors = refused(mini, tmp_path)
    assert len(errors) == 1, errors
    assert "percent.yaml:13" in errors[0] and "'memo' of sheet 'Other'" in errors[0], errors


def test_percent_only_columns_of_one_sheet_name_one_sheet(mini, tmp_path):
    (mini.parent / "other.yaml").write_text(
        "sheet: Other\ncolumns: [{id: o, kind: amount, period: current, header: X},"
        " {id: o_p, kind: amount, period: prior, header: Y}]\n"
        "rows: [{id: memo, label: Memo, formula: product}]\n"
    )
    edit(mini, "layouts: [layout.yaml]", "layouts: [layout.yaml, other.yaml]")
    second = "[{id: pp_p, kind: percent_of, base: revenue, of: "
    percent_report(mini, PERCENT.replace(second + "Income", second + "other"))  # sheet names compare as in Excel
    errors = refused(mini, tmp_path)
    assert len(errors) == 1, errors
    assert "percent.yaml:7" in errors[0] and "'pp_p'" in errors[0] and "rows of one sheet" in errors[0], errors


def test_a_percent_only_statement_on_figures_as_displayed(mini, tmp_path):
    # Income shows 120.4 and 79.6 as 120 and 80: on the displayed basis the shares are 60.0% and
    # 40.0% (60.2% and 39.8% exact). A sheet of other units changes nothing in a ratio.
    edit(mini.parent / "data.csv", "product,2024,120", "product,2024,120.4")
    edit(mini.parent / "data.csv", "service,2024,80", "service,2024,79.6")
    layout = (
        PERCENT.replace("sheet: Percent\n", "sheet: Percent\nscale: 0.001\n")
        .replace('header: "%"}', 'header: "%", basis: displayed}')
        .replace("formula: revenue,", "formula: product + service,")
    )
    percent_report(mini, layout)
    out = tmp_path / "out" / "percent.xlsx"
    result = CliRunner().invoke(main, ["build", str(mini), "--out", str(out)])
    assert result.exit_code == 0, result.output
    shown = libreoffice.shown_text(out, tmp_path / "csv", recalc=True)["Percent"]
    rows = {r[0]: r[1:3] for r in shown if r and r[0]}
    assert rows["Product"] == ["60.0%", "66.7%"]
    assert rows["Service"] == ["40.0%", "33.3%"]
    assert rows["Total revenue"] == ["100.0%", "100.0%"]
    verified = CliRunner().invoke(main, ["verify", str(out)])
    assert verified.exit_code == 0, verified.output
