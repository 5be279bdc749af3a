"""`report-builder roll`: next quarter's report from this quarter's.

Every quarter period moves on one quarter (the current quarter becomes the prior quarter,
the prior-year quarter becomes the quarter a year before the new one); a year-to-date
period declared with `sum_of` grows by the new quarter (first half -> nine months); a typed
year-to-date period (1H03 beside 1H04) moves on with it. Keys roll by the report's key
pattern (builder.cycle.keys). Nothing is guessed: a key, label or period whose successor is
not plain is refused, naming the option that says it (--set-key, --set-label).

The rolled data file holds, in layout order, every figure the new report needs: carried
over when the old data holds it, else a row with an empty value, which `check` and `build`
list as "to type" until it is filled.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple

import yaml

from builder.cycle.keys import KeyPattern, infer, loosely, template_problem, to_date_problem
from builder.cycle.words import named_in_words
from builder.errors import Problem, ReportError, Source
from builder.spec import Period, Report, Row

_DECLARED = ("half_year", 2), ("nine_months", 3), ("full_year", 4)
_DECLARED_BY_N = tuple((n, name) for name, n in _DECLARED)
_YEAR = re.compile(r"(?<![0-9])(?:19|20)[0-9]{2}(?![0-9])")


class Rolled(NamedTuple):
    report: Path  # the new report.yaml
    data: Path
    carried: int  # figures carried over from the old data
    to_type: int  # rows left empty, to type
    periods: list[str]  # "current: 2Q04 -> 3Q04 (Dec 31, 2004)"
    to_update: list[str]  # what the user must update by hand: "file:line: ..."
    published: Path
    to_check: list[str] = []  # texts naming a period in words, which the roll cannot tell how to reword


class _New(NamedTuple):
    key: str
    label: str
    sum_of: tuple[str, ...] = ()  # part keys, for a sum_of period


def roll(
    report: Path,
    to: str,
    label: str,
    out: Path,
    date: dt.date | None = None,
    labels: dict[str, str] | None = None,
    keys: dict[str, str] | None = None,
    published: Path | None = None,
) -> Rolled:
    """Write next quarter's report.yaml and data.csv into the new or empty folder `out`."""
    from builder.api import load

    labels, keys = labels or {}, keys or {}
    old = load(report)  # the report must load as it is: a roll of a broken report would carry its faults
    spec, figures = old.report, old.figures
    doc = _raw(Path(spec.source.file))
    pattern = _pattern(spec, doc)
    _unknown_roles(spec, {**labels, **keys})
    new = _periods(spec, pattern, to, label, labels, keys)
    out = Path(out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ReportError(Problem(Source(str(out)), "give a new or empty folder for the rolled report"))
    made = not out.exists()
    try:
        out.mkdir(parents=True, exist_ok=True)
        return _write(spec, doc, figures, new, out, date, published)
    except BaseException:
        # Nothing is left behind: a half-written roll would look like a report.
        if made:
            shutil.rmtree(out, ignore_errors=True)
        else:
            for child in out.iterdir():
                shutil.rmtree(child) if child.is_dir() else child.unlink()
        raise


def _raw(path: Path) -> dict:
    # The report has loaded and validated already; the plain document is what is rewritten.
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _pattern(spec: Report, doc: dict) -> KeyPattern:
    current = spec.period("current")
    if current is None:
        raise ReportError(Problem(spec.source, "roll needs a period 'current', the quarter the report is for"))
    declared = doc.get("roll") or {}
    if "key" in declared:
        problem = template_problem(declared["key"])
        if problem:
            raise ReportError(Problem(_declared_at(spec, "key"), f"roll: key {declared['key']!r}: {problem}"))
        to_date = tuple((n, declared[name]) for name, n in _DECLARED if name in declared)
        for n, template in to_date:
            problem = to_date_problem(declared["key"], template)
            if problem:
                name = dict(_DECLARED_BY_N)[n]
                raise ReportError(Problem(_declared_at(spec, name), f"roll: {name} {template!r}: {problem}"))
        pattern = KeyPattern(declared["key"], to_date)
        if pattern.parse(current.key) is None:
            why = f"the current key {current.key} does not follow the declared pattern {declared['key']!r}"
            raise ReportError(Problem(current.source, why))
        return pattern
    pattern = infer(current.key)
    if pattern is None:
        raise ReportError(
            Problem(
                current.source,
                f"cannot tell how the key '{current.key}' rolls to the next quarter: it follows none of the "
                "patterns {q}Q{yy} (2Q04), Q{q}FY{yy} (Q3FY25), {yyyy}-{mm} (2004-09); declare yours in "
                'report.yaml, e.g. roll: {key: "FY{yy}Q{q}"}',
            )
        )
    return pattern


def _declared_at(spec: Report, name: str) -> Source:
    """Where report.yaml declares `roll: {name: ...}` (the plain document keeps no lines)."""
    from builder.load.yamlsrc import load_yaml, source_at

    return source_at(load_yaml(Path(spec.source.file)), ["roll", name])


def _unknown_roles(spec: Report, given: dict[str, str]) -> None:
    roles = [p.role for p in spec.periods]
    unknown = [r for r in given if r not in roles]
    if unknown:
        why = f"--set-key/--set-label: '{unknown[0]}' is not a period of the report ({', '.join(roles)})"
        raise ReportError(Problem(spec.source, why))


def _periods(
    spec: Report, pattern: KeyPattern, to: str, label: str, labels: dict[str, str], keys: dict[str, str]
) -> dict[str, _New]:
    """The rolled periods by role, in the report's order, plus a role for each quarter a
    grown sum_of period adds up that no other role names (quarter_1Q04)."""
    current = spec.period("current")
    now = pattern.parse(current.key)
    expected = pattern.key(now + 3)
    if to != expected:
        why = f"--to {to}: the quarter after {current.key} is {expected} (keys of the pattern {pattern.template})"
        raise ReportError(Problem(current.source, why))
    old_labels = {p.key: p.label for p in spec.periods}
    new: dict[str, _New] = {}
    # A role an earlier roll made for a part of a sum (quarter_1Q04) stays that quarter: the
    # parts a grown sum needs get their roles anew below, whatever they were before.
    part_only = {p.role for p in spec.periods if p.role == _role_for(p.key)}
    # Every period's key and label are tried, and what cannot roll is reported together: a report
    # with several year-to-date periods needs several --set-key/--set-label, named in one run.
    problems: list[Problem] = []

    def attempt(make):
        try:
            return make()
        except ReportError as exc:
            problems.extend(exc.problems)
            return None

    for period in spec.periods:
        if period.sum_of or period.role in part_only:
            continue
        key = keys.get(period.role) or attempt(lambda p=period: _typed_key(spec, pattern, p, now))
        made = key and attempt(lambda p=period, k=key: _label(p, k, to, label, labels, old_labels, pattern))
        if made:
            new[period.role] = _New(key, made)
    for period in spec.periods:
        if period.sum_of:
            parts = attempt(lambda p=period: _grown(spec, pattern, p))
            if parts is None:
                continue
            key = keys.get(period.role) or attempt(lambda p=period, s=parts: _sum_key(pattern, p, s, spec))
            made = key and attempt(lambda p=period, k=key: _label(p, k, to, label, labels, old_labels, pattern))
            if made:
                new[period.role] = _New(key, made, parts)
    if problems:
        raise ReportError(problems)
    new = {p.role: new[p.role] for p in spec.periods if p.role in new}  # in the report's order
    named = {n.key for n in new.values()}
    for period in spec.periods:
        for part in new[period.role].sum_of:
            if part not in named:
                named.add(part)
                new[_role_for(part)] = _New(part, old_labels[part])
    seen: dict[str, str] = {}
    for role, n in new.items():
        if n.key in seen:
            why = f"after the roll, periods '{seen[n.key]}' and '{role}' would both be {n.key}; give --set-key"
            raise ReportError(Problem(spec.source, why))
        seen[n.key] = role
    return new


def _typed_key(spec: Report, pattern: KeyPattern, period: Period, now: int) -> str:
    months = pattern.parse(period.key)
    if months is not None:
        return pattern.key(months + 3)  # every quarter moves on one: prior_year stays a year before current
    to_date = pattern.parse_to_date(period.key)
    if to_date is not None and to_date[1] % 12 == now % 12:
        count, end = to_date  # a year to date through the current quarter's point of a year: 1H03 at 2Q04
        key = pattern.to_date_key(count + 1, end + 3) if count < 4 else None
        if key is not None:
            return key
    raise ReportError(
        Problem(
            period.source,
            f"period '{period.role}' ({period.key}) is neither a quarter of the pattern {pattern.template} nor a "
            f"year to date beside the current quarter, so its next key is not plain; give --set-key "
            f"{period.role}=KEY --set-label {period.role}=LABEL",
        )
    )


def _grown(spec: Report, pattern: KeyPattern, period: Period) -> tuple[str, ...]:
    """A sum_of period's part keys after the roll: its quarters and the one after them."""
    keys = [spec.period(part).key for part in period.sum_of]
    months = [pattern.parse(k) for k in keys]
    consecutive = None not in months and all(b - a == 3 for a, b in zip(months, months[1:], strict=False))
    why = None
    if not consecutive:
        why = f"adds up {', '.join(keys)}, which are not consecutive quarters of the pattern {pattern.template}"
    else:
        following = months[-1] + 3
        quarter = pattern.quarter_of_year(following)
        if quarter == 1:
            why = f"would grow into a new year ({pattern.key(following)} is a first quarter): declare it anew"
        elif quarter is None and len(keys) >= 4:
            why = f"adds up {len(keys)} quarters already"
    if why:
        raise ReportError(Problem(period.source, f"period '{period.role}' ({period.key}) cannot roll: it {why}"))
    return (*keys, pattern.key(months[-1] + 3))


def _sum_key(pattern: KeyPattern, period: Period, parts: tuple[str, ...], spec: Report) -> str:
    end = pattern.parse(parts[-1])
    if pattern.parse_to_date(period.key) == (len(parts) - 1, end - 3):
        key = pattern.to_date_key(len(parts), end)
        if key is not None:
            return key
    raise ReportError(
        Problem(
            period.source,
            f"period '{period.role}' ({period.key}) becomes the sum of {', '.join(parts)}; its key does not say "
            f"so in a known pattern, so its new key is not plain: give --set-key {period.role}=KEY",
        )
    )


def _label(period: Period, key: str, to: str, label: str, given: dict, old_labels: dict, pattern: KeyPattern) -> str:
    """A rolled period's label, by the first rule that applies: --set-label; --label for the new
    quarter; the label the old report gave that key; the key itself where the old label was the
    old key (1H04 -> 9M04), or the old label with its key replaced; for the quarter a whole number
    of years before the new one, --label with its one four-digit year moved back that many years."""
    if period.role in given:
        return given[period.role]
    if key == to:
        return label
    if key in old_labels:
        return old_labels[key]
    if period.label == period.key:
        return key
    if period.key in period.label:
        return period.label.replace(period.key, key)
    back = pattern.parse(to) - (pattern.parse(key) or pattern.parse(to))
    years = _YEAR.findall(label)
    if back > 0 and back % 12 == 0 and len(years) == 1:
        return _YEAR.sub(str(int(years[0]) - back // 12), label)
    raise ReportError(
        Problem(
            period.source,
            f"period '{period.role}' becomes {key}, and its label is not plain from --label {label!r}: give "
            f"--set-label {period.role}=LABEL",
        )
    )


def _role_for(key: str) -> str:
    return "quarter_" + re.sub(r"[^A-Za-z0-9_]", "_", key)


def _relative(path: Path | str, base: Path) -> str:
    try:
        return Path(os.path.relpath(Path(path).resolve(), base.resolve())).as_posix()
    except ValueError:  # another drive (Windows): only an absolute path reaches it
        return Path(path).resolve().as_posix()


def _write(
    spec: Report,
    doc: dict,
    figures,
    new: dict[str, _New],
    out: Path,
    date: dt.date | None,
    published: Path | None,
) -> Rolled:
    from builder.load.report import load_report

    old_dir = Path(spec.source.file).parent
    old_key, new_key = spec.period("current").key, new["current"].key
    baseline = _published(spec, out, published)
    doc = dict(doc)
    doc["periods"] = {
        role: {"key": n.key, "label": n.label, **({"sum_of": _part_roles(n, new)} if n.sum_of else {})}
        for role, n in new.items()
    }
    doc["layouts"] = [_relative(old_dir / name, out) for name in doc["layouts"]]
    doc["data"] = "data.csv"
    doc["published"] = [_relative(baseline, out), *[_relative(old_dir / p, out) for p in doc.get("published", [])]]
    if date is not None:
        doc["date"] = date
    text, lines = _yaml(doc, spec, old_key, new_key, date is None, out)
    report_path = out / "report.yaml"
    report_path.write_text(text, encoding="utf-8")
    (out / "data.csv").write_text("line,period,value\n", encoding="utf-8")  # the report names it; filled below
    rolled = load_report(report_path)
    # A new period's key -> the key of the same role before (3Q04 -> 2Q04); kept keys are not new.
    kept = {p.key for p in spec.periods}
    before = {new[p.role].key: p.key for p in spec.periods if new[p.role].key not in kept}
    carried, pending = _data(rolled, figures, out / "data.csv", before)
    to_update = [f"{report_path}:{line}: {what}" for line, what in lines] + _headers(spec, new)
    moved = [
        f"{p.role}: {p.key} -> {new[p.role].key} ({new[p.role].label})"
        for p in spec.periods
        if p.key != new[p.role].key or p.label != new[p.role].label
    ]
    added = [f"{role}: {n.key} ({n.label}), a part of a sum" for role, n in new.items() if spec.period(role) is None]
    labels = {p.label: new[p.role].label for p in spec.periods if p.label != new[p.role].label}
    keys = {p.key: new[p.role].key for p in spec.periods if p.key != new[p.role].key}
    to_check = named_in_words(spec, labels, keys, new_key)
    return Rolled(report_path, out / "data.csv", carried, pending, moved + added, to_update, baseline, to_check)


def _headers(spec: Report, new: dict[str, _New]) -> list[str]:
    """Column headers that print a rolled period's old key (`header: 2Q04`): layouts are not
    rewritten, so each is named, at its line, to be updated (or to print the period's label)."""
    moved = {p.key: new[p.role].key for p in spec.periods if new[p.role].key != p.key}
    out = []
    for layout in spec.layouts:
        for col in layout.columns:
            # A header that quotes its period (`{current.key}`) follows the roll by itself.
            written = col.written_headers or (col.header, col.period_header)
            for text in dict.fromkeys(t for t in written if t):
                for old in moved:
                    if re.search(loosely(old), text):
                        where = col.source or layout.source
                        out.append(f"{where}: column '{col.id}' header {text!r} names {old}, now {moved[old]}")
    return list(dict.fromkeys(out))


def _part_roles(n: _New, new: dict[str, _New]) -> list[str]:
    by_key = {m.key: role for role, m in new.items() if not m.sum_of}
    return [by_key[k] for k in n.sum_of]


def _published(spec: Report, out: Path, given: Path | None) -> Path:
    """The workbook published for the old quarter: --published, else the old report's default
    output if it was built, else built now into the new folder."""
    from builder.api import build
    from builder.example import default_output

    if given is not None:
        if not Path(given).is_file():
            raise ReportError(Problem(Source(str(given)), "--published: no such workbook"))
        from builder.compare.book import of_workbook

        # Refused now, not at the rolled report's first check: a baseline must be a build of ours.
        of_workbook(Path(given), Source("--published"), "file")
        return Path(given)
    default = default_output(Path(spec.source.file))
    if default.is_file():
        return default
    return build(spec, out / f"published-{spec.period('current').key}.xlsx").path


def _yaml(
    doc: dict, spec: Report, old_key: str, new_key: str, old_date: bool, out_dir: Path
) -> tuple[str, list[tuple[int, str]]]:
    """report.yaml as text, with comments on what is still the old quarter's, and those lines."""
    out = [f"# Rolled from {_relative(spec.source.file, out_dir)} ({old_key}) to {new_key} by `report-builder roll`."]
    flagged: list[tuple[int, str]] = []
    for name, value in doc.items():
        if name == "date" and old_date:
            out.append(f"# TO UPDATE for {new_key}: the report's date is still {old_key}'s (roll --date sets it)")
            flagged.append((len(out) + 1, f"date {value} is still {old_key}'s"))
        block = _dump(name, value)
        if name == "inputs" and value:
            out.append(f"# TO UPDATE for {new_key}: the inputs below are still {old_key}'s values")
            first = len(out) + 2
            for i, (input_name, item) in enumerate(value.items()):
                what = f"input {input_name} = {item.get('value')!r} is still {old_key}'s"
                flagged.append((first + i, what))
        out.extend(block.rstrip("\n").split("\n"))
    return "\n".join(out) + "\n", flagged


def _dump(name: str, value: Any) -> str:
    """One top-level key: a mapping of mappings (periods, inputs) one entry a line in flow style,
    as the example writes them; everything else in block style."""

    def dump(data: Any, flow: bool) -> str:
        return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=flow, width=4096)

    if isinstance(value, dict) and value and all(isinstance(v, dict) for v in value.values()):
        entries = [f"  {dump({k: v}, True).strip()[1:-1]}" for k, v in value.items()]
        return "\n".join([f"{name}:", *entries]) + "\n"
    return dump({name: value}, False)


def _data(rolled: Report, figures, path: Path, old_keys: dict[str, str]) -> tuple[int, int]:
    """Write the rolled data file: every figure the new report shows, carried over or empty."""
    from builder.validate import needed_figures

    order = {p.key: i for i, p in enumerate(rolled.periods)}
    rows: dict[str, list[Period]] = {}
    required: set[tuple[str, str]] = {(r.id, p.key) for _, r, p in needed_figures(rolled)}
    for _, row, period in needed_figures(rolled, blank_too=True):
        rows.setdefault(row.id, []).append(period)
        # A `missing: blank` line is to type in a new period when it had a figure in the period of the
        # same role before (2Q04 for 3Q04); delete the row to leave it blank. Otherwise it stays blank.
        before = old_keys.get(period.key)
        if before is not None and figures.find(row.id, before) is not None:
            required.add((row.id, period.key))
    for row, period in _reached(rolled):
        rows.setdefault(row.id, []).append(period)
        required.add((row.id, period.key))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["line", "period", "value"])
    carried = pending = 0
    typed = _as_typed(figures)
    for line, periods in rows.items():
        for period in sorted(set(periods), key=lambda p: order[p.key]):
            i = figures.find(line, period.key)
            if i is not None:
                writer.writerow([line, period.key, typed.get((line, period.key)) or _typed(figures, i)])
                carried += 1
            elif (line, period.key) in required:
                writer.writerow([line, period.key, ""])
                pending += 1
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return carried, pending


def _reached(rolled: Report) -> list[tuple[Row, Period]]:
    """Typed figures of quarters no sheet shows, which a sum_of period adds up through rows that
    compute from other rows (9M04's total revenues needs 1Q04's revenue lines): builder.cycle.parts."""
    from builder.kinds import COLUMN_KINDS, ROW_KINDS
    from builder.validate import row_index

    index = row_index(rolled)
    shown = {c.period for layout in rolled.layouts for c in layout.columns if not COLUMN_KINDS[c.kind].derived}
    out: list[tuple[Row, Period]] = []
    for total in rolled.periods:
        parts = [rolled.period(r) for r in total.sum_of if r not in shown]
        if not parts or total.role not in shown:
            continue
        seen: set[str] = set()
        todo = [
            ref
            for layout in rolled.layouts
            if any(c.period == total.role and not COLUMN_KINDS[c.kind].derived for c in layout.columns)
            for row in layout.rows
            if row.id and ROW_KINDS[row.kind].computed
            for ref in ROW_KINDS[row.kind].refs(row)
        ]
        while todo:
            rid = todo.pop()
            if rid in seen or rid not in index:
                continue
            seen.add(rid)
            row = index[rid][1]
            for part in parts:
                if ROW_KINDS[row.kind].typed(row, part.role):
                    out.append((row, part))
            if ROW_KINDS[row.kind].computed:
                todo.extend(ROW_KINDS[row.kind].refs(row))
    return out


def _as_typed(figures) -> dict[tuple[str, str], str]:
    """The figures of CSV data files as they were typed ("80.0%", "(1,234)"), by (line, period key):
    a carried figure keeps its form as well as its value."""
    out: dict[tuple[str, str], str] = {}
    for file in figures.files:
        if not file.lower().endswith(".csv") or not Path(file).is_file():
            continue
        with open(file, encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            header = next(reader, [])
            names = [c.strip() for c in header]
            for row in reader:
                if len(row) != len(names):
                    continue
                cells = dict(zip(names, row, strict=True))
                if {"line", "period", "value"} <= set(cells):
                    out.setdefault((cells["line"].strip(), cells["period"].strip()), cells["value"])
                elif "line" in cells:
                    for name, value in cells.items():
                        if name != "line" and value.strip():
                            out.setdefault((cells["line"].strip(), name), value)
    return out


def _typed(figures, i: int) -> Any:
    """A carried figure written so that it reads back as the same value: text verbatim, a
    whole number without a decimal point, a percentage with its % sign."""
    value = figures.value(i)
    if isinstance(value, str):
        return value
    if i in figures.percent:
        return f"{Decimal(repr(value)) * 100:f}".rstrip("0").rstrip(".") + "%"
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
