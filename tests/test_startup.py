"""Start-up: `--help` and `check` import neither XlsxWriter nor pandas.

Each is a real process of the CLI under `python -X importtime`, whose stderr names every
module imported. builder.a1 writes cell references in XlsxWriter's place: compared here
with XlsxWriter's own functions, so a formula's text cannot drift from what it wrote.
"""

from __future__ import annotations

import re
import subprocess
import sys

from hypothesis import given, settings
from hypothesis import strategies as st
from xlsxwriter import utility

from builder import a1
from tests.conftest import edit

HEAVY = re.compile(r"^import time:.*\|\s*(xlsxwriter|pandas|openpyxl|numpy)(\.\S+)?\s*$", re.MULTILINE)


def _imports(tmp_path, *args: str) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "builder.cli", *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert "Traceback" not in done.stderr
    assert "import time:" in done.stderr  # the hook ran: an empty list below means something
    return done


def test_help_imports_no_writer_nor_pandas(tmp_path):
    done = _imports(tmp_path, "--help")
    assert done.returncode == 0
    assert "Usage:" in done.stdout
    assert HEAVY.findall(done.stderr) == []


def test_check_imports_no_writer_nor_pandas(tmp_path):
    done = _imports(tmp_path, "check")  # no report.yaml here: the bundled example
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("ok: the bundled example")
    assert HEAVY.findall(done.stderr) == []


def test_check_of_a_sheet_name_that_needs_quoting_imports_no_writer(mini):
    # "P&L 2024" is quoted in every formula that refers to it from another sheet (Checks).
    edit(mini.parent / "layout.yaml", "sheet: Income", "sheet: P&L 2024")
    done = _imports(mini.parent, "check")
    assert done.returncode == 0, done.stderr
    assert HEAVY.findall(done.stderr) == []


def test_the_pattern_finds_a_heavy_import(tmp_path):
    # The same hook on a process that does import XlsxWriter and pandas: the assertions above can fail.
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import xlsxwriter, pandas"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    found = {m[0] for m in HEAVY.findall(done.stderr)}
    assert found == {"xlsxwriter", "pandas", "numpy"}


@settings(max_examples=400, deadline=None)
@given(st.integers(0, 1_048_575), st.integers(0, 16_383), st.integers(0, 1_048_575), st.integers(0, 16_383))
def test_cell_references_are_xlsxwriters(row, col, row2, col2):
    assert a1.xl_rowcol_to_cell(row, col) == utility.xl_rowcol_to_cell(row, col)
    for row_abs, col_abs in ((True, True), (True, False), (False, True)):  # a chart's series: $C$5
        assert a1.xl_rowcol_to_cell(row, col, row_abs, col_abs) == utility.xl_rowcol_to_cell(row, col, row_abs, col_abs)
    assert a1.xl_range(row, col, row2, col2) == utility.xl_range(row, col, row2, col2)
    assert a1.xl_range(row, col, row, col) == utility.xl_range(row, col, row, col)


NAMES = st.text(st.sampled_from("AaCcRrXxZz_.019 '&-()é漢😀©!"), min_size=1, max_size=8)


@settings(max_examples=1000, deadline=None)
@given(NAMES)
def test_quoted_sheet_names_are_xlsxwriters(name):
    assert a1.quote_sheetname(name) == utility.quote_sheetname(name)


def test_quoted_sheet_names_edge_cases():
    for name in ["Data", "Data (2)", "R", "rc", "C1", "R1C1", "XFD1", "XFE1", "A1048577", "Sheet1", "_x", ".x", "a.b"]:
        assert a1.quote_sheetname(name) == utility.quote_sheetname(name), name


def test_the_api_functions_stay_functions_once_their_namesake_modules_are_imported(mini):
    # The package imports its API lazily; importing the subpackages builder.load and
    # builder.plan (every build does) used to replace builder.load() with the subpackage.
    script = (
        "import builder, builder.load.report, builder.plan\n"
        f"builder.plan({str(mini)!r})\n"
        f"print(len(builder.load({str(mini)!r}).figures), type(builder.plan({str(mini)!r})).__name__)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["6", "WorkbookPlan"]
