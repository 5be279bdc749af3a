"""Hidden (memo) rows: in the workbook for formulas to use, hidden on screen and not printed."""

from __future__ import annotations

import subprocess

import openpyxl
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
