"""The second bundled example: NVIDIA's Q3 FY2025 release (Nov 20, 2024), rebuilt from its
leaf figures, against the figures the release prints.

The example is built once by the real CLI and recalculated once in LibreOffice; every figure
each statement shows is compared, as text, with the tables below. Those are written by hand
from the release (the URLs are in examples/nvidia-q3-fy2025/report.yaml): the GAAP and
non-GAAP summaries, the reconciliation and the outlook's wording. Figures the release does
not print (the operating margins, the revenue range, the hidden memo rows) are worked out by
hand in the comments. `verify` then checks that the stored values are LibreOffice's.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from builder import plan
from builder.cli import main
from builder.verify import libreoffice
from tests.structure import ooxml_errors, structural_problems

REPORT = Path(__file__).resolve().parents[1] / "examples" / "nvidia-q3-fy2025"

# Q3 Fiscal 2025 Summary, GAAP, as the release prints it (Q3 FY25, Q2 FY25, Q3 FY24, Q/Q, Y/Y).
# The changes are the release's: it takes them on figures as shown, so EPS $0.78 against
# $0.37 is Up 111% (110% from unrounded EPS) and 74.6% against 75.1% is Down 0.5 pts.
GAAP_SUMMARY = [
    ["", "Q3 FY25", "Q2 FY25", "Q3 FY24", "Q/Q", "Y/Y"],
    ["Revenue", "$35,082", "$30,040", "$18,120", "Up 17%", "Up 94%"],
    ["Gross margin", "74.6%", "75.1%", "74.0%", "Down 0.5 pts", "Up 0.6 pts"],
    ["Operating expenses", "$4,287", "$3,932", "$2,983", "Up 9%", "Up 44%"],
    ["Operating income", "$21,869", "$18,642", "$10,417", "Up 17%", "Up 110%"],
    ["Net income", "$19,309", "$16,599", "$9,243", "Up 16%", "Up 109%"],
    ["Diluted earnings per share*", "$0.78", "$0.67", "$0.37", "Up 16%", "Up 111%"],
]

# Non-GAAP. EPS $0.81 against $0.40 is 102.5% exactly, 1.0249999... in binary: published (and
# shown here, by the explicit rounding of the displayed basis) as Up 103%. 75.0% against 75.0%
# is "--" (the unrounded margins, 75.03% and 74.96%, would show Up 0.1 pts).
NON_GAAP_SUMMARY = [
    ["", "Q3 FY25", "Q2 FY25", "Q3 FY24", "Q/Q", "Y/Y"],
    ["Revenue", "$35,082", "$30,040", "$18,120", "Up 17%", "Up 94%"],
    ["Gross margin", "75.0%", "75.7%", "75.0%", "Down 0.7 pts", "--"],
    ["Operating expenses", "$3,046", "$2,792", "$2,026", "Up 9%", "Up 50%"],
    ["Operating income", "$23,276", "$19,937", "$11,557", "Up 17%", "Up 101%"],
    ["Net income", "$20,010", "$16,952", "$10,020", "Up 18%", "Up 100%"],
    ["Diluted earnings per share*", "$0.81", "$0.68", "$0.40", "Up 19%", "Up 103%"],
]

# The reconciliation's first three sections: three months (Oct 27, 2024; Jul 28, 2024;
# Oct 29, 2023) and nine months (Oct 27, 2024; Oct 29, 2023). The release prints "-" for
# nothing. The first row is the hidden memo row of revenue (not printed by the release): the
# quarters as in the summaries, the nine months as its income statement (26,044 + 30,040 +
# 35,082 = 91,166 and 7,192 + 13,507 + 18,120 = 38,819).
RECONCILIATION = [
    ["", "Three Months Ended", "", "", "Nine Months Ended"],
    ["", "October 27, 2024", "July 28, 2024", "October 29, 2023", "October 27, 2024", "October 29, 2023"],
    ["Revenue", "35,082", "30,040", "18,120", "91,166", "38,819"],
    ["GAAP gross profit", "$26,156", "$22,574", "$13,400", "$69,135", "$27,510"],
    ["GAAP gross margin", "74.6%", "75.1%", "74.0%", "75.8%", "70.9%"],
    ["Acquisition-related and other costs (A)", "116", "118", "119", "355", "358"],
    ["Stock-based compensation expense (B)", "50", "40", "38", "125", "96"],
    ["Other (C)", "-", "(3)", "26", "(4)", "36"],
    ["Non-GAAP gross profit", "$26,322", "$22,729", "$13,583", "$69,611", "$28,000"],
    ["Non-GAAP gross margin", "75.0%", "75.7%", "75.0%", "76.4%", "72.1%"],
    ["GAAP operating expenses", "$4,287", "$3,932", "$2,983", "$11,716", "$8,152"],
    ["Stock-based compensation expense (B)", "(1,202)", "(1,114)", "(941)", "(3,291)", "(2,459)"],
    ["Acquisition-related and other costs (A)", "(39)", "(26)", "(16)", "(86)", "(88)"],
    ["Other (C)", "-", "-", "-", "-", "10"],
    ["Non-GAAP operating expenses", "$3,046", "$2,792", "$2,026", "$8,339", "$5,615"],
    ["GAAP operating income", "$21,869", "$18,642", "$10,417", "$57,419", "$19,358"],
    ["Total impact of non-GAAP adjustments to operating income", "1,407", "1,295", "1,140", "3,853", "3,027"],
    ["Non-GAAP operating income", "$23,276", "$19,937", "$11,557", "$61,272", "$22,385"],
]

# Percent-only: the gross margins are the release's (as in the reconciliation). The operating
# margins are not printed in the release; by hand: 21,869 / 35,082 = 62.34%, 18,642 / 30,040 =
# 62.06%, 10,417 / 18,120 = 57.49%, 57,419 / 91,166 = 62.98%, 19,358 / 38,819 = 49.87%;
# non-GAAP 23,276 / 35,082 = 66.35%, 19,937 / 30,040 = 66.37%, 11,557 / 18,120 = 63.78%,
# 61,272 / 91,166 = 67.21%, 22,385 / 38,819 = 57.66%.
MARGINS = [
    ["", "Three Months Ended", "", "", "Nine Months Ended"],
    ["", "October 27, 2024", "July 28, 2024", "October 29, 2023", "October 27, 2024", "October 29, 2023"],
    ["GAAP gross margin", "74.6%", "75.1%", "74.0%", "75.8%", "70.9%"],
    ["Non-GAAP gross margin", "75.0%", "75.7%", "75.0%", "76.4%", "72.1%"],
    ["GAAP operating margin", "62.3%", "62.1%", "57.5%", "63.0%", "49.9%"],
    ["Non-GAAP operating margin", "66.3%", "66.4%", "63.8%", "67.2%", "57.7%"],
]

# Revenue by quarter (the 10-Qs); the nine months are the sums worked out above.
REVENUE = [
    ["", "Fiscal 2025", "", "", "", "Fiscal 2024"],
    ["", "Three Months Ended", "", "", "Nine Months Ended", "Three Months Ended", "", "", "Nine Months Ended"],
    ["", "April 28, 2024", "July 28, 2024", "October 27, 2024", "October 27, 2024"]
    + ["April 30, 2023", "July 30, 2023", "October 29, 2023", "October 29, 2023"],
    ["Revenue", "$26,044", "$30,040", "$35,082", "$91,166", "$7,192", "$13,507", "$18,120", "$38,819"],
]

# The outlook as the release words it: "Revenue is expected to be $37.5 billion, plus or minus
# 2%"; gross margins 73.0% and 73.5%; operating expenses about $4.8 billion and $3.4 billion;
# other income about $400 million; tax rates 16.5%, plus or minus 1%. By hand: 37,500 * 0.98
# = 36,750 and * 1.02 = 38,250; 37,500 / 35,082 - 1 = 6.9% (Up 7%); 73.5% - 73.0% = 0.5%;
# 3,400 - 4,800 = (1,400). The plus-or-minus and the range ends are hidden memo rows.
OUTLOOK = [
    ["", "Q4 FY25"],
    ["Revenue", "37,500"],
    ["Revenue, plus or minus (%)", "2"],
    ["Revenue, low", "36,750"],
    ["Revenue, high", "38,250"],
    ["Revenue is expected to be", "$37.5 billion, plus or minus 2%"],  # the release's words
    ["that is", "$36,750 - $38,250 million"],
    ["Against Q3 FY25 revenue", "Up 7%"],
    ["GAAP gross margin", "73.0%"],
    ["Impact of stock-based compensation, acquisition-related and other costs", "0.5%"],
    ["Non-GAAP gross margin", "73.5%"],
    ["GAAP operating expenses (approximately)", "$4,800"],
    ["Stock-based compensation, acquisition-related and other costs", "($1,400)"],
    ["Non-GAAP operating expenses (approximately)", "$3,400"],
    ["GAAP and non-GAAP other income and expense (approximately)", "$400"],
    ["GAAP and non-GAAP tax rates", "16.5%, plus or minus 1%"],
]

EXPECTED = {
    "GAAP Summary": GAAP_SUMMARY,
    "Non-GAAP Summary": NON_GAAP_SUMMARY,
    "Reconciliation": RECONCILIATION,
    "Margins": MARGINS,
    "Revenue": REVENUE,
    "Outlook": OUTLOOK,
}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out_dir = tmp_path_factory.mktemp("example2")
    out = out_dir / "nvidia.xlsx"
    result = CliRunner().invoke(main, ["build", str(REPORT), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert "8 of 8 checks hold" in result.output
    assert sorted(p.name for p in out_dir.iterdir()) == ["nvidia.xlsx"]  # no temp file left behind
    return out


@pytest.fixture(scope="module")
def shown(built, tmp_path_factory) -> dict[str, list[list[str]]]:
    """Each sheet as LibreOffice shows it once recalculated: the one recalculation of this module."""
    return libreoffice.shown_text(built, tmp_path_factory.mktemp("example2-csv"), recalc=True)


def _table(rows: list[list[str]]) -> list[list[str]]:
    """The statement's grid below its title lines and above its notes, trailing blanks cut."""
    trimmed = []
    for row in rows:
        while row and not row[-1].strip():
            row = row[:-1]
        trimmed.append(row)
    body = [row for row in trimmed if len(row) > 1]  # titles and notes fill only the first cell
    return body


@pytest.mark.parametrize("sheet", list(EXPECTED))
def test_every_shown_figure_is_the_published_one(shown, sheet):
    assert _table(shown[sheet]) == EXPECTED[sheet]


def test_verify_and_check_pass(built):
    runner = CliRunner()
    verified = runner.invoke(main, ["verify", str(built)])
    assert verified.exit_code == 0, verified.output
    assert "Traceback" not in verified.output
    checked = runner.invoke(main, ["check", str(REPORT)])
    assert checked.exit_code == 0, checked.output
    assert "8 checks hold" in checked.output
    assert "Traceback" not in checked.output


def test_workbook_is_structurally_sound_and_schema_valid(built):
    planned = [sheet.name for sheet in plan(REPORT / "report.yaml").sheets]
    assert planned[:7] == ["Contents", *EXPECTED]
    assert structural_problems(built, planned) == []
    assert ooxml_errors(built) == []


def test_the_memo_rows_are_hidden_and_not_printed(built):
    import openpyxl

    sheets = openpyxl.load_workbook(built)
    hidden = {
        (name, sheets[name].cell(row, 1).value)
        for name in ("Reconciliation", "Outlook")
        for row, dim in sheets[name].row_dimensions.items()
        if dim.hidden
    }
    assert hidden == {
        ("Reconciliation", "Revenue"),
        ("Outlook", "Revenue, plus or minus (%)"),
        ("Outlook", "Revenue, low"),
        ("Outlook", "Revenue, high"),
    }


def test_new_copies_this_example_to_start_from(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["new", "mine", "--example", "nvidia-q3-fy2025"])
    assert result.exit_code == 0, result.output
    bundled = Path(__file__).resolve().parents[1] / "examples" / "nvidia-q3-fy2025"
    copied = sorted(p.relative_to(tmp_path / "mine").as_posix() for p in (tmp_path / "mine").rglob("*") if p.is_file())
    assert copied == sorted(p.relative_to(bundled).as_posix() for p in bundled.rglob("*") if p.is_file())
    assert all((tmp_path / "mine" / name).read_bytes() == (bundled / name).read_bytes() for name in copied)
    monkeypatch.chdir(tmp_path / "mine")
    result = CliRunner().invoke(main, ["check"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("ok: report.yaml: 8 checks hold")


def test_new_takes_an_example_or_the_skeleton_not_both(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["new", "mine", "--blank", "--example", "nvidia-q3-fy2025"])
    assert result.exit_code == 2 and "give one of --blank and --example" in result.output
    result = CliRunner().invoke(main, ["new", "mine", "--example", "acme"])
    assert result.exit_code == 2 and "'acme' is not one of" in result.output
    assert not (tmp_path / "mine").exists()


@pytest.mark.parametrize("sheet", ["GAAP Summary", "Non-GAAP Summary"])
def test_each_column_is_as_wide_as_its_figures_read(built, sheet):
    """The figure "Down 0.5 pts" is a number in the format '"Up "0.0" pts";...': its words count in the
    column's width (they were read as six decimals of the number, a column two units narrow)."""
    import openpyxl

    columns = openpyxl.load_workbook(built)[sheet].column_dimensions
    for j, letter in enumerate("BCDEF", 1):
        longest = max(len(row[j]) for row in EXPECTED[sheet][1:])  # the release's figures, as printed
        assert columns[letter].width >= longest, (letter, columns[letter].width, longest)


def test_a_quoted_word_in_a_format_is_no_decimal():
    from builder.footing import decimals

    assert decimals('"Up "0.0" pts";"Down "0.0" pts";"--"') == 1
    assert decimals("0.0%") == 3  # of the fraction
    assert decimals('#,##0" units"') == 0
    assert decimals("#,##0.00;(#,##0.00)") == 2
