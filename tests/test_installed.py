"""The package as users install it: a wheel in a fresh venv, run from folders outside the checkout.

An editable install finds the bundled example in the repository; only a real install shows
whether it ships inside the package.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from builder.cli import main
from tests.published import EXAMPLE, ROOT

_NOT_SOURCES = (".git", ".venv", "build", "output", "*.egg-info", "__pycache__", ".*_cache", ".hypothesis")


def _run(args: list, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The report-builder command of a fresh venv holding only the wheel and its dependencies."""
    base = tmp_path_factory.mktemp("installed")
    # Built from a copy of the sources: pip builds in the tree it is given and leaves build/ there.
    source = base / "source"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(*_NOT_SOURCES))
    wheel = _run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", base / "dist", source], base)
    assert wheel.returncode == 0, wheel.stderr
    made = _run([sys.executable, "-m", "venv", base / "venv"], base)
    assert made.returncode == 0, made.stderr
    (whl,) = (base / "dist").glob("*.whl")
    pip = _run([base / "venv" / "bin" / "pip", "install", "-q", whl], base)
    assert pip.returncode == 0, pip.stderr
    return base / "venv" / "bin" / "report-builder"


def test_the_installed_package_is_not_the_checkout(installed):
    python = installed.parent / "python"
    where = _run([python, "-c", "import builder.example as e; print(e.__file__); print(e.EXAMPLE)"], installed.parent)
    assert where.returncode == 0, where.stderr
    module, example = where.stdout.split()
    assert "site-packages" in module and "site-packages" in example
    assert not Path(module).is_relative_to(ROOT)


def test_build_without_a_report_builds_the_bundled_example(installed, tmp_path, example_workbook):
    done = _run([installed, "build"], tmp_path)
    assert done.returncode == 0, done.stderr
    assert "the bundled example" in done.stdout and "20 of 20 checks hold" in done.stdout
    built = tmp_path / "output" / "iij-2q-fy2004.xlsx"
    # Same inputs, same bytes: the installed example is the checkout's, figure for figure.
    assert built.read_bytes() == example_workbook.read_bytes()


def test_new_then_build_and_check_in_the_new_folder(installed, tmp_path):
    assert _run([installed, "new", "mine"], tmp_path).returncode == 0
    project = tmp_path / "mine"
    built = _run([installed, "build"], project)
    assert built.returncode == 0, built.stderr
    assert "built report.yaml into output/mine.xlsx" in built.stdout
    assert (project / "output" / "mine.xlsx").is_file()
    checked = _run([installed, "check"], project)
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.startswith("ok: report.yaml: 20 checks hold")


def test_new_blank_then_build_and_check_in_the_new_folder(installed, tmp_path):
    # The skeleton ships in the wheel (package data with its own layouts/ folder), not only in the checkout.
    made = _run([installed, "new", "mine", "--blank"], tmp_path)
    assert made.returncode == 0, made.stderr
    project = tmp_path / "mine"
    files = sorted(str(p.relative_to(project)) for p in project.rglob("*") if p.is_file())
    assert files == ["data.csv", "layouts/income_statement.yaml", "report.yaml"]
    built = _run([installed, "build"], project)
    assert built.returncode == 0, built.stderr
    assert "built report.yaml into output/mine.xlsx; 1 of 1 checks hold" in built.stdout
    checked = _run([installed, "check"], project)
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.strip() == "ok: report.yaml: 1 checks hold"
    verified = _run([installed, "verify", project / "output" / "mine.xlsx"], project)
    assert verified.returncode == 0, verified.stderr
    assert "Traceback" not in made.stderr + built.stderr + checked.stderr + verified.stderr


def test_a_report_in_the_current_folder_is_the_one_built(mini, monkeypatch):
    # The mini report has no checks and other figures: were the example built, its name would show.
    monkeypatch.chdir(mini.parent)
    result = CliRunner().invoke(main, ["check"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "ok: report.yaml"
    result = CliRunner().invoke(main, ["build"])
    assert result.exit_code == 0, result.output
    assert f"built report.yaml into output{os.sep}{mini.parent.name}.xlsx" in result.output
    assert (mini.parent / "output" / f"{mini.parent.name}.xlsx").is_file()


def test_a_folder_means_its_report(mini, tmp_path):
    result = CliRunner().invoke(main, ["check", str(mini.parent)])
    assert result.exit_code == 0 and result.output.strip() == f"ok: {mini}"
    empty = tmp_path / "empty"
    empty.mkdir()
    result = CliRunner().invoke(main, ["check", str(empty)])
    assert result.exit_code == 2
    assert f"{empty / 'report.yaml'}: file not found" in result.output and "Traceback" not in result.output


def test_elsewhere_the_example_is_checked_and_named(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["check"])
    assert result.exit_code == 0
    assert result.output.strip() == "ok: the bundled example (iij-2q-fy2004): 20 checks hold"
    assert EXAMPLE.is_file()
