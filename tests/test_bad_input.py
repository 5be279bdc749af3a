"""Bad input: a message naming file and line, a non-zero exit, no traceback, nothing written."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from builder.cli import main
from tests.conftest import edit


def run_build(report, out):
    result = CliRunner().invoke(main, ["build", str(report), "--out", str(out)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def test_the_mini_report_builds(mini, tmp_path):
    result = run_build(mini, tmp_path / "out.xlsx")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out.xlsx").exists()


# file to edit, text, replacement, words the message must hold, file:line it must name
CASES = {
    "malformed yaml": ("layout.yaml", "rows:\n", "rows: [\n", ["malformed YAML"], "layout.yaml:"),
    "unknown key with suggestion": (
        "layout.yaml",
        "label: Cost}",
        "lable: Cost}",
        ["unknown key 'lable'", "did you mean 'label'"],
        "layout.yaml:18",
    ),
    "wrong type": (
        "layout.yaml",
        "indent: 1}\n  - {id: service",
        "indent: one}\n  - {id: service",
        ["expected integer"],
        "layout.yaml:15",
    ),
    "unknown row reference": (
        "layout.yaml",
        "total: [revenue, -cost]",
        "total: [revenue, -costs]",
        ["refers to 'costs'", "did you mean 'cost'"],
        "layout.yaml:19",
    ),
    "duplicate row id": (
        "layout.yaml",
        "{id: cost, label: Cost}",
        "{id: product, label: Cost}",
        ["'product' is used twice"],
        "layout.yaml:18",
    ),
    "cycle among totals": (
        "layout.yaml",
        "total: [product, service]",
        "total: [product, service, profit]",
        ["cycle"],
        "layout.yaml:",
    ),
    "bad formula": (
        "layout.yaml",
        "{id: cost, label: Cost}",
        "{id: cost, label: Cost, formula: 'revenue ** 2'}",
        ["is not allowed"],
        "layout.yaml:18",
    ),
    "value not a number": ("data.csv", "cost,2024,150", "cost,2024,15O", ["expected a number", "'15O'"], "data.csv:6"),
    "missing figure": (
        "data.csv",
        "cost,2024,150\n",
        "",
        ["no figure for 'cost' in period 2024", "data.csv"],
        "layout.yaml:18",
    ),
    "figure given twice": ("data.csv", "cost,2024,150", "cost,2024,150\ncost,2024,151", ["given twice"], "data.csv:7"),
    "undeclared period": (
        "data.csv",
        "cost,2023,120",
        "cost,2022,120",
        ["period '2022' is not one the report declares"],
        "data.csv:7",
    ),
    "mistyped period": (
        "data.csv",
        "cost,2023,120",
        "cost,203,120",
        ["period '203' is not one the report declares (2024, 2023); did you mean '2023'?"],
        "data.csv:7",
    ),
    "figure no layout uses": (
        "data.csv",
        "cost,2023,120",
        "cost,2023,120\ncosts,2023,5",
        ["'costs' is used by no layout", "would be lost"],
        "data.csv:8",
    ),
    "figure for a total": (
        "data.csv",
        "cost,2023,120",
        "cost,2023,120\nrevenue,2023,150",
        ["computed by the layout"],
        "data.csv:8",
    ),
    "fx rate zero": ("report.yaml", "value: 150.0", "value: 0", ["expected a number above zero"], "report.yaml:7"),
    "fx rate missing": (
        "report.yaml",
        "  fx: {value: 150.0, label: JPY per USD}\n",
        "  other: {value: 1}\n",
        ["'rate' must name an input"],
        "layout.yaml:6",
    ),
    "sheet name too long": (
        "layout.yaml",
        "sheet: Income",
        "sheet: " + "x" * 32,
        ["Excel allows 1 to 31"],
        "layout.yaml:1",
    ),
    "sheet name bad characters": (
        "layout.yaml",
        "sheet: Income",
        "sheet: 'In/come'",
        ["Excel forbids /"],
        "layout.yaml:1",
    ),
    "unknown period in a column": (
        "layout.yaml",
        "from: prior,",
        "from: prio,",
        ["period 'prio' is not declared"],
        "layout.yaml:12",
    ),
    "infinite number": (
        "layout.yaml",
        "sheet: Income",
        "sheet: Income\nscale: .inf",
        ["scale: expected number, found inf (a number must be finite)"],
        "layout.yaml:2",
    ),
    "report date not a date": (
        "report.yaml",
        "date: 2024-12-31",
        "date: 2024-13-31",
        ["expected a date such as 2004-11-11", "'2024-13-31'"],
        "report.yaml:2",
    ),
    "unknown template field": (
        "layout.yaml",
        "{fx:0.00}",
        "{fxx:0.00}",
        ["{fxx}", "did you mean 'fx'"],
        "layout.yaml:20",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_is_refused_clearly(case, mini, tmp_path):
    file, old, new, words, where = CASES[case]
    out = tmp_path / "out.xlsx"
    out.write_bytes(b"previous workbook")
    edit(mini.parent / file, old, new)
    result = run_build(mini, out)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    for word in words:
        assert word in result.output
    assert where in result.output
    assert out.read_bytes() == b"previous workbook"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["data.csv", "layout.yaml", "out.xlsx", "report.yaml"])


def test_zero_base_shows_nm_not_div0(mini, tmp_path):
    import openpyxl

    edit(mini.parent / "data.csv", "product,2023,100", "product,2023,0")
    result = run_build(mini, tmp_path / "out.xlsx")
    assert result.exit_code == 0, result.output
    ws = openpyxl.load_workbook(tmp_path / "out.xlsx", data_only=True)["Income"]
    shown = [c.value for row in ws.iter_rows() for c in row]
    assert "n.m." in shown
    assert not any(isinstance(v, str) and v.startswith("#") for v in shown)


def test_division_by_zero_in_a_formula_row_is_refused(mini, tmp_path):
    edit(
        mini.parent / "layout.yaml",
        "{id: cost, label: Cost}",
        "{id: cost, label: Cost}\n  - {id: margin, label: M, formula: profit / (cost - cost)}",
    )
    result = run_build(mini, tmp_path / "out.xlsx")
    assert result.exit_code == 2
    assert "division by zero" in result.output
    assert not (tmp_path / "out.xlsx").exists()


def test_text_starting_with_equals_stays_text(mini, tmp_path):
    import openpyxl

    edit(mini.parent / "layout.yaml", "label: Product", "label: '=1+1 Product'")
    edit(mini.parent / "layout.yaml", "Statement of income", "'@SUM(A1)'")
    assert run_build(mini, tmp_path / "out.xlsx").exit_code == 0
    ws = openpyxl.load_workbook(tmp_path / "out.xlsx")["Income"]
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert "=1+1 Product" in texts and "@SUM(A1)" in texts
    cell = next(c for row in ws.iter_rows() for c in row if c.value == "=1+1 Product")
    assert cell.data_type == "s"


def test_text_that_looks_like_a_date_stays_text(mini, tmp_path):
    # YAML would read an unquoted 2024-12-31 as a date; in a layout it is a header's text.
    import openpyxl

    edit(mini.parent / "layout.yaml", "header: JPY}", "header: 2024-12-31}")
    result = run_build(mini, tmp_path / "out.xlsx")
    assert result.exit_code == 0, result.output
    ws = openpyxl.load_workbook(tmp_path / "out.xlsx")["Income"]
    header = next(c for row in ws.iter_rows() for c in row if c.value == "2024-12-31")
    assert header.data_type == "s"


def test_yaml_tags_never_construct_objects(mini, tmp_path):
    edit(mini.parent / "layout.yaml", "sheet: Income", "sheet: !!python/object/apply:os.system ['echo hacked']")
    result = run_build(mini, tmp_path / "out.xlsx")
    assert result.exit_code == 2
    assert "layout.yaml:1" in result.output and "malformed YAML" in result.output
    assert "hacked" not in result.output


def test_negative_rate_is_refused(mini, tmp_path):
    edit(mini, "value: 150.0", "value: -150.0")
    result = run_build(mini, tmp_path / "out.xlsx")
    assert result.exit_code == 2
    assert "report.yaml:7" in result.output and "above zero" in result.output


def test_formula_over_excel_limit_is_refused(mini, tmp_path):
    terms = ", ".join(["product", "cost"] * 2500)  # non-adjacent cells: no SUM range to shorten it
    big = f"  - {{id: big, label: Big, total: [{terms}]}}\n  - {{id: profit"
    edit(mini.parent / "layout.yaml", "  - {id: profit", big)
    result = run_build(mini, tmp_path / "out.xlsx")
    assert result.exit_code == 2
    assert "Excel allows 8192" in result.output and "layout.yaml:19" in result.output
    assert not (tmp_path / "out.xlsx").exists()


def test_a_formula_too_deep_to_parse_is_refused(mini, tmp_path):
    long_formula = " + ".join(["product", "cost"] * 2500)
    big = f"  - {{id: big, label: Big, formula: '{long_formula}'}}\n  - {{id: profit"
    edit(mini.parent / "layout.yaml", "  - {id: profit", big)
    result = run_build(mini, tmp_path / "out.xlsx")
    assert result.exit_code == 2
    assert "too deeply nested" in result.output and "layout.yaml:19" in result.output


def test_more_columns_than_excel_holds_is_refused(mini, tmp_path):
    many = "\n".join(f"  - {{id: c{i}, kind: amount, period: current, header: C}}" for i in range(16_384))
    text = (mini.parent / "layout.yaml").read_text()
    head, rest = text.split("columns:\n", 1)
    rows = rest[rest.index("rows:") :]
    (mini.parent / "layout.yaml").write_text(f"{head}columns:\n{many}\n{rows}")
    result = run_build(mini, tmp_path / "out.xlsx")
    assert result.exit_code == 2
    assert "needs 16385 columns; Excel allows 16384" in result.output and "layout.yaml:1" in result.output


def test_text_longer_than_excel_holds_is_refused_not_truncated(mini, tmp_path):
    out = tmp_path / "out.xlsx"
    out.write_bytes(b"previous workbook")
    edit(mini.parent / "layout.yaml", "label: Cost}", "label: " + "x" * 40_000 + "}")
    result = run_build(mini, out)
    assert result.exit_code == 2
    assert "longer than Excel's 32,767 characters" in result.output
    assert out.read_bytes() == b"previous workbook"


def test_figures_beyond_one_sheet_of_rows_go_on_more_data_sheets(monkeypatch):
    import builder.sources
    from builder.errors import Source
    from builder.figures import Figures
    from builder.spec import Figure, Report

    monkeypatch.setattr(builder.sources, "PER_SHEET", 10)  # Excel's is 1,048,575 below the header
    report = Report("t", "c", None, (), (), (), "data.csv", Source("report.yaml", 1))
    figures = Figures.of(Figure("a", "p", float(n), Source("data.csv", n + 2)) for n in range(25))
    sheets = builder.sources.data_sheets(report, figures, {})
    assert [s.name for s in sheets] == ["Data", "Data (2)", "Data (3)"]
    assert [max(c.row for c in s.cells) for s in sheets] == [10, 10, 5]
    values = {(s.name, c.row, c.col): c.value for s in sheets for c in s.cells}
    for n in (0, 9, 10, 24):  # the cell each statement formula points at holds that figure
        ref = builder.sources.data_ref(n)
        assert values[(ref.sheet, ref.row, ref.col)] == float(n)
    assert builder.sources.data_ref(24) == builder.sources.Ref("Data (3)", 5, 3)


def test_a_figure_for_a_period_its_statement_does_not_show_is_refused(mini, tmp_path):
    # The report declares both years, but the statement shows only the current one.
    edit(
        mini.parent / "layout.yaml",
        "  - period: prior\n    columns:\n      - {id: jpy_p, kind: amount, header: JPY}\n",
        "",
    )
    edit(mini.parent / "layout.yaml", "  - {id: chg, kind: change, from: prior, to: current, header: Change}\n", "")
    result = run_build(mini, tmp_path / "out.xlsx")
    assert result.exit_code == 2
    assert "data.csv:3" in result.output and "shows no 2023 column for 'product'" in result.output
    assert "would be lost" in result.output


def test_a_typed_row_that_hides_its_amounts_is_refused(mini, tmp_path):
    edit(mini.parent / "layout.yaml", "{id: cost, label: Cost}", "{id: cost, label: Cost, show: [percent_of]}")
    result = run_build(mini, tmp_path / "out.xlsx")
    assert result.exit_code == 2
    assert "row 'cost' shows no amount column" in result.output and "data.csv:6" in result.output
