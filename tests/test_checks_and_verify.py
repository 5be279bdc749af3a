"""Tie-out checks break builds; verify names a cell whose stored value was tampered with."""

from __future__ import annotations

import re
import zipfile

import openpyxl
from click.testing import CliRunner

from builder.cli import main
from builder.example import new_project
from builder.verify import libreoffice


def invoke(*args):
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def status_column(path, data_only=True):
    ws = openpyxl.load_workbook(path, data_only=data_only)["Checks"]
    return [(row[0].value, row[2].value, row[7].value) for row in ws.iter_rows(min_row=2)]


def test_example_checks_all_hold_as_live_formulas(example_workbook, recalculated):
    stored = status_column(example_workbook)
    assert len(stored) == 20
    assert {status for _, _, status in stored} == {"OK"}
    assert status_column(recalculated) == stored
    formulas = status_column(example_workbook, data_only=False)
    assert all(str(status).startswith("=IF(ABS(") for _, _, status in formulas)


def test_a_changed_balance_sheet_figure_fails_the_build(tmp_path):
    report = new_project(tmp_path / "copy")
    data = report.parent / "data.csv"
    data.write_text(data.read_text().replace("cash,2Q04,11802165", "cash,2Q04,11802166"))
    out = tmp_path / "out.xlsx"
    result = invoke("build", report, "--out", out)
    assert result.exit_code == 3
    assert "Balance sheet balances" in result.output
    assert "Sept 30, 2004" in result.output
    assert "43,092,375.00" in result.output and "43,092,374.00" in result.output
    assert "balance_sheet.yaml:" in result.output
    assert not out.exists()

    result = invoke("build", report, "--out", out, "--allow-breaks")
    assert result.exit_code == 0
    statuses = status_column(out)
    assert (
        "Balance sheet balances (assets = liabilities + minority interest + equity)",
        "Sept 30, 2004",
        "BREAK",
    ) in statuses
    recalculated = libreoffice.recalculate([out], tmp_path / "recalc")[out]
    assert status_column(recalculated) == statuses


def test_a_user_declared_check_with_tolerance(mini, tmp_path):
    layout = mini.parent / "layout.yaml"
    layout.write_text(
        layout.read_text() + "checks:\n  - {name: Profit is positive-ish, left: profit, right: 0, tolerance: 40}\n"
    )
    result = invoke("build", mini, "--out", tmp_path / "out.xlsx")
    # profit 2024 = 200 - 150 = 50 breaks a tolerance of 40; 2023 = 150 - 120 = 30 holds.
    assert result.exit_code == 3
    assert "Profit is positive-ish (Income, Dec 31, 2024)" in result.output
    assert "Dec 31, 2023" not in result.output


def test_check_command_validates_without_writing(tmp_path):
    report = new_project(tmp_path / "copy")
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    result = invoke("check", report)
    assert result.exit_code == 0 and "20 checks hold" in result.output
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before


def test_verify_passes_the_example(example_workbook):
    result = invoke("verify", example_workbook)
    assert result.exit_code == 0, result.output
    assert "formula cells equal LibreOffice's recalculation" in result.output


def test_verify_names_a_tampered_cell(example_workbook, tmp_path):
    tampered = tmp_path / "tampered.xlsx"
    with zipfile.ZipFile(example_workbook) as src, zipfile.ZipFile(tampered, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet3.xml":  # Operations; Contents, Highlights come first
                text = data.decode()
                # The first formula cell with a numeric stored value gets a wrong one.
                match = re.search(r'<c r="([A-Z]+\d+)"[^>]*><f>[^<]*</f><v>(-?[\d.E+-]+)</v>', text)
                cell, value = match.group(1), match.group(2)
                text = text[: match.start(2)] + str(float(value) + 1) + text[match.end(2) :]
                data = text.encode()
            dst.writestr(item, data)
    result = invoke("verify", tampered)
    assert result.exit_code == 4
    assert f"Operations!{cell}" in result.output
    assert "1 of" in result.output


def test_verify_refuses_a_file_that_is_not_a_workbook(tmp_path):
    fake = tmp_path / "fake.xlsx"
    fake.write_text("not a workbook")
    result = invoke("verify", fake)
    assert result.exit_code == 2
    assert "fake.xlsx: not an .xlsx workbook" in result.output and "Traceback" not in result.output
