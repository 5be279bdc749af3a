"""Board-pack output: a PDF with one landscape page per statement, a Contents sheet first,
print settings, document properties, and a clear error when LibreOffice is missing."""

from __future__ import annotations

import re
import subprocess
from collections import Counter

import openpyxl
import pytest
from click.testing import CliRunner

from builder.cli import main
from tests.published import APPENDICES, EXAMPLE, OTHER_TABLES, figures


@pytest.fixture(scope="module")
def pack(tmp_path_factory):
    out = tmp_path_factory.mktemp("pack") / "X.xlsx"
    result = CliRunner().invoke(main, ["build", str(EXAMPLE), "--out", str(out), "--pdf"])
    assert result.exit_code == 0, result.output
    return out, out.with_suffix(".pdf")


def page_text(pdf, page: int) -> str:
    done = subprocess.run(
        ["pdftotext", "-layout", "-f", str(page), "-l", str(page), str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def printed(fig) -> str:
    """A figure as the release prints it: 2,832,355, (10,188), 27.0%, (3.56), - for zero."""
    value = fig.value
    percent = fig.column.startswith("pct") or "change" in fig.column
    places = max(-value.as_tuple().exponent, 0)
    if value == 0 and not percent:
        return "-" if fig.table == "cash_flows" else "0"
    text = f"{abs(value):,.{places}f}" + ("%" if percent else "")
    return f"({text})" if value < 0 else text


def test_one_landscape_page_per_statement_after_the_contents(pack):
    _, pdf = pack
    info = subprocess.run(
        ["pdfinfo", "-f", "1", "-l", "99", str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    sizes = [re.split(r"size:|x|pts", line)[1:3] for line in info.splitlines() if re.match(r"^Page +\d+ size:", line)]
    assert len(sizes) == 2 + len(APPENDICES) + len(OTHER_TABLES)  # Contents, Highlights, the tables
    assert all(float(w) > float(h) for w, h in sizes)


@pytest.mark.parametrize("page,table", [(3, "operations"), (4, "balance_sheet"), (5, "cash_flows")])
def test_each_appendix_page_prints_its_published_figures(pack, page, table):
    _, pdf = pack
    text = page_text(pdf, page)
    assert "Internet Initiative Japan Inc." in text
    assert f"Page {page} of 16" in text and "2004-11-11" in text
    tokens = Counter(text.split())
    expected = Counter(printed(f) for f in figures(table))
    missing = {token: n for token, n in expected.items() if tokens[token] < n}
    assert missing == {}
    for label in {f.label for f in figures(table)}:
        assert label.split()[0] in text


def test_company_on_every_page_and_images_for_review(pack, tmp_path):
    _, pdf = pack
    for page in range(1, 17):
        assert "Internet Initiative Japan Inc." in page_text(pdf, page)
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(pdf), str(tmp_path / "page")], check=True)
    images = sorted(tmp_path.glob("page-*.png"))
    assert len(images) == 16
    print(f"page images for review: {tmp_path}")


def test_workbook_opens_on_contents_with_print_settings_and_properties(pack):
    xlsx, _ = pack
    wb = openpyxl.load_workbook(xlsx)
    assert wb.sheetnames[0] == "Contents" and wb.active.title == "Contents"
    contents = [c.value for row in wb["Contents"].iter_rows() for c in row if c.value]
    assert "Balance Sheet" in contents and "Report date: 2004-11-11" in contents
    assert any(str(v).startswith("=IF(COUNTIF(Checks!") for v in contents)
    ops = wb["Operations"]
    assert ops.page_setup.orientation == "landscape"
    assert ops.sheet_properties.pageSetUpPr.fitToPage
    assert ops.print_area == "'Operations'!$A$1:$J$40"
    assert "Unaudited" in ops.oddHeader.right.text
    assert wb.properties.title == "IIJ 2Q FY2004 earnings release - appendices"
    assert wb.properties.creator == "Internet Initiative Japan Inc."
    assert ops.sheet_view.showGridLines is False


def test_missing_libreoffice_still_writes_the_workbook(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no soffice on it
    out = tmp_path / "Y.xlsx"
    result = CliRunner().invoke(main, ["build", str(EXAMPLE), "--out", str(out), "--pdf"])
    assert result.exit_code == 5
    assert "apt-get install -y libreoffice-calc-nogui" in result.output
    assert out.exists() and not out.with_suffix(".pdf").exists()
    assert "Traceback" not in result.output
