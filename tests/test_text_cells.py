"""Text cells: a guidance table's typed text ("N/A", "~11%", a range), as LibreOffice shows it
stored and recalculated, and the refusals that keep a number line a number line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from builder.cli import main
from builder.verify import libreoffice
from tests.conftest import edit

REPORT = """\
company: Example Co.
date: 2024-12-31
periods:
  current: {key: "FY25", label: "Fiscal 2025"}
  prior: {key: "FY24", label: "Fiscal 2024"}
layouts: [guidance.yaml]
data: data.csv
"""

LAYOUT = """\
sheet: Guidance
title: ["{company}", Guidance]
columns:
  - {id: now, kind: amount, period: current, header: FY25}
  - {id: then, kind: amount, period: prior, header: FY24}
  - {id: yoy, kind: change, from: prior, to: current, header: Y/Y}
rows:
  - {id: revenue, label: Revenue}
  - {id: range, label: Revenue guidance, text: true}
  - {id: growth, label: Growth, text: true}
  - {id: ge_low, label: Low, number_format: "0.00"}
  - {id: ge_high, label: High, number_format: "0.00"}
  - {id: ge_range, label: Range, text: "${ge_low:0.00} - ${ge_high:0.00} Billion"}
"""

DATA = """\
line,period,value
revenue,FY25,120
revenue,FY24,100
range,FY25,$8.70 - $8.72 Billion
range,FY24,N/A
growth,FY25,~11%
growth,FY24,2026
ge_low,FY25,8.7
ge_low,FY24,8.1
ge_high,FY25,8.72
ge_high,FY24,8.155
"""


@pytest.fixture
def guidance(tmp_path: Path) -> Path:
    (tmp_path / "report.yaml").write_text(REPORT)
    (tmp_path / "guidance.yaml").write_text(LAYOUT)
    (tmp_path / "data.csv").write_text(DATA)
    return tmp_path / "report.yaml"


def build(report: Path, out: Path):
    result = CliRunner().invoke(main, ["build", str(report), "--out", str(out)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def refused(report: Path, out: Path, *words: str, where: str) -> None:
    result = build(report, out)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    for word in words:
        assert word in result.output, result.output
    assert where in result.output, result.output
    assert not out.exists()
    assert not [p for p in out.parent.iterdir() if p.suffix in (".xlsx", ".tmp") or p.name.startswith(".")]


@pytest.mark.parametrize("recalc", [True, False])
def test_typed_text_shows_verbatim_on_the_statement_and_the_data_sheet(guidance, tmp_path, recalc):
    out = tmp_path / "out" / "g.xlsx"
    result = build(guidance, out)
    assert result.exit_code == 0, result.output
    shown = libreoffice.shown_text(out, tmp_path / f"csv-{recalc}", recalc=recalc)
    rows = {r[0]: r[1:] for r in shown["Guidance"] if r and r[0]}
    assert rows["Revenue guidance"] == ["$8.70 - $8.72 Billion", "N/A", ""]
    assert rows["Growth"] == ["~11%", "2026", ""]  # 2026 on a text line stays the text typed
    assert rows["Revenue"] == ["120", "100", "20.0%"]
    data = {(r[0], r[2]): (r[3], r[4]) for r in shown["Data"][1:]}
    assert data[("range", "FY25")] == ("$8.70 - $8.72 Billion", "data.csv:4")
    assert data[("range", "FY24")] == ("N/A", "data.csv:5")
    assert data[("growth", "FY25")] == ("~11%", "data.csv:6")


def test_a_text_cell_is_a_live_reference_to_its_typed_text(guidance, tmp_path):
    out = tmp_path / "g.xlsx"
    assert build(guidance, out).exit_code == 0
    book = openpyxl.load_workbook(out)
    cells = {row[0].value: row for row in book["Guidance"].iter_rows()}
    assert cells["Growth"][1].value.startswith("=Data!")
    data = {(r[0].value, r[2].value): r[3].value for r in book["Data"].iter_rows(min_row=2)}
    assert data[("growth", "FY24")] == "2026"  # a string cell, not the number 2026
    verify = subprocess.run(
        [str(Path(sys.executable).parent / "report-builder"), "verify", str(out)], capture_output=True, text=True
    )
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert "Traceback" not in verify.stderr


def test_a_typo_on_a_number_line_is_still_refused(guidance, tmp_path):
    edit(tmp_path / "data.csv", "revenue,FY25,120", "revenue,FY25,15O")
    refused(
        guidance, tmp_path / "out.xlsx", "value of 'revenue' for FY25", "expected a number", "'15O'", where="data.csv:2"
    )


def test_words_on_a_number_line_are_refused(guidance, tmp_path):
    edit(tmp_path / "data.csv", "revenue,FY24,100", "revenue,FY24,N/A")
    refused(guidance, tmp_path / "out.xlsx", "value of 'revenue' for FY24", "'N/A'", where="data.csv:3")


def test_an_empty_text_is_refused(guidance, tmp_path):
    # An empty value is a figure still to type (issue 13), listed with its label.
    edit(tmp_path / "data.csv", "growth,FY25,~11%", "growth,FY25,")
    refused(guidance, tmp_path / "out.xlsx", "to type: ", "growth (", "for FY25", where="data.csv:6")


def test_a_total_of_a_text_line_is_refused(guidance, tmp_path):
    edit(
        tmp_path / "guidance.yaml",
        "text: true}\n",
        "text: true}\n  - {id: both, label: Both, total: [revenue, range]}\n",
    )
    refused(guidance, tmp_path / "out.xlsx", "'both' computes with 'range', a row of text", where="guidance.yaml:")


def test_a_formula_over_a_text_line_is_refused(guidance, tmp_path):
    edit(
        tmp_path / "guidance.yaml", "text: true}\n", "text: true}\n  - {id: twice, label: Twice, formula: growth * 2}\n"
    )
    refused(guidance, tmp_path / "out.xlsx", "'twice' computes with 'growth', a row of text", where="guidance.yaml:")


def test_text_is_not_a_boolean_switch(guidance, tmp_path):
    edit(tmp_path / "guidance.yaml", "text: true}", "text: false}")
    refused(guidance, tmp_path / "out.xlsx", "rows.1.text", "true was expected", where="guidance.yaml:9")


def test_text_given_through_the_api_on_a_number_line_is_refused(guidance, tmp_path):
    import builder
    from builder.errors import ReportError, Source
    from builder.spec import Figure

    figures = [
        Figure("revenue", "FY25", "N/A", Source("mine", 1)),
        Figure("revenue", "FY24", 100.0, Source("mine", 2)),
        Figure("range", "FY25", "a", Source("mine", 3)),
        Figure("range", "FY24", "b", Source("mine", 4)),
        Figure("growth", "FY25", "c", Source("mine", 5)),
        Figure("growth", "FY24", "d", Source("mine", 6)),
    ]
    with pytest.raises(ReportError) as caught:
        builder.build(guidance, tmp_path / "api.xlsx", data=figures)
    assert "mine:1: value of 'revenue' for FY25: expected a number, found 'N/A'" in str(caught.value)
    assert not (tmp_path / "api.xlsx").exists()


QUOTED_FY24 = "$8.10 - $8.16 Billion"  # 8.155 is 8.15499... in binary; Excel's TEXT and LibreOffice show 8.16


@pytest.mark.parametrize("recalc", [True, False])
def test_a_row_of_text_quotes_its_figures_live(guidance, tmp_path, recalc):
    out = tmp_path / "g.xlsx"
    assert build(guidance, out).exit_code == 0
    shown = libreoffice.shown_text(out, tmp_path / f"csv-{recalc}", recalc=recalc)
    rows = {r[0]: r[1:] for r in shown["Guidance"] if r and r[0]}
    assert rows["Range"] == ["$8.70 - $8.72 Billion", QUOTED_FY24, ""]
    formula = openpyxl.load_workbook(out)["Guidance"]["B10"].value
    assert formula == '="$"&TEXT(B8,"0.00")&" - $"&TEXT(B9,"0.00")&" Billion"'


def test_a_changed_figure_changes_the_quoted_text_on_recalculation(guidance, tmp_path):
    out = tmp_path / "g.xlsx"
    assert build(guidance, out).exit_code == 0
    book = openpyxl.load_workbook(out)
    data = book["Data"]
    row = next(r for r in data.iter_rows(min_row=2) if (r[0].value, r[2].value) == ("ge_high", "FY25"))
    row[3].value = 9.05
    edited = tmp_path / "edited.xlsx"
    book.save(edited)
    shown = libreoffice.shown_text(edited, tmp_path / "csv", recalc=True)
    rows = {r[0]: r[1:] for r in shown["Guidance"] if r and r[0]}
    assert rows["Range"][0] == "$8.70 - $9.05 Billion"


def test_quoting_a_row_without_a_number_format_is_refused(guidance, tmp_path):
    edit(tmp_path / "guidance.yaml", "${ge_high:0.00}", "${ge_high}")
    refused(
        guidance, tmp_path / "out.xlsx", "row 'ge_range' quotes {ge_high}", "{ge_high:0.00}", where="guidance.yaml:13"
    )


def test_quoting_an_unknown_name_is_refused(guidance, tmp_path):
    edit(tmp_path / "guidance.yaml", "${ge_high:0.00}", "${ge_hihg:0.00}")
    refused(
        guidance, tmp_path / "out.xlsx", "quotes {ge_hihg}, which is not a row", "ge_high", where="guidance.yaml:13"
    )


def test_quoting_a_text_line_is_refused(guidance, tmp_path):
    edit(tmp_path / "guidance.yaml", "${ge_high:0.00}", "{growth:0.00}")
    refused(
        guidance, tmp_path / "out.xlsx", "'ge_range' computes with 'growth', a row of text", where="guidance.yaml:13"
    )


def test_a_row_of_text_quoting_itself_is_a_cycle(guidance, tmp_path):
    edit(tmp_path / "guidance.yaml", "${ge_high:0.00}", "{ge_range:0.00}")
    refused(guidance, tmp_path / "out.xlsx", "cycle", "ge_range", where="guidance.yaml:13")


def test_a_total_of_a_row_of_quoted_text_is_refused(guidance, tmp_path):
    edit(tmp_path / "guidance.yaml", 'Billion"}\n', 'Billion"}\n  - {id: sum, label: Sum, total: [ge_range]}\n')
    refused(guidance, tmp_path / "out.xlsx", "'sum' computes with 'ge_range', a row of text", where="guidance.yaml:14")


def test_a_check_on_a_text_line_is_refused(guidance, tmp_path):
    edit(tmp_path / "guidance.yaml", "rows:\n", "checks:\n  - {name: odd, left: growth, right: revenue}\nrows:\n")
    refused(guidance, tmp_path / "out.xlsx", "check 'odd' uses 'growth', a row of text", where="guidance.yaml:8")


def test_an_empty_value_on_a_number_line_is_refused_not_a_crash(guidance, tmp_path):
    # Found by tests/test_properties.py on this branch: '' passed for a sign in _undress.
    edit(tmp_path / "data.csv", "revenue,FY24,100", "revenue,FY24,")
    refused(guidance, tmp_path / "out.xlsx", "to type: ", "revenue (Revenue) for FY24", where="data.csv:3")
