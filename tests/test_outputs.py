"""Where a workbook is written: never over an input, only as .xlsx, with the permissions a
plain write gives, and nothing left behind by a failure or a signal."""

from __future__ import annotations

import importlib.util
import os
import re
import resource
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
import pytest
from click.testing import CliRunner

import builder
from builder.api import load_report
from builder.cli import main
from builder.errors import ReportError
from tests.published import EXAMPLE

CLI = str(Path(sys.executable).parent / "report-builder")
GENERATOR = Path(__file__).resolve().parent.parent / "benchmarks" / "large.py"
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def run_build(report, out, *extra):
    result = CliRunner().invoke(main, ["build", str(report), "--out", str(out), *extra])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return result


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` (hidden ones too) with its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def errors(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("error: ")]


def large(folder: Path, lines: int) -> Path:
    spec = importlib.util.spec_from_file_location("large", GENERATOR)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.make(folder, lines)


# 1. an output never overwrites an input of the build


@pytest.mark.parametrize("name", ["data.csv", "report.yaml", "layout.yaml"])
def test_out_naming_an_input_is_refused(mini, name):
    folder = mini.parent
    before = snapshot(folder)
    result = run_build(mini, folder / name)
    assert result.exit_code == 2, result.output
    assert len(errors(result.output)) == 1 and str(folder / name) in result.output
    assert snapshot(folder) == before


def xlsx_data(mini: Path) -> Path:
    """The mini report with its figures in figures.xlsx instead of data.csv."""
    book = openpyxl.Workbook()
    sheet = book.active
    for line in (mini.parent / "data.csv").read_text().splitlines():
        line_id, period, value = line.split(",")
        sheet.append([line_id, period, value if line_id == "line" else float(value)])
    book.save(mini.parent / "figures.xlsx")
    mini.write_text(mini.read_text().replace("data: data.csv", "data: figures.xlsx"))
    return mini.parent / "figures.xlsx"


def test_out_naming_an_xlsx_data_file_is_refused(mini, tmp_path):
    data = xlsx_data(mini)
    assert run_build(mini, tmp_path / "ok.xlsx").exit_code == 0  # the .xlsx data is good
    before = snapshot(tmp_path)
    result = run_build(mini, data)
    assert result.exit_code == 2, result.output
    assert errors(result.output) == [f"error: {data}: is an input of this build ({data}); it is not overwritten"]
    assert snapshot(tmp_path) == before


def test_out_through_a_symlink_or_hard_link_to_an_input_is_refused(mini, tmp_path):
    data = xlsx_data(mini)
    (tmp_path / "link.xlsx").symlink_to(data)
    os.link(data, tmp_path / "hard.xlsx")
    (tmp_path / "alias").symlink_to(tmp_path, target_is_directory=True)
    os.link(mini.parent / "layout.yaml", tmp_path / "layout-copy.xlsx")
    before = snapshot(tmp_path)
    for out in ("link.xlsx", "hard.xlsx", "alias/figures.xlsx", "layout-copy.xlsx"):
        result = run_build(mini, tmp_path / out)
        assert result.exit_code == 2, (out, result.output)
        assert len(errors(result.output)) == 1 and f"{tmp_path / out}: is an input of this build" in result.output
    assert snapshot(tmp_path) == before
    assert (tmp_path / "link.xlsx").is_symlink()


def test_the_api_refuses_to_overwrite_its_data_argument(mini, tmp_path):
    data = xlsx_data(mini)
    mini.write_text(mini.read_text().replace("data: figures.xlsx", "data: data.csv"))
    before = data.read_bytes()
    with pytest.raises(ReportError) as caught:
        builder.build(mini, out=data, data=data)
    message = f"{data}: is an input of this build ({data}); it is not overwritten"
    assert [str(p) for p in caught.value.problems] == [message]
    assert data.read_bytes() == before


def test_the_pdf_beside_the_workbook_may_not_be_an_input(mini, tmp_path):
    # The data file may have any name: a CSV called pack.pdf is read as CSV.
    (tmp_path / "data.csv").rename(tmp_path / "pack.pdf")
    mini.write_text(mini.read_text().replace("data: data.csv", "data: pack.pdf"))
    before = snapshot(tmp_path)
    result = run_build(mini, tmp_path / "pack.xlsx", "--pdf")
    assert result.exit_code == 2, result.output
    assert errors(result.output) == [
        f"error: {tmp_path / 'pack.pdf'}: is an input of this build ({tmp_path / 'pack.pdf'}); it is not overwritten"
    ]
    assert snapshot(tmp_path) == before


def test_a_symlink_out_to_an_older_workbook_is_followed(mini, tmp_path):
    (tmp_path / "2024").mkdir()
    real = tmp_path / "2024" / "q4.xlsx"
    real.write_bytes(b"previous workbook")
    (tmp_path / "latest.xlsx").symlink_to(real)
    assert run_build(mini, tmp_path / "latest.xlsx").exit_code == 0
    assert (tmp_path / "latest.xlsx").is_symlink()
    assert openpyxl.load_workbook(real).sheetnames[1] == "Income"


# 2. --out names an .xlsx file, or a folder


def test_out_ending_in_a_separator_is_a_folder_made_for_the_default_name(mini, tmp_path):
    out = f"{tmp_path}/results/pack/"
    result = run_build(mini, out)
    assert result.exit_code == 0, result.output
    made = tmp_path / "results" / "pack" / f"{tmp_path.name}.xlsx"  # <report folder>.xlsx
    assert f"into {made}" in result.output
    assert sorted(p.name for p in made.parent.iterdir()) == [made.name]
    assert "Income" in openpyxl.load_workbook(made).sheetnames


def test_out_naming_an_existing_folder_writes_the_default_name_in_it(mini, tmp_path):
    (tmp_path / "packs").mkdir()
    assert run_build(mini, tmp_path / "packs").exit_code == 0
    assert [p.name for p in (tmp_path / "packs").iterdir()] == [f"{tmp_path.name}.xlsx"]


@pytest.mark.parametrize("name", ["pack.pdf", "pack", "pack.xls", "results/pack.xlsx.bak"])
def test_out_that_is_not_an_xlsx_name_is_refused(mini, tmp_path, name):
    before = snapshot(tmp_path)
    result = run_build(mini, tmp_path / name)
    assert result.exit_code == 2, result.output
    assert errors(result.output) == [
        f"error: {tmp_path / name}: is not an .xlsx file name; --out takes NAME.xlsx, or a folder ending in /"
    ]
    assert snapshot(tmp_path) == before and not (tmp_path / "results").exists()


def test_out_xlsx_suffix_is_compared_case_insensitively(mini, tmp_path):
    assert run_build(mini, tmp_path / "new" / "PACK.XLSX").exit_code == 0
    assert zipfile.is_zipfile(tmp_path / "new" / "PACK.XLSX")


# 3. permissions: as a plain write for a new file; an existing file keeps its own


@pytest.mark.parametrize("umask", [0o002, 0o022, 0o027])
def test_a_new_workbook_gets_the_umask_permissions(mini, tmp_path, umask):
    previous = os.umask(umask)
    try:
        assert run_build(mini, tmp_path / "out.xlsx").exit_code == 0
    finally:
        os.umask(previous)
    assert oct((tmp_path / "out.xlsx").stat().st_mode & 0o777) == oct(0o666 & ~umask)


def test_a_replaced_workbook_keeps_its_permissions(mini, tmp_path):
    out = tmp_path / "out.xlsx"
    out.write_bytes(b"previous workbook")
    out.chmod(0o664)
    previous = os.umask(0o077)
    try:
        assert run_build(mini, out).exit_code == 0
    finally:
        os.umask(previous)
    assert zipfile.is_zipfile(out)
    assert oct(out.stat().st_mode & 0o777) == oct(0o664)


def test_a_read_only_workbook_is_not_replaced(mini):
    # A plain write would be refused; renaming over the file must not get round that. Root
    # may write anything, so as root the build runs with the effective user nobody, in a
    # folder all may write to.
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        folder.chmod(0o777)
        for name in ("report.yaml", "layout.yaml", "data.csv"):
            (folder / name).write_bytes((mini.parent / name).read_bytes())
        # Built once first, so that every module is imported (nobody cannot read root's Python).
        assert run_build(folder / "report.yaml", folder / "warm.xlsx").exit_code == 0
        out = folder / "out.xlsx"
        out.write_bytes(b"previous workbook")
        out.chmod(0o444)
        root = os.geteuid() == 0
        if root:
            os.seteuid(65534)
        try:
            result = run_build(folder / "report.yaml", out)
        finally:
            if root:
                os.seteuid(0)
        assert result.exit_code == 2, result.output
        assert errors(result.output) == [f"error: {out}: is read-only; it is not replaced"]
        assert snapshot(folder)["out.xlsx"] == b"previous workbook"
        names = ["data.csv", "layout.yaml", "out.xlsx", "report.yaml", "warm.xlsx"]
        assert sorted(p.name for p in folder.iterdir()) == names


# 4. signals: nothing left behind; after kill -9 the next build cleans up


@pytest.fixture(scope="module")
def ledger(tmp_path_factory) -> Path:
    """A statement large enough that writing it takes seconds."""
    return large(tmp_path_factory.mktemp("ledger"), 3_000)


def start_build(report: Path, out: Path, tmpdir: Path) -> subprocess.Popen:
    env = {**os.environ, "TMPDIR": str(tmpdir)}
    return subprocess.Popen(
        [CLI, "build", str(report), "--out", str(out)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def signal_while_writing(proc: subprocess.Popen, folder: Path, signum: int) -> None:
    """Send `signum` once the work folder beside the output holds files being written."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        work = [p for p in folder.iterdir() if p.name.startswith(".report-builder-")]
        if work and sum(1 for _ in work[0].iterdir()) >= 1:
            proc.send_signal(signum)
            return
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.005)
    raise AssertionError("the build never started writing")


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP])
def test_a_signal_while_writing_leaves_nothing_behind(ledger, tmp_path, signum):
    out_dir, tmpdir = tmp_path / "out", tmp_path / "tmp"
    out_dir.mkdir()
    tmpdir.mkdir()
    out = out_dir / "ledger.xlsx"
    out.write_bytes(b"previous workbook")
    proc = start_build(ledger, out, tmpdir)
    signal_while_writing(proc, out_dir, signum)
    _, stderr = proc.communicate(timeout=120)
    # SIGINT is Python's KeyboardInterrupt, which click reports as "Aborted!" (exit 1).
    assert proc.returncode == (1 if signum == signal.SIGINT else -signum), stderr
    assert "Traceback" not in stderr
    assert snapshot(out_dir) == {"ledger.xlsx": b"previous workbook"}
    assert list(tmpdir.iterdir()) == []  # XlsxWriter's temporary files were never put there


def test_after_kill_9_the_next_build_into_the_folder_removes_the_leftovers(ledger, mini, tmp_path):
    out_dir, tmpdir = tmp_path / "out", tmp_path / "tmp"
    out_dir.mkdir()
    tmpdir.mkdir()
    proc = start_build(ledger, out_dir / "ledger.xlsx", tmpdir)
    signal_while_writing(proc, out_dir, signal.SIGKILL)
    proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    left = [p.name for p in out_dir.iterdir()]
    assert len(left) == 1 and re.fullmatch(rf"\.report-builder-.+-{proc.pid}-\w{{8}}\.tmp", left[0]), left
    assert list(tmpdir.iterdir()) == []
    # A build in progress in this process, and one of another host, are not touched.
    alive = out_dir / f".report-builder-{os.uname().nodename}-{os.getpid()}-abcdefgh.tmp"
    other = out_dir / f".report-builder-otherhost-{proc.pid}-abcdefgh.tmp"
    alive.mkdir()
    other.mkdir()
    result = subprocess.run([CLI, "build", str(mini), "--out", str(out_dir / "mini.xlsx")], capture_output=True)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in out_dir.iterdir()) == sorted([alive.name, other.name, "mini.xlsx"])


# 5. a full disk (a file size limit): exit 2, one line, the old workbook intact


def test_a_write_that_fails_for_lack_of_space_is_reported_and_cleaned_up(tmp_path):
    # RLIMIT_FSIZE makes every write beyond 30,000 bytes fail with EFBIG, as a full disk
    # fails with ENOSPC; Python ignores SIGXFSZ, so the write fails rather than killing it.
    # (A tmpfs would need mount privileges the tests cannot count on.)
    out_dir, tmpdir = tmp_path / "out", tmp_path / "tmp"
    out_dir.mkdir()
    tmpdir.mkdir()
    (out_dir / "iij.xlsx").write_bytes(b"previous workbook")

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (30_000, 30_000))

    for out in (out_dir / "iij.xlsx", out_dir / "new" / "deeper" / "iij.xlsx"):
        result = subprocess.run(
            [CLI, "build", str(EXAMPLE), "--out", str(out)],
            preexec_fn=limit,
            env={**os.environ, "TMPDIR": str(tmpdir)},
            capture_output=True,
            text=True,
        )
        assert result.returncode == 2, result.stderr
        assert errors(result.stderr) == [f"error: {out}: cannot write the workbook: File too large"], result.stderr
        assert "Traceback" not in result.stderr
        assert snapshot(out_dir) == {"iij.xlsx": b"previous workbook"}
        assert sorted(p.name for p in out_dir.iterdir()) == ["iij.xlsx"]  # no folder made for the second out
        assert list(tmpdir.iterdir()) == []


# 6. shared strings for ordinary workbooks; constant_memory (inline strings) for large ones


def sheet_xml(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as archive:
        return {n: archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/worksheets/sheet")}


def shared_strings(path: Path) -> set[str]:
    with zipfile.ZipFile(path) as archive:
        root = ElementTree.fromstring(archive.read("xl/sharedStrings.xml"))
    return {"".join(t.text or "" for t in si.iter(f"{MAIN}t")) for si in root.iter(f"{MAIN}si")}


def test_the_example_keeps_its_text_in_shared_strings(example_workbook):
    strings = shared_strings(example_workbook)
    assert all('t="inlineStr"' not in xml for xml in sheet_xml(example_workbook).values())
    report = load_report(EXAMPLE)
    labels = {row.label for layout in report.layouts for row in layout.rows if row.label}
    assert len(labels) > 100 and labels <= strings, sorted(labels - strings)[:5]
    book = openpyxl.load_workbook(example_workbook)
    for layout in report.layouts:
        texts = {c.value for row in book[layout.sheet].iter_rows() for c in row if c.data_type == "s"}
        assert texts and texts <= strings, (layout.sheet, sorted(texts - strings)[:5])


def test_a_statement_above_the_threshold_is_written_with_inline_strings(tmp_path):
    from builder.render import CONSTANT_MEMORY_ABOVE

    # Five Data cells per typed figure and twelve figures a line: one line past the threshold.
    lines = CONSTANT_MEMORY_ABOVE // 60 + 1
    out = builder.build(large(tmp_path / "big", lines), tmp_path / "big.xlsx").path
    sheets = sheet_xml(out)
    assert any('t="inlineStr"' in xml for xml in sheets.values())
    with zipfile.ZipFile(out) as archive:
        assert "xl/sharedStrings.xml" not in archive.namelist()
    book = openpyxl.load_workbook(out, read_only=True)
    assert "Line 0" in [row[0] for row in book["Ledger"].iter_rows(max_row=12, values_only=True)]
