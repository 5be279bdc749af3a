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

from xlsxwriter.utility import quote_sheetname

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

INPUT, FORMULA, LINK, OTHER = "input", "formula", "link", "other"


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
        self.styles: dict[tuple[Style, str], Style] = {}

    def role(self, cell: Cell) -> str:
        expr = cell.expr
        if expr is None:
            return INPUT if cell.source is not None and cell.link is None else OTHER
        if type(expr) is Ref:  # the common case: a typed figure on a statement, =Data!D5
            return LINK if expr.sheet != self.sheet else FORMULA
        return LINK if self.crosses(expr) else FORMULA

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
        if cell.expr is None and cell.source is None:  # labels and headers, most cells: no role
            return cell.style
        role = self.role(cell)
        if role is OTHER or role is FORMULA:
            return cell.style  # formulas keep the default black font: no new format
        key = (cell.style, role)
        style = self.styles.get(key)
        if style is None:
            style = cell.style
            if style.font_color is None:  # a colour a sheet chose (a link, a highlight) stays
                style = style._replace(font_color=INPUT_COLOR if role is INPUT else LINK_COLOR)
            if role is INPUT and self.editable:
                style = style._replace(locked=False)
            self.styles[key] = style
        return style

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
