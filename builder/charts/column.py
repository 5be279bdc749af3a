from __future__ import annotations

from builder.charts.base import ChartKind


class Column(ChartKind):
    """Clustered columns, one per series and period: amounts side by side."""

    name = "column"
    draws = "column"
