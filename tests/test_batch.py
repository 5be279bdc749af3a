"""Batch builds: one workbook per entity, a bad entity reported and the rest built, on a
local process pool and on a Dask cluster started by the test."""

from __future__ import annotations

import csv

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from builder.cli import main
from tests.published import EXAMPLE

ENTITIES = ["Alpha Co", "Beta/Co", "Gamma", "Bad One", "Delta KK", "Epsilon"]


def factor(i: int) -> int:
    return 1 + i % 2


@pytest.fixture(scope="module")
def batch_data(tmp_path_factory):
    """The example's figures for several entities, scaled by 1 or 2; one has a typo.

    (Larger factors break the example's ties between figures typed in millions and the
    appendices' thousands, as they should.)"""
    data = pd.read_csv(EXAMPLE.parent / "data.csv", dtype=str)
    frames = []
    for i, name in enumerate(ENTITIES):
        k = factor(i)
        frame = data.copy()
        numeric = ~frame.value.str.endswith("%")
        frame.loc[numeric, "value"] = (frame.loc[numeric, "value"].astype(float) * k).map(lambda v: f"{v:.10g}")
        if name == "Bad One":
            frame.loc[frame.line == "inventories", "value"] = "12O"
        frame.insert(0, "entity", name)
        frames.append(frame)
    path = tmp_path_factory.mktemp("batch") / "entities.csv"
    pd.concat(frames).to_csv(path, index=False)
    return path


def check_batch(out_dir, result):
    assert result.exit_code == 6, result.output
    assert "built 5, failed 1" in result.output
    assert "failed: Bad One:" in result.output and "expected a number, found '12O'" in result.output
    with open(out_dir / "index.csv", newline="") as handle:
        index = list(csv.DictReader(handle))
    assert [r["entity"] for r in index] == ENTITIES
    statuses = {r["entity"]: r["status"] for r in index}
    assert statuses.pop("Bad One") == "failed" and set(statuses.values()) == {"built"}
    # Key totals follow each entity's own figures.
    for i, row in enumerate(index):
        if row["status"] == "built":
            assert int(row["total_revenues"]) == 10_512_328 * factor(i)
            assert (out_dir / row["workbook"]).exists()
    names = sorted(p.name for p in out_dir.glob("*.xlsx"))
    assert names == ["Alpha Co.xlsx", "Beta_Co.xlsx", "Delta KK.xlsx", "Epsilon.xlsx", "Gamma.xlsx"]
    beta = openpyxl.load_workbook(out_dir / "Beta_Co.xlsx", data_only=True)["Operations"]
    total = next(r for r in beta.iter_rows() if r[0].value == "Total revenues")
    assert total[2].value == 10_512_328 * 2


def test_batch_on_two_local_workers(batch_data, tmp_path):
    out = tmp_path / "out"
    args = ["batch", str(EXAMPLE), "--data", str(batch_data), "--out", str(out), "--workers", "2"]
    check_batch(out, CliRunner().invoke(main, args))


def test_batch_on_a_dask_cluster(batch_data, tmp_path):
    distributed = pytest.importorskip("distributed", reason="the 'dask' extra; .ci/run installs it")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        out = tmp_path / "out"
        args = [
            "batch",
            str(EXAMPLE),
            "--data",
            str(batch_data),
            "--out",
            str(out),
            "--scheduler",
            cluster.scheduler_address,
        ]
        check_batch(out, CliRunner().invoke(main, args))
