"""The printed pack (issue 12, item 3): every title line in the page header, period headers
that wrap within their columns, no Inputs section without inputs, twin period labels told
apart by their keys. Read back as LibreOffice shows and prints the workbook."""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path

from click.testing import CliRunner

from builder.cli import main
from builder.verify import libreoffice
from tests.conftest import MINI_DATA, MINI_LAYOUT, MINI_REPORT

TWO_LINES = 'title: [Summary of Results, "GAAP ({current})"]'


def run(*args: str):
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return result


def write(folder: Path, report: str = MINI_REPORT, layout: str = MINI_LAYOUT, data: str = MINI_DATA) -> Path:
    (folder / "report.yaml").write_text(report)
    (folder / "layout.yaml").write_text(layout)
    (folder / "data.csv").write_text(data)
    return folder / "report.yaml"


def build(report: Path, *extra: str) -> Path:
    out = report.parent / "out.xlsx"
    result = run("build", str(report), "--out", str(out), *extra)
    assert result.exit_code == 0, result.output
    return out


def refused(report: Path) -> str:
    out = report.parent / "out.xlsx"
    result = run("build", str(report), "--out", str(out))
    assert result.exit_code == 2, result.output
    assert sorted(p.name for p in report.parent.iterdir()) == ["data.csv", "layout.yaml", "report.yaml"]
    return result.output


def sheet_xml(workbook: Path, name: str) -> str:
    """The worksheet XML of the sheet called `name`, found through workbook.xml and its rels."""
    with zipfile.ZipFile(workbook) as z:
        book = z.read("xl/workbook.xml").decode()
        rels = z.read("xl/_rels/workbook.xml.rels").decode()
        rid = re.search(rf'<sheet name="{re.escape(name)}" sheetId="\d+" r:id="(rId\d+)"', book).group(1)
        target = re.search(rf'<Relationship Id="{rid}" Type="[^"]+" Target="([^"]+)"', rels).group(1)
        return z.read("xl/" + target.removeprefix("/xl/")).decode()


def odd_header(workbook: Path, name: str) -> str:
    found = re.search(r"<oddHeader>(.*?)</oddHeader>", sheet_xml(workbook, name), re.S)
    return found.group(1).replace("&amp;", "&") if found else ""


def pdf_text(workbook: Path, tmp: Path) -> list[str]:
    """The pages of the printed pack as pdftotext reads them."""
    pdf = libreoffice.export_pdf(workbook, None)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")


# --------------------------------------------------------------- 1. every title line in the header


def test_a_title_of_two_lines_heads_the_printed_page_with_both(tmp_path):
    report = write(tmp_path, layout=MINI_LAYOUT.replace('title: ["{company}", Statement of income]', TWO_LINES))
    workbook = build(report)
    assert odd_header(workbook, "Income") == "&LExample Co.&C&BSummary of Results\nGAAP (Dec 31, 2024)&B&R"
    # As printed: the statement's page starts with its header, both lines of it, then the sheet.
    page = pdf_text(workbook, tmp_path)[1]
    header = [line.strip() for line in page.splitlines() if line.strip()][:3]
    assert header == ["Summary of Results", "Example Co.", "GAAP (Dec 31, 2024)"]  # company left, title centred
    # room is made above the table for the second header line
    margins = re.search(r'<pageMargins [^>]*top="([\d.]+)"', sheet_xml(workbook, "Income")).group(1)
    assert float(margins) > 0.75


def test_page_header_first_prints_only_the_first_title_line(tmp_path):
    layout = MINI_LAYOUT.replace('title: ["{company}", Statement of income]', TWO_LINES + "\npage_header: first")
    workbook = build(write(tmp_path, layout=layout))
    assert odd_header(workbook, "Income") == "&LExample Co.&C&BSummary of Results&B&R"
    assert 'top="0.75"' in sheet_xml(workbook, "Income")


def test_a_title_line_that_is_the_company_is_not_printed_twice(tmp_path):
    """The header's left section names the company: a `{company:upper}` title line is left out."""
    layout = MINI_LAYOUT.replace('title: ["{company}", Statement of income]', 'title: ["{company:upper}", A, B]')
    workbook = build(write(tmp_path, layout=layout))
    assert odd_header(workbook, "Income") == "&LExample Co.&C&BA\nB&B&R"


def test_the_example_headers_name_each_statement_once(example_workbook):
    """Every IIJ statement is titled company + one line: its header is that line, as before."""
    assert odd_header(example_workbook, "Balance Sheet") == (
        "&LInternet Initiative Japan Inc.&C&BCONSOLIDATED BALANCE SHEETS (UNAUDITED)&B&RUnaudited"
    )
    assert odd_header(example_workbook, "CAPEX Reconciliation") == (
        "&LInternet Initiative Japan Inc.&C&BReconciliation of CAPEX&B&RUnaudited"
    )


def test_a_title_line_quoting_an_input_stays_out_of_the_fixed_header(tmp_path):
    """The sheet shows it live (a formula); the header is fixed text, so it prints the other lines."""
    title = 'title: [Statement of income, "At JPY {fx:0.00}"]'
    workbook = build(write(tmp_path, layout=MINI_LAYOUT.replace('title: ["{company}", Statement of income]', title)))
    assert odd_header(workbook, "Income") == "&LExample Co.&C&BStatement of income&B&R"
    # only lines quoting an input: the sheet's name, as before
    title = 'title: ["At JPY {fx:0.00}"]'
    workbook = build(write(tmp_path, layout=MINI_LAYOUT.replace('title: ["{company}", Statement of income]', title)))
    assert odd_header(workbook, "Income") == "&LExample Co.&C&BIncome&B&R"


def test_an_unknown_page_header_choice_is_refused_at_its_line(tmp_path):
    layout = MINI_LAYOUT.replace("sheet: Income\n", "sheet: Income\npage_header: last\n")
    output = refused(write(tmp_path, layout=layout))
    assert "layout.yaml:2:" in output and "page_header: 'last' is not one of 'all', 'first'" in output


def test_a_header_of_many_lines_over_255_characters_is_refused_with_the_way_out(tmp_path):
    lines = ", ".join(f'"Line {i} of a long statement title"' for i in range(10))
    layout = MINI_LAYOUT.replace('title: ["{company}", Statement of income]', f"title: [{lines}]")
    output = refused(write(tmp_path, layout=layout))
    assert "layout.yaml:2:" in output and "Excel allows 255" in output and "page_header: first" in output
    # ... and the way out works: the first line alone fits
    layout = layout.replace("sheet: Income\n", "sheet: Income\npage_header: first\n")
    workbook = build(write(tmp_path, layout=layout))
    assert odd_header(workbook, "Income") == "&LExample Co.&C&BLine 0 of a long statement title&B&R"


# --------------------------------------------------------------- 2. period headers wrap


LONG_LABELS = MINI_REPORT.replace('label: "Dec 31, 2024"', 'label: "Three Months Ended December 31, 2024"').replace(
    'label: "Dec 31, 2023"', 'label: "Three Months Ended December 31, 2023"'
)
ONE_COLUMN_BLOCKS = MINI_LAYOUT.replace(
    """      - {id: usd, kind: convert, rate: fx, header: USD}
      - {id: jpy, kind: amount, header: JPY}
      - {id: pct, kind: percent_of, base: revenue, header: "%"}
""",
    "      - {id: jpy, kind: amount, header: JPY}\n",
)


def test_long_period_headers_wrap_within_their_columns(tmp_path):
    workbook = build(write(tmp_path, report=LONG_LABELS, layout=ONE_COLUMN_BLOCKS), "--pdf")
    xml = sheet_xml(workbook, "Income")
    # the period header row (row 4: two title lines, a blank, then the period row) is made tall
    row = re.search(r'<row r="4"[^>]*>', xml).group(0)
    assert 'customHeight="1"' in row and float(re.search(r'ht="([\d.]+)"', row).group(1)) >= 40
    # both header cells wrap
    styles = zipfile.ZipFile(workbook).read("xl/styles.xml").decode()
    xfs = re.search(r"<cellXfs[^>]*>(.*?)</cellXfs>", styles, re.S).group(1)
    xf = re.findall(r"<xf [^>]*?(?:/>|>.*?</xf>)", xfs, re.S)
    for cell in ("B4", "C4"):
        s = int(re.search(rf'<c r="{cell}" s="(\d+)"', xml).group(1))
        assert 'wrapText="1"' in xf[s], (cell, xf[s])
    # As printed: every word of both dates is there (nothing clipped), the two headers side by
    # side on several lines rather than one line running into the next.
    page = pdf_text(workbook, tmp_path)[1]
    assert "Three Months Ended December 31, 2024" not in page
    words = " ".join(page.split())
    assert words.count("Three") == 2 and words.count("December") == 2
    assert "2024" in words and "2023" in words
    lines_with_three = [line for line in page.splitlines() if "Three" in line]
    assert len(lines_with_three) == 1 and lines_with_three[0].split().count("Three") == 2


def test_the_example_period_headers_wrap_and_keep_their_heights(example_workbook, shown_as_stored):
    """Short dates fit on one line: the example's header rows keep the heights they had."""
    xml = sheet_xml(example_workbook, "Operations")
    assert re.search(r'<row r="7"[^>]*>', xml).group(0).find("ht=") == -1  # the period row
    assert 'ht="30"' in re.search(r'<row r="8"[^>]*>', xml).group(0)  # "% of Total Revenues" on two lines
    assert shown_as_stored["Operations"][6][1] == "Sept 30, 2004"


# --------------------------------------------------------------- 3. no Inputs section without inputs


NO_INPUTS_REPORT = MINI_REPORT.replace("inputs:\n  fx: {value: 150.0, label: JPY per USD}\n", "")
NO_INPUTS_LAYOUT = MINI_LAYOUT.replace("      - {id: usd, kind: convert, rate: fx, header: USD}\n", "").replace(
    'notes: ["At JPY {fx:0.00} = $1."]\n', ""
)


def test_a_report_without_inputs_has_no_inputs_section(tmp_path):
    workbook = build(write(tmp_path, report=NO_INPUTS_REPORT, layout=NO_INPUTS_LAYOUT))
    shown = libreoffice.shown_text(workbook, tmp_path / "csv", recalc=True)
    first_cells = [row[0] for row in shown["Contents"] if row]
    assert "Inputs" not in first_cells  # no section, and no link to an empty Inputs sheet
    assert "Inputs" not in shown
    assert "Periods" in first_cells and "Statements" in first_cells and "Income" in first_cells


def test_a_report_with_inputs_keeps_its_inputs_section(tmp_path):
    workbook = build(write(tmp_path))
    shown = libreoffice.shown_text(workbook, tmp_path / "csv", recalc=True)
    rows = [row[:2] for row in shown["Contents"] if row]
    at = rows.index(["Inputs", "Value"])
    assert rows[at + 1] == ["JPY per USD", "150"]
    assert "Inputs" in shown


# --------------------------------------------------------------- 4. twin period labels


TWINS_REPORT = MINI_REPORT.replace(
    '  prior: {key: "2023", label: "Dec 31, 2023"}\n',
    '  prior: {key: "2023", label: "Dec 31, 2023"}\n  ytd: {key: "FY24", label: "Dec 31, 2024"}\n'
    '  half: {key: "H2", label: "2H", sum_of: [current, ytd]}\n',
)
TWINS_LAYOUT = MINI_LAYOUT.replace(
    "  - period: prior\n",
    "  - period: ytd\n    columns:\n      - {id: jpy_y, kind: amount, header: JPY}\n  - period: prior\n",
)
TWINS_DATA = MINI_DATA + "product,FY24,400\nservice,FY24,300\ncost,FY24,500\n"


def test_two_periods_of_one_label_are_headed_with_their_keys(tmp_path):
    workbook = build(write(tmp_path, report=TWINS_REPORT, layout=TWINS_LAYOUT, data=TWINS_DATA))
    shown = libreoffice.shown_text(workbook, tmp_path / "csv", recalc=True)
    period_row = shown["Income"][3]
    assert period_row[1:6] == ["Dec 31, 2024 (2024)", "", "", "Dec 31, 2024 (FY24)", "Dec 31, 2023"]
    # two cells, not one merged over both periods
    merges = re.findall(r'<mergeCell ref="([A-Z]+4:[A-Z]+4)"/>', sheet_xml(workbook, "Income"))
    assert merges == ["B4:D4"]
    # Contents names a sum of twins the same way
    contents = [row[:3] for row in shown["Contents"] if row]
    assert ["2H", "H2", "= Dec 31, 2024 (2024) + Dec 31, 2024 (FY24)"] in contents


def test_groups_tell_twin_periods_apart_so_their_headers_keep_the_label(tmp_path):
    layout = """\
sheet: Income
title: [Statement of income]
columns:
  - group: Three Months Ended
    columns:
      - period: current
        columns:
          - {id: jpy, kind: amount, header: JPY}
  - group: Year Ended
    columns:
      - period: ytd
        columns:
          - {id: jpy_y, kind: amount, header: JPY}
      - period: prior
        columns:
          - {id: jpy_p, kind: amount, header: JPY}
rows:
  - {id: product, label: Product}
  - {id: service, label: Service}
  - {id: cost, label: Cost}
"""
    workbook = build(write(tmp_path, report=TWINS_REPORT, layout=layout, data=TWINS_DATA))
    shown = libreoffice.shown_text(workbook, tmp_path / "csv", recalc=True)
    assert shown["Income"][2][1:4] == ["Three Months Ended", "Year Ended", ""]
    assert shown["Income"][3][1:4] == ["Dec 31, 2024", "Dec 31, 2024", "Dec 31, 2023"]


def test_contents_describes_a_statement_by_all_its_title_lines(tmp_path):
    report = write(tmp_path, layout=MINI_LAYOUT.replace('title: ["{company}", Statement of income]', TWO_LINES))
    shown = libreoffice.shown_text(build(report), tmp_path / "csv", recalc=True)
    assert ["Income", "Summary of Results - GAAP (Dec 31, 2024)"] in [row[:2] for row in shown["Contents"]]


def test_a_column_header_of_several_lines_gets_the_height_of_all_of_them(tmp_path):
    """The neighbour of the period row: a column header that wraps to four lines was given two."""
    layout = MINI_LAYOUT.replace('header: "%"}', 'header: "Percentage of total net revenues", width: 9}')
    workbook = build(write(tmp_path, layout=layout), "--pdf")
    row = re.search(r'<row r="5"[^>]*>', sheet_xml(workbook, "Income")).group(0)
    assert float(re.search(r'ht="([\d.]+)"', row).group(1)) >= 50
    page = " ".join(pdf_text(workbook, tmp_path)[1].split())
    for word in ("Percentage", "of", "total", "net", "revenues"):
        assert word in page
