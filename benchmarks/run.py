"""Benchmarks: the builder against the fastest honest baseline, in paired runs; prints a README table.

    .venv/bin/python benchmarks/run.py            # full size (about 25 minutes on an idle 2-core machine)
    .venv/bin/python benchmarks/run.py --quick    # a look in a couple of minutes (small sizes, 3 pairs)
    .venv/bin/python benchmarks/run.py --only example,verify

Whole processes, timed in turns (builder, baseline, builder, baseline...): CPU time (user +
system, the process and the children it waited for, from wait4) and wall time; medians of
each, and the ratio of the medians. The baseline (benchmarks/plain.py) replays what the
builder writes, dumped outside the timed region (benchmarks/dump.py); run.py first checks
that it writes the same bytes as the builder. The machine's 1-minute load average is taken
before and after each benchmark and printed beside it: on a shared machine the ratios mean
something, the seconds less, a speed-up of 2 workers nothing without the load.
"""

from __future__ import annotations

import argparse
import compileall
import csv
import filecmp
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PY = sys.executable
_SCRIPT = Path(PY).parent / "report-builder"
RB = [str(_SCRIPT)] if _SCRIPT.exists() else [PY, "-m", "builder.cli"]  # the installed command, as a user runs it
EXAMPLE = ROOT / "examples" / "iij-2q-fy2004" / "report.yaml"


class Run(NamedTuple):
    wall: float
    cpu: float
    rss_mb: float


def run(cmd: list[str], ok: tuple[int, ...] = (0,)) -> Run:
    """One whole process: wall seconds, CPU seconds (with its children), peak RSS."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT)
    stderr = proc.stderr.read().decode(errors="replace")
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.stderr.close()
    proc.returncode = code = os.waitstatus_to_exitcode(status)
    if code not in ok:
        raise SystemExit(f"{' '.join(cmd)} failed ({code}): {stderr}")
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


class Pair(NamedTuple):
    ours: Run  # medians
    base: Run

    @property
    def cpu_ratio(self) -> float:
        return self.ours.cpu / self.base.cpu

    @property
    def wall_ratio(self) -> float:
        return self.ours.wall / self.base.wall


def paired(ours: list[str], base: list[str], repeat: int) -> Pair:
    """Both commands in turns, `repeat` times each; the medians of each's wall and CPU time."""
    runs = [(run(ours), run(base)) for _ in range(repeat)]

    def med(side: int) -> Run:
        return Run(*(statistics.median(r[side][i] for r in runs) for i in range(3)))

    return Pair(med(0), med(1))


def dump(report: Path, pickle: Path | str, *entity: Path | str) -> None:
    """The builder's XlsxWriter calls for `report` (or one entity: data file, entity name), recorded
    into `pickle` for the baseline, outside any timed region."""
    args = [PY, str(HERE / "dump.py"), str(report), str(pickle), *map(str, entity)]
    subprocess.run(args, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)


def load() -> float:
    return os.getloadavg()[0]


class Table:
    def __init__(self, repeat: int, quick: bool):
        self.rows: list[list[str]] = []
        self.repeat, self.quick = repeat, quick

    def add(self, what: str, command: str, ours: str, base: str, ratio: str, target: str, met: bool, loads) -> None:
        """`command`: what report-builder runs; the row's last column is the run.py command that
        measures it again (`--only` the benchmark, at the sizes used)."""
        self.rows.append([f"{what}: `{command}`", ours, base, ratio, target, "met" if met else "not met", loads])

    def reproduce(self, only: str, **sizes: int) -> None:
        """The command that measures the last row again."""
        args = [
            f"--only {only}",
            *(f"--{k.replace('_', '-')} {v}" for k, v in sizes.items()),
            f"--repeat {self.repeat}",
        ]
        self.rows[-1].append("`benchmarks/run.py " + " ".join(args) + "`")

    def print(self, started: str, quick: bool) -> None:
        size = ", --quick sizes" if quick else ""
        print(f"\nMeasured {started}, {os.cpu_count()} CPUs{size}; CPU = user + system.\n")
        print("| benchmark | report-builder | baseline | ratio | target | | load avg (1 min) | reproduce |")
        print("| --- | --- | --- | --- | --- | --- | --- | --- |")
        for row in self.rows:
            print("| " + " | ".join(row) + " |")


def _loads(before: float) -> str:
    return f"{before:.1f} to {load():.1f}"


def _times(r: Run) -> str:
    return f"{r.cpu:.2f} s CPU, {r.wall:.2f} s wall"


def batch_data(path: Path, entities: int) -> None:
    """The example's figures once per entity; odd entities' doubled (their checks still hold
    within tolerance, tripled they would not), so that neighbouring entities differ."""
    with open(EXAMPLE.parent / "data.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["entity", "line", "period", "value"])
        for e in range(entities):
            for row in rows:
                value = row["value"]
                if e % 2 and not value.endswith("%"):
                    value = repr(float(value) * 2) if "." in value else str(int(value) * 2)
                writer.writerow([f"Entity {e:04d}", row["line"], row["period"], value])


def same_bytes(a: Path, b: Path) -> None:
    if not filecmp.cmp(a, b, shallow=False):
        raise SystemExit(f"the baseline does not write what the builder writes: {a} != {b}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="small sizes and 3 pairs: a look in a few minutes")
    parser.add_argument("--repeat", type=int, help="pairs per benchmark (default 11, quick 3)")
    parser.add_argument("--entities", type=int, help="batch size (default 1000, quick 20)")
    parser.add_argument("--lines", type=int, help="statement for CPU and verify (default 20000, quick 2000)")
    parser.add_argument("--rss-lines", type=int, help="statement for peak RSS (default 100000, quick 10000)")
    parser.add_argument("--only", default="startup,example,batch,large,verify,rss")
    args = parser.parse_args()
    repeat = args.repeat or (3 if args.quick else 11)
    entities = args.entities or (20 if args.quick else 1000)
    lines = args.lines or (2000 if args.quick else 20_000)
    rss_lines = args.rss_lines or (10_000 if args.quick else 100_000)
    only = set(args.only.split(","))
    table = Table(repeat, args.quick)
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    # Bytecode compiled ahead, as `pip install` does: an editable install would otherwise
    # recompile the builder in the first run.
    compileall.compile_dir(ROOT / "builder", quiet=1)
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        tmp = Path(tmp)
        if "startup" in only:
            before = load()
            pair = paired([*RB, "--help"], [PY, "-c", "pass"], max(repeat, 10))
            table.add(
                "start-up", "report-builder --help", _times(pair.ours), "`python -c pass`: " + _times(pair.base),
                f"{pair.cpu_ratio:.2f}x CPU, {pair.wall_ratio:.2f}x wall", "<= 2.5x", pair.cpu_ratio <= 2.5,
                _loads(before),
            )  # fmt: skip
            table.reproduce("startup")
            before = load()
            pair = paired([*RB, "check"], [PY, "-c", "pass"], max(repeat, 10))
            table.add(
                "check (example)", "report-builder check", _times(pair.ours), "`python -c pass`: " + _times(pair.base),
                f"{pair.cpu_ratio:.2f}x CPU, {pair.wall_ratio:.2f}x wall", "none (imports no XlsxWriter, pandas)", True,
                _loads(before),
            )  # fmt: skip
            table.reproduce("startup")
        if "example" in only:
            before = load()
            dump(EXAMPLE, tmp / "example.pickle")
            ours = [*RB, "build", str(EXAMPLE), "--out", str(tmp / "example.xlsx")]
            base = [PY, str(HERE / "plain.py"), str(tmp / "example.pickle"), str(tmp / "plain-example")]
            run(ours), run(base)
            same_bytes(tmp / "example.xlsx", tmp / "plain-example" / "plain0.xlsx")
            pair = paired(ours, base, repeat)
            table.add(
                "bundled example", "report-builder build", _times(pair.ours), _times(pair.base),
                f"{pair.cpu_ratio:.2f}x CPU, {pair.wall_ratio:.2f}x wall", "CPU <= 1.3x", pair.cpu_ratio <= 1.3,
                _loads(before),
            )  # fmt: skip
            table.reproduce("example")
        if "batch" in only:
            batch_data(tmp / "entities.csv", entities)
            dumps = []
            for e in (0, 1):  # the two variants, as entities 0 and 1 of the batch file
                dumps.append(str(tmp / f"entity{e}.pickle"))
                entity = f"Entity {e:04d}"
                dump(EXAMPLE, dumps[-1], tmp / "entities.csv", entity)
            before = load()
            one = [*RB, "batch", str(EXAMPLE), "--data", str(tmp / "entities.csv"), "--out", str(tmp / "b1")]
            base = [PY, str(HERE / "plain.py"), dumps[0], str(tmp / "plain-batch"), str(entities), dumps[1]]
            pair = paired(one, base, 1)  # a full batch is long: one turn each
            for e in (0, 1):
                same_bytes(tmp / "b1" / f"Entity {e:04d}.xlsx", tmp / "plain-batch" / f"plain{e}.xlsx")
            per = Run(*(v / entities for v in pair.ours[:2]), pair.ours.rss_mb)
            per_base = Run(*(v / entities for v in pair.base[:2]), pair.base.rss_mb)
            table.add(
                f"batch of {entities:,}, 1 worker, per entity", "report-builder batch", _times(per), _times(per_base),
                f"{pair.cpu_ratio:.2f}x CPU, {pair.wall_ratio:.2f}x wall", "CPU <= 1.3x", pair.cpu_ratio <= 1.3,
                _loads(before),
            )  # fmt: skip
            table.reproduce("batch", entities=entities)
            before = load()
            two = run([*one[:-1], str(tmp / "b2"), "--workers", "2"])
            speed = pair.ours.wall / two.wall
            table.add(
                f"batch of {entities:,}, 2 workers", "report-builder batch --workers 2", f"{two.wall:.1f} s wall",
                f"1 worker: {pair.ours.wall:.1f} s wall", f"{speed:.2f}x faster", ">= 1.8x (idle machine)",
                speed >= 1.8, _loads(before),
            )  # fmt: skip
            table.reproduce("batch", entities=entities)
        if "large" in only or "verify" in only:
            # Made in another process: a forked child's peak RSS counts the parent's pages until exec.
            subprocess.run(
                [PY, str(HERE / "large.py"), str(tmp / "large"), str(lines)],
                check=True,
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
            )
            report = tmp / "large" / "report.yaml"
            ours = [*RB, "build", str(report), "--out", str(tmp / "large.xlsx")]
            run(ours)
        if "large" in only:
            before = load()
            dump(report, tmp / "large.pickle")
            base = [PY, str(HERE / "plain.py"), str(tmp / "large.pickle"), str(tmp / "plain-large")]
            run(base)
            same_bytes(tmp / "large.xlsx", tmp / "plain-large" / "plain0.xlsx")
            pair = paired(ours, base, min(repeat, 3))
            table.add(
                f"{lines:,}-line statement, 12 periods", "report-builder build", _times(pair.ours), _times(pair.base),
                f"{pair.cpu_ratio:.2f}x CPU, {pair.wall_ratio:.2f}x wall", "CPU <= 1.5x", pair.cpu_ratio <= 1.5,
                _loads(before),
            )  # fmt: skip
            table.reproduce("large", lines=lines)
        if "verify" in only:
            before = load()
            lo = (
                "import sys, pathlib; from builder.verify.libreoffice import recalculate; "
                "recalculate([pathlib.Path(sys.argv[1])], pathlib.Path(sys.argv[2]))"
            )
            pair = paired(
                [*RB, "verify", str(tmp / "large.xlsx")], [PY, "-c", lo, str(tmp / "large.xlsx"), str(tmp / "lo")],
                min(repeat, 3),
            )  # fmt: skip
            table.add(
                f"verify, {lines:,}-line statement", "report-builder verify", _times(pair.ours),
                "LibreOffice's conversion alone: " + _times(pair.base), f"{pair.wall_ratio:.2f}x wall",
                "wall <= 2x", pair.wall_ratio <= 2, _loads(before),
            )  # fmt: skip
            table.reproduce("verify", lines=lines)
        if "rss" in only:
            before = load()
            subprocess.run(
                [PY, str(HERE / "large.py"), str(tmp / "huge"), str(rss_lines)],
                check=True,
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
            )
            big = run([*RB, "build", str(tmp / "huge" / "report.yaml"), "--out", str(tmp / "huge.xlsx")])
            table.add(
                f"{rss_lines:,}-line statement: peak RSS", "report-builder build", f"{big.rss_mb:.0f} MB",
                "", f"{big.cpu:.1f} s CPU", "< 300 MB", big.rss_mb < 300, _loads(before),
            )  # fmt: skip
            table.reproduce("rss", rss_lines=rss_lines)
    table.print(started, args.quick)


if __name__ == "__main__":
    main()
