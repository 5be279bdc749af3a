"""Figures still to type: data rows with an empty value (`line,period,`).

`roll` writes one for each figure the new quarter needs and the old data does not hold;
`check` and `build` list them together, with the row's label and the period, until filled.
"""

from __future__ import annotations

from collections.abc import Iterator

from builder.errors import Problem, suggest
from builder.figures import Figures
from builder.kinds import ROW_KINDS
from builder.spec import Report

TO_TYPE = "to type: "


def to_type_problems(report: Report, figures: Figures, index: dict) -> Iterator[Problem]:
    """One problem per empty row: "to type" when the row asks for a figure the report needs,
    otherwise the mistake it is (an unknown line or period, a computed line, a repeat)."""
    keys = {p.key: p for p in report.periods}
    seen: dict[tuple[str, str], int | None] = {}
    for item in figures.to_type:
        period, entry = keys.get(item.period), index.get(item.line)
        typed = figures.find(item.line, item.period)
        if period is None:
            yield Problem(
                item.source,
                f"period '{item.period}' is not one the report declares ({', '.join(keys)})"
                + suggest(item.period, keys),
            )
        elif period.sum_of:
            yield Problem(
                item.source, f"'{item.line}' for {item.period}: {item.period} is a sum_of period, never typed"
            )
        elif entry is None:
            yield Problem(item.source, f"line '{item.line}' is used by no layout; remove this row")
        elif not ROW_KINDS[entry[1].kind].typed(entry[1], period.role):
            yield Problem(
                item.source, f"line '{item.line}' is computed by the layout in {item.period}; remove this row"
            )
        elif typed is not None or (item.line, item.period) in seen:
            first = figures.source(typed).line if typed is not None else seen[(item.line, item.period)]
            yield Problem(item.source, f"'{item.line}' for {item.period} is given twice (first at line {first})")
        else:
            seen[(item.line, item.period)] = item.source.line
            label = entry[1].label or item.line
            yield Problem(item.source, f"{TO_TYPE}{item.line} ({label}) for {item.period} ({period.label})")


def report_lines(problems: list[Problem]) -> list[str]:
    """The lines the command line prints for refused input: every problem as `error: file:line:
    message`, then the figures to type together as `to type: file:line: line (label) for period`,
    then a count of each."""
    errors = [p for p in problems if not p.message.startswith(TO_TYPE)]
    pending = [p for p in problems if p.message.startswith(TO_TYPE)]
    lines = [f"error: {p}" for p in errors]
    lines += [f"{TO_TYPE}{p.source}: {p.message[len(TO_TYPE) :]}" for p in pending]
    counts = [f"{len(errors)} problem(s)"] if errors else []
    counts += [f"{len(pending)} figure(s) to type (fill in their values in the data file)"] if pending else []
    lines.append(f"{'; '.join(counts)}; nothing was written.")
    return lines
