"""The redline workbook `diff --out` writes: each changed, added and removed figure with its
old and new value as shown, the difference as a live formula, highlighted by status; it
prints on landscape A4 pages like the statements (fitted to the page's width, header row
repeated)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from builder.compare.book import Book, Figure
from builder.compare.diff import Change
from builder.expr import Bin, Ref, to_formula
from builder.plan import Cell, PrintSetup, SheetPlan, Style, WorkbookPlan
from builder.printing import MAX_ONE_PAGE_ROWS

SHEET = "Changes"
HEADERS = ("Status", "Sheet", "Line", "Period", "Column", "Old", "New", "Difference")
WIDTHS = (10, 24, 44, 30, 18, 16, 16, 16)
FILL = {"changed": "#FFF2CC", "added": "#E2EFDA", "removed": "#FCE4D6"}  # yellow, green, red
HEAD = Style(bold=True, bottom=1, wrap=True)
_OLD, _NEW, _DIFF = 5, 6, 7


def _esc(text: str) -> str:
    return text.replace("&", "&&")


def _name(path: str) -> str:
    """A workbook's file name for the page header and footer (Excel allows 255 characters there)."""
    name = Path(path).name
    return name if len(name) <= 60 else name[:57] + "..."


def _figure_cell(r: int, c: int, figure: Figure | None, fill: str) -> Cell:
    if figure is None:
        return Cell(r, c, None, Style(bg_color=fill))
    look = figure.shown
    # The value as shown (12.3%, not 0.12349...): a redline shows what the reader saw.
    value = float(look.number) if look.number is not None else look.text
    return Cell(r, c, value, Style(num_format=figure.fmt, bg_color=fill))


def plan(old: Book, new: Book, changes: list[Change]) -> WorkbookPlan:
    counts = {status: sum(c.status == status for c in changes) for status in FILL}
    summary = ", ".join(f"{n} {status}" for status, n in counts.items()) if changes else "No figure differs"
    cells = [
        Cell(0, 0, "Changes between two builds, figure by figure, as shown", Style(bold=True)),
        Cell(1, 0, f"Old: {old.name}", Style()),
        Cell(2, 0, f"New: {new.name}", Style()),
        Cell(3, 0, summary, Style()),
    ]
    top = 5
    cells += [Cell(top, c, text, HEAD) for c, text in enumerate(HEADERS)]
    for r, change in enumerate(changes, top + 1):
        fill = FILL[change.status]
        at = change.figure.at
        plain = Style(bg_color=fill)
        texts = (change.status, at.row.sheet, at.row.label, at.column.period, at.column.header or at.column.id)
        cells += [Cell(r, c, text, plain) for c, text in enumerate(texts)]
        cells.append(_figure_cell(r, _OLD, change.old, fill))
        cells.append(_figure_cell(r, _NEW, change.new, fill))
        diff = change.difference
        fmt = change.new.fmt if change.new else None
        if diff is not None:
            expr = Bin("-", Ref(SHEET, r, _NEW), Ref(SHEET, r, _OLD))
            value = cells[-1].value - cells[-2].value  # the stored value is the formula's, exactly
            cells.append(Cell(r, _DIFF, value, Style(num_format=fmt, bg_color=fill), expr, to_formula(expr, SHEET)))
        else:
            cells.append(Cell(r, _DIFF, None, Style(bg_color=fill)))
    last = top + len(changes)
    header = f"&L{_esc(new.company)}&C&BChanges&B&R{_esc(summary)}"
    footer = f"&L{_esc(_name(old.name))} -> {_esc(_name(new.name))}&RPage &P of &N"
    setup = PrintSetup(
        (0, 0, last, len(HEADERS) - 1),
        header,
        footer,
        (top, top),
        fit_tall=1 if last + 1 <= MAX_ONE_PAGE_ROWS else 0,  # a long list runs over, repeating its header row
    )
    sheet = SheetPlan(SHEET, tuple(cells), widths=WIDTHS, freeze=(top + 1, 0), print=setup)
    created = new.created if isinstance(new.created, dt.datetime) else dt.datetime(2000, 1, 1)
    return WorkbookPlan(
        (sheet,),
        (),
        f"Changes: {_name(old.name)} -> {_name(new.name)}",
        new.company,
        "Figures that differ between two builds",
        created.replace(tzinfo=None),
    )
