"""Footing the publisher's way: declared placements (`adjust:`), a total's own plain rounding
(`rounding: plain` on a row), a footed group under a hidden total, and a row's own format for
some columns (`number_format: {pct: "0.0%"}`).

Every expected figure below is worked out by hand in the comments, from the typed amounts
(revenue is 10,000, so a line's exact percentage is its amount / 100), never by the builder.
"""

from __future__ import annotations

import csv
import subprocess
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from builder import plan
from builder.cli import main
from builder.verify import libreoffice
from tests.conftest import MINI_DATA, MINI_LAYOUT, MINI_REPORT, TWO_YEAR_REPORT, edit
from tests.structure import ooxml_errors, structural_problems

REPORT = TWO_YEAR_REPORT

# A whole-percent statement. The publisher rounds each figure plainly, and where that does not
# add up places the difference by judgement:
# - 2024: operating income is 250 / 10,000 = 2.5%, published as 3% (its own rounding). Income
#   before taxes is 4.1% -> 4, so other income (1.6%) is published as 1 = 4 - 3; its lines
#   0.45%, 0.35%, 0.80% round plainly to 0, 0, 1, which add up to 1.
# - 2023: other income 0.40% + 0.30% + 0.40% = 1.1% -> 1, its lines round to 0, 0, 0: one spare
#   unit, which the publisher put on gains (0.30%), not on interest (the rule's choice: the
#   largest remainder, 0.40, tied with fees and going to the earlier line).
LAYOUT = """\
sheet: Income
title: ["{company}", Statement of income]
percent_format: "0%"
rounding: foot
columns:
  - period: current
    columns:
      - {id: amt, kind: amount, header: Amount}
      - {id: pct, kind: percent_of, base: revenue, header: "%"}
  - period: prior
    columns:
      - {id: amt_p, kind: amount, header: Amount}
      - {id: pct_p, kind: percent_of, base: revenue, header: "%"}
rows:
  - {id: product, label: Product}
  - {id: service, label: Service}
  - {id: revenue, label: Total revenues, total: [product, service], style: total}
  - {id: cost, label: Cost of revenues}
  - {id: gross, label: Gross profit, total: [revenue, -cost], style: total}
  - {id: opex, label: Operating expenses}
  - {id: op_income, label: Operating income, total: [gross, -opex], style: total, rounding: plain}
  - {id: interest, label: Interest income}
  - {id: gains, label: Gains}
  - {id: fees, label: Other fees}
  - {id: other, label: Total other income, total: [interest, gains, fees], style: total}
  - {id: pretax, label: Income before taxes, total: [op_income, other], style: total}
  - {id: tax, label: Income taxes}
  - {id: net, label: Net income, total: [pretax, -tax], style: grand_total}
  - {id: na, label: North America}
  - {id: eu, label: Europe}
  - {id: asia, label: Asia}
  - {id: regions, label: Revenue by region, total: [na, eu, asia], hidden: true}
adjust:
  - {row: gains, column: pct_p, units: 1, note: "as published: the spare unit on gains"}
"""

DATA = """\
line,period,value
product,2024,6120
service,2024,3880
cost,2024,5940
opex,2024,3810
interest,2024,45
gains,2024,35
fees,2024,80
tax,2024,90
product,2023,5500
service,2023,4500
cost,2023,6100
opex,2023,3500
interest,2023,40
gains,2023,30
fees,2023,40
tax,2023,110
na,2024,3333
eu,2024,3333
asia,2024,3334
na,2023,3333
eu,2023,3333
asia,2023,3334
"""

# label: (2024 %, 2023 %) as the publisher prints them, worked out by hand.
# 2024: net 320 -> 3.2% -> 3 (the top total rounds plainly). Under it, 4.1% and (0.9%): floors
#   4 and -1 add up to 3, nothing to hand out: pretax 4, taxes 1. Under pretax (4), operating
#   income keeps its own rounding, 2.5 -> 3, so other income gets 4 - 3 = 1. Under operating
#   income (3): gross 40.6 and (38.1): floors 40 and -39 = 1, two units to hand out: 41 and 38.
#   Under gross (41): 100 and (59.4): floors 100 and -60 = 40, one unit, to cost: 59. Revenue
#   (100): 61.2 and 38.8, floors 99, one unit to the larger remainder: 61 and 39. Other income
#   (1): 0.45, 0.35, 0.80, floors 0, one unit to the largest remainder, fees: 0, 0, 1.
# 2023: net 400 -> 4. Pretax 5.1, taxes (1.1): floors 5 and -2 = 3, one unit to the larger
#   remainder (0.9, taxes): 5 and 1. Operating income keeps 4.0 -> 4; other income 5 - 4 = 1.
#   Gains is declared +1: 0.30 -> 0 + 1 = 1; interest and fees: 1 - 1 = 0 left: 0 and 0.
#   The rest is exact: 55, 45, 100, 61, 39, 35.
PUBLISHED = {
    "Product": ("61%", "55%"),
    "Service": ("39%", "45%"),
    "Total revenues": ("100%", "100%"),
    "Cost of revenues": ("59%", "61%"),
    "Gross profit": ("41%", "39%"),
    "Operating expenses": ("38%", "35%"),
    "Operating income": ("3%", "4%"),
    "Interest income": ("0%", "0%"),
    "Gains": ("0%", "1%"),
    "Other fees": ("1%", "0%"),
    "Total other income": ("1%", "1%"),
    "Income before taxes": ("4%", "5%"),
    "Income taxes": ("1%", "1%"),
    "Net income": ("3%", "4%"),
}

# The rule alone (no declarations): under pretax (4), 2.5 and 1.6 have floors 2 + 1 = 3 and one
# unit to hand out, to the larger remainder (0.6, other income): operating income shows 2 where
# its own rounding (3) is right, and other income 2, whose lines (floors 0) then get two units:
# fees (0.80) and interest (0.45): 1, 0, 1. In 2023 the spare unit of other income goes to the
# largest remainder, interest and fees tied at 0.40, the earlier line: interest.
BY_RULE = {
    "Operating income": ("2%", "4%"),
    "Interest income": ("1%", "1%"),
    "Gains": ("0%", "0%"),
    "Other fees": ("1%", "0%"),
    "Total other income": ("2%", "1%"),
}


def publisher_report(folder: Path, layout: str = LAYOUT) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "report.yaml").write_text(REPORT)
    (folder / "layout.yaml").write_text(layout)
    (folder / "data.csv").write_text(DATA)
    return folder / "report.yaml"


def by_rule_layout() -> str:
    layout = LAYOUT.replace(", rounding: plain}", "}")
    return layout[: layout.index("adjust:")]


FORMATS_ROW = '{id: product, label: Product, indent: 1, number_format: {pct: "0.00%", chg: "0%", jpy: "#,##0.00"}}'


def _build(report: Path, out: Path, *options: str) -> None:
    result = CliRunner().invoke(main, ["build", str(report), "--out", str(out), *options])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output


@pytest.fixture(scope="module")
def books(tmp_path_factory) -> dict:
    """Three workbooks built by the CLI, recalculated by LibreOffice in one run: the publisher's
    statement (also printed), the same by the rule alone, and a row with its own formats."""
    root = tmp_path_factory.mktemp("publisher")
    declared, byrule, formats = (
        root / "out" / "declared.xlsx",
        root / "out" / "byrule.xlsx",
        root / "out" / "formats.xlsx",
    )
    _build(publisher_report(root / "declared"), declared, "--pdf")
    _build(publisher_report(root / "byrule", by_rule_layout()), byrule)
    (root / "formats").mkdir()
    (root / "formats" / "report.yaml").write_text(MINI_REPORT)
    (root / "formats" / "layout.yaml").write_text(
        MINI_LAYOUT.replace("{id: product, label: Product, indent: 1}", FORMATS_ROW)
    )
    (root / "formats" / "data.csv").write_text(MINI_DATA)
    _build(root / "formats" / "report.yaml", formats)

    csvs = root / "csv"
    libreoffice.convert([declared, byrule, formats], csvs, libreoffice.CSV_AS_SHOWN, recalc=True)
    shown: dict[str, dict[str, list[list[str]]]] = {}
    for book in (declared, byrule, formats):
        for path in csvs.glob(f"{book.stem}-*.csv"):
            with open(path, encoding="utf-8", newline="") as handle:
                shown.setdefault(book.stem, {})[path.stem[len(book.stem) + 1 :]] = list(csv.reader(handle))
    return {"declared": declared, "shown": shown}


def _rows(sheet: list[list[str]]) -> dict[str, list[str]]:
    return {row[0]: row for row in sheet if row and row[0]}


def test_the_publishers_whole_percent_statement_is_reproduced(books):
    rows = _rows(books["shown"]["declared"]["Income"])
    for label, (current, prior) in PUBLISHED.items():
        assert (rows[label][2], rows[label][4]) == (current, prior), label
    # The amounts are untouched: 250 and 6,120 as typed.
    assert rows["Operating income"][1] == "250" and rows["Product"][1] == "6,120"


def test_the_rule_alone_moves_what_the_publisher_left_alone(books):
    rows = _rows(books["shown"]["byrule"]["Income"])
    for label, (current, prior) in BY_RULE.items():
        assert (rows[label][2], rows[label][4]) == (current, prior), label
    # Either way each column adds up: other income = interest + gains + fees.
    for col in (2, 4):
        parts = sum(int(rows[line][col].rstrip("%")) for line in ("Interest income", "Gains", "Other fees"))
        assert parts == int(rows["Total other income"][col].rstrip("%"))


def test_declared_placements_are_live_and_noted_on_the_footing_sheet(books):
    footing = books["shown"]["declared"]["Footing"]
    assert footing[0][11] == "Note"
    gains = [row for row in footing if row and row[0] == "Gains"]
    assert len(gains) == 2  # one per footed column
    noted = [row for row in gains if row[11]]
    assert len(noted) == 1 and "as published: the spare unit on gains" in noted[0][11] and "+1" in noted[0][11]
    assert noted[0][7] == "declared"
    # Adjustment: shown 1% against 0.30% rounded to 0%: +0.01, recalculated by LibreOffice.
    assert float(noted[0][10].replace(",", "")) == pytest.approx(0.01)
    plain = [row for row in footing if row and row[0] == "Operating income"]
    assert all(row[7] == "plain" and "rounding: plain" in row[11] for row in plain)

    book = openpyxl.load_workbook(books["declared"])
    at = {c.value: c.row for c in book["Income"]["A"] if c.value}
    cell = book["Income"].cell(at["Gains"], 5)  # 2023 %: the rounded exact figure plus its Footing adjustment
    assert "ROUND(D14/D8,2)+Footing!K" in cell.value, cell.value
    # The adjustment is highlighted, as the rule's are.
    rules = book["Footing"].conditional_formatting
    assert any("K" in str(rng.sqref) for rng in rules)


def test_a_hidden_total_foots_its_printed_lines_and_is_not_printed(books):
    # 3,333 / 3,334 of 10,000: 33.33 + 33.33 + 33.34 = 100. Plain rounding shows 33 + 33 + 33 = 99;
    # footed to the hidden total's 100, the spare unit goes to the largest remainder, Asia's 0.34.
    rows = _rows(books["shown"]["declared"]["Income"])
    assert [rows[line][2] for line in ("North America", "Europe", "Asia")] == ["33%", "33%", "34%"]
    assert rows["Revenue by region"][2] == "100%" and rows["Revenue by region"][4] == "100%"

    sheet = openpyxl.load_workbook(books["declared"])["Income"]
    at = {cell.value: cell.row for cell in sheet["A"] if cell.value}
    assert sheet.row_dimensions[at["Revenue by region"]].hidden
    assert not sheet.row_dimensions[at["Asia"]].hidden

    pdf = books["declared"].with_suffix(".pdf")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Asia" in text and "34%" in text
    assert "Revenue by region" not in text


def test_a_row_formats_its_cells_in_chosen_columns(books):
    rows = _rows(books["shown"]["formats"]["Income"])
    # Product: 120 / 200 = 60% in 0.00%; (120 - 100) / 100 = 20% in 0%; JPY 120 in #,##0.00.
    # Its USD (120 / 150 = 0.8, shown 1) and prior JPY keep the columns' formats.
    assert rows["Product"][1:6] == ["1", "120.00", "60.00%", "100", "20%"]
    # Service keeps the layout's: 80 / 200 = 40.0%, (80 - 50) / 50 = 60.0%.
    assert rows["Service"][3] == "40.0%" and rows["Service"][5] == "60.0%"


# ------------------------------------------------------------------ refused, at the line


def _refused(report: Path, tmp_path: Path, line: int, *phrases: str) -> None:
    out = tmp_path / "out" / "refused.xlsx"
    result = CliRunner().invoke(main, ["build", str(report), "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert f"layout.yaml:{line}" in result.output, result.output
    for phrase in phrases:
        assert phrase in result.output, result.output
    assert not (tmp_path / "out").exists() or list((tmp_path / "out").iterdir()) == []


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


ADJUST = '  - {row: gains, column: pct_p, units: 1, note: "as published: the spare unit on gains"}'


@pytest.mark.parametrize(
    ("declared", "phrases"),
    [
        ('{row: gain, column: pct_p, units: 1, note: "x"}', ("no row 'gain'", "did you mean 'gains'")),
        ('{row: gains, column: pctp, units: 1, note: "x"}', ("no column 'pctp'", "did you mean 'pct_p'")),
        ('{row: gains, column: amt_p, units: 1, note: "x"}', ("column 'amt_p' does not foot",)),
        ('{row: gains, column: pct_p, units: 0.5, note: "x"}', ("whole number", "0.5")),
        ('{row: gains, column: pct_p, units: 0, note: "x"}', ("whole number", "found 0")),
        ('{row: gains, column: pct_p, units: 2, note: "x"}', ("+2 is more than a rounding moves",)),
        pytest.param(
            '{row: gains, column: pct, units: 1, note: "' + "x" * 32_767 + '"}',
            ("longer than Excel's 32,767 characters",),
            id="a-note-longer-than-a-cell",
        ),
        ('{row: op_income, column: pct, units: 1, note: "x"}', ("rounding: plain", "give one of the two")),
        # Product is exactly 55.00% in 2023: +1 would show 56%, which is not a rounding of it.
        ('{row: product, column: pct_p, units: 1, note: "x"}', ("'product' is 55 unit(s) exactly", "56")),
        # Gross profit 40.6% in 2024 at 40 (-1) leaves operating expenses (38.1%) to make 3 - 40 = -37:
        # floor -39 and 2 units to hand out to one line, which can take at most 1.
        ('{row: gross, column: pct, units: -1, note: "x"}', ("would leave 2 unit(s)", "would not add up")),
    ],
)
def test_a_bad_declaration_is_refused_at_its_line(tmp_path, declared, phrases):
    layout = LAYOUT.replace(ADJUST, ADJUST + "\n  - " + declared)
    report = publisher_report(tmp_path / "r", layout)
    _refused(report, tmp_path, _line_of(layout, declared), *phrases)


def test_a_placement_declared_twice_is_refused(tmp_path):
    layout = LAYOUT.replace(ADJUST, ADJUST + "\n" + ADJUST.replace("as published", "again"))
    report = publisher_report(tmp_path / "r", layout)
    _refused(report, tmp_path, _line_of(layout, "again"), "declared twice", f"line {_line_of(layout, 'as published')}")


@pytest.mark.parametrize(
    ("row", "phrases"),
    [
        # A row showing no footed column has nothing to keep.
        ("{id: tax, label: Income taxes, show: [amount], rounding: plain}", ("shows no footed column",)),
        # An amount cell does not take rounding (the kinds say which cells take which keys).
        ("{id: tax, label: Income taxes, rounding: {amt: plain}}", ("takes no rounding",)),
        # A format at other decimals than the column foots at would show a figure rounded otherwise.
        (
            '{id: tax, label: Income taxes, number_format: {pct: "0.0%"}}',
            ("shows other decimals than column 'pct' foots at ('0%')",),
        ),
        ('{id: tax, label: Income taxes, number_format: {pcx: "0%"}}', ("no column 'pcx'", "did you mean")),
    ],
)
def test_a_bad_row_option_is_refused_at_its_line(tmp_path, row, phrases):
    layout = LAYOUT.replace("{id: tax, label: Income taxes}", row)
    report = publisher_report(tmp_path / "r", layout)
    _refused(report, tmp_path, _line_of(layout, row), *phrases)


def test_rounding_on_a_plain_column_is_refused(tmp_path):
    report = publisher_report(tmp_path / "r")
    edit(report.parent / "layout.yaml", "rounding: foot\n", "")
    edit(report.parent / "layout.yaml", ADJUST, "")  # (an adjustment there is refused on its own)
    text = (report.parent / "layout.yaml").read_text()
    edit(report.parent / "layout.yaml", "adjust:\n", "")
    _refused(report, tmp_path, _line_of(text, "rounding: plain"), "shows no footed column")


def test_the_declared_workbook_is_structurally_sound(books):
    # The Note column and the text in the Rank column are new cells of the Footing sheet.
    report = books["declared"].parent.parent / "declared" / "report.yaml"
    assert structural_problems(books["declared"], [s.name for s in plan(report).sheets]) == []
    assert ooxml_errors(books["declared"]) == []


def test_an_adjustment_of_a_line_in_no_total_is_refused(tmp_path):
    # Footing places units only inside totals; a line outside them shows its own rounding.
    layout = LAYOUT.replace("  - {id: na,", "  - {id: memo, label: Employees}\n  - {id: na,")
    declared = '{row: memo, column: pct, units: 1, note: "x"}'
    layout = layout.replace(ADJUST, ADJUST + "\n  - " + declared)
    report = publisher_report(tmp_path / "r", layout)
    with open(report.parent / "data.csv", "a") as data:
        data.write("memo,2024,12\nmemo,2023,11\n")
    _refused(report, tmp_path, _line_of(layout, declared), "'memo' is in no total")
