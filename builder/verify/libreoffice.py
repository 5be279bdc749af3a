"""Headless LibreOffice as the reference engine: recalculate, and export what a cell shows.

Each run gets a throwaway profile. With `recalc=True` the profile sets
Calc/Formula/Load/OOXMLRecalcMode to 0 (always recalculate on load); with False
it is LibreOffice's default, which shows the values stored in the file.

Every profile also fixes LibreOffice's locale (Setup/L10N/ooSetupSystemLocale, the
"Locale setting" of its options) to en-US. Left empty, it is the caller's (glibc's
LC_CTYPE, when that locale is installed): in de_DE, TEXT(fx_rate,"0.00") gives "110,20"
against the stored "110.20", and the PDF pack would print German separators and month
names beside notes that say "110.20". The workbook is written for en-US (its stored
texts, its number formats), so every run reads it so, whatever the caller's locale.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from builder.errors import EngineFailed, EngineMissing, Problem, ReportError, Source

PACKAGE = "libreoffice-calc-nogui"
_PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema">
<item oor:path="/org.openoffice.Setup/L10N">
<prop oor:name="ooSetupSystemLocale" oor:op="fuse"><value>en-US</value></prop>
</item>
{recalc}</oor:items>
"""
_RECALC = """<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
<prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop>
</item>
"""
# Text CSV filter: comma, double quote, UTF-8, from row 1, ..., "save cell contents as shown"
# (9th token) and, in the 12th token, -1 for one file per sheet (LibreOffice 7.2 and later).
CSV_AS_SHOWN = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1"


def soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if not found:
        raise EngineMissing(f"LibreOffice is not installed: apt-get install -y {PACKAGE}")
    return found


def convert(paths: list[Path], outdir: Path, target: str, recalc: bool = True, timeout: int = 300) -> None:
    """Run one `soffice --convert-to` over many files (one start-up for all of them)."""
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="lo-profile-") as profile:
        user = Path(profile) / "user"
        user.mkdir()
        settings = _PROFILE.format(recalc=_RECALC if recalc else "")
        (user / "registrymodifications.xcu").write_text(settings, encoding="utf-8")
        cmd = [
            soffice(),
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--norestore",
            "--convert-to",
            target,
            "--outdir",
            str(outdir),
            # Absolute: a name starting with "-" would otherwise be read as an option.
            *[str(Path(p).absolute()) for p in paths],
        ]
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, errors="replace", timeout=timeout)
        except subprocess.TimeoutExpired:
            raise EngineFailed(f"LibreOffice did not finish within {timeout} s") from None
        except OSError as exc:
            raise EngineFailed(f"LibreOffice could not be started: {exc}") from None
        if done.returncode != 0:
            raise EngineFailed(f"LibreOffice failed ({done.returncode}): {done.stderr.strip()}")


def recalculate(paths: list[Path], outdir: Path) -> dict[Path, Path]:
    """Recalculated copies of the workbooks (same stems, .xlsx, in outdir)."""
    convert(paths, outdir, "xlsx", recalc=True)
    result = {p: outdir / f"{p.stem}.xlsx" for p in paths}
    refused = [p for p, q in result.items() if not q.exists()]
    if refused:
        # LibreOffice ran and exited 0 ("Error: source file could not be loaded"): it is the
        # file, not LibreOffice, so this is bad input (exit 2), not exit 5.
        raise ReportError([Problem(Source(str(p)), "LibreOffice cannot load it as a spreadsheet") for p in refused])
    return result


def export_pdf(workbook: Path, pages: int | None, timeout: int = 300) -> Path:
    """The printed pack as PDF beside the workbook: its first `pages` pages (Contents and the
    statements), from the stored values, with LibreOffice's default settings."""
    import json
    import os

    workbook = Path(workbook)
    options = {"PageRange": {"type": "string", "value": f"1-{pages}"}} if pages else {}
    target = "pdf:calc_pdf_Export:" + json.dumps(options) if options else "pdf"
    with tempfile.TemporaryDirectory(prefix="pdf-", dir=workbook.parent) as tmp:
        convert([workbook], Path(tmp), target, recalc=False, timeout=timeout)
        made = Path(tmp) / f"{workbook.stem}.pdf"
        if not made.exists():
            raise EngineFailed(f"LibreOffice wrote no PDF for {workbook}")
        final = workbook.with_suffix(".pdf")
        os.replace(made, final)
    return final


def shown_text(path: Path, outdir: Path, recalc: bool) -> dict[str, list[list[str]]]:
    """Each sheet's cells as LibreOffice shows them (number formats applied)."""
    import csv

    convert([path], outdir, CSV_AS_SHOWN, recalc=recalc)
    sheets: dict[str, list[list[str]]] = {}
    prefix = path.stem + "-"
    for csv_path in sorted(outdir.glob(f"{path.stem}-*.csv")):
        with open(csv_path, encoding="utf-8", newline="") as handle:
            sheets[csv_path.stem[len(prefix) :]] = list(csv.reader(handle))
    return sheets
