"""A published baseline: `build` and `check` compare every figure the new report shares with
the workbooks report.yaml names as `published`, as shown, and fail with exit code 7 on an
undeclared difference; a declared recast builds, is marked and is listed on Contents."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from builder.cli import main
from builder.example import new_project
from builder.outputs import WORK_PREFIX
from tests.conftest import edit
from tests.structure import structural_problems

PUBLISHED = "published/iij-2q-fy2004.xlsx"


def run(*args: object):
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return result


def leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.rglob("*") if p.name.startswith(WORK_PREFIX)]


@pytest.fixture
def project(tmp_path, example_workbook) -> Path:
    """A copy of the example whose report.yaml names the example's own workbook as published."""
    report = new_project(tmp_path / "q")
    (report.parent / "published").mkdir()
    shutil.copyfile(example_workbook, report.parent / PUBLISHED)
    with open(report, "a", encoding="utf-8") as handle:
        handle.write(f"published: [{PUBLISHED}]\n")
    return report


def data_line(report: Path, prefix: str) -> int:
    lines = (report.parent / "data.csv").read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, 1) if line.startswith(prefix))


def reclassify(report: Path) -> tuple[int, int]:
    """Move 400 (thousand yen) of 1Q04 revenue from dial-up to dedicated access, totals unchanged;
    return the two figures' data lines."""
    edit(report.parent / "data.csv", "dedicated_access,1Q04,2918488", "dedicated_access,1Q04,2918888")
    edit(report.parent / "data.csv", "dialup_access,1Q04,751933", "dialup_access,1Q04,751533")
    return data_line(report, "dedicated_access,1Q04"), data_line(report, "dialup_access,1Q04")


# The release's sentence on dial-up revenues, with its quarter-on-quarter decrease left open.
DIALUP_SENTENCE = (
    "Dial-up access service revenues were JPY 740 million in 2Q04, a decrease of 5.6% compared to 2Q03 and a "
    "decrease of {}% compared to 1Q04 due to the decrease in revenues from IIJ4U."
)

RECASTS = """\
recast:
  - {line: dedicated_access, period: 1Q04, note: "Reclassified from dial-up: contracts moved to dedicated lines"}
  - {line: dialup_access, period: 1Q04, note: Reclassified to dedicated access}
"""


def test_comparatives_equal_to_the_published_workbook_check_and_build(project):
    # The copy of the example shares all its figures with the example's own workbook.
    result = run("check", project)
    assert result.exit_code == 0, result.output
    # 585 appendix figures, 254 of the other tables, 20 Highlights sentences and their memo row.
    assert "860 figures equal the published workbook(s) as shown" in result.stdout
    result = run("build", project, "--out", project.parent / "out.xlsx")
    assert result.exit_code == 0, result.output
    assert "860 figures equal the published workbook(s) as shown" in result.stdout
    assert (project.parent / "out.xlsx").exists()


def test_a_changed_carried_figure_fails_with_exit_7_naming_it(project):
    dedicated, dialup = reclassify(project)
    data = project.parent / "data.csv"  # messages name files as the report names them: here, absolute
    out = project.parent / "out.xlsx"
    for args in (("check", project), ("build", project, "--out", out)):
        result = run(*args)
        assert result.exit_code == 7, result.output
        errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
        # By hand: 400 of 2.9 million and of 0.75 million moves neither line's "% of total revenues"
        # at 0.1% (33.6% and 8.7% before and after), nor dedicated access's QoQ change ((3.0%)), nor any
        # total; dial-up's QoQ change goes from (739,957 - 751,933) / 751,933 = (1.6%) to (1.5%). The
        # tables in millions show no line of these two, but the Highlights sentence on dial-up quotes that
        # change. Typed figures come first, then the others in sheet order.
        assert errors == [
            f"error: {data}:{dedicated}: Operations, Dedicated access services, Jun 30, 2004, JPY: "
            f"published 2,918,488 ({PUBLISHED}), now 2,918,888",
            f"error: {data}:{dialup}: Operations, Dial-up access services, Jun 30, 2004, JPY: "
            f"published 751,933 ({PUBLISHED}), now 751,533",
            f"error: {data}:{dialup}: Highlights, Dial-up access, Sept 30, 2004, hl_text: published "
            f"{DIALUP_SENTENCE.format('1.6')} ({PUBLISHED}), now {DIALUP_SENTENCE.format('1.5')}; computed from "
            f"the differing figure(s) typed at {data}:{dialup}",
            f"error: {data}:{dialup}: Operations, Dial-up access services, Sept 30, 2004 vs Jun 30, 2004, "
            f"QOQ Chg %: published (1.6%) ({PUBLISHED}), now (1.5%); computed from the differing figure(s) "
            f"typed at {data}:{dialup}",
        ]
        assert "4 figure(s) differ from the published workbook(s)" in result.stderr
    assert "nothing was written" in result.stderr
    assert not out.exists() and leftovers(project.parent) == []


def test_a_recast_of_one_line_leaves_the_other_difference_failing(project):
    _, dialup = reclassify(project)
    with open(project, "a", encoding="utf-8") as handle:
        handle.write(RECASTS.splitlines()[0] + "\n" + RECASTS.splitlines()[1] + "\n")
    result = run("check", project)
    assert result.exit_code == 7, result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 3 and all(f"data.csv:{dialup}: " in e for e in errors)
    assert [e.split(": ")[2].split(",")[0] for e in errors] == ["Operations", "Highlights", "Operations"]


def test_a_recast_of_a_figure_that_did_not_change_is_refused_at_its_line(project):
    """Only dedicated access is retyped; the dial-up recast would mark "(R2)" a figure shown as
    published, and note a restatement that is not there."""
    edit(project.parent / "data.csv", "dedicated_access,1Q04,2918488", "dedicated_access,1Q04,2918888")
    edit(project.parent / "data.csv", "dialup_access,1Q04,751933", "dialup_access,1Q04,751533")
    edit(project.parent / "data.csv", "dialup_access,1Q04,751533", "dialup_access,1Q04,751933")
    with open(project, "a", encoding="utf-8") as handle:
        handle.write(RECASTS)
    line = next(n for n, text in enumerate(project.read_text().splitlines(), 1) if "line: dialup_access" in text)
    out = project.parent / "out.xlsx"
    result = run("build", project, "--out", out)
    assert result.exit_code == 2, result.output
    assert result.stderr.strip().splitlines()[0] == (
        f"error: {project}:{line}:5: recast: 'dialup_access' in 1Q04 shows 751,933, as published: nothing of it "
        "is recast; remove the declaration (or type the recast figure)"
    )
    assert "dedicated_access" not in result.stderr  # recast indeed
    assert not out.exists() and leftovers(project.parent) == []


def test_a_declared_recast_builds_marked_on_its_statement_and_listed_on_contents(project):
    reclassify(project)
    with open(project, "a", encoding="utf-8") as handle:
        handle.write(RECASTS)
    out = project.parent / "out.xlsx"
    result = run("build", project, "--out", out)
    assert result.exit_code == 0, result.output
    assert structural_problems(out) == []
    book = openpyxl.load_workbook(out)
    operations = [[c.value for c in row] for row in book["Operations"].iter_rows()]
    labels = [row[0] for row in operations]
    assert "Dedicated access services (R1)" in labels and "Dial-up access services (R2)" in labels
    assert "Value-added services" in labels  # lines not recast keep their labels
    notes = [label for label in labels if isinstance(label, str) and label.startswith("(R")]
    assert notes == [
        "(R1) Recast: Dedicated access services, Jun 30, 2004: Reclassified from dial-up: contracts moved to "
        "dedicated lines",
        "(R2) Recast: Dial-up access services, Jun 30, 2004: Reclassified to dedicated access",
    ]
    # The notes print: they are inside the statement's print area.
    area = book["Operations"].print_area
    last_row = int(re.findall(r"\d+", area.split(":")[-1])[0])
    assert last_row >= max(i for i, label in enumerate(labels, 1) if label in notes)
    contents = [[c.value for c in row] for row in book["Contents"].iter_rows()]
    start = next(i for i, row in enumerate(contents) if row[0] == "Recast figures")
    assert contents[start + 1 : start + 3] == [
        [
            "Dedicated access services (R1)",
            "Jun 30, 2004: Reclassified from dial-up: contracts moved to dedicated lines",
            "Operations",
        ],
        ["Dial-up access services (R2)", "Jun 30, 2004: Reclassified to dedicated access", "Operations"],
    ]
    link = book["Contents"].cell(start + 2, 1).hyperlink
    assert link is not None and link.location == "'Operations'!A1"
    # The typed figure is the new one.
    data = {(row[0], row[2]): row[3] for row in book["Data"].iter_rows(values_only=True)}
    assert data[("dedicated_access", "1Q04")] == 2918888


def test_a_note_with_braces_is_text_not_a_template(project):
    reclassify(project)
    with open(project, "a", encoding="utf-8") as handle:
        handle.write(RECASTS.replace("Reclassified to dedicated access", '"{fx_rate} stays {text}"'))
    out = project.parent / "out.xlsx"
    assert run("build", project, "--out", out).exit_code == 0
    labels = [row[0] for row in openpyxl.load_workbook(out)["Operations"].iter_rows(values_only=True)]
    assert "(R2) Recast: Dial-up access services, Jun 30, 2004: {fx_rate} stays {text}" in labels


# report.yaml text to append or replace, words the message must hold, the report.yaml line it names
BAD = {
    "missing published workbook": (
        ("published: [published/iij-2q-fy2004.xlsx]", "published: [published/nope.xlsx]"),
        ["published workbook", "nope.xlsx not found"],
    ),
    "published workbook that is no workbook": (
        ("published: [published/iij-2q-fy2004.xlsx]", "published: [data.csv]"),
        ["published workbook", "data.csv", "not an .xlsx workbook"],
    ),
    "published workbook without identities": (
        ("published: [published/iij-2q-fy2004.xlsx]", "published: [published/plain.xlsx]"),
        ["plain.xlsx carries no figure identities", "build it again"],
    ),
    "published workbook with damaged identities": (
        ("published: [published/iij-2q-fy2004.xlsx]", "published: [published/damaged.xlsx]"),
        ["damaged.xlsx has damaged figure identities", "row 2"],
    ),
    "published is not a list of paths": (
        ("published: [published/iij-2q-fy2004.xlsx]", "published: published/iij-2q-fy2004.xlsx"),
        ["published", "expected array"],
    ),
    "recast of a line no layout has": (
        ("\n", "\nrecast: [{line: dedicated_acess, period: 1Q04, note: x}]\n"),
        ["recast: line 'dedicated_acess' is no row of the report's layouts; did you mean 'dedicated_access'?"],
    ),
    "recast of a period the report does not have": (
        ("\n", "\nrecast: [{line: dedicated_access, period: 3Q04, note: x}]\n"),
        ["recast: period '3Q04' is no period key", "2Q04, 2Q03, 1Q04, 1H04, 1H03"],
    ),
    "recast declared twice": (
        ("\n", "\nrecast: [{line: net_income, period: 1Q04, note: x}, {line: net_income, period: 1Q04, note: y}]\n"),
        ["'net_income' in 1Q04 is declared twice"],
    ),
    "recast without a note": (("\n", "\nrecast: [{line: net_income, period: 1Q04}]\n"), ["'note' is required"]),
}


@pytest.mark.parametrize("case", BAD)
def test_bad_baselines_and_recasts_are_exit_2_at_their_report_line(case, project):
    (old, new), words = BAD[case]
    folder = project.parent
    wb = openpyxl.Workbook()
    wb.active["A1"] = 1
    wb.save(folder / "published" / "plain.xlsx")
    damaged = openpyxl.load_workbook(folder / PUBLISHED)
    damaged["_figures"]["A2"] = "neither"
    damaged.save(folder / "published" / "damaged.xlsx")
    if old == "\n":
        with open(project, "a", encoding="utf-8") as handle:
            handle.write(new)
    else:
        edit(project, old, new)
    lines = project.read_text(encoding="utf-8").splitlines()
    key = "recast" if "recast" in new else "published"
    line = next(n for n, text in enumerate(lines, 1) if text.startswith(key))
    out = folder / "out.xlsx"
    for args in (("check", project), ("build", project, "--out", out)):
        result = run(*args)
        assert result.exit_code == 2, result.output
        assert re.search(rf"report\.yaml:{line}(:\d+)?: ", result.stderr), result.stderr
        for word in words:
            assert word in result.stderr, result.stderr
    assert not out.exists() and leftovers(folder) == []


def test_the_build_never_writes_over_a_published_workbook(project):
    published = project.parent / PUBLISHED
    before = published.read_bytes()
    result = run("build", project, "--out", published)
    assert result.exit_code == 2
    assert "is an input of this build" in result.stderr
    assert published.read_bytes() == before


def test_a_published_path_is_relative_to_report_yaml_wherever_the_build_runs(project, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    cwd = os.getcwd()
    os.chdir(elsewhere)
    try:
        assert run("check", project).exit_code == 0
    finally:
        os.chdir(cwd)


def test_a_statement_may_not_take_the_identities_sheets_name(mini, tmp_path):
    edit(tmp_path / "layout.yaml", "sheet: Income", "sheet: _Figures")  # Excel compares sheet names ignoring case
    result = run("build", mini, "--out", tmp_path / "out.xlsx")
    assert result.exit_code == 2
    assert "layout.yaml:1:1: sheet name '_Figures' is used twice" in result.stderr
    assert "Inputs, _figures, _formulas)" in result.stderr and not (tmp_path / "out.xlsx").exists()
