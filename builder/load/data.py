"""Read the typed figures: tidy CSV (line,period,value), wide CSV (line plus one column per
period), an Excel sheet, or a pandas DataFrame. Every figure keeps where it came from."""

from __future__ import annotations

import csv as _csv  # the standard module: reading a CSV needs no pandas import
import re
from collections.abc import Iterable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple

from builder.errors import Problem, ReportError, Source
from builder.figures import Figures, PercentFigure
from builder.load.yamlsrc import not_utf8
from builder.numbers import EXCEL_DIGITS, EXCEL_LARGEST, EXCEL_SMALLEST, TOO_SMALL, beyond_excel, significant_digits
from builder.spec import Figure

TIDY = ("line", "period", "value")
ENTITY = "entity"
# What a finance user types into Excel as a number: ASCII digits, an optional sign, a
# decimal point, an exponent (Excel reads 1E5 as 100000), thousands grouped with commas,
# one % sign. Python's float() takes more (1_000, inf, nan, other scripts' digits), none
# of which Excel reads as a number.
_PLAIN_DIGITS = r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?"
_GROUPED_DIGITS = r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?"
_PLAIN = re.compile(r"[-+]?" + _PLAIN_DIGITS)
_GROUPED = re.compile(r"[-+]?" + _GROUPED_DIGITS)
_UNSIGNED = re.compile(_PLAIN_DIGITS + "|" + _GROUPED_DIGITS)
_NOT_EXCEL = re.compile(r"[-+]?(inf|infinity|nan)", re.IGNORECASE)


class ToType(NamedTuple):
    """A data row with an empty value (line,period,): a figure still to be typed."""

    line: str
    period: str
    source: Source
    entity: str | None = None


def parse_number(text: Any) -> float | None:
    """A figure as typed: 2832355, -10188, 110.20, 2,832,355, 86.9%, (1,234) or $35,082.
    None if it is not a number."""
    number = read_number(text)
    return number[0] if isinstance(number, tuple) else None


def read_number(text: Any) -> tuple[float, bool] | str:
    """(the figure, whether it was typed with a % sign), or why it is refused.

    Text must be a number Excel would read, of at most 15 significant digits, within
    Excel's range: a figure is never stored other than as typed. A number that arrives as
    a float (an Excel cell, a DataFrame) is Excel's kind of number already; only its
    range is checked."""
    if isinstance(text, bool):
        return f"expected a number, found {text!r}"
    if isinstance(text, float):
        why = beyond_excel(text)
        return f"{float(text)!r} {why}" if why else (float(text), False)
    typed = str(text).strip(" \t")  # spaces around a figure are not part of it, in Excel either
    percent = typed.endswith("%")
    body = typed[:-1].rstrip(" ") if percent else typed
    if not (_PLAIN.fullmatch(body) or _GROUPED.fullmatch(body)):
        # Tried only when the plain forms fail: a long statement has a million plain figures.
        undressed = _undress(typed)
        if undressed is None:
            return f"expected a number, found {text!r}{_hint(typed)}"
        body, percent = undressed
    # Counting digits only when there may be too many: a long statement has a million figures.
    if len(body) > EXCEL_DIGITS and (digits := significant_digits(body)) > EXCEL_DIGITS:
        return f"{_shown(typed)} has {digits} significant digits; Excel keeps {EXCEL_DIGITS}, so it would be altered"
    if percent:
        # In decimal, then to the nearest double: 86.9% is 0.869 as Excel holds it; float
        # division would give 0.8690000000000001, a figure other than the one typed.
        value = float(Decimal(body.replace(",", "")) / 100)
    else:
        value = float(body.replace(",", ""))
    if EXCEL_SMALLEST <= abs(value) <= EXCEL_LARGEST:
        return value, percent
    if value == 0 and not significant_digits(body):
        return 0.0, percent  # -0 and (0) are 0 to Excel, which has no negative zero
    why = TOO_SMALL if value == 0 else beyond_excel(value)  # 1e-400 reads as 0.0
    return f"{_shown(typed)} {why}" if why else (value, percent)


# Currency signs taken before a figure, as English-language releases and Excel's currency
# formats print them. A sign is presentation only: the figure is the number after it, in
# whatever currency the report's columns say. A sign written after the number (12,50 €)
# belongs to locales whose comma is a decimal point, which a figure here cannot be.
CURRENCY = "$€£¥"


def _undress(typed: str) -> tuple[str, bool] | None:
    """A figure as Excel's "Save as CSV" writes a formatted cell, as (the plain number, whether
    it carries a % sign), or None. Parentheses mean negative and nothing else; a currency
    sign means nothing. Accepted: (1,234), $35,082, -$35,082, ($1,234.50), $ (1,234) (an
    accounting format) and (12.5%). One sign of each kind at most, and no parentheses
    around a signed number: (-5) and $$5 are not figures anyone typed on purpose."""
    if not typed:
        return None  # '' is "in" every string below: an empty value would pass for a sign
    rest, sign = typed, ""
    if rest[:1] in "+-" and rest[1:2] in CURRENCY:  # -$35,082
        sign, rest = rest[0], rest[1:]
    currency = rest[:1] in CURRENCY
    if currency:
        rest = rest[1:].lstrip(" ")  # $ (1,234): an accounting format pads after the sign
    if rest.startswith("(") and rest.endswith(")"):
        if sign:
            return None
        sign, rest = "-", rest[1:-1]
        if not currency and rest[:1] in CURRENCY:  # ($1,234.50)
            currency, rest = True, rest[1:].lstrip(" ")
    percent = rest.endswith("%")
    if percent:
        rest = rest[:-1].rstrip(" ")
    if (currency and percent) or not _UNSIGNED.fullmatch(rest):
        return None
    return sign + rest, percent


def _shown(typed: str) -> str:
    return repr(typed if len(typed) <= 40 else typed[:20] + "..." + typed[-10:])


def _hint(typed: str) -> str:
    if typed.count("(") != typed.count(")"):
        return " (a parenthesis is not closed: a negative figure is written (1,234) or -1,234)"
    if sum(typed.count(sign) for sign in CURRENCY) > 1:
        return " (one currency sign at most, before the number: $35,082)"
    if typed.count("%") > 1:
        return " (one % sign at most)"
    if any(sign in typed for sign in CURRENCY) and "%" in typed:
        return " (a percentage takes no currency sign)"
    if any(typed.startswith(sign + "-") or typed.startswith(sign + "+") for sign in CURRENCY):
        return " (the minus sign goes before the currency sign: -$35,082, or ($35,082))"
    if typed.strip(CURRENCY + " ") in ("-", "\u2013", "\u2014"):
        return " (a dash is not a number; type 0)"
    if re.search(r"[0-9],(?![0-9]{3}(?![0-9]))", typed):
        return " (commas group digits in threes: 1,234 or 1234; the decimal point is '.')"
    if "_" in typed:
        return " ('_' does not group digits in Excel: write 1000 or 1,000)"
    if _NOT_EXCEL.fullmatch(typed.strip("()% " + CURRENCY)):
        return " (Excel has no infinity or NaN)"
    if any(ch.isdigit() and not "0" <= ch <= "9" for ch in typed):
        return " (write the digits 0-9)"
    return ""


def load_figures(data: Path | str | Any, text_lines: frozenset[str] = frozenset()) -> Figures:
    """Every figure with its source; all malformed lines are reported together.

    `data` is a path (.csv, .xlsx) or a pandas DataFrame; an `entity` column is refused
    (that is a batch: `load_entities`). A figure of a line in `text_lines` (a layout's
    `text: true` rows) is its text, verbatim; every other figure must be a number.
    """
    figures, problems = Figures(), []
    for item in _figures(*_read(data), entities=False, text_lines=text_lines):
        if isinstance(item, Figure):
            figures.append(item)
        elif isinstance(item, ToType):
            figures.to_type.append(item)  # listed by validate, with the row's label
        else:
            problems.append(item[1])
    if problems:
        raise ReportError(problems)
    return figures


def load_entities(
    data: Path | str | Any, text_lines: frozenset[str] = frozenset()
) -> dict[str, tuple[Figures, list[Problem]]]:
    """A batch's figures by entity, in order of first appearance. A malformed line is a
    problem of its entity only, so one entity's bad data never stops the others."""
    out: dict[str, tuple[Figures, list[Problem]]] = {}
    for item in _figures(*_read(data), entities=True, text_lines=text_lines):
        if isinstance(item, ToType):
            item = item.entity, Problem(item.source, f"to type: '{item.line}' for {item.period} has no value yet")
        entity = item.entity if isinstance(item, Figure) else item[0]
        figures, problems = out.setdefault(entity or "", (Figures(), []))
        if isinstance(item, Figure):
            figures.append(item)
        else:
            problems.append(item[1])
    return out


def _read(data: Path | str | Any):
    if hasattr(data, "columns") and hasattr(data, "itertuples"):
        header, rows = _from_frame(data)
    else:
        path = Path(data)
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            header, rows = _from_excel(path)
        else:
            header, rows = _from_csv(path)
    return header, rows


def _from_csv(path: Path) -> tuple[tuple[list[str], Source], Iterator]:
    # The standard csv module reads a CSV without the cost of importing pandas (a quarter
    # of a second), which matters to `check` in an editor hook; DataFrames are taken as they are.
    try:
        handle = open(path, encoding="utf-8-sig", newline="")
    except FileNotFoundError:
        raise ReportError(Problem(Source(str(path)), "data file not found")) from None
    except IsADirectoryError:
        raise ReportError(Problem(Source(str(path)), "the data file is a folder; expected a file")) from None
    except OSError as exc:
        raise ReportError(Problem(Source(str(path)), f"cannot read the data file: {exc.strerror or exc}")) from None
    reader = _csv.reader(handle)
    file = str(path)  # one string for every figure's source, not one each
    try:
        header = next((row for row in reader if any(cell.strip() for cell in row)), None)
    except UnicodeDecodeError:
        handle.close()
        raise ReportError(_not_utf8(path)) from None
    except _csv.Error as exc:
        handle.close()
        raise ReportError(Problem(Source(file, reader.line_num), f"cannot read the data file as CSV: {exc}")) from None
    if header is None:
        handle.close()
        raise ReportError(Problem(Source(file, 1), "the data file is empty"))
    return (header, Source(file, reader.line_num)), _csv_rows(handle, reader, file, len(header))


def _csv_rows(handle, reader, file: str, width: int) -> Iterator:
    """The rows after the header, read as they are used: a large file is never held whole.
    Rows with the wrong number of fields are reported together, after the last row."""
    problems = []
    with handle:
        try:
            for row in reader:
                if not any(cell.strip() for cell in row):
                    continue
                if len(row) != width:
                    found = f"expected {width} fields, found {len(row)}"
                    problems.append(Problem(Source(file, reader.line_num), found))
                elif not problems:
                    yield Source(file, reader.line_num), row
        except UnicodeDecodeError:
            raise ReportError(_not_utf8(Path(file))) from None
        except _csv.Error as exc:
            where = Source(file, reader.line_num)
            raise ReportError(Problem(where, f"cannot read the data file as CSV: {exc}")) from None
    if problems:
        raise ReportError(problems)


def _not_utf8(path: Path) -> Problem:
    """The first line that is not UTF-8. The text decoder reports an offset into its
    buffer, not the file, so the file is read again line by line (only when it fails)."""
    with open(path, "rb") as raw:
        for n, line in enumerate(raw, start=1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError as exc:
                problem = not_utf8(str(path), line, exc)
                return Problem(Source(str(path), n, problem.source.column), problem.message)
    return Problem(Source(str(path)), "the file is not UTF-8 text; save it as UTF-8")


def _from_excel(path: Path) -> tuple[tuple[list[str], Source], Iterator]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except FileNotFoundError:
        raise ReportError(Problem(Source(str(path)), "data file not found")) from None
    except IsADirectoryError:
        raise ReportError(Problem(Source(str(path)), "the data file is a folder; expected a file")) from None
    except Exception as exc:  # openpyxl raises several types for a file that is not a workbook
        raise ReportError(Problem(Source(str(path)), f"cannot read the data file as a workbook: {exc}")) from None
    sheet = book["data"] if "data" in book.sheetnames else book.worksheets[0]
    values = sheet.iter_rows(values_only=True)
    header = [str(c) if c is not None else "" for c in next(values, ())]
    where = f"{path}[{sheet.title}]"
    rows = (
        (Source(where, n), tuple("" if v is None else v for v in row))
        for n, row in enumerate(values, start=2)
        if any(v not in (None, "") for v in row)
    )
    return (header, Source(where, 1)), rows


def _from_frame(frame) -> tuple[tuple[list[str], Source], Iterator]:
    rows = ((Source("<DataFrame>", n), row) for n, row in enumerate(frame.itertuples(index=False, name=None), start=2))
    return ([str(c) for c in frame.columns], Source("<DataFrame>", 1)), rows


def _unexpected_header(header: list[str]) -> str:
    """What is wrong with a first line that is not a data file's header, without quoting it:
    `data:` may point at any file (/etc/shadow), and an error must not show its content.
    Only the column names the builder knows are named."""
    known = [c for c in (*TIDY, ENTITY) if c in header]
    has = f"has the column(s) {', '.join(known)}" if known else "names none of line, period, value"
    return (
        f"expected a header line of the columns line,period,value or line plus one column per period; "
        f"the first line has {len(header)} column(s) and {has}"
    )


def _figures(
    header_info, rows: Iterable, entities: bool, text_lines: frozenset[str] = frozenset()
) -> Iterator[Figure | ToType | tuple[str | None, Problem]]:
    """Figures, and (entity, problem) for each malformed line."""
    header, where = header_info
    header = [c.strip() for c in header]
    has_entity = ENTITY in header
    if entities and not has_entity:
        raise ReportError(Problem(where, "a batch needs an 'entity' column naming whose figure each line is"))
    if has_entity and not entities:
        raise ReportError(Problem(where, "the data has an 'entity' column: build it with `report-builder batch`"))
    keys = [c for c in header if c != ENTITY]
    tidy = set(TIDY) <= set(keys)
    if tidy and len(keys) != len(TIDY):
        extra = ", ".join(c for c in keys if c not in TIDY)
        raise ReportError(Problem(where, f"expected the columns line,period,value (and entity), found also {extra}"))
    if not tidy and ("line" not in keys or len(keys) < 2 or "period" in keys or "value" in keys):
        raise ReportError(Problem(where, _unexpected_header(header)))
    index = {c: i for i, c in enumerate(header)}
    periods = [c for c in keys if c != "line"]
    seen: dict[str, str] = {}  # one string per distinct line id and period, however many figures share it
    for source, values in rows:
        entity = str(values[index[ENTITY]]).strip() if has_entity else None
        line = str(values[index["line"]]).strip()
        line = seen.setdefault(line, line)
        cells = (
            [(values[index["period"]], values[index["value"]])] if tidy else [(p, values[index[p]]) for p in periods]
        )
        for period, value in cells:
            period = str(period).strip()
            period = seen.setdefault(period, period)
            if not tidy and value in ("", None):
                continue  # a wide file leaves a period blank where there is no figure
            if tidy and (value is None or (isinstance(value, str) and not value.strip(" \t"))):
                # line,period, with no value: a figure still to type (`roll` writes these); listed, not guessed.
                if line and period and (entity or not has_entity):
                    yield ToType(line, period, source, entity)
                    continue
            number = _text(value) if line in text_lines else read_number(value)
            if has_entity and not entity:
                yield entity, Problem(source, "the entity is empty")
            elif not line:
                yield entity, Problem(source, "the line id is empty")
            elif not period:
                yield entity, Problem(source, f"the period of '{line}' is empty")
            elif isinstance(number, str):
                yield entity, Problem(source, f"value of '{line}' for {period}: {number}")
            elif number[0] is None:
                yield (
                    entity,
                    Problem(source, f"the text of '{line}' for {period} is empty (write the text to show: N/A, --)"),
                )
            else:
                yield (PercentFigure if number[1] else Figure)(line, period, number[0], source, entity)


def _text(value: Any) -> tuple[str | None, bool]:
    """A text line's figure as (its text, False): what was typed, unaltered. A number from an
    Excel cell is written as Excel's General format shows it (15 significant digits)."""
    if isinstance(value, float):
        return (f"{value:.15g}", False) if value == value else (None, False)  # NaN: a DataFrame's blank
    text = "" if value is None else str(value)
    return (text if text.strip() else None), False
