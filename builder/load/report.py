"""Load report.yaml and its layout files into the frozen specification."""

from __future__ import annotations

import datetime as dt
import math
import re
from pathlib import Path
from typing import Any

from builder.charts.load import charts_of
from builder.errors import Problem, ReportError, Source
from builder.expr import ParseError, parse_row_formula
from builder.kinds import COLUMN_KINDS, ROW_KINDS, cell_keys
from builder.load import schema
from builder.load.yamlsrc import load_yaml, shown, source_at
from builder.narrative import load_formats
from builder.spec import Adjustment, Check, Column, Input, Layout, Period, Recast, Report, Row

DEFAULT_NUMBER_FORMAT = "#,##0;(#,##0)"
DEFAULT_PERCENT_FORMAT = "0.0%;(0.0%)"

# style name -> (bold, single rule above the figures, double rule below them)
STYLES = {
    "line": (False, False, False),
    "subtotal": (False, True, False),
    "total": (True, True, False),
    "grand_total": (True, True, True),
}


def _float(value: Any) -> float:
    # A YAML integer too large for a float becomes infinity here, which
    # validate.excel_numbers refuses with its line, rather than an OverflowError.
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf


def _lines(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


# Column fields named otherwise than their YAML keys.
_FIELDS = {"from": "change_from", "to": "change_to"}
# Keys every leaf column takes, whatever its kind.
_COMMON = {"id", "kind", "header", "period", "number_format", "width", "rounding"}


def _columns(
    doc: Any,
    path: list[Any],
    groups: tuple[str, ...],
    period: str | None,
    rounding: str,
    problems: list[Problem],
    period_header: str | None = None,
) -> list[Column]:
    """Flatten nested group / period blocks into leaf columns that know their headers
    (`groups`: the headers of the groups around them, outermost first)."""
    out: list[Column] = []
    for i, item in enumerate(doc):
        where = path + [i]
        if "group" in item and period is not None:
            problems.append(
                Problem(
                    source_at(item, ["group"]),
                    f"group {shown(item['group'])} is inside a period block: a group's header prints above "
                    "the period's, so put the period block inside the group",
                )
            )
        elif "columns" in item and period is not None:
            problems.append(
                Problem(
                    source_at(item, ["period"]),
                    f"a period block ('{item['period']}') inside the period block of '{period}': put them side by side",
                )
            )
        elif "group" in item:
            inner = (*groups, item["group"])
            out += _columns(item["columns"], where + ["columns"], inner, period, rounding, problems)
        elif "columns" in item:
            out += _columns(
                item["columns"], where + ["columns"], groups, item["period"], rounding, problems, item.get("header")
            )
        else:
            kind = COLUMN_KINDS[item["kind"]]
            for key in sorted(set(item) - _COMMON - set(kind.keys)):
                takes = ", ".join(sorted(kind.keys)) or "none"
                problems.append(
                    Problem(
                        source_at(item, [key]),
                        f"column '{item['id']}' ({kind.name}) does not take '{key}' (its own keys: {takes})",
                    )
                )
            if item.get("rounding") == "foot" and not kind.foots:
                footing = " and ".join(k.name for k in COLUMN_KINDS.values() if k.foots)
                problems.append(
                    Problem(
                        source_at(item, ["rounding"]),
                        f"column '{item['id']}' ({kind.name}) cannot foot: only {footing} columns do",
                    )
                )
            given = {_FIELDS.get(key, key): item[key] for key in kind.keys if key in item}
            out.append(
                Column(
                    id=item["id"],
                    kind=kind.name,
                    header=item.get("header", ""),
                    period=item.get("period", period),
                    period_header=period_header,
                    in_period_block=period is not None and "period" not in item,
                    groups=groups,
                    number_format=item.get("number_format"),
                    width=item.get("width"),
                    # A layout's `rounding` applies to the columns that can foot: USD and "%".
                    rounding=item.get("rounding", rounding if kind.foots else "plain"),
                    source=item.source,
                    options=tuple((k, v) for k, v in given.items() if k not in Column._fields),
                    **{k: v for k, v in given.items() if k in Column._fields},
                )
            )
    return out


def _row(item: Any, where: Source, problems: list[Problem]) -> Row | None:
    kinds = [k for k in ROW_KINDS.values() if k.key is not None and k.key in item]
    heading = next((k for k in kinds if not k.has_cells), None)
    if heading is not None:
        extra = sorted(set(item) - {heading.key, "bold", "indent"})
        if extra:
            problems.append(
                Problem(where, f"a {heading.key} row takes only {heading.key}, bold and indent, not {', '.join(extra)}")
            )
            return None
        label = item[heading.key]
        return Row(None, label, heading.name, where, indent=item.get("indent", 0), bold=item.get("bold", True))
    if "id" not in item or "label" not in item:
        problems.append(Problem(where, "a row needs 'id' and 'label' (or is a 'heading')"))
        return None
    if len(kinds) > 1:
        both = " and ".join(f"'{k.key}'" for k in kinds)
        problems.append(Problem(where, f"row '{item['id']}' has both {both}; give one"))
        return None
    bold, rule_above, double_below = STYLES[item.get("style", "line")]
    kind = (kinds[0] if kinds else ROW_KINDS["input"]).variant(item)
    fields = kind.fields(item, where, problems)
    if fields is None:
        return None
    return Row(
        id=item["id"],
        label=item["label"],
        kind=kind.name,
        source=where,
        indent=item.get("indent", 0),
        bold=item.get("bold", bold),
        rule_above=rule_above,
        double_rule_below=double_below,
        show=tuple(item["show"]) if "show" in item else kind.default_show,
        # A mapping ({pct: "0.0%"}) formats the cells of those columns: a cell option (builder.kinds).
        number_format=item["number_format"] if isinstance(item.get("number_format"), str) else None,
        missing=item.get("missing", "error"),
        percent_base=item.get("percent_base"),
        input_periods=tuple(item.get("input_periods", ())),
        plug=item.get("plug", False),
        hidden=item.get("hidden", False),
        column_kinds=tuple(item.get("kind", {}).items()),
        cell_options=tuple(_cell_options(item)),
        **fields,
    )


def _cell_options(item: Any):
    """Column kinds' keys a row gives for its own cells: one value for all, or one per column id."""
    for key in cell_keys():
        value = item.get(key)
        if isinstance(value, dict):
            yield from ((key, col_id, v) for col_id, v in value.items())
        elif value is not None:
            yield key, None, value


_KEYS = {"layout": "sheet, columns, rows", "report": "company, periods, layouts, data"}


def _load_mapping(path: Path, what: str) -> Any:
    """A YAML file whose document must be a mapping; anything else is named, never quoted
    (the path may point at a file that is not ours to show)."""
    doc = load_yaml(path)
    if isinstance(doc, dict):
        return doc
    if isinstance(doc, list):
        found = "a list"
    elif isinstance(doc, str):
        found = "text"
    elif isinstance(doc, bool):
        found = "true or false"
    elif doc is None:
        found = "nothing (null)"
    else:
        found = "a number"
    where = getattr(doc, "source", None) or Source(str(path), 1)
    raise ReportError(Problem(where, f"a {what} file must be a mapping of keys ({_KEYS[what]}, ...); found {found}"))


def load_layout(path: Path) -> Layout:
    doc = _load_mapping(path, "layout")
    problems = schema.check(doc, "layout")
    if problems:
        raise ReportError(problems)
    rows = []
    for i, item in enumerate(doc["rows"]):
        row = _row(item, doc["rows"].item_source(i), problems)
        if row is not None:
            rows.append(row)
    checks = []
    for i, item in enumerate(doc.get("checks", [])):
        sides = []
        for side in ("left", "right"):
            try:
                sides.append(parse_row_formula(str(item[side])))
            except ParseError as exc:
                problems.append(Problem(source_at(item, [side]), str(exc)))
        if len(sides) == 2:
            periods = tuple(item["periods"]) if "periods" in item else None
            where = doc["checks"].item_source(i)
            checks.append(Check(item["name"], sides[0], sides[1], _float(item.get("tolerance", 0)), periods, where))
    columns = _columns(doc["columns"], ["columns"], (), None, doc.get("rounding", "plain"), problems)
    if problems:
        raise ReportError(problems)
    return Layout(
        sheet=doc["sheet"],
        title=_lines(doc.get("title")),
        subtitle=_lines(doc.get("subtitle")),
        number_format=doc.get("number_format", DEFAULT_NUMBER_FORMAT),
        percent_format=doc.get("percent_format", DEFAULT_PERCENT_FORMAT),
        columns=tuple(columns),
        rows=tuple(rows),
        notes=_lines(doc.get("notes")),
        source=Source(str(path), 1),
        checks=tuple(checks),
        scale=_float(doc.get("scale", 1.0)),
        unaudited=doc.get("unaudited", False),
        page_header=doc.get("page_header", "all"),
        sheet_source=source_at(doc, ["sheet"]),
        text_sources=tuple(_text_sources(doc)),
        adjustments=tuple(
            Adjustment(a["row"], a["column"], a["units"], a["note"], doc["adjust"].item_source(i))
            for i, a in enumerate(doc.get("adjust", ()))
        ),
        charts=charts_of(doc),
    )


def _text_sources(doc: Any):
    for key in ("title", "subtitle", "notes"):
        value = doc.get(key)
        if isinstance(value, str):
            yield value, source_at(doc, [key])
        elif value is not None:
            yield from ((item, value.item_source(i)) for i, item in enumerate(value))


def _date(doc) -> dt.date | None:
    """The report's date, written as YYYY-MM-DD."""
    text = doc.get("date")
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(str(text))
    except ValueError:
        where = source_at(doc, ["date"])
        raise ReportError(Problem(where, f"date: expected a date such as 2004-11-11, found {shown(text)}")) from None


def _not_a_file(path: Path) -> str | None:
    """Why `path` cannot be read as a file, or None."""
    if path.is_dir():
        return "is a folder; expected a file"
    if not path.is_file():
        return "not found" if not path.exists() else "is not a regular file"
    return None


def load_report(path: Path) -> Report:
    """Read report.yaml and every layout it names; every problem found is raised together."""
    path = Path(path)
    doc = _load_mapping(path, "report")
    problems = schema.check(doc, "report")
    if problems:
        raise ReportError(problems)
    base = path.parent
    layouts: list[Layout] = []
    for i, name in enumerate(doc["layouts"]):
        layout_path = base / name
        missing = _not_a_file(layout_path)
        if missing:
            problems.append(Problem(doc["layouts"].item_source(i), f"layout file {layout_path} {missing}"))
            continue
        try:
            layouts.append(load_layout(layout_path))
        except ReportError as exc:
            problems += exc.problems
    data_path = base / doc["data"]
    missing = _not_a_file(data_path)
    if missing:
        problems.append(Problem(source_at(doc, ["data"]), f"data file {data_path} {missing}"))
    if problems:
        raise ReportError(problems)
    periods = tuple(
        Period(role, str(spec["key"]), spec["label"], source_at(doc, ["periods", role]), tuple(spec.get("sum_of", ())))
        for role, spec in doc["periods"].items()
    )
    layouts = _period_headers(layouts, periods, problems)
    if problems:
        raise ReportError(problems)
    inputs = tuple(
        Input(
            name=name,
            value=_float(spec["value"]) if isinstance(spec["value"], int | float) else spec["value"],
            label=spec.get("label", ""),
            number_format=spec.get("format"),
            source=source_at(doc, ["inputs", name]),
        )
        for name, spec in doc.get("inputs", {}).items()
    )
    date = _date(doc)
    return Report(
        title=doc.get("title", doc["company"]),
        company=doc["company"],
        date=date,
        periods=periods,
        inputs=inputs,
        layouts=tuple(layouts),
        data_path=str(data_path),
        source=Source(str(path), 1),
        subject=doc.get("subject", "Financial statements"),
        key_totals=tuple(doc.get("key_totals", ())),
        formats=load_formats(doc),
        published=tuple(
            (str(base / name), doc["published"].item_source(i)) for i, name in enumerate(doc.get("published", ()))
        ),
        recast=tuple(
            Recast(item["line"], str(item["period"]), item["note"], doc["recast"].item_source(i))
            for i, item in enumerate(doc.get("recast", ()))
        ),
        reviewer_conventions=doc.get("reviewer_conventions", True),
    )


_QUOTED_PERIOD = re.compile(r"\{([^{}]*)\}")


def _period_headers(layouts: list[Layout], periods: tuple[Period, ...], problems: list[Problem]) -> list[Layout]:
    """Column and period-block headers may quote a period: `{current.key}` its data key (2Q04),
    `{current}` its label. Filled in here, once the report's periods are known, so that every
    later stage sees the text that prints, and a rolled report's headers follow its periods."""
    by_role = {p.role: p for p in periods}

    def fill(text: str | None, col: Column, layout: Layout) -> str | None:
        if not text or "{" not in text:
            return text

        def one(match: re.Match) -> str:
            role, _, member = match.group(1).partition(".")
            period = by_role.get(role)
            if period is None or member not in ("", "key"):
                roles = ", ".join(f"{{{r}}}, {{{r}.key}}" for r in by_role)
                problems.append(
                    Problem(
                        col.source or layout.source,
                        f"column '{col.id}': header {text!r} quotes {{{match.group(1)}}}; a header may quote a "
                        f"period's label or key: {roles}",
                    )
                )
                return match.group(0)
            return period.key if member else period.label

        return _QUOTED_PERIOD.sub(one, text)

    out = []
    for layout in layouts:
        columns = []
        for col in layout.columns:
            header, period_header = fill(col.header, col, layout), fill(col.period_header, col, layout)
            if (header, period_header) != (col.header, col.period_header):
                col = col._replace(
                    header=header, period_header=period_header, written_headers=(col.header, col.period_header)
                )
            columns.append(col)
        out.append(layout._replace(columns=tuple(columns)))
    return out
