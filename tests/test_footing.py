"""Footed columns stay footed when the FX rate changes in the workbook and it is recalculated."""

from __future__ import annotations

import openpyxl

from builder import load
from builder.footing import _tree
from builder.resolve import _grid
from builder.verify import libreoffice
from tests.published import EXAMPLE, shown_number


def _footing_sums(shown: dict) -> tuple[int, list[str]]:
    """For every footed column and total: does the shown total equal its shown components?"""
    report = load(EXAMPLE).report
    checked, failures = 0, []
    for layout in report.layouts:
        grid = _grid(layout)
        rows = shown[layout.sheet]
        _, children = _tree(layout)
        for col in layout.columns:
            if col.rounding != "foot":
                continue
            c = grid.col_at[col.id]

            value = {rid: shown_number(rows[r][c]) or 0 for rid, r in grid.row_at.items()}
            for total, kids in children.items():
                parts = sum(sign * value[kid] for kid, sign in kids)
                checked += 1
                if parts != value[total]:
                    failures.append(f"{layout.sheet} {col.id} {total}: {value[total]} shown, parts add to {parts}")
    return checked, failures


def test_the_example_foots_as_published(shown_recalculated):
    checked, failures = _footing_sums(shown_recalculated)
    assert checked > 40
    assert failures == []


def test_a_new_fx_rate_refoots_the_usd_columns(example_workbook, tmp_path):
    book = openpyxl.load_workbook(example_workbook)
    assert book["Inputs"]["A2"].value == "fx_rate"
    book["Inputs"]["B2"] = 97.53  # any rate: the USD columns must still add up
    changed = tmp_path / "changed.xlsx"
    book.save(changed)
    shown = libreoffice.shown_text(changed, tmp_path / "csv", recalc=True)
    checked, failures = _footing_sums(shown)
    assert failures == []
    # And the rate really changed what is shown: total revenues is 10,512,328 / 97.53 = 107,785.58,
    # shown within one unit (it is a component of operating income, so it is footed, not rounded).
    ops = shown["Operations"]
    total_row = next(r for r in ops if r and r[0] == "Total revenues")
    assert abs(float(shown_number(total_row[1])) - 10_512_328 / 97.53) < 1


def test_the_footing_sheet_shows_each_adjustment(example_workbook):
    ws = openpyxl.load_workbook(example_workbook, data_only=True)["Footing"]
    adjusted = [
        row for row in ws.iter_rows(min_row=2, values_only=True) if isinstance(row[10], float) and abs(row[10]) > 1e-12
    ]
    labels = {row[0] for row in adjusted}
    assert "Dial-up access services" in labels  # 6,714.67 shown as 6,714
    assert len(adjusted) >= 22
