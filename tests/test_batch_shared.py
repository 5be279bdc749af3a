"""A batch shares what its entities have in common (builder.structure): the cells' expressions,
formula text, titles and the Footing layout, recorded by the first entity whose figures are
typed alike and adopted by the next, which compute only values. Each entity's workbook must be
byte for byte the one a single build of its data makes, and a failure the same failure."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from builder.api import load_report
from builder.batch import build_entity, load_batch
from builder.cli import main
from builder.kinds import text_lines
from tests.published import EXAMPLE

with open(EXAMPLE.parent / "data.csv", newline="") as _handle:
    ROWS = list(csv.DictReader(_handle))


def _scaled(k: int) -> list[tuple[str, str, str]]:
    out = []
    for row in ROWS:
        value = row["value"]
        if k != 1 and not value.endswith("%"):
            value = f"{float(value) * k:.10g}"
        out.append((row["line"], row["period"], value))
    return out


def _changed(rows, line: str, period: str, value: str):
    return [(li, p, value if (li, p) == (line, period) else v) for li, p, v in rows]


# Each entity exercises one way a shared structure could go wrong if values leaked between
# entities or a cell were computed in the wrong order.
ENTITIES = {
    "plain": _scaled(1),
    "doubled": _scaled(2),  # every value differs; column widths grow
    # An operating loss in 2Q04: the Highlights sentences take their other branches
    # ("Operating loss was ..."), cells read only by the branch not taken before. (The cash
    # tie-out breaks: one figure changed alone; the batches below allow breaks.)
    "loss": _changed(_scaled(1), "dedicated_access", "2Q04", "1500000"),
    "tripled": _scaled(3),  # the appendices' ties to the figures in millions break
    "reordered": list(reversed(_scaled(2))),  # typed in another order: a structure of its own
    "reordered again": list(reversed(_scaled(1))),  # ... adopted by this one
    "no shares": _changed(_scaled(1), "weighted_shares", "2Q04", "0"),  # EPS divides by zero
    "after all": _scaled(2),
}


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    folder = tmp_path_factory.mktemp("shared")
    path = folder / "entities.csv"
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["entity", "line", "period", "value"])
        for entity, rows in ENTITIES.items():
            writer.writerows([entity, *row] for row in rows)
    return folder, path


def test_each_entity_is_what_a_single_build_makes(batch):
    folder, path = batch
    report = load_report(EXAMPLE)
    groups = load_batch(path, text_lines(report))
    shared, single = folder / "shared", folder / "single"
    shared.mkdir()
    single.mkdir()
    results = {}
    for entity, (figures, problems) in groups.items():
        assert not problems
        name = f"{entity}.xlsx"
        alone = build_entity(report, entity, figures, str(single / name), True)  # no batch: nothing shared
        together = build_entity(report, entity, figures, str(shared / name), True, batch="one")
        assert together == alone
        results[entity] = together.status
        if together.status == "built":
            assert (shared / name).read_bytes() == (single / name).read_bytes(), entity
    assert results == {
        "plain": "built",
        "doubled": "built",
        "loss": "built",
        "tripled": "built",  # its Checks sheet says BREAK, computed from the shared cells
        "reordered": "built",
        "reordered again": "built",
        "no shares": "failed",
        "after all": "built",
    }


def test_the_batch_command_writes_the_same_workbooks(batch, tmp_path):
    folder, path = batch
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["batch", str(EXAMPLE), "--data", str(path), "--out", str(out)])
    assert result.exit_code == 6, result.output
    assert "built 5, failed 3" in result.output
    assert "failed: tripled: BREAK" in result.output and "failed: loss: BREAK" in result.output
    assert "failed: no shares:" in result.output and "division by zero" in result.output
    report = load_report(EXAMPLE)
    groups = load_batch(path, text_lines(report))
    for entity in ("doubled", "after all", "reordered again"):
        alone = tmp_path / f"{entity}.xlsx"
        build_entity(report, entity, groups[entity][0], str(alone), False)
        assert (out / f"{entity}.xlsx").read_bytes() == alone.read_bytes(), entity


def test_an_entity_that_adopted_its_structure_holds_what_libreoffice_computes(batch, tmp_path):
    """The entity whose values take the other branches, built after the structure was recorded:
    its stored values equal LibreOffice's recalculation (verify exits 0)."""
    folder, path = batch
    out = tmp_path / "out"
    args = ["batch", str(EXAMPLE), "--data", str(path), "--out", str(out), "--allow-breaks"]
    assert CliRunner().invoke(main, args).exit_code == 6  # "no shares" still fails
    cli = Path(sys.executable).parent / "report-builder"
    done = subprocess.run([str(cli), "verify", str(out / "loss.xlsx")], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Operating loss was JPY 1,050 million" in _highlights(out / "loss.xlsx")


def _highlights(path: Path) -> str:
    import openpyxl

    book = openpyxl.load_workbook(path, data_only=True)
    return " ".join(str(c.value) for row in book["Highlights"].iter_rows() for c in row if c.value)


def test_each_cell_is_computed_after_every_cell_it_reads():
    """The run a structure compiles puts each derived cell after the cells its formula names,
    those of both branches of an IF included (the values of the next entity may take the
    other). Checked on the cells in reverse order of their making, so that the order of the
    resolver's dictionary cannot pass for one."""
    from builder.api import load
    from builder.compare.baseline import mark
    from builder.expr import Range, Ref, walk
    from builder.resolve import resolve
    from builder.structure import Structures, _program

    loaded = load(EXAMPLE)
    structures = Structures()
    resolve(mark(loaded.report), loaded.figures, structures)
    (structure,) = structures.known.values()
    exprs = dict(reversed(structure.exprs.items()))
    program = _program(exprs, structure.constants, lambda ref: None)
    position = {ref: i for i, (ref, _) in enumerate(program.order)}
    assert set(position) == set(exprs) - set(structure.constants)
    late = []
    for ref, i in position.items():
        for node in walk(exprs[ref]):
            reads = list(node.refs()) if type(node) is Range else [node] if type(node) is Ref else []
            late += [(ref, read) for read in reads if read in position and position[read] > i]
    assert late == []
    assert len(position) > 2500  # every derived cell of the example
