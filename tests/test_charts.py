"""Charts declared in layouts: native Excel charts whose series point at the statement cells.

The example carries the release's four trend charts. What is checked against the release, the
workbook's own cells or LibreOffice, never against the builder's idea of them: the figures the
charts plot are the release's (10,512 revenue in 2Q04...), their references are found from the
sheets' labels and headers, a typed figure changed inside the written workbook moves the charts
once LibreOffice recalculates it, and the printed page shows the charts' columns.
"""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl.utils import get_column_letter

import builder
from builder.api import load_report
from builder.charts.place import reference
from builder.cli import main
from builder.render import render_workbook
from builder.verify import libreoffice
from tests.conftest import edit
from tests.published import EXAMPLE

C = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
PKG = "{http://schemas.openxmlformats.org/package/2006/relationships}"
QUARTERS = ["2Q03", "1Q04", "2Q04"]

# title -> sheet it is drawn on, and its series: (sheet, row label, the release's figures for
# 2Q03, 1Q04, 2Q04 as printed: JPY millions, ratios in %), the secondary ones last.
EXPECTED = {
    "Total Revenue Trend (JPY in millions)": (
        "Summary Revenues",
        [("Summary Revenues", "Total Revenues", [9185, 8675, 10512])],
    ),
    "Cost and Gross Margin Ratio Trend (JPY in millions)": (
        "Summary Cost of Revenues",
        [
            ("Summary Cost of Revenues", "Connectivity & VAS", [5127, 4811, 4780]),
            ("Summary Cost of Revenues", "SI", [2276, 2157, 2983]),
            ("Summary Cost of Revenues", "Equipment Sales", [935, 475, 1091]),
            ("Connectivity & VAS", "Connectivity and VAS Gross Margin Ratio", [9.1, 11.7, 13.2]),
            ("Systems Integration", "Systems Integration Gross Margin Ratio", [10.7, 20.0, 22.3]),
            ("Equipment Sales", "Equipment Sales Gross Margin Ratio", [6.4, 10.4, 6.5]),
        ],
    ),
    "Operating Income (Loss) Trend (JPY in millions)": (
        "Summary Operating Results",
        [("Summary Operating Results", "Operating Income (Loss)", [-830, -100, 282])],
    ),
    "Net Income (Loss) Trend (JPY in millions)": (
        "Summary Operating Results",
        [("Summary Operating Results", "Net Income (Loss)", [-278, 1434, -273])],
    ),
}


# ------------------------------------------------------------------ reading charts back


def _rels(zf: zipfile.ZipFile, part: str) -> dict[str, str]:
    """A part's relationships: id -> the target part's name in the zip."""
    folder, name = part.rsplit("/", 1)
    rels = f"{folder}/_rels/{name}.rels"
    if rels not in zf.namelist():
        return {}
    out = {}
    for rel in ET.fromstring(zf.read(rels)).iter(f"{PKG}Relationship"):
        target = rel.get("Target")
        parts = (target.lstrip("/") if target.startswith("/") else f"{folder}/{target}").split("/")
        resolved: list[str] = []
        for step in parts:
            if step == "..":
                resolved.pop()
            else:
                resolved.append(step)
        out[rel.get("Id")] = "/".join(resolved)
    return out


def _series(ser: ET.Element, secondary: bool) -> dict:
    name = ser.find(f"{C}tx/{C}strRef/{C}f")
    return {
        "name": None if name is None else name.text,
        "categories": ser.find(f"{C}cat//{C}f").text,
        "category_cache": [v.text for v in ser.findall(f"{C}cat//{C}pt/{C}v")],
        "values": ser.find(f"{C}val//{C}f").text,
        "cache": [float(v.text) for v in ser.findall(f"{C}val//{C}pt/{C}v")],
        "secondary": secondary,
    }


def charts_of(path: Path) -> dict[str, dict]:
    """Every chart of a workbook by title: the sheet it is on, its plot types and series."""
    found = {}
    with zipfile.ZipFile(path) as zf:
        book = ET.fromstring(zf.read("xl/workbook.xml"))
        targets = _rels(zf, "xl/workbook.xml")
        for sheet in book.iter(f"{MAIN}sheet"):
            part = targets[sheet.get(f"{R}id")]
            for drawing in _rels(zf, part).values():
                if "/drawings/" not in drawing:
                    continue
                for chart_part in _rels(zf, drawing).values():
                    root = ET.fromstring(zf.read(chart_part))
                    title = "".join(t.text for t in root.find(f"{C}chart/{C}title").iter(f"{A}t"))
                    plot = root.find(f"{C}chart/{C}plotArea")
                    axes = {ax.find(f"{C}axId").get("val"): ax for ax in plot.findall(f"{C}valAx")}
                    plots, series = [], []
                    for kind in plot:
                        if kind.tag not in (f"{C}barChart", f"{C}lineChart"):
                            continue
                        ids = [a.get("val") for a in kind.findall(f"{C}axId")]
                        value_axis = next(axes[i] for i in ids if i in axes)
                        right = value_axis.find(f"{C}axPos").get("val") == "r"
                        fmt = value_axis.find(f"{C}numFmt").get("formatCode")
                        plots.append((kind.tag.removeprefix(C), right, fmt))
                        series += [_series(ser, right) for ser in kind.findall(f"{C}ser")]
                    found[title] = {"sheet": sheet.get("name"), "plots": plots, "series": series}
    return found


def find_cells(book, sheet: str, label: str) -> list[str]:
    """The cells of the row labelled `label` under the headers 2Q03, 1Q04, 2Q04, as a chart
    names them: found from the sheet's own labels and headers."""
    ws = book[sheet]
    rows = [c.row for c in ws["A"] if c.value == label]
    assert len(rows) == 1, (sheet, label)
    header = {}
    for row in ws.iter_rows(max_row=rows[0]):
        for cell in row:
            if cell.value in QUARTERS:
                header.setdefault(cell.value, cell.column)
    return [f"${get_column_letter(header[q])}${rows[0]}" for q in QUARTERS]


def quoted(sheet: str) -> str:
    return f"'{sheet}'" if re.search(r"[^A-Za-z0-9_]", sheet) else sheet


# ------------------------------------------------------------------ fixtures


@pytest.fixture(scope="module")
def pack(tmp_path_factory) -> tuple[Path, Path]:
    out = tmp_path_factory.mktemp("charts") / "example.xlsx"
    result = CliRunner().invoke(main, ["build", str(EXAMPLE), "--out", str(out), "--pdf"])
    assert result.exit_code == 0, result.output
    return out, out.with_suffix(".pdf")


# ------------------------------------------------------------------ the example's four charts


def test_example_has_four_trend_charts_pointing_at_the_statement_cells(pack):
    xlsx, _ = pack
    charts = charts_of(xlsx)
    assert sorted(charts) == sorted(EXPECTED)
    formulas = openpyxl.load_workbook(xlsx)
    stored = openpyxl.load_workbook(xlsx, data_only=True)
    for title, (sheet, expected) in EXPECTED.items():
        chart = charts[title]
        assert chart["sheet"] == sheet, title
        assert [s["secondary"] for s in chart["series"]] == ["Ratio" in exp[1] for exp in expected]
        for series, (on, label, published) in zip(chart["series"], expected, strict=True):
            cells = find_cells(formulas, on, label)
            assert series["values"] == "(" + ",".join(f"{quoted(on)}!{c}" for c in cells) + ")", title
            assert series["category_cache"] == QUARTERS
            # The cache is what the referenced cells hold, and that is the release's figure.
            held = [stored[on][c.replace("$", "")].value for c in cells]
            assert series["cache"] == pytest.approx(held, rel=1e-12)
            scale = 100 if "Ratio" in label else 1
            assert [round(v * scale, 1 if scale == 100 else 0) for v in series["cache"]] == published, label
            if series["name"] is not None:  # the legend is the row's label cell
                row = int(cells[0].split("$")[-1])
                assert series["name"] == f"{quoted(on)}!$A${row}"


def test_cost_chart_draws_ratios_as_a_line_on_a_secondary_axis(pack):
    charts = charts_of(pack[0])
    cost = charts["Cost and Gross Margin Ratio Trend (JPY in millions)"]
    assert cost["plots"] == [("barChart", False, "#,##0;(#,##0)"), ("lineChart", True, "0%")]
    assert [s["secondary"] for s in cost["series"]] == [False] * 3 + [True] * 3
    revenue = charts["Total Revenue Trend (JPY in millions)"]
    assert revenue["plots"] == [("barChart", False, "#,##0;(#,##0)")]


def test_charts_change_nothing_else_in_the_example(pack, tmp_path):
    """The example without its charts, built from the same files: every sheet's cells are the
    same; what differs is the chart parts, the three sheets' drawing and their print areas."""
    report = load_report(EXAMPLE)
    bare = report._replace(layouts=tuple(layout._replace(charts=()) for layout in report.layouts))
    plain = builder.build(bare, tmp_path / "plain.xlsx").path
    with zipfile.ZipFile(pack[0]) as a, zipfile.ZipFile(plain) as b:
        added = set(a.namelist()) - set(b.namelist())
        assert set(b.namelist()) <= set(a.namelist())
        assert all(re.match(r"xl/(charts|drawings|worksheets/_rels)/", n) for n in added), added
        assert len([n for n in added if re.match(r"xl/charts/chart\d+\.xml$", n)]) == 4
        changed = [n for n in b.namelist() if a.read(n) != b.read(n)]
        assert sorted(changed) == [
            "[Content_Types].xml",
            "xl/workbook.xml",
            "xl/worksheets/sheet6.xml",
            "xl/worksheets/sheet7.xml",
            "xl/worksheets/sheet8.xml",
        ]
        for name in ("xl/worksheets/sheet6.xml", "xl/worksheets/sheet7.xml", "xl/worksheets/sheet8.xml"):
            with_charts, without = a.read(name).decode(), b.read(name).decode()
            assert with_charts.replace('<drawing r:id="rId1"/>', "") == without
        areas = re.compile(r'<definedName name="_xlnm.Print_Area"[^>]*>([^<]*)<')
        before = areas.findall(b.read("xl/workbook.xml").decode())
        after = areas.findall(a.read("xl/workbook.xml").decode())
        moved = sorted(x.split("!")[0] for x, y in zip(before, after, strict=True) if x != y)
        assert moved == ["'Summary Cost of Revenues'", "'Summary Operating Results'", "'Summary Revenues'"]


def _set_data_figure(xlsx: Path, out: Path, line: str, period: str, value: float) -> None:
    """A copy of the workbook whose Data sheet holds another typed figure, changed in the XML
    (openpyxl would drop the charts): what a user typing over it in Excel would do."""
    data = openpyxl.load_workbook(xlsx)["Data"]
    cell = next(r[3].coordinate for r in data.iter_rows() if r[0].value == line and r[2].value == period)
    with zipfile.ZipFile(xlsx) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        book = ET.fromstring(zin.read("xl/workbook.xml"))
        rid = next(s.get(f"{R}id") for s in book.iter(f"{MAIN}sheet") if s.get("name") == "Data")
        part = _rels(zin, "xl/workbook.xml")[rid]
        for item in zin.infolist():
            content = zin.read(item.filename)
            if item.filename == part:
                text, n = re.subn(rf'(<c r="{cell}"[^>]*><v>)[^<]*(</v>)', rf"\g<1>{value!r}\g<2>", content.decode())
                assert n == 1
                content = text.encode()
            zout.writestr(item, content)


def test_a_changed_typed_figure_moves_the_charts_after_recalculation(example_workbook, recalculated, tmp_path):
    xlsx = example_workbook
    changed = tmp_path / "changed.xlsx"
    # Equipment sales 2Q04 up by JPY 1,000 million: revenue 10,512 -> 11,512, operating income
    # 282 -> 1,282, equipment's gross margin 6.5% -> (2,166,569 - 1,090,870) / 2,166,569.
    _set_data_figure(xlsx, changed, "equipment_sales", "2Q04", 2166569.0)
    before = charts_of(changed)
    assert before["Total Revenue Trend (JPY in millions)"]["series"][0]["cache"][2] == pytest.approx(10512.328)
    out = libreoffice.recalculate([changed], tmp_path / "recalc")  # the example's is the session's
    original, moved = charts_of(recalculated), charts_of(out[changed])

    def last(charts, title, i=0):
        return charts[title]["series"][i]["cache"][2]

    assert last(original, "Total Revenue Trend (JPY in millions)") == pytest.approx(10512.328)
    assert last(moved, "Total Revenue Trend (JPY in millions)") == pytest.approx(11512.328)
    assert last(original, "Operating Income (Loss) Trend (JPY in millions)") == pytest.approx(282.189)
    assert last(moved, "Operating Income (Loss) Trend (JPY in millions)") == pytest.approx(1282.189)
    cost = "Cost and Gross Margin Ratio Trend (JPY in millions)"
    assert last(moved, cost, 5) == pytest.approx((2166569 - 1090870) / 2166569)
    # The recalculated cells the chart names hold the same figure.
    values = openpyxl.load_workbook(out[changed], data_only=True)["Summary Revenues"]
    cell = find_cells(openpyxl.load_workbook(xlsx), "Summary Revenues", "Total Revenues")[2].replace("$", "")
    assert values[cell].value == pytest.approx(11512.328)
    # Nothing but that figure moved: the other quarters are as before.
    assert moved[cost]["series"][0]["cache"][:2] == pytest.approx(original[cost]["series"][0]["cache"][:2])


# `verify` on the example, charts and all: tests/test_checks_and_verify.py::test_verify_passes_the_example.


def _words(pdf: Path, page: int) -> list[tuple[str, float, float, float, float]]:
    html = subprocess.run(
        ["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    pattern = r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
    return [(w, float(x0), float(y0), float(x1), float(y1)) for x0, y0, x1, y1, w in re.findall(pattern, html)]


def _pixels(pdf: Path, page: int, dpi: int, out: Path) -> tuple[int, int, bytes]:
    """The page as RGB pixels (pdftoppm's PPM), and a PNG of it beside for a person to look at."""
    for fmt in (["-png"], []):  # PPM is pdftoppm's default
        subprocess.run(
            ["pdftoppm", *fmt, "-r", str(dpi), "-f", str(page), "-l", str(page), str(pdf), str(out / f"page{page}")],
            check=True,
        )
    ppm = next(out.glob(f"page{page}*.ppm")).read_bytes()
    magic, width, height, depth, pixels = ppm.split(maxsplit=4)
    assert magic == b"P6" and depth == b"255"
    return int(width), int(height), pixels


def _centre(words, title: str) -> tuple[float, float]:
    """The middle of a title line as printed (x), and the bottom of its words (y)."""
    tokens = title.split()
    texts = [w[0] for w in words]
    i = next(i for i in range(len(texts)) if texts[i : i + len(tokens)] == tokens)
    line = words[i : i + len(tokens)]
    return (line[0][1] + line[-1][3]) / 2, max(w[4] for w in line)


@pytest.mark.parametrize(
    "page,titles",
    [
        # Page 1 is Contents, 2 Highlights, 3 to 5 the appendices.
        (6, ["Operating Income (Loss) Trend", "Net Income (Loss) Trend"]),
        (7, ["Total Revenue Trend"]),
        (8, ["Cost and Gross Margin Ratio Trend"]),
    ],
)
def test_the_printed_page_shows_its_charts(pack, page, titles, tmp_path):
    """Each chart prints on its table's page: under its title, the periods on its axis and
    its columns in the column colour (#4F81BD), where the page would otherwise be blank."""
    _, pdf = pack
    dpi = 72
    words = _words(pdf, page)
    width, height, pixels = _pixels(pdf, page, dpi, tmp_path)
    print(f"page {page} as PNG for review: {next(tmp_path.glob(f'page{page}*.png'))}")
    footer = min(y0 for w, _, y0, _, _ in words if w == "2004-11-11")
    # Each chart's column of the page: split halfway between the centres of the charts' titles.
    centres = [_centre(words, title) for title in titles]
    edges = [0.0, *((a[0] + b[0]) / 2 for a, b in zip(centres, centres[1:], strict=False)), float(width)]
    for i, title in enumerate(titles):
        (_, top), left, right = centres[i], edges[i], edges[i + 1]
        below = [w for w in words if top < w[2] < footer and left < w[1] < right]
        assert [q for q in QUARTERS if q in {w[0] for w in below}] == QUARTERS, title
        blue = 0
        for y in range(int(top), int(footer)):
            for x in range(max(int(left), 0), min(int(right), width)):
                r, g, b = pixels[3 * (y * width + x) : 3 * (y * width + x) + 3]
                blue += abs(r - 0x4F) < 24 and abs(g - 0x81) < 24 and abs(b - 0xBD) < 24
        assert blue > 2000, (title, blue)  # about 5,000 to 20,000 at 72 dpi; none on a page without charts


# ------------------------------------------------------------------ declaring charts


CHART = """\
charts:
  - type: line
    title: Profit trend
    periods: [prior, current]
    series: [revenue, {row: profit, name: Profit for the year}]
"""


def _build(report: Path, out: Path):
    result = CliRunner().invoke(main, ["build", str(report), "--out", str(out)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def test_a_line_chart_over_periods_in_another_order_than_the_columns(mini, tmp_path):
    with open(mini.parent / "layout.yaml", "a") as handle:
        handle.write(CHART)
    result = _build(mini, tmp_path / "out.xlsx")
    assert result.exit_code == 0, result.output
    chart = charts_of(tmp_path / "out.xlsx")["Profit trend"]
    assert chart["sheet"] == "Income"
    assert [p[0] for p in chart["plots"]] == ["lineChart"]
    ws = openpyxl.load_workbook(tmp_path / "out.xlsx", data_only=True)["Income"]
    revenue_row = next(c.row for c in ws["A"] if c.value == "Total revenue")
    # The layout's JPY columns are C (2024) and E (2023); the chart takes 2023 first.
    revenue, profit = chart["series"]
    assert revenue["values"] == f"(Income!$E${revenue_row},Income!$C${revenue_row})"
    assert revenue["cache"] == [150, 200]  # 100 + 50, 120 + 80
    assert revenue["name"] == f"Income!$A${revenue_row}"
    assert profit["cache"] == [30, 50]
    assert profit["name"] is None  # named in the declaration: a literal name
    # Categories: the period headers over each block (merged, the label in the first cell).
    assert revenue["category_cache"] == ["Dec 31, 2023", "Dec 31, 2024"]
    assert ws[revenue["categories"].strip("()").split(",")[0].split("!")[1].replace("$", "")].value == "Dec 31, 2023"


def test_a_chart_is_inside_the_printed_page(mini, tmp_path):
    with open(mini.parent / "layout.yaml", "a") as handle:
        handle.write(CHART)
    assert _build(mini, tmp_path / "out.xlsx").exit_code == 0
    ws = openpyxl.load_workbook(tmp_path / "out.xlsx")["Income"]
    with zipfile.ZipFile(tmp_path / "out.xlsx") as zf:
        drawing = ET.fromstring(zf.read("xl/drawings/drawing1.xml"))
    XDR = "{http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing}"
    to = drawing.find(f"{XDR}twoCellAnchor/{XDR}to")
    last_col, last_row = int(to.find(f"{XDR}col").text), int(to.find(f"{XDR}row").text)
    area = ws.print_area.split("!")[1].replace("$", "")
    corner = re.match(r"[A-Z]+\d+:([A-Z]+)(\d+)", area)
    assert openpyxl.utils.column_index_from_string(corner[1]) - 1 >= last_col
    assert int(corner[2]) - 1 >= last_row


def test_a_chart_keeps_its_values_in_constant_memory_mode(mini, tmp_path):
    with open(mini.parent / "layout.yaml", "a") as handle:
        handle.write(CHART)
    render_workbook(builder.plan(mini), tmp_path / "big.xlsx", constant_memory=True)
    chart = charts_of(tmp_path / "big.xlsx")["Profit trend"]
    assert [s["cache"] for s in chart["series"]] == [[150, 200], [30, 50]]


def test_reference_is_one_range_where_cells_run_left_to_right():
    assert reference("Income", [(5, 2), (5, 3), (5, 4)]) == "=Income!$C$6:$E$6"
    assert reference("Income", [(5, 4), (5, 2), (5, 3)]) == "=(Income!$E$6,Income!$C$6:$D$6)"
    assert reference("Cost & VAS", [(0, 1)]) == "='Cost & VAS'!$B$1"
    assert reference("It's", [(0, 1), (0, 3)]) == "=('It''s'!$B$1,'It''s'!$D$1)"


# file to edit, text to add or replace, words the message must hold, text on the line it names
BAD = {
    "unknown row": (
        CHART.replace("[revenue,", "[revenu,"),
        ["unknown row 'revenu'", "did you mean 'revenue'"],
        "revenu",
    ),
    "unknown period": (CHART.replace("[prior, current]", "[prior, curent]"), ["unknown period 'curent'"], "curent"),
    "unknown chart type": (CHART.replace("type: line", "type: pie"), ["'pie' is not one of", "'column_line'"], "pie"),
    "bad axis format": (
        CHART + '    number_format: "#,##0 pts"\n',
        ["'#,##0 pts' is not a number format Excel reads", '"p"'],
        "pts",
    ),
    "unknown key": (CHART.replace("title:", "titel:"), ["unknown key 'titel'", "did you mean 'title'"], "titel"),
    "secondary on a line chart": (
        CHART + "    secondary: [cost]\n",
        ["'secondary' is for a column_line chart (columns with a line on a secondary axis)", "does not take it"],
        "secondary",
    ),
    "column_line without its line": (
        CHART.replace("type: line", "type: column_line"),
        ["needs 'secondary'"],
        "column_line",
    ),
    "title read as a reference": (CHART.replace("Profit trend", "'=A1'"), ["may not begin with '='"], "=A1"),
    "period listed twice": (CHART.replace("[prior, current]", "[prior, prior]"), ["listed twice"], "[prior, prior]"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_a_bad_chart_declaration_is_refused_with_its_line(mini, tmp_path, case):
    text, words, marker = BAD[case]
    layout = mini.parent / "layout.yaml"
    with open(layout, "a") as handle:
        handle.write(text)
    line = max(i for i, t in enumerate(layout.read_text().splitlines(), 1) if marker in t)
    out = tmp_path / "out" / "book.xlsx"
    result = _build(mini, out)
    assert result.exit_code == 2, result.output
    assert f"layout.yaml:{line}" in result.output, result.output
    for word in words:
        assert word in result.output
    assert "Traceback" not in result.output
    assert not out.parent.exists() or list(out.parent.iterdir()) == []


def test_a_chart_period_without_a_column_on_its_sheet_is_refused(mini, tmp_path):
    edit(mini, "  prior: {", '  both: {key: "B", label: Both years, sum_of: [prior, current]}\n  prior: {')
    layout = mini.parent / "layout.yaml"
    with open(layout, "a") as handle:
        handle.write(CHART.replace("[prior, current]", "[prior, both]"))
    out = tmp_path / "book.xlsx"
    result = _build(mini, out)
    assert result.exit_code == 2, result.output
    line = next(i for i, t in enumerate(layout.read_text().splitlines(), 1) if "[prior, both]" in t)
    assert f"layout.yaml:{line}" in result.output
    assert "sheet 'Income' has no amount column for Both years ('both')" in result.output
    assert "Traceback" not in result.output and not out.exists()


@pytest.mark.parametrize("kind", ["text", "sentence"])
def test_a_row_of_text_is_not_plotted(mini, tmp_path, kind):
    layout = mini.parent / "layout.yaml"
    edit(layout, "notes:", f'  - {{id: said, label: Said, {kind}: "Revenue of {{revenue:#,##0}}"}}\nnotes:')
    with open(layout, "a") as handle:
        handle.write(CHART.replace("[revenue,", "[said,"))
    result = _build(mini, tmp_path / "book.xlsx")
    assert result.exit_code == 2, result.output
    assert "row 'said' holds text: a chart plots a row's figures" in result.output
    assert "Traceback" not in result.output and not (tmp_path / "book.xlsx").exists()


def test_builder_load_stays_the_function_once_its_subpackage_is_imported():
    """A neighbour found through the charts' imports: importing any builder.load.* module for
    the first time used to rebind `builder.load` (the API's function) to that subpackage, so a
    second builder.load(...) in a process, or a test module importing it later, got a module."""
    import builder.load.yamlsrc  # noqa: F401

    assert callable(builder.load)
    assert builder.load(EXAMPLE).report.company == "Internet Initiative Japan Inc."
    assert callable(builder.load)
