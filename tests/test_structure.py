"""Structural validity of the workbooks: every part parses and is declared, every relationship
lands, the sheets are what was planned, and the package passes ECMA-376 schema validation.

The second half breaks a sound workbook one way at a time and asserts the checks name the
breakage, so a check that could not fail would show here.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
import xlsxwriter
from click.testing import CliRunner
from xlsxwriter.utility import xl_rowcol_to_cell

from builder import plan
from builder.cli import main
from tests.published import EXAMPLE
from tests.structure import ooxml_errors, structural_problems

SHEET = "xl/worksheets/sheet2.xml"  # the mini report's statement, Income
BOOK = "xl/workbook.xml"


def test_example_workbook_is_structurally_sound(example_workbook):
    planned = [sheet.name for sheet in plan(EXAMPLE).sheets]
    assert len(planned) > 5
    assert structural_problems(example_workbook, planned) == []


def test_example_workbook_passes_ooxml_schema_validation(example_workbook):
    assert ooxml_errors(example_workbook) == []


@pytest.fixture
def mini_book(mini, tmp_path) -> Path:
    """The mini report built by the real CLI: a sound workbook to break."""
    out = tmp_path / "out" / "mini.xlsx"
    result = CliRunner().invoke(main, ["build", str(mini), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert sorted(p.name for p in out.parent.iterdir()) == ["mini.xlsx"]  # no temp file left
    return out


def test_cli_build_is_structurally_sound_and_schema_valid(mini, mini_book):
    assert structural_problems(mini_book, [s.name for s in plan(mini).sheets]) == []
    assert ooxml_errors(mini_book) == []


def rewrite(book: Path, edits: dict[str, Callable[[str], str | None]], extra: dict[str, str] | None = None) -> Path:
    """A copy of `book` with some parts edited (None drops the part) or added."""
    out = book.with_name("broken.xlsx")
    with zipfile.ZipFile(book) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename in edits:
                text = edits[info.filename](data.decode())
                if text is None:
                    continue
                assert text != data.decode(), f"the edit of {info.filename} changed nothing"
                data = text.encode()
            zout.writestr(info, data)
        for name, text in (extra or {}).items():
            zout.writestr(name, text)
    return out


def sub(pattern: str, replacement: str) -> Callable[[str], str]:
    return lambda text: re.sub(pattern, replacement, text, count=1)


BREAKAGES = {
    "malformed part": ({SHEET: sub("</sheetData>", "</sheetDat>")}, None, "sheet2.xml: not well-formed XML"),
    "malformed rels": (
        {"xl/_rels/workbook.xml.rels": sub("</Relationships>", "")},
        None,
        "workbook.xml.rels: not well-formed XML",
    ),
    "part without content type": ({}, {"xl/extra.bin": "x"}, "/xl/extra.bin: [Content_Types].xml gives it no"),
    "declared part missing": ({"xl/theme/theme1.xml": lambda _: None}, None, "declares /xl/theme/theme1.xml"),
    "relationship to nothing": (
        {"xl/_rels/workbook.xml.rels": sub("worksheets/sheet2.xml", "worksheets/nope.xml")},
        None,
        "points at /xl/worksheets/nope.xml, which is not in the package",
    ),
    "r:id that is no relationship": ({BOOK: sub('r:id="rId2"', 'r:id="rId99"')}, None, "id=rId99 is not one of"),
    "sheet as a plain XML part": (
        {"[Content_Types].xml": sub(r'<Override PartName="/xl/worksheets/sheet2.xml"[^>]*/>', "")},
        None,
        "sheet 'Income' does not point at a worksheet part",
    ),
    "sheet name over 31 UTF-16 units": (
        # 16 characters, 32 UTF-16 units: Excel counts the units.
        {BOOK: sub('name="Income"', 'name="' + "\U0001f4b0" * 16 + '"')},
        None,
        "longer than 31 characters",
    ),
    "sheet name with a bracket": ({BOOK: sub('name="Income"', 'name="In[come"')}, None, "a character Excel refuses"),
    "sheet named History": ({BOOK: sub('name="Income"', 'name="HISTORY"')}, None, "is reserved by Excel"),
    "sheet names equal but for case": ({BOOK: sub('name="Income"', 'name="CONTENTS"')}, None, "is used twice"),
    "sheet renamed from the plan": ({BOOK: sub('name="Income"', 'name="Incom"')}, None, "planned"),
    "hidden active sheet": (
        {BOOK: sub('<sheet name="Contents"', '<sheet state="hidden" name="Contents"')},
        None,
        "activeTab opens a hidden or missing sheet",
    ),
    "defined name to a missing sheet": ({BOOK: sub(r"Inputs!\$", "Inptus!$")}, None, "refers to sheet 'Inptus'"),
    "rows out of order": ({SHEET: sub('<row r="2"', '<row r="99"')}, None, "comes after row 99"),
    "cell outside its row": ({SHEET: sub(r'<c r="A(\d+)"', r'<c r="A999\1"')}, None, "is not in row"),
    "style that does not exist": ({SHEET: sub(r' s="\d+"', ' s="999"')}, None, "s=999, but the workbook has"),
}


@pytest.mark.parametrize("breakage", BREAKAGES, ids=list(BREAKAGES))
def test_structural_check_names_each_breakage(mini, mini_book, breakage):
    edits, extra, expected = BREAKAGES[breakage]
    broken = rewrite(mini_book, edits, extra)
    problems = structural_problems(broken, [s.name for s in plan(mini).sheets])
    assert any(expected in p for p in problems), problems


def test_structural_check_finds_a_missing_shared_string_and_overlapping_merges(tmp_path):
    # The builder writes inline strings today; a plain XlsxWriter book has a shared-strings table.
    path = tmp_path / "plain.xlsx"
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet("S")
    sheet.write_string(0, 0, "only string")
    sheet.merge_range(2, 0, 3, 1, "merged")
    book.close()
    assert structural_problems(path) == []
    broken = rewrite(
        path,
        {
            "xl/worksheets/sheet1.xml": lambda text: text.replace("<v>0</v>", "<v>7</v>", 1).replace(
                "</mergeCells>", '<mergeCell ref="B4:C5"/></mergeCells>'
            )
        },
    )
    problems = structural_problems(broken)
    assert any("A1 names a shared string that does not exist" in p for p in problems), problems
    assert any("B4:C5 overlaps another merge" in p for p in problems), problems


SCHEMA_BREAKAGES = {
    "unknown element": ({SHEET: sub("<sheetData>", "<sheetData><bogus/>")}, "Unexpected element 'bogus'"),
    "elements out of order": ({SHEET: sub(r"(<cols>.*?</cols>)(<sheetData>.*</sheetData>)", r"\2\1")}, "'cols'"),
    "value outside its enumeration": (
        {SHEET: sub(r'<c r="(\w+)" s="(\d+)"><f>', r'<c r="\1" s="\2" t="zz"><f>')},
        "'zz'",
    ),
    "required attribute missing": ({BOOK: sub(' sheetId="2"', "")}, "sheetId"),
}


@pytest.mark.parametrize("breakage", SCHEMA_BREAKAGES, ids=list(SCHEMA_BREAKAGES))
def test_schema_validation_names_each_breakage(mini_book, breakage):
    edits, expected = SCHEMA_BREAKAGES[breakage]
    errors = ooxml_errors(rewrite(mini_book, edits))
    assert any(expected in e for e in errors), errors


def test_xlsxwriter_warnings_fail_the_tests():
    # pyproject's filterwarnings turns XlsxWriter's UserWarnings into errors; without it this warns and passes.
    with pytest.raises(UserWarning, match="must be >= 0"):
        xl_rowcol_to_cell(-1, 0)
