"""Live narrative: text that quotes figures in named formats, with words chosen by sign.

A sentence row (`sentence: "Revenue totaled JPY {total_revenues:millions} million, ..."`)
is a row of text like `text: "..."` rows, quoted by the same mechanism
(builder.resolve's `template`): this module only reads the richer fields it allows,

- `{row[period]}` a row's figure in another period, `{row.column}` its cell in a column
  of its own sheet (`{total_revenues.yoy}`), `{period.key}` a period's data key (2Q04);
- `{row:name}` a figure in a format named under `formats:` in report.yaml: a `scale` the
  cell's value is multiplied by, a plain number `format`, a `suffix`, and `positive` /
  `negative` words chosen live by the figure's sign, the figure then shown without its
  sign: `IF(J18<0,"a decrease of ","an increase of ")&TEXT(ABS(J18)*100,"0.0")&"%"`
  (`absolute: true` shows it unsigned where other words of the sentence carry the sign).

Each field is an Expr, rendered as formula text and evaluated to the stored value like
every other cell (builder.expr), so the sentence LibreOffice recalculates is the one stored.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, NamedTuple

from builder.errors import Problem, Source, suggest
from builder.excel_limits import MAX_FORMULA_STRING, utf16_len
from builder.expr import Bin, Call, Expr, Num, RowRef, Str, is_plain_number_format
from builder.numbers import EXCEL_DIGITS, beyond_excel, float_digits

if TYPE_CHECKING:
    from builder.figures import Figures
    from builder.spec import Layout, Report

WORDS = {"type": "string", "maxLength": MAX_FORMULA_STRING}
FORMATS_SCHEMA = {
    "type": "object",
    "propertyNames": {"type": "string", "pattern": r"^[A-Za-z_][A-Za-z0-9_]*$"},
    "additionalProperties": {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "scale": {"type": "number", "exclusiveMinimum": 0},
            "format": {"type": "string", "minLength": 1, "maxLength": 255},
            "suffix": WORDS,
            "positive": WORDS,
            "negative": WORDS,
            "absolute": {"type": "boolean"},
        },
    },
}


class NamedFormat(NamedTuple):
    name: str
    source: Source
    scale: float = 1.0  # the cell's value times this: 0.001 shows thousands as millions, 100 a ratio as %
    format: str | None = None  # a plain number format (0, 0.0, #,##0...); None: the words alone
    suffix: str = ""
    positive: str | None = None  # words for a figure of zero or more; with `negative`, the
    negative: str | None = None  # figure is shown without its sign (the words carry it)
    absolute: bool = False  # the figure without its sign: words elsewhere in the sentence carry it

    @property
    def signed_words(self) -> bool:
        return self.positive is not None or self.negative is not None


def load_formats(doc: Any) -> tuple[NamedFormat, ...]:
    """The `formats:` of a report.yaml (already checked against FORMATS_SCHEMA)."""
    from builder.load.yamlsrc import source_at

    formats = doc.get("formats") or {}
    return tuple(
        NamedFormat(
            name=name,
            source=source_at(doc, ["formats", name]),
            scale=float(spec.get("scale", 1.0)),
            format=spec.get("format"),
            suffix=spec.get("suffix", ""),
            positive=spec.get("positive"),
            negative=spec.get("negative"),
            absolute=spec.get("absolute", False),
        )
        for name, spec in formats.items()
    )


class Field(NamedTuple):
    name: str  # a row id, a period role or an input
    period: str | None = None  # row[period]
    member: str | None = None  # row.column, or period.key


_FIELD = re.compile(r"^([A-Za-z_]\w*)(?:\[([A-Za-z_]\w*)\])?(?:\.([A-Za-z_]\w*))?$", re.ASCII)
NOT_MINE = object()  # a field the plain quoting handles ({row:0.00}, {company}, {fx_rate:0.00})


def parse_field(text: str) -> Field | None:
    found = _FIELD.match(text)
    return None if found is None else Field(*found.groups())


def _format(report: Report, name: str) -> NamedFormat | None:
    return next((f for f in getattr(report, "formats", ()) if f.name == name), None)


def _mine(report: Report, field: Field | None, spec: str) -> bool:
    if field is None:
        return False
    return field.period is not None or field.member is not None or _format(report, spec) is not None


def field_expr(res: Any, text: str, spec: str, role: str | None, where: Source) -> Expr | None | object:
    """A sentence's field as an Expr (Str for fixed text), None if a quoted row has no figure
    in the period (the resolver notes the problem), or NOT_MINE for a plain field."""
    field = parse_field(text)
    if role is None or not _mine(res.report, field, spec):
        return NOT_MINE
    period = res.report.period(field.name)
    if period is not None and field.member == "key":
        return Str(period.key)
    bound = res.bind(RowRef(field.name, field.period, field.member), role, where)
    if bound is None:
        return None
    fmt = _format(res.report, spec)
    if fmt is None:  # a plain number format, as in a `text:` row
        return Call("TEXT", (bound, Str(spec)))
    return quote(bound, fmt)


def _scaled(expr: Expr, scale: float) -> Expr:
    # Divided where the scale is a whole fraction (0.001: /1000), as the tables in millions
    # divide, so that a sentence and its table round the same figure.
    if scale == 1:
        return expr
    if scale < 1 and (1 / scale).is_integer():
        return Bin("/", expr, Num(1 / scale))
    return Bin("*", expr, Num(scale))


def quote(figure: Expr, fmt: NamedFormat) -> Expr:
    """A figure in a named format: words by its sign, then its number and suffix."""
    pieces: list[Expr] = []
    if fmt.signed_words:
        negative = Bin("<", figure, Num(0))
        pieces.append(Call("IF", (negative, Str(fmt.negative or ""), Str(fmt.positive or ""))))
    if fmt.format is not None:
        shown = Call("ABS", (figure,)) if fmt.signed_words or fmt.absolute else figure
        pieces.append(Call("TEXT", (_scaled(shown, fmt.scale), Str(fmt.format))))
    if fmt.suffix:
        pieces.append(Str(fmt.suffix))
    expr = pieces[0] if pieces else Str("")
    for piece in pieces[1:]:
        expr = Bin("&", expr, piece)
    return expr


# ---------------------------------------------------------------- validation


def field_problem(report: Report, index: dict, text: str, spec: str) -> str | None | object:
    """What is wrong with a richer field of a row of text (None: nothing), or NOT_MINE."""
    field = parse_field(text)
    if not _mine(report, field, spec):
        return NOT_MINE
    shown = f"{{{text}{':' + spec if spec else ''}}}"
    period = report.period(field.name)
    if field.name in index:
        problem = _row_field_problem(report, index[field.name], field, shown)
        if problem:
            return problem
    elif period is not None:
        if field.member == "key" and field.period is None:
            return f"quotes {shown}: a period's key takes no format" if spec else None
        return f"quotes {shown}: a period is quoted as {{{field.name}}} (its label) or {{{field.name}.key}}"
    elif report.input(field.name) is not None:
        if field.period is not None or field.member is not None:
            return f"quotes {shown}: '{field.name}' is an input, which has no periods or columns"
    else:
        # `{curent.key}` meant a period; `{total_revenue}` a row: suggest among what the field's shape asks for.
        periods = [p.role for p in report.periods]
        known = periods if field.member == "key" else [*sorted(index), *periods]
        return f"quotes {shown}: '{field.name}' is not a row or a period{suggest(field.name, known)}"
    if not spec or (_format(report, spec) is None and not is_plain_number_format(spec)):
        declared = [f.name for f in getattr(report, "formats", ())]
        names = ", ".join(declared) or "none declared"
        return (
            f"quotes {shown}: a figure is quoted in a format named under formats: in report.yaml "
            f"({names}) or a number format such as 0.00 or #,##0{suggest(spec, declared) if spec else ''}"
        )
    return None


def _row_field_problem(report: Report, found: tuple, field: Field, shown: str) -> str | None:
    """A row's figure in another period (declared), or its cell in a column it shows."""
    layout, row = found
    if field.period is not None and report.period(field.period) is None:
        roles = [p.role for p in report.periods]
        return f"quotes {shown}: period '{field.period}' is not declared{suggest(field.period, roles)}"
    if field.member is not None:
        if field.period is not None:
            return f"quotes {shown}: name a period or a column, not both (a column has its own period)"
        col = next((c for c in layout.columns if c.id == field.member), None)
        if col is None:
            ids = [c.id for c in layout.columns]
            return f"quotes {shown}: sheet '{layout.sheet}' has no column '{field.member}'{suggest(field.member, ids)}"
        if row.show is not None and row.kind_in(col) not in row.show:
            return f"quotes {shown}: row '{row.id}' shows nothing in column '{col.id}'"
    return None


def format_problems(report: Report, figures: Figures) -> Iterator[Problem]:
    """A named format shows a figure as TEXT() shows it alike in Excel, LibreOffice and the
    stored value (a plain number format), by a scale Excel can hold as written."""
    for fmt in getattr(report, "formats", ()):
        if fmt.format is not None and not is_plain_number_format(fmt.format):
            yield Problem(
                fmt.source,
                f"format '{fmt.name}': {fmt.format!r} is not a plain number format (0, 0.0, #,##0, #,##0.00...); "
                "put words in positive, negative or suffix",
            )
        if fmt.format is None and not fmt.signed_words:
            yield Problem(
                fmt.source, f"format '{fmt.name}' shows nothing: give a format, or positive and negative words"
            )
        if fmt.signed_words and (fmt.positive is None or fmt.negative is None):
            yield Problem(fmt.source, f"format '{fmt.name}': give both positive and negative words")
        why = beyond_excel(fmt.scale) if math.isfinite(fmt.scale) else "is not a finite number"
        if why is None and float_digits(fmt.scale) > EXCEL_DIGITS:
            why = f"has more than {EXCEL_DIGITS} significant digits"
        if why:
            yield Problem(fmt.source, f"format '{fmt.name}': scale {fmt.scale!r} {why}")
        for words in (fmt.positive, fmt.negative, fmt.suffix):
            if words and utf16_len(words) > MAX_FORMULA_STRING:  # the schema counts code points
                yield Problem(fmt.source, f"format '{fmt.name}': words over {MAX_FORMULA_STRING} characters")


# ---------------------------------------------------------------- layout

LINE_HEIGHT = 12.5  # points per wrapped line of Arial 9, as notes use
CHARS_PER_UNIT = 1.4  # Arial 9 characters per unit of column width (a Calibri 11 digit), with slack


def wrapped_heights(layout: Layout, body_row: int, cells: dict, widths: list[float]) -> tuple[tuple[int, float], ...]:
    """Heights of the rows whose text wraps in its cell (sentences): neither LibreOffice printing
    stored values nor Excel fits a row to wrapped text it did not lay out, so lines would overlap.
    `cells` are a statement's derived cells by (row, column); a row takes its longest cell's lines."""
    from builder.kinds import ROW_KINDS

    heights = []
    for i, row in enumerate(layout.rows):
        if not ROW_KINDS[row.kind].wraps:
            continue
        lines = 1
        for c in range(1, len(layout.columns) + 1):
            cell = cells.get((body_row + i, c))
            if cell is not None and isinstance(cell.value, str):
                room = max(int(widths[c] * CHARS_PER_UNIT), 1)
                lines = max(lines, -(-len(cell.value) // room))
        if lines > 1:
            heights.append((body_row + i, LINE_HEIGHT * lines + 2))
    return tuple(heights)
