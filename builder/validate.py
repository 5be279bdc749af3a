"""Validations: small functions over the loaded report and data, each returning problems.

They run together so that a user sees every problem at once, each with its file and line.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Iterator

from builder import narrative
from builder.charts.checks import chart_problems
from builder.compare.identity import SHEET as FIGURES_SHEET
from builder.errors import Problem, suggest
from builder.excel_limits import MAX_COLS, MAX_HEADER, MAX_NAME, MAX_ROWS, MAX_SHEET_NAME, MAX_TEXT, utf16_len
from builder.expr import RowRef, is_plain_number_format, walk
from builder.figures import Figures
from builder.footing import declared_rounding
from builder.formula_map import SHEET as FORMULA_MAP_SHEET
from builder.kinds import AMOUNT, COLUMN_KINDS, ROW_KINDS, text_lines
from builder.kinds.base import NOT_FOOTED
from builder.numbers import EXCEL_DIGITS, beyond_excel, float_digits
from builder.printing import header_title, page_setup
from builder.resolved import header_rows
from builder.spec import Column, Layout, Period, Report, Row

_BAD_SHEET_CHARS = set("[]:*?/\\")
_A1 = re.compile(r"^([A-Za-z]{1,3})([0-9]+)$")
# What XlsxWriter's define_name refuses as cell-like, a little more than Excel does (AAD1);
# refused here too, or the name would be dropped with a warning.
_XLSXWRITER_A1 = re.compile(r"^[a-zA-Z][a-zA-Z]?[a-dA-D]?\d+$")
_R1C1 = re.compile(r"^(R[0-9]*)?(C[0-9]*)?$|^[RC][0-9]+[RC][0-9]+$", re.IGNORECASE)
# Names Excel gives a meaning of its own (print settings, filters, macros run on opening).
_RESERVED_NAMES = {
    n.casefold()
    for n in (
        "TRUE", "FALSE", "Print_Area", "Print_Titles", "Criteria", "Database", "Extract", "Consolidate_Area",
        "Sheet_Title", "_FilterDatabase", "Auto_Open", "Auto_Close", "Auto_Activate", "Auto_Deactivate", "Recorder",
    )
}  # fmt: skip
# Sheets the builder adds; "Data (2)" and on hold typed figures beyond one sheet's rows.
_BUILDER_SHEETS = ("Contents", "Checks", "Footing", "Data", "Inputs", FIGURES_SHEET, FORMULA_MAP_SHEET)
_MORE_DATA = re.compile(r"^data \([0-9]+\)$")
STATIC_FIELDS = ("company", "title", "date")

Check = Callable[[Report, Figures], Iterator[Problem]]


def same_name(name: str) -> str:
    """A name as Excel compares names and sheet names: ignoring case, in all scripts."""
    return name.casefold()


def excel_name_problem(name: str) -> str | None:
    """Why Excel (or XlsxWriter) would refuse `name` as a defined name, or None."""
    if not name or utf16_len(name) > MAX_NAME:
        return f"Excel allows names of 1 to {MAX_NAME} characters"
    if not re.fullmatch(r"[^\W\d.]|[_\\]", name[0]) or not re.fullmatch(r"[\w.\\]*", name[1:]):
        return "Excel allows letters, digits, _ and . in a name, starting with a letter or _"
    a1 = _A1.match(name)
    if _XLSXWRITER_A1.match(name) or (a1 and _column(a1[1]) <= MAX_COLS and int(a1[2]) <= MAX_ROWS):
        return "it looks like a cell reference (A1 style) to Excel"
    if _R1C1.match(name):
        return "it looks like a cell reference (R1C1 style) to Excel"
    if same_name(name) in _RESERVED_NAMES:
        return "Excel reserves it"
    return None


def _column(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def _rows(report: Report) -> Iterator[tuple[Layout, Row]]:
    for layout in report.layouts:
        for row in layout.rows:
            yield layout, row


def row_index(report: Report) -> dict[str, tuple[Layout, Row]]:
    index: dict[str, tuple[Layout, Row]] = {}
    for layout, row in _rows(report):
        if row.id is not None:
            index.setdefault(row.id, (layout, row))
    return index


def _row_refs(row: Row) -> list[str]:
    return ROW_KINDS[row.kind].refs(row)


def unique_ids(report: Report, figures: Figures) -> Iterator[Problem]:
    seen: dict[str, Row] = {}
    inputs = {same_name(i.name): i for i in report.inputs}
    for _, row in _rows(report):
        if row.id is None:
            continue
        if row.id in seen:
            yield Problem(row.source, f"row id '{row.id}' is used twice (first at {seen[row.id].source})")
        elif same_name(row.id) in inputs:
            name = inputs[same_name(row.id)].name
            same = "" if name == row.id else " (Excel's names ignore case)"
            yield Problem(row.source, f"row id '{row.id}' is also the name of an input, '{name}'{same}")
        else:
            seen[row.id] = row
    for layout in report.layouts:
        cols: dict[str, str] = {}
        for col in layout.columns:
            if col.id in cols:
                yield Problem(col.source, f"column id '{col.id}' is used twice in sheet '{layout.sheet}'")
            cols[col.id] = col.id


def sheet_names(report: Report, figures: Figures) -> Iterator[Problem]:
    """Sheet names as Excel checks them: lengths in UTF-16 units, compared ignoring case."""
    seen: dict[str, Layout | None] = {same_name(name): None for name in _BUILDER_SHEETS}
    for layout in report.layouts:
        name = layout.sheet
        where = layout.sheet_source or layout.source
        bad = sorted(set(name) & _BAD_SHEET_CHARS)
        key = same_name(name)
        if not name.strip() or utf16_len(name) > MAX_SHEET_NAME:
            counted = f"; this one counts {utf16_len(name)} (an emoji counts 2)" if len(name) != utf16_len(name) else ""
            yield Problem(where, f"sheet name {name!r}: Excel allows 1 to {MAX_SHEET_NAME} characters{counted}")
        elif bad or name.startswith("'") or name.endswith("'"):
            yield Problem(where, f"sheet name {name!r}: Excel forbids {' '.join(bad) or 'a leading or trailing quote'}")
        elif key == same_name("History"):
            yield Problem(where, f"sheet name {name!r}: Excel reserves 'History' (for tracked changes)")
        elif key in seen or _MORE_DATA.match(key):
            first = seen.get(key)
            also = f" (as '{first.sheet}' at {first.sheet_source or first.source}; Excel ignores case)" if first else ""
            yield Problem(
                where,
                f"sheet name {name!r} is used twice{also} "
                "(or clashes with a sheet the builder adds: Contents, Checks, Footing, Data, Data (2)..., Inputs, "
                f"{FIGURES_SHEET}, {FORMULA_MAP_SHEET})",
            )
        seen.setdefault(key, layout)


def _expr_refs(report: Report, expr, where, what: str, index: dict | None = None) -> Iterator[Problem]:
    """Row ids, periods and columns an expression names exist (input names count as rows)."""
    if index is None:  # callers with many expressions pass theirs: it walks every row of the report
        index = row_index(report)
    roles = {p.role for p in report.periods}
    for node in walk(expr):
        if not isinstance(node, RowRef):
            continue
        if node.row_id not in index:
            if report.input(node.row_id) is None or node.period or node.column:
                known = list(index) + [i.name for i in report.inputs]
                yield Problem(
                    where,
                    f"{what} refers to '{node.row_id}', which no layout defines{suggest(node.row_id, known)}",
                )
            continue
        if node.period is not None and node.period not in roles:
            yield Problem(where, f"{what}: period '{node.period}' is not declared in the report's periods")
        layout = index[node.row_id][0]
        if node.column is not None and node.column not in {c.id for c in layout.columns}:
            yield Problem(where, f"{what}: sheet '{layout.sheet}' has no column '{node.column}'")


def references(report: Report, figures: Figures) -> Iterator[Problem]:
    """Every row id, input name, period and column a layout names exists."""
    index = row_index(report)
    roles = {p.role for p in report.periods}
    for layout in report.layouts:
        for check in layout.checks:
            for side in (check.left, check.right):
                yield from _expr_refs(report, side, check.source, f"check '{check.name}'", index)
            for role in check.periods or ():
                if role not in roles:
                    yield Problem(check.source, f"check '{check.name}': period '{role}' is not declared")
    for rid in report.key_totals:
        if rid not in index:
            yield Problem(report.source, f"key_totals names '{rid}', which no layout defines{suggest(rid, index)}")
    for period in report.periods:
        for part in period.sum_of:
            if part not in roles or report.period(part).sum_of:
                yield Problem(
                    period.source, f"period '{period.role}': sum_of names '{part}', which is not a declared quarter"
                )
    for _, row in _rows(report):
        for role in row.input_periods:
            if role not in roles:
                yield Problem(row.source, f"row '{row.id}': input period '{role}' is not declared")
            elif report.period(role).sum_of:
                yield Problem(
                    row.source,
                    f"row '{row.id}': input period '{role}' is the sum of {' and '.join(report.period(role).sum_of)} "
                    "(sum_of in report.yaml), computed from them; it cannot be typed",
                )
        if row.formula is not None:  # its names may also be inputs, periods and columns
            yield from _expr_refs(report, row.formula, row.source, f"row '{row.id}'", index)
        # A formula's names, and a row of text's fields, may also be inputs and periods: checked
        # by _expr_refs and templates.
        names = set() if row.formula is not None or row.text is not None else set(_row_refs(row))
        if row.percent_base:
            names.add(row.percent_base)
        for rid in sorted(names):
            if rid not in index:
                yield Problem(
                    row.source, f"row '{row.id}' refers to '{rid}', which no layout defines{suggest(rid, index)}"
                )
    for layout in report.layouts:
        for col in layout.columns:
            kind = COLUMN_KINDS[col.kind]
            for role in kind.periods(col):
                if role not in roles:
                    yield Problem(
                        col.source, f"column '{col.id}': period '{role}' is not declared in the report's periods"
                    )
            if kind.needs_period and col.period is None:
                yield Problem(col.source, f"column '{col.id}' ({col.kind}) needs a period")
            yield from kind.problems(col, report, index)
            yield from _amounts_read(report, layout, col, index)
        for row in layout.rows:
            yield from _column_kinds(layout, row, report, index)
            yield from _own_base(report, layout, row, index)


def _amounts_read(report: Report, layout: Layout, col: Column, index: dict) -> Iterator[Problem]:
    """A derived column reads amount columns: of its own sheet in each of its periods, and of
    its base row's sheet. One that is missing is the column's mistake, reported once at its
    line (each row's cell would otherwise report it again)."""
    kind = COLUMN_KINDS[col.kind]
    if not kind.derived:
        return
    for role in kind.own_periods(col):
        if report.period(role) is not None and not _sheet_uses(layout, role):
            yield Problem(
                col.source,
                f"column '{col.id}' ({col.kind}) reads the amounts of {report.period_name(role)}, "
                f"but sheet '{layout.sheet}' has no amount column for that period",
            )
    for rid in kind.base_rows(col):
        other = index.get(rid, (None,))[0]
        if (
            other not in (None, layout)
            and col.period
            and report.period(col.period)
            and not _sheet_uses(other, col.period)
        ):
            yield Problem(
                col.source,
                f"column '{col.id}' ({col.kind}): its base '{rid}' is on sheet '{other.sheet}', "
                f"which has no amount column for {report.period_name(col.period)}",
            )


def _own_base(report: Report, layout: Layout, row: Row, index: dict) -> Iterator[Problem]:
    """A row's own percent base on another sheet has amounts in the periods of its % columns."""
    other = index.get(row.percent_base, (None,))[0] if row.percent_base else None
    if other in (None, layout):
        return
    for col in layout.columns:
        kind = COLUMN_KINDS[row.kind_in(col)]
        shown = row.show is None or col.kind in row.show
        if shown and kind.base_rows(col) and report.period(col.period) and not _sheet_uses(other, col.period):
            yield Problem(
                row.source,
                f"row '{row.id}': its percent_base '{row.percent_base}' is on sheet '{other.sheet}', "
                f"which has no amount column for {report.period_name(col.period)} (column '{col.id}')",
            )


def _column_kinds(layout: Layout, row: Row, report: Report, index: dict) -> Iterator[Problem]:
    """A row that shows another kind in a column: the column exists, both kinds are derived
    from amounts, the column does not foot, and it has what the other kind needs."""
    cols = {c.id: c for c in layout.columns}
    for col_id, name in row.column_kinds:
        col = cols.get(col_id)
        what = f"row '{row.id}': kind {{{col_id}: {name}}}"
        if col is None:
            yield Problem(row.source, f"{what}: sheet '{layout.sheet}' has no column '{col_id}'{suggest(col_id, cols)}")
            continue
        kind = COLUMN_KINDS[name]
        if not kind.derived or not COLUMN_KINDS[col.kind].derived:
            yield Problem(row.source, f"{what}: amount columns and cells keep their kind; give a derived kind")
        elif col.rounding == "foot":
            yield Problem(row.source, f"{what}: column '{col_id}' foots, so its cells are rounded together")
        elif kind.needs_period and col.period is None:
            yield Problem(row.source, f"{what}: column '{col_id}' has no period")
        else:
            for problem in kind.problems(col._replace(kind=name), report, index):
                yield Problem(row.source, f"{what}: {problem.message}")


def no_cycles(report: Report, figures: Figures) -> Iterator[Problem]:
    index = row_index(report)
    graph = {rid: [r for r in _row_refs(row) if r in index] for rid, (_, row) in index.items()}
    state: dict[str, int] = {}  # 1 visiting, 2 done

    def visit(rid: str, trail: list[str]) -> list[str] | None:
        state[rid] = 1
        for nxt in graph[rid]:
            if state.get(nxt) == 1:
                return trail[trail.index(nxt) :] + [nxt] if nxt in trail else [rid, nxt]
            if nxt not in state:
                found = visit(nxt, trail + [nxt])
                if found:
                    return found
        state[rid] = 2
        return None

    for rid in graph:
        if rid not in state:
            cycle = visit(rid, [rid])
            if cycle:
                yield Problem(index[cycle[0]][1].source, "rows refer to each other in a cycle: " + " -> ".join(cycle))
                return


def templates(report: Report, figures: Figures) -> Iterator[Problem]:
    """Titles and notes may quote the company, period labels and inputs, nothing else."""
    known = set(STATIC_FIELDS) | {p.role for p in report.periods} | {i.name for i in report.inputs}
    for layout in report.layouts:
        for text in layout.title + layout.subtitle + layout.notes:
            try:
                fields = list(string.Formatter().parse(text))
            except ValueError as exc:
                yield Problem(
                    layout.text_source(text), f"text {text[:40]!r}...: {exc} (write {{{{ for a literal brace)"
                )
                continue
            for _, field, spec, _ in fields:
                if field is None:
                    continue
                if field not in known:
                    yield Problem(
                        layout.text_source(text),
                        f"text quotes {{{field}}}, which is not the company, a period or an input"
                        f"{suggest(field, known)}",
                    )
                    continue
                inp = report.input(field)
                if spec and inp is not None and not is_plain_number_format(spec):
                    yield Problem(
                        layout.text_source(text), f"{{{field}:{spec}}}: expected a number format such as 0.00 or #,##0"
                    )
                if spec and inp is None and spec != "upper":
                    yield Problem(layout.text_source(text), f"{{{field}:{spec}}}: text fields take only ':upper'")


def quoting_rows(report: Report, figures: Figures) -> Iterator[Problem]:
    """A row of text (`text: "..."`) quotes rows' figures in a number format TEXT() shows the
    same in Excel, LibreOffice and the stored value, and otherwise what titles may quote."""
    quoting = [row for _, row in _rows(report) if row.text is not None]
    if not quoting:
        return
    index = row_index(report)
    known = set(STATIC_FIELDS) | {p.role for p in report.periods} | {i.name for i in report.inputs}
    for row in quoting:
        try:
            fields = list(string.Formatter().parse(row.text))
        except ValueError as exc:
            yield Problem(row.source, f"row '{row.id}': text {row.text[:40]!r}: {exc} (write {{{{ for a literal brace)")
            continue
        for _, field, spec, _ in fields:
            if field is None:
                continue
            found = narrative.field_problem(report, index, field, spec)  # row[period], row.column, named formats
            if found is not narrative.NOT_MINE:
                if found:
                    yield Problem(row.source, f"row '{row.id}' {found}")
                continue
            if field in index:
                if not spec or not is_plain_number_format(spec):
                    named = [f.name for f in report.formats]
                    yield Problem(
                        row.source,
                        f"row '{row.id}' quotes {{{field}{':' + spec if spec else ''}}}: a figure is quoted "
                        f"with a number format such as {{{field}:0.00}} or {{{field}:#,##0}}"
                        + (f", or a format named under formats: ({', '.join(named)})" if named else "")
                        + (suggest(spec, named) if spec else ""),
                    )
            elif field not in known:
                yield Problem(
                    row.source,
                    f"row '{row.id}' quotes {{{field}}}, which is not a row, the company, a period or an input"
                    f"{suggest(field, set(index) | known)}",
                )
            elif spec and report.input(field) is not None and not is_plain_number_format(spec):
                yield Problem(row.source, f"{{{field}:{spec}}}: expected a number format such as 0.00 or #,##0")
            elif spec and report.input(field) is None and spec != "upper":
                yield Problem(row.source, f"{{{field}:{spec}}}: text fields take only ':upper'")


def input_names(report: Report, figures: Figures) -> Iterator[Problem]:
    """Inputs become defined names: each must be a name Excel accepts, and distinct from the
    others as Excel compares names (ignoring case)."""
    seen: dict[str, str] = {}
    for inp in report.inputs:
        why = excel_name_problem(inp.name)
        if why:
            yield Problem(inp.source, f"input name '{inp.name}': {why}, so it cannot be a defined name")
        key = same_name(inp.name)
        if key in seen:
            yield Problem(
                inp.source, f"input name '{inp.name}' is the same name as '{seen[key]}' to Excel (names ignore case)"
            )
        seen.setdefault(key, inp.name)


def page_headers(report: Report, figures: Figures) -> Iterator[Problem]:
    """Each printed page's header and footer (company, statement title, report title, date)
    fits Excel's 255 UTF-16 units; XlsxWriter would drop a longer one with a warning."""
    pages = [("Contents", "Contents", False, report.source)]
    for layout in report.layouts:
        title = header_title(layout, report.company, lambda text: _static_text(report, text))
        # The message points at the last title line the header prints, or at the sheet's name.
        printed = [t for t in layout.title if (_static_text(report, t) or "").strip() in title.split("\n")]
        where = layout.text_source(printed[-1]) if printed else layout.sheet_source or layout.source
        pages.append((layout.sheet, title, layout.unaudited, where))
    for sheet, title, unaudited, where in pages:
        setup = page_setup(report, title, None, None, unaudited=unaudited, rows=0)
        for what, text in (("header", setup.header), ("footer", setup.footer)):
            if utf16_len(text) > MAX_HEADER:
                fix = "shorten the company or the title"
                if what == "header" and "\n" in title:
                    fix += ", or print only its first line (`page_header: first`)"
                yield Problem(
                    where,
                    f"sheet '{sheet}': the printed page {what} (company, title, date) needs {utf16_len(text)} "
                    f"characters with its codes; Excel allows {MAX_HEADER}: {fix}",
                )


def _static_text(report: Report, text: str) -> str | None:
    """A title line as resolve renders it, or None when it quotes an input (it is then a formula)."""
    static = {"company": report.company, "title": report.title, "date": str(report.date or "")}
    static.update({p.role: p.label for p in report.periods})
    out = []
    try:
        for literal, field, spec, _ in string.Formatter().parse(text):
            out.append(literal)
            if field is not None:
                if field not in static:
                    return None  # an input, or a field `templates` refuses
                out.append(static[field].upper() if spec == "upper" else static[field])
    except ValueError:  # a stray brace: `templates` reports it
        return None
    return "".join(out)


def data_figures(report: Report, figures: Figures) -> Iterator[Problem]:
    """Each figure has a declared period and a row that uses it; none is given twice."""
    index = row_index(report)
    keys = {p.key: p for p in report.periods}
    role_of = {p.key: p.role for p in report.periods}
    for i in range(len(figures)):
        line, period = figures.lines[i], figures.period_keys[figures.periods[i]]
        if period not in keys:
            yield Problem(
                figures.source(i),
                f"period '{period}' is not one the report declares ({', '.join(keys)}){suggest(period, keys)}",
            )
            continue
        first = figures.first_of(i)
        if first is not None:
            yield Problem(
                figures.source(i),
                f"'{line}' for {period} is given twice (first at line {figures.source(first).line})",
            )
            continue
        derived = keys[period]
        if derived.sum_of:
            parts = " + ".join(report.period(p).key for p in derived.sum_of)
            yield Problem(
                figures.source(i),
                f"'{line}' for {period}: {period} is {parts} (sum_of in report.yaml), computed from the parts; "
                "a data file gives only the parts",
            )
            continue
        entry = index.get(line)
        if entry is None:
            yield Problem(
                figures.source(i),
                f"line '{line}' is used by no layout, so this figure would be lost{suggest(line, index)}",
            )
        elif not ROW_KINDS[entry[1].kind].typed(entry[1], role_of[period]):
            yield Problem(
                figures.source(i),
                f"line '{line}' is a {entry[1].kind} computed by the layout; a data file holds typed figures only",
            )
        elif entry[1].show is not None and AMOUNT not in entry[1].show:
            yield Problem(
                figures.source(i),
                f"row '{line}' shows no amount column (show: {list(entry[1].show)}), so this figure would be lost",
            )
        elif (
            not _sheet_uses(entry[0], role_of[period])
            and not _summed(report, entry[0], entry[1], role_of[period])
            and not _only_a_part(report, role_of[period])
        ):
            yield Problem(
                figures.source(i),
                f"sheet '{entry[0].sheet}' shows no {period} column for '{line}', so this figure would be lost",
            )
    # The data the figures came from: a batch's file or a DataFrame, not always the report's.
    data = ", ".join(figures.files) or report.data_path
    pending = {(t.line, t.period) for t in figures.to_type}  # listed as "to type" instead (to_type)
    for _, row, period in needed_figures(report):
        if figures.find(row.id, period.key) is None and (row.id, period.key) not in pending:
            yield Problem(
                row.source,
                f"no figure for '{row.id}' in period {period.key} in {data} (or declare 'missing: blank')",
            )


def needed_figures(report: Report, blank_too: bool = False) -> Iterator[tuple[Layout, Row, Period]]:
    """Each typed figure the layouts show, as (layout, row, period); rows that say
    `missing: blank` only with `blank_too` (`roll` carries their figures over)."""
    needed = {
        role for layout in report.layouts for col in layout.columns for role in COLUMN_KINDS[col.kind].periods(col)
    }
    parts: dict[str, list[str]] = {}  # per sheet: the periods a typed line needs figures for
    for layout, row in _rows(report):
        if row.missing == "blank" and not blank_too:
            continue
        kind = ROW_KINDS[row.kind]
        if not kind.has_cells:
            continue
        if not kind.computed and layout.sheet not in parts:
            parts[layout.sheet] = sorted(needed | _parts_shown(report, layout))
        for role in row.input_periods if kind.computed else parts[layout.sheet]:
            period = report.period(role)
            if period and period.sum_of:
                continue  # computed from its parts, whose figures are needed instead
            if period and (_sheet_uses(layout, role) or _summed(report, layout, row, role)):
                yield layout, row, period


def _only_a_part(report: Report, role: str) -> bool:
    """Whether `role` is a quarter no sheet shows, there only to be added up by a sum_of period
    (1Q04 of nine months, after a roll): its figures are read on the Data sheet."""
    return any(role in p.sum_of for p in report.periods) and not any(
        _sheet_uses(layout, role) for layout in report.layouts
    )


def _has_amounts(layout: Layout) -> bool:
    return any(not COLUMN_KINDS[c.kind].derived for c in layout.columns)


def _sheet_uses(layout: Layout, role: str) -> bool:
    return any(not COLUMN_KINDS[c.kind].derived and c.period == role for c in layout.columns)


def _parts_shown(report: Report, layout: Layout) -> set[str]:
    """The parts of the sum_of periods a sheet has amount columns for."""
    return {
        part
        for c in layout.columns
        if not COLUMN_KINDS[c.kind].derived and report.period(c.period) is not None
        for part in report.period(c.period).sum_of
    }


def _adds_up(report: Report, row: Row, col: Column, role: str) -> bool:
    """Whether amount column `col` shows a typed line's figure for `role` inside a sum."""
    period = report.period(col.period) if col.period else None
    return period is not None and role in period.sum_of and not ROW_KINDS[row.kind].computed


def _summed(report: Report, layout: Layout, row: Row, role: str) -> bool:
    """Whether a typed line's figure for `role` is added into a sum_of period its sheet shows,
    though the sheet has no column for `role` itself (the sum reads it on the Data sheet)."""
    return any(not COLUMN_KINDS[c.kind].derived and _adds_up(report, row, c, role) for c in layout.columns)


def excel_limits(report: Report, figures: Figures) -> Iterator[Problem]:
    for layout in report.layouts:
        # As resolve lays the sheet out: titles, header rows (one per level of nested groups), the
        # body, then a blank row and the notes.
        first, levels = header_rows(layout)
        height = first + len(levels) + len(layout.rows) + (1 + len(layout.notes) if layout.notes else 0)
        if height > MAX_ROWS:
            yield Problem(layout.source, f"sheet '{layout.sheet}' needs {height} rows; Excel allows {MAX_ROWS}")
        if len(layout.columns) + 1 > MAX_COLS:
            yield Problem(
                layout.source,
                f"sheet '{layout.sheet}' needs {len(layout.columns) + 1} columns; Excel allows {MAX_COLS}",
            )


def _shows_percent(fmt: str) -> bool:
    """Whether a number format scales by 100 and shows %: a % outside quoted text and escapes."""
    plain = re.sub(r'"[^"]*"|\\.', "", fmt)
    return "%" in plain


def typed_percentages(report: Report, figures: Figures) -> Iterator[Problem]:
    """A figure typed with a % sign lands on a line shown as a percentage. On a line shown
    as an amount, 15000% would quietly become 150 yen."""
    index = row_index(report)
    role_of = {p.key: p.role for p in report.periods}
    for i in sorted(figures.percent):
        entry = index.get(figures.lines[i])
        role = role_of.get(figures.period_keys[figures.periods[i]])
        if entry is None or role is None:
            continue  # data_figures refuses it already
        layout, row = entry
        formats = [
            COLUMN_KINDS[col.kind].number_format(layout, row, col)
            for col in layout.columns
            if not COLUMN_KINDS[col.kind].derived and (col.period == role or _adds_up(report, row, col, role))
        ]
        if formats and not any(_shows_percent(fmt) for fmt in formats):
            period = figures.period_keys[figures.periods[i]]
            yield Problem(
                figures.source(i),
                f"'{row.id}' for {period} is typed with a % sign, but its line is shown as an amount "
                f"(number format {formats[0]!r}); type the amount, or give the row a % number_format",
            )


def excel_numbers(report: Report, figures: Figures) -> Iterator[Problem]:
    """Numbers written in report.yaml and layouts reach the workbook as written: Excel must
    hold them (a rate of 1.0e-320 would turn every converted figure into infinity)."""
    for inp in report.inputs:
        if isinstance(inp.value, float):
            yield from _excel_number(inp.value, inp.source, f"input '{inp.name}'")
    for layout in report.layouts:
        yield from _excel_number(layout.scale, layout.source, f"sheet '{layout.sheet}': scale")
        for check in layout.checks:
            yield from _excel_number(check.tolerance, check.source, f"check '{check.name}': tolerance")


def _excel_number(value: float, where, what: str) -> Iterator[Problem]:
    why = beyond_excel(value)
    digits = float_digits(value) if why is None else 0
    if digits > EXCEL_DIGITS:
        why = f"has {digits} significant digits; Excel keeps {EXCEL_DIGITS}, so it would be altered"
    if why:
        yield Problem(where, f"{what}: {value!r} {why}")


def text_lengths(report: Report, figures: Figures) -> Iterator[Problem]:
    """Every text the builder writes fits a cell: 32,767 UTF-16 units (an emoji counts 2)."""

    def too_long(text: object, where, what: str) -> Iterator[Problem]:
        if isinstance(text, str) and utf16_len(text) > MAX_TEXT:
            yield Problem(
                where,
                f"{what} has {utf16_len(text):,} characters, longer than Excel's {MAX_TEXT:,} characters in a cell",
            )

    yield from too_long(report.company, report.source, "the company name")
    yield from too_long(report.title, report.source, "the title")
    for inp in report.inputs:
        yield from too_long(inp.value, inp.source, f"input '{inp.name}'")
        yield from too_long(inp.label, inp.source, f"the label of input '{inp.name}'")
    for layout in report.layouts:
        for text, where in layout.text_sources:
            yield from too_long(text, where, "the text")
        for col in layout.columns:
            yield from too_long(col.header, col.source, f"the header of column '{col.id}'")
        for row in layout.rows:
            yield from too_long(row.label, row.source, f"the label of row '{row.id or row.label[:20]}'")


def cell_options(report: Report, figures: Figures) -> Iterator[Problem]:
    """A column kind's key given on a row (`basis: displayed`) reaches a cell of the row that
    takes it (otherwise it would be silently ignored), and a displayed basis no footed cell."""
    for layout, row in _rows(report):
        cols = {c.id: c for c in layout.columns}
        shown = [c for c in layout.columns if row.show is None or c.kind in row.show]
        for key, col_id, value in row.cell_options:
            taking = [c for c in shown if key in COLUMN_KINDS[row.kind_in(c)].row_keys]
            if col_id is None:
                what = f"row '{row.id}': {key}: {value}"
                if not taking:
                    takes = " and ".join(k.name for k in COLUMN_KINDS.values() if key in k.row_keys)
                    yield Problem(row.source, f"{what} applies to its {takes} cells, and it shows none")
            else:
                what = f"row '{row.id}': {key} {{{col_id}: {value}}}"
                col = cols.get(col_id)
                if col is None:
                    near = suggest(col_id, cols)
                    yield Problem(row.source, f"{what}: sheet '{layout.sheet}' has no column '{col_id}'{near}")
                elif key not in COLUMN_KINDS[row.kind_in(col)].row_keys:
                    kind = row.kind_in(col)
                    yield Problem(row.source, f"{what}: its cell in column '{col_id}' is {kind}, which takes no {key}")
                elif col not in shown:
                    yield Problem(
                        row.source, f"{what}: the row does not show column '{col_id}' (show: {list(row.show)})"
                    )
                taking = [c for c in taking if c.id == col_id]
            footed = [c.id for c in taking if c.rounding == "foot"]
            if key == "basis" and value == "displayed" and footed:
                others = ", ".join(f"{c.id}: displayed" for c in taking if c.rounding != "foot")
                hint = f"; name the columns it is for: basis: {{{others}}}" if others else ""
                yield Problem(row.source, f"{what}: column '{footed[0]}' foots ({NOT_FOOTED}){hint}")


def hidden_rows(report: Report, figures: Figures) -> Iterator[Problem]:
    """A plug exists to be seen: hidden, the printed column it makes foot would not."""
    for _, row in _rows(report):
        if row.hidden and row.plug:
            yield Problem(
                row.source,
                f"row '{row.id}' is a plug and hidden: a plug shows the rounding difference "
                "that makes its printed column add up, so it must be printed (drop one of the two)",
            )


def percent_only_rows(report: Report, figures: Figures) -> Iterator[Problem]:
    """On a percent-only statement (a percent_of column with `of: Sheet`), each row with cells
    is a formula naming rows of that sheet: it has no amount of its own to divide. Reported once
    per row, whatever the number of such columns."""
    index = row_index(report)
    sheets = {lay.sheet.casefold(): lay for lay in report.layouts}  # as Excel compares them
    for layout in report.layouts:
        cols = [c for c in layout.columns if c.kind == "percent_of" and c.option("of") is not None]
        # An `of` naming no sheet, or one without amounts, is its column's own error, reported
        # once at its line: the rows are then not checked against it.
        usable = [
            (c, sheets[str(c.option("of")).casefold()])
            for c in cols
            if (other := sheets.get(str(c.option("of")).casefold())) not in (None, layout) and _has_amounts(other)
        ]
        for col, other in usable[1:]:
            if other is not usable[0][1]:
                yield Problem(
                    col.source,
                    f"column '{col.id}': of: {col.option('of')}, but column '{usable[0][0].id}' of the same "
                    f"sheet has of: {usable[0][1].sheet}; a percent-only statement's rows name the rows of one sheet",
                )
        if not cols:
            continue
        of = str(usable[0][1].sheet if usable else cols[0].option("of"))
        for row in layout.rows:
            if not ROW_KINDS[row.kind].has_cells or not any(row.show is None or c.kind in row.show for c in cols):
                continue
            if row.formula is None:
                yield Problem(
                    row.source,
                    f"row '{row.id}' is on sheet '{layout.sheet}', whose column '{cols[0].id}' shows percentages "
                    f"of sheet '{of}' (of: {of}): give it formula: naming the row of '{of}' it shows",
                )
                continue
            for node in walk(row.formula) if usable else ():
                other = index.get(node.row_id, (None,))[0] if isinstance(node, RowRef) else None
                if other is not None and other is not usable[0][1]:
                    yield Problem(
                        row.source,
                        f"row '{row.id}' names '{node.row_id}' of sheet '{other.sheet}', but column "
                        f"'{usable[0][0].id}' shows percentages of sheet '{of}' (of: {of})",
                    )


def text_figures(report: Report, figures: Figures) -> Iterator[Problem]:
    """Text stays on `text: true` lines: a number line given text is refused as a loaded one is
    (15O is a typo, not a word), and no total, formula, base or check may compute with text."""
    from builder.load.data import read_number  # not at import: validation runs without a data file too

    texts = text_lines(report)
    if figures.texts:  # from a file only on text lines; figures given as objects (the API) may hold any
        index = row_index(report)
        for i, text in figures.texts.items():
            line = figures.lines[i]
            if line not in texts and line in index:
                period = figures.period_keys[figures.periods[i]]
                yield Problem(figures.source(i), f"value of '{line}' for {period}: {read_number(text)}")
    # Rows of text that quote figures are text too: nothing computes with them either.
    texts = texts | {row.id for _, row in _rows(report) if row.text is not None}
    if not texts:
        return  # the common case, and a long statement's rows need not be walked again
    for _, row in _rows(report):
        used = [*_row_refs(row), row.percent_base] if row.id is not None else []
        for target in dict.fromkeys(t for t in used if t in texts):
            yield Problem(row.source, f"'{row.id}' computes with '{target}', a row of text, not a figure")
    for layout in report.layouts:
        for col in layout.columns:
            if col.base in texts:
                yield Problem(
                    col.source or layout.source, f"column '{col.id}' takes its base from '{col.base}', a row of text"
                )
        for check in layout.checks:
            for node in (*walk(check.left), *walk(check.right)):
                if isinstance(node, RowRef) and node.row_id in texts:
                    what = f"check '{check.name}' uses '{node.row_id}'"
                    yield Problem(check.source, f"{what}, a row of text, not a figure")
                    break


def to_type(report: Report, figures: Figures) -> Iterator[Problem]:
    """Rows of the data file with an empty value: the figures still to type (as `roll` leaves
    them), listed together with the row's label and the period, each at its data line."""
    from builder.cycle.totype import to_type_problems

    yield from to_type_problems(report, figures, row_index(report))


CHECKS: tuple[Check, ...] = (
    unique_ids,
    sheet_names,
    references,
    no_cycles,
    templates,
    quoting_rows,
    narrative.format_problems,
    input_names,
    page_headers,
    text_lengths,
    data_figures,
    excel_limits,
    typed_percentages,
    text_figures,
    excel_numbers,
    cell_options,
    hidden_rows,
    percent_only_rows,
    declared_rounding,
    chart_problems,  # builder/charts
    to_type,  # last: the figures to type are listed together, after any other problem
)


def validate(report: Report, figures: Figures) -> list[Problem]:
    problems: list[Problem] = []
    for check in CHECKS:
        problems.extend(check(report, figures))
    return problems
