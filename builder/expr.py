"""One expression model, two renderings: Excel formula text and the number it computes.

Every derived cell is an Expr. `to_formula` writes it as Excel formula text and
`evaluate` computes its value with the same structure and the same order of
operations, so a workbook's stored values and its formulas cannot disagree.
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal
from functools import lru_cache
from typing import NamedTuple

from builder.a1 import quote_sheetname, xl_range, xl_rowcol_to_cell
from builder.numbers import EXCEL_DIGITS, TOO_SMALL, beyond_excel, significant_digits

Value = float | str | None  # None is an empty cell


class Expr:
    """Base of all expression nodes (frozen dataclasses below, with slots: a large
    statement has millions of them)."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class Num(Expr):
    value: float


@dataclass(frozen=True, slots=True)
class Str(Expr):
    value: str


class Ref(NamedTuple):
    """A cell of the workbook. A NamedTuple rather than a dataclass like the other nodes:
    cells are dictionary keys millions of times per build, and a tuple hashes in C."""

    sheet: str
    row: int
    col: int


@dataclass(frozen=True, slots=True)
class Range(Expr):
    """A block of cells: the argument of COUNTIF and RANK, and a run of a Sum (SUM(range))."""

    sheet: str
    first_row: int
    first_col: int
    last_row: int
    last_col: int

    def refs(self):
        for row in range(self.first_row, self.last_row + 1):
            for col in range(self.first_col, self.last_col + 1):
                yield Ref(self.sheet, row, col)


@dataclass(frozen=True, slots=True)
class RowRef(Expr):
    """A row of a layout, before it is bound to a cell.

    `net_income` is the row's amount in the period being built; `cash[prior_quarter]`
    names another period; `total_assets.usd` names a column of the row.
    """

    row_id: str
    period: str | None = None
    column: str | None = None


@dataclass(frozen=True, slots=True)
class Name(Expr):
    """A workbook-level defined name (an input on the Inputs sheet)."""

    name: str


@dataclass(frozen=True, slots=True)
class Neg(Expr):
    operand: Expr


@dataclass(frozen=True, slots=True)
class Bin(Expr):
    op: str  # + - * / & = <> < <= > >=
    left: Expr
    right: Expr


@dataclass(frozen=True, slots=True)
class Sum(Expr):
    """A signed sum, kept flat so that a total of thousands of lines is no deeper than one.

    Added cells that run down one column are one Range item (made by signed_sum, the only
    way Sums are made), written SUM(range) like a ledger.
    """

    items: tuple[Expr, ...]
    signs: tuple[int, ...]  # +1 or -1 for each item


@dataclass(frozen=True, slots=True)
class Call(Expr):
    fn: str  # IF, ABS, TEXT, ROUND, INT, COUNTIF, RANK
    args: tuple[Expr, ...]


class EvalError(Exception):
    """An expression cannot be computed (division by zero, text in arithmetic)."""


class OutOfRange(EvalError):
    """A result Excel cannot hold: beyond 9.99999999999999E+307, infinity or NaN. `problem`
    is set by the first cell found out of range, so that the cells computed from it report
    that one cell and the figures it comes from, once."""

    problem = None


# ---------------------------------------------------------------- building


def signed_sum(terms: list[tuple[int, Expr]]) -> Expr:
    """a + b - c, in the order given; a single added term is just that term.

    Added cells that run down one column become one Range item (SUM(B5:B104)): a total of
    a ledger's 100 lines holds one node, not 100."""
    items: list[Expr] = []
    signs: list[int] = []
    for sign, term in terms:
        last = items[-1] if items else None
        if sign > 0 and signs and signs[-1] > 0 and type(term) is Ref:
            if type(last) is Ref and (last.sheet, last.col, last.row + 1) == (term.sheet, term.col, term.row):
                items[-1] = Range(term.sheet, last.row, term.col, term.row, term.col)
                continue
            if type(last) is Range and (last.sheet, last.first_col, last.last_col, last.last_row + 1) == (
                term.sheet,
                term.col,
                term.col,
                term.row,
            ):
                items[-1] = Range(term.sheet, last.first_row, term.col, term.row, term.col)
                continue
        items.append(term)
        signs.append(sign)
    if len(items) == 1 and signs[0] > 0 and type(items[0]) is not Range:
        return items[0]
    return Sum(tuple(items), tuple(signs))


def expanded(expr: Sum) -> list[tuple[int, Expr]]:
    """The signed terms of a Sum, each Range item as its cells."""
    terms: list[tuple[int, Expr]] = []
    for sign, item in zip(expr.signs, expr.items, strict=True):
        terms += [(sign, ref) for ref in item.refs()] if type(item) is Range else [(sign, item)]
    return terms


def map_expr(expr: Expr, fn: Callable[[Expr], Expr | None]) -> Expr:
    """Rebuild `expr` bottom-up, replacing any node for which `fn` returns a new node."""
    replaced = fn(expr)
    if replaced is not None:
        return replaced
    if isinstance(expr, Neg):
        return Neg(map_expr(expr.operand, fn))
    if isinstance(expr, Bin):
        return Bin(expr.op, map_expr(expr.left, fn), map_expr(expr.right, fn))
    if isinstance(expr, Sum):
        # Through signed_sum: row refs bound to cells that run down a column become one range.
        # (A Sum stays a Sum: signed_sum makes one of any two or more terms, or of a range.)
        return signed_sum([(sign, map_expr(e, fn)) for sign, e in zip(expr.signs, expr.items, strict=True)])
    if isinstance(expr, Call):
        return Call(expr.fn, tuple(map_expr(e, fn) for e in expr.args))
    return expr


def walk(expr: Expr):
    """Every node of `expr`, parents first."""
    yield expr
    children: tuple[Expr, ...] = ()
    if isinstance(expr, Neg):
        children = (expr.operand,)
    elif isinstance(expr, Bin):
        children = (expr.left, expr.right)
    elif isinstance(expr, Sum):
        children = expr.items
    elif isinstance(expr, Call):
        children = expr.args
    for child in children:
        yield from walk(child)


# ---------------------------------------------------------------- parsing

_BINOPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}
_FUNCTIONS = {"abs": "ABS"}


class ParseError(ValueError):
    pass


def parse_row_formula(text: str) -> Expr:
    """Parse a layout formula such as `net_income * 1000 / weighted_shares`.

    Python's own parser reads it; only numbers, names, + - * /, unary minus,
    parentheses, abs(x) and round(x, n) are accepted, so nothing in a layout can run code.
    round is Excel's ROUND (half away from zero, on the decimal digits), here and in
    `evaluate`.
    """
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise ParseError(f"cannot read formula {text!r}: {exc.msg}") from None
    except (RecursionError, MemoryError):
        raise ParseError(
            f"formula of {len(text)} characters is too deeply nested to read; list long sums under 'total:'"
        ) from None

    def build(node: ast.AST) -> Expr:
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
            return Num(_constant(text, node))
        if isinstance(node, ast.Name):
            return RowRef(node.id)
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and isinstance(node.slice, ast.Name):
            return RowRef(node.value.id, period=node.slice.id)
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            return RowRef(node.value.id, column=node.attr)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            inner = build(node.operand)
            return Neg(inner) if isinstance(node.op, ast.USub) else inner
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Sub):
            # Walk the left spine iteratively: a long a + b - c ... stays one flat Sum.
            terms = []
            while isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Sub):
                terms.append((1 if isinstance(node.op, ast.Add) else -1, node.right))
                node = node.left
            terms.append((1, node))
            return signed_sum([(sign, build(term)) for sign, term in reversed(terms)])
        if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
            return Bin(_BINOPS[type(node.op)], build(node.left), build(node.right))
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in _FUNCTIONS
            and len(node.args) == 1
            and not node.keywords
        ):
            return Call(_FUNCTIONS[node.func.id], (build(node.args[0]),))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "round":
            return Call("ROUND", (build(_round_value(text, node)), Num(_round_digits(text, node))))
        raise ParseError(
            f"formula {text!r}: {ast.unparse(node)!r} is not allowed "
            "(use row ids, row[period], row.column, input names, numbers, + - * /, parentheses, abs(x) "
            "and round(x, n))"
        )

    return build(tree.body)


# Excel keeps 15 significant digits, so rounding to more places than that, either side of
# the point, says nothing a reader could see; the bound also keeps excel_round's decimal
# arithmetic within its precision for every number Excel can hold.
ROUND_DIGITS = 15


def _round_value(text: str, node: ast.Call) -> ast.expr:
    """The x of round(x, n), once the call is known to have Excel's ROUND's shape."""
    if len(node.args) != 2 or node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
        raise ParseError(
            f"formula {text!r}: {_written(text, node)} needs two arguments, round(x, n), where n is the "
            "number of decimals (round(eps, 2); round(revenue, -3) for thousands)"
        )
    return node.args[0]


def _written(text: str, node: ast.AST) -> str:
    """A part of a formula as the user wrote it (ast.unparse would show 0x2 as 2)."""
    return ast.get_source_segment(text.strip(), node) or ast.unparse(node)


def _round_digits(text: str, node: ast.Call) -> float:
    """The n of round(x, n): a whole number written in the formula, so that the number of
    decimals is the same in every period and visible in the layout."""
    digits = node.args[1]
    sign = 1
    if isinstance(digits, ast.UnaryOp) and isinstance(digits.op, ast.USub | ast.UAdd):
        sign = -1 if isinstance(digits.op, ast.USub) else 1
        digits = digits.operand
    written = ast.get_source_segment(text.strip(), digits) or ""
    # Written in decimal digits as Excel would read them: not 2.0, 0x2, 1_0, True or a name.
    if not (isinstance(digits, ast.Constant) and type(digits.value) is int and written.isascii() and written.isdigit()):
        raise ParseError(
            f"formula {text!r}: in {_written(text, node)}, the number of decimals "
            f"{_written(text, node.args[1])!r} must be a whole number written in the formula, such as 2, 0 or -3"
        )
    if abs(digits.value) > ROUND_DIGITS:
        raise ParseError(
            f"formula {text!r}: in {_written(text, node)}, the number of decimals must be between "
            f"-{ROUND_DIGITS} and {ROUND_DIGITS} (Excel keeps {EXCEL_DIGITS} significant digits)"
        )
    return float(sign * digits.value)


def _constant(text: str, node: ast.Constant) -> float:
    """A number written in a formula, which Excel must hold as written (1e400 is infinity
    to Python, and 1234567890123456789 would lose its last digits)."""
    written = ast.get_source_segment(text.strip(), node) or repr(node.value)
    try:
        value = float(node.value)
    except OverflowError:
        value = math.inf
    digits = significant_digits(written)
    why = TOO_SMALL if value == 0 and digits else beyond_excel(value)
    if why is None and digits > EXCEL_DIGITS:
        why = f"has {digits} significant digits; Excel keeps {EXCEL_DIGITS}, so it would be altered"
    if why:
        raise ParseError(f"formula {text!r}: {written} {why}")
    return value


# ---------------------------------------------------------------- rendering as a formula

_PRECEDENCE = {"=": 1, "<>": 1, "<": 1, "<=": 1, ">": 1, ">=": 1, "&": 2, "+": 3, "-": 3, "*": 4, "/": 4}


def _quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


@lru_cache(maxsize=4096)  # bounded: a long statement names a million cells once each
def _cell_text(ref_sheet: str, row: int, col: int, sheet: str) -> str:
    # Totals and the Footing sheet name the same cells many times over.
    cell = xl_rowcol_to_cell(row, col)
    return cell if ref_sheet == sheet else f"{quote_sheetname(ref_sheet)}!{cell}"


def _render_sum(expr: Sum, sheet: str, parent: int, right_side: bool) -> str:
    parts = []
    for sign, item in zip(expr.signs, expr.items, strict=True):
        if type(item) is Range:
            text = f"SUM({_render(item, sheet, 0)})"
        else:
            text = _render(item, sheet, 3, right_side=sign < 0)
        parts.append(("-" if sign < 0 else ("+" if parts else "")) + text)
    text = "".join(parts)
    if len(parts) > 1 and (parent > 3 or (parent == 3 and right_side)):
        text = f"({text})"
    return text


def _render(expr: Expr, sheet: str, parent: int, right_side: bool = False) -> str:
    kind = type(expr)  # exact type tests, most frequent first: this runs for every node
    if kind is Ref:
        return _cell_text(expr.sheet, expr.row, expr.col, sheet)
    if kind is Bin:
        mine = _PRECEDENCE[expr.op]
        text = _render(expr.left, sheet, mine) + expr.op + _render(expr.right, sheet, mine, right_side=True)
        # Left-associative: a right operand of equal precedence keeps its parentheses.
        if mine < parent or (mine == parent and right_side):
            text = f"({text})"
        return text
    if kind is Num:
        return repr(expr.value).removesuffix(".0") if expr.value == int(expr.value) else repr(expr.value)
    if kind is Call:
        return expr.fn + "(" + ",".join([_render(a, sheet, 0) for a in expr.args]) + ")"
    if kind is Sum:
        return _render_sum(expr, sheet, parent, right_side)
    if kind is Str:
        return _quote(expr.value)
    if kind is Range:
        rng = xl_range(expr.first_row, expr.first_col, expr.last_row, expr.last_col)
        return rng if expr.sheet == sheet else f"{quote_sheetname(expr.sheet)}!{rng}"
    if kind is Name:
        return expr.name
    if kind is Neg:
        # -(a/b) is written -a/b: negation is exact, so both orders give the same number.
        return "-" + _render(expr.operand, sheet, 4)
    raise TypeError(f"cannot render {expr!r}")


def to_formula(expr: Expr, sheet: str) -> str:
    """Excel formula text for `expr` written on `sheet` (refs to other sheets are qualified)."""
    return "=" + _render(expr, sheet, 0)


# ---------------------------------------------------------------- evaluating


def excel_round(value: float, digits: int) -> float:
    """Excel's ROUND: half away from zero, on the decimal digits Excel shows (15 significant)."""
    if not math.isfinite(value):
        raise OutOfRange(f"ROUND of {value!r}")
    exact = Decimal(repr(value))
    # Enough precision for any double's digits: with the default 28, 1E+20 to 9 decimals
    # raised InvalidOperation. Wherever 28 sufficed, the result is the same.
    return float(exact.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP, context=_ROUNDING))


_ROUNDING = Context(prec=400)


def text_format(value: float, fmt: str) -> str:
    """TEXT(value, fmt) for the plain formats notes use: 0, 0.00, #,##0, #,##0.00."""
    decimals = len(fmt.split(".", 1)[1]) if "." in fmt else 0
    rounded = excel_round(value, decimals)
    text = f"{abs(rounded):,.{decimals}f}" if "," in fmt else f"{abs(rounded):.{decimals}f}"
    return ("-" if rounded < 0 else "") + text


def is_plain_number_format(fmt: str) -> bool:
    head, _, tail = fmt.partition(".")
    return head in ("0", "#,##0") and set(tail) <= {"0"}


def _number(value: Value) -> float:
    if value is None:
        return 0.0
    if isinstance(value, str):
        raise EvalError(f"text {value!r} used in arithmetic")
    return float(value)


def _compare(op: str, a: Value, b: Value) -> bool:
    a, b = (0.0 if a is None else a), (0.0 if b is None else b)
    if isinstance(a, str) != isinstance(b, str):
        return op == "<>"
    return {"=": a == b, "<>": a != b, "<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]


Cells = Callable[[Ref], Value]
Names = Callable[[str], Value]
Compiled = Callable[[Cells, Names], Value]


def evaluate(expr: Expr, cell: Cells, name: Names) -> Value:
    """The value of `expr`; `cell` and `name` give the values of refs and defined names."""
    return compile_expr(expr)(cell, name)


def compile_expr(expr: Expr) -> Compiled:
    """`expr` as a Python function of (cell, name) computing its value: the one evaluator.

    `evaluate` compiles and calls; a batch compiles each cell once and calls it for every
    entity (builder.structure). Arguments are computed left to right, as before, so the
    first error met is the same."""
    kind = type(expr)  # exact type tests, most frequent first: this runs for every node
    if kind is Ref:
        ref = expr
        return lambda cell, name: cell(ref)
    if kind is Num or kind is Str:
        constant = expr.value
        return lambda cell, name: constant
    if kind is Bin:
        return _compile_bin(expr)
    if kind is Call:
        return _compile_call(expr)
    if kind is Name:
        defined = expr.name
        return lambda cell, name: name(defined)
    if kind is Neg:
        operand = compile_expr(expr.operand)
        return lambda cell, name: -_number(operand(cell, name))
    if kind is Sum:
        return _compile_sum(expr)
    raise TypeError(f"cannot evaluate {expr!r}")


def _compile_sum(expr: Sum) -> Compiled:
    # As the formula: SUM(range) skips text and blanks; a lone term must be a number.
    # A range stays a Range (its cells made as they are added): a ledger's total names 100,000.
    parts = [
        (sign > 0, item if type(item) is Range else compile_expr(item))
        for sign, item in zip(expr.signs, expr.items, strict=True)
    ]

    def total(cell: Cells, name: Names) -> float:
        result = 0.0
        for added, part in parts:
            if type(part) is Range:
                run = 0.0
                for ref in part.refs():
                    value = cell(ref)
                    if isinstance(value, float | int):
                        run += value
            else:
                run = _number(part(cell, name))
            result = result + run if added else result - run
        return result

    return total


def _compile_call(expr: Call) -> Compiled:
    fn, args = expr.fn, expr.args
    if fn == "IF":
        cond, then, other = (compile_expr(a) for a in args)
        return lambda cell, name: then(cell, name) if cond(cell, name) else other(cell, name)
    if fn == "ABS":
        number = compile_expr(args[0])
        return lambda cell, name: abs(_number(number(cell, name)))
    if fn == "COUNTIF":  # only equality criteria: a text, or a cell's number
        rng, criterion = args
        assert isinstance(rng, Range) and isinstance(criterion, Str | Ref)
        wanted, cells = compile_expr(criterion), tuple(rng.refs())  # a footing block: a few cells

        def countif(cell: Cells, name: Names) -> float:
            value = wanted(cell, name)
            return float(sum(1 for ref in cells if cell(ref) == value))

        return countif
    if fn == "RANK":  # descending: 1 + how many in the range are larger
        number, rng = args
        assert isinstance(rng, Range)
        ranked, cells = compile_expr(number), tuple(rng.refs())

        def rank(cell: Cells, name: Names) -> float:
            mine = _number(ranked(cell, name))
            return float(1 + sum(1 for ref in cells if isinstance(v := cell(ref), float | int) and v > mine))

        return rank
    if fn == "INT":  # Excel's INT rounds down, towards minus infinity
        inner = compile_expr(args[0])

        def int_(cell: Cells, name: Names) -> float:
            number = _number(inner(cell, name))
            if not math.isfinite(number):
                raise OutOfRange(f"INT of {number!r}")
            return float(math.floor(number))

        return int_
    if fn == "ROUND":
        rounded, places = compile_expr(args[0]), compile_expr(args[1])

        def round_(cell: Cells, name: Names) -> float:
            digits = int(_number(places(cell, name)))
            return excel_round(_number(rounded(cell, name)), digits)

        return round_
    if fn == "TEXT":
        shown, fmt = compile_expr(args[0]), args[1]
        assert isinstance(fmt, Str)
        pattern = fmt.value

        def text(cell: Cells, name: Names) -> Value:
            value = shown(cell, name)
            return text_format(_number(value), pattern) if not isinstance(value, str) else value

        return text
    raise TypeError(f"unknown function {fn}")


def _compile_bin(expr: Bin) -> Compiled:
    op = expr.op
    if op in _ARITHMETIC:
        return _compile_arithmetic(_ARITHMETIC[op], expr.left, expr.right)
    left, right = compile_expr(expr.left), compile_expr(expr.right)
    if op == "&":
        return lambda cell, name: _text(left(cell, name)) + _text(right(cell, name))
    if op in ("=", "<>", "<", "<=", ">", ">="):
        return lambda cell, name: _compare(op, left(cell, name), right(cell, name))
    raise TypeError(f"cannot evaluate {expr!r}")


def _divide(a: float, b: float) -> float:
    if b == 0:
        raise EvalError("division by zero")
    return a / b


_ARITHMETIC: dict[str, Callable[[float, float], float]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": _divide,
}


def _compile_arithmetic(apply: Callable[[float, float], float], left: Expr, right: Expr) -> Compiled:
    # Both operands are computed before either is taken as a number, as Excel reports the first
    # error. A cell or a number operand is read in place, not through a function of its own:
    # most operands are one or the other.
    if type(left) is Ref and type(right) is Ref:

        def cells(cell: Cells, name: Names) -> float:
            a, b = cell(left), cell(right)
            return apply(a if type(a) is float else _number(a), b if type(b) is float else _number(b))

        return cells
    if type(right) is Num:
        number, first = float(right.value), compile_expr(left)

        def by_number(cell: Cells, name: Names) -> float:
            a = first(cell, name)
            return apply(a if type(a) is float else _number(a), number)

        return by_number
    first, second = compile_expr(left), compile_expr(right)

    def operands(cell: Cells, name: Names) -> float:
        a, b = first(cell, name), second(cell, name)
        return apply(a if type(a) is float else _number(a), b if type(b) is float else _number(b))

    return operands


def _text(value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value == int(value):
        return str(int(value))
    return str(value)
