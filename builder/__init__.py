"""report-builder: statements with live formulas from declarative layouts."""

from builder.api import build, load, plan
from builder.errors import ReportError

__all__ = ["build", "load", "plan", "ReportError"]
