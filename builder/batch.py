"""Batch builds: the same layouts for many entities, one workbook each, in parallel.

Runs on any concurrent.futures-style executor: a local process pool by default, or a
Dask cluster's executor (`--scheduler`). One entity's bad data never stops the others.
"""

from __future__ import annotations

import csv
import hashlib
import os
import re
import unicodedata
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any, NamedTuple

from builder.errors import Problem, ReportError, SchedulerError, Source, TieOutError
from builder.spec import Figure, Report

INDEX = "index.csv"


class EntityResult(NamedTuple):
    entity: str
    status: str  # built | failed
    workbook: str
    reason: str = ""
    key_figures: tuple[tuple[str, float], ...] = ()


# What Windows refuses as a file name's stem, whatever the extension ("CON.xlsx" too);
# the superscript digits count as digits there.
_RESERVED = {"CON", "PRN", "AUX", "NUL"} | {f"{d}{n}" for d in ("COM", "LPT") for n in "123456789\u00b9\u00b2\u00b3"}
# Characters some file system forbids, control characters, and the bidi controls that
# would make a name display as another ("invoice\u202excod.xlsx").
_FORBIDDEN = re.compile('[/\\\\:*?"<>|\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]+')
# Well under the 255 bytes most file systems allow, leaving room for "-2" and for the
# renderer's temporary name (".<stem>-XXXXXXXX.xlsx.tmp") beside it.
_MAX_STEM_BYTES = 100


def file_names(entities: list[str]) -> dict[str, str]:
    """A readable .xlsx name for each entity, safe on Windows, macOS and Linux alike.

    Letters of any script are kept (NFC); only what a file system forbids is replaced;
    reserved names get a leading "_"; a long name is cut and given a short hash of the
    whole name, so two long names stay apart; names are unique even where the file
    system ignores case or normalisation (macOS, Windows)."""
    names: dict[str, str] = {}
    taken: set[str] = set()
    for entity in entities:
        stem = _stem(entity)
        name, n = f"{stem}.xlsx", 2
        while _key(name) in taken:
            name, n = f"{stem}-{n}.xlsx", n + 1
        taken.add(_key(name))
        names[entity] = name
    return names


def _stem(entity: str) -> str:
    text = unicodedata.normalize("NFC", entity)
    # Leading dots would hide the file on Unix; trailing dots and spaces Windows drops.
    stem = _FORBIDDEN.sub("_", text).strip(" ").lstrip(".").rstrip(". ") or "entity"
    if len(stem.encode()) > _MAX_STEM_BYTES:
        digest = hashlib.sha256(text.encode()).hexdigest()[:8]
        cut = stem.encode()[: _MAX_STEM_BYTES - 9].decode(errors="ignore").rstrip(". ")
        stem = f"{cut}-{digest}"
    if stem.split(".")[0].rstrip(" ").upper() in _RESERVED:
        stem = "_" + stem
    return stem


def _key(name: str) -> str:
    """How a case-insensitive, normalising file system compares two names."""
    return unicodedata.normalize("NFC", name.casefold())


def _summary(problems: list) -> str:
    shown = "; ".join(str(p) for p in problems[:3])
    return shown + (f"; and {len(problems) - 3} more" if len(problems) > 3 else "")


# The structures of the batch this process is building (builder.structure): entities whose
# figures are typed alike share their cells' expressions and formula text. One batch at a
# time: a long-lived worker (Dask's) keeps no earlier batch's.
_SHARED: dict[str, Any] = {}


def _structures(batch: str):
    from builder.structure import Structures

    if batch not in _SHARED:
        _SHARED.clear()
        _SHARED[batch] = Structures()
    return _SHARED[batch]


def build_entity(
    report: Report, entity: str, figures: list[Figure], out: str, allow_breaks: bool, batch: str = ""
) -> EntityResult:
    """Build one entity's workbook; any failure becomes the entity's status, never an exception.
    `batch` names the batch, whose entities typed alike share their structure."""
    from builder.api import build

    try:
        structures = _structures(batch) if batch else None
        built = build(report, out, allow_breaks=allow_breaks, data=figures, structures=structures)
    except ReportError as exc:
        return EntityResult(entity, "failed", "", _summary(exc.problems))
    except TieOutError as exc:
        return EntityResult(entity, "failed", "", _summary([f"BREAK {b}" for b in exc.breaks]))
    except Exception as exc:  # noqa: BLE001 - an unexpected failure of one entity must not stop the batch
        return EntityResult(entity, "failed", "", f"{type(exc).__name__}: {exc}")
    return EntityResult(entity, "built", Path(out).name, "", built.key_figures)


def run_batch(
    report_path: Path | str,
    data: Any,
    out_dir: Path | str,
    workers: int = 1,
    executor: Executor | None = None,
    allow_breaks: bool = False,
    on_result: Callable[[EntityResult], None] | None = None,
) -> list[EntityResult]:
    """Build every entity of `data` (a file or DataFrame with an `entity` column) into `out_dir`.

    Returns one result per entity, in the order they first appear, and writes
    `out_dir/index.csv` listing each with its status, reason and key totals.

    The previous index.csv is the record of which workbooks in `out_dir` this builder
    wrote: only those are ever replaced or removed. A workbook it lists that this run
    does not write again (its entity failed, or is gone from the data) is removed, so
    none is left to be taken for this run's.
    """
    from builder.api import load_report
    from builder.kinds import text_lines

    report = load_report(report_path)  # layouts are read and checked once, not per entity
    groups = load_batch(data, text_lines(report))
    out_dir = Path(out_dir)
    ours = {out_dir / name for name in previous_workbooks(out_dir)}
    # Files are compared by identity, not name, so that a case-insensitive file system
    # (macOS, Windows) and a case-sensitive one (Linux) both get the right answer.
    owned = {_identity(path) for path in ours} - {None}
    inputs = {_identity(Path(p)) for p in (report_path, data) if isinstance(p, (str, Path))} - {None}
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ReportError(
            Problem(Source(str(out_dir)), f"cannot make the output folder: {exc.strerror or exc}")
        ) from None
    names = file_names(list(groups))
    results: dict[str, EntityResult] = {}
    jobs = []
    for entity, (figures, problems) in groups.items():
        target = out_dir / names[entity]
        if not problems and (refusal := _not_ours(target, owned, inputs)):
            problems = [Problem(Source(str(target)), refusal)]
        if problems:
            results[entity] = EntityResult(entity, "failed", "", _summary(problems))
            if on_result:
                on_result(results[entity])
        else:
            jobs.append((entity, figures, str(target)))
    own = executor is None
    pool = executor or ProcessPoolExecutor(max_workers=max(1, workers))
    try:
        batch = os.urandom(8).hex()
        futures = {pool.submit(build_entity, report, e, f, o, allow_breaks, batch): e for e, f, o in jobs}
        for future in as_completed(futures):
            try:
                result = future.result()
            except Exception as exc:  # noqa: BLE001 - a lost worker fails its entity, not the batch
                result = EntityResult(futures[future], "failed", "", f"{type(exc).__name__}: {exc}")
            results[result.entity] = result
            if on_result:
                on_result(result)
    finally:
        if own:
            pool.shutdown()
    ordered = [results[entity] for entity in groups]
    written = {_identity(out_dir / r.workbook) for r in ordered if r.status == "built"}
    for stale in ours:
        if stale.is_file() and _identity(stale) not in written | inputs:
            stale.unlink(missing_ok=True)
    write_index(out_dir / INDEX, ordered, report.key_totals)
    return ordered


SCHEDULER_TIMEOUT = 5  # seconds to reach a Dask scheduler: long enough for a remote cluster, short for a typo


def connect_scheduler(address: str):
    """A Dask client for `address`; SchedulerError for an address that is not one, or a
    scheduler that does not answer within SCHEDULER_TIMEOUT."""
    from urllib.parse import urlsplit

    try:
        from distributed import Client  # the optional 'dask' extra
    except ImportError:
        raise SchedulerError("--scheduler needs the 'dask' extra: pip install 'report-builder[dask]'") from None
    # A malformed address is refused here: distributed leaves a half-made Client whose
    # clean-up prints a traceback ten seconds later.
    try:
        parts = urlsplit(address)
        usable = bool(parts.scheme and parts.hostname and parts.port is not None)
    except ValueError:
        usable = False
    if not usable:
        raise SchedulerError(f"--scheduler {address!r}: expected an address like tcp://host:8786")
    try:
        return Client(address, timeout=SCHEDULER_TIMEOUT, set_as_default=False)
    except Exception as exc:  # noqa: BLE001 - distributed raises OSError, ValueError, TypeError, TimeoutError...
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise SchedulerError(f"--scheduler {address!r}: cannot connect: {reason}") from None


def load_batch(data: Any, text_lines: frozenset[str] = frozenset()) -> dict:
    """The batch's figures by entity; a data file without a single entity is refused."""
    from builder.load.data import load_entities

    groups = load_entities(data, text_lines)
    if not groups:
        where = str(data) if isinstance(data, (str, Path)) else "<DataFrame>"
        raise ReportError(Problem(Source(where), "the data has no entities: no line after the header"))
    return groups


_HEADER = ["entity", "status", "workbook", "reason"]


def previous_workbooks(out_dir: Path) -> set[str]:
    """The workbooks the last batch into `out_dir` wrote, as its index.csv lists them.

    An index.csv this builder did not write (a user's file, or the data itself) is
    refused rather than overwritten."""
    path = out_dir / INDEX
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle))
    except FileNotFoundError:
        return set()
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ReportError(Problem(Source(str(path)), f"cannot read the previous index: {exc}")) from None
    if not rows or rows[0][:4] != _HEADER:
        raise ReportError(
            Problem(
                Source(str(path), 1), "this index.csv was not written by report-builder; choose another --out folder"
            )
        )
    # Only a plain .xlsx name inside the folder counts: a hand-edited "../x.xlsx" does not.
    return {
        name
        for row in rows[1:]
        if len(row) >= 3 and row[1] == "built"
        for name in [_unescape(row[2])]
        if name.endswith(".xlsx") and Path(name).name == name and name not in (".", "..")
    }


def _not_ours(target: Path, owned: set, inputs: set) -> str:
    """Why writing `target` would replace a file this builder did not write ("" if it would not)."""
    found = _identity(target)
    if found is None:
        return ""
    if found in inputs:
        return "the entity's workbook would overwrite an input of this batch; rename the entity or choose another --out"
    if found in owned:
        return ""
    return "a file of that name is already there and was not written by this batch; move it or choose another --out"


def _identity(path: Path) -> tuple[int, int] | None:
    """The file `path` names (device, inode), or None if there is none."""
    try:
        st = os.lstat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def write_index(path: Path, results: list[EntityResult], keys: tuple[str, ...]) -> None:
    """index.csv, written whole or not at all, one physical line per entity.

    Text cells are escaped as OWASP's CSV-injection guidance says: a cell beginning with
    = + - @ tab or carriage return gets a leading ', so a spreadsheet shows it as text
    rather than running it (and a cell beginning with ' gets one more, so the rule can be
    undone). Key totals are numbers the builder computed, written plainly ("-1234"), so a
    spreadsheet reads them as numbers."""
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow([*_HEADER, *keys])
            for r in results:
                values = dict(r.key_figures)
                text = [_text(r.entity), r.status, _text(r.workbook), _text(r.reason)]
                writer.writerow([*text, *(_plain(values.get(k)) for k in keys)])
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


# Control characters are shown as escapes ("\n"), so a cell never spans two lines nor
# begins with a tab or carriage return.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def printable(value: str) -> str:
    """`value` with its control characters written as escapes ("\\n", "\\x1b")."""
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1], value)


def _text(value: str) -> str:
    value = printable(value)
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r", "'") else value


def _unescape(value: str) -> str:
    return value[1:] if value.startswith("'") else value


def _plain(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else repr(value)
