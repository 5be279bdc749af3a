"""The only chart code that talks to XlsxWriter: a sheet's ChartPlans as native Excel charts.

Each series points at the statement cells (its references come from builder.charts.place)
and carries their values as its cache, given to XlsxWriter rather than read back from the
worksheet: XlsxWriter leaves the cache of a multi-area reference empty, and has none in
constant_memory mode, and a chart shows its cache until the workbook is recalculated.
"""

from __future__ import annotations

import xlsxwriter

from builder.charts.place import ChartPlan, SeriesPlan

FONT = {"name": "Arial"}
# Colours set explicitly, the same in Excel and LibreOffice (their default palettes differ),
# and lines (the secondary axis) in hues the columns do not use, so no line reads as a column's.
_FILLS = ("#4F81BD", "#C0504D", "#9BBB59", "#4BACC6", "#8064A2", "#F79646")
_LINES = ("#F79646", "#7030A0", "#1F497D", "#00B050", "#7F7F7F", "#C00000")


def insert_charts(workbook: xlsxwriter.Workbook, sheet, charts: tuple[ChartPlan, ...]) -> None:
    for plan in charts:
        sheet.insert_chart(
            plan.row,
            plan.col,
            _chart(workbook, plan),
            {"x_offset": plan.x_offset, "y_offset": plan.y_offset, "object_position": 1},
        )


def _chart(workbook: xlsxwriter.Workbook, plan: ChartPlan):
    chart = workbook.add_chart({"type": plan.draws})
    second = workbook.add_chart({"type": plan.secondary}) if plan.secondary else None
    drawn = {"column": 0, "line": 0}
    for series in plan.series:
        target, kind = (second, plan.secondary) if series.secondary and second else (chart, plan.draws)
        options = _series(plan, series)
        if series.secondary:
            options["y2_axis"] = True
        if kind == "line":
            colour = _LINES[drawn["line"] % len(_LINES)]
            options["line"] = {"color": colour, "width": 2.25}
            options["marker"] = {"type": "circle", "size": 6, "border": {"color": colour}, "fill": {"color": colour}}
        else:
            options["fill"] = {"color": _FILLS[drawn["column"] % len(_FILLS)]}
        drawn[kind] += 1
        target.add_series(options)
    small = {**FONT, "size": 8}
    chart.set_title({"name": plan.title, "name_font": {**FONT, "size": 11, "bold": True}, "overlay": False})
    # Category labels below the plot, not on the zero line among the columns of a loss.
    chart.set_x_axis({"num_font": small, "label_position": "low"})
    gridlines = {"visible": True, "line": {"color": "#D9D9D9"}}
    chart.set_y_axis({"num_format": plan.number_format, "num_font": small, "major_gridlines": gridlines})
    if len(plan.series) == 1:
        chart.set_legend({"none": True})  # the title names the one series
    else:
        chart.set_legend({"position": "bottom", "font": small})
    # A memo row (hidden: true) is plotted too: Excel leaves hidden cells out by default.
    chart.show_hidden_data()
    chart.set_size({"width": plan.width, "height": plan.height})
    if second is not None:
        second.set_y2_axis({"num_format": plan.secondary_format, "num_font": small})
        chart.combine(second)
    return chart


def _series(plan: ChartPlan, series: SeriesPlan) -> dict:
    options: dict = {
        "categories": plan.categories_ref,
        "categories_data": list(plan.categories),
        "values": series.values_ref,
        "values_data": list(series.values),
    }
    if series.name_ref is not None:
        options["name"] = series.name_ref
        options["name_data"] = [series.name]
    else:
        options["name"] = series.name
    return options
