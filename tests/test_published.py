"""The example, recalculated by LibreOffice, shows the release's 585 appendix figures."""

from __future__ import annotations

import pytest

from builder import load
from builder.resolve import _grid
from tests.published import APPENDICES, EXAMPLE, Published, figures, published_table, shown_number


def _sheet_rows(shown: dict, sheet: str, table: str):
    """Pair each published row with the row LibreOffice shows for it (labels must agree)."""
    report = load(EXAMPLE).report
    layout = next(lay for lay in report.layouts if lay.sheet == sheet)
    grid = _grid(layout)
    rows = shown[sheet]
    _, body = published_table(table)
    assert len(layout.rows) == len(body)
    for i, published in enumerate(body):
        row = rows[grid.body_row + i]
        assert row[0] == published[0], f"{sheet} row {i}: {row[0]!r} is not {published[0]!r}"
        yield published, row + [""] * (len(published) - len(row))


def _compare(shown: dict):
    exact, off_by_one, wrong = [], [], []
    for table, sheet in APPENDICES.items():
        header, _ = published_table(table)
        for published, row in _sheet_rows(shown, sheet, table):
            for k in range(1, len(header)):
                fig = Published(table, published[0], header[k], k - 1, published[k]) if published[k] else None
                got = shown_number(row[k])
                if fig is None:
                    if row[k].strip():
                        wrong.append((sheet, published[0], header[k], row[k], "blank"))
                    continue
                if got is None:
                    wrong.append((sheet, published[0], header[k], row[k], fig.text))
                elif got == fig.value:
                    exact.append(fig)
                elif abs(got - fig.value) <= fig.unit:
                    off_by_one.append(fig)
                else:
                    wrong.append((sheet, published[0], header[k], row[k], fig.text))
    return exact, off_by_one, wrong


def test_the_release_has_585_appendix_figures():
    assert sum(len(figures(t)) for t in APPENDICES) == 585


@pytest.mark.parametrize("which", ["shown_recalculated", "shown_as_stored"])
def test_every_published_figure_is_shown_exactly(which, request):
    exact, off_by_one, wrong = _compare(request.getfixturevalue(which))
    assert wrong == []
    assert off_by_one == []
    assert len(exact) == 585


def test_plain_rounding_misses_only_the_footed_figures(tmp_path):
    """Without `rounding: foot` the 22 figures the publisher footed are one unit off."""
    from builder import build
    from builder.example import new_project
    from builder.verify import libreoffice

    report = new_project(tmp_path / "plain")
    for layout in (report.parent / "layouts").glob("*.yaml"):
        layout.write_text(layout.read_text().replace("rounding: foot", "rounding: plain"))
    book = build(report, tmp_path / "plain.xlsx").path
    exact, off_by_one, wrong = _compare(libreoffice.shown_text(book, tmp_path / "csv", recalc=True))
    assert wrong == []
    assert (len(exact), len(off_by_one)) == (563, 22)
    assert {f.column.split("_")[0] for f in off_by_one} == {"usd", "pct"}


def test_default_settings_show_what_recalculation_shows(shown_recalculated, shown_as_stored):
    """LibreOffice does not recalculate by default: stored values must already be right."""
    assert shown_as_stored == shown_recalculated


def test_stored_values_equal_libreoffice_recalculation(example_workbook, recalculated):
    from builder.verify.compare import stored_vs_recalculated

    count, differences = stored_vs_recalculated(example_workbook, recalculated)
    assert count > 300
    assert [str(d) for d in differences] == []
