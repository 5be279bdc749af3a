"""A chart as a layout declares it: frozen data, and the JSON Schema of its declaration.

```yaml
charts:
  - type: column_line                      # column | line | column_line
    title: Cost and Gross Margin Ratio Trend
    periods: [prior_year, prior_quarter, current]   # the categories, in this order
    series: [scost_connectivity, {row: scost_si, name: SI}]
    secondary: [cb_margin]                  # column_line: drawn as a line on a second axis
    number_format: "#,##0"                  # the value axis (default: the first series' cells')
    secondary_format: "0%"
```
"""

from __future__ import annotations

from typing import NamedTuple

from builder.charts import CHART_KINDS
from builder.errors import Source
from builder.kinds.base import ID

_TEXT = {"type": "string"}
_FORMAT = {"type": "string", "minLength": 1, "maxLength": 255}
_SERIES = {
    "type": "array",
    "minItems": 1,
    "items": {
        "oneOf": [
            ID,
            {
                "type": "object",
                "additionalProperties": False,
                "required": ["row"],
                "properties": {"row": ID, "name": {"type": "string", "minLength": 1}},
            },
        ]
    },
}
CHARTS = {
    "type": "array",
    "items": {
        "type": "object",
        "additionalProperties": False,
        "required": ["type", "title", "series"],
        "properties": {
            "type": {"enum": list(CHART_KINDS)},
            "title": _TEXT,
            "periods": {"type": "array", "minItems": 1, "items": ID},
            "series": _SERIES,
            "secondary": _SERIES,
            "number_format": _FORMAT,
            "secondary_format": _FORMAT,
        },
    },
}


class Series(NamedTuple):
    row: str  # a row id of the report
    name: str | None  # the legend's text; None: the row's label, from its cell
    source: Source


class Chart(NamedTuple):
    type: str  # a name of builder.charts.CHART_KINDS
    title: str
    series: tuple[Series, ...]
    source: Source
    secondary: tuple[Series, ...] = ()  # drawn on a second value axis (column_line)
    periods: tuple[str, ...] | None = None  # None: the statement's amount periods, in column order
    number_format: str | None = None  # the value axis; None: the first series' cells' format
    secondary_format: str | None = None
    sources: tuple[tuple[str, Source], ...] = ()  # each key's line, for messages

    def source_of(self, key: str) -> Source:
        return dict(self.sources).get(key, self.source)
