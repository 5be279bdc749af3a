"""Batch builds: the same layouts for many entities, one workbook each, in parallel.

Runs on any concurrent.futures-style executor: a local process pool by default, or a
Dask cluster's executor (`--scheduler`). One entity's bad data never stops the others.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any, NamedTuple

from builder.errors import Problem, ReportError, Source, TieOutError
from builder.spec import Figure, Report

INDEX = "index.csv"


class EntityResult(NamedTuple):
    entity: str
    status: str  # built | failed
    workbook: str
    reason: str = ""
    key_figures: tuple[tuple[str, float], ...] = ()


def file_names(entities: list[str]) -> dict[str, str]:
    """A safe, unique .xlsx name for each entity."""
    names: dict[str, str] = {}
    taken: set[str] = set()
    for entity in entities:
        stem = re.sub(r"[^A-Za-z0-9._-]+", "_", entity).strip("._") or "entity"
        name, n = f"{stem}.xlsx", 2
        while name.lower() in taken:
            name, n = f"{stem}-{n}.xlsx", n + 1
        taken.add(name.lower())
        names[entity] = name
    return names


def _summary(problems: list) -> str:
    shown = "; ".join(str(p) for p in problems[:3])
    return shown + (f"; and {len(problems) - 3} more" if len(problems) > 3 else "")


def build_entity(report: Report, entity: str, figures: list[Figure], out: str, allow_breaks: bool) -> EntityResult:
    """Build one entity's workbook; any failure becomes the entity's status, never an exception."""
    from builder.api import build

    try:
        built = build(report, out, allow_breaks=allow_breaks, data=figures)
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
    """
    from builder.api import load_report
    from builder.load.data import load_entities

    report = load_report(report_path)  # layouts are read and checked once, not per entity
    groups = load_entities(data)
    out_dir = Path(out_dir)
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
        if problems:
            results[entity] = EntityResult(entity, "failed", "", _summary(problems))
            if on_result:
                on_result(results[entity])
        else:
            jobs.append((entity, figures, str(out_dir / names[entity])))
    own = executor is None
    pool = executor or ProcessPoolExecutor(max_workers=max(1, workers))
    try:
        futures = {pool.submit(build_entity, report, e, f, o, allow_breaks): e for e, f, o in jobs}
        for future in as_completed(futures):
            result = future.result()
            results[result.entity] = result
            if on_result:
                on_result(result)
    finally:
        if own:
            pool.shutdown()
    ordered = [results[entity] for entity in groups]
    write_index(out_dir / INDEX, ordered, report.key_totals)
    return ordered


def write_index(path: Path, results: list[EntityResult], keys: tuple[str, ...]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["entity", "status", "workbook", "reason", *keys])
        for r in results:
            values = dict(r.key_figures)
            writer.writerow([r.entity, r.status, r.workbook, r.reason, *(_plain(values.get(k)) for k in keys)])


def _plain(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else repr(value)
