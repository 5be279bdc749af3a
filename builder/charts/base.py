"""What a chart type is: the interface every chart kind implements.

A kind says, as data, how its series are drawn (render_charts turns that into XlsxWriter
calls) and which keys of a chart declaration it takes beyond the common ones. A new chart
type is one subclass in one module of this package and one entry in its registry.
"""

from __future__ import annotations


class ChartKind:
    name: str = ""
    draws: str = ""  # the Excel chart type of the `series`: column or line
    secondary: str | None = None  # the Excel chart type of the `secondary` series, on a second value axis
    # Keys a declaration of this kind may give beyond type, title, periods, series and number_format.
    own_keys: tuple[str, ...] = ()

    def describe(self) -> str:
        """The kind as a message names it."""
        if self.secondary:
            return f"{self.draws}s with a {self.secondary} on a secondary axis"
        return f"a {self.draws} chart"
