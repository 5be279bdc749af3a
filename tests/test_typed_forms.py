"""round(x, n) in row formulas and checks, and typed figures as Excel's "Save as CSV" writes them.

Every expected value below is written by hand, never computed by the code under test.
"""

from __future__ import annotations

import csv
import io
import math
import re
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

import builder
from builder.cli import main
from builder.verify import libreoffice
from tests.conftest import MINI_REPORT, edit


def invoke(*args):
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def refused(report: Path, *words: str) -> None:
    """Exit 2, every word in the output, no traceback, and nothing written or left behind."""
    folder = report.parent
    before = sorted(p.name for p in folder.iterdir())
    out = folder / "out.xlsx"
    result = invoke("build", report, "--out", out)
    assert result.exit_code == 2, result.output
    for word in words:
        assert word in result.output, (word, result.output)
    assert "Traceback" not in result.output
    assert not out.exists()
    assert sorted(p.name for p in folder.iterdir()) == before


# ------------------------------------------------------------------ round(x, n)

ROUNDING_LAYOUT = """\
sheet: Rounding
title: ["{company}", Rounding]
number_format: "#,##0.000;(#,##0.000)"
columns:
  - period: current
    columns: [{id: now, kind: amount, header: Now}]
  - period: prior
    columns: [{id: before, kind: amount, header: Before}]
rows:
  - {id: eighth, label: An eighth}
  - {id: half, label: A half}
  - {id: decimal, label: Not a double}
  - {id: big, label: Thousands}
  - {id: eps, label: EPS as typed}
  - {id: r_eighth, label: Eighth to 2, formula: "round(eighth, 2)", number_format: "0.00"}
  - {id: r_half, label: Half to 0, formula: "round(half, 0)", number_format: "0"}
  - {id: r_decimal, label: Decimal to 2, formula: "round(decimal, 2)", number_format: "0.00"}
  - {id: r_thousands, label: To thousands, formula: "round(big, -3)", number_format: "#,##0"}
  - {id: r_hundreds, label: To hundreds, formula: "round(big, -2) + 0", number_format: "#,##0"}
  - id: eps_change
    label: EPS change as displayed
    formula: "round((round(eps, 2) - round(eps[prior], 2)) / round(eps[prior], 2), 2)"
    number_format: "0%"
  - {id: eps_change_raw, label: EPS change unrounded, formula: "(eps - eps[prior]) / eps[prior]", number_format: "0%"}
checks:
  - name: 2.675 rounds to 2.68 as Excel rounds it, not 2.67 as its double would
    left: round(decimal, 2)
    right: 2.68
    periods: [current]
  - name: Shown parts add up to the shown sum within a unit
    left: round(eighth, 0) + round(half, 0)
    right: round(eighth + half, 0)
    tolerance: 1
"""

ROUNDING_DATA = """\
line,period,value
eighth,2024,0.125
eighth,2023,-0.125
half,2024,-2.5
half,2023,2.5
decimal,2024,2.675
decimal,2023,1.005
big,2024,1234.5
big,2023,-1250
eps,2024,0.814
eps,2023,0.404
"""

# label: (shown in 2024, shown in 2023), written by hand from Excel's ROUND.
SHOWN = {
    "Eighth to 2": ("0.13", "-0.13"),
    "Half to 0": ("-3", "3"),
    "Decimal to 2": ("2.68", "1.01"),
    "To thousands": ("1,000", "-1,000"),
    "To hundreds": ("1,200", "-1,300"),
    # (0.81 - 0.40) / 0.40 = 102.5%, rounded to 103% as the release shows it; the same
    # change from the unrounded EPS is 101%.
    "EPS change as displayed": ("103%", "0%"),
    "EPS change unrounded": ("101%", "0%"),
}
STORED = {
    "Eighth to 2": (0.13, -0.13),
    "Half to 0": (-3, 3),
    "Decimal to 2": (2.68, 1.01),
    "To thousands": (1000, -1000),
    "To hundreds": (1200, -1300),
    "EPS change as displayed": (1.03, 0),
}


@pytest.fixture
def rounding(tmp_path) -> Path:
    (tmp_path / "report.yaml").write_text(MINI_REPORT)
    (tmp_path / "layout.yaml").write_text(ROUNDING_LAYOUT)
    (tmp_path / "data.csv").write_text(ROUNDING_DATA)
    return tmp_path / "report.yaml"


def _body_rows(rows: list[list], labels) -> dict[str, list]:
    """Each labelled row's cells after its label."""
    found = {}
    for row in rows:
        cells = ["" if c is None else c for c in row]
        for i, cell in enumerate(cells):
            if cell in labels:
                found[cell] = [c for c in cells[i + 1 :] if c != ""]
                break
    return found


def test_round_is_excels_round_stored_recalculated_and_shown(rounding, tmp_path):
    out = tmp_path / "rounding.xlsx"
    result = invoke("build", rounding, "--out", out)
    assert result.exit_code == 0, result.output
    assert "3 of 3 checks hold" in result.output, result.output

    formulas = openpyxl.load_workbook(out)["Rounding"]
    texts = {str(c.value) for row in formulas.iter_rows() for c in row if isinstance(c.value, str)}
    assert {"=ROUND(B7,0)", "=ROUND(C9,-3)", "=ROUND(B9,-2)+0"} <= texts, texts
    assert "=ROUND((ROUND(B10,2)-ROUND(C10,2))/ROUND(C10,2),2)" in texts
    checks = openpyxl.load_workbook(out)["Checks"]
    assert any("ROUND(" in str(c.value) for row in checks.iter_rows() for c in row)

    stored = openpyxl.load_workbook(out, data_only=True)["Rounding"]
    rows = _body_rows([[c.value for c in row] for row in stored.iter_rows()], STORED)
    for label, (now, before) in STORED.items():
        assert rows[label] == [pytest.approx(now, abs=1e-12), pytest.approx(before, abs=1e-12)], label

    # LibreOffice recalculates every formula cell (statement and Checks) to the stored value.
    verified = invoke("verify", out)
    assert verified.exit_code == 0, verified.output
    assert "ok: " in verified.output and "Traceback" not in verified.output

    shown = libreoffice.shown_text(out, tmp_path / "shown", recalc=True)
    seen = _body_rows(shown["Rounding"], SHOWN)
    assert {label: tuple(cells) for label, cells in seen.items()} == SHOWN


def test_a_check_with_round_breaks_where_binary_rounding_would_hold(rounding, tmp_path):
    # 2.675 is the double 2.67499999...: only decimal-correct rounding gives 2.68, so a check
    # against 2.67 must break.
    edit(rounding.parent / "layout.yaml", "right: 2.68", "right: 2.67")
    out = tmp_path / "out.xlsx"
    result = invoke("build", rounding, "--out", out)
    assert result.exit_code == 3, result.output
    assert "2.675 rounds to 2.68" in result.output and "Traceback" not in result.output
    assert not out.exists()


@pytest.mark.parametrize(
    ("formula", "words"),
    [
        ("round(half)", ["round(half) needs two arguments, round(x, n)"]),
        ("round(half, 2, 1)", ["needs two arguments"]),
        ("round(half, ndigits=2)", ["needs two arguments"]),
        ("round(half, 2.5)", ["the number of decimals '2.5' must be a whole number"]),
        ("round(half, 2.0)", ["the number of decimals '2.0' must be a whole number"]),
        ("round(half, fx)", ["the number of decimals 'fx' must be a whole number"]),
        ("round(half, eighth)", ["the number of decimals 'eighth' must be a whole number"]),
        ("round(half, 1 + 1)", ["the number of decimals '1 + 1' must be a whole number"]),
        ("round(half, 0x2)", ["the number of decimals '0x2' must be a whole number"]),
        ("round(half, True)", ["the number of decimals 'True' must be a whole number"]),
        ("round(half, 16)", ["between -15 and 15"]),
        ("round(half, -16)", ["between -15 and 15"]),
        ("ROUND(half, 2)", ["is not allowed", "round(x, n)"]),
        ("floor(half)", ["is not allowed", "round(x, n)"]),
    ],
)
def test_a_round_that_is_not_excels_is_refused_at_its_line(rounding, formula, words):
    edit(rounding.parent / "layout.yaml", 'formula: "round(half, 0)"', f'formula: "{formula}"')
    refused(rounding, "layout.yaml:16:", f"formula {formula!r}", *words)


def test_a_round_in_a_check_that_is_not_excels_is_refused_at_its_line(rounding):
    edit(rounding.parent / "layout.yaml", "left: round(decimal, 2)", "left: round(decimal, places)")
    refused(rounding, "layout.yaml:27:", "the number of decimals 'places' must be a whole number")


# ------------------------------------------------------------------ typed forms

FORMS_LAYOUT_ROWS = """\
  - {id: other, label: Other}
  - {id: fees, label: Fees}
  - {id: margin, label: Margin, number_format: "0.0%"}
"""

# line, period, the plain form, the text of a cell as Excel's Save as CSV writes it (the
# file quotes a field holding a comma, as Excel does: _csv_text)
FORMS = [
    ("product", "2024", "1234.5", "1,234.5"),
    ("product", "2023", "35082", "$35,082"),
    ("service", "2024", "-35082", "-$35,082"),
    ("service", "2023", "-1234", "(1,234)"),
    ("cost", "2024", "-1234.5", "($1,234.50)"),
    ("cost", "2023", "-1234", "$ (1,234)"),  # an accounting format pads after the sign
    ("other", "2024", "1000", "¥1,000"),
    ("other", "2023", "-0.5", "(€0.5)"),
    ("fees", "2024", "12", "£12"),
    ("fees", "2023", "-1234567.25", "$(1,234,567.25)"),
    ("margin", "2024", "-12.5%", "(12.5%)"),
    ("margin", "2023", "-1234.5%", "(1,234.5%)"),
]
# What Excel holds for each dressed figure, by hand.
HELD = {
    ("product", "2024"): 1234.5,
    ("product", "2023"): 35082,
    ("service", "2024"): -35082,
    ("service", "2023"): -1234,
    ("cost", "2024"): -1234.5,
    ("cost", "2023"): -1234,
    ("other", "2024"): 1000,
    ("other", "2023"): -0.5,
    ("fees", "2024"): 12,
    ("fees", "2023"): -1234567.25,
    ("margin", "2024"): -0.125,
    ("margin", "2023"): -12.345,
}


def _csv_text(rows) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([("line", "period", "value"), *rows])
    return out.getvalue()


def _report(folder: Path, data: str) -> Path:
    from tests.conftest import MINI_LAYOUT

    folder.mkdir()
    (folder / "report.yaml").write_text(MINI_REPORT)
    (folder / "layout.yaml").write_text(MINI_LAYOUT.replace("notes:", FORMS_LAYOUT_ROWS + "notes:"))
    (folder / "data.csv").write_text(data)
    return folder / "report.yaml"


def _values(path: Path) -> dict[str, list[list]]:
    """Every sheet's stored values, the Data sheet's source column ("data.csv:2") aside."""
    book = openpyxl.load_workbook(path, data_only=True)
    sheets = {}
    for ws in book.worksheets:
        rows = [[c.value for c in row] for row in ws.iter_rows()]
        sheets[ws.title] = [[v for v in row if not (isinstance(v, str) and "data.csv" in v)] for row in rows]
    return sheets


def _data_sheet(path: Path) -> dict[tuple[str, str], float]:
    rows = openpyxl.load_workbook(path, read_only=True)["Data"].iter_rows(min_row=2, values_only=True)
    return {(line, period): value for line, _, period, value, *_ in rows}


def test_figures_typed_as_excel_writes_them_build_the_plain_workbook(tmp_path):
    plain = _report(tmp_path / "plain", _csv_text((a, b, c) for a, b, c, _ in FORMS))
    dressed = _report(tmp_path / "dressed", _csv_text((a, b, d) for a, b, _, d in FORMS))
    assert '"$35,082"' in (dressed.parent / "data.csv").read_text()
    for report in (plain, dressed):
        result = invoke("build", report, "--out", report.parent / "out.xlsx")
        assert result.exit_code == 0, result.output
    assert _values(dressed.parent / "out.xlsx") == _values(plain.parent / "out.xlsx")
    held = _data_sheet(dressed.parent / "out.xlsx")
    assert {key: held[key] for key in HELD} == HELD
    assert repr(held[("margin", "2024")]) == "-0.125" and repr(held[("margin", "2023")]) == "-12.345"


def test_a_dataframe_of_dressed_text_is_read_as_the_csv_is(tmp_path):
    report = _report(tmp_path / "frame", _csv_text((a, b, c) for a, b, c, _ in FORMS))
    frame = pd.DataFrame([(a, b, d) for a, b, _, d in FORMS], columns=["line", "period", "value"], dtype=object)
    built = builder.build(report, tmp_path / "frame.xlsx", data=frame)
    held = _data_sheet(built.path)
    assert {key: held[key] for key in HELD} == HELD


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("(1,234", "(a parenthesis is not closed"),
        ("1,234)", "(a parenthesis is not closed"),
        ("$$5", "(one currency sign at most"),
        ("1,23", "(commas group digits in threes"),
        ("(1,23)", "(commas group digits in threes"),
        ("($)", "found '($)'"),
        ("()", "found '()'"),
        ("$", "found '$'"),
        ("(-5)", "found '(-5)'"),
        ("-(5)", "found '-(5)'"),
        ("-($5)", "found '-($5)'"),
        ("((5))", "found '((5))'"),
        ("$-5", "the minus sign goes before the currency sign"),
        ("$12%", "a percentage takes no currency sign"),
        ("(12.5)%", "found '(12.5)%'"),
        ("12$", "found '12$'"),
        ("US$12", "found 'US$12'"),
        ("-", "a dash is not a number; type 0"),
        ("$ -", "a dash is not a number; type 0"),
        ("(1.234,5)", "found '(1.234,5)'"),
        # issue 11's refusals hold inside the dress
        ("(150%%)", "one % sign at most"),
        ("($1_000)", "'_' does not group digits"),
        ("(１２３)", "write the digits 0-9"),
        ("$(inf)", "Excel has no infinity or NaN"),
        ("(1234567890123456)", "16 significant digits; Excel keeps 15"),
        ("($0.1234567890123456)", "16 significant digits; Excel keeps 15"),
        ("($1e309)", "beyond Excel's largest number"),
        ("(1e-400)", "smaller than Excel's smallest number"),
    ],
)
def test_a_malformed_dressed_figure_is_refused_at_its_line(mini, typed, words):
    # Quoted as Excel quotes a field: the field's text is `typed`, commas and all.
    edit(mini.parent / "data.csv", "cost,2023,120", f'cost,2023,"{typed}"')
    refused(mini, "data.csv:7:", "value of 'cost' for 2023", words)


def test_a_dressed_percentage_on_an_amount_line_is_refused(mini):
    edit(mini.parent / "data.csv", "cost,2024,150", "cost,2024,(12.5%)")
    refused(mini, "data.csv:6:", "'cost' for 2024 is typed with a % sign")


def test_a_zero_typed_negative_is_held_as_excels_zero(mini, tmp_path):
    # Excel has no negative zero: (0) and -0 are 0, and the workbook must not say -0.0.
    edit(mini.parent / "data.csv", "cost,2023,120", "cost,2023,(0)")
    edit(mini.parent / "data.csv", "service,2023,50", "service,2023,-0")
    out = tmp_path / "zero.xlsx"
    result = invoke("build", mini, "--out", out)
    assert result.exit_code == 0, result.output
    held = _data_sheet(out)
    assert [math.copysign(1, held[key]) for key in (("cost", "2023"), ("service", "2023"))] == [1, 1]
    with zipfile.ZipFile(out) as book:
        sheets = [book.read(name) for name in book.namelist() if name.startswith("xl/worksheets/")]
    assert not any(re.search(rb"<v>-0(\.0*)?</v>", sheet) for sheet in sheets)
