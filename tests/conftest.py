"""Shared fixtures: the example built once, and LibreOffice's view of it.

LibreOffice is the reference engine, so these tests fail (never skip) when it is
missing: CI installs it (.ci/run).
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from builder import build
from builder.verify import libreoffice
from tests.published import EXAMPLE


@pytest.fixture(scope="session")
def example_workbook(tmp_path_factory) -> Path:
    return build(EXAMPLE, tmp_path_factory.mktemp("build") / "example.xlsx").path


@pytest.fixture(scope="session")
def recalculated(example_workbook, tmp_path_factory) -> Path:
    return libreoffice.recalculate([example_workbook], tmp_path_factory.mktemp("recalc"))[example_workbook]


@pytest.fixture(scope="session")
def shown_recalculated(example_workbook, tmp_path_factory) -> dict:
    return libreoffice.shown_text(example_workbook, tmp_path_factory.mktemp("csv-recalc"), recalc=True)


@pytest.fixture(scope="session")
def shown_as_stored(example_workbook, tmp_path_factory) -> dict:
    """What LibreOffice shows with its default settings: the stored values."""
    return libreoffice.shown_text(example_workbook, tmp_path_factory.mktemp("csv-default"), recalc=False)


# A report of two years without inputs, of one layout.yaml and data.csv: the small statements
# of the kinds, basis and footing tests.
TWO_YEAR_REPORT = """\
company: Example Co.
date: 2024-12-31
periods:
  current: {key: "2024", label: "Dec 31, 2024"}
  prior: {key: "2023", label: "Dec 31, 2023"}
layouts: [layout.yaml]
data: data.csv
"""

MINI_REPORT = """\
company: Example Co.
date: 2024-12-31
periods:
  current: {key: "2024", label: "Dec 31, 2024"}
  prior: {key: "2023", label: "Dec 31, 2023"}
inputs:
  fx: {value: 150.0, label: JPY per USD}
layouts: [layout.yaml]
data: data.csv
"""

MINI_LAYOUT = """\
sheet: Income
title: ["{company}", Statement of income]
columns:
  - period: current
    columns:
      - {id: usd, kind: convert, rate: fx, header: USD}
      - {id: jpy, kind: amount, header: JPY}
      - {id: pct, kind: percent_of, base: revenue, header: "%"}
  - period: prior
    columns:
      - {id: jpy_p, kind: amount, header: JPY}
  - {id: chg, kind: change, from: prior, to: current, header: Change}
rows:
  - {heading: "Revenue:"}
  - {id: product, label: Product, indent: 1}
  - {id: service, label: Service, indent: 1}
  - {id: revenue, label: Total revenue, total: [product, service], style: total}
  - {id: cost, label: Cost}
  - {id: profit, label: Profit, total: [revenue, -cost], style: grand_total}
notes: ["At JPY {fx:0.00} = $1."]
"""

MINI_DATA = """\
line,period,value
product,2024,120
product,2023,100
service,2024,80
service,2023,50
cost,2024,150
cost,2023,120
"""


@pytest.fixture
def mini(tmp_path) -> Path:
    """A small valid report in tmp_path; tests edit one file to make it bad."""
    (tmp_path / "report.yaml").write_text(MINI_REPORT)
    (tmp_path / "layout.yaml").write_text(MINI_LAYOUT)
    (tmp_path / "data.csv").write_text(MINI_DATA)
    return tmp_path / "report.yaml"


def dedent(text: str) -> str:
    return textwrap.dedent(text)


def edit(path: Path, old: str, new: str) -> None:
    """Make a valid file bad: replace the first `old` (which must be there) with `new`."""
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
