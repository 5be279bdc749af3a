"""The Contents sheet: what the workbook is, its periods and inputs, links to each
statement, and the live state of the tie-out checks."""

from __future__ import annotations

from builder.checks import CHECKS_SHEET, OK
from builder.expr import Bin, Call, Name, Num, Range, Str, evaluate, to_formula
from builder.plan import Cell, SheetPlan, Style
from builder.printing import page_setup, title_lines
from builder.resolved import Resolved
from builder.sources import DATA_SHEET, INPUTS_SHEET
from builder.spec import Layout, Report

CONTENTS_SHEET = "Contents"
HELPER_SHEETS = {
    CHECKS_SHEET: "Tie-out checks, live: both sides, difference, OK or BREAK",
    "Footing": "How USD and % columns are rounded so that they foot; adjusted figures highlighted",
    DATA_SHEET: "Every typed figure, with the file and line it came from",
    INPUTS_SHEET: "Inputs such as the FX rate; change them here",
}
BOLD = Style(bold=True)
SECTION = Style(bold=True, bottom=1)


def contents_sheet(res: Resolved, sheets: list[SheetPlan], checks: SheetPlan | None) -> SheetPlan:
    report = res.report
    cells: list[Cell] = [
        Cell(0, 0, report.title, Style(bold=True)),
        Cell(1, 0, report.company, Style()),
        Cell(2, 0, f"Report date: {report.date.isoformat()}" if report.date else "", Style()),
    ]
    r = 4
    cells += [Cell(r, 0, "Periods", SECTION), Cell(r, 1, "Data key", SECTION), Cell(r, 2, "", SECTION)]
    for period in report.periods:
        r += 1
        derived = " + ".join(report.period_name(p) for p in period.sum_of)
        cells += [Cell(r, 0, period.label, Style()), Cell(r, 1, period.key, Style())]
        if derived:
            cells.append(Cell(r, 2, f"= {derived}", Style()))
    if report.inputs:  # a report without inputs has no Inputs section (nor sheet)
        r += 2
        cells += [Cell(r, 0, "Inputs", SECTION), Cell(r, 1, "Value", SECTION), Cell(r, 2, "", SECTION)]
    for inp in report.inputs:
        r += 1
        expr = Name(inp.name)
        value = evaluate(expr, res.value, res.name_value)
        fmt = Style(num_format=inp.number_format, align="left")
        cells += [
            Cell(r, 0, inp.label or inp.name, Style()),
            Cell(r, 1, value, fmt, expr, to_formula(expr, CONTENTS_SHEET)),
        ]
    r += 2
    cells += [Cell(r, 0, "Statements", SECTION), Cell(r, 1, "", SECTION), Cell(r, 2, "", SECTION)]
    link = Style(font_color="#0563C1")
    layouts = {layout.sheet: layout for layout in report.layouts}
    for sheet in sheets:
        r += 1
        name = sheet.name
        about = HELPER_SHEETS.get(name) or _about(report, layouts.get(name), sheet)
        cells += [Cell(r, 0, name, link, link="'" + name.replace("'", "''") + "'!A1"), Cell(r, 1, about, Style())]
    if report.recast:  # figures that differ from the published workbook on purpose: builder.compare.baseline
        from builder.compare.baseline import entries

        r += 2
        cells += [Cell(r, 0, "Recast figures", SECTION), Cell(r, 1, "Period and note", SECTION)]
        cells.append(Cell(r, 2, "Sheet", SECTION))
        for entry in entries(report):
            r += 1
            target = "'" + entry.sheet.replace("'", "''") + "'!A1"
            cells += [
                Cell(r, 0, entry.label, link, link=target),
                Cell(r, 1, f"{entry.period}: {entry.note}", Style(wrap=True)),
                Cell(r, 2, entry.sheet, Style()),
            ]
    if checks is not None:
        r += 2
        rows = max(c.row for c in checks.cells)  # one check result per row below the header
        ok = Call("COUNTIF", (Range(CHECKS_SHEET, 1, 7, rows, 7), Str(OK)))
        status = Call(
            "IF",
            (
                Bin("=", ok, Num(float(rows))),
                Str(f"All {rows} tie-out checks hold"),
                Bin("&", Bin("&", Str("BREAK: "), Bin("-", Num(float(rows)), ok)), Str(f" of {rows} checks break")),
            ),
        )
        value = evaluate(status, res.value, res.name_value)
        cells += [
            Cell(r, 0, "Tie-out checks", BOLD),
            Cell(r, 1, value, BOLD, status, to_formula(status, CONTENTS_SHEET)),
        ]
    setup = page_setup(report, "Contents", (0, 0, r, 2), None, unaudited=False, rows=r + 1)
    widths = (max([len(s.name) for s in sheets] + [len(report.title)]) * 0.9 + 4, 70, 24)
    return SheetPlan(CONTENTS_SHEET, tuple(sorted(cells, key=lambda c: (c.row, c.col))), widths=widths, print=setup)


def _about(report: Report, layout: Layout | None, sheet: SheetPlan) -> str:
    """A statement's line on Contents: its title lines as the sheet shows them (a company-only
    line left out, as in the page header), on one line."""
    if layout is None:
        return ""
    shown: dict[int, object] = {}
    for cell in sheet.cells:  # in row order: stop before the body, which is made as it is read
        if cell.row >= len(layout.title):
            break
        if cell.col == 0:
            shown[cell.row] = cell.value
    lines = {text: shown.get(i) for i, text in reversed(list(enumerate(layout.title)))}
    return " - ".join(title_lines(layout, report.company, lambda t: v if isinstance(v := lines.get(t), str) else None))
