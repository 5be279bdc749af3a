from __future__ import annotations

from builder.charts.base import ChartKind


class ColumnLine(ChartKind):
    """Columns for amounts, and a line on a secondary value axis for a ratio (cost and gross
    margin ratio): the two scales differ by orders of magnitude, so each has its own axis."""

    name = "column_line"
    draws = "column"
    secondary = "line"
    own_keys = ("secondary", "secondary_format")
