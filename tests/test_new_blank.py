"""`new DIR --blank`: a minimal skeleton for a company of one's own, through the real command line.

The skeleton is one income statement (a few lines, totals, USD, "% of revenue", a change on
the prior year), two periods, an FX input and one tie-out check. Its figures below were
worked out by hand from its data.csv (EUR thousands, EUR 0.92 = US$1), not by the builder.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from builder.cli import main
from builder.verify import libreoffice

SKELETON_FILES = ["data.csv", "layouts/income_statement.yaml", "report.yaml"]

# Current year: USD = EUR / 0.92, % = line / total revenue (12,000; 11,000 in the prior year),
# change = (current - prior) / prior.
EXPECTED_STATEMENT = [
    ["", "2025", "", "", "2024", "", ""],
    ["", "USD (1)", "EUR", "% of revenue", "EUR", "% of revenue", "Change %"],
    ["Revenue:", "", "", "", "", "", ""],
    ["Product sales", "9,130", "8,400", "70.0%", "7,600", "69.1%", "10.5%"],  # 8400/.92=9130.4; 800/7600=10.53%
    ["Services", "3,913", "3,600", "30.0%", "3,400", "30.9%", "5.9%"],  # 3600/.92=3913.0; 200/3400=5.88%
    ["Total revenue", "13,043", "12,000", "100.0%", "11,000", "100.0%", "9.1%"],  # 1000/11000=9.09%
    ["Cost of sales", "7,500", "6,900", "57.5%", "6,500", "59.1%", "6.2%"],  # 400/6500=6.15%
    ["Gross profit", "5,543", "5,100", "42.5%", "4,500", "40.9%", "13.3%"],  # 12000-6900; 600/4500=13.33%
    ["Operating expenses", "3,587", "3,300", "27.5%", "3,100", "28.2%", "6.5%"],  # 3300/.92=3586.96
    ["Operating profit", "1,957", "1,800", "15.0%", "1,400", "12.7%", "28.6%"],  # 5100-3300; 400/1400=28.57%
]


def _files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def _invoke(args: list[str]):
    result = CliRunner().invoke(main, args)
    assert "Traceback" not in result.output
    return result


@pytest.fixture
def blank(tmp_path, monkeypatch) -> Path:
    """`report-builder new mine --blank`, run in tmp_path; the current folder is then the project."""
    monkeypatch.chdir(tmp_path)
    result = _invoke(["new", "mine", "--blank"])
    assert result.exit_code == 0, result.output
    assert "wrote mine/report.yaml" in result.output
    project = tmp_path / "mine"
    monkeypatch.chdir(project)
    return project


def test_new_blank_writes_only_the_skeleton(blank):
    # Nothing of the example to delete first: one layout, its data, its report.
    assert _files(blank) == SKELETON_FILES
    assert "Internet Initiative" not in (blank / "report.yaml").read_text()
    assert "dedicated_access" not in (blank / "data.csv").read_text()


def test_new_blank_then_check_and_build_succeed(blank):
    checked = _invoke(["check"])
    assert checked.exit_code == 0, checked.output
    assert checked.output.strip() == "ok: report.yaml: 1 checks hold"
    built = _invoke(["build"])
    assert built.exit_code == 0, built.output
    assert "built report.yaml into output/mine.xlsx; 1 of 1 checks hold" in built.output
    assert _files(blank) == sorted([*SKELETON_FILES, "output/mine.xlsx"])


def test_the_skeleton_shows_the_right_figures_once_recalculated(blank, tmp_path):
    assert _invoke(["build"]).exit_code == 0
    workbook = blank / "output" / "mine.xlsx"
    verified = _invoke(["verify", str(workbook)])
    assert verified.exit_code == 0, verified.output
    assert "ok: " in verified.output and "formula cells equal LibreOffice's recalculation" in verified.output

    shown = libreoffice.shown_text(workbook, tmp_path / "shown", recalc=True)
    statement = shown["Income Statement"]
    assert statement[:4] == [
        ["Your Company Ltd.", *[""] * 6],
        ["Consolidated Income Statement", *[""] * 6],
        # The subtitle quotes the period labels of report.yaml.
        ["For the years ended December 31, 2025 and 2024", *[""] * 6],
        ["(in thousands of euros (EUR) and US dollars (USD))", *[""] * 6],
    ]
    start = statement.index(EXPECTED_STATEMENT[0])
    assert statement[start : start + len(EXPECTED_STATEMENT)] == EXPECTED_STATEMENT
    # The note quotes the FX input live.
    assert ["(1) Translated solely for convenience at EUR 0.92 = US$1.", *[""] * 6] in statement
    assert shown["Checks"][1][0] == "Operating profit in USD equals operating profit in EUR / the rate"
    assert shown["Checks"][1][-1] == "OK"
    assert shown["Inputs"][1][:2] == ["fx_rate", "0.92"]


def test_the_skeleton_prints_one_page(blank):
    built = _invoke(["build", "--pdf"])
    assert built.exit_code == 0, built.output
    pdf = blank / "output" / "mine.pdf"
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Consolidated Income Statement" in text and "Operating profit" in text and "1,957" in text


def test_a_changed_rate_recalculates_the_usd_column(blank, tmp_path):
    # What a user adapting the skeleton does first: their own rate, on the Inputs sheet of report.yaml.
    report = blank / "report.yaml"
    report.write_text(report.read_text().replace("value: 0.92", "value: 0.80"))
    assert _invoke(["build"]).exit_code == 0
    shown = libreoffice.shown_text(blank / "output" / "mine.xlsx", tmp_path / "shown", recalc=True)
    rows = {row[0]: row for row in shown["Income Statement"]}
    assert rows["Total revenue"][1] == "15,000"  # 12,000 / 0.80
    assert rows["Operating profit"][1] == "2,250"  # 1,800 / 0.80


def test_new_blank_into_a_non_empty_folder_is_refused(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "notes.txt").write_text("mine, keep\n")
    result = _invoke(["new", "taken", "--blank"])
    assert result.exit_code == 2
    assert "error: taken: the folder is not empty; give a new or empty folder" in result.output
    assert _files(taken) == ["notes.txt"] and (taken / "notes.txt").read_text() == "mine, keep\n"


def test_new_blank_onto_a_file_is_refused(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "afile").write_text("x")
    result = _invoke(["new", "afile", "--blank"])
    assert result.exit_code == 2
    assert "error: afile: exists and is not a folder" in result.output
    assert (tmp_path / "afile").read_text() == "x"


def test_new_blank_into_an_empty_folder_is_allowed(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "empty").mkdir()
    result = _invoke(["new", "empty", "--blank"])
    assert result.exit_code == 0, result.output
    assert _files(tmp_path / "empty") == SKELETON_FILES


def test_a_failed_copy_leaves_nothing_behind(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    real = shutil.copyfile
    copied = []

    def fail_on_the_second(src, dst, *args, **kwargs):
        # The first file lands; the disk fills on the second.
        if copied:
            raise OSError(28, "No space left on device")
        copied.append(dst)
        return real(src, dst, *args, **kwargs)

    monkeypatch.setattr(shutil, "copyfile", fail_on_the_second)
    result = _invoke(["new", "mine", "--blank"])
    assert result.exit_code == 2
    assert "error: mine: cannot write the copy there: No space left on device" in result.output
    assert copied and not (tmp_path / "mine").exists()


# ---------------------------------------------------------------- what the README documents
# Three things that work but were undocumented (issue 12): changes shown as words through a
# number format, row[period] in row formulas, and a layout's percent_format. Each is built
# through the CLI and read as LibreOffice shows it, recalculated and as stored.

_REPORT = """\
company: Example Co.
date: 2024-12-31
periods:
  current: {key: 2Q24, label: "Jun 30, 2024"}
  prior: {key: 1Q24, label: "Mar 31, 2024"}
  half: {key: 1H24, label: 1H24, sum_of: [prior, current]}
layouts: [layout.yaml]
data: data.csv
"""


def _shown(folder: Path, layout: str, data: str) -> list[list[str]]:
    """Build folder's report through the CLI; sheet S as shown, the same recalculated and as stored."""
    (folder / "report.yaml").write_text(_REPORT)
    (folder / "layout.yaml").write_text(layout)
    (folder / "data.csv").write_text(data)
    out = folder / "out.xlsx"
    built = _invoke(["build", str(folder), "--out", str(out)])
    assert built.exit_code == 0, built.output
    recalculated = libreoffice.shown_text(out, folder / "recalc", recalc=True)["S"]
    assert libreoffice.shown_text(out, folder / "stored", recalc=False)["S"] == recalculated
    return recalculated


def test_a_change_shows_as_words_through_its_number_format(tmp_path):
    layout = """\
sheet: S
columns:
  - period: current
    columns: [{id: cur, kind: amount, header: Now}]
  - period: prior
    columns: [{id: pri, kind: amount, header: Before}]
  - {id: chg, kind: change, from: prior, to: current, header: Q/Q, number_format: '"Up "0%;"Down "0%;"--"'}
  - {id: chg_abs, kind: change, from: prior, to: current, header: Abs, negative_base: abs,
     number_format: '"Up "0%;"Down "0%;"--"'}
rows:
  - {id: up, label: Up}
  - {id: down, label: Down}
  - {id: flat, label: Flat}
  - {id: tiny, label: Tiny}
  - {id: loss_to_profit, label: Loss to profit}
  - {id: zero_base, label: Zero base}
"""
    data = "line,period,value\n" + "".join(
        f"{line},2Q24,{now}\n{line},1Q24,{before}\n"
        for line, now, before in [
            ("up", 117, 100),
            ("down", 91, 100),
            ("flat", 100, 100),
            ("tiny", 1004, 1000),
            ("loss_to_profit", 50, -100),
            ("zero_base", 50, 0),
        ]
    )
    rows = {row[0]: row[3:5] for row in _shown(tmp_path, layout, data)}
    assert rows["Up"] == ["Up 17%", "Up 17%"]
    assert rows["Down"] == ["Down 9%", "Down 9%"]
    assert rows["Flat"] == ["--", "--"]  # only an exact zero takes the third section
    assert rows["Tiny"] == ["Up 0%", "Up 0%"]  # 0.4% rounds to 0 but keeps its sign's words
    # A signed negative base turns a recovery into "Down": words want negative_base: abs (or n.m.).
    assert rows["Loss to profit"] == ["Down 150%", "Up 150%"]
    assert rows["Zero base"] == ["n.m.", "n.m."]


def test_row_period_in_row_formulas(tmp_path):
    layout = """\
sheet: S
columns:
  - period: current
    columns: [{id: cur, kind: amount, header: 2Q}]
  - period: prior
    columns: [{id: pri, kind: amount, header: 1Q}]
rows:
  - {id: revenue, label: Revenue}
  - {id: cash_end, label: Cash at end of quarter}
  - id: cash_begin
    label: Cash at beginning of quarter
    formula: cash_end[prior]
    input_periods: [prior]
  - {id: increase, label: Increase in revenue, formula: "revenue - revenue[prior]"}
  - {id: share, label: Share of the half, formula: "revenue / revenue[half]", number_format: "0.0%"}
"""
    data = """\
line,period,value
revenue,2Q24,120
revenue,1Q24,100
cash_end,2Q24,500
cash_end,1Q24,450
cash_begin,1Q24,400
"""
    rows = {row[0]: row[1:3] for row in _shown(tmp_path, layout, data)}
    assert rows["Cash at beginning of quarter"] == ["450", "400"]  # 1Q's end in 2Q; typed in 1Q
    # The formula is taken in every amount column: in 1Q, revenue[prior] is 1Q itself.
    assert rows["Increase in revenue"] == ["20", "0"]
    # A derived period (sum_of) with no column on the sheet is the sum of its parts: 120/220, 100/220.
    assert rows["Share of the half"] == ["54.5%", "45.5%"]


def test_row_period_needs_an_amount_column_for_that_period(tmp_path):
    (tmp_path / "report.yaml").write_text(
        _REPORT.replace("  half:", '  py: {key: 2Q23, label: "Jun 30, 2023"}\n  half:')
    )
    (tmp_path / "layout.yaml").write_text(
        "sheet: S\ncolumns: [{period: current, columns: [{id: cur, kind: amount}]}]\n"
        "rows:\n  - {id: revenue, label: Revenue}\n  - {id: yoy, label: Y/Y, formula: 'revenue - revenue[py]'}\n"
    )
    (tmp_path / "data.csv").write_text("line,period,value\nrevenue,2Q24,120\n")
    result = _invoke(["check", str(tmp_path)])
    assert result.exit_code == 2
    assert (
        "layout.yaml:5:5: 'revenue' is needed for Jun 30, 2023, but sheet 'S' has no amount column for that period"
    ) in result.output


def test_percent_format_on_a_layout(tmp_path):
    layout = """\
sheet: S
percent_format: "0%"
rounding: foot
columns:
  - period: current
    columns:
      - {id: cur, kind: amount, header: Now}
      - {id: pct, kind: percent_of, base: total, header: "%"}
      - {id: pct_own, kind: percent_of, base: total, header: "% own", number_format: "0.0%"}
  - period: prior
    columns: [{id: pri, kind: amount, header: Before}]
  - {id: chg, kind: change, from: prior, to: current, header: Change}
rows:
  - {id: a, label: A}
  - {id: b, label: B, number_format: "#,##0.00"}
  - {id: c, label: C}
  - {id: total, label: Total, total: [a, b, c]}
"""
    data = "line,period,value\na,2Q24,335\na,1Q24,300\nb,2Q24,335\nb,1Q24,320\nc,2Q24,330\nc,1Q24,310\n"
    rows = {row[0]: row[1:] for row in _shown(tmp_path, layout, data)}
    # Amount, % (layout's percent_format), % (column's own format), prior amount, change (layout's).
    # The % column foots at the format's 0 decimals: 33.5 + 33.5 + 33.0 is 34 + 33 + 33, not 34 + 34 + 33.
    assert rows["A"] == ["335", "34%", "33.5%", "300", "12%"]  # 35/300 = 11.7%
    assert rows["B"] == ["335.00", "33%", "33.5%", "320.00", "5%"]  # a row's format is for its amounts only
    assert rows["C"] == ["330", "33%", "33.0%", "310", "6%"]  # 20/310 = 6.5%
    assert rows["Total"] == ["1,000", "100%", "100.0%", "930", "8%"]  # 70/930 = 7.5%


def test_an_unquoted_bracket_in_a_flow_mapping_is_refused_with_its_line(tmp_path):
    # Inside {...} YAML reads [ as a list: the README tells users to quote such formulas.
    layout = (
        "sheet: S\ncolumns: [{period: current, columns: [{id: cur, kind: amount}]}]\n"
        "rows:\n  - {id: revenue, label: Revenue}\n  - {id: up, label: Up, formula: revenue - revenue[prior]}\n"
    )
    (tmp_path / "report.yaml").write_text(_REPORT)
    (tmp_path / "layout.yaml").write_text(layout)
    (tmp_path / "data.csv").write_text("line,period,value\nrevenue,2Q24,120\n")
    result = _invoke(["check", str(tmp_path)])
    assert result.exit_code == 2
    assert "layout.yaml:5:" in result.output and "malformed YAML" in result.output
