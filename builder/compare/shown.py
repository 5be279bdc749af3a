"""A figure as its cell shows it, through its number format, as Excel displays it.

Published figures are compared as a reader sees them: 1,234,567.4 in `#,##0;(#,##0)` is
1,234,567, and 0.12349 in `0.0%` is 12.3%. This covers the formats the builder writes:
sections (positive; negative; zero; text), digits `0 # ?`, thousands separators and
scaling (`#,##0,` shows thousands), percent, quoted text, escapes, `_x` spaces, fills and
[colours]. Other formats (General, scientific, fractions, dates) show the number to 15
significant digits, as General does.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Context, Decimal
from functools import lru_cache
from typing import NamedTuple

from builder.kinds.base import shown_decimals

_CONTEXT = Context(prec=400)
_GENERAL = re.compile("general", re.IGNORECASE)


class Shown(NamedTuple):
    text: str  # what the cell displays
    number: Decimal | None  # the number displayed, in the value's own units (12.3% is 0.123); None for text

    def same(self, other: Shown) -> bool:
        """The same figure as shown: the same number (whatever format shows it), or the same text."""
        if self.number is not None and other.number is not None:
            return self.number == other.number
        return self.number is None and other.number is None and self.text == other.text


class _Section(NamedTuple):
    prefix: str
    suffix: str
    digits: bool  # shows a number at all ('"--"' does not)
    int_zeros: int  # integer digits always shown
    group: bool  # thousands separators
    point: bool
    decimals: int
    forced: int  # decimals always shown (0), before the optional ones (#)
    percent: int
    scaling: int  # thousands divided away by trailing commas
    general: bool  # not a fixed-decimal format: General, scientific, fractions, dates


def sections(fmt: str) -> list[str]:
    """The format's sections, split at `;` outside quotes, brackets and escapes."""
    out, current = [], []
    chars = iter(fmt)
    for ch in chars:
        if ch == ";":
            out.append("".join(current))
            current = []
            continue
        current.append(ch)
        if ch in '"[':
            close = '"' if ch == '"' else "]"
            for inner in chars:
                current.append(inner)
                if inner == close:
                    break
        elif ch in "\\_*":
            nxt = next(chars, None)
            if nxt is not None:
                current.append(nxt)
    out.append("".join(current))
    return out


@lru_cache(maxsize=256)
def _parse(section: str) -> _Section:
    plain = _GENERAL.sub("", section)
    general = plain != section
    section = plain
    prefix: list[str] = []
    suffix: list[str] = []
    int_zeros = decimals = forced = percent = commas = 0
    group = point = digits = False
    optional_seen = False

    def literal(text: str) -> None:
        (suffix if digits else prefix).append(text)

    chars = iter(section)
    for ch in chars:
        if ch == '"':
            text = []
            for inner in chars:
                if inner == '"':
                    break
                text.append(inner)
            literal("".join(text))
        elif ch == "\\":
            literal(next(chars, ""))
        elif ch == "_":
            next(chars, None)
            literal(" ")  # the width of the next character: a space does
        elif ch == "*":
            next(chars, None)  # a fill: nothing to compare
        elif ch == "[":
            for inner in chars:
                if inner == "]":
                    break
        elif ch == "%":
            percent += 1
            literal("%")
        elif ch in "0#?":
            if commas and not point:
                group = True  # a comma between digit placeholders separates thousands
            commas = 0
            digits = True
            if point:
                decimals += 1
                if ch == "0" and not optional_seen:
                    forced += 1
                else:
                    optional_seen = True
            elif ch == "0":
                int_zeros += 1
        elif ch == "." and not point:
            point = True
            if not digits:
                digits = True  # ".00" shows a number too
        elif ch == "," and digits:
            commas += 1
        else:
            literal(ch)
    general = general or (digits and shown_decimals(section) is None)
    return _Section("".join(prefix), "".join(suffix), digits, int_zeros, group, point, decimals, forced, percent,
                    commas, general)  # fmt: skip


def shown(value: object, fmt: str | None) -> Shown | None:
    """How a cell holding `value` in format `fmt` displays it (None for an empty cell)."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        parts = sections(fmt or "General")
        if len(parts) >= 4 and "@" in parts[3]:
            return Shown(_parse(parts[3].replace("@", "\0")).prefix.replace("\0", value), None)
        return Shown(value, None)
    number = float(value)
    parts = sections(fmt or "General")
    if len(parts) == 1 or number > 0 or (number == 0 and len(parts) < 3):
        section, sign = parts[0], "-" if number < 0 else ""
    elif number < 0:
        section, sign = parts[1], ""
    else:
        section, sign = parts[2], ""
    spec = _parse(section)
    exact = Decimal(f"{abs(number):.15g}")  # Excel shows a double's first 15 significant digits
    if spec.general or not spec.digits:
        text = sign + (_general(exact) if spec.digits or spec.general else "")
        return Shown(spec.prefix + text + spec.suffix, exact if number >= 0 else -exact)
    scaled = exact.scaleb(2 * spec.percent - 3 * spec.scaling, _CONTEXT)
    rounded = scaled.quantize(Decimal(1).scaleb(-spec.decimals), rounding=ROUND_HALF_UP, context=_CONTEXT)
    whole, _, fraction = f"{rounded:f}".partition(".")
    whole = whole.lstrip("0")
    if spec.group and whole:
        whole = f"{int(whole):,}"
    whole = whole.rjust(spec.int_zeros, "0")
    fraction = fraction.ljust(spec.decimals, "0")[: spec.decimals]
    keep = len(fraction.rstrip("0"))
    fraction = fraction[: max(keep, spec.forced)]
    text = sign + whole + ("." if spec.point else "") + fraction
    number_shown = rounded.scaleb(3 * spec.scaling - 2 * spec.percent, _CONTEXT)
    return Shown(spec.prefix + text + spec.suffix, -number_shown if number < 0 else number_shown)


def _general(exact: Decimal) -> str:
    text = f"{exact:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def difference(old: Shown, new: Shown, fmt: str | None) -> Shown | None:
    """new - old as shown, displayed in `fmt` (None where either is text)."""
    if old.number is None or new.number is None:
        return None
    return shown(float(new.number - old.number), fmt)
