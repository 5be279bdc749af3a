"""The same figures as tidy CSV, wide CSV, an Excel sheet or a DataFrame build the same statements;
the same validation and errors apply to each."""

from __future__ import annotations

from decimal import Decimal

import openpyxl
import pandas as pd
import pytest

import builder
from builder import ReportError
from tests.published import EXAMPLE

DATA = EXAMPLE.parent / "data.csv"


def statement_values(path):
    wb = openpyxl.load_workbook(path, data_only=True)
    return {ws.title: [[c.value for c in row] for row in ws.iter_rows()] for ws in wb.worksheets if ws.title != "Data"}


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    return statement_values(builder.build(EXAMPLE, tmp_path_factory.mktemp("ref") / "ref.xlsx").path)


def wide_frame() -> pd.DataFrame:
    tidy = pd.read_csv(DATA, dtype=str)
    wide = tidy.pivot(index="line", columns="period", values="value").reset_index().fillna("")
    wide.columns.name = None
    return wide


def test_wide_csv(tmp_path, reference):
    wide = tmp_path / "wide.csv"
    wide_frame().to_csv(wide, index=False)
    assert statement_values(builder.build(EXAMPLE, tmp_path / "w.xlsx", data=wide).path) == reference


def test_excel_sheet(tmp_path, reference):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "data"
    sheet.append(["line", "period", "value"])
    for row in pd.read_csv(DATA, dtype=str).itertuples(index=False):
        # 86.9% typed in Excel is held as 0.869, the double nearest the decimal value.
        value = float(Decimal(row.value[:-1]) / 100) if row.value.endswith("%") else float(row.value)
        sheet.append([row.line, row.period, value])
    book.save(tmp_path / "data.xlsx")
    assert statement_values(builder.build(EXAMPLE, tmp_path / "x.xlsx", data=tmp_path / "data.xlsx").path) == reference


def test_dataframe(tmp_path, reference):
    frame = pd.read_csv(DATA, dtype=str)
    assert statement_values(builder.build(EXAMPLE, tmp_path / "d.xlsx", data=frame).path) == reference


def test_each_format_names_where_a_bad_value_is(tmp_path):
    frame = pd.read_csv(DATA, dtype=str)
    frame.loc[3, "value"] = "12O"
    with pytest.raises(ReportError) as caught:
        builder.plan(EXAMPLE, data=frame)
    assert "<DataFrame>:5" in str(caught.value) and "'12O'" in str(caught.value)

    wide = wide_frame()
    wide.loc[0, "2Q04"] = "12O"
    wide.to_csv(tmp_path / "wide.csv", index=False)
    with pytest.raises(ReportError) as caught:
        builder.plan(EXAMPLE, data=tmp_path / "wide.csv")
    assert "wide.csv:2" in str(caught.value) and "for 2Q04" in str(caught.value)

    book = openpyxl.Workbook()
    book.active.append(["line", "period", "value"])
    book.active.append(["cash", "2Q04", "lots"])
    book.save(tmp_path / "bad.xlsx")
    with pytest.raises(ReportError) as caught:
        builder.plan(EXAMPLE, data=tmp_path / "bad.xlsx")
    assert "bad.xlsx[Sheet]:2" in str(caught.value)


def test_a_missing_figure_is_refused_in_any_format(tmp_path):
    frame = pd.read_csv(DATA, dtype=str)
    frame = frame[~((frame.line == "cash") & (frame.period == "2Q04"))]
    with pytest.raises(ReportError) as caught:
        builder.plan(EXAMPLE, data=frame)
    assert "no figure for 'cash' in period 2Q04 in <DataFrame>" in str(caught.value)
