"""Text that names a period in words, which a roll cannot rewrite: each is named, at its line.

A title quoting `{current}` follows the roll by itself; "Highlights of Second Quarter FY2004
Results", "Revenue in the first half", a group headed "Nine Months Ended" or a note typing
"Sept 30, 2004" do not. A roll lists every such text of the layouts (titles, subtitles,
notes, row labels and sentences, group headers, chart titles) with what it names, so that
the next quarter's pack does not print last quarter's words; the fields in braces are left
out, as they are filled in from report.yaml.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from builder.cycle.keys import loosely
from builder.errors import Source
from builder.spec import Report

# A quarter or a year to date named in words: the ordinal quarter, a half, and the length of a
# year to date ("three months" is every quarter's length, so it is left alone).
_WORDS = re.compile(
    r"\b(?:(?:first|second|third|fourth|1st|2nd|3rd|4th)\s+(?:fiscal\s+)?quarter"
    r"|(?:first|second)\s+half|(?:six|nine|twelve)\s+months)\b",
    re.IGNORECASE,
)
_FIELD = re.compile(r"\{[^{}]*\}")


def _texts(report: Report) -> Iterator[tuple[Source, str, str]]:
    """(where, what, text) for every text of the layouts a reader sees."""
    for layout in report.layouts:
        for kind, lines in (("title", layout.title), ("subtitle", layout.subtitle), ("note", layout.notes)):
            for text in lines:
                yield layout.text_source(text), kind, text
        for row in layout.rows:
            yield row.source, f"row '{row.id}' label" if row.id else "heading", row.label
            if row.text:
                yield row.source, f"row '{row.id}' text", row.text
        for col in layout.columns:
            for group in col.groups:
                yield col.source or layout.source, f"column '{col.id}' group", group
        for chart in layout.charts:
            yield chart.source, "chart title", chart.title


def named_in_words(report: Report, old_labels: dict[str, str], old_keys: dict[str, str], to: str) -> list[str]:
    """Each text naming a period in words, or a rolled period's old label or key as typed:
    "file:line: title 'Highlights of Second Quarter FY2004 Results' names 'Second Quarter': say 3Q04's, ...".
    `old_labels` and `old_keys`: the rolled periods' old label and key -> the new one."""
    out: list[str] = []
    for where, what, text in _texts(report):
        plain = _FIELD.sub(" ", text)
        found = [m.group(0) for m in _WORDS.finditer(plain)]
        found += [label for label in old_labels if label and label in plain]
        found += [m.group(0) for key in old_keys for m in re.finditer(loosely(key), plain)]
        if found:
            named = ", ".join(f"'{f}'" for f in dict.fromkeys(found))
            shown = text if len(text) <= 80 else text[:77] + "..."
            out.append(f"{where}: {what} {shown!r} names {named}: say {to}'s, or quote a period")
    return list(dict.fromkeys(out))
