"""Whether a number format is one Excel reads: a chart axis's format is written as given, and
Excel repairs (drops) a chart whose format it cannot read, where a cell would only refuse it."""

from __future__ import annotations

import re

# Characters Excel shows as they are without quotes (its "literal" set), and those that are
# format codes: digit placeholders, separators, percent, exponent signs, fraction slash, text.
_LITERAL = set("$-+()/:!^&'~{}<>= ") | set("123456789")
_CODES = set("0#?.,%@")
_DATE_TIME = set("yYmMdDhHsSeE")  # E: exponent (E+ E-) or era year
_BRACKET = re.compile(
    r"^\[(?:black|blue|cyan|green|magenta|red|white|yellow|color\s*\d{1,2}|[<>=]{1,2}-?\d+(?:\.\d+)?|\$[^\]]*|h+|m+|s+)\]$",
    re.IGNORECASE,
)


def format_problem(fmt: str) -> str | None:
    """Why Excel would not read `fmt` as a number format, or None."""
    sections, section, i = [], "", 0
    while i < len(fmt):
        ch = fmt[i]
        if ch == '"':
            end = fmt.find('"', i + 1)
            if end < 0:
                return 'a quoted text is not closed (a " is missing)'
            section += fmt[i : end + 1]
            i = end + 1
            continue
        if ch in "\\_*":
            if i + 1 >= len(fmt):
                return f"{ch!r} at the end needs a character after it"
            section += fmt[i : i + 2]
            i += 2
            continue
        if ch == "[":
            end = fmt.find("]", i)
            if end < 0 or not _BRACKET.match(fmt[i : end + 1]):
                return f"{fmt[i : end + 1 if end >= 0 else len(fmt)]!r} is not a colour, condition or currency"
            section += fmt[i : end + 1]
            i = end + 1
            continue
        if ch == ";":
            sections.append(section)
            section = ""
            i += 1
            continue
        if fmt[i:].lower().startswith("general"):
            section += fmt[i : i + 7]
            i += 7
            continue
        if fmt[i:].upper().startswith(("AM/PM", "A/P")):
            step = 5 if fmt[i:].upper().startswith("AM/PM") else 3
            section += fmt[i : i + step]
            i += step
            continue
        if ch not in _LITERAL and ch not in _CODES and ch not in _DATE_TIME:
            return f'{ch!r} must be quoted to be shown as text ("{ch}" or \\{ch})'
        section += ch
        i += 1
    sections.append(section)
    if len(sections) > 4:
        return f"it has {len(sections)} sections; Excel takes at most 4 (positive;negative;zero;text)"
    return None
