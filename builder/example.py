"""The bundled example (the IIJ 2Q FY2004 release), which report a command takes, and `new`, which copies it
(or another bundled example, or with --blank a minimal skeleton to start a company of one's own)."""

from __future__ import annotations

import shutil
from importlib.resources import files
from pathlib import Path

from builder.errors import Problem, ReportError, Source

REPORT_FILE = "report.yaml"
_EXAMPLE_NAME = "iij-2q-fy2004"
_LAYOUT_PREFIX = "../../layouts/"


def _bundled() -> Path:
    """The folder holding examples/ and layouts/.

    Installed from a wheel they are package data inside builder/bundled; in a checkout (an
    editable install) they are where the repository keeps them, at its top level, because
    an editable install does not map them into the package.
    """
    inside = Path(str(files("builder.bundled")))
    if (inside / "layouts").is_dir():
        return inside
    return Path(__file__).resolve().parents[1]


BUNDLED = _bundled()
EXAMPLE_DIR = BUNDLED / "examples" / _EXAMPLE_NAME
EXAMPLE = EXAMPLE_DIR / REPORT_FILE
LAYOUTS = BUNDLED / "layouts"
# One statement, two periods, an FX input, one check: already in the shape of a project
# (report.yaml, data.csv, layouts/), so it is copied as it is.
BLANK_DIR = BUNDLED / "examples" / "blank-company"
# Bundled examples kept in the shape of a project (their own layouts/ beside report.yaml), which
# `new DIR --example NAME` copies as they are: the IIJ example (the default) shares the top-level
# layouts/ and is copied by _copy_example.
OTHER_EXAMPLES = ("nvidia-q3-fy2025",)


def report_path(given: Path | None) -> Path:
    """The report a command works on.

    A folder means its report.yaml. Without an argument: the report.yaml of the current
    folder when there is one (a user in their own project means their report), else the
    bundled example.
    """
    if given is None:
        here = Path(REPORT_FILE)
        return here if here.is_file() else EXAMPLE
    return given / REPORT_FILE if given.is_dir() else given


def describe(report: Path) -> str:
    """How the output names a report: its path, or 'the bundled example' for the example."""
    if Path(report).resolve() == EXAMPLE.resolve():
        return f"the bundled example ({_EXAMPLE_NAME})"
    return str(report)


def default_output(report: Path) -> Path:
    """output/<folder of the report>.xlsx, under the current directory."""
    return Path("output") / f"{Path(report).resolve().parent.name}.xlsx"


def new_project(target: Path, blank: bool = False, example: str = _EXAMPLE_NAME) -> Path:
    """A working copy in `target`: report.yaml, data.csv and layouts/.

    The copy is of the example (`example`: one of the bundled ones), or with `blank` of the
    minimal skeleton.
    """
    target = Path(target)
    if target.exists() and not target.is_dir():
        raise ReportError(Problem(Source(str(target)), "exists and is not a folder; give a new or empty folder"))
    if target.exists() and any(target.iterdir()):
        raise ReportError(Problem(Source(str(target)), "the folder is not empty; give a new or empty folder"))
    made = not target.exists()
    try:
        (target / "layouts").mkdir(parents=True, exist_ok=True)
        if blank:
            _copy_project(BLANK_DIR, target)
        elif example in OTHER_EXAMPLES:
            _copy_project(BUNDLED / "examples" / example, target)
        else:
            _copy_example(target)
    except OSError as exc:
        # A half-made copy would look like a project: take back what was written.
        if made:
            shutil.rmtree(target, ignore_errors=True)
        else:
            shutil.rmtree(target / "layouts", ignore_errors=True)
            for name in (REPORT_FILE, "data.csv"):
                (target / name).unlink(missing_ok=True)
        raise ReportError(Problem(Source(str(target)), f"cannot write the copy there: {exc.strerror or exc}")) from None
    return target / REPORT_FILE


def _copy_example(target: Path) -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    for layout in sorted(LAYOUTS.glob("*.yaml")):
        shutil.copyfile(layout, target / "layouts" / layout.name)
    # The example points at the shared layouts/ of the repository; the copy has its own.
    (target / REPORT_FILE).write_text(text.replace(_LAYOUT_PREFIX, "layouts/"), encoding="utf-8")
    shutil.copyfile(EXAMPLE_DIR / "data.csv", target / "data.csv")


def _copy_project(source: Path, target: Path) -> None:
    for layout in sorted((source / "layouts").glob("*.yaml")):
        shutil.copyfile(layout, target / "layouts" / layout.name)
    shutil.copyfile(source / "data.csv", target / "data.csv")
    shutil.copyfile(source / REPORT_FILE, target / REPORT_FILE)
