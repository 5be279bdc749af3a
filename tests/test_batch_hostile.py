"""Batches given hostile names and folders: stale workbooks, formulas in index.csv, names
no file system takes, no entities, a scheduler that is not there (issue 11).

Each test runs the real CLI and looks at the exit code, the message and the files on disk."""

from __future__ import annotations

import csv
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from builder.cli import main
from builder.verify.libreoffice import convert
from tests.conftest import MINI_DATA

CLI = Path(sys.executable).parent / "report-builder"


def batch_csv(path: Path, entities: list[str], bad: dict[str, str] | None = None, cost: dict | None = None) -> Path:
    """The mini report's figures once per entity; `bad` gives an entity a malformed cost
    for 2024, `cost` another (valid) one."""
    lines = MINI_DATA.strip().splitlines()
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["entity", *lines[0].split(",")])
        for entity in entities:
            for row in lines[1:]:
                line, period, value = row.split(",")
                if line == "cost" and period == "2024":
                    value = (bad or {}).get(entity, (cost or {}).get(entity, value))
                writer.writerow([entity, line, period, value])
    return path


def run(mini: Path, data: Path, out: Path, *extra: str):
    result = CliRunner().invoke(main, ["batch", str(mini), "--data", str(data), "--out", str(out), *extra])
    assert "Traceback" not in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def index(out: Path) -> list[dict]:
    with open(out / "index.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# 1. A re-run after an entity turns bad leaves no workbook of it from the last run.


def test_rerun_removes_the_old_workbook_of_an_entity_that_failed(mini, tmp_path):
    out = tmp_path / "packs"
    assert run(mini, batch_csv(tmp_path / "good.csv", ["Alpha", "Beta"]), out).exit_code == 0
    assert listing(out) == ["Alpha.xlsx", "Beta.xlsx", "index.csv"]
    (out / "notes.xlsx").write_bytes(b"the user's own file")
    alpha_before = (out / "Alpha.xlsx").stat().st_mtime_ns

    result = run(mini, batch_csv(tmp_path / "bad.csv", ["Alpha", "Beta"], bad={"Beta": "15O"}), out)

    assert result.exit_code == 6, result.output
    assert "failed: Beta: " in result.output and "bad.csv:" in result.output and "'15O'" in result.output
    assert listing(out) == ["Alpha.xlsx", "index.csv", "notes.xlsx"]  # Beta's old workbook is gone
    assert (out / "notes.xlsx").read_bytes() == b"the user's own file"
    assert (out / "Alpha.xlsx").stat().st_mtime_ns != alpha_before  # rebuilt by this run
    rows = index(out)
    assert [(r["entity"], r["status"], r["workbook"]) for r in rows] == [
        ("Alpha", "built", "Alpha.xlsx"),
        ("Beta", "failed", ""),
    ]


def test_rerun_removes_the_workbook_of_an_entity_gone_from_the_data(mini, tmp_path):
    out = tmp_path / "packs"
    assert run(mini, batch_csv(tmp_path / "two.csv", ["Alpha", "Beta"]), out).exit_code == 0
    assert run(mini, batch_csv(tmp_path / "one.csv", ["Alpha"]), out).exit_code == 0
    assert listing(out) == ["Alpha.xlsx", "index.csv"]


def test_a_users_file_named_like_an_entitys_workbook_is_never_replaced(mini, tmp_path):
    out = tmp_path / "packs"
    out.mkdir()
    (out / "Beta.xlsx").write_bytes(b"not ours")  # no index.csv: nothing here is the builder's

    result = run(mini, batch_csv(tmp_path / "good.csv", ["Alpha", "Beta"]), out)

    assert result.exit_code == 6, result.output
    assert "failed: Beta: " in result.output and "Beta.xlsx" in result.output and "not written by" in result.output
    assert (out / "Beta.xlsx").read_bytes() == b"not ours"
    assert listing(out) == ["Alpha.xlsx", "Beta.xlsx", "index.csv"]
    assert [(r["entity"], r["status"]) for r in index(out)] == [("Alpha", "built"), ("Beta", "failed")]
    # A failed entity's file that the builder did not write is not removed either.
    assert run(mini, batch_csv(tmp_path / "bad.csv", ["Alpha", "Beta"], bad={"Beta": "x"}), out).exit_code == 6
    assert (out / "Beta.xlsx").read_bytes() == b"not ours"


def test_ownership_is_by_file_not_by_a_name_differing_in_case(mini, tmp_path):
    """On Linux Beta.xlsx and beta.xlsx are two files: the builder's old Beta.xlsx does
    not make the user's beta.xlsx its own."""
    out = tmp_path / "packs"
    assert run(mini, batch_csv(tmp_path / "one.csv", ["Beta"]), out).exit_code == 0
    (out / "beta.xlsx").write_bytes(b"the user's")

    result = run(mini, batch_csv(tmp_path / "two.csv", ["beta"]), out)

    assert result.exit_code == 6, result.output
    assert "failed: beta: " in result.output and "not written by" in result.output
    assert (out / "beta.xlsx").read_bytes() == b"the user's"
    assert listing(out) == ["beta.xlsx", "index.csv"]  # the builder's Beta.xlsx, now stale, is gone


def test_an_entity_named_like_the_data_file_does_not_overwrite_it(mini, tmp_path):
    out = tmp_path / "packs"
    out.mkdir()
    frame = pd.read_csv(batch_csv(tmp_path / "e.csv", ["Alpha", "entities"]), dtype=str)
    data = out / "entities.xlsx"  # the data lives in the output folder
    frame.to_excel(data, index=False)
    before = data.read_bytes()

    result = run(mini, data, out)

    assert result.exit_code == 6, result.output
    assert "failed: entities: " in result.output and "input" in result.output
    assert data.read_bytes() == before
    assert listing(out) == ["Alpha.xlsx", "entities.xlsx", "index.csv"]


def test_an_index_csv_the_builder_did_not_write_is_refused(mini, tmp_path):
    out = tmp_path / "packs"
    out.mkdir()
    (out / "index.csv").write_text("my,own\n1,2\n")

    result = run(mini, batch_csv(tmp_path / "good.csv", ["Alpha"]), out)

    assert result.exit_code == 2, result.output
    assert f"error: {out / 'index.csv'}:1: " in result.output and "not written by report-builder" in result.output
    assert (out / "index.csv").read_text() == "my,own\n1,2\n"
    assert listing(out) == ["index.csv"]


def test_data_named_index_csv_in_the_output_folder_is_not_overwritten(mini, tmp_path):
    out = tmp_path / "packs"
    out.mkdir()
    data = batch_csv(out / "index.csv", ["Alpha"])
    before = data.read_bytes()

    result = run(mini, data, out)

    assert result.exit_code == 2, result.output
    assert "not written by report-builder" in result.output
    assert data.read_bytes() == before and listing(out) == ["index.csv"]


def test_a_hand_edited_index_cannot_make_the_builder_delete_outside_its_folder(mini, tmp_path):
    out = tmp_path / "packs"
    out.mkdir()
    victim = tmp_path / "victim.xlsx"
    victim.write_bytes(b"keep me")
    (out / "index.csv").write_text("entity,status,workbook,reason\nX,built,../victim.xlsx,\n")

    assert run(mini, batch_csv(tmp_path / "good.csv", ["Alpha"]), out).exit_code == 0
    assert victim.read_bytes() == b"keep me"


# 2. index.csv cannot carry a formula; key totals stay numbers.


def test_index_csv_cells_are_text_a_spreadsheet_will_not_run_and_totals_stay_numbers(mini, tmp_path):
    mini.write_text(mini.read_text() + "key_totals: [profit]\n")
    hostile = ['=HYPERLINK("http://x","y")', "+1", "@SUM(1)", "-5", "'quoted", "Loss Co"]
    data = batch_csv(tmp_path / "e.csv", hostile, cost={"Loss Co": "350"})
    out = tmp_path / "packs"

    result = run(mini, data, out)

    assert result.exit_code == 0, result.output
    rows = index(out)
    assert [r["entity"] for r in rows] == [
        '\'=HYPERLINK("http://x","y")',
        "'+1",
        "'@SUM(1)",
        "'-5",
        "''quoted",
        "Loss Co",
    ]
    # profit = 120 + 80 - cost(2024): 50, or -150 for Loss Co.
    assert [r["profit"] for r in rows] == ["50"] * 5 + ["-150"]
    assert "'-5.xlsx" in [r["workbook"] for r in rows] and (out / "-5.xlsx").exists()
    # What a spreadsheet makes of it: LibreOffice opens index.csv; no cell is a formula,
    # the names are text and the totals numbers.
    convert([out / "index.csv"], tmp_path / "lo", "xlsx", recalc=False)
    sheet = openpyxl.load_workbook(tmp_path / "lo" / "index.xlsx").active
    cells = list(sheet.iter_rows(min_row=2))
    assert all(c.data_type != "f" for row in cells for c in row)
    assert [row[0].data_type for row in cells] == ["s"] * 6
    assert [row[4].value for row in cells] == [50] * 5 + [-150]
    assert [row[4].data_type for row in cells] == ["n"] * 6


def test_a_reason_or_name_with_line_breaks_stays_on_one_line(mini, tmp_path):
    data = tmp_path / "e.csv"
    batch_csv(data, ["Good", "Two\nLines"])
    with open(data, "a", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerow(["Good", "cost\n=1+1", "2024", "15O"])  # a line id with a break
    out = tmp_path / "packs"

    result = run(mini, data, out)

    assert result.exit_code == 6, result.output
    lines = (out / "index.csv").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 3  # header and one line per entity
    assert lines[1].startswith("Good,failed,,") and "cost\\n=1+1" in lines[1]
    assert lines[2].startswith("Two\\nLines,built,Two_Lines.xlsx,")


def test_control_characters_of_a_failed_entity_never_reach_the_terminal(mini, tmp_path):
    data = batch_csv(tmp_path / "e.csv", ["Red\x1b[31m"], bad={"Red\x1b[31m": "15O"})

    result = run(mini, data, tmp_path / "packs")

    assert result.exit_code == 6, result.output
    assert "\x1b" not in result.output and "failed: Red\\x1b[31m: " in result.output


# 3. Names every file system takes, readable and distinct.


def test_hostile_entity_names_get_readable_portable_distinct_file_names(mini, tmp_path):
    long_a, long_b = "x" * 300, "x" * 299 + "y"
    nfc, nfd = unicodedata.normalize("NFC", "Café"), unicodedata.normalize("NFD", "Café")
    entities = ["日本語 株式会社", "..", "CON", "lpt1.backup", long_a, long_b, "Acme", "ACME", nfc, nfd, "a/b:c*d?"]
    out = tmp_path / "packs"

    result = run(mini, batch_csv(tmp_path / "e.csv", entities), out)

    assert result.exit_code == 0, result.output
    rows = index(out)
    names = {r["entity"]: r["workbook"] for r in rows}
    assert names["日本語 株式会社"] == "日本語 株式会社.xlsx"
    assert names[".."] == "entity.xlsx"
    assert names["CON"] == "_CON.xlsx" and names["lpt1.backup"] == "_lpt1.backup.xlsx"
    assert names["Acme"] == "Acme.xlsx" and names["ACME"] == "ACME-2.xlsx"
    assert names[nfc] == "Café.xlsx" and names[nfd] == "Café-2.xlsx"
    assert unicodedata.is_normalized("NFC", names[nfd])
    assert names["a/b:c*d?"] == "a_b_c_d_.xlsx"
    for long in (long_a, long_b):
        assert names[long].startswith("x" * 80) and names[long].endswith(".xlsx")
        assert len(names[long].encode()) <= 120
    assert names[long_a] != names[long_b]
    # Every name is distinct as Windows and macOS compare them, and every workbook is there.
    assert len({unicodedata.normalize("NFC", n.casefold()) for n in names.values()}) == len(entities)
    assert listing(out) == sorted([*names.values(), "index.csv"])
    assert openpyxl.load_workbook(out / names["日本語 株式会社"], read_only=True).sheetnames[0]


def test_a_data_file_without_entities_is_refused(mini, tmp_path):
    data = tmp_path / "empty.csv"
    data.write_text("entity,line,period,value\n")
    out = tmp_path / "packs"

    result = run(mini, data, out)

    assert result.exit_code == 2, result.output
    assert f"error: {data}: " in result.output and "no entities" in result.output
    assert not out.exists()


def test_out_that_is_a_file_is_refused(mini, tmp_path):
    out = tmp_path / "packs"
    out.write_text("a file")

    result = run(mini, batch_csv(tmp_path / "e.csv", ["Alpha"]), out)

    assert result.exit_code == 2, result.output
    assert "is a file" in result.output and out.read_text() == "a file"


# 4. A scheduler that is not there: one line, exit 2, quickly. Loopback only.


@pytest.mark.parametrize(
    "address, expected",
    [
        ("tcp://127.0.0.1:1", "Timed out trying to connect"),  # nothing listens on port 1
        ("not a url", "expected an address like tcp://host:8786"),
        ("tcp://127.0.0.1", "expected an address like tcp://host:8786"),
        ("tcp://127.0.0.1:99999", "expected an address like tcp://host:8786"),
    ],
)
def test_an_unreachable_or_malformed_scheduler_is_one_line_and_exit_2(mini, tmp_path, address, expected):
    data = batch_csv(tmp_path / "e.csv", ["Alpha"])
    out = tmp_path / "packs"
    args = [str(CLI), "batch", str(mini), "--data", str(data), "--out", str(out), "--scheduler", address]

    start = time.monotonic()
    done = subprocess.run(args, capture_output=True, text=True, timeout=120)
    elapsed = time.monotonic() - start

    assert done.returncode == 2, done.stderr
    assert done.stderr.splitlines() == [done.stderr.strip()]  # one line
    assert done.stderr.startswith(f"error: --scheduler {address!r}: ") and expected in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert elapsed < 20  # the 5 s connection timeout, plus start-up on a loaded machine; was 30 s
    assert not out.exists()
