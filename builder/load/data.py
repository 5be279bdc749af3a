"""Read the tidy data file (line, period, value): only figures a person typed in."""

from __future__ import annotations

import math
import re
from pathlib import Path

from builder.errors import Problem, ReportError, Source
from builder.spec import Figure

COLUMNS = ("line", "period", "value")
_GROUPED = re.compile(r"^[-+]?\d{1,3}(,\d{3})+(\.\d+)?$")


def parse_number(text: str) -> float | None:
    """A figure as typed: 2832355, -10188, 110.20, 2,832,355 or 86.9%. None if it is not a number."""
    text = text.strip()
    if text.endswith("%"):
        number = parse_number(text[:-1])
        return None if number is None else number / 100
    if _GROUPED.match(text):
        text = text.replace(",", "")
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def load_figures(path: Path) -> list[Figure]:
    """Every figure of the CSV with its file:line; all malformed lines are reported together."""
    import pandas as pd  # imported here: `check` and `--help` should not pay for pandas

    path = Path(path)
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, skip_blank_lines=True)
    except FileNotFoundError:
        raise ReportError(Problem(Source(str(path)), "data file not found")) from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise ReportError(Problem(Source(str(path)), f"cannot read the data file as CSV: {exc}")) from None
    header = [c.strip() for c in frame.columns]
    missing = [c for c in COLUMNS if c not in header]
    extra = [c for c in header if c not in COLUMNS]
    if missing or extra:
        expected = ",".join(COLUMNS)
        found = ",".join(header)
        raise ReportError(Problem(Source(str(path), 1), f"expected the columns {expected}, found {found}"))
    frame.columns = header
    figures, problems = [], []
    # pandas drops blank lines, so the file's own line numbers come from the index only
    # when there are none; count them from the text instead.
    lines = _data_line_numbers(path)
    for index, (line, period, value) in enumerate(frame[list(COLUMNS)].itertuples(index=False)):
        where = Source(str(path), lines[index] if index < len(lines) else index + 2)
        line, period = line.strip(), period.strip()
        number = parse_number(value)
        if not line:
            problems.append(Problem(where, "the line id is empty"))
        elif not period:
            problems.append(Problem(where, f"the period of '{line}' is empty"))
        elif number is None:
            problems.append(Problem(where, f"value of '{line}' for {period}: expected a number, found {value!r}"))
        else:
            figures.append(Figure(line, period, number, where))
    if problems:
        raise ReportError(problems)
    return figures


def _data_line_numbers(path: Path) -> list[int]:
    """1-based line numbers of the non-blank data lines (after the header)."""
    with open(path, encoding="utf-8", newline="") as handle:
        numbers = [n for n, text in enumerate(handle, start=1) if text.strip()]
    return numbers[1:]
