"""The bundled example (the IIJ 2Q FY2004 appendices) and `new`, which copies it."""

from __future__ import annotations

import shutil
from pathlib import Path

from builder.errors import Problem, ReportError, Source

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_DIR = ROOT / "examples" / "iij-2q-fy2004"
EXAMPLE = EXAMPLE_DIR / "report.yaml"
LAYOUTS = ROOT / "layouts"
_LAYOUT_PREFIX = "../../layouts/"


def default_output(report: Path) -> Path:
    """output/<folder of the report>.xlsx, under the current directory."""
    return Path("output") / f"{Path(report).resolve().parent.name}.xlsx"


def new_project(target: Path) -> Path:
    """A working copy of the example in `target`: report.yaml, data.csv and layouts/."""
    target = Path(target)
    if target.exists() and not target.is_dir():
        raise ReportError(Problem(Source(str(target)), "exists and is not a folder; give a new or empty folder"))
    if target.exists() and any(target.iterdir()):
        raise ReportError(Problem(Source(str(target)), "the folder is not empty; give a new or empty folder"))
    try:
        (target / "layouts").mkdir(parents=True, exist_ok=True)
        text = EXAMPLE.read_text(encoding="utf-8")
        for layout in sorted(LAYOUTS.glob("*.yaml")):
            shutil.copyfile(layout, target / "layouts" / layout.name)
        # The example points at the shared layouts/ of the repository; the copy has its own.
        (target / "report.yaml").write_text(text.replace(_LAYOUT_PREFIX, "layouts/"), encoding="utf-8")
        shutil.copyfile(EXAMPLE_DIR / "data.csv", target / "data.csv")
    except OSError as exc:
        raise ReportError(Problem(Source(str(target)), f"cannot write the copy there: {exc.strerror or exc}")) from None
    return target / "report.yaml"
