"""Reviewer conventions: protected sheets, typed inputs blue and unlocked, formulas black,
links to other sheets green, each typed figure linked to its source; a report switches
them off with `reviewer_conventions: false`.

Everything is read back from the written package's XML, as Excel reads it.
"""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from builder import reviewer
from builder.cli import main
from tests.conftest import edit

BLUE, GREEN = "FF0000FF", "FF008000"


def run(*args: str):
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def build(report: Path, out: Path) -> Path:
    result = run("build", str(report), "--out", str(out))
    assert result.exit_code == 0, result.output
    return out


class Package:
    """The parts of a written workbook a reviewer's Excel reads: sheets, cells, styles."""

    def __init__(self, path: Path):
        with zipfile.ZipFile(path) as zf:
            self.parts = {name: zf.read(name).decode("utf-8") for name in zf.namelist() if name.endswith(".xml")}
            rels = zf.read("xl/_rels/workbook.xml.rels").decode("utf-8")
        targets = dict(re.findall(r'Id="(rId\d+)"[^>]*Target="([^"]+)"', rels))
        targets |= {k: v for v, k in re.findall(r'Target="([^"]+)"[^>]*Id="(rId\d+)"', rels)}
        sheets = re.findall(r'<sheet name="([^"]+)"[^>]*r:id="(rId\d+)"', self.parts["xl/workbook.xml"])
        self.sheets = {name.replace("&amp;", "&"): "xl/" + targets[rid] for name, rid in sheets}
        styles = self.parts["xl/styles.xml"]
        self.xfs = re.findall(r"<xf [^>]*?(?:/>|>.*?</xf>)", re.search(r"<cellXfs.*?</cellXfs>", styles, re.S)[0])
        self.fonts = re.findall(r"<font>.*?</font>|<font .*?</font>", re.search(r"<fonts.*?</fonts>", styles, re.S)[0])

    def xml(self, sheet: str) -> str:
        return self.parts[self.sheets[sheet]]

    def cells(self, sheet: str) -> dict[str, tuple[int, str | None]]:
        """Each cell's style index and formula."""
        found = {}
        for ref, attrs, body in re.findall(r'<c r="([A-Z]+\d+)"([^>]*?)(?:/>|>(.*?)</c>)', self.xml(sheet)):
            s = re.search(r' s="(\d+)"', attrs)
            formula = re.search(r"<f>(.*?)</f>", body or "")
            found[ref] = (int(s[1]) if s else 0, formula[1] if formula else None)
        return found

    def look(self, sheet: str, ref: str) -> tuple[str | None, bool]:
        """A cell's font colour (None: the default, black) and whether it is locked."""
        xf = self.xfs[self.cells(sheet)[ref][0]]
        font = self.fonts[int(re.search(r'fontId="(\d+)"', xf)[1])]
        rgb = re.search(r'<color rgb="(\w+)"', font)
        return (rgb[1] if rgb else None), '<protection locked="0"/>' not in xf

    def formula_cell(self, sheet: str, formula: str) -> str:
        return next(ref for ref, (_, f) in self.cells(sheet).items() if f == formula)


@pytest.fixture
def built(mini, tmp_path) -> Package:
    return Package(build(mini, tmp_path / "out.xlsx"))


def test_every_sheet_but_the_formula_map_is_protected_without_a_password(built):
    for sheet in ("Contents", "Income", "Data", "Inputs"):
        protection = re.search(r"<sheetProtection [^>]*/>", built.xml(sheet))
        assert protection, sheet
        assert 'sheet="1"' in protection[0] and "password" not in protection[0].lower(), protection[0]
        # Allowed (attribute "0"): formatting columns and rows; selecting any cell (no "select...").
        assert 'formatColumns="0"' in protection[0] and 'formatRows="0"' in protection[0], protection[0]
        assert "selectLockedCells" not in protection[0] and "selectUnlockedCells" not in protection[0]
    assert "<sheetProtection" not in built.xml("_formulas")


def test_typed_inputs_are_blue_and_unlocked(built):
    # data.csv's first figure (product, 2024) is the Data sheet's row 2; fx is the Inputs sheet's B2.
    assert built.look("Data", "D2") == (BLUE, False)
    assert built.look("Data", "D7") == (BLUE, False)
    assert built.look("Inputs", "B2") == (BLUE, False)
    # The rest of those sheets (line ids, labels, sources) stays locked, in the default font.
    assert built.look("Data", "E2") == (None, True)
    assert built.look("Inputs", "D2") == (None, True)


def test_formulas_are_black_and_links_to_other_sheets_green_all_locked(built):
    typed = built.formula_cell("Income", "Data!D2")  # product, 2024: a link to the Data sheet
    assert built.look("Income", typed) == (GREEN, True)
    total = built.formula_cell("Income", "SUM(C7:C8)")  # total revenue: a formula on its own sheet
    assert built.look("Income", total) == (None, True)
    usd = built.formula_cell("Income", "C7/fx")  # the input fx lives on the Inputs sheet
    assert built.look("Income", usd) == (GREEN, True)
    # Bold totals keep their bold and rules: only the colour and the lock are the convention's.
    xf = built.xfs[built.cells("Income")[total][0]]
    assert 'borderId="0"' not in xf
    assert "<b/>" in built.fonts[int(re.search(r'fontId="(\d+)"', xf)[1])]


def test_each_typed_figure_on_a_statement_links_to_its_source_row(built):
    links = re.findall(r"<hyperlink [^>]*/>", built.xml("Income"))
    assert len(links) == 6  # the six figures of data.csv, each shown once
    typed = built.formula_cell("Income", "Data!D2")
    link = next(link for link in links if f'ref="{typed}"' in link)
    assert 'location="Data!A2:E2"' in link and 'tooltip="data.csv:2"' in link, link
    cost_2023 = built.formula_cell("Income", "Data!D7")  # cost,2023 is data.csv's line 7
    assert any(f'ref="{cost_2023}"' in x and 'tooltip="data.csv:7"' in x for x in links), links
    # The linked cell still holds its formula and its value, not the tooltip's text.
    assert re.search(rf'<c r="{typed}"[^>]*><f>Data!D2</f><v>120(\.0)?</v></c>', built.xml("Income"))


def test_styles_stay_deduplicated(built):
    assert len(built.xfs) == len(set(built.xfs))
    assert len(built.fonts) == len(set(built.fonts))


def test_switched_off_the_workbook_has_no_protection_colours_or_links(mini, tmp_path):
    on = Package(build(mini, tmp_path / "on.xlsx"))
    edit(mini, "data: data.csv\n", "data: data.csv\nreviewer_conventions: false\n")
    off = Package(build(mini, tmp_path / "off.xlsx"))
    for sheet in off.sheets:
        assert "<sheetProtection" not in off.xml(sheet), sheet
    assert "<hyperlink" not in off.xml("Income")  # Contents keeps its links to the sheets
    assert not any('locked="0"' in xf for xf in off.xfs)
    assert not any(BLUE in font or GREEN in font for font in off.fonts)
    # Only styles differ: every cell, value and formula is the same.
    for sheet in on.sheets:
        strip = re.compile(r' s="\d+"')
        assert strip.sub("", re.search(r"<sheetData.*</sheetData>", on.xml(sheet), re.S)[0]) == strip.sub(
            "", re.search(r"<sheetData.*</sheetData>", off.xml(sheet), re.S)[0]
        ), sheet


def test_a_switch_that_is_not_true_or_false_is_refused_at_its_line(mini, tmp_path):
    edit(mini, "data: data.csv\n", "data: data.csv\nreviewer_conventions: off-ish\n")
    result = run("build", str(mini), "--out", str(tmp_path / "out.xlsx"))
    assert result.exit_code == 2, result.output
    assert "report.yaml:10" in result.output and "reviewer_conventions" in result.output, result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out.xlsx").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".report-builder-")]


def test_a_statement_with_more_figures_than_excel_has_links_gets_none(mini, tmp_path, monkeypatch):
    # Excel allows 65,530 links per sheet; the mini statement's 6 figures stand in for them.
    # (An XlsxWriter warning, e.g. for links past its limit, fails the test: pyproject.toml.)
    monkeypatch.setattr(reviewer, "MAX_LINKS_PER_SHEET", 5)
    package = Package(build(mini, tmp_path / "over.xlsx"))
    assert "<hyperlink" not in package.xml("Income")
    typed = package.formula_cell("Income", "Data!D2")
    assert package.look("Income", typed) == (GREEN, True)  # the colours and the lock stay
    monkeypatch.setattr(reviewer, "MAX_LINKS_PER_SHEET", 6)
    assert len(re.findall("<hyperlink ", Package(build(mini, tmp_path / "at.xlsx")).xml("Income"))) == 6


def test_verify_passes_on_a_workbook_with_links_on_formula_cells(mini, tmp_path):
    out = build(mini, tmp_path / "out.xlsx")
    done = subprocess.run(
        [str(Path(sys.executable).with_name("report-builder")), "verify", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr


def test_the_example_is_protected_with_inputs_unlocked(example_workbook):
    package = Package(example_workbook)
    for sheet in package.sheets:
        # The two very hidden sheets a user never sees (which cells are formulas, which figure each holds)
        # are the builder's own records, written apart from the statements.
        assert ("<sheetProtection" in package.xml(sheet)) == (sheet not in ("_formulas", "_figures")), sheet
    assert package.look("Inputs", "B2") == (BLUE, False)  # fx_rate
    assert package.look("Data", "D2") == (BLUE, False)
    assert re.search(
        r'<hyperlink ref="[A-Z]+\d+" location="Data!A2:E2" tooltip="data.csv:2"', package.xml("Operations")
    )


def test_prose_that_quotes_figures_keeps_the_default_black(example_workbook):
    # A Highlights sentence reads Operations' cells and a note quotes the FX rate on the Inputs
    # sheet: both are formulas reading another sheet, but they are text to read in the pack.
    package = Package(example_workbook)
    sentence = next(
        ref for ref, (_, f) in package.cells("Highlights").items() if f and f.startswith('"Revenue totaled')
    )
    note = next(ref for ref, (_, f) in package.cells("Operations").items() if f and "fx_rate" in f and ref[0] == "A")
    assert package.look("Highlights", sentence) == (None, True)
    assert package.look("Operations", note) == (None, True)
    typed = package.formula_cell("Operations", "Data!D2")
    assert package.look("Operations", typed) == (GREEN, True)  # a figure read from another sheet stays green


def test_links_and_locks_hold_in_constant_memory_mode(mini, tmp_path):
    # A large workbook is written row by row (XlsxWriter's constant_memory): the link goes in
    # before the formula of the same cell, so nothing is flushed in between.
    from builder import api
    from builder.render import render_workbook

    out = render_workbook(api.plan(mini), tmp_path / "cm.xlsx", constant_memory=True)
    package = Package(out)
    typed = package.formula_cell("Income", "Data!D2")
    assert re.search(rf'<hyperlink ref="{typed}" location="Data!A2:E2" tooltip="data.csv:2"', package.xml("Income"))
    assert re.search(rf'<c r="{typed}"[^>]*><f>Data!D2</f><v>120(\.0)?</v></c>', package.xml("Income"))
    assert package.look("Data", "D2") == (BLUE, False)


def test_a_figure_on_a_second_data_sheet_links_to_its_quoted_name(tmp_path):
    # Past Excel's 1,048,575 figures a sheet, figures continue on "Data (2)", whose name needs quotes.
    from builder.errors import Source
    from builder.expr import Ref
    from builder.plan import Cell, Style

    conv = reviewer.Conventions(tmp_path, {}, frozenset())
    cell = Cell(8, 2, 5.0, Style(), Ref("Data (2)", 4, 3), "'Data (2)'!D5", Source(str(tmp_path / "data.csv"), 1048580))
    assert reviewer.SheetRoles(conv, "Ledger").source_link(cell) == ("'Data (2)'!A5:E5", "data.csv:1048580")
    assert reviewer.SheetRoles(conv, "Ledger").style(cell).font_color == "#008000"
