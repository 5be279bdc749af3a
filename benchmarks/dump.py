"""Dump a built plan's cells (formulas, stored values, formats) as JSON for plain.py.

Run outside the timed region: it is how the plain XlsxWriter script gets "the same cells".
"""

from __future__ import annotations

import json
import sys

import builder
from builder.render import _Formats


class _Props(_Formats):
    """The XlsxWriter format properties render.py would use, without a workbook."""

    def __init__(self):
        self.props = {}

        class _Book:
            def add_format(inner, props):  # noqa: N805 - a stand-in for Workbook.add_format
                return props

        super().__init__(_Book())


def dump(report: str, out: str) -> None:
    plan = builder.plan(report)
    props = _Props()
    sheets = []
    for sheet in plan.sheets:
        sheets.append(
            {
                "name": sheet.name,
                "widths": list(sheet.widths),
                "cells": [[c.row, c.col, c.value, c.formula, props(c.style)] for c in sheet.cells],
                "merges": [
                    [m.first_row, m.first_col, m.last_row, m.last_col, m.text, props(m.style)] for m in sheet.merges
                ],
            }
        )
    with open(out, "w") as handle:
        json.dump({"sheets": sheets, "names": list(plan.names)}, handle)


if __name__ == "__main__":
    dump(sys.argv[1], sys.argv[2])
