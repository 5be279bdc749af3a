"""Charts declared in layouts: their kinds, their declaration, and their series resolved to cells.

A chart's series are rows (by row id) and its categories the report's periods, so each
series points at the statement cells of its row and the chart follows the figures when
they are recalculated. render_charts is the only chart code that talks to XlsxWriter.
"""

from __future__ import annotations

from builder.charts.base import ChartKind
from builder.charts.column import Column
from builder.charts.column_line import ColumnLine
from builder.charts.line import Line

# In this order in messages ("is not one of 'column', 'line', 'column_line'").
CHART_KINDS: dict[str, ChartKind] = {k.name: k for k in (Column(), Line(), ColumnLine())}

__all__ = ["CHART_KINDS", "ChartKind"]
