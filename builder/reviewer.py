"""Reviewer conventions: what each written cell is to a reviewer, and how it looks for it.

Financial models mark a cell's role by its font: typed inputs blue, formulas black,
formulas that read another sheet green. Sheets are protected without a password, so a
formula is not overwritten by accident, while typed inputs (the Inputs sheet's values,
the Data sheet's figures) stay unlocked. A typed figure on a statement (`=Data!D5`) links
to its row on the Data sheet, with its source (file:line) as the link's tooltip.

The role comes from the plan's cell model (a cell's Expr and source), never from formula
text. Everything here is plain data; builder.render_reviewer does the XlsxWriter side.
A report switches it all off with `reviewer_conventions: false`.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from builder.a1 import quote_sheetname
from builder.excel_limits import utf16_len
from builder.expr import Bin, Call, Name, Neg, Range, Ref, Sum
from builder.plan import Cell, Style
from builder.sources import DATA_SHEET, INPUTS_SHEET, where

if TYPE_CHECKING:
    from builder.figures import Figures
    from builder.plan import WorkbookPlan
    from builder.spec import Report

INPUT_COLOR = "#0000FF"  # typed inputs: the model convention's blue
LINK_COLOR = "#008000"  # formulas that read another sheet: green
# Excel refuses more hyperlinks on one sheet (XlsxWriter warns and drops the rest).
MAX_LINKS_PER_SHEET = 65_530
MAX_TOOLTIP = 255  # Excel's limit for a hyperlink's screen tip
# Not protected: the formula map is very hidden and only verify reads it.
UNPROTECTED = frozenset({"_formulas"})

INPUT, LINK = "input", "link"  # the roles that change a cell's look (a formula keeps black)


class Conventions(NamedTuple):
    """What the render step needs to apply the conventions to a planned workbook."""

    base: Path  # the report's folder: tooltips name sources relative to it, as the Data sheet does
    name_sheets: dict[str, str]  # defined name -> the sheet it points at
    unlinked: frozenset[str]  # statements with more typed figures than Excel has links per sheet


def conventions(report: Report, figures: Figures, plan: WorkbookPlan) -> Conventions | None:
    """The conventions for `plan`, or None when the report switches them off."""
    if not getattr(report, "reviewer_conventions", True):
        return None
    names = {name: _sheet_of(ref) for name, ref in plan.names}
    return Conventions(Path(report.source.file).parent, names, _unlinked(report, figures))


def _sheet_of(ref: str) -> str:
    sheet = ref.lstrip("=").rsplit("!", 1)[0]
    return sheet[1:-1].replace("''", "'") if sheet.startswith("'") else sheet


def _unlinked(report: Report, figures: Figures) -> frozenset[str]:
    """Statements whose typed figures would exceed Excel's hyperlinks per sheet. Each typed
    figure shows on one statement at most (row ids are unique in a report), so counting the
    figures of each statement's lines is an upper bound of its typed cells. Such a statement
    gets no links at all rather than links on its first 65,530 figures only: a reviewer
    should not have to guess where the links stop."""
    if len(figures) <= MAX_LINKS_PER_SHEET:
        return frozenset()
    sheet_of_line = {row.id: layout.sheet for layout in report.layouts for row in layout.rows if row.id}
    per_sheet: Counter[str] = Counter()
    for line, count in Counter(figures.lines).items():
        per_sheet[sheet_of_line.get(line, "")] += count
    return frozenset(sheet for sheet, count in per_sheet.items() if count > MAX_LINKS_PER_SHEET)


def is_data_sheet(name: str) -> bool:
    return name == DATA_SHEET or (name.startswith(f"{DATA_SHEET} (") and name.endswith(")"))


class SheetRoles:
    """The conventions on one sheet: each cell's style, and its link to its source."""

    def __init__(self, conv: Conventions, sheet: str):
        self.conv, self.sheet = conv, sheet
        self.protected = sheet not in UNPROTECTED
        # Typed values are editable only where the workbook keeps its inputs; a number typed
        # in a layout (a check's tolerance) is shown as typed but stays locked.
        self.editable = sheet == INPUTS_SHEET or is_data_sheet(sheet)
        self.links = sheet not in conv.unlinked
        self.styles: dict[tuple[int, str], tuple[Style, Style]] = {}

    def crosses(self, expr) -> bool:
        """Whether a formula reads another sheet: a cell or range there, or an input by name.
        (builder.expr.walk's nested generators were most of the conventions' cost on the example.)"""
        sheet, name_sheets = self.sheet, self.conv.name_sheets
        pending = [expr]
        while pending:
            node = pending.pop()
            kind = type(node)
            if kind is Ref or kind is Range:
                if node.sheet != sheet:
                    return True
            elif kind is Bin:
                pending += (node.left, node.right)
            elif kind is Call:
                pending += node.args
            elif kind is Sum:
                pending += node.items
            elif kind is Neg:
                pending.append(node.operand)
            elif kind is Name and name_sheets.get(node.name, sheet) != sheet:
                return True
        return False

    def style(self, cell: Cell) -> Style:
        """The cell's style with its role's colour and lock. Called for every cell written (a
        million on a large statement), hence the role inline and styles cached by identity:
        a sheet's cells share a few Style objects, which the cache keeps alive."""
        expr = cell.expr
        if cell.style.wrap and expr is not None:
            # Prose that quotes figures (a Highlights sentence, a note quoting the FX rate) reads
            # as text in the pack: it keeps the default black font, though it reads other sheets.
            return cell.style
        if expr is None:
            if cell.source is None or cell.link is not None:  # labels, headers, links: no role
                return cell.style
            role = INPUT
        elif type(expr) is Ref:  # the common case: a typed figure on a statement, =Data!D5
            if expr.sheet == self.sheet:
                return cell.style
            role = LINK
        elif self.crosses(expr):
            role = LINK
        else:
            return cell.style  # a formula keeps the default black font: no new format
        style = cell.style
        known = self.styles.get((id(style), role))
        if known is not None:
            return known[1]
        made = style
        if made.font_color is None:  # a colour a sheet chose (a link, a highlight) stays
            made = made._replace(font_color=INPUT_COLOR if role is INPUT else LINK_COLOR)
        if role is INPUT and self.editable:
            made = made._replace(locked=False)
        self.styles[(id(style), role)] = (style, made)
        return made

    def source_link(self, cell: Cell) -> tuple[str, str] | None:
        """For a typed figure on a statement: its row on the Data sheet (location) and its
        source as the link's tooltip (data.csv:62)."""
        expr = cell.expr
        if not self.links or cell.source is None or type(expr) is not Ref or not is_data_sheet(expr.sheet):
            return None
        location = f"{quote_sheetname(expr.sheet)}!A{expr.row + 1}:E{expr.row + 1}"
        tip = where(cell.source, self.conv.base)
        if utf16_len(tip) > MAX_TOOLTIP:  # keep the end, the file's name and line (120 code points fit)
            tip = "..." + tip[-120:]
        return location, tip


def sheet_roles(conv: Conventions | None, sheet: str) -> SheetRoles | None:
    return None if conv is None else SheetRoles(conv, sheet)
