"""verify reads workbooks by streaming their XML (builder.verify.xlsxread); openpyxl is the oracle.

Every cell of each workbook below is read both ways: openpyxl's values (data_only) and
formulas must equal the streaming reader's, and verify's findings (formula cells, stored
values, overwritten cells, differences from a recalculated copy) must equal those of the
openpyxl-based reading verify used before. The workbooks: the example as built, as
LibreOffice recalculates it, as openpyxl saves it, tampered with as Excel would write a
retyped cell, in XlsxWriter's constant_memory mode (inline strings), and a hand-written
sheet with what the builder never writes (shared formulas, rich text, cells without
references, booleans, errors).
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from builder import formula_map, plan
from builder.cli import main
from builder.render import render_workbook
from builder.verify import compare, xlsxread


def _openpyxl_cells(path: Path) -> tuple[dict, dict]:
    """{(sheet, row, col): value} of every cell holding one (data_only), and {(sheet, row, col): formula}.

    Empty cells are left out: openpyxl makes one for every cell of a merged range, whether the
    file has it or not, and verify takes an empty cell and a missing one alike ("holds nothing")."""
    values = openpyxl.load_workbook(path, data_only=True)
    formulas = openpyxl.load_workbook(path, data_only=False)
    stored = {
        (ws.title, r, c): cell.value
        for ws in values.worksheets
        for (r, c), cell in ws._cells.items()
        if cell.value is not None and not _link_standing_in(cell)
    }
    written = {
        (ws.title, r, c): cell.value
        for ws in formulas.worksheets
        for (r, c), cell in ws._cells.items()
        if cell.data_type == "f"
    }
    return stored, written


def _link_standing_in(cell) -> bool:
    """openpyxl gives a linked cell that stores no value its link's address as the value (a formula
    saved by openpyxl keeps no value, and every typed figure on a statement links to its Data row):
    the file holds no such value, so the oracle leaves it out."""
    link = cell.hyperlink
    return link is not None and cell.value in (link.target, link.location)


def _streamed_cells(path: Path) -> tuple[dict, dict]:
    stored, written = {}, {}
    with zipfile.ZipFile(path) as archive:
        book = xlsxread.Book(archive)
        for name in book.sheets:
            for row, col, formula, value in book.cells(name):
                if value is not None:
                    stored[(name, row, col)] = value
                if formula is not None:
                    written[(name, row, col)] = formula
    return stored, written


def _old_read(path: Path):
    """verify's reading before streaming (builder/verify/compare.py at 727cb4e), as the oracle."""
    formulas = openpyxl.load_workbook(path, data_only=False)
    values = openpyxl.load_workbook(path, data_only=True)
    out, present = {}, {}
    for ws in formulas.worksheets:
        stored = values[ws.title]
        here = present[ws.title] = set()
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    value = stored[cell.coordinate]
                    # (where the old reading took a link's address for the stored value, it read wrong)
                    out[(ws.title, cell.coordinate)] = (cell.value, None if _link_standing_in(value) else value.value)
                    here.add((cell.row, cell.column))
    if formula_map.SHEET not in values.sheetnames:
        return out, [], False
    mapped = formula_map.read(values[formula_map.SHEET].iter_rows(values_only=True))
    found = []
    for name, ranges in mapped.items():
        ws, have = values[name], present[name]
        for r0, c0, r1, c1 in ranges:
            for r in range(r0, r1 + 1):
                for c in range(c0, c1 + 1):
                    if (r, c) not in have:
                        cell = ws._cells.get((r, c))
                        value = None if cell is None else cell.value
                        holds = "nothing" if value in (None, "") else repr(value) if isinstance(value, str) else value
                        found.append(f"{name}!{compare._a1(r, c)} should hold a formula, holds {holds}")
    return out, found, True


def _old_differences(cells: dict, recalculated: Path) -> list:
    engine = openpyxl.load_workbook(recalculated, data_only=True)
    diffs = []
    for (sheet, coord), (formula, stored) in sorted(cells.items()):
        again = engine[sheet][coord].value
        if not compare.same(stored, again):
            diffs.append(compare.Difference(sheet, coord, formula, stored, again))
    return diffs


def _part(workbook: Path, sheet: str) -> str:
    """The zip part holding a sheet: sheets are written as sheetN.xml in the workbook's order."""
    return f"xl/worksheets/sheet{openpyxl.load_workbook(workbook, read_only=True).sheetnames.index(sheet) + 1}.xml"


def _rewrite(src: Path, dst: Path, part: str, change) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == part:
                data = change(data.decode()).encode()
            zout.writestr(item, data)
    return dst


def _tamper(text: str) -> str:
    """Operations: D12 retyped as 0.99, D13 cleared, D14 typed text (inline), one stored value changed."""

    def cell(ref: str) -> re.Match:
        return re.search(rf'<c r="{ref}"[^>]*>.*?</c>', text)

    d12 = cell("D12")
    text = text[: d12.start()] + '<c r="D12"><v>0.99</v></c>' + text[d12.end() :]
    text = text[: cell("D13").start()] + text[cell("D13").end() :]
    d14 = cell("D14")
    text = text[: d14.start()] + '<c r="D14" t="inlineStr"><is><t>n.a.</t></is></c>' + text[d14.end() :]
    stored = re.search(r'<c r="([A-Z]+\d+)"[^>]*><f>[^<]*</f><v>(-?[\d.E+-]+)</v>', text)
    return text[: stored.start(2)] + str(float(stored.group(2)) + 1) + text[stored.end(2) :]


HAND_SHEET = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1"><v>1</v></c><c r="B1"><f t="shared" ref="B1:B3" si="0">A1*2</f><v>2</v></c>
<c r="C1" t="b"><f>A1=1</f><v>1</v></c><c r="D1" t="e"><f>1/0</f><v>#DIV/0!</v></c></row>
<row r="2"><c r="A2"><v>2.5E3</v></c><c r="B2"><f t="shared" si="0"/><v>5000</v></c>
<c r="C2" t="inlineStr"><is><r><t>rich </t></r><r><rPr><b/></rPr><t>text</t></r>
<rPh sb="0" eb="1"><t>phon</t></rPh></is></c></row>
<row r="3"><c><v>3</v></c><c r="B3"><f t="shared" si="0"/><v>6</v></c><c t="str"><f>"x"&amp;"y"</f><v>xy</v></c>
<c t="str"><f>""</f><v></v></c></row>
</sheetData></worksheet>"""


@pytest.fixture(scope="module")
def workbooks(example_workbook, recalculated, tmp_path_factory, mini_report) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("streaming")
    saved = openpyxl.load_workbook(example_workbook)
    saved["Operations"]["D12"] = 0.99
    saved["Operations"]["E12"] = "typed"
    saved.save(folder / "saved.xlsx")
    return {
        "example": example_workbook,
        "recalculated": recalculated,
        "saved by openpyxl": folder / "saved.xlsx",
        "tampered": _rewrite(
            example_workbook, folder / "tampered.xlsx", _part(example_workbook, "Operations"), _tamper
        ),
        "constant_memory": render_workbook(plan(mini_report), folder / "streamed.xlsx", constant_memory=True),
        "a formula on Data": _rewrite(
            example_workbook,
            folder / "data-formula.xlsx",
            _part(example_workbook, "Data"),  # its D2 typed over with a formula
            lambda t: re.sub(r'<c r="D2"([^>]*)><v>[^<]*</v></c>', r'<c r="D2"\1><f>1+1</f><v>2</v></c>', t),
        ),
        "hand-written": _rewrite(
            example_workbook, folder / "hand.xlsx", _part(example_workbook, "Operations"), lambda _: HAND_SHEET
        ),
    }


@pytest.fixture(scope="module")
def mini_report(tmp_path_factory) -> Path:
    from tests.conftest import MINI_DATA, MINI_LAYOUT, MINI_REPORT

    folder = tmp_path_factory.mktemp("mini")
    (folder / "report.yaml").write_text(MINI_REPORT)
    (folder / "layout.yaml").write_text(MINI_LAYOUT)
    (folder / "data.csv").write_text(MINI_DATA)
    return folder / "report.yaml"


KINDS = [
    "example",
    "recalculated",
    "saved by openpyxl",
    "tampered",
    "constant_memory",
    "a formula on Data",
    "hand-written",
]


@pytest.mark.parametrize("kind", KINDS)
def test_every_cell_reads_as_openpyxl_reads_it(workbooks, kind):
    stored, written = _openpyxl_cells(workbooks[kind])
    assert _streamed_cells(workbooks[kind]) == (stored, written)
    assert len(written) > 0


def test_the_hand_written_sheet_has_what_the_builder_never_writes(workbooks):
    stored, written = _streamed_cells(workbooks["hand-written"])
    assert written[("Operations", 3, 2)] == "=A3*2"  # a shared formula, translated to its cell
    assert stored[("Operations", 2, 3)] == "rich text"  # runs joined, the phonetic one left out
    assert stored[("Operations", 3, 1)] == 3 and stored[("Operations", 2, 1)] == 2500.0
    assert (stored[("Operations", 1, 3)], stored[("Operations", 1, 4)]) == (True, "#DIV/0!")
    assert stored[("Operations", 3, 3)] == "xy" and ("Operations", 3, 4) not in stored  # an empty result


@pytest.mark.parametrize("kind", KINDS)
def test_verify_finds_what_the_openpyxl_reading_found(workbooks, kind):
    assert compare._read(workbooks[kind]) == _old_read(workbooks[kind])


def test_a_formula_on_a_sheet_without_formulas_is_found(workbooks):
    # Sheets the map does not name are skipped when their XML has no <f> element (a scan of
    # the bytes): one formula typed into the Data sheet must still be read.
    cells, _, _ = compare._read(workbooks["a formula on Data"])
    assert cells[("Data", "D2")] == ("=1+1", 2)
    assert ("Data", "D2") not in compare._read(workbooks["example"])[0]


@pytest.mark.parametrize(
    "xml, found",
    [
        (b"<c><f>A1</f></c>", True),
        (b"<x:c><x:f>A1</x:f></x:c>", True),
        (b'<c><f t="shared" si="0"/></c>', True),
        (b"<c><f\n>A1</f></c>", True),
        (b'<fill/><font/><c r="F1"><v>1</v></c><c><is><t>&lt;f&gt;</t></is></c>', False),
    ],
)
def test_the_scan_for_formula_elements(xml, found, tmp_path):
    with zipfile.ZipFile(tmp_path / "s.xlsx", "w") as archive:
        archive.writestr("s.xml", b"<sheetData>" + b" " * ((1 << 20) - 15) + xml + b"</sheetData>")  # across chunks
        archive.writestr("xl/workbook.xml", b"<workbook/>")
        archive.writestr("xl/_rels/workbook.xml.rels", b"<Relationships/>")
    with zipfile.ZipFile(tmp_path / "s.xlsx") as archive:
        book = xlsxread.Book(archive)
        book.sheets["S"] = "s.xml"
        assert book.may_hold_formulas("S") is found


def test_the_tampered_workbook_is_found_out(workbooks, recalculated):
    cells, overwritten, mapped = compare._read(workbooks["tampered"])
    assert mapped and overwritten == [
        "Operations!D12 should hold a formula, holds 0.99",
        "Operations!D13 should hold a formula, holds nothing",
        "Operations!D14 should hold a formula, holds 'n.a.'",
    ]
    diffs = compare._differences(cells, recalculated)
    assert diffs == _old_differences(cells, recalculated)
    assert len(diffs) == 1 and diffs[0].sheet == "Operations"


def test_differences_from_the_recalculation_are_the_openpyxl_ones(workbooks, recalculated):
    cells, _, _ = compare._read(workbooks["example"])
    assert len(cells) > 3000
    assert compare._differences(cells, recalculated) == _old_differences(cells, recalculated) == []
    # A stored value made wrong in the dict is found against LibreOffice's copy.
    key = sorted(k for k, (f, v) in cells.items() if isinstance(v, float))[0]
    cells[key] = (cells[key][0], cells[key][1] + 1)
    found = compare._differences(cells, recalculated)
    assert found == _old_differences(cells, recalculated) and [(d.sheet, d.cell) for d in found] == [key]


def test_a_damaged_formula_map_is_named_as_before(example_workbook, tmp_path):
    # The map is the last sheet; its A2, a sheet's name, becomes a number.
    with zipfile.ZipFile(example_workbook) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
    last = max(sheets, key=lambda n: int(re.search(r"\d+", n).group()))
    path = _rewrite(
        example_workbook,
        tmp_path / "map.xlsx",
        last,
        lambda t: re.sub(r'<c r="A2"[^>]*>.*?</c>', '<c r="A2"><v>7</v></c>', t),
    )
    result = CliRunner().invoke(main, ["verify", str(path)])
    assert result.exit_code == 2, result.output
    assert f"error: {path}: its formula map (the _formulas sheet) is damaged: row 2" in result.output
    assert "Traceback" not in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["map.xlsx"]


def test_a_sheet_that_is_not_xml_is_bad_input(example_workbook, tmp_path):
    path = _rewrite(
        example_workbook, tmp_path / "bad.xlsx", _part(example_workbook, "Operations"), lambda t: t[: len(t) // 2]
    )
    result = CliRunner().invoke(main, ["verify", str(path)])
    assert result.exit_code == 2, result.output
    assert f"error: {path}: not a readable .xlsx workbook (ParseError" in result.output
    assert "Traceback" not in result.output
