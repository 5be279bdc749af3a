"""`report-builder diff OLD.xlsx NEW.xlsx [--out CHANGES.xlsx]`: two builds compared figure by
figure, as shown, matched by row id, measure and period keys (not by cell)."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from builder import build
from builder.cli import main
from builder.example import new_project
from builder.outputs import WORK_PREFIX
from builder.verify.compare import verify_workbook
from tests.conftest import edit
from tests.structure import structural_problems


def run(*args: object):
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return result


def listed(result) -> list[str]:
    return [line for line in result.stdout.splitlines() if line.startswith(("changed: ", "added: ", "removed: "))]


def test_a_workbook_against_itself_shows_no_change(example_workbook):
    result = run("diff", example_workbook, example_workbook)
    assert result.exit_code == 0, result.output
    assert listed(result) == []
    assert (
        "no figure differs (860 compared)" in result.stdout
    )  # 585 appendix figures, 254 of the other tables, 20 sentences, 1 memo row


def test_one_typed_figure_changed_lists_it_and_exactly_what_is_derived_from_it(example_workbook, tmp_path):
    report = new_project(tmp_path / "q")
    edit(report.parent / "data.csv", "dedicated_access,1Q04,2918488", "dedicated_access,1Q04,2918489")
    # One thousand yen more in 1Q04 breaks "ending cash equals the balance sheet's cash": built anyway.
    new = build(report, tmp_path / "new.xlsx", allow_breaks=True).path
    result = run("diff", example_workbook, new)
    assert result.exit_code == 1, result.output
    # By hand, from the layouts: dedicated access is in total connectivity, then total revenues,
    # operating income, income before tax and net income (1Q04, JPY); net income is the cash flow
    # statement's first line, which flows into operating cash flow, the net change in cash and
    # ending cash. One unit in millions is nowhere shown: the % of total revenues (0.1% of 8.7
    # million is 8,675), the QoQ changes (0.1% of 2.9 million), EPS (yen per share, from 1,000 yen),
    # the tables in millions and the 1H04 sums in them do not move as shown. No USD column shows 1Q04.
    jpy = "Jun 30, 2004 | JPY"
    assert listed(result) == [
        f"changed: Operations | Dedicated access services | {jpy} | 2,918,488 -> 2,918,489 | 1",
        f"changed: Operations | Total connectivity and value-added services | {jpy} | 5,449,648 -> 5,449,649 | 1",
        f"changed: Operations | Total revenues | {jpy} | 8,674,907 -> 8,674,908 | 1",
        f"changed: Operations | Operating income(loss) | {jpy} | (100,489) -> (100,488) | 1",
        f"changed: Operations | Income(Loss) before income tax expense(benefit) | {jpy} | (251,189) -> (251,188) | 1",
        f"changed: Operations | Net income(loss) | {jpy} | 1,434,335 -> 1,434,336 | 1",
        f"changed: Cash Flows | Net income (loss) | {jpy} | 1,434,335 -> 1,434,336 | 1",
        f"changed: Cash Flows | Net cash provided by (used in) operating activities | {jpy} | 1,027,864 -> "
        "1,027,865 | 1",
        f"changed: Cash Flows | Net Increase (Decrease) in Cash and Cash Equivalents | {jpy} | (1,657,036) -> "
        "(1,657,035) | 1",
        f"changed: Cash Flows | Cash and Cash Equivalents, End of Period | {jpy} | 10,627,203 -> 10,627,204 | 1",
    ]
    assert "10 figure(s) differ: 10 changed, 0 added, 0 removed" in result.stdout


@pytest.fixture
def pair(mini, tmp_path) -> tuple[Path, Path]:
    """The mini report built, and built again with the cost of 2024 tripled (150 -> 450)."""
    old = build(mini, tmp_path / "old.xlsx").path
    edit(tmp_path / "data.csv", "cost,2024,150", "cost,2024,450")
    new = build(mini, tmp_path / "new.xlsx").path
    return old, new


# By hand (revenue 200 in 2024; cost 120 and profit 30 in 2023; JPY 150 = $1): cost's USD 1 -> 3,
# % of revenue 75.0% -> 225.0%, change on 120: 25.0% -> 275.0%; profit 50 -> (250), USD 0.33 -> (1.67),
# 25.0% -> (125.0%), change on 30: 66.7% -> (933.3%). Revenue, product and service do not change.
MINI_CHANGES = [
    "changed: Income | Cost | Dec 31, 2024 | USD | 1 -> 3 | 2",
    "changed: Income | Cost | Dec 31, 2024 | JPY | 150 -> 450 | 300",
    "changed: Income | Cost | Dec 31, 2024 | % | 75.0% -> 225.0% | 150.0%",
    "changed: Income | Cost | Dec 31, 2024 vs Dec 31, 2023 | Change | 25.0% -> 275.0% | 250.0%",
    "changed: Income | Profit | Dec 31, 2024 | USD | 0 -> (2) | (2)",
    "changed: Income | Profit | Dec 31, 2024 | JPY | 50 -> (250) | (300)",
    "changed: Income | Profit | Dec 31, 2024 | % | 25.0% -> (125.0%) | (150.0%)",
    "changed: Income | Profit | Dec 31, 2024 vs Dec 31, 2023 | Change | 66.7% -> (933.3%) | (1000.0%)",
]


def test_totals_percentages_changes_and_usd_of_a_changed_figure_and_the_redline(pair, tmp_path):
    old, new = pair
    out = tmp_path / "changes.xlsx"
    result = run("diff", old, new, "--out", out)
    assert result.exit_code == 1, result.output
    assert listed(result) == MINI_CHANGES
    assert f"wrote {out}" in result.stdout
    assert structural_problems(out) == []
    book = openpyxl.load_workbook(out)
    sheet = book["Changes"]
    rows = list(sheet.iter_rows(min_row=6, values_only=True))
    assert rows[0] == ("Status", "Sheet", "Line", "Period", "Column", "Old", "New", "Difference")
    assert [r[:6] for r in rows[1:3]] == [
        ("changed", "Income", "Cost", "Dec 31, 2024", "USD", 1),
        ("changed", "Income", "Cost", "Dec 31, 2024", "JPY", 150),
    ]
    # Old and new as shown (the USD of 50 / 150 shows 0), the difference a live formula over them.
    assert rows[5][5:] == (0, -2, "=G11-F11")
    assert rows[7][5:] == (0.25, -1.25, "=G13-F13")
    assert sheet["F13"].number_format == "0.0%;(0.0%)"
    assert sheet["A7"].fill.fgColor.rgb.endswith("FFF2CC")  # changed figures highlighted
    setup = sheet.page_setup
    assert (setup.orientation, setup.paperSize) == ("landscape", 9)  # A4
    assert setup.fitToWidth in (None, 1) and setup.fitToHeight in (None, 1)  # one page wide (1 is the default)
    assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.print_title_rows == "$6:$6"
    # LibreOffice opens it, and its recalculation of the differences equals the stored values.
    verdict = verify_workbook(out)
    assert verdict.formulas == 8 and verdict.differences == [] and verdict.overwritten == []


def test_added_and_removed_figures(mini, tmp_path):
    old = build(mini, tmp_path / "old.xlsx").path
    cost = "  - {id: cost, label: Cost}"
    edit(tmp_path / "layout.yaml", cost, "  - {id: memo, label: Memo}\n" + cost)
    with open(tmp_path / "data.csv", "a", encoding="utf-8") as handle:
        handle.write("memo,2024,30\nmemo,2023,20\n")
    new = build(mini, tmp_path / "new.xlsx").path
    added = [
        "added: Income | Memo | Dec 31, 2024 | USD | - -> 0",
        "added: Income | Memo | Dec 31, 2024 | JPY | - -> 30",
        "added: Income | Memo | Dec 31, 2024 | % | - -> 15.0%",
        "added: Income | Memo | Dec 31, 2023 | JPY | - -> 20",
        "added: Income | Memo | Dec 31, 2024 vs Dec 31, 2023 | Change | - -> 50.0%",
    ]
    result = run("diff", old, new)
    assert result.exit_code == 1 and listed(result) == added  # the memo line is in no total: nothing else moves
    assert "5 figure(s) differ: 0 changed, 5 added, 0 removed" in result.stdout
    result = run("diff", new, old)
    assert result.exit_code == 1
    assert listed(result) == [line.replace("added", "removed").replace("- -> ", "") + " -> -" for line in added]


def test_a_figure_that_moved_to_another_column_is_the_same_figure(mini, tmp_path):
    old = build(mini, tmp_path / "old.xlsx").path
    layout = tmp_path / "layout.yaml"
    text = layout.read_text(encoding="utf-8")
    prior = "  - period: prior\n    columns:\n      - {id: jpy_p, kind: amount, header: JPY}\n"
    layout.write_text(text.replace(prior, "").replace("columns:\n", "columns:\n" + prior, 1), encoding="utf-8")
    new = build(mini, tmp_path / "new.xlsx").path
    assert openpyxl.load_workbook(new)["Income"]["B5"].value == "JPY"  # the prior year is now first
    result = run("diff", old, new)
    assert result.exit_code == 0, result.output
    assert "no figure differs (25 compared)" in result.stdout


def test_the_redline_never_overwrites_old_or_new(pair, tmp_path):
    old, new = pair
    for target in (old, new):
        before = target.read_bytes()
        result = run("diff", old, new, "--out", target)
        assert result.exit_code == 2
        assert "is an input of this build" in result.stderr
        assert target.read_bytes() == before
    result = run("diff", old, new, "--out", tmp_path / "changes.pdf")
    assert result.exit_code == 2 and "is not an .xlsx file name" in result.stderr
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(WORK_PREFIX)] == []


def test_what_is_no_build_of_ours_is_refused(example_workbook, mini, tmp_path):
    plain = tmp_path / "plain.xlsx"
    book = openpyxl.Workbook()
    book.active["A1"] = 1
    book.save(plain)
    # Our build, opened and saved by openpyxl: its formulas kept, their stored values dropped.
    resaved = tmp_path / "resaved.xlsx"
    openpyxl.load_workbook(example_workbook).save(resaved)
    cases = {
        mini.parent / "data.csv": "not an .xlsx workbook",
        plain: "carries no figure identities (no _figures sheet)",
        resaved: "holds its formulas without their stored values: it was last saved by a program that does not "
        "store them (such as openpyxl)",
    }
    for path, words in cases.items():
        for args in ((path, example_workbook), (example_workbook, path)):
            result = run("diff", *args, "--out", tmp_path / "changes.xlsx")
            assert result.exit_code == 2, result.output
            assert f"error: {path}: " in result.stderr and words in result.stderr
            assert not (tmp_path / "changes.xlsx").exists()
