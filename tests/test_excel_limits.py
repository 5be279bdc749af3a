"""Lengths as Excel counts them (UTF-16 units), in cells and inside formulas."""

from __future__ import annotations

import openpyxl
from click.testing import CliRunner

from builder.cli import main
from builder.excel_limits import utf16_len, utf16_pieces
from tests.conftest import edit


def _build(report, out):
    result = CliRunner().invoke(main, ["build", str(report), "--out", str(out)])
    assert "Traceback" not in result.output
    return result


def test_pieces_never_split_a_character():
    text = "a" + "😀" * 200
    pieces = utf16_pieces(text, 255)
    assert "".join(pieces) == text
    assert [utf16_len(p) for p in pieces] == [255, 146]  # 1 + 127 emoji, then 73 emoji


def test_a_long_note_quoting_an_input_is_a_formula_excel_accepts(mini, tmp_path):
    # Excel refuses a text constant of over 255 characters inside a formula: the note is
    # joined from pieces, and LibreOffice's recalculation gives the stored text back.
    long = "This note explains the convenience translation at length. " * 20
    edit(mini.parent / "layout.yaml", 'notes: ["At JPY {fx:0.00} = $1."]', f'notes: ["{long}At JPY {{fx:0.00}} = $1."]')
    out = tmp_path / "out" / "long-note.xlsx"
    assert _build(mini, out).exit_code == 0
    sheet = openpyxl.load_workbook(out)["Income"]
    (formula,) = [c.value for row in sheet.iter_rows() for c in row if str(c.value).startswith('="This note')]
    literals = formula.split('"')[1::2]
    assert len(literals) > 5 and max(utf16_len(s) for s in literals) <= 255
    verified = CliRunner().invoke(main, ["verify", str(out)])
    assert verified.exit_code == 0, verified.output


def test_a_note_whose_formula_exceeds_excels_length_is_refused(mini, tmp_path):
    long = "x" * 8_200
    edit(mini.parent / "layout.yaml", 'notes: ["At JPY {fx:0.00} = $1."]', f'notes: ["{long} {{fx:0.00}}"]')
    result = _build(mini, tmp_path / "out" / "x.xlsx")
    assert result.exit_code == 2
    assert "layout.yaml:20" in result.output and "Excel allows 8,192" in result.output
    assert not (tmp_path / "out").exists()


def test_a_label_over_excels_cell_length_counting_emoji_as_two_is_refused(mini, tmp_path):
    label = "😀" * 16_400  # 16,400 code points, 32,800 UTF-16 units
    edit(mini.parent / "layout.yaml", "{id: cost, label: Cost}", f"{{id: cost, label: {label}}}")
    result = _build(mini, tmp_path / "out" / "x.xlsx")
    assert result.exit_code == 2
    assert "layout.yaml:18" in result.output and "32,800 characters, longer than" in result.output
    assert not (tmp_path / "out").exists()
