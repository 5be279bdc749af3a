"""Excel's limits, in one place, counted as Excel counts them: text in UTF-16 units.

Python counts code points, so an emoji is 1 to Python and 2 to Excel; every length the
builder checks goes through utf16_len. (Excel's numbers are in builder.numbers.)
"""

from __future__ import annotations

MAX_ROWS, MAX_COLS = 1_048_576, 16_384
MAX_SHEET_NAME = 31
MAX_NAME = 255  # a defined name
MAX_HEADER = 255  # a page header or footer, with its &-codes
MAX_FORMULA = 8_192
MAX_TEXT = 32_767  # a cell's text
MAX_FORMULA_STRING = 255  # a text constant inside a formula ("..." in ="a"&TEXT(x,"0"))


def utf16_len(text: str) -> int:
    """A length as Excel counts it: in UTF-16 units, so an emoji counts 2."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def utf16_pieces(text: str, size: int) -> list[str]:
    """`text` cut into pieces of at most `size` UTF-16 units, never inside a character."""
    pieces, start, units = [], 0, 0
    for i, char in enumerate(text):
        width = 2 if ord(char) > 0xFFFF else 1
        if units + width > size:
            pieces.append(text[start:i])
            start, units = i, 0
        units += width
    pieces.append(text[start:])
    return pieces
