"""The XlsxWriter side of the reviewer conventions (builder.reviewer decides, this writes)."""

from __future__ import annotations

from builder.plan import Cell
from builder.reviewer import SheetRoles

# Protected without a password: anyone can unprotect (Review > Unprotect Sheet). Locked and
# unlocked cells can be selected (a reviewer reads formulas), and columns and rows can be
# resized or hidden; cell formats stay locked, since the font colours are the convention.
PROTECTION = {"format_columns": True, "format_rows": True}


def protect(sheet, roles: SheetRoles | None) -> None:
    if roles is not None and roles.protected:
        sheet.protect("", PROTECTION)


def link_source(sheet, cell: Cell, fmt, roles: SheetRoles | None) -> None:
    """Put the link to a typed figure's Data row on its statement cell, which then gets its
    formula. A link and a formula in one cell is XlsxWriter's documented way to link a formula
    (write_url, then write_formula over it); XlsxWriter's own switch for links in tables stops
    write_url writing its throwaway string, which would stay in the shared-string table."""
    if roles is None:
        return
    link = roles.source_link(cell)
    if link is not None:
        location, tip = link
        sheet.ignore_write_string = True
        try:
            sheet.write_url(cell.row, cell.col, f"internal:{location}", fmt, string=tip, tip=tip)
        finally:
            sheet.ignore_write_string = False
