"""`report-builder diff OLD.xlsx NEW.xlsx`: two builds compared figure by figure, as shown.

Figures are matched by identity (row id, measure, period keys: builder.compare.identity),
so a figure that moved to another column (this quarter's figure, next quarter a comparative)
is still the same figure. A figure either build leaves blank is added or removed.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from builder.compare.book import Book, Figure, of_workbook
from builder.compare.shown import Shown, difference


class Change(NamedTuple):
    status: str  # changed | added | removed
    old: Figure | None
    new: Figure | None

    @property
    def figure(self) -> Figure:
        return self.new or self.old  # type: ignore[return-value]

    @property
    def difference(self) -> Shown | None:
        """new - old, as shown in the new figure's format (None where either is missing or text)."""
        if self.old is None or self.new is None:
            return None
        return difference(self.old.shown, self.new.shown, self.new.fmt)

    def __str__(self) -> str:
        at = self.figure.at
        column = at.column.header or at.column.id
        old = self.old.shown.text if self.old else "-"
        new = self.new.shown.text if self.new else "-"
        text = f"{self.status}: {at.row.sheet} | {at.row.label} | {at.column.period} | {column} | {old} -> {new}"
        diff = self.difference
        return text + (f" | {diff.text}" if diff is not None else "")


def changes(old: Book, new: Book) -> list[Change]:
    """Changed and added figures in the new build's order, then removed ones in the old's."""
    out = []
    for key, figure in new.figures.items():
        before = old.figures.get(key)
        if before is None:
            out.append(Change("added", None, figure))
        elif not before.shown.same(figure.shown):
            out.append(Change("changed", before, figure))
    out += [Change("removed", figure, None) for key, figure in old.figures.items() if key not in new.figures]
    return out


def diff(old: Path, new: Path) -> tuple[Book, Book, list[Change]]:
    """Both builds read, and what differs between them (ReportError if either is no build of ours)."""
    before, after = of_workbook(old), of_workbook(new)
    return before, after, changes(before, after)
