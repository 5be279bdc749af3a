"""How statements print: landscape A4 pages with a running header and footer."""

from __future__ import annotations

from collections.abc import Callable

from builder.plan import PrintSetup
from builder.spec import Layout, Report


def header_title(layout: Layout, company: str, shown: Callable[[str], str | None]) -> str:
    """The title a statement's page header prints: its title lines as the sheet shows them
    (`shown` gives None for a line that quotes an input: a live formula on the sheet, while the
    header is fixed text), one per header line, or only the first with `page_header: first`.
    A line that is just the company is left out: the header's left section prints it already.
    The sheet name when no line remains."""
    lines = title_lines(layout, company, shown)
    if layout.page_header == "first":
        lines = lines[:1]
    return "\n".join(lines) or layout.sheet


def title_lines(layout: Layout, company: str, shown: Callable[[str], str | None]) -> list[str]:
    """A statement's title lines as the sheet shows them, but for empty ones, those `shown`
    cannot give and one that is just the company."""
    lines = []
    for text in layout.title:
        line = shown(text)
        if line is not None and line.strip() and line.strip().casefold() != company.strip().casefold():
            lines.append(line.strip())
    return lines


def page_setup(report: Report, title: str, area, repeat_rows, unaudited: bool, rows: int) -> PrintSetup:
    """Running header and footer with Excel's &-codes; the date is the report's, never the clock."""

    def esc(text: str) -> str:
        return text.replace("&", "&&")

    right = "Unaudited" if unaudited else ""
    # A title of several lines prints as several header lines (render makes room above the table).
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
