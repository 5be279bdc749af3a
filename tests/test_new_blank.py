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
