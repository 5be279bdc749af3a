"""Nested column groups, and `sum_of` periods over typed rows.

Each workbook is built through the CLI, read back with openpyxl (merges, formulas) and as
LibreOffice shows it, recalculated and as stored; `report-builder verify` must agree.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from builder.cli import main
from builder.verify import libreoffice

REPORT = """\
company: Example Co.
date: 2024-12-31
periods:
  q3: {key: 3Q24, label: "Sep 30, 2024"}
  q3p: {key: 3Q23, label: "Sep 30, 2023"}
  cur: {key: CUR, label: Current}
  non: {key: NON, label: Noncurrent}
  rpo: {key: RPO_TOT, label: Total, sum_of: [cur, non]}
inputs:
  fx: {value: 2.0, label: JPY per US$}
layouts: [results.yaml, rpo.yaml, backlog.yaml]
data: data.csv
"""

# Three levels of groups; a period block inside a group inside a group (inside a group);
# a header text that repeats side by side under two different groups; a column in no group.
RESULTS = """\
sheet: Results
title: [Results]
columns:
  - group: Reported (JPY)
    columns:
      - group: Three Months Ended
        columns:
          - period: q3
            columns:
              - {id: jpy, kind: amount, header: Amount}
              - {id: pct, kind: percent_of, base: revenue, header: "% of revenue"}
          - period: q3p
            columns: [{id: jpy_p, kind: amount, header: Amount}]
  - group: Translated (US$)
    columns:
      - group: Three Months Ended
        columns:
          - group: At JPY 2 = US$1
            columns:
              - period: q3p
                columns: [{id: usd_p, kind: convert, rate: fx, header: Amount}]
              - period: q3
                columns: [{id: usd, kind: convert, rate: fx, header: Amount}]
  - {id: chg, kind: change, from: q3p, to: q3, header: Y/Y}
rows:
  - {id: product, label: Product}
  - {id: service, label: Service}
  - {id: revenue, label: Revenue, total: [product, service], style: total}
"""

# Dates as rows, a total column over a sum_of period; every part has a column here.
RPO = """\
sheet: RPO
title: [Remaining performance obligations]
number_format: "#,##0.00"
columns:
  - group: Remaining performance obligations
    columns:
      - {id: c, kind: amount, period: cur, header: Current}
      - {id: n, kind: amount, period: non, header: Noncurrent}
      - {id: t, kind: amount, period: rpo, header: Total}
      - {id: t_usd, kind: convert, rate: fx, period: rpo, header: "Total, US$"}
rows:
  - {id: rpo_jul23, label: "July 31, 2023"}
  - {id: rpo_oct23, label: "October 31, 2023"}
  - {id: rpo_jan24, label: "January 31, 2024", missing: blank}
  - {id: rpo_apr24, label: "April 30, 2024", missing: blank}
checks:
  - {name: Total is current plus noncurrent, left: "rpo_jul23[rpo]", right: "rpo_jul23[cur] + rpo_jul23[non]"}
"""

# No column for the part NON: the total reads those figures on the Data sheet.
BACKLOG = """\
sheet: Backlog
title: [Backlog]
rounding: foot  # the % column foots over totals that are sums of typed parts
percent_format: "0%"
columns:
  - {id: bc, kind: amount, period: cur, header: Current}
  - {id: bt, kind: amount, period: rpo, header: Total}
  - {id: bt_pct, kind: percent_of, base: bk_total, period: rpo, header: "%"}
rows:
  - {id: bk_east, label: East}
  - {id: bk_west, label: West}
  - {id: bk_total, label: Total, total: [bk_east, bk_west], style: total}
"""

DATA = """\
line,period,value
product,3Q24,120
product,3Q23,100
service,3Q24,80
service,3Q23,50
rpo_jul23,CUR,100
rpo_jul23,NON,50
rpo_oct23,CUR,0.1
rpo_oct23,NON,0.2
rpo_jan24,CUR,120
bk_east,CUR,30
bk_east,NON,10
bk_west,CUR,50
bk_west,NON,70
"""

FILES = {"report.yaml": REPORT, "results.yaml": RESULTS, "rpo.yaml": RPO, "backlog.yaml": BACKLOG, "data.csv": DATA}


def _write(folder: Path, **changed: str) -> Path:
    for name, text in FILES.items():
        (folder / name).write_text(changed.get(name.replace(".", "_"), text))
    return folder / "report.yaml"


def _invoke(args: list[str]):
    result = CliRunner().invoke(main, args)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return result


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("groups")
    _write(folder)
    out = folder / "out" / "groups.xlsx"
    result = _invoke(["build", str(folder), "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def shown(built, tmp_path_factory) -> dict:
    """What LibreOffice shows after recalculating; the stored values must show the same."""
    recalculated = libreoffice.shown_text(built, tmp_path_factory.mktemp("recalc"), recalc=True)
    stored = libreoffice.shown_text(built, tmp_path_factory.mktemp("stored"), recalc=False)
    for sheet in ("Results", "RPO", "Backlog"):
        assert stored[sheet] == recalculated[sheet], sheet
    return recalculated


def test_the_workbook_verifies(built, shown):
    result = _invoke(["verify", str(built)])
    assert result.exit_code == 0, result.output
    assert "ok:" in result.output
    check = next(row for row in shown["Checks"] if "Total is current plus noncurrent" in row)
    assert check[-1] == "OK"


# ---------------------------------------------------------------- nested column groups


def test_each_level_of_groups_prints_its_own_merged_row(built):
    sheet = openpyxl.load_workbook(built)["Results"]
    assert sorted(str(m) for m in sheet.merged_cells.ranges) == sorted(
        [
            "B3:D3",  # Reported (JPY)
            "E3:F3",  # Translated (US$)
            "B4:D4",  # Three Months Ended, in Reported
            "E4:F4",  # Three Months Ended, in Translated: the same text, not one merge B4:F4
            "E5:F5",  # At JPY 2 = US$1, the third level
            "B6:C6",  # Sep 30, 2024 over the JPY amount and its %
        ]
    )
    header = [[c.value for c in row] for row in sheet.iter_rows(min_row=3, max_row=7)]
    assert header == [
        [None, "Reported (JPY)", None, None, "Translated (US$)", None, None],
        [None, "Three Months Ended", None, None, "Three Months Ended", None, None],
        [None, None, None, None, "At JPY 2 = US$1", None, None],
        # D6 and E6 hold the same label side by side, under different groups: two cells.
        [None, "Sep 30, 2024", None, "Sep 30, 2023", "Sep 30, 2023", "Sep 30, 2024", None],
        [None, "Amount", "% of revenue", "Amount", "Amount", "Amount", "Y/Y"],
    ]
    assert sheet.freeze_panes == "B8"  # the body starts below all five header rows
    assert sheet.print_title_rows == "$3:$7"  # every header row repeats on a printed page


def test_nested_groups_body_as_libreoffice_shows_it(shown):
    assert shown["Results"][7:] == [
        ["Product", "120", "60.0%", "100", "50", "60", "20.0%"],
        ["Service", "80", "40.0%", "50", "25", "40", "60.0%"],
        ["Revenue", "200", "100.0%", "150", "75", "100", "33.3%"],
    ]


# ---------------------------------------------------------------- sum_of periods over typed rows


def test_a_typed_line_in_a_sum_of_period_is_the_live_sum_of_its_parts(built, shown):
    sheet = openpyxl.load_workbook(built)["RPO"]
    totals = [sheet.cell(row, 4).value for row in range(5, 9)]
    # Row 5 is July: Current in B, Noncurrent in C; a missing part is left out; no part, no figure.
    assert totals == ["=B5+C5", "=B6+C6", "=B7", None]
    assert shown["RPO"][4:] == [
        ["July 31, 2023", "100.00", "50.00", "150.00", "75.00"],
        ["October 31, 2023", "0.10", "0.20", "0.30", "0.15"],
        ["January 31, 2024", "120.00", "", "120.00", "60.00"],
        ["April 30, 2024", "", "", "", ""],
    ]


def test_a_part_without_a_column_is_read_on_the_data_sheet(built, shown):
    book = openpyxl.load_workbook(built)
    sheet, data = book["Backlog"], book["Data"]
    east, west = sheet["C4"].value, sheet["C5"].value
    assert east.startswith("=B4+Data!D") and west.startswith("=B5+Data!D")
    for formula, line in ((east, "bk_east"), (west, "bk_west")):
        row = int(formula.rsplit("D", 1)[1])
        # The Data row the formula reads is that line's figure for the part with no column.
        assert [data.cell(row, c).value for c in (1, 3)] == [line, "NON"]
    assert shown["Backlog"][3:] == [
        ["East", "30", "40", "25%"],
        ["West", "50", "120", "75%"],
        ["Total", "80", "160", "100%"],
    ]


# ---------------------------------------------------------------- what is refused


def refused(folder: Path, **changed: str) -> str:
    """Build through the CLI; assert exit 2, no traceback, nothing written or left behind."""
    report = _write(folder, **changed)
    out_dir = folder / "out"
    out_dir.mkdir()
    result = _invoke(["build", str(report), "--out", str(out_dir / "out.xlsx")])
    assert result.exit_code == 2, result.output
    assert list(out_dir.iterdir()) == []
    assert sorted(p.name for p in folder.iterdir()) == sorted([*FILES, "out"])
    return result.output


def test_a_figure_typed_for_a_sum_of_period_is_refused_at_its_line(tmp_path):
    output = refused(tmp_path, data_csv=DATA + "rpo_jul23,RPO_TOT,150\n")
    assert "data.csv:15: 'rpo_jul23' for RPO_TOT: RPO_TOT is CUR + NON (sum_of in report.yaml)" in output
    assert output.count("error:") == 1


def test_a_missing_part_is_named(tmp_path):
    output = refused(tmp_path, data_csv=DATA.replace("rpo_jul23,NON,50\n", "").replace("bk_west,NON,70\n", ""))
    assert "rpo.yaml:12:5: no figure for 'rpo_jul23' in period NON" in output
    # Backlog has no NON column, but its total needs the figure all the same.
    assert "backlog.yaml:11:5: no figure for 'bk_west' in period NON" in output
    assert output.count("error:") == 2


def test_input_periods_cannot_name_a_sum_of_period(tmp_path):
    row = "  - {id: bk_total, label: Total, total: [bk_east, bk_west], style: total}"
    typed = "  - {id: bk_total, label: Total, total: [bk_east, bk_west], style: total, input_periods: [rpo]}"
    output = refused(tmp_path, backlog_yaml=BACKLOG.replace(row, typed))
    assert "backlog.yaml:12:5: row 'bk_total': input period 'rpo' is the sum of cur and non" in output


def test_a_part_shown_nowhere_is_still_a_lost_figure(tmp_path):
    # Results has neither a CUR nor a Total column: the figure would be lost, as before.
    output = refused(tmp_path, data_csv=DATA + "product,CUR,5\n")
    assert "data.csv:15: sheet 'Results' shows no CUR column for 'product', so this figure would be lost" in output


def test_a_percent_typed_part_on_an_amount_line_is_refused(tmp_path):
    output = refused(tmp_path, data_csv=DATA.replace("bk_east,NON,10", "bk_east,NON,10%"))
    assert "data.csv:12: 'bk_east' for NON is typed with a % sign, but its line is shown as an amount" in output


def test_a_mistyped_key_deep_in_nested_groups_is_named(tmp_path):
    output = refused(tmp_path, results_yaml=RESULTS.replace("{id: usd, kind: convert", "{id: usd, knd: convert"))
    assert (
        "results.yaml:23:37: unknown key 'knd' in columns.1.columns.0.columns.0.columns.1.columns.0; "
        "did you mean 'kind'?"
    ) in output
    assert output.count("error:") == 1


def test_a_group_inside_a_period_block_is_refused_with_the_reason(tmp_path):
    inside = RESULTS.replace(
        "columns: [{id: jpy_p, kind: amount, header: Amount}]",
        "columns: [{group: Prior, columns: [{id: jpy_p, kind: amount, header: Amount}]}]",
    )
    output = refused(tmp_path, results_yaml=inside)
    assert "results.yaml:13:24: group 'Prior' is inside a period block" in output
    assert output.count("error:") == 1


def test_the_rows_a_sheet_needs_count_every_header_row(tmp_path, monkeypatch):
    """Excel's row limit is checked against the sheet as written: the titles, one header row
    per level of groups, the body and the notes (here 12 rows; a fixed allowance for three
    header rows would count 11). The limit is lowered to the sheet's own height to show it."""
    noted = RESULTS + 'notes: ["Translated at JPY 2 = US$1."]\n'
    report = _write(tmp_path, results_yaml=noted)
    out = tmp_path / "out" / "ok.xlsx"
    monkeypatch.setattr("builder.validate.MAX_ROWS", 12)
    assert _invoke(["build", str(report), "--out", str(out)]).exit_code == 0
    assert openpyxl.load_workbook(out)["Results"].max_row == 12
    monkeypatch.setattr("builder.validate.MAX_ROWS", 11)
    result = _invoke(["build", str(report), "--out", str(tmp_path / "out" / "refused.xlsx")])
    assert result.exit_code == 2
    assert "results.yaml:1: sheet 'Results' needs 12 rows; Excel allows 11" in result.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["ok.xlsx"]


def test_a_period_block_inside_a_period_block_is_refused_with_the_reason(tmp_path):
    inside = RESULTS.replace(
        "columns: [{id: jpy_p, kind: amount, header: Amount}]",
        "columns: [{period: q3, columns: [{id: jpy_p, kind: amount, header: Amount}]}]",
    )
    output = refused(tmp_path, results_yaml=inside)
    assert "results.yaml:13:24: a period block ('q3') inside the period block of 'q3p': put them side by side" in output
    assert output.count("error:") == 1


def test_a_group_header_over_one_narrow_column_wraps_in_a_row_tall_enough(mini, tmp_path):
    # "Nine Months Ended" (17 characters, bold) over the one change column, 9 units wide: cut off
    # at the column's edges in the PDF before; now it wraps, and its row is made two lines tall.
    layout = mini.parent / "layout.yaml"
    text = layout.read_text()
    text = text.replace(
        "  - {id: chg, kind: change, from: prior, to: current, header: Change}",
        "  - group: Nine Months Ended\n    columns:\n"
        "      - {id: chg, kind: change, from: prior, to: current, header: Change, width: 9}",
    )
    layout.write_text(text)
    out = tmp_path / "book.xlsx"
    result = CliRunner().invoke(main, ["build", str(mini), "--out", str(out)])
    assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(out)["Income"]
    cell = next(c for row in sheet.iter_rows() for c in row if c.value == "Nine Months Ended")
    assert cell.alignment.wrap_text
    # Excel's default row is 15 points; a bold 17-character header in a 9-unit column takes two lines.
    assert (sheet.row_dimensions[cell.row].height or 15) >= 25
