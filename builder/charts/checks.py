"""Validation of chart declarations: every problem with the line of the key that has it."""

from __future__ import annotations

from collections.abc import Iterator

from builder.charts import CHART_KINDS
from builder.charts.formats import format_problem
from builder.charts.spec import Chart, Series
from builder.errors import Problem, suggest
from builder.excel_limits import utf16_len
from builder.kinds import AMOUNT, ROW_KINDS
from builder.kinds.rows import TextLine
from builder.resolved import grid_of
from builder.spec import Layout, Report, Row

# Excel's limit on a chart title and on a series name typed as text.
MAX_CHART_TEXT = 255
# XlsxWriter takes a chart's title or series name beginning with = for a cell reference.
_FORMULA_LIKE = "{what} may not begin with '=': Excel would read it as a reference to a cell"


def chart_periods(layout: Layout, chart: Chart) -> tuple[str, ...]:
    """The chart's categories: its own `periods`, or its statement's amount periods in column order."""
    if chart.periods is not None:
        return chart.periods
    amount_col = grid_of(layout).amount_col
    return tuple(sorted(amount_col, key=amount_col.__getitem__))


def chart_problems(report: Report, figures: object = None) -> Iterator[Problem]:
    rows = {row.id: (layout, row) for layout in report.layouts for row in layout.rows if row.id}
    amounts = {layout.sheet: grid_of(layout).amount_col for layout in report.layouts if layout.charts}
    for layout in report.layouts:
        for chart in layout.charts:
            yield from _chart(report, layout, chart, rows, amounts)


def _chart(report: Report, layout: Layout, chart: Chart, rows: dict, amounts: dict) -> Iterator[Problem]:
    kind = CHART_KINDS[chart.type]
    given = dict(chart.sources)
    for other in CHART_KINDS.values():
        for key in other.own_keys:
            if key in given and key not in kind.own_keys:
                given.pop(key)  # named once, for the first kind that takes it
                yield Problem(
                    chart.source_of(key),
                    f"'{key}' is for a {other.name} chart ({other.describe()}); a {chart.type} chart does not take it",
                )
    if kind.secondary and not chart.secondary:
        yield Problem(
            chart.source_of("type"),
            f"a {chart.type} chart ({kind.describe()}) needs 'secondary': the rows drawn as a {kind.secondary}",
        )
    if utf16_len(chart.title) > MAX_CHART_TEXT:
        yield Problem(chart.source_of("title"), f"a chart title may have {MAX_CHART_TEXT} characters in Excel")
    if chart.title.startswith("="):
        yield Problem(chart.source_of("title"), _FORMULA_LIKE.format(what="a chart title"))
    for key in ("number_format", "secondary_format"):
        fmt = getattr(chart, key)
        why = None if fmt is None else format_problem(fmt)
        if why:
            yield Problem(chart.source_of(key), f"{key} {fmt!r} is not a number format Excel reads: {why}")
    periods = chart_periods(layout, chart)
    own = amounts[layout.sheet]
    if not periods:
        yield Problem(chart.source, f"sheet '{layout.sheet}' has no amount column: give the chart its 'periods'")
    known = {p.role for p in report.periods}
    seen: set[str] = set()
    for role in periods:
        if role not in known:
            hint = suggest(role, known) or f"; the report's periods are {', '.join(sorted(known))}"
            yield Problem(chart.source_of("periods"), f"unknown period '{role}' in the chart's periods{hint}")
        elif role in seen:
            yield Problem(chart.source_of("periods"), f"period '{role}' is listed twice in the chart's periods")
        elif role not in own:
            yield Problem(
                chart.source_of("periods"),
                f"sheet '{layout.sheet}' has no amount column for {report.period_name(role)} ('{role}'): "
                "a chart's categories are its statement's period columns",
            )
        seen.add(role)
    good = [role for role in periods if role in known and role in own]
    for series in chart.series + chart.secondary:
        yield from _series(report, series, rows, amounts, good)


def _series(report: Report, series: Series, rows: dict, amounts: dict, periods: list[str]) -> Iterator[Problem]:
    found = rows.get(series.row)
    if found is None:
        yield Problem(series.source, f"unknown row '{series.row}' in the chart's series{suggest(series.row, rows)}")
        return
    layout, row = found
    why = _not_plottable(row)
    if why:
        yield Problem(series.source, f"row '{series.row}' {why}: a chart plots a row's figures")
        return
    if series.name is not None and utf16_len(series.name) > MAX_CHART_TEXT:
        yield Problem(series.source, f"a series name may have {MAX_CHART_TEXT} characters in Excel")
    if series.name is not None and series.name.startswith("="):
        yield Problem(series.source, _FORMULA_LIKE.format(what="a series name"))
    amount_col = amounts.get(layout.sheet)
    if amount_col is None:
        amount_col = amounts[layout.sheet] = grid_of(layout).amount_col
    for role in periods:
        if role not in amount_col:
            yield Problem(
                series.source,
                f"row '{series.row}' is on sheet '{layout.sheet}', which has no amount column for "
                f"{report.period_name(role)} ('{role}'), a period of the chart",
            )


def _not_plottable(row: Row) -> str | None:
    if not ROW_KINDS[row.kind].has_cells:
        return "is a heading, with no figures"
    if row.kind == TextLine.name or row.text is not None:  # typed text, or text quoting figures (a sentence)
        return "holds text"
    if row.show is not None and AMOUNT not in row.show:
        return "shows no amount"
    return None
