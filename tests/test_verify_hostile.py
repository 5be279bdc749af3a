"""verify against hostile conditions: the caller's locale, overwritten formulas, files that are no workbook."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

CLI = Path(sys.executable).parent / "report-builder"


def run_cli(*args, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(CLI), *[str(a) for a in args]], capture_output=True, text=True, env=env, timeout=600, check=False
    )


def locale_env(name: str, locpath: Path | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LC_") and k not in ("LANG", "LANGUAGE")}
    env.update(LANG=name, LC_ALL=name)
    if locpath is not None:
        env["LOCPATH"] = str(locpath)
    return env


@pytest.fixture(scope="session")
def german(tmp_path_factory) -> dict[str, str]:
    """An environment in de_DE.UTF-8 (decimal comma), generated into a private LOCPATH.

    glibc reads compiled locales from LOCPATH, so no root and no system change is needed;
    localedef needs the `locales` package's sources (/usr/share/i18n). The locale is
    proven to be in effect, so the test cannot pass by silently running in C.
    """
    folder = tmp_path_factory.mktemp("locales")
    localedef = shutil.which("localedef")
    assert localedef, "localedef (libc-bin) is missing"
    made = subprocess.run(
        [localedef, "-i", "de_DE", "-f", "UTF-8", str(folder / "de_DE.UTF-8")], capture_output=True, text=True
    )
    assert (folder / "de_DE.UTF-8").is_dir(), f"install the 'locales' package: {made.stderr}"
    env = locale_env("de_DE.UTF-8", folder)
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "import locale; locale.setlocale(locale.LC_ALL, ''); print(locale.localeconv()['decimal_point'])",
        ],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    assert probe.stdout.strip() == ",", probe
    return env


def test_verify_gives_the_same_verdict_in_a_german_locale(example_workbook, german):
    plain = run_cli("verify", example_workbook, env=locale_env("C.UTF-8"))
    assert plain.returncode == 0, plain.stderr
    assert plain.stdout.startswith("ok: ")
    german_run = run_cli("verify", example_workbook, env=german)
    assert "Traceback" not in german_run.stderr
    assert (german_run.returncode, german_run.stdout, german_run.stderr) == (0, plain.stdout, plain.stderr)


def test_the_pdf_pack_prints_en_us_numbers_in_a_german_locale(german, tmp_path):
    out = tmp_path / "pack.xlsx"
    built = run_cli("build", "--out", out, "--pdf", env=german)
    assert built.returncode == 0, built.stderr
    text = subprocess.run(["pdftotext", "-layout", str(out.with_suffix(".pdf")), "-"], capture_output=True, text=True)
    # Total revenues and the note's rate, as the release prints them (German would be 10.512.328 and 110,20).
    assert "10,512,328" in text.stdout and "110.20 = $1" in text.stdout
    assert "10.512.328" not in text.stdout and "110,20" not in text.stdout
