"""`report-builder roll` and the figures still to type (issue 13, items 1 and 4)."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest
import yaml
from click.testing import CliRunner

from builder.cli import main
from builder.cycle.keys import infer
from builder.load.report import load_report
from builder.verify import libreoffice
from tests.conftest import edit
from tests.published import EXAMPLE

OLD_DATA = EXAMPLE.parent / "data.csv"


def run(*args: str):
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return result


def rows(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))[1:]


@pytest.fixture(scope="module")
def rolled(tmp_path_factory, example_workbook) -> Path:
    out = tmp_path_factory.mktemp("roll") / "q3"
    result = run(
        "roll", EXAMPLE, "--to", "3Q04", "--label", "Dec 31, 2004", "--out", out, "--date", "2005-02-10",
        "--published", example_workbook,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    (out.parent / "roll-output.txt").write_text(result.output)
    return out


def test_roll_of_the_example_lists_exactly_the_figures_to_type(rolled):
    old = {(line, period): value for line, period, value in rows(OLD_DATA)}
    new = rows(rolled / "data.csv")
    empty = {(line, period) for line, period, value in new if value == ""}
    # By rule from the seed, not from the roll: each period moves on a quarter, so every line
    # typed for 2Q04 is to type for 3Q04, every line typed for 2Q03 for 3Q03, every line typed
    # for 1H03 for 9M03 (nine months a year before); nothing else (1Q04 and 2Q04 are held).
    expected = {(line, "3Q04") for line, period in old if period == "2Q04"}
    expected |= {(line, "3Q03") for line, period in old if period == "2Q03"}
    expected |= {(line, "9M03") for line, period in old if period == "1H03"}
    assert empty == expected
    # Every figure written with a value is the seed's figure of that line and period, unaltered.
    carried = {(line, period): value for line, period, value in new if value != ""}
    assert {key for key in carried} <= set(old)
    assert {key: old[key].replace(",", "") for key in carried} == carried
    assert {period for _, period in carried} == {"2Q04", "1Q04"}
    assert len(carried) >= 100


def test_the_rolled_report_says_what_rolled(rolled, example_workbook):
    doc = yaml.safe_load((rolled / "report.yaml").read_text())
    assert doc["periods"]["current"] == {"key": "3Q04", "label": "Dec 31, 2004"}
    assert doc["periods"]["prior_quarter"] == {"key": "2Q04", "label": "Sept 30, 2004"}
    assert doc["periods"]["prior_year"] == {"key": "3Q03", "label": "Dec 31, 2003"}
    assert doc["periods"]["first_half"]["key"] == "9M04"
    assert doc["periods"]["first_half"]["sum_of"] == ["quarter_1Q04", "prior_quarter", "current"]
    assert doc["periods"]["prior_year_half"] == {"key": "9M03", "label": "9M03"}
    assert str(doc["date"]) == "2005-02-10"
    assert (rolled / doc["published"][0]).resolve() == example_workbook.resolve()
    assert all((rolled / layout).is_file() for layout in doc["layouts"])
    text = (rolled / "report.yaml").read_text()
    assert "# TO UPDATE for 3Q04: the inputs below are still 2Q04's values" in text
    said = (rolled.parent / "roll-output.txt").read_text().splitlines()
    fx_line = text.splitlines().index(next(t for t in text.splitlines() if t.startswith("  fx_rate:"))) + 1
    assert f"to update: {rolled / 'report.yaml'}:{fx_line}: input fx_rate = 110.2 is still 2Q04's" in said
    # The bundled layouts' headers quote their periods (`header: "{current.key}"`): none is left to update.
    assert not any("header" in t for t in said)
    assert not any(": date " in t for t in said)  # --date was given


def test_the_roll_names_each_text_that_names_a_period_in_words(rolled):
    """The bundled Highlights page names the quarter and the half in words (the release's own
    title and sentences): the roll cannot reword them, so it names each at its line. Texts that
    quote a period (`{current}`, `{first_half.key}`) follow the roll and are not named."""
    said = [t for t in (rolled.parent / "roll-output.txt").read_text().splitlines() if t.startswith("to check: ")]
    layout = EXAMPLE.parent / "../../layouts/highlights.yaml"
    lines = layout.read_text(encoding="utf-8").splitlines()

    def at(text: str) -> int:
        return next(n for n, line in enumerate(lines, 1) if text in line)

    title = "Highlights of Second Quarter FY2004 Results"
    sentence = 'Revenue in the first half of FY2004 ("{first_half.key}") {sor_revenues.sor_yo...'
    assert [t.split(": ", 1)[1].split(":", 2)[1] for t in said] == [
        str(at("title:")), str(at("- {heading:")), str(at("id: hl_first_half_revenue")),
        str(at("id: hl_first_half_revenue")), str(at("id: hl_first_half_income")),
    ]  # fmt: skip
    assert [t.split(": ", 2)[2] for t in said] == [
        f"title '{title}' names 'Second Quarter': say 3Q04's, or quote a period",
        f"heading '{title}' names 'Second Quarter': say 3Q04's, or quote a period",
        "row 'hl_first_half_revenue' label 'First half' names 'First half': say 3Q04's, or quote a period",
        f"row 'hl_first_half_revenue' text '{sentence}' names 'first half': say 3Q04's, or quote a period",
        "row 'hl_first_half_income' label 'First half' names 'First half': say 3Q04's, or quote a period",
    ]


def test_check_lists_the_figures_to_type_with_file_line_until_filled(rolled, tmp_path):
    result = run("check", rolled)
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.startswith("to type: ")]
    first = next(i for i, row in enumerate(rows(rolled / "data.csv"), start=2) if row[2] == "")
    assert lines[0] == (
        f"to type: {rolled / 'data.csv'}:{first}: dedicated_access (Dedicated access services) for 3Q04 (Dec 31, 2004)"
    )
    assert len(lines) == sum(1 for row in rows(rolled / "data.csv") if row[2] == "")
    assert f"{len(lines)} figure(s) to type" in result.output and "error:" not in result.output
    out = tmp_path / "q3.xlsx"
    assert run("build", rolled, "--out", out).exit_code == 2
    assert not out.exists() and not list(tmp_path.iterdir())


def fill(folder: Path) -> None:
    """A generated third quarter (not published figures): each line as in the quarter a year
    or a quarter before, nine months at 1.5 times the half; then cash moved so that the
    cash checks hold (beginning = last quarter's end, end = the balance sheet's cash)."""
    old = {(line, period): value.replace(",", "") for line, period, value in rows(OLD_DATA)}
    source = {"3Q04": "2Q04", "3Q03": "2Q03", "9M03": "1H03"}
    out = []
    for line, period, value in rows(folder / "data.csv"):
        if value == "":
            value = old.get((line, source[period]))
            if value is None:
                continue  # a `missing: blank` line left blank
            if period == "9M03":
                value = str(round(float(value) * 1.5, 1))
        out.append([line, period, value])
    figures = {(line, period): value for line, period, value in out}
    cash = int(figures[("cash", "2Q04")])
    change = cash - int(old[("cash", "1Q04")])  # the net change in cash of 2Q04, repeated in 3Q04
    figures[("cf_cash_beginning", "3Q04")] = str(cash)
    figures[("cash", "3Q04")] = str(cash + change)
    figures[("accounts_payable", "3Q04")] = str(int(figures[("accounts_payable", "3Q04")]) + change)
    with open(folder / "data.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["line", "period", "value"])
        writer.writerows([line, period, figures[(line, period)]] for line, period, _ in out)


def test_filled_the_rolled_report_builds_and_shows_2q04_as_published(rolled, example_workbook, tmp_path):
    fill(rolled)
    new = tmp_path / "q3.xlsx"
    result = run("build", rolled, "--out", new)
    assert result.exit_code == 0, result.output
    old = tmp_path / "q2.xlsx"
    old.write_bytes(example_workbook.read_bytes())
    shown = tmp_path / "shown"
    libreoffice.convert([old, new], shown, libreoffice.CSV_AS_SHOWN, recalc=True)

    def sheets(stem: str) -> dict[str, list[list[str]]]:
        out = {}
        for path in shown.glob(f"{stem}-*.csv"):
            with open(path, encoding="utf-8", newline="") as handle:
                out[path.stem[len(stem) + 1 :]] = list(csv.reader(handle))
        return out

    before, after = sheets("q2"), sheets("q3")
    old_spec, new_spec = load_report(EXAMPLE), load_report(rolled / "report.yaml")
    compared = 0
    for old_layout, new_layout in zip(old_spec.layouts, new_spec.layouts, strict=True):
        q2, q3 = before[old_layout.sheet], after[new_layout.sheet]
        # 2Q04's columns: the current quarter's then, the prior quarter's now; matched by kind and
        # header (JPY with JPY, "%" with "%"); rows by position, their labels asserted equal.
        for j, col in enumerate(new_layout.columns):
            if col.period != "prior_quarter":
                continue
            i = next(
                (i for i, c in enumerate(old_layout.columns) if c.period == "current" and c.kind == col.kind
                 and c.header == col.header),
                None,
            )  # fmt: skip
            if i is None:
                continue
            for r, (old_row, new_row) in enumerate(zip(q2, q3, strict=True)):
                if r >= 8 and new_row[j + 1]:
                    assert new_row[0] == old_row[0]
                    assert new_row[j + 1] == old_row[i + 1], (new_layout.sheet, new_row[0], col.header)
                    compared += 1
    assert compared >= 140  # 151 figures: JPY and "%" of 2Q04 on every sheet that shows it
    # Nine months add up 1Q04 (no sheet shows it any more: read from the Data sheet), 2Q04 and 3Q04;
    # 3Q04 was filled as 2Q04's figures, so 9M04 = 1H04 as published + 2Q04, within a unit of rounding.
    layout = next(layout for layout in old_spec.layouts if layout.sheet == "Summary Operating Results")
    half = next(j for j, c in enumerate(layout.columns) if c.period == "first_half" and c.kind == "amount") + 1
    quarter = next(j for j, c in enumerate(layout.columns) if c.period == "current" and c.kind == "amount") + 1
    q2, q3 = before[layout.sheet], after[layout.sheet]
    summed = 0
    for old_row, new_row in zip(q2, q3, strict=True):
        if old_row[0] in ("Total Revenues", "Total Costs", "Operating Income (Loss)", "Net Income (Loss)"):
            expected = _number(old_row[half]) + _number(old_row[quarter])
            assert abs(_number(new_row[half]) - expected) <= 1, (old_row[0], new_row[half], expected)
            summed += 1
    assert summed == 4


def _number(shown: str) -> int:
    text = shown.replace(",", "")
    return -int(text[1:-1]) if text.startswith("(") else int(text)


@pytest.mark.parametrize(
    "current, prior, to, label, prior_after",
    [
        ("2Q04", "2Q03", "3Q04", "Dec 31, 2004", ("3Q03", "Dec 31, 2003")),
        ("4Q04", "4Q03", "1Q05", "Mar 31, 2005", ("1Q04", "Mar 31, 2004")),
        ("Q3FY25", "Q3FY24", "Q4FY25", "Mar 31, 2025", ("Q4FY24", "Mar 31, 2024")),
        ("Q4FY25", "Q4FY24", "Q1FY26", "Jun 30, 2025", ("Q1FY25", "Jun 30, 2024")),
        ("2004-09", "2003-09", "2004-12", "Dec 31, 2004", ("2003-12", "Dec 31, 2003")),
        ("2004-12", "2003-12", "2005-03", "Mar 31, 2005", ("2004-03", "Mar 31, 2004")),
    ],
)
def test_keys_roll_in_each_pattern(mini, tmp_path, current, prior, to, label, prior_after):
    _keys(mini, current, prior)
    out = tmp_path / "next"
    result = run("roll", mini, "--to", to, "--label", label, "--out", out)
    assert result.exit_code == 0, result.output
    periods = yaml.safe_load((out / "report.yaml").read_text())["periods"]
    assert periods["current"] == {"key": to, "label": label}
    assert periods["prior"] == {"key": prior_after[0], "label": prior_after[1]}
    data = rows(out / "data.csv")
    assert {(line, period) for line, period, value in data if value == ""} == {
        (line, period) for line in ("product", "service", "cost") for period in (to, prior_after[0])
    }
    assert infer(current) is not None and infer(current).key(infer(current).parse(current) + 3) == to


def _keys(mini: Path, current: str, prior: str) -> None:
    edit(mini, 'key: "2024"', f'key: "{current}"')
    edit(mini, 'key: "2023"', f'key: "{prior}"')
    data = mini.parent / "data.csv"
    data.write_text(data.read_text().replace(",2024,", f",{current},").replace(",2023,", f",{prior},"))


def test_a_declared_key_pattern_rolls(mini, tmp_path):
    _keys(mini, "FY04Q2", "FY03Q2")
    edit(mini, "layouts:", 'roll: {key: "FY{yy}Q{q}"}\nlayouts:')
    out = tmp_path / "next"
    result = run("roll", mini, "--to", "FY04Q3", "--label", "Dec 31, 2004", "--out", out)
    assert result.exit_code == 0, result.output
    periods = yaml.safe_load((out / "report.yaml").read_text())["periods"]
    assert periods["prior"] == {"key": "FY03Q3", "label": "Dec 31, 2003"}


def test_declared_year_to_date_keys_roll_a_sum(mini, tmp_path):
    _keys(mini, "FY04Q2", "FY03Q2")
    edit(mini, "layouts:", 'roll: {key: "FY{yy}Q{q}", half_year: "FY{yy}H1", nine_months: "FY{yy}M9"}\nlayouts:')
    periods = '  q1: {key: FY04Q1, label: "Mar 31, 2004"}\n  ytd: {key: FY04H1, label: FY04H1, sum_of: [q1, current]}\n'
    edit(mini, "inputs:", periods + "inputs:")
    out = tmp_path / "next"
    result = run("roll", mini, "--to", "FY04Q3", "--label", "Sep 30, 2004", "--out", out)
    assert result.exit_code == 0, result.output
    rolled = yaml.safe_load((out / "report.yaml").read_text())["periods"]
    assert rolled["ytd"] == {"key": "FY04M9", "label": "FY04M9", "sum_of": ["quarter_FY04Q1", "q1", "current"]}
    assert rolled["q1"] == {"key": "FY04Q2", "label": "Dec 31, 2024"}  # moved on one: the old current
    assert rolled["quarter_FY04Q1"] == {"key": "FY04Q1", "label": "Mar 31, 2004"}


def test_a_sum_of_quarters_that_are_not_consecutive_is_refused(mini, tmp_path):
    _keys(mini, "2Q04", "2Q03")
    edit(mini, "inputs:", "  both: {key: BOTH, label: Both, sum_of: [prior, current]}\ninputs:")
    out = tmp_path / "next"
    result = run("roll", mini, "--to", "3Q04", "--label", "Sep 30, 2004", "--out", out)
    assert result.exit_code == 2 and f"{mini}:6" in result.output, result.output
    assert "period 'both' (BOTH) cannot roll: it adds up 2Q03, 2Q04, which are not consecutive" in result.output
    assert not out.exists()


@pytest.mark.parametrize(
    "current, to, words",
    [
        ("2024", "2025", "cannot tell how the key '2024' rolls"),  # a year, not a quarter
        ("Sep04", "Dec04", "cannot tell how the key 'Sep04' rolls"),
        ("2Q04", "4Q04", "the quarter after 2Q04 is 3Q04"),  # a quarter skipped
    ],
)
def test_an_unclear_pattern_is_refused(mini, tmp_path, current, to, words):
    if current != "2024":
        _keys(mini, current, "2023")
    out = tmp_path / "next"
    result = run("roll", mini, "--to", to, "--label", "Dec 31, 2004", "--out", out)
    assert result.exit_code == 2
    assert words in result.output and f"{mini}:4" in result.output, result.output
    assert not out.exists()


def test_a_label_that_is_not_plain_is_refused_naming_the_option(mini, tmp_path):
    _keys(mini, "2Q04", "2Q03")
    out = tmp_path / "next"
    result = run("roll", mini, "--to", "3Q04", "--label", "Third quarter", "--out", out)
    assert result.exit_code == 2 and "--set-label prior=LABEL" in result.output, result.output
    assert not out.exists()
    result = run("roll", mini, "--to", "3Q04", "--label", "Q3", "--set-label", "prior=Q3 last year", "--out", out)
    assert result.exit_code == 0, result.output
    assert yaml.safe_load((out / "report.yaml").read_text())["periods"]["prior"]["label"] == "Q3 last year"


def test_an_empty_value_is_listed_to_type_with_its_label(mini, tmp_path):
    edit(mini.parent / "data.csv", "service,2024,80", "service,2024,")
    edit(mini.parent / "data.csv", "cost,2023,120", "cost,2023,  ")
    out = tmp_path / "out.xlsx"
    result = run("build", mini, "--out", out)
    assert result.exit_code == 2
    data = mini.parent / "data.csv"
    assert f"to type: {data}:4: service (Service) for 2024 (Dec 31, 2024)" in result.output
    assert f"to type: {data}:7: cost (Cost) for 2023 (Dec 31, 2023)" in result.output
    assert "2 figure(s) to type" in result.output and "no figure for" not in result.output
    assert not out.exists()


def test_an_empty_row_for_an_unknown_line_is_an_error_not_a_figure_to_type(mini, tmp_path):
    edit(mini.parent / "data.csv", "cost,2023,120", "cost,2023,120\ncots,2024,")
    result = run("check", mini)
    assert result.exit_code == 2
    assert f"error: {mini.parent / 'data.csv'}:8: line 'cots' is used by no layout" in result.output
    assert "to type" not in result.output


def test_a_declared_pattern_without_a_year_is_refused(mini, tmp_path):
    _keys(mini, "FY04Q2", "FY03Q2")
    edit(mini, "layouts:", 'roll: {key: "FY{yy}Q{q}", half_year: "H1"}\nlayouts:')
    out = tmp_path / "next"
    result = run("roll", mini, "--to", "FY04Q3", "--label", "Sep 30, 2004", "--out", out)
    assert result.exit_code == 2 and "roll: half_year 'H1': a year-to-date key needs a year" in result.output
    line = mini.read_text().splitlines().index(next(t for t in mini.read_text().splitlines() if t.startswith("roll:")))
    assert f"{mini}:{line + 1}:" in result.output and not out.exists()  # at the declaration, not line 1


def _rolled_and_filled(example_workbook: Path, folder: Path) -> Path:
    """The example rolled to 3Q04 naming its 2Q04 workbook as published, the figures to type filled."""
    result = run(
        "roll", EXAMPLE, "--to", "3Q04", "--label", "Dec 31, 2004", "--out", folder, "--date", "2005-02-10",
        "--published", example_workbook,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    fill(folder)
    return folder


def _retype(folder: Path, line: str, period: str, value: str) -> int:
    """Types another figure for line and period in the rolled data file; returns its file line."""
    path = folder / "data.csv"
    text = path.read_text(encoding="utf-8").splitlines()
    number = next(i for i, row in enumerate(text, 1) if row.startswith(f"{line},{period},"))
    text[number - 1] = f"{line},{period},{value}"
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    return number


def test_the_rolled_report_proves_its_comparatives_against_the_published_workbook(example_workbook, tmp_path):
    folder = _rolled_and_filled(example_workbook, tmp_path / "q3")
    result = run("check", folder)
    assert result.exit_code == 0, result.output
    compared = int(result.stdout.split("checks hold; ")[1].split(" figures equal")[0])
    # Every figure of 2Q04 the 3Q04 report shows again: at least the 151 JPY and "%" figures of the
    # prior-quarter columns that the test above reads through LibreOffice.
    assert compared >= 151, result.stdout


def test_a_changed_carried_figure_fails_the_rolled_build_with_exit_7_until_declared_recast(example_workbook, tmp_path):
    folder = _rolled_and_filled(example_workbook, tmp_path / "q3")
    before = run("check", folder)
    equal = int(before.stdout.split("checks hold; ")[1].split(" figures equal")[0])
    # Published in the 2Q04 release (three months to Sept 30, 2004, JPY thousands): dedicated access
    # 2,832,355 and dial-up access 739,957. 957 moved from one to the other: totals and cash stay.
    dedicated = _retype(folder, "dedicated_access", "2Q04", "2833312")
    dialup = _retype(folder, "dialup_access", "2Q04", "739000")
    out = tmp_path / "q3.xlsx"
    result = run("build", folder, "--out", out)
    assert result.exit_code == 7, result.output
    errors = [e for e in result.stderr.splitlines() if e.startswith("error: ")]
    published = yaml.safe_load((folder / "report.yaml").read_text())["published"][0]  # as report.yaml names it
    data = folder / "data.csv"
    assert errors[:2] == [
        f"error: {data}:{dedicated}: Operations, Dedicated access services, Sept 30, 2004, JPY: "
        f"published 2,832,355 ({published}), now 2,833,312",
        f"error: {data}:{dialup}: Operations, Dial-up access services, Sept 30, 2004, JPY: "
        f"published 739,957 ({published}), now 739,000",
    ]
    # Whatever else differs (a share of revenues, a change) is traced to those two typed figures.
    assert all(f"data.csv:{dedicated}" in e or f"data.csv:{dialup}" in e for e in errors)
    assert not out.exists()

    differing = int(result.stderr.split(" figure(s) differ")[0].rsplit("\n", 1)[-1])
    assert differing == len(errors)
    with open(folder / "report.yaml", "a", encoding="utf-8") as handle:
        handle.write(
            "recast:\n"
            "  - {line: dedicated_access, period: 2Q04, note: Reclassified from dial-up access}\n"
            "  - {line: dialup_access, period: 2Q04, note: Reclassified to dedicated access}\n"
        )
    result = run("build", folder, "--out", out)
    assert result.exit_code == 0, result.output
    # The recast figures are excused, not counted as equal to what was published.
    assert f"{equal - differing} figures equal the published workbook(s) as shown" in result.stdout
    book = openpyxl.load_workbook(out)
    labels = [row[0] for row in book["Operations"].iter_rows(values_only=True)]
    assert "Dedicated access services (R1)" in labels and "Dial-up access services (R2)" in labels
    assert "(R2) Recast: Dial-up access services, Sept 30, 2004: Reclassified to dedicated access" in labels
    contents = [row[:3] for row in book["Contents"].iter_rows(values_only=True)]
    start = contents.index(("Recast figures", "Period and note", "Sheet"))
    assert contents[start + 1 : start + 3] == [
        ("Dedicated access services (R1)", "Sept 30, 2004: Reclassified from dial-up access", "Operations"),
        ("Dial-up access services (R2)", "Sept 30, 2004: Reclassified to dedicated access", "Operations"),
    ]


def test_a_header_quoting_its_period_rolls_and_a_typed_key_is_named(mini, tmp_path):
    _keys(mini, "2Q04", "2Q03")
    layout = mini.parent / "layout.yaml"
    edit(layout, "{id: jpy, kind: amount, header: JPY}", '{id: jpy, kind: amount, header: "JPY {current.key}"}')
    edit(layout, "{id: jpy_p, kind: amount, header: JPY}", "{id: jpy_p, kind: amount, header: JPY 2Q03}")
    out = tmp_path / "next"
    result = run("roll", mini, "--to", "3Q04", "--label", "Dec 31, 2004", "--out", out)
    assert result.exit_code == 0, result.output
    headers = [line for line in result.output.splitlines() if line.startswith("to update") and " header '" in line]
    line = layout.read_text().splitlines().index(next(t for t in layout.read_text().splitlines() if "2Q03}" in t)) + 1
    assert headers == [f"to update: {layout}:{line}:9: column 'jpy_p' header 'JPY 2Q03' names 2Q03, now 3Q03"]
    spec = load_report(out / "report.yaml")
    assert [c.header for c in spec.layouts[0].columns][:3] == ["USD", "JPY 3Q04", "%"]


def test_a_header_quoting_no_period_is_refused_at_its_line(mini):
    layout = mini.parent / "layout.yaml"
    edit(layout, "{id: jpy, kind: amount, header: JPY}", '{id: jpy, kind: amount, header: "JPY {curent.key}"}')
    result = run("check", mini)
    assert result.exit_code == 2
    assert (
        "layout.yaml:" in result.output
        and "column 'jpy': header 'JPY {curent.key}' quotes {curent.key}" in result.output
    )


def test_a_rolled_report_rolls_again_its_year_to_date_growing(example_workbook, tmp_path):
    q3 = _rolled_and_filled(example_workbook, tmp_path / "q3")
    q4 = tmp_path / "q4"
    result = run("roll", q3, "--to", "4Q04", "--label", "Mar 31, 2005", "--out", q4, "--date", "2005-05-10")
    assert result.exit_code == 0, result.output
    periods = yaml.safe_load((q4 / "report.yaml").read_text())["periods"]
    # Nine months at 3Q04 become the year at 4Q04; the quarters no other role names keep roles of their own.
    assert periods["first_half"] == {
        "key": "FY04",
        "label": "FY04",
        "sum_of": ["quarter_1Q04", "quarter_2Q04", "prior_quarter", "current"],
    }
    assert periods["quarter_1Q04"]["key"] == "1Q04" and periods["quarter_2Q04"]["key"] == "2Q04"
    assert periods["prior_year_half"] == {"key": "FY03", "label": "FY03"}
    to_type = {period for line, period, value in rows(q4 / "data.csv") if value == ""}
    assert to_type == {"4Q04", "4Q03", "FY03"}


def test_a_published_file_that_is_no_workbook_of_ours_is_refused_by_roll(tmp_path):
    out = tmp_path / "q3"
    result = run("roll", EXAMPLE, "--to", "3Q04", "--label", "Dec 31, 2004", "--out", out, "--published", OLD_DATA)
    assert result.exit_code == 2
    assert f"error: --published: file {OLD_DATA} not an .xlsx workbook" in result.output
    assert not out.exists()


def test_a_header_printing_a_key_apart_is_named_too(mini, tmp_path):
    # NVIDIA's tables print Q3FY24 as "Q3 FY24": the same key to a reader, so roll names it.
    _keys(mini, "Q3FY25", "Q3FY24")
    layout = mini.parent / "layout.yaml"
    edit(layout, "{id: jpy_p, kind: amount, header: JPY}", "{id: jpy_p, kind: amount, header: Q3 FY24}")
    result = run("roll", mini, "--to", "Q4FY25", "--label", "Jan 26, 2025", "--out", tmp_path / "next")
    assert result.exit_code == 0, result.output
    assert any(
        "column 'jpy_p' header 'Q3 FY24' names Q3FY24, now Q4FY24" in line for line in result.output.splitlines()
    )
    assert not any("column 'jpy' header" in line for line in result.output.splitlines())


def test_every_period_that_cannot_roll_is_named_in_one_run(tmp_path):
    nvidia = EXAMPLE.parents[1] / "nvidia-q3-fy2025" / "report.yaml"
    result = run("roll", nvidia, "--to", "Q4FY25", "--label", "January 26, 2025", "--out", tmp_path / "q4")
    assert result.exit_code == 2
    errors = [line for line in result.output.splitlines() if line.startswith("error: ")]
    named = [line.split("period '")[1].split("'")[0] for line in errors]
    # Its year-to-date periods, the typed ones and the sums, and the outlook: each needs a key or a label given.
    assert named == ["ytd", "prior_ytd", "outlook", "nine_months", "prior_nine_months"]
    assert "5 problem(s); nothing was written." in result.output and not (tmp_path / "q4").exists()


def test_nvidia_s_texts_that_name_a_period_in_words():
    """Read off the NVIDIA layouts by hand: the nine-month groups (a year to date that grows
    into a year), the outlook's "Fourth Quarter", and a row label typing the key "Q3 FY25"."""
    from builder.cycle.words import named_in_words

    report = load_report(EXAMPLE.parents[1] / "nvidia-q3-fy2025" / "report.yaml")
    said = named_in_words(report, {}, {"Q3FY25": "Q4FY25"}, "Q4FY25")
    named = sorted(line.split(" names ")[1].split(":")[0] for line in said)
    assert named == sorted(["'Fourth Quarter'", "'Q3 FY25'", "'Q3 FY25'"] + ["'Nine Months'"] * 6 + ["'nine months'"])
    assert any("column 'rc_9m' group 'Nine Months Ended'" in line for line in said)
    assert any("row 'og_revenue_qoq' label 'Against Q3 FY25 revenue'" in line for line in said)
