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
# A line's colour apart from the columns' (XlsxWriter's defaults would give the same blue).
_LINE_COLOURS = ("#C0504D", "#9BBB59", "#8064A2", "#F79646")


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
    lines = 0
    for series in plan.series:
        target = second if series.secondary and second is not None else chart
        options = _series(plan, series)
        if (second is not None and target is second) or plan.draws == "line":
            colour = _LINE_COLOURS[lines % len(_LINE_COLOURS)] if target is second else None
            lines += target is second
            options["marker"] = {"type": "circle", "size": 6}
            if colour:
                options["line"] = {"color": colour, "width": 2.25}
                options["marker"].update({"border": {"color": colour}, "fill": {"color": colour}})
        if series.secondary:
            options["y2_axis"] = True
        target.add_series(options)
    chart.set_title({"name": plan.title, "name_font": {**FONT, "size": 11, "bold": True}, "overlay": False})
    chart.set_x_axis({"num_font": {**FONT, "size": 8}})
    chart.set_y_axis({"num_format": plan.number_format, "num_font": {**FONT, "size": 8}, "major_gridlines": {
        "visible": True, "line": {"color": "#D9D9D9"}}})  # fmt: skip
    chart.set_legend({"position": "bottom", "font": {**FONT, "size": 8}})
    if len(plan.series) == 1:
        chart.set_legend({"none": True})  # the title names the one series
    # A memo row (hidden: true) is plotted too: Excel leaves hidden cells out by default.
    chart.show_hidden_data()
    chart.set_size({"width": plan.width, "height": plan.height})
    if second is not None:
        second.set_y2_axis({"num_format": plan.secondary_format, "num_font": {**FONT, "size": 8}})
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
