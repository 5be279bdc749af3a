"""Inputs built to hurt the builder, or simply odd: each is refused at once with its file
and line, exit code 2, no traceback, bounded time and memory, and nothing written."""

from __future__ import annotations

import re
import resource
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pytest
from click.testing import CliRunner

from builder import ReportError, build
from builder.cli import main
from tests.conftest import edit

FILES = ["data.csv", "layout.yaml", "report.yaml"]


def refused(report: Path, *extra: str, files: list[str] | None = None) -> str:
    """Build `report` through the CLI; assert it is refused as bad input and nothing is
    written or left behind in the output's folder. Returns what it printed."""
    out_dir = report.parent / "out"
    out_dir.mkdir()
    result = CliRunner().invoke(main, ["build", str(report), "--out", str(out_dir / "out.xlsx"), *extra])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert list(out_dir.iterdir()) == []
    expected = sorted((files or FILES) + ["out"])
    assert sorted(p.name for p in report.parent.iterdir()) == expected
    return result.output


def _limited(max_bytes: int):
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (max_bytes, max_bytes))

    return limit


def run_limited(
    report: Path, seconds: float = 20, max_bytes: int = 1 << 30
) -> tuple[subprocess.CompletedProcess, float]:
    """`report-builder check` in a process that may use at most `max_bytes` of memory."""
    exe = Path(sys.executable).parent / "report-builder"
    start = time.monotonic()
    done = subprocess.run(
        [str(exe), "check", str(report)],
        capture_output=True,
        text=True,
        timeout=seconds,
        preexec_fn=_limited(max_bytes),
    )
    return done, time.monotonic() - start


# ---------------------------------------------------------------- 1. billion laughs

LAUGHS = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]'] + [
    f"{b}: &{b} [{', '.join([f'*{a}'] * 9)}]" for a, b in zip("abcdefghi", "bcdefghij", strict=True)
]  # j expands to 9**10 values, in about 600 bytes


@pytest.mark.parametrize("where", ["unknown key", "notes", "report"])
def test_nested_aliases_are_refused_at_once_in_bounded_memory(where, mini):
    layout = mini.parent / "layout.yaml"
    if where == "unknown key":
        layout.write_text(layout.read_text() + "laughs:\n" + "".join(f"  {line}\n" for line in LAUGHS))
        bomb, line = layout, 27
    elif where == "notes":
        items = [re.sub(r"^\w+: ", "- ", x) for x in LAUGHS]
        edit(layout, 'notes: ["At JPY {fx:0.00} = $1."]', "notes:\n" + "".join(f"  {x}\n" for x in items))
        bomb, line = layout, 26
    else:
        mini.write_text(mini.read_text() + "laughs:\n" + "".join(f"  {x}\n" for x in LAUGHS))
        bomb, line = mini, 16
    done, seconds = run_limited(mini, seconds=20, max_bytes=1 << 30)
    assert done.returncode == 2, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    # The alias that first passes the limit: the first *e (66,430 values each), on f's line.
    assert f"{bomb.name}:{line}:" in done.stderr
    assert "aliases (here *e) expand the file by more than 100,000 values" in done.stderr
    assert seconds < 10


def test_aliases_that_share_a_little_are_fine(mini, tmp_path):
    layout = mini.parent / "layout.yaml"
    edit(
        layout, "      - {id: jpy_p, kind: amount, header: JPY}", "      - &jpy {id: jpy_p, kind: amount, header: JPY}"
    )
    edit(layout, "  - {id: cost, label: Cost}", "  - {id: cost, label: Cost, show: &both [amount, convert]}")
    edit(layout, "style: grand_total}", "style: grand_total, show: *both}")
    result = CliRunner().invoke(main, ["check", str(mini)])
    assert result.exit_code == 0, result.output


# ---------------------------------------------------------------- 2. deep nesting


@pytest.mark.parametrize("depth", [65, 256, 1000, 100_000])
def test_deep_nesting_is_refused_with_its_line(depth, mini):
    layout = mini.parent / "layout.yaml"
    layout.write_text(layout.read_text() + "deep: " + "[" * depth + "]" * depth + "\n")
    output = refused(mini)
    assert "layout.yaml:21:" in output
    assert "nest more than 64 levels" in output or "maximum nesting depth" in output


def test_deep_mappings_are_refused_with_their_line(mini):
    layout = mini.parent / "layout.yaml"
    layout.write_text(layout.read_text() + "".join("  " * i + f"k{i}:\n" for i in range(300)) + "  " * 300 + "x\n")
    output = refused(mini)
    assert "layout.yaml:85:" in output and "nest more than 64 levels" in output


def test_nesting_just_under_the_cap_is_not_refused_for_depth(mini):
    layout = mini.parent / "layout.yaml"
    layout.write_text(layout.read_text() + "deep: " + "[" * 63 + "]" * 63 + "\n")
    output = refused(mini)
    assert "unknown key 'deep'" in output and "levels" not in output


# ---------------------------------------------------------------- 3. a file that is not a mapping

NOT_A_MAPPING = {
    "text": ("just some text\n", "found text"),
    "a list": ("- sheet: Income\n- rows: []\n", "found a list"),
    "a number": ("42\n", "found a number"),
    "null": ("~\n", "found nothing (null)"),
}


@pytest.mark.parametrize("case", sorted(NOT_A_MAPPING))
@pytest.mark.parametrize("which", ["layout.yaml", "report.yaml"])
def test_a_file_that_is_not_a_mapping_is_named(case, which, mini):
    text, found = NOT_A_MAPPING[case]
    (mini.parent / which).write_text(text)
    output = refused(mini)
    what = "layout" if which == "layout.yaml" else "report"
    assert f"error: {mini.parent / which}:1" in output
    assert f"a {what} file must be a mapping of keys" in output and found in output
    assert "None" not in output


# ---------------------------------------------------------------- 4. a folder for a file


@pytest.mark.parametrize("key, old", [("layouts", "layouts: [layout.yaml]"), ("data", "data: data.csv")])
def test_a_folder_given_as_a_file_is_named_a_folder(key, old, mini):
    (mini.parent / "sub").mkdir()
    edit(mini, old, f"{key}: [sub]" if key == "layouts" else f"{key}: sub")
    output = refused(mini, files=FILES + ["sub"])
    line = 8 if key == "layouts" else 9
    assert f"report.yaml:{line}:" in output and "is a folder; expected a file" in output
    assert "not found" not in output


def test_a_folder_given_as_the_report_is_named_a_folder(mini):
    # A folder given as REPORT means its report.yaml (builder.example.report_path); here
    # that is a folder too.
    (mini.parent / "sub" / "report.yaml").mkdir(parents=True)
    output = refused(mini.parent / "sub", files=FILES + ["sub"])
    assert "sub/report.yaml: is a folder; expected a YAML file" in output


@pytest.mark.parametrize("name", ["figures.csv", "figures.xlsx"])
def test_a_folder_given_as_data_to_the_api_is_named_a_folder(name, mini, tmp_path):
    (mini.parent / name).mkdir()
    with pytest.raises(ReportError) as caught:
        build(mini, tmp_path / "out.xlsx", data=mini.parent / name)
    assert [str(p) for p in caught.value.problems] == [
        f"{mini.parent / name}: the data file is a folder; expected a file"
    ]
    assert not (tmp_path / "out.xlsx").exists()


# ---------------------------------------------------------------- 5. not UTF-8


def test_a_latin1_data_file_names_the_line(mini):
    data = mini.parent / "data.csv"
    data.write_bytes(data.read_bytes().replace(b"cost,2023,120", b"co\xfbt,2023,120"))
    output = refused(mini)
    assert "data.csv:7:3: the file is not UTF-8 text (byte 0xfb); save it as UTF-8" in output
    assert "position" not in output


def test_a_latin1_byte_deep_in_a_large_data_file_names_its_line(mini):
    data = mini.parent / "data.csv"
    # Past the text decoder's first buffer, so the error is raised while rows stream.
    padding = b"".join(b"product,2024,120\n" for _ in range(5000))
    data.write_bytes(data.read_bytes() + padding + b"caf\xe9,2024,1\n")
    output = refused(mini)
    assert "data.csv:5008:4: the file is not UTF-8 text (byte 0xe9)" in output


def test_a_latin1_yaml_file_names_the_line(mini):
    layout = mini.parent / "layout.yaml"
    layout.write_bytes(layout.read_bytes().replace(b"label: Cost}", b"label: Co\xfbt}"))
    output = refused(mini)
    assert "layout.yaml:18:25: the file is not UTF-8 text (byte 0xfb); save it as UTF-8" in output


# ---------------------------------------------------------------- 6. another file's content
# Rule: a file is quoted only once it is shown to be ours. A data file's cells are quoted
# only after its header names the columns line,period,value (or line plus periods); before
# that, only the column names the builder knows are named. A YAML file's unknown keys are
# named, never their values; a value is quoted (cut at 60 characters) only under a key the
# schema knows, and a file that is not a mapping is described, never quoted.

SECRETS = {
    "passwd": "root:x:0:0:SECRET-ROOT:/root:/bin/bash\nalice:x:1000:1000:SECRET-ALICE:/home/alice:/bin/sh\n",
    "shadow": "root:$y$j9T$SECRETHASH$SECRETSALT:19000:0:99999:7:::\n",
    "csv": "user,SECRET-COLUMN\nalice,SECRET-VALUE\n",
    "yaml": "password: SECRET-VALUE\ntoken: {value: SECRET-TOKEN}\n",
    "env": "API_KEY=SECRET-VALUE\nOTHER=SECRET-2\n",
}


@pytest.mark.parametrize("kind", sorted(SECRETS))
@pytest.mark.parametrize("key", ["data", "layouts"])
def test_an_absolute_path_to_another_file_is_never_quoted(kind, key, mini, tmp_path_factory):
    secret = tmp_path_factory.mktemp("elsewhere") / kind
    secret.write_text(SECRETS[kind])
    if key == "data":
        edit(mini, "data: data.csv", f"data: {secret}")
    else:
        edit(mini, "layouts: [layout.yaml]", f"layouts: [{secret}]")
    output = refused(mini)
    assert f"error: {secret}:1" in output
    assert "SECRET" not in output and "bin/" not in output


def test_a_header_names_only_the_columns_the_builder_knows(mini):
    (mini.parent / "data.csv").write_text("period,value,SECRET-COLUMN\nSECRET-1,SECRET-2,SECRET-3\n")
    output = refused(mini)
    assert "data.csv:1: expected a header line of the columns line,period,value" in output
    assert "the first line has 3 column(s) and has the column(s) period, value" in output
    assert "SECRET" not in output


@pytest.mark.parametrize(
    "old, new, words",
    [
        ("sheet: Income", "sheet: [a, b]", "sheet: expected string, found a list"),
        ("sheet: Income", "sheet: {a: SECRET}", "sheet: expected string, found a mapping"),
        ("sheet: Income", "sheet: Income\nscale: '" + "x" * 500 + "'", "scale: expected number, found 'xxxx"),
        ("sheet: Income", "sheet: Income\nnumber_format: '" + "x" * 500 + "'", "expected at most 255 character(s)"),
        ("label: Cost}", "label: Cost, style: '" + "y" * 500 + "'}", "style: 'yyy"),
    ],
)
def test_values_in_messages_are_described_or_cut_short(old, new, words, mini):
    edit(mini.parent / "layout.yaml", old, new)
    output = refused(mini)
    assert words in output
    assert "SECRET" not in output
    assert all(len(line) < 400 for line in output.splitlines())


def test_a_yaml_file_with_none_of_our_keys_is_not_listed(mini, tmp_path_factory):
    secret = tmp_path_factory.mktemp("elsewhere") / "config.yaml"
    secret.write_text("password: SECRET-VALUE\napi_token: SECRET-TOKEN\n")
    edit(mini, "layouts: [layout.yaml]", f"layouts: [{secret}]")
    output = refused(mini)
    assert f"{secret}:1:1: a layout file needs the keys sheet, columns, rows; this file has none of them" in output
    assert "SECRET" not in output and "password" not in output


def test_an_unknown_key_that_is_not_a_name_is_not_quoted(mini):
    layout = mini.parent / "layout.yaml"
    layout.write_text(layout.read_text() + "root:$y$j9T$SECRETHASH:19000:0:99999:7:::\n")
    output = refused(mini)
    assert "layout.yaml:21:1: unknown key (not shown: it is not a name) in the file" in output
    assert "SECRET" not in output


# ---------------------------------------------------------------- 7. the key a user mistyped

MISTYPED = {
    "a group entry": (
        "  - period: prior\n    columns:\n",
        "  - group: Prior\n    lable_typo: x\n    columns:\n    - period: prior\n      columns:\n",
        "layout.yaml:10:5: unknown key 'lable_typo' in columns.1; expected one of: columns, group",
    ),
    "a period block entry": (
        "  - period: prior\n",
        "  - period: prior\n    haeder: Prior\n",
        "layout.yaml:10:5: unknown key 'haeder' in columns.1; did you mean 'header'?",
    ),
    "a plain column": (
        "header: Change}",
        "haeder: Change}",
        "layout.yaml:12:55: unknown key 'haeder' in columns.2; did you mean 'header'?",
    ),
    "a period block in a group": (
        "  - period: prior\n    columns:\n",
        "  - group: Prior\n    columns:\n    - period: prior\n      colums:\n",
        "layout.yaml:12:7: unknown key 'colums' in columns.1.columns.0; did you mean 'columns'?",
    ),
    "a column in a group": (
        "  - {id: chg, kind: change,",
        "  - group: Changes\n    columns:\n    - {id: chg, knd: change,",
        "layout.yaml:14:17: unknown key 'knd' in columns.2.columns.0; did you mean 'kind'?",
    ),
}


@pytest.mark.parametrize("case", sorted(MISTYPED))
def test_a_mistyped_key_is_named_whatever_the_entry(case, mini):
    old, new, expected = MISTYPED[case]
    edit(mini.parent / "layout.yaml", old, new)
    output = refused(mini)
    assert expected in output
    assert "unknown key 'columns'" not in output and "unknown key 'group'" not in output
    assert output.count("error:") == 1


# ---------------------------------------------------------------- 8. periods with one label

TWIN_PERIODS = (
    '  prior: {key: "2023", label: "Dec 31, 2023"}\n',
    '  prior: {key: "2023", label: "Dec 31, 2023"}\n  ytd: {key: "YTD24", label: "Dec 31, 2024"}\n',
)


def test_a_period_is_named_by_key_where_its_label_repeats(mini):
    edit(mini, *TWIN_PERIODS)
    edit(mini.parent / "layout.yaml", "rows:\n", "checks:\n  - {name: YTD, left: 'product[ytd]', right: 0}\nrows:\n")
    output = refused(mini)
    assert "layout.yaml:14:5: 'product' is needed for Dec 31, 2024 (YTD24), but sheet 'Income'" in output


def test_an_evaluation_error_names_the_period_by_key_where_its_label_repeats(mini):
    edit(mini, *TWIN_PERIODS)
    edit(
        mini.parent / "layout.yaml",
        "{id: cost, label: Cost}",
        "{id: cost, label: Cost}\n  - {id: margin, label: M, formula: profit / (cost - cost)}",
    )
    output = refused(mini)
    assert "layout.yaml:19:5: 'margin' in column 'usd' (Dec 31, 2024 (2024)): division by zero" in output


def test_a_broken_check_names_the_period_by_key_where_its_label_repeats(mini):
    edit(mini, *TWIN_PERIODS)
    edit(mini.parent / "layout.yaml", "rows:\n", "checks:\n  - {name: Tie, left: product, right: 0}\nrows:\n")
    result = CliRunner().invoke(main, ["check", str(mini)])
    assert result.exit_code == 3, result.output
    assert "BREAK: Tie (Income, Dec 31, 2024 (2024))" in result.output
    assert "BREAK: Tie (Income, Dec 31, 2023)" in result.output  # a label no other period has


def test_a_label_no_other_period_has_is_named_as_it_is(mini):
    edit(mini.parent / "layout.yaml", "rows:\n", "checks:\n  - {name: Tie, left: product, right: 0}\nrows:\n")
    result = CliRunner().invoke(main, ["check", str(mini)])
    assert result.exit_code == 3, result.output
    assert "BREAK: Tie (Income, Dec 31, 2024):" in result.output


# ---------------------------------------------------------------- 9, 10. names as Excel has them

FX = "  fx: {value: 150.0, label: JPY per USD}\n"


def add_input(report: Path, name: str) -> None:
    edit(report, FX, FX + f"  '{name}': {{value: 2}}\n")  # quoted: TRUE is a YAML boolean


@pytest.mark.parametrize("name", ["FX", "Fx"])
def test_inputs_that_differ_only_in_case_are_refused(name, mini):
    add_input(mini, name)
    output = refused(mini)
    assert f"report.yaml:8:3: input name '{name}' is the same name as 'fx' to Excel (names ignore case)" in output


def test_a_row_id_that_is_an_input_name_in_another_case_is_refused(mini):
    edit(mini.parent / "layout.yaml", "{id: cost, label: Cost}", "{id: FX, label: Cost}")
    edit(mini.parent / "layout.yaml", "-cost]", "-FX]")
    (mini.parent / "data.csv").write_text((mini.parent / "data.csv").read_text().replace("cost,", "FX,"))
    output = refused(mini)
    assert "layout.yaml:18:5: row id 'FX' is also the name of an input, 'fx' (Excel's names ignore case)" in output


CELL_LIKE = {
    "R1C1": "R1C1 style",
    "RC": "R1C1 style",
    "r": "R1C1 style",
    "C12": "A1 style",  # also column C, row 12
    "R2C": "R1C1 style",
    "C1R2": "R1C1 style",  # XlsxWriter refuses it
    "fx1": "A1 style",
    "XFD1048576": "A1 style",
    "AAD1": "A1 style",  # beyond XFD, but XlsxWriter refuses it
}


@pytest.mark.parametrize("name", sorted(CELL_LIKE))
def test_an_input_named_like_a_cell_is_refused_before_writing(name, mini):
    add_input(mini, name)
    output = refused(mini)
    assert f"report.yaml:8:3: input name '{name}': it looks like a cell reference ({CELL_LIKE[name]})" in output


@pytest.mark.parametrize("name", ["TRUE", "false", "Print_Area", "auto_open"])
def test_an_input_named_as_excel_reserves_is_refused(name, mini):
    add_input(mini, name)
    output = refused(mini)
    assert f"report.yaml:8:3: input name '{name}': Excel reserves it" in output


def test_an_input_name_over_255_characters_is_refused(mini):
    add_input(mini, "n" * 256)
    output = refused(mini)
    assert "report.yaml:8:3: input name 'nnn" in output and "Excel allows names of 1 to 255 characters" in output


@pytest.mark.parametrize("name", ["XFE1", "ABCD1", "fx_2024", "RC_rate", "R1C1x", "_C1", "n" * 255])
def test_names_excel_accepts_are_defined_without_warnings(name, mini, tmp_path):
    import openpyxl

    add_input(mini, name)
    out = tmp_path / "out.xlsx"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # anything XlsxWriter warns about is a bug
        result = CliRunner().invoke(main, ["build", str(mini), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert name in openpyxl.load_workbook(out).defined_names


# ---------------------------------------------------------------- 11. sheet names


def test_a_sheet_name_of_16_emoji_is_refused_counting_utf16_units(mini):
    edit(mini.parent / "layout.yaml", "sheet: Income", "sheet: " + "\U0001f600" * 16)
    output = refused(mini)
    assert "layout.yaml:1:1: sheet name" in output
    assert "Excel allows 1 to 31 characters; this one counts 32 (an emoji counts 2)" in output


def test_a_sheet_name_of_15_emoji_and_a_letter_builds(mini, tmp_path):
    import openpyxl

    name = "\U0001f600" * 15 + "x"
    edit(mini.parent / "layout.yaml", "sheet: Income", f"sheet: {name}")
    out = tmp_path / "out.xlsx"
    result = CliRunner().invoke(main, ["build", str(mini), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert name in openpyxl.load_workbook(out, read_only=True).sheetnames


@pytest.mark.parametrize(
    "name, words",
    [
        ("History", "Excel reserves 'History'"),
        ("HISTORY", "Excel reserves 'History'"),
        ("contents", "clashes with a sheet the builder adds"),
        ("DATA (2)", "clashes with a sheet the builder adds"),
        ("_Formulas", "clashes with a sheet the builder adds"),  # the formula map verify reads
        ("İnputs", None),  # a dotted capital I is not i: a different name, built
    ],
)
def test_sheet_names_excel_or_the_builder_reserve(name, words, mini, tmp_path):
    edit(mini.parent / "layout.yaml", "sheet: Income", f"sheet: {name}")
    if words is None:
        result = CliRunner().invoke(main, ["check", str(mini)])
        assert result.exit_code == 0, result.output
        return
    output = refused(mini)
    assert "layout.yaml:1:1: sheet name" in output and words in output


@pytest.mark.parametrize("first, second", [("Income", "INCOME"), ("Übersicht", "übersicht"), ("Straße", "STRASSE")])
def test_two_sheets_whose_names_differ_only_in_case_are_refused(first, second, mini):
    layout = mini.parent / "layout.yaml"
    other = layout.read_text().replace("sheet: Income", f"sheet: {second}")
    for rid in ("product", "service", "revenue", "cost", "profit"):
        other = other.replace(f"id: {rid},", f"id: {rid}2,").replace(f"[{rid},", f"[{rid}2,")
    other = (
        other.replace("-cost]", "-cost2]").replace("service]", "service2]").replace("base: revenue", "base: revenue2")
    )
    (mini.parent / "other.yaml").write_text(other)
    edit(layout, "sheet: Income", f"sheet: {first}")
    edit(mini, "layouts: [layout.yaml]", "layouts: [layout.yaml, other.yaml]")
    data = mini.parent / "data.csv"
    data.write_text(
        data.read_text() + "".join(f"{r}2,{p},1\n" for r in ("product", "service", "cost") for p in (2024, 2023))
    )
    output = refused(mini, files=FILES + ["other.yaml"])
    assert f"other.yaml:1:1: sheet name '{second}' is used twice (as '{first}' at " in output
    assert "Excel ignores case" in output and output.count("error:") == 1


# ---------------------------------------------------------------- 11's neighbour: page headers


@pytest.mark.parametrize("company", ["C" * 226, "\U0001f4b0" * 113])
def test_a_page_header_of_excels_255_characters_builds_without_warnings(company, mini, tmp_path):
    """The mini statement's header is &L{company}&C&BStatement of income&B&R: 29 + the
    company's length; its footer &L2024-12-31&CPage &P of 2&R{title}: 28 + the title's,
    which is the company's. An emoji counts 2."""
    edit(mini, "company: Example Co.", f"company: {company}")
    out = tmp_path / "out.xlsx"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # XlsxWriter drops a long header with a warning
        result = CliRunner().invoke(main, ["build", str(mini), "--out", str(out)])
    assert result.exit_code == 0, result.output


def test_a_page_header_over_excels_255_characters_is_refused(mini):
    edit(mini, "company: Example Co.", f"company: {'C' * 227}")
    output = refused(mini)
    assert "layout.yaml:2:22: sheet 'Income': the printed page header (company, title, date) needs 256" in output
    assert "Excel allows 255" in output and output.count("error:") == 1


def test_page_header_and_footer_lengths_count_utf16_units(mini):
    edit(mini, "company: Example Co.", "company: " + "\U0001f4b0" * 114)
    output = refused(mini)
    assert "layout.yaml:2:22: sheet 'Income': the printed page header (company, title, date) needs 257" in output
    assert "layout.yaml:2:22: sheet 'Income': the printed page footer (company, title, date) needs 256" in output
    assert "report.yaml:1: sheet 'Contents': the printed page footer (company, title, date) needs 256" in output
