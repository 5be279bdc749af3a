"""How period keys roll from one quarter to the next.

A key pattern is a template with a year ({yy} or {yyyy}) and a quarter ({q}, 1-4) or the
month the quarter ends ({mm}): `{q}Q{yy}` (2Q04), `Q{q}FY{yy}` (Q3FY25), `{yyyy}-{mm}`
(2004-09). report.yaml may declare it (`roll: {key: "..."}`); otherwise it is inferred from
the current key when exactly one of the built-in patterns matches it. A quarter is held as
a count of months (year * 12 + the quarter's last month): the next quarter is 3 months on,
the same quarter a year before is 12 months back.

Year-to-date keys (a sum of the year's first n quarters) have their own templates per n:
`1H04`, `9M04`, `FY04` for `{q}Q{yy}`. A `{mm}` pattern has no quarter number, so its
year-to-date keys are never inferred.
"""

from __future__ import annotations

import re
from typing import NamedTuple

_FIELDS = {"q": r"([1-4])", "mm": r"(0[1-9]|1[0-2])", "yy": r"([0-9]{2})", "yyyy": r"([0-9]{4})"}


class KeyPattern(NamedTuple):
    template: str  # "{q}Q{yy}"
    to_date: tuple[tuple[int, str], ...] = ()  # (quarters summed, template): (2, "1H{yy}")

    def _match(self, template: str, key: str) -> dict[str, int] | None:
        names = re.findall(r"\{(\w+)\}", template)
        pattern = "".join(
            _FIELDS[part[1:-1]] if part.startswith("{") else re.escape(part)
            for part in re.split(r"(\{\w+\})", template)
            if part
        )
        found = re.fullmatch(pattern, key)
        return dict(zip(names, map(int, found.groups()), strict=True)) if found else None

    def parse(self, key: str) -> int | None:
        """The quarter a key names, as months (year * 12 + the quarter's last month), or None."""
        fields = self._match(self.template, key)
        if fields is None:
            return None
        month = fields["q"] * 3 if "q" in fields else fields["mm"]
        return _year(fields) * 12 + month

    def key(self, months: int) -> str:
        year, month = divmod(months, 12)
        if month == 0:
            year, month = year - 1, 12
        return self._fill(self.template, year, month)

    def _fill(self, template: str, year: int, month: int) -> str:
        values = {"q": str(month // 3), "mm": f"{month:02d}", "yy": f"{year % 100:02d}", "yyyy": f"{year:04d}"}
        return re.sub(r"\{(\w+)\}", lambda m: values[m[1]], template)

    def quarter_of_year(self, months: int) -> int | None:
        """1-4 for a {q} pattern; None for {mm}, whose fiscal year is not known."""
        return None if "{mm}" in self.template else (months % 12 or 12) // 3

    def parse_to_date(self, key: str) -> tuple[int, int] | None:
        """A year-to-date key as (quarters summed, the months of its last quarter), or None."""
        for count, template in self.to_date:
            fields = self._match(template, key)
            if fields is not None:
                return count, _year(fields) * 12 + count * 3
        return None

    def to_date_key(self, count: int, months: int) -> str | None:
        """The key of the first `count` quarters of the year ending with quarter `months`."""
        template = dict(self.to_date).get(count)
        if template is None:
            return None
        year, month = divmod(months, 12)
        return self._fill(template, year - 1 if month == 0 else year, 12)


def _year(fields: dict[str, int]) -> int:
    return fields["yyyy"] if "yyyy" in fields else fields["yy"]


def _halves(year: str) -> tuple[tuple[int, str], ...]:
    return ((2, "1H" + year), (3, "9M" + year), (4, "FY" + year))


BUILT_IN = (
    KeyPattern("{q}Q{yy}", _halves("{yy}")),
    KeyPattern("{q}Q{yyyy}", _halves("{yyyy}")),
    KeyPattern("Q{q}FY{yy}", ((2, "1HFY{yy}"), (3, "9MFY{yy}"), (4, "FY{yy}"))),
    KeyPattern("Q{q}FY{yyyy}", ((2, "1HFY{yyyy}"), (3, "9MFY{yyyy}"), (4, "FY{yyyy}"))),
    KeyPattern("{yyyy}-{mm}"),
)


def template_problem(template: str) -> str | None:
    """Why a declared key template cannot be used, or None."""
    names = re.findall(r"\{(\w*)\}", template)
    unknown = [n for n in names if n not in _FIELDS]
    if unknown:
        return f"'{{{unknown[0]}}}' is not a field of a key; use {{q}} or {{mm}}, and {{yy}} or {{yyyy}}"
    if sorted(names) not in (["q", "yy"], ["q", "yyyy"], ["mm", "yy"], ["mm", "yyyy"]):
        return "a key needs a quarter ({q}) or a month ({mm}), and a year ({yy} or {yyyy}), once each"
    return None


def to_date_problem(key_template: str, template: str) -> str | None:
    """Why a declared year-to-date template cannot be used, or None."""
    if "{mm}" in key_template:
        return "a {mm} key has no quarter number, so its year-to-date keys are given with --set-key"
    names = re.findall(r"\{(\w*)\}", template)
    if names not in (["yy"], ["yyyy"]):
        return "a year-to-date key needs a year ({yy} or {yyyy}) once, and no other field"
    return None


def infer(key: str) -> KeyPattern | None:
    """The built-in pattern the key follows, if exactly one does."""
    found = [p for p in BUILT_IN if p.parse(key) is not None]
    return found[0] if len(found) == 1 else None


def loosely(key: str) -> str:
    """A key as a header may print it: its letter and digit groups, apart or not (Q3FY25 as
    "Q3 FY25", 2004-09 as "2004-09" or "2004 09"), as a whole word."""
    groups = re.findall(r"[A-Za-z]+|[0-9]+", key)
    return r"(?<![A-Za-z0-9])" + r"[\s\-/_.]?".join(map(re.escape, groups)) + r"(?![A-Za-z0-9])"
