"""Excel's numbers: what a cell can hold, and how many digits of a typed figure it keeps."""

from __future__ import annotations

import sys

# Excel's numbers: doubles between these magnitudes (and zero). Larger ones it cannot hold;
# subnormal doubles (below the smallest normal one) it does not keep, so a figure that
# small would be altered. Excel states its smallest as 2.2250738585072E-308, the shortest
# decimal of the smallest normal double.
EXCEL_LARGEST = 9.99999999999999e307
EXCEL_SMALLEST = sys.float_info.min
EXCEL_DIGITS = 15
TOO_SMALL = "is smaller than Excel's smallest number, 2.2250738585072E-308 (Excel would not keep it)"


def beyond_excel(value: float) -> str | None:
    """Why Excel cannot hold `value` exactly, or None if it can."""
    if value != value:
        return "is not a number (NaN), which Excel cannot hold"
    if abs(value) > EXCEL_LARGEST:
        return "is beyond Excel's largest number, 9.99999999999999E+307"
    if value != 0 and abs(value) < EXCEL_SMALLEST:
        return TOO_SMALL
    return None


def significant_digits(text: str) -> int:
    """Significant digits of a decimal numeral (an exponent, a sign or a % aside): from the
    first non-zero digit to the last. Trailing zeros count for nothing, of an integer or a
    fraction alike: Excel keeps 15 digits and pads with zeros, so 1230000000000000000 or
    1.50000000000000000 is held exactly as typed."""
    digits = "".join(ch for ch in text.partition("e")[0].partition("E")[0] if ch.isdigit())
    return len(digits.strip("0"))


def float_digits(value: float) -> int:
    """Significant digits of the shortest decimal that gives `value` back (Python's repr)."""
    return significant_digits(repr(float(value)))
