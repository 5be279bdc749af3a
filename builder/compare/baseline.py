"""The published baseline: comparatives must equal, as shown, what was published, unless declared recast.

report.yaml names the workbooks published for earlier quarters (`published: [path, ...]`,
relative to it). `build` and `check` compare every figure the new build shares with each of
them (same row id, measure and period keys: builder.compare.identity) as its cell shows it,
and fail with exit code 7 listing every difference with the typed figures behind it. A
difference is excused where the report declares the figure's row and period recast
(`recast: [{line, period, note}]`), or where the figure is computed from a recast one: a
recast typed line restates every total, percentage and change built on it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

from builder.compare import book as books
from builder.compare.book import Book, Figure
from builder.compare.errors import BaselineError
from builder.compare.identity import Identities, Key
from builder.contents import CONTENTS_SHEET
from builder.errors import Problem, ReportError, Source, suggest
from builder.expr import Range, Ref, walk
from builder.kinds import ROW_KINDS
from builder.plan import Cell, WorkbookPlan
from builder.sources import DATA_SHEET
from builder.spec import Report

_MORE_DATA = DATA_SHEET + " ("


def _is_data(sheet: str) -> bool:
    return sheet == DATA_SHEET or sheet.startswith(_MORE_DATA)


class Difference(NamedTuple):
    figure: Figure  # the new build's
    published: Figure | None  # None: the published workbook shows it, the new build leaves it blank
    baseline: str  # the published workbook's path, as report.yaml names it
    origins: tuple[Source, ...]  # the typed figures it is computed from (itself, if typed)
    typed: bool  # a figure typed in the data file, not computed
    because: tuple[Source, ...] = ()  # of its origins, the typed figures that differ too

    def __str__(self) -> str:
        at = self.figure.at
        old = self.published.shown.text if self.published else "blank"
        new = self.figure.shown.text if self.figure.value is not None else "blank"
        column = at.column.header or at.column.id
        what = f"{at.row.sheet}, {at.row.label}, {at.column.period}, {column}"
        text = f"{what}: published {old} ({self.baseline}), now {new}"
        if self.typed:
            return text
        if self.because:
            return text + f"; computed from the differing figure(s) typed at {_listed(self.because)}"
        if self.origins:
            return text + f"; computed from the figures typed at {_listed(self.origins)}"
        return text

    @property
    def source(self) -> Source:
        """Where to look: the typed figure, or the differing typed figure it is computed from."""
        return (self.because or self.origins or (Source(self.figure.at.row.sheet),))[0]


def _listed(sources: tuple[Source, ...]) -> str:
    more = f" and {len(sources) - 4} more" if len(sources) > 4 else ""
    return ", ".join(str(s) for s in sources[:4]) + more


# ---------------------------------------------------------------- recasts declared in report.yaml


def recast_problems(report: Report) -> Iterator[Problem]:
    """Each recast names a row with figures and a period key of the report, once."""
    rows = {row.id for layout in report.layouts for row in layout.rows if row.id and ROW_KINDS[row.kind].has_cells}
    keys = [p.key for p in report.periods]
    seen: dict[tuple[str, str], Source] = {}
    for item in report.recast:
        if item.line not in rows:
            near = suggest(item.line, rows)
            yield Problem(item.source, f"recast: line '{item.line}' is no row of the report's layouts{near}")
        elif item.period not in keys:
            yield Problem(
                item.source,
                f"recast: period '{item.period}' is no period key of the report (its keys: {', '.join(keys)})",
            )
        elif (item.line, item.period) in seen:
            first = seen[(item.line, item.period)]
            yield Problem(item.source, f"recast: '{item.line}' in {item.period} is declared twice (first at {first})")
        else:
            seen[(item.line, item.period)] = item.source


class Entry(NamedTuple):
    """A recast as the workbook shows it: its marker, where, and its note."""

    marker: str  # "(R1)"
    sheet: str
    label: str  # the row's label, without the marker
    period: str  # as messages name it
    note: str


def entries(report: Report) -> list[Entry]:
    """The report's recasts, numbered in the order report.yaml declares them."""
    rows = {row.id: (layout.sheet, row.label) for layout in report.layouts for row in layout.rows if row.id}
    roles = {p.key: p.role for p in report.periods}
    out = []
    for n, item in enumerate(report.recast, 1):
        sheet, label = rows[item.line]
        out.append(Entry(f"(R{n})", sheet, label, report.period_name(roles[item.period]), item.note))
    return out


def mark(report: Report) -> Report:
    """The report with each recast row's label marked "(R1)" and the recast's note below its statement."""
    if not report.recast:
        return report
    listed = entries(report)
    markers: dict[str, list[str]] = {}
    for item, entry in zip(report.recast, listed, strict=True):
        markers.setdefault(item.line, []).append(entry.marker)
    layouts = []
    for layout in report.layouts:
        notes = [
            (f"{e.marker} Recast: {e.label}, {e.period}: {e.note}", item.source)
            for item, e in zip(report.recast, listed, strict=True)
            if e.sheet == layout.sheet
        ]
        if not notes:
            layouts.append(layout)
            continue
        rows = tuple(
            row._replace(label=f"{row.label} {' '.join(markers[row.id])}") if row.id in markers else row
            for row in layout.rows
        )
        # Notes are templates ({company}, {fx_rate}): a note's own braces are text.
        texts = [text.replace("{", "{{").replace("}", "}}") for text, _ in notes]
        sources = tuple((t, src) for t, (_, src) in zip(texts, notes, strict=True))
        layouts.append(
            layout._replace(rows=rows, notes=layout.notes + tuple(texts), text_sources=layout.text_sources + sources)
        )
    return report._replace(layouts=tuple(layouts))


# ---------------------------------------------------------------- comparing with the published workbooks


def compare(report: Report, plan: WorkbookPlan) -> int:
    """How many figures the plan shares with the published workbooks and shows as they were
    (each counted once per workbook); BaselineError listing every undeclared difference (ReportError, at its
    report.yaml line, for a published workbook that cannot be read)."""
    if not report.published or not plan.identities:
        return 0
    new = books.of_plan(plan)
    found: list[tuple[Key, Figure | None, str]] = []
    shared = 0
    seen: dict[tuple[str, str], tuple[bool, Figure | None]] = {}  # each recast figure a published workbook shows
    for path, where in report.published:
        old = books.of_workbook(Path(path), where, "published workbook")
        shared += sum(1 for key in new.cells if key in old.cells and (key in old.figures or key in new.figures))
        differing = [(key, published, where_named(path, report)) for key, published in _differing(old, new)]
        found += differing
        _recasts_seen(report, old, new, {key for key, _, _ in differing}, seen)
    # A recast that changes nothing would mark a figure "(R1)" and note a restatement that is not there.
    unchanged = [item for item in report.recast if not seen.get((item.line, item.period), (True,))[0]]
    if unchanged:
        raise ReportError([_nothing_recast(item, seen[(item.line, item.period)][1]) for item in unchanged])
    if not found:
        return shared
    trace = _Trace(plan, plan.identities, {(r.line, r.period) for r in report.recast})
    differences = []
    for key, published, baseline in found:
        figure = new.figures.get(key) or _blank(new, key)
        if trace.excused(figure):
            continue
        origins, typed = trace.origins(figure)
        differences.append(Difference(figure, published, baseline, origins, typed))
    if differences:
        # The typed figures first: a changed total follows from them, and names them.
        differences.sort(key=lambda d: not d.typed)
        typed = {d.origins[0] for d in differences if d.typed}
        differences = [d._replace(because=tuple(s for s in d.origins if s in typed)) for d in differences]
        raise BaselineError(differences)
    return shared - len(found)  # the figures that equal the published ones: not those excused as recast


def _recasts_seen(report: Report, old: Book, new: Book, differing: set[Key], seen: dict) -> None:
    """For each recast whose typed figure this published workbook shows: whether it differs
    (seen[(line, period)] = (changed in any workbook so far, the figure as the new build shows it))."""
    for item in report.recast:
        keys = [k for k in new.cells if k[0] == item.line and k[1] == "amount" and k[2] == (item.period,)]
        keys = [k for k in keys if k in old.cells and (k in old.figures or k in new.figures)]
        if keys:
            changed, figure = seen.get((item.line, item.period), (False, new.figures.get(keys[0])))
            seen[(item.line, item.period)] = (changed or any(k in differing for k in keys), figure)


def _nothing_recast(item, figure: Figure | None) -> Problem:
    shown = figure.shown.text if figure is not None else "a blank"
    return Problem(
        item.source,
        f"recast: '{item.line}' in {item.period} shows {shown}, as published: nothing of it is recast; "
        "remove the declaration (or type the recast figure)",
    )


def where_named(path: str, report: Report) -> str:
    """A published workbook's path relative to report.yaml's folder, as it is written there."""
    return os.path.relpath(path, Path(report.source.file).parent)


def _blank(book: Book, key: Key) -> Figure:
    from builder.compare.shown import Shown

    return Figure(book.cells[key], None, None, Shown("", None))


def _differing(old: Book, new: Book) -> Iterator[tuple[Key, Figure | None]]:
    """Keys both builds have a cell for, where either shows a figure and they are not the same
    as shown. A conversion at another rate is another figure (each quarter translates at its own)."""
    for key, at in new.cells.items():
        if key not in old.cells:
            continue
        before, now = old.figures.get(key), new.figures.get(key)
        if before is None and now is None:
            continue
        if at.column.rate is not None and old.cells[key].column.rate != at.column.rate:
            continue
        if before is None or now is None or not before.shown.same(now.shown):
            yield key, before


class _Trace:
    """What a new cell is computed from, followed through the plan's formulas."""

    def __init__(self, plan: WorkbookPlan, ids: Identities, recast: set[tuple[str, str]]):
        self.cells: dict[tuple[str, int, int], Cell] = {}
        for sheet in plan.sheets:
            if sheet.name != CONTENTS_SHEET:  # nothing is computed from Contents
                for cell in sheet.cells:
                    self.cells[(sheet.name, cell.row, cell.col)] = cell
        self.rows = {(r.sheet, r.row): r.id for r in ids.rows}
        self.cols = {(c.sheet, c.col): c.keys for c in ids.columns}
        self.recast = recast

    def _line(self, sheet: str, row: int, col: int) -> tuple[str, tuple[str, ...]] | None:
        """The row id and period keys of a statement cell or a Data sheet figure."""
        if _is_data(sheet):
            line, period = self.cells.get((sheet, row, 0)), self.cells.get((sheet, row, 2))
            if col == 3 and line is not None and period is not None:
                return str(line.value), (str(period.value),)
            return None
        rid, keys = self.rows.get((sheet, row)), self.cols.get((sheet, col))
        return None if rid is None or keys is None else (rid, keys)

    def _closure(self, start: tuple[str, int, int]) -> Iterator[tuple[str, int, int]]:
        seen = {start}
        pending = [start]
        while pending:
            here = pending.pop()
            yield here
            cell = self.cells.get(here)
            if cell is None or cell.expr is None:
                continue
            for node in walk(cell.expr):
                if type(node) is Ref:
                    refs = [node]
                elif type(node) is Range:
                    refs = list(node.refs())
                else:
                    continue
                for ref in refs:
                    pos = (ref.sheet, ref.row, ref.col)
                    if pos not in seen:
                        seen.add(pos)
                        pending.append(pos)

    def _start(self, figure: Figure) -> tuple[str, int, int]:
        return figure.at.row.sheet, figure.at.row.row, figure.at.column.col

    def excused(self, figure: Figure) -> bool:
        """The figure, or one it is computed from, is declared recast."""
        for pos in self._closure(self._start(figure)):
            line = self._line(*pos)
            if line is not None and any((line[0], key) in self.recast for key in line[1]):
                return True
        return False

    def origins(self, figure: Figure) -> tuple[tuple[Source, ...], bool]:
        """The data file lines of the typed figures behind it, and whether it is one itself."""
        start = self._start(figure)
        first = self.cells.get(start)
        typed = first is not None and first.source is not None
        found: dict[Source, None] = {}
        for pos in self._closure(start):
            cell = self.cells.get(pos)
            if cell is not None and cell.source is not None and _is_data(pos[0]):
                found[cell.source] = None
        ordered = sorted(found, key=lambda s: (s.file, s.line or 0))
        if typed:
            ordered.remove(first.source)
            ordered.insert(0, first.source)
        return tuple(ordered), typed
