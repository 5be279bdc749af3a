"""Kinds as extension points: each column and row kind is one object in builder/kinds.

The `difference` kind was added as one module and one registration line; these tests build
workbooks through the CLI and read them as LibreOffice shows them, recalculated and as stored.
"""

from __future__ import annotations

import openpyxl
import pytest
from click.testing import CliRunner

from builder.cli import main
from builder.verify import libreoffice
from tests.conftest import TWO_YEAR_REPORT, edit

REPORT = TWO_YEAR_REPORT

LAYOUT = """\
sheet: Margins
title: ["{company}", Margins]
columns:
  - {id: cur, kind: amount, period: current, header: "2024"}
  - {id: pri, kind: amount, period: prior, header: "2023"}
  - {id: chg, kind: change, from: prior, to: current, header: Change}
  - {id: pts, kind: difference, from: prior, to: current, header: Points}
rows:
  - {id: revenue, label: Revenue, show: [amount, change]}
  - {id: cost, label: Cost, show: [amount, change]}
  - {id: profit, label: Profit, total: [revenue, -cost], show: [amount, change]}
  - {id: margin, label: Margin, formula: profit / revenue, number_format: "0.0%", show: [amount, difference]}
  - {id: cost_ratio, label: Cost ratio, formula: cost / revenue, number_format: "0.0%", show: [amount, difference]}
  - {id: shares, label: Shares, show: [amount]}
  - id: eps
    label: EPS
    formula: profit / shares
    number_format: "0.00"
    show: [amount]
"""

DATA = """\
line,period,value
revenue,2024,200
revenue,2023,150
cost,2024,150
cost,2023,120
shares,2024,100
shares,2023,100
"""


def run_build(report, out):
    result = CliRunner().invoke(main, ["build", str(report), "--out", str(out)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


@pytest.fixture
def margins(tmp_path):
    (tmp_path / "report.yaml").write_text(REPORT)
    (tmp_path / "layout.yaml").write_text(LAYOUT)
    (tmp_path / "data.csv").write_text(DATA)
    return tmp_path / "report.yaml"


def _row(shown: dict, label: str) -> list[str]:
    return next(row for row in shown["Margins"] if row and row[0] == label)


def test_difference_shows_percentage_points_recalculated_and_as_stored(margins, tmp_path):
    out = tmp_path / "out.xlsx"
    result = run_build(margins, out)
    assert result.exit_code == 0, result.output
    for recalc in (True, False):
        shown = libreoffice.shown_text(out, tmp_path / f"csv-{recalc}", recalc=recalc)
        # 50 / 200 = 25.0% against 30 / 150 = 20.0%: up 5.0 points; 75.0% against 80.0%: down 5.0.
        assert _row(shown, "Margin")[1:5] == ["25.0%", "20.0%", "", "5.0 pts"]
        assert _row(shown, "Cost ratio")[1:5] == ["75.0%", "80.0%", "", "(5.0 pts)"]
        assert _row(shown, "Revenue")[3:5] == ["33.3%", ""]  # a change column beside it, unaffected
    ws = openpyxl.load_workbook(out)["Margins"]
    formulas = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str) and "*100" in c.value]
    assert formulas == ["=(B8-C8)*100", "=(B9-C9)*100"]


def test_difference_in_amount_units_keeps_the_rows_format(margins, tmp_path):
    edit(margins.parent / "data.csv", "shares,2023,100", "shares,2023,120")
    edit(margins.parent / "layout.yaml", "header: Points}", "header: Points}\n  - {id: up, kind: difference, "
         "from: prior, to: current, unit: amount, header: Up}")  # fmt: skip
    edit(margins.parent / "layout.yaml", "    show: [amount]\n", "    show: [amount, difference]\n")
    out = tmp_path / "out.xlsx"
    result = run_build(margins, out)
    assert result.exit_code == 0, result.output
    shown = libreoffice.shown_text(out, tmp_path / "csv", recalc=True)
    # EPS 50 / 100 = 0.50 against 30 / 120 = 0.25: up 0.25 in its own format; 25.0 points beside it.
    assert _row(shown, "EPS")[1:6] == ["0.50", "0.25", "", "25.0 pts", "0.25"]


def _refused(report, tmp_path, *words):
    out = tmp_path / "out.xlsx"
    out.write_bytes(b"previous workbook")
    before = sorted(p.name for p in tmp_path.iterdir())
    result = run_build(report, out)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    for word in words:
        assert word in result.output, result.output
    assert out.read_bytes() == b"previous workbook"
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    return result.output


def test_difference_without_from_is_refused_once_at_the_column(margins, tmp_path):
    edit(margins.parent / "layout.yaml", "kind: difference, from: prior, ", "kind: difference, ")
    output = _refused(margins, tmp_path, "layout.yaml:7:", "column 'pts': a difference needs 'from' and 'to'")
    assert output.count("error:") == 1


def test_a_key_of_another_kind_is_refused_not_ignored(margins, tmp_path):
    # `negative_base` means nothing to a difference: silently ignoring it would hide a mistake.
    edit(margins.parent / "layout.yaml", "header: Points}", "header: Points, negative_base: abs}")
    _refused(margins, tmp_path, "layout.yaml:7:", "column 'pts' (difference) does not take 'negative_base'")


def test_an_unknown_kind_lists_the_registered_ones(margins, tmp_path):
    edit(margins.parent / "layout.yaml", "kind: difference", "kind: diference")
    _refused(margins, tmp_path, "layout.yaml:7:", "'diference' is not one of", "'difference'")


@pytest.mark.parametrize("column", ["chg", "cur", "pts"])
def test_rounding_foot_on_a_column_that_cannot_foot_is_refused(margins, tmp_path, column):
    # Footing a change column rounded 33.3% to 0%, and an amount column's typed lines counted as 0.
    layout = margins.parent / "layout.yaml"
    text = layout.read_text()
    line = next(n for n, t in enumerate(text.splitlines(), 1) if f"id: {column}," in t)
    layout.write_text(text.replace(f"id: {column},", f"id: {column}, rounding: foot,"))
    _refused(margins, tmp_path, f"layout.yaml:{line}:", f"column '{column}'", "cannot foot")


def test_a_total_typed_in_its_input_period_shows_the_typed_figure(margins, tmp_path):
    # Before, the figure was accepted and the sum shown instead: a typed figure silently dropped.
    edit(margins.parent / "layout.yaml", "total: [revenue, -cost],", "total: [revenue, -cost], input_periods: [prior],")
    edit(margins.parent / "data.csv", "cost,2023,120\n", "cost,2023,120\nprofit,2023,31\n")
    out = tmp_path / "out.xlsx"
    result = run_build(margins, out)
    assert result.exit_code == 0, result.output
    shown = libreoffice.shown_text(out, tmp_path / "csv", recalc=True)
    assert _row(shown, "Profit")[1:4] == ["50", "31", "61.3%"]
    ws = openpyxl.load_workbook(out)["Margins"]
    assert ws["C7"].value.startswith("=Data!")


def test_a_row_shows_points_in_a_change_column(margins, tmp_path):
    # The release's summary table: margin rows show "Up 0.6 pts" where amounts show "Up 17%".
    layout = margins.parent / "layout.yaml"
    edit(layout, "header: Change}", 'header: Change, number_format: \'"Up "0%;"Down "0%;"--"\'}')
    edit(layout, "  - {id: pts, kind: difference, from: prior, to: current, header: Points}\n", "")
    for _ in ("margin", "cost_ratio"):
        edit(layout, "show: [amount, difference]}", "show: [amount, change], kind: {chg: difference}}")
    out = tmp_path / "out.xlsx"
    result = run_build(margins, out)
    assert result.exit_code == 0, result.output
    for recalc in (True, False):
        shown = libreoffice.shown_text(out, tmp_path / f"csv-{recalc}", recalc=recalc)
        assert _row(shown, "Revenue")[1:4] == ["200", "150", "Up 33%"]
        assert _row(shown, "Margin")[1:4] == ["25.0%", "20.0%", "5.0 pts"]
        assert _row(shown, "Cost ratio")[1:4] == ["75.0%", "80.0%", "(5.0 pts)"]


@pytest.mark.parametrize(
    "override, words",
    [
        ("{chq: difference}", ["sheet 'Margins' has no column 'chq'", "did you mean 'chg'"]),
        ("{cur: difference}", ["amount columns and cells keep their kind"]),
        ("{chg: amount}", ["amount columns and cells keep their kind"]),
        ("{chg: percent_of}", ["column 'chg' has no period"]),
        ("{chg: differense}", ["'differense' is not one of"]),
    ],
)
def test_a_row_kind_override_that_cannot_hold_is_refused_at_the_row(margins, tmp_path, override, words):
    edit(
        margins.parent / "layout.yaml", "show: [amount, difference]}", f"show: [amount, difference], kind: {override}}}"
    )
    _refused(margins, tmp_path, "layout.yaml:12:", *words)


def test_a_percent_base_on_a_sheet_of_other_units_is_taken_in_this_ones(margins, tmp_path):
    # Before, 150 million over a base of 200,000 thousand showed 0.1%, not 75.0%.
    (margins.parent / "appendix.yaml").write_text(
        "sheet: Appendix\ncolumns: [{id: a, kind: amount, period: current}, {id: b, kind: amount, period: prior}]\n"
        "rows: [{id: revenue_k, label: Revenue (thousands)}]\n"
    )
    edit(margins, "layouts: [layout.yaml]", "layouts: [appendix.yaml, layout.yaml]")
    layout = margins.parent / "layout.yaml"
    edit(layout, "columns:\n", "scale: 0.001\ncolumns:\n")
    edit(
        layout,
        "  - {id: pts,",
        "  - {id: pc, kind: percent_of, period: current, base: revenue_k, header: '%'}\n  - {id: pts,",
    )
    edit(layout, "show: [amount, change]}\n  - {id: profit", "show: [amount, percent_of]}\n  - {id: profit")
    edit(
        margins.parent / "data.csv",
        "line,period,value\n",
        "line,period,value\nrevenue_k,2024,200000\nrevenue_k,2023,150000\n",
    )
    out = tmp_path / "out.xlsx"
    result = run_build(margins, out)
    assert result.exit_code == 0, result.output
    shown = libreoffice.shown_text(out, tmp_path / "csv", recalc=True)
    assert _row(shown, "Cost")[1:6] == ["150", "120", "", "75.0%", ""]
    assert openpyxl.load_workbook(out)["Margins"]["E6"].value == '=IF(Appendix!B2/1000=0,"n.m.",B6/(Appendix!B2/1000))'


def test_a_column_that_reads_a_period_its_sheet_lacks_is_refused_once_at_the_column(margins, tmp_path):
    # Before: one error per row, none naming the column.
    edit(margins.parent / "layout.yaml", '  - {id: pri, kind: amount, period: prior, header: "2023"}\n', "")
    edit(margins.parent / "data.csv", "revenue,2023,150\n", "")
    edit(margins.parent / "data.csv", "cost,2023,120\n", "")
    edit(margins.parent / "data.csv", "shares,2023,100\n", "")
    output = _refused(margins, tmp_path, "layout.yaml:5:", "column 'chg' (change) reads the amounts of Dec 31, 2023")
    assert "layout.yaml:6:" in output and "column 'pts' (difference)" in output
    assert output.count("error:") == 2
