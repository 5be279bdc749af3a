"""The release's eleven other tables, derived live from the appendices and a few typed figures."""

from __future__ import annotations

import openpyxl

from builder import load
from builder.expr import RowRef, walk
from builder.resolve import _grid
from tests.published import EXAMPLE, OTHER_TABLES, Published, published_table, shown_number


def _millions_only(report) -> set[str]:
    """Rows that rest on figures typed in millions: their % changes cannot match the release,
    which computed them from thousands it did not publish."""
    rows = {row.id: (layout, row) for layout in report.layouts for row in layout.rows if row.id}
    typed = {rid for rid, (layout, row) in rows.items() if row.kind == "input" and layout.scale != 1}
    changed = True
    while changed:
        changed = False
        for rid, (_, row) in rows.items():
            refs = (
                {t for _, t in row.terms} | {n.row_id for n in walk(row.formula) if isinstance(n, RowRef)}
                if row.formula
                else {t for _, t in row.terms}
            )
            if rid not in typed and refs & typed:
                typed.add(rid)
                changed = True
    return typed


def _compare(shown):
    report = load(EXAMPLE).report
    grids = {layout.sheet: _grid(layout) for layout in report.layouts}
    millions_only = _millions_only(report)
    exact, excused, wrong = [], [], []
    for table, sheet in OTHER_TABLES.items():
        grid = grids[sheet]
        layout = grid.layout
        header, body = published_table(table)
        assert len(body) == len(layout.rows)
        for i, published in enumerate(body):
            row = shown[sheet][grid.body_row + i] + [""] * len(header)
            spec = layout.rows[i]
            assert row[0] == published[0]
            for k in range(1, len(header)):
                if not published[k]:
                    if row[k].strip():
                        wrong.append((sheet, published[0], header[k], row[k], "blank"))
                    continue
                fig = Published(table, published[0], header[k], k - 1, published[k])
                if shown_number(row[k]) == fig.value:
                    exact.append(fig)
                elif layout.columns[k - 1].kind == "change" and spec.id in millions_only:
                    excused.append((sheet, published[0], header[k], row[k], fig.text))
                else:
                    wrong.append((sheet, published[0], header[k], row[k], fig.text))
    return exact, excused, wrong


def test_other_tables_show_every_figure_but_changes_of_millions_only_lines(shown_recalculated):
    exact, excused, wrong = _compare(shown_recalculated)
    assert wrong == []
    total = sum(1 for table in OTHER_TABLES for row in published_table(table)[1] for v in row[1:] if v)
    assert len(exact) + len(excused) == total == 254
    assert len(excused) <= 13
    assert ("Connectivity & VAS", "OEM", "qoq_change_pct_1Q04", "(1.6%)", "-1.9") in excused


def test_other_tables_point_at_the_appendices(example_workbook):
    wb = openpyxl.load_workbook(example_workbook)
    summary = wb["Summary Operating Results"]
    first_half = next(r for r in summary.iter_rows() if r[0].value == "Total Revenues")[1].value
    assert first_half == "=(Operations!H18+Operations!C18)/1000"  # 1H04 = 1Q04 + 2Q04, in millions
    ebitda = wb["EBITDA Reconciliation"]
    tax = next(r for r in ebitda.iter_rows() if r[0].value == "Income Tax Expense (Benefit)")[1].value
    assert tax.startswith("=-(ROUND(")  # the plug: what makes the shown column add up
    capex = wb["CAPEX Reconciliation"]
    ppe = next(r for r in capex.iter_rows() if r[0].value == "Purchase of Property and Equipment")[1].value
    assert ppe.startswith("=-'Cash Flows'!")
