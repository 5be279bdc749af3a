"""Dump what the builder writes for a report (every XlsxWriter call, in order) as a pickle for plain.py.

Run outside the timed region. The builder renders the plan once with its workbook and
worksheets recording their public calls; formats become indexes into the list of their
properties. plain.py replays the calls with plain XlsxWriter: the same cells, formulas,
stored values, formats, merges and sheet settings, hence (checked by run.py) the same bytes.

    python benchmarks/dump.py REPORT OUT.pickle [DATA [ENTITY]]   # another data file; one entity of a batch's
"""

from __future__ import annotations

import pickle
import sys
import tempfile
from pathlib import Path

import xlsxwriter
import xlsxwriter.worksheet
from xlsxwriter.chart import Chart
from xlsxwriter.format import Format

import builder
from builder import render

CELL_OPS = {"write_number": 0, "write_string": 1, "write_formula": 2, "write_blank": 3}


class _Log:
    def __init__(self):
        self.formats: list[dict] = []
        self.index: dict[int, int] = {}  # id(Format) -> its index
        self.options: dict = {}
        self.book: list[tuple] = []  # workbook calls: (method, args, kwargs)
        self.sheets: list[dict] = []
        self.charts: dict[int, int] = {}  # id(Chart) -> its index, in the order made
        self.depth = 0  # calls XlsxWriter makes to itself are not recorded

    def plain(self, value):
        if isinstance(value, Format):
            return ("format", self.index[id(value)])
        if isinstance(value, Chart):
            return ("chart", self.charts[id(value)])
        if isinstance(value, dict):
            return {k: self.plain(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return type(value)(self.plain(v) for v in value)
        return value


LOG = _Log()


def _recorder(name: str, method):
    def call(self, *args, **kwargs):
        top = LOG.depth == 0
        LOG.depth += 1
        try:
            result = method(self, *args, **kwargs)
        finally:
            LOG.depth -= 1
        if top:
            if isinstance(self, xlsxwriter.Workbook):
                if name == "add_format":
                    LOG.index[id(result)] = len(LOG.formats)
                    LOG.formats.append(dict(args[0]) if args else {})
                elif name == "add_chart":  # in the sheet's stream, where the builder makes it
                    LOG.charts[id(result)] = len(LOG.charts)
                    LOG.sheets[-1]["cells"].append((-2, name, LOG.plain(args), LOG.plain(kwargs), None, None))
                    for public in [n for n in dir(type(result)) if not n.startswith("_")]:
                        if callable(getattr(result, public)):  # its own calls, in order, by index
                            setattr(result, public, _chart_recorder(result, public))
                elif name == "add_worksheet":
                    kind = "builder" if kwargs.get("worksheet_class") is not None else "default"
                    LOG.sheets.append({"name": args[0], "class": kind, "cells": []})
                elif name != "close":
                    LOG.book.append((name, LOG.plain(args), LOG.plain(kwargs)))
            else:
                cells = LOG.sheets[-1]["cells"]
                op = CELL_OPS.get(name)
                if op is not None and not kwargs:
                    row, col, data, *rest = args
                    fmt = LOG.index[id(rest[0])] if rest and rest[0] is not None else -1
                    cells.append((op, row, col, data, fmt, rest[1] if len(rest) > 1 else None))
                elif name == "write_url" and getattr(self, "ignore_write_string", False):
                    # The builder's links on formula cells: no throwaway string (builder/render_reviewer.py).
                    cells.append((-4, name, LOG.plain(args), LOG.plain(kwargs), None, None))
                else:
                    cells.append((-1, name, LOG.plain(args), LOG.plain(kwargs), None, None))
        return result

    return call


def _chart_recorder(chart, name: str):
    method = getattr(chart, name)

    def call(*args, **kwargs):
        top = LOG.depth == 0
        LOG.depth += 1
        try:
            result = method(*args, **kwargs)
        finally:
            LOG.depth -= 1
        if top:
            LOG.sheets[-1]["cells"].append((-3, name, LOG.plain(args), LOG.plain(kwargs), LOG.charts[id(chart)], None))
        return result

    return call


class RecordingWorkbook(xlsxwriter.Workbook):
    def __init__(self, filename, options=None):
        LOG.options = {k: v for k, v in (options or {}).items() if k != "tmpdir"}
        LOG.depth += 1  # its own default formats are not the builder's
        try:
            super().__init__(filename, options)
        finally:
            LOG.depth -= 1


for _name in ("add_format", "add_chart", "add_worksheet", "set_properties", "define_name", "close"):
    setattr(RecordingWorkbook, _name, _recorder(_name, getattr(xlsxwriter.Workbook, _name)))


def _recording(base: type) -> type:
    names = [n for n, v in vars(xlsxwriter.worksheet.Worksheet).items() if callable(v) and not n.startswith("_")]
    return type(f"Recording{base.__name__}", (base,), {n: _recorder(n, getattr(base, n)) for n in names})


def dump(report: str, out: str, data: str | None = None, entity: str | None = None) -> None:
    if entity is not None:  # as `batch` builds it: the figures keep their lines in the batch's file
        from builder.api import load_report
        from builder.batch import load_batch
        from builder.kinds import text_lines

        spec = load_report(report)
        plan = builder.plan(spec, load_batch(data, text_lines(spec))[entity][0])
    else:
        plan = builder.plan(report, data)
    render.xlsxwriter = type("xlsxwriter", (), {"Workbook": RecordingWorkbook})  # render's module reference
    render._Worksheet = _recording(render._Worksheet)
    # formula_map.write adds its sheet with XlsxWriter's own worksheet class: record that too.
    RecordingWorkbook.worksheet_class = _recording(xlsxwriter.worksheet.Worksheet)
    with tempfile.TemporaryDirectory() as tmp:
        render.render_workbook(plan, Path(tmp) / "dump.xlsx")
    with open(out, "wb") as handle:
        pickle.dump(
            {"options": LOG.options, "formats": LOG.formats, "book": LOG.book, "sheets": LOG.sheets},
            handle,
            protocol=pickle.HIGHEST_PROTOCOL,
        )


if __name__ == "__main__":
    dump(*sys.argv[1:5])
