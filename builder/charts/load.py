"""Chart declarations read from a layout document into builder.charts.spec records.

Kept apart from spec: resolve reaches spec through the chart modules it uses, and importing
builder.load from there would rebind `builder.load` (the API's function) to the subpackage.
"""

from __future__ import annotations

from typing import Any

from builder.charts.spec import Chart, Series
from builder.errors import Source
from builder.load.yamlsrc import source_at


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
