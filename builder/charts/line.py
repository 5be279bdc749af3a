from __future__ import annotations

from builder.charts.base import ChartKind


class Line(ChartKind):
    """A line with markers per series, through the periods in order: a trend."""

    name = "line"
    draws = "line"
