"""Charts resolved to cells: each series' reference to its row's statement cells, the category
labels' reference to the cells that name the periods, the values they hold (the chart's
cache, so the chart shows them before any recalculation), and where the chart sits.

A series over period columns that are not side by side, or not in the chart's order (2Q03,
1Q04, 2Q04 on a sheet ordered 2Q04, 2Q03, 1Q04), is a multi-area reference,
`=('Sheet'!$C$7,'Sheet'!$E$7,'Sheet'!$B$7)`: Excel writes and reads these in a chart series
(XlsxWriter's own test chart_column07 compares one with a file Excel made), and LibreOffice
7.4 imports it in the order written (tried: its recalculated copy caches 2Q03, 1Q04, 2Q04).
So the chart points at the statement's own cells; no helper block of formulas is needed.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, NamedTuple

from builder.a1 import quote_sheetname, xl_rowcol_to_cell
from builder.charts import CHART_KINDS
from builder.charts.checks import chart_periods
from builder.charts.spec import Chart, Series
from builder.expr import Ref
from builder.plan import SheetPlan
from builder.resolved import Grid

if TYPE_CHECKING:
    from builder.resolve import _Resolver

# A chart's size and the gap between charts, in pixels; two charts side by side below the table.
WIDTH, HEIGHT, GAP, PER_ROW = 480, 288, 16, 2
DEFAULT_ROW_PX, DEFAULT_COL_PX = 20, 64  # Excel's default row (15 pt) and column (8.43) sizes


class SeriesPlan(NamedTuple):
    name: str  # the legend's text
    name_ref: str | None  # the row's label cell, when the legend is the label: ='Sheet'!$A$9
    values_ref: str  # =Sheet!$C$9:$E$9, or =(Sheet!$F$9,Sheet!$H$9,Sheet!$E$9)
    values: tuple[float | None, ...]  # what the cells hold now: the chart's cache
    secondary: bool  # drawn on the secondary axis, as the kind's secondary chart type


class ChartPlan(NamedTuple):
    draws: str  # Excel chart type of the primary series: column | line
    secondary: str | None  # Excel chart type of the secondary series
    title: str
    categories_ref: str
    categories: tuple[str, ...]
    series: tuple[SeriesPlan, ...]
    number_format: str
    secondary_format: str | None
    row: int  # top-left cell and offsets in pixels (XlsxWriter's insert_chart)
    col: int
    x_offset: int
    y_offset: int
    width: int = WIDTH
    height: int = HEIGHT


def reference(sheet: str, cells: list[tuple[int, int]]) -> str:
    """An absolute reference to `cells` in this order: one range where they run left to right
    along a row, else a multi-area reference of runs."""
    runs: list[list[tuple[int, int]]] = []
    for cell in cells:
        last = runs[-1][-1] if runs else None
        if last is not None and cell == (last[0], last[1] + 1):
            runs[-1].append(cell)
        else:
            runs.append([cell])
    name = quote_sheetname(sheet)
    parts = []
    for run in runs:
        first = xl_rowcol_to_cell(*run[0], row_abs=True, col_abs=True)
        last = xl_rowcol_to_cell(*run[-1], row_abs=True, col_abs=True)
        parts.append(f"{name}!{first}" if len(run) == 1 else f"{name}!{first}:{last}")
    return f"={parts[0]}" if len(parts) == 1 else f"=({','.join(parts)})"


def with_charts(res: _Resolver, grid: Grid, plan: SheetPlan) -> SheetPlan:
    """The statement's sheet with its charts below the table, inside its printed page."""
    layout = grid.layout
    if not layout.charts:
        return plan
    area = plan.print.area if plan.print else (0, 0, grid.body_row + len(layout.rows), len(layout.columns))
    top = area[2] + 2  # a blank row between the table (or its notes) and the charts
    charts = []
    for i, chart in enumerate(layout.charts):
        x, y = (i % PER_ROW) * (WIDTH + GAP), (i // PER_ROW) * (HEIGHT + GAP)
        charts.append(_chart(res, grid, chart, top, x, y))
    right = max(c.x_offset + c.width for c in charts)
    bottom = max(c.y_offset + c.height for c in charts)
    last_row = top + math.ceil(bottom / DEFAULT_ROW_PX)
    last_col = _column_at(plan.widths, right)
    changes: dict = {"charts": tuple(charts)}
    if plan.print:
        wider = (area[0], area[1], max(area[2], last_row), max(area[3], last_col))
        changes["print"] = plan.print._replace(area=wider)
    return plan._replace(**changes)


def _column_at(widths: tuple[float, ...], px: int) -> int:
    """The column in which a point `px` pixels right of column A's left edge falls."""
    col, edge = 0, 0
    while True:
        width = widths[col] if col < len(widths) else None
        edge += DEFAULT_COL_PX if width is None else _col_px(width)
        if edge >= px:
            return col
        col += 1


def _col_px(width: float) -> int:
    # Excel's (and XlsxWriter's) conversion of a column width in characters to pixels.
    return int(width * 12 + 0.5) if width < 1 else int(width * 7 + 0.5) + 5


def _chart(res: _Resolver, grid: Grid, chart: Chart, row: int, x: int, y: int) -> ChartPlan:
    from builder.resolve import period_headers  # resolve calls this module: imported when used

    layout = grid.layout
    kind = CHART_KINDS[chart.type]
    periods = chart_periods(layout, chart)
    columns = layout.columns
    texts = period_headers(res.report, columns)
    cells, names = [], []
    for role in periods:
        j = grid.amount_col[role] - 1
        if columns[j].in_period_block:
            # The period's label is in the first cell of its merged header (render writes it there).
            key = (columns[j].groups, columns[j].period, texts[j])
            while j > 0 and (columns[j - 1].groups, columns[j - 1].period, texts[j - 1]) == key:
                j -= 1
            cells.append((grid.header_row + grid.levels.index("period"), j + 1))
            names.append(texts[j] or "")
        else:
            cells.append((grid.body_row - 1, j + 1))
            names.append(columns[j].header)
    series = [_series(res, s, periods, False) for s in chart.series]
    series += [_series(res, s, periods, True) for s in chart.secondary]
    first_secondary = chart.secondary[0] if chart.secondary else None
    return ChartPlan(
        draws=kind.draws,
        secondary=kind.secondary,
        title=chart.title,
        categories_ref=reference(layout.sheet, cells),
        categories=tuple(names),
        series=tuple(series),
        number_format=chart.number_format or _format(res, chart.series[0], periods[0]),
        secondary_format=chart.secondary_format or (first_secondary and _format(res, first_secondary, periods[0])),
        row=row,
        col=0,
        x_offset=x,
        y_offset=y,
    )


def _series(res: _Resolver, series: Series, periods: tuple[str, ...], secondary: bool) -> SeriesPlan:
    grid = res.grid_of_row[series.row]
    sheet = grid.layout.sheet
    r = grid.row_at[series.row]
    cells = [(r, grid.amount_col[role]) for role in periods]
    values = []
    for cell in cells:
        value = res.value(Ref(sheet, *cell))
        values.append(float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None)
    row = grid.layout.rows[r - grid.body_row]
    label_ref = None if series.name is not None else reference(sheet, [(r, 0)])
    return SeriesPlan(series.name or row.label, label_ref, reference(sheet, cells), tuple(values), secondary)


def _format(res: _Resolver, series: Series, role: str) -> str:
    grid = res.grid_of_row[series.row]
    row = grid.layout.rows[grid.row_at[series.row] - grid.body_row]
    return res.cell_format(row, grid.layout.columns[grid.amount_col[role] - 1])
