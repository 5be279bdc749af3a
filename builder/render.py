"""Render: the only module that talks to XlsxWriter.

Writes a WorkbookPlan atomically (builder.outputs: a hidden work folder beside the
target, renamed over it only when the workbook is complete).
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import xlsxwriter
import xlsxwriter.worksheet
from xlsxwriter.exceptions import FileCreateError

from builder import formula_map, render_reviewer
from builder.errors import Problem, ReportError, Source
from builder.excel_limits import MAX_TEXT, utf16_len
from builder.outputs import PARTIAL, atomic
from builder.plan import Cell, SheetPlan, Style, WorkbookPlan
from builder.render_charts import insert_charts
from builder.reviewer import SheetRoles, sheet_roles

# Above this many known cells (see known_cells: about five per typed figure) a workbook is
# written in XlsxWriter's constant_memory mode. Measured (peak RSS of a whole build of the
# benchmark's ledger, 12 periods): shared strings 48 MB at 1,000 lines, 146 MB at 8,000,
# 455 MB at 30,000; constant_memory 36, 48 and 91 MB, 222 MB at 100,000; CPU time the same
# within the shared machine's noise. 500,000 (8,300 lines) keeps shared strings under 150 MB.
CONSTANT_MEMORY_ABOVE = 500_000


class _Worksheet(xlsxwriter.worksheet.Worksheet):
    """XlsxWriter's worksheet, minus its per-formula scan for Excel 365 functions.

    XlsxWriter runs about thirty regular-expression substitutions on every formula to
    prefix dynamic-array functions (FILTER, XLOOKUP...) with _xlfn. The builder's formulas
    come only from builder.expr, whose functions (SUM, IF, ABS, ROUND, INT, TEXT, COUNTIF,
    RANK) are all Excel 2007 ones, so the scan never changes anything; it was a third of
    writing a workbook. It also can no longer rewrite a note's text that quotes "SORT(".
    """

    def _prepare_formula(self, formula, expand_future_functions=False):
        if expand_future_functions:  # conditional formats and validations: XlsxWriter's own path
            return super()._prepare_formula(formula, expand_future_functions)
        return formula[1:] if formula.startswith("=") else formula


class _Formats:
    """One XlsxWriter format per distinct Style, created on first use."""

    def __init__(self, workbook: xlsxwriter.Workbook):
        self.workbook = workbook
        self.cache: dict[Style, object] = {}

    def conditional(self, style: Style):
        """Conditional formats are differential: only what changes (font, fill)."""
        key = ("dxf", style)
        if key not in self.cache:
            props = {
                k: v
                for k, v in (("bold", style.bold), ("font_color", style.font_color), ("bg_color", style.bg_color))
                if v
            }
            self.cache[key] = self.workbook.add_format(props)
        return self.cache[key]

    def __call__(self, style: Style):
        if style not in self.cache:
            props: dict[str, object] = {"font_name": "Arial", "font_size": 9}
            if style.num_format:
                props["num_format"] = style.num_format
            for key in ("bold", "italic", "indent", "top", "bottom", "align", "font_color", "bg_color"):
                if getattr(style, key):
                    props[key] = getattr(style, key)
            if style.wrap:
                props["text_wrap"] = True
                props["valign"] = "bottom"
            if not style.locked:
                props["locked"] = False
            self.cache[style] = self.workbook.add_format(props)
        return self.cache[style]


def _write_cell(sheet, cell: Cell, fmt) -> None:
    if cell.link is not None:
        code = sheet.write_url(cell.row, cell.col, f"internal:{cell.link}", fmt, string=str(cell.value))
    elif cell.formula is not None:
        value = cell.value
        if isinstance(value, bool):
            value = int(value)
        code = sheet.write_formula(cell.row, cell.col, cell.formula, fmt, "" if value is None else value)
        sheet.formulas.add(cell.row, cell.col)  # for the formula map verify reads back
    elif isinstance(cell.value, str):
        # XlsxWriter counts code points; Excel counts UTF-16 units, where an emoji is 2.
        if len(cell.value) > MAX_TEXT // 2 and utf16_len(cell.value) > MAX_TEXT:
            code = -2
        else:
            code = sheet.write_string(cell.row, cell.col, cell.value, fmt)  # never a formula, whatever it starts with
    elif cell.value is None:
        code = sheet.write_blank(cell.row, cell.col, None, fmt)
    else:
        code = sheet.write_number(cell.row, cell.col, cell.value, fmt)
    if code and code < 0:
        # XlsxWriter returns -1 for a cell outside Excel's grid and -2 for a string it
        # truncated; either would silently lose what a user typed, so the build stops.
        where = cell.source or Source(sheet.name)
        if code == -1:
            what = "lies outside Excel's 1,048,576 x 16,384 grid"
        elif isinstance(cell.value, str) and utf16_len(cell.value) > MAX_TEXT:
            what = f"holds text longer than Excel's {MAX_TEXT:,} characters"
        else:
            what = "could not be written (its row was already flushed: a builder bug, please report it)"
        raise ReportError(Problem(where, f"{sheet.name}!R{cell.row + 1}C{cell.col + 1} {what}"))


def render_sheet(
    workbook: xlsxwriter.Workbook, formats: _Formats, plan: SheetPlan, roles: SheetRoles | None = None
) -> formula_map.SheetFormulas:
    sheet = workbook.add_worksheet(plan.name, worksheet_class=_Worksheet)
    if roles is None:

        def write(cell: Cell) -> None:
            _write_cell(sheet, cell, formats(cell.style))

    else:  # the reviewer conventions: each cell's colour and lock by its role, typed figures' links

        def write(cell: Cell) -> None:
            fmt = formats(roles.style(cell))
            if cell.source is not None and cell.expr is not None and roles.links:  # a typed figure on a statement
                render_reviewer.link_source(sheet, cell, fmt, roles)
            _write_cell(sheet, cell, fmt)

    sheet.formulas = formula_map.SheetFormulas()
    sheet.hide_gridlines(2)
    for col, width in enumerate(plan.widths):
        sheet.set_column(col, col, width)
    # Everything is written in row order: a large workbook runs in XlsxWriter's constant_memory
    # mode, which flushes each row to disk as soon as a later row is written.
    # One set_row per row: a second call would undo the first (a hidden row keeps its height).
    rows: dict[int, tuple[float | None, bool]] = {row: (height, False) for row, height in plan.row_heights}
    for row in plan.hidden_rows:
        rows[row] = (rows.get(row, (None, False))[0], True)
    events: list[tuple[int, int, int, object]] = [(row, 0, 0, setting) for row, setting in rows.items()]
    events += [(m.first_row, 1, m.first_col, m) for m in plan.merges]
    events.sort(key=lambda e: e[:3])
    cells = iter(plan.cells)  # already in (row, col) order
    pending = next(cells, None)
    for row, kind, _, item in events:
        while pending is not None and pending.row < row:
            write(pending)
            pending = next(cells, None)
        if kind == 0:
            height, hidden = item
            sheet.set_row(row, height, None, {"hidden": True} if hidden else None)
        elif item.first_col == item.last_col and item.first_row == item.last_row:
            sheet.write_string(item.first_row, item.first_col, item.text, formats(item.style))
        else:
            sheet.merge_range(
                item.first_row, item.first_col, item.last_row, item.last_col, item.text, formats(item.style)
            )
    while pending is not None:
        write(pending)
        pending = next(cells, None)
    for cond in plan.conditional:
        value = cond.equals if cond.equals.lstrip("-").replace(".", "", 1).isdigit() else f'"{cond.equals}"'
        options = {"type": "cell", "criteria": cond.criteria, "value": value, "format": formats.conditional(cond.style)}
        sheet.conditional_format(cond.first_row, cond.first_col, cond.last_row, cond.last_col, options)
    if plan.freeze:
        sheet.freeze_panes(*plan.freeze)
    render_reviewer.protect(sheet, roles)
    if plan.charts:
        insert_charts(workbook, sheet, plan.charts)
    if plan.print:
        setup = plan.print
        sheet.set_landscape()
        sheet.set_paper(9)  # A4
        # Each header line past the first (a title of several lines) needs room above the table.
        sheet.set_margins(left=0.5, right=0.5, top=0.75 + 0.2 * setup.header.count("\n"), bottom=0.75)
        sheet.print_area(*setup.area)
        sheet.fit_to_pages(1, setup.fit_tall)
        if setup.repeat_rows:
            sheet.repeat_rows(*setup.repeat_rows)
        sheet.set_header(setup.header)
        sheet.set_footer(setup.footer)
    return sheet.formulas


def _forget_open_zips(*errors: BaseException) -> None:
    """Close, unwritten, the zip XlsxWriter was writing when it failed (a full disk) or was
    interrupted (Ctrl-C).

    The ZipFile stays referenced from the error's traceback; collected later, at exit or
    whenever the garbage collector runs, ZipFile.__del__ would try to finish the file (or
    fail on a half-made object) and print "Exception ignored ... Traceback" on stderr. Its
    file is in the work folder, which is removed anyway.
    """
    for error in errors:
        tb = error.__traceback__
        while tb is not None:
            for value in list(tb.tb_frame.f_locals.values()):
                if isinstance(value, zipfile.ZipFile):
                    handle, value.fp = getattr(value, "fp", None), None  # ZipFile.close does nothing without it
                    try:
                        if handle is not None:
                            handle.close()
                    except OSError:
                        pass  # the disk that was full may refuse the flush too
            tb = tb.tb_next


def known_cells(plan: WorkbookPlan) -> int:
    """The cells of the sheets that can count them without making them: every Data sheet
    (five per typed figure) and the small sheets. A statement streams its cells, but each
    typed one is counted once through the Data sheet, and derived ones are a few per line."""
    return sum(len(sheet.cells) for sheet in plan.sheets if hasattr(sheet.cells, "__len__"))


def render_workbook(plan: WorkbookPlan, out: Path, constant_memory: bool | None = None) -> Path:
    """Write the workbook to `out`; an existing file is replaced only by a complete one.

    Text goes into the shared-string table (Apple Numbers shows no inline strings), unless
    the workbook is large enough to need XlsxWriter's constant_memory mode (`constant_memory`
    None: decided by CONSTANT_MEMORY_ABOVE), which writes each row out as it goes.
    """
    out = Path(out)
    if constant_memory is None:
        constant_memory = known_cells(plan) > CONSTANT_MEMORY_ABOVE
    with atomic(out) as work:
        workbook = xlsxwriter.Workbook(
            str(work / PARTIAL),
            {
                "constant_memory": constant_memory,
                "tmpdir": str(work),  # XlsxWriter's temporary files go with the partial workbook
                "strings_to_formulas": False,
                "strings_to_numbers": False,
                "strings_to_urls": False,
            },
        )
        workbook.set_properties(
            {
                "title": plan.title,
                "subject": plan.subject,
                "company": plan.company,
                "author": plan.company,
                "created": plan.created,
            }
        )
        formats = _Formats(workbook)
        recorded = {
            sheet.name: render_sheet(workbook, formats, sheet, sheet_roles(plan.reviewer, sheet.name))
            for sheet in plan.sheets
        }
        for name, ref in plan.names:
            workbook.define_name(name, ref)
        if plan.identities:  # which figure each statement cell holds, for baselines and diff
            from builder.compare import identity

            identity.write(workbook, plan.identities)
        formula_map.write(workbook, recorded)
        try:
            workbook.close()
        except BaseException as exc:
            # XlsxWriter wraps the OSError (a full disk, a file size limit) that stopped it.
            cause = exc.args[0] if isinstance(exc, FileCreateError) and exc.args else None
            _forget_open_zips(exc, *([cause] if isinstance(cause, BaseException) else []))
            if isinstance(exc, FileCreateError):
                raise (cause if isinstance(cause, OSError) else OSError(str(exc))) from None
            raise
    return out
