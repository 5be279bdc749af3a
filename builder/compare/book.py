"""The figures of a build, by identity: read from a workbook file, or from a plan not yet written."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import NamedTuple

from builder.compare import identity
from builder.compare.identity import At, Identities, Key
from builder.compare.shown import Shown, shown
from builder.errors import Problem, ReportError, Source
from builder.plan import WorkbookPlan


class Figure(NamedTuple):
    at: At
    value: object
    fmt: str | None
    shown: Shown


class Book(NamedTuple):
    name: str  # as messages name the build
    cells: dict[Key, At]  # every cell that can hold a figure, blank or not
    figures: dict[Key, Figure]  # those that hold one, in sheet, row and column order
    company: str = ""
    created: dt.datetime | None = None


def _book(name: str, ids: Identities, values: dict[tuple[str, int, int], tuple[object, str | None]], **about) -> Book:
    cells: dict[Key, At] = {}
    figures: dict[Key, Figure] = {}
    for at in identity.cells(ids):
        cells[at.key] = at
        value, fmt = values.get((at.row.sheet, at.row.row, at.column.col), (None, None))
        look = shown(value, fmt)
        if look is not None:
            figures[at.key] = Figure(at, value, fmt, look)
    return Book(name, cells, figures, **about)


def of_plan(plan: WorkbookPlan, name: str = "the new build") -> Book:
    """The figures a plan would write (its stored values), without writing it."""
    ids = plan.identities
    wanted: dict[str, set[tuple[int, int]]] = {}
    for at in identity.cells(ids):
        wanted.setdefault(at.row.sheet, set()).add((at.row.row, at.column.col))
    values = {}
    for sheet in plan.sheets:
        here = wanted.get(sheet.name)
        if not here:
            continue
        for cell in sheet.cells:
            if (cell.row, cell.col) in here:
                values[(sheet.name, cell.row, cell.col)] = (cell.value, cell.style.num_format)
    return _book(name, ids, values, company=plan.company, created=plan.created)


def of_workbook(path: Path, where: Source | None = None, what: str = "workbook") -> Book:
    """The figures of a built workbook, as stored (verify guarantees they are LibreOffice's
    recalculation). ReportError, at `where` (or the file), if it is no workbook of ours."""
    import openpyxl

    from builder.verify.compare import check_xlsx

    path = Path(path)

    def refuse(message: str) -> ReportError:
        if where is None:
            return ReportError(Problem(Source(str(path)), message))
        return ReportError(Problem(where, f"{what} {path} {message}"))

    if not path.exists():
        raise refuse("not found")
    try:
        check_xlsx(path)
    except ReportError as exc:
        raise refuse(exc.problems[0].message) from None
    try:
        with open(path, "rb") as handle:
            book = openpyxl.load_workbook(handle, read_only=True, data_only=True)
            try:
                if identity.SHEET not in book.sheetnames:
                    raise refuse(
                        f"carries no figure identities (no {identity.SHEET} sheet): it was not built by "
                        "report-builder, or by a version before they were added; build it again"
                    )
                try:
                    ids = identity.read(book[identity.SHEET].iter_rows(values_only=True))
                except ValueError as exc:
                    raise refuse(f"has damaged figure identities (the {identity.SHEET} sheet): {exc}") from None
                values = _values(book, ids, refuse)
                if not values and _has_formulas(book, ids):
                    raise refuse(
                        "holds its formulas without their stored values: it was last saved by a program that "
                        "does not store them (such as openpyxl); open it in Excel or LibreOffice and save it, "
                        "or compare the workbook as built"
                    )
                props = book.properties
                company, created = props.creator or "", props.created
            finally:
                book.close()
    except ReportError:
        raise
    except Exception as exc:  # the user's file: whatever openpyxl cannot parse is a bad workbook
        raise refuse(f"is not a readable .xlsx workbook ({type(exc).__name__}: {exc})") from None
    return _book(str(path), ids, values, company=company, created=created)


def _has_formulas(book, ids: Identities) -> bool:
    """Whether the formula map (`_formulas`) lists a formula on a sheet the identities name."""
    from builder import formula_map

    if formula_map.SHEET not in book.sheetnames:
        return False
    try:
        mapped = formula_map.read(book[formula_map.SHEET].iter_rows(values_only=True))
    except ValueError:
        return False
    return any(mapped.get(row.sheet) for row in ids.rows)


def _values(book, ids: Identities, refuse) -> dict[tuple[str, int, int], tuple[object, str | None]]:
    wanted: dict[str, tuple[set[int], set[int]]] = {}
    for row in ids.rows:
        wanted.setdefault(row.sheet, (set(), set()))[0].add(row.row + 1)
    for col in ids.columns:
        wanted.setdefault(col.sheet, (set(), set()))[1].add(col.col + 1)
    values: dict[tuple[str, int, int], tuple[object, str | None]] = {}
    for name, (rows, cols) in wanted.items():
        if name not in book.sheetnames:
            raise refuse(f"has damaged figure identities: they name a sheet {name!r} it does not have")
        if not rows or not cols:
            continue
        sheet = book[name]
        for line in sheet.iter_rows(min_row=min(rows), max_row=max(rows), min_col=1, max_col=max(cols)):
            for cell in line:
                r, c = getattr(cell, "row", None), getattr(cell, "column", None)
                if r in rows and c in cols and cell.value is not None:
                    values[(name, r - 1, c - 1)] = (cell.value, cell.number_format)
    return values
