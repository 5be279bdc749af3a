"""`basis: displayed`: changes and percentages computed from figures as their cells show them,
and rounded to what their own cell shows, so that Excel and LibreOffice show the same figure.

Each build runs the real CLI and is read as LibreOffice shows it, recalculated and as stored.
The expected figures are worked out by hand in the comments, not by the builder.
"""

from __future__ import annotations

import filecmp
import re

import openpyxl
import pytest
from click.testing import CliRunner

from builder.cli import main
from builder.kinds.base import shown_decimals
from builder.verify import libreoffice
from tests.conftest import TWO_YEAR_REPORT, edit

REPORT = TWO_YEAR_REPORT

LAYOUT = """\
sheet: Summary
title: ["{company}", Summary]
columns:
  - {id: cur, kind: amount, period: current, header: "2024"}
  - {id: pri, kind: amount, period: prior, header: "2023"}
  - {id: yoy, kind: change, from: prior, to: current, header: Y/Y, number_format: '"Up "0%;"Down "0%;"--"'}
  - {id: pts, kind: difference, from: prior, to: current, header: Points}
rows:
  - {id: revenue, label: Revenue, show: [amount, change]}
  - {id: profit, label: Profit, show: [amount, change]}
  - {id: net_income, label: Net income, show: [amount]}
  - {id: shares, label: Shares, show: [amount]}
  - {id: eps, label: EPS, formula: net_income / shares, number_format: "0.00", show: [amount, change]}
  - {id: margin, label: Margin, formula: profit / revenue, number_format: "0.0%", show: [amount, difference]}
  - {id: typed_eps, label: Typed EPS, number_format: "0.00", show: [amount, change]}
"""

# EPS 81.4 / 100 = 0.814 (shows 0.81) against 40.4 / 100 = 0.404 (shows 0.40).
# Margin 352.4 / 1000 = 35.24% (shows 35.2%) against 345.2 / 996 = 34.659% (shows 34.7%).
# Typed EPS 0.81 against 0.40: (0.81 - 0.40) / 0.40 = 1.025, a display half (1.0249999... in binary).
DATA = """\
line,period,value
revenue,2024,1000
revenue,2023,996
profit,2024,352.4
profit,2023,345.2
net_income,2024,81.4
net_income,2023,40.4
shares,2024,100
shares,2023,100
typed_eps,2024,0.81
typed_eps,2023,0.40
"""


def invoke(*args):
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return result


@pytest.fixture
def summary(tmp_path):
    (tmp_path / "report.yaml").write_text(REPORT)
    (tmp_path / "layout.yaml").write_text(LAYOUT)
    (tmp_path / "data.csv").write_text(DATA)
    return tmp_path / "report.yaml"


def shown(report, tmp_path, sheet="Summary") -> dict[bool, dict[str, list[str]]]:
    """Build; check that `verify` agrees; each row by its label, recalculated (True) and as stored (False)."""
    out = tmp_path / "out.xlsx"
    result = invoke("build", report, "--out", out)
    assert result.exit_code == 0, result.output
    verified = invoke("verify", out)
    assert verified.exit_code == 0, verified.output
    views = {}
    for recalc in (True, False):
        rows = libreoffice.shown_text(out, tmp_path / f"csv-{recalc}", recalc=recalc)[sheet]
        views[recalc] = {row[0]: row[1:] for row in rows if row and row[0]}
    return views


def test_the_default_basis_computes_from_unrounded_figures_and_rounds_nothing(summary, tmp_path):
    for recalc, rows in shown(summary, tmp_path).items():
        assert rows["EPS"][:3] == ["0.81", "0.40", "Up 101%"], recalc  # 0.41 / 0.404 = 101.5%
        # The display half: 1.0249999... shows 102% in LibreOffice (Excel shows 103%).
        assert rows["Typed EPS"][:3] == ["0.81", "0.40", "Up 102%"], recalc
        assert rows["Margin"][:4] == ["35.2%", "34.7%", "", "0.6 pts"], recalc  # 35.24 - 34.659 = 0.58
        assert rows["Revenue"][2] == "Up 0%", recalc  # 4 / 996 = 0.4%
    ws = openpyxl.load_workbook(tmp_path / "out.xlsx")["Summary"]
    assert not [c.coordinate for row in ws.iter_rows() for c in row if "ROUND" in str(c.value)]


def test_the_half_case_shows_103_percent_in_libreoffice_and_as_stored(summary, tmp_path):
    edit(summary.parent / "layout.yaml", "header: Y/Y,", "header: Y/Y, basis: displayed,")
    for recalc, rows in shown(summary, tmp_path).items():
        assert rows["Typed EPS"][:3] == ["0.81", "0.40", "Up 103%"], recalc
    ws = openpyxl.load_workbook(tmp_path / "out.xlsx")["Summary"]
    assert ws["D11"].value == '=IF(ROUND(C11,2)=0,"n.m.",ROUND((ROUND(B11,2)-ROUND(C11,2))/ROUND(C11,2),2))'
    stored = openpyxl.load_workbook(tmp_path / "out.xlsx", data_only=True)["Summary"]
    assert stored["D11"].value == 1.03


def test_a_column_on_the_displayed_basis(summary, tmp_path):
    layout = summary.parent / "layout.yaml"
    edit(layout, "header: Y/Y,", "header: Y/Y, basis: displayed,")
    edit(layout, "header: Points}", "header: Points, basis: displayed}")
    for recalc, rows in shown(summary, tmp_path).items():
        # EPS as shown: (0.81 - 0.40) / 0.40 = 102.5%, rounded as shown: 103%, as the release prints.
        assert rows["EPS"][:3] == ["0.81", "0.40", "Up 103%"], recalc
        # Margins as shown: 35.2% - 34.7% = 0.5 points.
        assert rows["Margin"][:4] == ["35.2%", "34.7%", "", "0.5 pts"], recalc
        # 0.4% rounds to 0% as shown: the zero section of the format, "--", as a release prints it.
        assert rows["Revenue"][2] == "--", recalc
        assert rows["Profit"][2] == "Up 2%", recalc  # 352 / 345 - 1 = 2.0%


def test_a_row_on_the_displayed_basis_in_a_column_on_the_exact_one(summary, tmp_path):
    layout = summary.parent / "layout.yaml"
    edit(layout, 'number_format: "0.00", show: [amount, change]}', 'number_format: "0.00", show: [amount, change], '
         "basis: displayed}")  # fmt: skip
    edit(layout, "show: [amount, difference]}", "show: [amount, difference], basis: {pts: displayed}}")
    for recalc, rows in shown(summary, tmp_path).items():
        assert rows["EPS"][2] == "Up 103%", recalc
        assert rows["Margin"][3] == "0.5 pts", recalc
        # The other rows keep the column's exact basis.
        assert rows["Typed EPS"][2] == "Up 102%", recalc
        assert rows["Revenue"][2] == "Up 0%", recalc


def test_a_row_on_the_exact_basis_in_a_column_on_the_displayed_one(summary, tmp_path):
    layout = summary.parent / "layout.yaml"
    edit(layout, "header: Y/Y,", "header: Y/Y, basis: displayed,")
    edit(layout, 'number_format: "0.00", show: [amount, change]}', 'number_format: "0.00", show: [amount, change], '
         "basis: {yoy: exact}}")  # fmt: skip
    for recalc, rows in shown(summary, tmp_path).items():
        assert rows["EPS"][2] == "Up 101%", recalc
        assert rows["Typed EPS"][2] == "Up 103%", recalc


def test_a_margin_row_shows_points_on_displayed_margins_in_a_change_column(summary, tmp_path):
    # The release's summary table: amounts show "Up 2%" in the Y/Y column, the margin row "0.5 pts"
    # there, from margins as shown (35.2% - 34.7%), where the unrounded margins give 0.6.
    layout = summary.parent / "layout.yaml"
    edit(layout, "  - {id: pts, kind: difference, from: prior, to: current, header: Points}\n", "")
    edit(layout, MARGIN_ROW, "show: [amount, change], kind: {yoy: difference}, basis: {yoy: displayed}}")
    for recalc, rows in shown(summary, tmp_path).items():
        assert rows["Margin"][:3] == ["35.2%", "34.7%", "0.5 pts"], recalc
        assert rows["Profit"][2] == "Up 2%", recalc
        assert rows["Typed EPS"][2] == "Up 102%", recalc  # the column's own basis, exact, elsewhere


def test_a_base_that_shows_zero_is_a_zero_base(summary, tmp_path):
    # 0.004 shows 0.00: on the displayed basis the change has no base, and shows n.m., never #DIV/0!.
    edit(summary.parent / "layout.yaml", "header: Y/Y,", "header: Y/Y, basis: displayed,")
    edit(summary.parent / "data.csv", "typed_eps,2023,0.40", "typed_eps,2023,0.004")
    for recalc, rows in shown(summary, tmp_path).items():
        assert rows["Typed EPS"][:3] == ["0.81", "0.00", "n.m."], recalc


def test_a_percent_of_total_on_the_displayed_basis(mini, tmp_path):
    # Product 50.4 (shows 50) of revenue 199.6 (shows 200): 25.0% as shown, 25.3% unrounded;
    # service 149.2 (149): 74.5%, not 74.7%; profit 49.6 (50): 25.0%, not 24.8%.
    edit(mini.parent / "data.csv", "product,2024,120", "product,2024,50.4")
    edit(mini.parent / "data.csv", "service,2024,80", "service,2024,149.2")
    edit(mini.parent / "layout.yaml", 'header: "%"}', 'header: "%", basis: displayed}')
    for recalc, rows in shown(mini, tmp_path, sheet="Income").items():
        assert rows["Product"][1:3] == ["50", "25.0%"], recalc
        assert rows["Service"][1:3] == ["149", "74.5%"], recalc
        assert rows["Total revenue"][1:3] == ["200", "100.0%"], recalc
        assert rows["Profit"][1:3] == ["50", "25.0%"], recalc


def _refused(report, tmp_path, *words):
    out = tmp_path / "out.xlsx"
    before = sorted(p.name for p in tmp_path.iterdir())
    result = invoke("build", report, "--out", out)
    assert result.exit_code == 2, result.output
    for word in words:
        assert word in result.output, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing written, nothing left behind
    return result.output


EPS_ROW = 'number_format: "0.00", show: [amount, change]}'
MARGIN_ROW = "show: [amount, difference]}"


@pytest.mark.parametrize(
    "old, new, line, words",
    [
        ("header: Y/Y,", "header: Y/Y, basis: shown,", 6, ["'shown' is not one of 'exact', 'displayed'"]),
        ('header: "2024"}', 'header: "2024", basis: displayed}', 4, ["column 'cur' (amount) does not take 'basis'"]),
        (EPS_ROW, EPS_ROW[:-1] + ", basis: shown}", 13, ["'shown' is not one of 'exact', 'displayed'"]),
        (EPS_ROW, EPS_ROW[:-1] + ", basis: {yoy: rounded}}", 13, ["'rounded' is not one of"]),
        (
            EPS_ROW,
            EPS_ROW[:-1] + ", basis: {yoj: displayed}}",
            13,
            ["row 'eps': basis {yoj: displayed}: sheet 'Summary' has no column 'yoj'", "did you mean 'yoy'"],
        ),
        (
            EPS_ROW,
            EPS_ROW[:-1] + ", basis: {cur: displayed}}",
            13,
            ["row 'eps': basis {cur: displayed}: its cell in column 'cur' is amount, which takes no basis"],
        ),
        (
            EPS_ROW,
            EPS_ROW[:-1] + ", basis: {pts: displayed}}",
            13,
            ["row 'eps': basis {pts: displayed}: the row does not show column 'pts'"],
        ),
        (
            "{id: shares, label: Shares, show: [amount]}",
            "{id: shares, label: Shares, show: [amount], basis: displayed}",
            12,
            ["row 'shares': basis: displayed applies to its percent_of and change and difference cells"],
        ),
    ],
)
def test_a_basis_that_cannot_hold_is_refused_at_its_line(summary, tmp_path, old, new, line, words):
    edit(summary.parent / "layout.yaml", old, new)
    _refused(summary, tmp_path, f"layout.yaml:{line}:", *words)


def test_a_displayed_basis_in_a_footed_column_is_refused(mini, tmp_path):
    # Figures as shown need not add up to their total as shown (120.4 + 79.4 shows 120 + 79 = 199
    # against 200), so the footing could not hand out the difference: refused, not left unfooted.
    layout = mini.parent / "layout.yaml"
    edit(layout, 'header: "%"}', 'header: "%", basis: displayed, rounding: foot}')
    _refused(mini, tmp_path, "layout.yaml:8:", "column 'pct': basis: displayed cannot foot")


def test_a_row_on_the_displayed_basis_names_the_footed_column(mini, tmp_path):
    layout = mini.parent / "layout.yaml"
    edit(layout, "sheet: Income\n", "sheet: Income\nrounding: foot\n")
    edit(layout, "{id: cost, label: Cost}", "{id: cost, label: Cost, basis: displayed}")
    _refused(
        mini, tmp_path, "layout.yaml:19:", "row 'cost': basis: displayed: column 'pct' foots", "basis: {chg: displayed}"
    )


def test_the_default_basis_leaves_the_example_byte_identical(tmp_path):
    # Every change, % and difference column of the example given `basis: exact` explicitly builds
    # the same bytes as the example as it is: the default is the exact basis, and adds no ROUND.
    assert invoke("new", tmp_path / "iij").exit_code == 0
    assert invoke("build", tmp_path / "iij", "--out", tmp_path / "default.xlsx").exit_code == 0
    edited = 0
    for layout in sorted((tmp_path / "iij" / "layouts").glob("*.yaml")):
        text, n = re.subn(r"kind: (change|percent_of|difference)\b", r"kind: \1, basis: exact", layout.read_text())
        layout.write_text(text)
        edited += n
    assert edited == 23
    assert invoke("build", tmp_path / "iij", "--out", tmp_path / "exact.xlsx").exit_code == 0
    assert filecmp.cmp(tmp_path / "default.xlsx", tmp_path / "exact.xlsx", shallow=False)


@pytest.mark.parametrize(
    "number_format, decimals",
    [
        ("0.00", 2),
        ("#,##0;(#,##0)", 0),
        ("0.0%;(0.0%)", 3),  # of the fraction: 35.2% is 0.352
        ("0%", 2),
        ('"Up "0%;"Down "0%;"--"', 2),
        ('0.0" pts";(0.0" pts")', 1),  # the quoted text's characters are not decimals
        ("#,##0,", -3),  # thousands
        ("#,##0.0,,", -5),  # millions, one decimal
        ("[Red]0.0", 1),
        ("\\$#,##0.00_);(\\$#,##0.00)", 2),
        ("General", None),
        ("0.00E+00", None),
        ("# ?/?", None),
        ("yyyy-mm-dd", None),
        ('"--"', None),
    ],
)
def test_decimals_shown_are_read_as_excel_reads_a_format(number_format, decimals):
    assert shown_decimals(number_format) == decimals
