"""The release's published figures, and how to read a figure as LibreOffice shows it."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT.parent / "shared" / "seed"
PUBLISHED = SEED / "published"
EXAMPLE = ROOT / "examples" / "iij-2q-fy2004" / "report.yaml"
APPENDICES = {"operations": "Operations", "balance_sheet": "Balance Sheet", "cash_flows": "Cash Flows"}
OTHER_TABLES = {
    "summary_operating_results": "Summary Operating Results",
    "summary_revenues": "Summary Revenues",
    "summary_cost_of_revenues": "Summary Cost of Revenues",
    "contracts": "Contracts",
    "connectivity_vas_breakdown": "Connectivity & VAS",
    "cross_selling_ratios": "Cross-selling Ratios",
    "systems_integration": "Systems Integration",
    "equipment_sales": "Equipment Sales",
    "other_financial_statistics": "Other Financial Statistics",
    "ebitda_reconciliation": "EBITDA Reconciliation",
    "capex_reconciliation": "CAPEX Reconciliation",
}


@dataclass(frozen=True)
class Published:
    table: str
    label: str
    column: str
    index: int  # position among the table's figure columns
    text: str  # as in the CSV: percent units, minus for parentheses

    @property
    def value(self) -> Decimal:
        return Decimal(self.text)

    @property
    def unit(self) -> Decimal:
        """One unit of the last published digit."""
        return Decimal(1).scaleb(self.value.as_tuple().exponent)


def published_table(table: str) -> tuple[list[str], list[list[str]]]:
    with open(PUBLISHED / f"{table}.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    return rows[0], rows[1:]


def figures(table: str) -> list[Published]:
    header, rows = published_table(table)
    return [
        Published(table, row[0], header[k], k - 1, row[k])
        for row in rows
        for k in range(1, len(header))
        if row[k] != ""
    ]


_SHOWN = re.compile(r"^(\()?-?([\d,]*\.?\d*)(%)?(\))?$")


def shown_number(text: str) -> Decimal | None:
    """'(12.5%)' -> -12.5, '2,832,355' -> 2832355, '-' -> 0; None for a blank or text cell."""
    text = text.strip()
    if text == "-":
        return Decimal(0)
    match = _SHOWN.match(text)
    if not text or not match or not match.group(2):
        return None
    number = Decimal(match.group(2).replace(",", ""))
    negative = bool(match.group(1)) or text.startswith("-")
    if match.group(3):  # a % cell shows percent units, like the published CSV
        pass
    return -number if negative else number
