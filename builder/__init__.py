"""report-builder: statements with live formulas from declarative layouts."""

# The subpackage builder.load first: imported later (as load() itself does), it would rebind
# `builder.load` from the function below to itself, and a second builder.load() would fail.
import builder.load  # noqa: F401
from builder.api import build, load, plan
from builder.errors import ReportError

__all__ = ["build", "load", "plan", "ReportError"]
