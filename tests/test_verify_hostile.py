"""verify against hostile conditions: the caller's locale, overwritten formulas, files that are no workbook."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

from builder.cli import main
from builder.errors import ReportError
from builder.verify import libreoffice

CLI = Path(sys.executable).parent / "report-builder"


def run_cli(*args, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(CLI), *[str(a) for a in args]], capture_output=True, text=True, env=env, timeout=600, check=False
    )


def locale_env(name: str, locpath: Path | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LC_") and k not in ("LANG", "LANGUAGE")}
    env.update(LANG=name, LC_ALL=name)
    if locpath is not None:
        env["LOCPATH"] = str(locpath)
    return env


@pytest.fixture(scope="session")
def german(tmp_path_factory) -> dict[str, str]:
    """An environment in de_DE.UTF-8 (decimal comma), generated into a private LOCPATH.

    glibc reads compiled locales from LOCPATH, so no root and no system change is needed;
    localedef needs the `locales` package's sources (/usr/share/i18n). The locale is
    proven to be in effect, so the test cannot pass by silently running in C.
    """
    folder = tmp_path_factory.mktemp("locales")
    localedef = shutil.which("localedef")
    assert localedef, "localedef (libc-bin) is missing"
    made = subprocess.run(
        [localedef, "-i", "de_DE", "-f", "UTF-8", str(folder / "de_DE.UTF-8")], capture_output=True, text=True
    )
    assert (folder / "de_DE.UTF-8").is_dir(), f"install the 'locales' package: {made.stderr}"
    env = locale_env("de_DE.UTF-8", folder)
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "import locale; locale.setlocale(locale.LC_ALL, ''); print(locale.localeconv()['decimal_point'])",
        ],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    assert probe.stdout.strip() == ",", probe
    return env


def test_verify_gives_the_same_verdict_in_a_german_locale(example_workbook, german):
    plain = run_cli("verify", example_workbook, env=locale_env("C.UTF-8"))
    assert plain.returncode == 0, plain.stderr
    assert plain.stdout.startswith("ok: ")
    german_run = run_cli("verify", example_workbook, env=german)
    assert "Traceback" not in german_run.stderr
    assert (german_run.returncode, german_run.stdout, german_run.stderr) == (0, plain.stdout, plain.stderr)


def test_the_pdf_pack_prints_en_us_numbers_in_a_german_locale(german, tmp_path):
    out = tmp_path / "pack.xlsx"
    built = run_cli("build", "--out", out, "--pdf", env=german)
    assert built.returncode == 0, built.stderr
    text = subprocess.run(["pdftotext", "-layout", str(out.with_suffix(".pdf")), "-"], capture_output=True, text=True)
    # Total revenues and the note's rate, as the release prints them (German would be 10.512.328 and 110,20).
    assert "10,512,328" in text.stdout and "110.20 = $1" in text.stdout
    assert "10.512.328" not in text.stdout and "110,20" not in text.stdout


# --- a formula overwritten with a constant ------------------------------------------------


def rewrite_sheet(src: Path, dst: Path, part: str, edit) -> None:
    """Copy a workbook, changing one part's XML text: what Excel does when a cell is retyped."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == part:
                data = edit(data.decode()).encode()
            zout.writestr(item, data)


def cell_xml(text: str, ref: str) -> re.Match:
    match = re.search(rf'<c r="{ref}"[^>]*>.*?</c>', text)
    assert match, ref
    return match


def test_verify_names_formulas_overwritten_with_a_number_or_cleared(example_workbook, tmp_path):
    # Operations is sheet3 (Contents and Highlights come first); D12 and D13 are "% of Total Revenues",
    # which no other cell refers to, so every other stored value stays right.
    def edit(text: str) -> str:
        d12 = cell_xml(text, "D12")
        assert "<f>" in d12.group(0)
        style = re.search(r' s="\d+"', d12.group(0)).group(0)
        text = text[: d12.start()] + f'<c r="D12"{style}><v>0.99</v></c>' + text[d12.end() :]
        d13 = cell_xml(text, "D13")
        assert "<f>" in d13.group(0)
        return text[: d13.start()] + text[d13.end() :]

    tampered = tmp_path / "tampered.xlsx"
    rewrite_sheet(example_workbook, tampered, "xl/worksheets/sheet3.xml", edit)
    result = run_cli("verify", tampered, env={**os.environ, "TMPDIR": str(tmp_path)})
    assert result.returncode == 4, result.stderr
    assert "Operations!D12 should hold a formula, holds 0.99" in result.stderr
    assert "Operations!D13 should hold a formula, holds nothing" in result.stderr
    assert "2 cell(s) that should hold a formula hold a constant" in result.stderr
    assert "differs:" not in result.stderr and "Traceback" not in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tampered.xlsx"]  # nothing left behind


def test_verify_names_a_number_typed_over_a_formula_and_saved_with_openpyxl(example_workbook, tmp_path):
    wb = openpyxl.load_workbook(example_workbook)
    assert wb["Operations"]["D12"].value.startswith("=IF(")
    wb["Operations"]["D12"] = 0.99
    wb.save(tmp_path / "saved.xlsx")
    result = run_cli("verify", tmp_path / "saved.xlsx")
    assert result.returncode == 4
    assert "Operations!D12 should hold a formula, holds 0.99" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_formula_map_names_exactly_the_formula_cells_and_stays_out_of_sight(example_workbook):
    wb = openpyxl.load_workbook(example_workbook)
    assert wb.sheetnames[-1] == "_formulas" and wb["_formulas"].sheet_state == "veryHidden"
    assert wb.sheetnames[0] == "Contents" and wb.active.title == "Contents"
    contents = " ".join(str(c.value) for row in wb["Contents"].iter_rows() for c in row if c.value is not None)
    assert "_formulas" not in contents
    actual = {
        (ws.title, c.row, c.column) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.data_type == "f"
    }
    rows = list(wb["_formulas"].iter_rows(values_only=True))
    assert rows[0][0] == "report-builder formula map, version 1"
    mapped = set()
    for name, *pieces in rows[1:]:
        for text in " ".join(p for p in pieces if p).split():
            first, _, last = text.partition(":")
            c0, r0 = coordinate_from_string(first)
            c1, r1 = coordinate_from_string(last or first)
            for r in range(r0, r1 + 1):
                for c in range(column_index_from_string(c0), column_index_from_string(c1) + 1):
                    mapped.add((name, r, c))
    assert len(actual) > 3000 and mapped == actual


def test_a_long_formula_map_is_split_between_cells_within_excels_limit(tmp_path):
    import xlsxwriter

    from builder import formula_map

    sheet = formula_map.SheetFormulas()
    cells = {(r, c) for r in range(0, 40_000, 2) for c in (0, 2)}  # every other row: no runs to merge
    for r, c in sorted(cells):
        sheet.add(r, c)
    book = xlsxwriter.Workbook(tmp_path / "map.xlsx")
    book.add_worksheet("S")
    formula_map.write(book, {"S": sheet})
    book.close()
    rows = list(openpyxl.load_workbook(tmp_path / "map.xlsx")["_formulas"].iter_rows(values_only=True))
    pieces = [p for p in rows[1][1:] if p]
    assert len(pieces) > 2 and max(len(p) for p in pieces) <= 32_767
    read = formula_map.read(iter(rows))
    assert {
        (r - 1, c - 1) for r0, c0, r1, c1 in read["S"] for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)
    } == cells


def test_a_workbook_without_the_map_is_verified_with_a_warning(tmp_path):
    import xlsxwriter

    book = xlsxwriter.Workbook(tmp_path / "foreign.xlsx")
    sheet = book.add_worksheet("S")
    sheet.write_number(0, 0, 2)
    sheet.write_formula(0, 1, "=A1*3", None, 6)
    book.close()
    result = run_cli("verify", tmp_path / "foreign.xlsx")
    assert result.returncode == 0, result.stderr
    assert "ok: 1 formula cells equal" in result.stdout
    assert "foreign.xlsx has no formula map" in result.stderr
    assert "cannot be found" in result.stderr


# --- files that are no .xlsx workbook -----------------------------------------------------


def _empty(example: Path, path: Path) -> None:
    path.write_bytes(b"")


def _damaged(example: Path, path: Path) -> None:
    data = bytearray(example.read_bytes())
    middle = len(data) // 3
    data[middle : middle + 64] = bytes(64)  # inside some member's deflate stream
    path.write_bytes(bytes(data))


def _truncated(example: Path, path: Path) -> None:
    path.write_bytes(example.read_bytes()[: example.stat().st_size * 2 // 3])  # the central directory is gone


def _no_workbook(example: Path, path: Path) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("notes.txt", "a zip, but no workbook in it")


def _zip_bomb(example: Path, path: Path) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in zipfile.ZipFile(example).infolist():
            archive.writestr(item, zipfile.ZipFile(example).read(item.filename))
    # The central directory's uncompressed size of the first member becomes 4 GB: a bomb's
    # declaration (what openpyxl would try to inflate), the data itself unchanged.
    data = bytearray(path.read_bytes())
    at = data.index(b"PK\x01\x02")
    data[at + 24 : at + 28] = (0xFFFFFFF0).to_bytes(4, "little")
    path.write_bytes(bytes(data))


def _encrypted(example: Path, path: Path) -> None:
    # What Excel writes for a password-protected .xlsx: a Compound File (OLE) whose directory
    # holds EncryptionInfo and EncryptedPackage streams. Header, then one directory sector.
    header = bytearray(512)
    header[:8] = bytes.fromhex("d0cf11e0a1b11ae1")
    header[24:34] = bytes.fromhex("3e000300feff09000600")  # minor/major version, byte order, 512-byte sectors
    entries = b"".join(
        (name.encode("utf-16-le") + b"\0\0").ljust(64, b"\0")
        + (2 * len(name) + 2).to_bytes(2, "little")
        + bytes([5 if name == "Root Entry" else 2])
        + bytes(61)
        for name in ("Root Entry", "EncryptionInfo", "EncryptedPackage", "\x06DataSpaces")
    )
    path.write_bytes(bytes(header) + entries + bytes(4096))


BAD_FILES = {
    "empty file": (_empty, "is empty, not an .xlsx workbook"),
    "damaged zip": (_damaged, "not an .xlsx workbook: a damaged zip file"),
    "truncated zip": (_truncated, "not an .xlsx workbook: a damaged zip file"),
    "zip without workbook": (_no_workbook, "is a zip file without an Excel workbook in it (no xl/workbook.xml)"),
    "zip bomb": (_zip_bomb, "claims 4,294,967,280 bytes packed in"),
    "encrypted xlsx": (_encrypted, "is encrypted (password-protected)"),
}


def assert_refused(result, path: Path, words: str) -> None:
    assert result.exit_code == 2, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1 and errors[0].startswith(f"error: {path}: ") and words in errors[0], result.output
    assert "Traceback" not in result.output


@pytest.fixture
def clean_tmp(tmp_path, monkeypatch) -> Path:
    """Temporary files go here during the test, so that one left behind is seen."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    yield folder
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize("case", BAD_FILES)
def test_verify_refuses_a_file_that_is_no_xlsx(case, example_workbook, tmp_path, clean_tmp):
    make, words = BAD_FILES[case]
    path = tmp_path / "bad.xlsx"
    make(example_workbook, path)
    result = CliRunner().invoke(main, ["verify", str(path)])
    assert_refused(result, path, words)


@pytest.fixture(scope="session")
def other_formats(example_workbook, tmp_path_factory) -> dict[str, Path]:
    """The example saved by LibreOffice as OpenDocument and as Excel 97-2003, renamed .xlsx."""
    folder = tmp_path_factory.mktemp("formats")
    out = {}
    for target in ("ods", "xls"):
        libreoffice.convert([example_workbook], folder / target, target, recalc=False)
        out[target] = (folder / target / f"example.{target}").rename(folder / f"{target}-renamed.xlsx")
    return out


@pytest.mark.parametrize(
    "kind, words",
    [
        ("ods", "is an OpenDocument file (.ods), not an .xlsx workbook"),
        ("xls", "is a legacy Excel 97-2003 (.xls) file, not an .xlsx workbook"),
    ],
)
def test_verify_refuses_other_spreadsheet_formats_named_xlsx(kind, words, other_formats, clean_tmp):
    result = CliRunner().invoke(main, ["verify", str(other_formats[kind])])
    assert_refused(result, other_formats[kind], words)


def _broken_workbook_xml(example: Path, path: Path) -> None:
    rewrite_sheet(example, path, "xl/workbook.xml", lambda text: "<not xml")


def test_a_workbook_openpyxl_cannot_parse_is_bad_input(example_workbook, tmp_path, clean_tmp):
    path = tmp_path / "broken.xlsx"
    _broken_workbook_xml(example_workbook, path)
    assert_refused(CliRunner().invoke(main, ["verify", str(path)]), path, "not a readable .xlsx workbook")


def test_a_workbook_libreoffice_refuses_is_bad_input_not_a_missing_engine(example_workbook, tmp_path):
    path = tmp_path / "broken.xlsx"
    _broken_workbook_xml(example_workbook, path)
    with pytest.raises(ReportError) as refused:
        libreoffice.recalculate([path], tmp_path / "out")
    assert [str(p) for p in refused.value.problems] == [f"{path}: LibreOffice cannot load it as a spreadsheet"]


def test_verify_refuses_a_device(clean_tmp):
    result = CliRunner().invoke(main, ["verify", "/dev/null"])
    assert_refused(result, Path("/dev/null"), "is not a regular file")


def test_exit_5_still_means_libreoffice_is_missing(example_workbook, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no soffice on it
    result = CliRunner().invoke(main, ["verify", str(example_workbook)])
    assert result.exit_code == 5
    assert "LibreOffice is not installed" in result.output and "Traceback" not in result.output


def test_verify_takes_any_file_name(example_workbook, tmp_path):
    # A leading "-" would be an option to soffice, and LibreOffice names its copy <stem>.xlsx.
    odd = tmp_path / "-copy of the pack"
    shutil.copy(example_workbook, odd)
    result = CliRunner().invoke(main, ["verify", "--", str(odd)])
    assert result.exit_code == 0, result.output
    assert "ok: 3066 formula cells equal" in result.output  # 3045, 20 Highlights sentences and their memo row
