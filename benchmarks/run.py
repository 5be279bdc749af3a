"""Benchmarks: the builder against a plain XlsxWriter script writing the same cells, in one run.

    .venv/bin/python benchmarks/run.py                      # all, full size (about half an hour)
    .venv/bin/python benchmarks/run.py --entities 50 --lines 10000 --repeat 3   # a quick look

Whole processes, cold; medians of --repeat runs (the example's ratio: the median of
ratios of runs made in turns); peak RSS from the kernel (wait4). The machine is shared
and noisy: read the ratios, not the seconds.
"""

from __future__ import annotations

import argparse
import compileall
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PY = sys.executable
CLI = [PY, "-m", "builder.cli"]
EXAMPLE = ROOT / "examples" / "iij-2q-fy2004" / "report.yaml"


def run(cmd: list[str]) -> tuple[float, float]:
    """(seconds, peak RSS in MB) of one whole process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    stderr = proc.stderr.read().decode()
    proc.stderr.close()
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 6):  # 6: a batch with a failed entity, which the batch benchmark plants
        raise SystemExit(f"{' '.join(cmd)} failed ({code}): {stderr}")
    return seconds, usage.ru_maxrss / 1024


def median(cmd: list[str], repeat: int) -> tuple[float, float]:
    runs = [run(cmd) for _ in range(repeat)]
    return statistics.median(r[0] for r in runs), max(r[1] for r in runs)


def paired(ours: list[str], plain: list[str], repeat: int) -> tuple[float, float, float]:
    """Medians of both, and the median of their ratio, run in turns: on a shared machine
    whose speed drifts, each ratio compares two runs made seconds apart."""
    times = [(run(ours)[0], run(plain)[0]) for _ in range(repeat)]
    return (
        statistics.median(t[0] for t in times),
        statistics.median(t[1] for t in times),
        statistics.median(t[0] / t[1] for t in times),
    )


def batch_data(path: Path, entities: int) -> None:
    import csv

    with open(EXAMPLE.parent / "data.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["entity", "line", "period", "value"])
        for e in range(entities):
            for n, row in enumerate(rows):
                value = "12O" if e == entities // 2 and n == 3 else row["value"]  # one bad entity
                writer.writerow([f"Entity {e:04d}", row["line"], row["period"], value])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--entities", type=int, default=1000)
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--only", default="startup,example,batch,large")
    args = parser.parse_args()
    only = set(args.only.split(","))
    rows: list[tuple[str, str, str, str]] = []
    # Bytecode compiled ahead, as `pip install` does for an installed package: an editable
    # install (or PYTHONDONTWRITEBYTECODE) would otherwise recompile the builder in every run.
    compileall.compile_dir(ROOT / "builder", quiet=1)
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        tmp = Path(tmp)
        if "startup" in only:
            help_s, _ = median([*CLI, "--help"], args.repeat)
            check_s, _ = median([*CLI, "check"], args.repeat)
            rows.append(("`report-builder --help`", f"{help_s:.2f} s", "", "target < 0.5 s"))
            rows.append(("`report-builder check` (example)", f"{check_s:.2f} s", "", "target < 0.5 s"))
        if "example" in only or "batch" in only:
            subprocess.run([PY, str(HERE / "dump.py"), str(EXAMPLE), str(tmp / "example.json")], check=True, cwd=ROOT)
        if "example" in only:
            ours, plain, ratio = paired(
                [*CLI, "build", str(EXAMPLE), "--out", str(tmp / "ex.xlsx")],
                [PY, str(HERE / "plain.py"), str(tmp / "example.json"), str(tmp / "plain")],
                args.repeat,
            )
            rows.append(("bundled example, cold", f"{ours:.2f} s", f"{plain:.2f} s", f"{ratio:.2f}x (target <= 1.3x)"))
        if "batch" in only:
            batch_data(tmp / "entities.csv", args.entities)
            times = {}
            for workers in (1, 2):
                cmd = [
                    *CLI,
                    "batch",
                    str(EXAMPLE),
                    "--data",
                    str(tmp / "entities.csv"),
                    "--out",
                    str(tmp / f"b{workers}"),
                    "--workers",
                    str(workers),
                ]
                times[workers], _ = run(cmd)
            plain, _ = run([PY, str(HERE / "plain.py"), str(tmp / "example.json"), str(tmp / "pb"), str(args.entities)])
            n = args.entities
            rows.append(
                (
                    f"batch, {n} entities, 1 worker",
                    f"{times[1]:.1f} s",
                    f"{plain:.1f} s",
                    f"{times[1] / plain:.2f}x (target <= 1.3x)",
                )
            )
            rows.append(
                (
                    f"batch, {n} entities, 2 workers",
                    f"{times[2]:.1f} s",
                    "",
                    f"{times[1] / times[2]:.2f}x faster than 1 (target >= 1.7x)",
                )
            )
        if "large" in only:
            # Made in another process: a forked child's peak RSS (wait4) counts the parent's
            # pages until exec, and generating 100,000 rows of YAML here made run.py 300 MB.
            subprocess.run([PY, str(HERE / "large.py"), str(tmp / "large"), str(args.lines)], check=True, cwd=ROOT)
            report = tmp / "large" / "report.yaml"
            ours, ours_rss = run([*CLI, "build", str(report), "--out", str(tmp / "large.xlsx")])
            subprocess.run([PY, str(HERE / "dump.py"), str(report), str(tmp / "large.json")], check=True, cwd=ROOT)
            plain, plain_rss = run([PY, str(HERE / "plain.py"), str(tmp / "large.json"), str(tmp / "pl")])
            rows.append(
                (
                    f"{args.lines:,}-line statement, 12 periods: time",
                    f"{ours:.1f} s",
                    f"{plain:.1f} s",
                    f"{ours / plain:.2f}x",
                )
            )
            rows.append(
                (
                    f"{args.lines:,}-line statement: peak RSS",
                    f"{ours_rss:.0f} MB",
                    f"{plain_rss:.0f} MB",
                    "target < 300 MB",
                )
            )
    print("| benchmark | report-builder | plain XlsxWriter | ratio / target |")
    print("| --- | --- | --- | --- |")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
