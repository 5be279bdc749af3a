"""How statements print: landscape A4 pages with a running header and footer."""

from __future__ import annotations

from builder.plan import PrintSetup
from builder.spec import Layout, Report


def page_setup(report: Report, title: str, area, repeat_rows, unaudited: bool, rows: int) -> PrintSetup:
    """Running header and footer with Excel's &-codes; the date is the report's, never the clock."""

    def esc(text: str) -> str:
        return text.replace("&", "&&")

    right = "Unaudited" if unaudited else ""
    header = f"&L{esc(report.company)}&C&B{esc(title)}&B&R{right}"
    date = report.date.isoformat() if report.date else ""
    # Page numbers run on through the pack (Contents, then each statement on one page), so
    # the total is known here; &N would count the helper sheets too, which are not printed.
    pages = printed_pages(report)
    page = f"Page &P of {pages}" if pages else "Page &P"
    footer = f"&L{esc(date)}&C{page}&R{esc(report.title)}"
    # One page where it fits; a long statement runs over, repeating its header rows.
    return PrintSetup(area, header, footer, repeat_rows, fit_tall=1 if rows <= MAX_ONE_PAGE_ROWS else 0)


MAX_ONE_PAGE_ROWS = 70  # more rows than this would be unreadable fitted on one page


def _sheet_rows(layout: Layout) -> int:
    top = len(layout.title) + len(layout.subtitle) + 1
    return top + 3 + len(layout.rows) + 1 + len(layout.notes)


def printed_pages(report: Report) -> int | None:
    """Pages of the printed pack (Contents + one per statement), or None if one runs over."""
    if any(_sheet_rows(layout) > MAX_ONE_PAGE_ROWS for layout in report.layouts):
        return None
    return 1 + len(report.layouts)
