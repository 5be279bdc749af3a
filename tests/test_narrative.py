"""Live narrative (issue 14, item 2): the example's Highlights sheet says, after LibreOffice
recalculates, word for word what the release says; a changed typed figure changes the words;
the stored sentences are LibreOffice's; the page prints in the pack; bad declarations are refused."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from builder.cli import main
from builder.verify import libreoffice
from tests.conftest import edit
from tests.published import EXAMPLE, ROOT, SEED

# The release's sentences, typed out by hand from ../shared/seed/iij-2q-fy2004-release.md
# (the test also finds each one there), in the order of the Highlights sheet.
RELEASE_SENTENCES = [
    "Revenue totaled JPY 10,512 million ($95.4 million), an increase of 14.4% from JPY 9,185 million in 2Q03 "
    "and an increase of 21.2% from JPY 8,675 million in 1Q04.",
    "Operating income turned positive to JPY 282 million ($2.6 million) from an operating loss of JPY 830 million "
    "in 2Q03 and JPY 100 million in 1Q04.",
    'Revenue in the first half of FY2004 ("1H04") increased by 9.5% compared to 1H03.',
    "Operating income in 1H04 was JPY 182 million, and net income in 1H04 was JPY 1,162 million.",
    "Revenues in 2Q04 totaled JPY 10,512 million, an increase of 14.4% from JPY 9,185 million in 2Q03 and an "
    "increase of 21.2% from JPY 8,675 million in 1Q04.",
    "Connectivity and VAS revenues were JPY 5,508 million in 2Q04, a decrease of 2.3% from JPY 5,637 million in "
    "2Q03 and an increase of 1.1% from JPY 5,450 million in 1Q04.",
    "Dedicated access service revenues were JPY 2,832 million in 2Q04, a decrease of 12.5% compared to 2Q03 and a "
    "decrease of 3.0% compared to 1Q04.",
    "Dial-up access service revenues were JPY 740 million in 2Q04, a decrease of 5.6% compared to 2Q03 and a "
    "decrease of 1.6% compared to 1Q04 due to the decrease in revenues from IIJ4U.",
    "VAS revenues were JPY 1,220 million in 2Q04, an increase of 12.9% compared to 2Q03 and an increase of 2.8% "
    "compared to 1Q04, mainly as a result of the steady increase in security-related services.",
    "SI revenues increased 50.5% to JPY 3,838 million in 2Q04 from JPY 2,549 million in 2Q03 and increased 42.4% "
    "from JPY 2,695 million in 1Q04.",
    "The year-over-year growth was as a result of the solid growth of outsourced operation services, revenue from "
    "which increased by 42.8% to JPY 1,737 million from JPY 1,216 million in 2Q03.",
    "Equipment sales revenues were JPY 1,167 million in 2Q04, an increase of 16.8% compared to 2Q03 and an "
    "increase of 119.8% compared to 1Q04.",
    "Cost of revenues was JPY 8,854 million in 2Q04, an increase of 6.2% compared to 2Q03 and an increase of 18.9% "
    "compared to 1Q04.",
    "Cost of Connectivity and VAS revenues was JPY 4,780 million, a decrease of 6.8% compared to 2Q03 and a "
    "decrease of 0.6% compared to 1Q04.",
    "The gross-margin ratio for Connectivity and VAS in 2Q04 was 13.2%, compared to 9.1% in 2Q03 and 11.7% in 1Q04 "
    "due to a decrease in backbone costs.",
    "Cost of SI revenues was JPY 2,983 million in 2Q04, an increase of 31.1% compared to 2Q03 and an increase of "
    "38.3% compared to 1Q04.",
    "The gross margin ratio for SI in 2Q04 was 22.3%, compared to 10.7% in 2Q03 and 20.0% in 1Q04.",
    "Sales and marketing expenses were JPY 712 million in 2Q04, a decrease of 35.3% compared to 2Q03 and an "
    "increase of 7.3% compared to 1Q04.",
    "General and administrative expenses were JPY 613 million in 2Q04, an increase of 27.0% compared to 2Q03 and a "
    "decrease of 1.3% compared to 1Q04.",
    "Operating income was JPY 282 million in 2Q04, compared to an operating loss of JPY 830 million in 2Q03 and "
    "operating loss of JPY 100 million in 1Q04 due to improvements in profitability for Connectivity, VAS and SI "
    "revenues.",
]


def release_text() -> str:
    """The release as one line of plain words: markdown's bold, escapes and the page breaks
    inside a sentence (a page's running head between its halves) taken out."""
    text = (SEED / "iij-2q-fy2004-release.md").read_text(encoding="utf-8")
    # The operating-income sentence runs over a page: its end follows the next page's head.
    head, _, tail = text.partition("due to improvements in profitability for Connectivity,")
    if tail:
        tail = tail.split("<http://www.iij.ad.jp/en/>", 1)[1]
        text = head + "due to improvements in profitability for Connectivity, " + tail.lstrip()
    return " ".join(text.replace("**", "").replace("\\$", "$").split())


def copy_example(where: Path) -> Path:
    """The bundled example in a folder of its own (report.yaml reaches its layouts at ../../layouts)."""
    shutil.copytree(ROOT / "layouts", where / "layouts")
    shutil.copytree(EXAMPLE.parent, where / "examples" / EXAMPLE.parent.name)
    return where / "examples" / EXAMPLE.parent.name / "report.yaml"


def highlights(workbook: Path) -> list[str]:
    """The Highlights sheet's sentences (column B) as the workbook holds their values."""
    sheet = openpyxl.load_workbook(workbook, data_only=True)["Highlights"]
    # (a number there is the hidden memo row telling whether operating income turned positive)
    return [
        row[1].value
        for row in sheet.iter_rows(min_row=1)
        if len(row) > 1 and isinstance(row[1].value, str) and row[1].value
    ]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The example as published, and with 2Q04 dedicated access typed lower (revenue below
    2Q03's, operating income a loss), each built and then recalculated in one LibreOffice run."""
    base = tmp_path_factory.mktemp("narrative")
    runner = CliRunner()
    made = {}
    for name, change in (
        ("published", None),
        ("changed", ("dedicated_access,2Q04,2832355", "dedicated_access,2Q04,1500000")),
    ):
        report = copy_example(base / name)
        if change:
            edit(report.parent / "data.csv", *change)
        out = base / f"{name}.xlsx"
        # One figure changed alone breaks the cash tie-out; the workbook is written anyway.
        result = runner.invoke(main, ["build", str(report), "--out", str(out), "--allow-breaks"])
        assert result.exit_code == 0, result.output
        made[name] = out
    recalc = libreoffice.recalculate(list(made.values()), base / "recalc")
    return made, recalc


def test_each_sentence_is_the_release_word_for_word_after_recalculation(built):
    made, recalc = built
    release = release_text()
    missing = [s for s in RELEASE_SENTENCES if s not in release]
    assert missing == []  # the hand-typed expectations are the release's own words
    assert highlights(recalc[made["published"]]) == RELEASE_SENTENCES


def test_stored_sentences_equal_the_recalculation(built):
    made, recalc = built
    for out in made.values():
        assert highlights(out) == highlights(recalc[out])
    # and every formula of the changed workbook, the narrative's among them
    result = CliRunner().invoke(main, ["verify", str(made["changed"])])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output


def test_a_changed_figure_changes_the_words(built):
    made, recalc = built
    sentences = highlights(recalc[made["changed"]])
    # 2Q04 revenue 10,512,328 - 1,332,355 = 9,179,973 thousand, below 2Q03's 9,185,259: -0.06%.
    assert sentences[0] == (
        "Revenue totaled JPY 9,180 million ($83.3 million), a decrease of 0.1% from JPY 9,185 million in 2Q03 "
        "and an increase of 5.8% from JPY 8,675 million in 1Q04."
    )
    # Operating income 282,189 - 1,332,355 = -1,050,166: a loss, its words chosen live, its figure unsigned.
    assert sentences[-1].startswith(
        "Operating loss was JPY 1,050 million in 2Q04, compared to an operating loss of JPY 830 million in 2Q03"
    )
    # Still a loss, as a year before: it did not turn positive, and the words say so.
    assert sentences[1] == (
        "Operating loss was JPY 1,050 million ($9.5 million) from an operating loss of JPY 830 million in 2Q03 "
        "and JPY 100 million in 1Q04."
    )
    assert sentences[3] == "Operating loss in 1H04 was JPY 1,151 million, and net loss in 1H04 was JPY 171 million."
    assert sentences[6].startswith(
        "Dedicated access service revenues were JPY 1,500 million in 2Q04, a decrease of 53.7%"
    )


def test_sentences_are_formulas_with_the_sign_words_chosen_by_if(built):
    made, _ = built
    sheet = openpyxl.load_workbook(made["published"])["Highlights"]
    first = sheet["B6"].value
    assert first.startswith('="Revenue totaled JPY "&TEXT(Operations!C18/1000,"#,##0")&" million ($"')
    assert 'IF(Operations!G18<0,"a decrease of ","an increase of ")&TEXT(ABS(Operations!G18)*100,"0.0")' in first
    assert sheet["B6"].alignment.wrap_text


def test_the_highlights_page_prints_in_the_pack(tmp_path):
    out = tmp_path / "pack.xlsx"
    result = CliRunner().invoke(main, ["build", str(EXAMPLE), "--out", str(out), "--pdf"])
    assert result.exit_code == 0, result.output
    page = subprocess.run(
        ["pdftotext", "-layout", "-f", "2", "-l", "2", str(out.with_suffix(".pdf")), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "Highlights of Second Quarter FY2004 Results" in page and "Page 2 of 16" in page
    words = " ".join(page.split())
    # Sentences that fit one printed line read whole; every sentence's words are on the page.
    assert RELEASE_SENTENCES[0] in words
    for sentence in RELEASE_SENTENCES:
        assert set(sentence.split()) <= set(words.split()), sentence


# ---------------------------------------------------------------- a small report of one's own

FORMATS = """\
formats:
  pct: {scale: 100, format: "0.0", suffix: "%"}
  change: {scale: 100, format: "0.0", suffix: "%", positive: "up ", negative: "down "}
  profit_or_loss: {positive: profit, negative: loss}
  whole: {format: "#,##0", absolute: true}
"""


@pytest.fixture
def narrated(mini: Path) -> Path:
    edit(mini, "layouts: [layout.yaml]", FORMATS + "layouts: [layout.yaml]")
    edit(
        mini.parent / "layout.yaml",
        "notes:",
        '  - {id: story, label: Story, sentence: "Revenue {revenue.chg:change} on {prior.key}; {profit:profit_or_loss} '
        'of {profit:whole}, {profit[prior]:profit_or_loss} of {profit[prior]:whole} in {prior}."}\n'
        "notes:",
    )
    return mini


def run(*args: str):
    result = CliRunner().invoke(main, list(args))
    assert "Traceback" not in result.output
    return result


def test_a_sentence_of_ones_own_reads_its_figures(narrated: Path, tmp_path: Path):
    out = tmp_path / "out.xlsx"
    result = run("build", str(narrated), "--out", str(out))
    assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(out, data_only=True)["Income"]
    story = [c.value for row in sheet.iter_rows() for c in row if c.value and str(c.value).startswith("Revenue ")]
    # revenue 200 against 150; profit 50 against 30 (-: 200-150=50, 150-120=30)
    # Each amount column quotes its own period; row.column and row[period] name one cell.
    assert story == [
        "Revenue up 33.3% on 2023; profit of 50, profit of 30 in Dec 31, 2023.",
        "Revenue up 33.3% on 2023; profit of 30, profit of 30 in Dec 31, 2023.",
    ]


def test_a_loss_turns_the_words(narrated: Path, tmp_path: Path):
    edit(narrated.parent / "data.csv", "cost,2024,150", "cost,2024,260")
    edit(narrated.parent / "data.csv", "product,2024,120", "product,2024,100")
    out = tmp_path / "out.xlsx"
    assert run("build", str(narrated), "--out", str(out)).exit_code == 0
    sheet = openpyxl.load_workbook(out, data_only=True)["Income"]
    story = [c.value for row in sheet.iter_rows() for c in row if c.value and str(c.value).startswith("Revenue ")]
    assert story[0] == "Revenue up 20.0% on 2023; loss of 80, profit of 30 in Dec 31, 2023."


def refused(report: Path, tmp_path: Path) -> str:
    out = tmp_path / "refused.xlsx"
    result = run("build", str(report), "--out", str(out))
    assert result.exit_code == 2, result.output
    assert not out.exists() and not [p for p in tmp_path.iterdir() if p.name.startswith(".report-builder")]
    return result.output


@pytest.mark.parametrize(
    "old,new,said",
    [
        (
            "{revenue.chg:change}",
            "{revenue.chg:chnage}",
            r"layout\.yaml:\d+:\d+: row 'story' quotes \{revenue\.chg:chnage\}: a figure is quoted in a format named"
            r".*; did you mean 'change'\?",
        ),
        (
            "{profit:whole}",
            "{profit:hole}",
            r"layout\.yaml:\d+:\d+: row 'story' quotes \{profit:hole\}: a figure is quoted with a number format .*"
            r"or a format named under formats: \(.*whole.*\); did you mean 'whole'\?",
        ),
        (
            "{revenue.chg:change}",
            "{revenue.chng:change}",
            r"layout\.yaml:\d+:\d+: .*sheet 'Income' has no column 'chng'; did you mean 'chg'\?",
        ),
        (
            "{profit[prior]:whole}",
            "{profit[prio]:whole}",
            r"layout\.yaml:\d+:\d+: .*period 'prio' is not declared; did you mean 'prior'\?",
        ),
        (
            "{profit:whole}",
            "{proft:whole}",
            r"layout\.yaml:\d+:\d+: .*'proft' is not a row or a period; did you mean 'profit'\?",
        ),
        (
            "{prior.key}",
            "{prir.key}",
            r"layout\.yaml:\d+:\d+: .*'prir' is not a row or a period; did you mean 'prior'\?",
        ),
        ("{prior.key}", "{prior.key:upper}", r"layout\.yaml:\d+:\d+: .*a period's key takes no format"),
        (
            "{revenue.chg:change}",
            "{revenue[prior].chg:change}",
            r"layout\.yaml:\d+:\d+: .*quotes \{revenue\[prior\]\.chg:change\}: name a period or a column",
        ),
    ],
)
def test_a_bad_field_is_refused_at_its_row(narrated: Path, tmp_path: Path, old: str, new: str, said: str):
    edit(narrated.parent / "layout.yaml", old, new)
    assert re.search(said, refused(narrated, tmp_path)), said


@pytest.mark.parametrize(
    "old,new,said",
    [
        (
            'format: "0.0", suffix',
            'format: "0.0%", suffix',
            r"report\.yaml:\d+:.*format 'pct': '0\.0%' is not a plain number format",
        ),
        (
            'positive: "up ", negative: "down "',
            'positive: "up "',
            r"report\.yaml:\d+:.*format 'change': give both positive and negative words",
        ),
        ("whole: {format", "whole: {fromat", r"report\.yaml:\d+:.*unknown key 'fromat'.*did you mean 'format'\?"),
        ("pct: {scale: 100", "pct: {scale: 0", r"report\.yaml:\d+:.*expected a number above 0"),
        (
            "profit_or_loss: {positive: profit, negative: loss}",
            "profit_or_loss: {}",
            r"report\.yaml:\d+:.*format 'profit_or_loss' shows nothing",
        ),
    ],
)
def test_a_bad_named_format_is_refused_at_its_line(narrated: Path, tmp_path: Path, old: str, new: str, said: str):
    edit(narrated, old, new)
    assert re.search(said, refused(narrated, tmp_path)), said


def test_a_text_row_and_an_input_take_the_same_fields(narrated: Path, tmp_path: Path):
    """One quoting mechanism: a `text:` row reads the richer fields too, and an input takes a named format."""
    edit(
        narrated.parent / "layout.yaml",
        "notes:",
        '  - {id: memo, label: Memo, text: "{fx:whole} / {cost[prior]:#,##0}"}\nnotes:',
    )
    out = tmp_path / "out.xlsx"
    assert run("build", str(narrated), "--out", str(out)).exit_code == 0
    sheet = openpyxl.load_workbook(out)["Income"]
    memo = next(row for row in sheet.iter_rows() if row[0].value == "Memo")
    assert memo[2].value == '=TEXT(ABS(fx),"#,##0")&" / "&TEXT(E10,"#,##0")'
    values = openpyxl.load_workbook(out, data_only=True)["Income"]
    assert values.cell(memo[2].row, 3).value == "150 / 120"


def test_a_period_label_is_quoted_bare(narrated: Path, tmp_path: Path):
    edit(narrated.parent / "layout.yaml", "{prior.key}", "{prior.label}")
    output = refused(narrated, tmp_path)
    assert re.search(r"layout\.yaml:\d+:\d+: .*a period is quoted as \{prior\} \(its label\) or \{prior\.key\}", output)
