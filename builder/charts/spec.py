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

from typing import Any, NamedTuple

from builder.charts import CHART_KINDS
from builder.errors import Source
from builder.kinds.base import ID
from builder.load.yamlsrc import source_at

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


def charts_of(doc: Any) -> tuple[Chart, ...]:
    """The charts a layout document declares (its shape already checked against CHARTS)."""
    items = doc.get("charts") or []
    return tuple(_chart(item, items.item_source(i)) for i, item in enumerate(items))


def _chart(item: Any, where: Source) -> Chart:
    def series(key: str) -> tuple[Series, ...]:
        out = []
        for i, entry in enumerate(item.get(key, ())):
            here = item[key].item_source(i)
            if isinstance(entry, str):
                out.append(Series(entry, None, here))
            else:
                out.append(Series(entry["row"], entry.get("name"), here))
        return tuple(out)

    periods = item.get("periods")
    return Chart(
        type=item["type"],
        title=item["title"],
        series=series("series"),
        source=where,
        secondary=series("secondary"),
        periods=tuple(periods) if periods is not None else None,
        number_format=item.get("number_format"),
        secondary_format=item.get("secondary_format"),
        sources=tuple((key, source_at(item, [key])) for key in item),
    )
