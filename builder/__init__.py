"""report-builder: statements with live formulas from declarative layouts."""

import sys
from types import ModuleType

from builder.errors import ReportError

__all__ = ["build", "load", "plan", "ReportError"]
_API = ("build", "load", "plan")


def __getattr__(name: str):
    # The API is imported on first use, not with the package: `report-builder --help` imports
    # builder.cli, which needs only click and builder.errors.
    if name in _API:
        from builder import api

        return getattr(api, name)
    raise AttributeError(f"module 'builder' has no attribute {name!r}")


class _Package(ModuleType):
    def __setattr__(self, name: str, value: object) -> None:
        # Importing the subpackage builder.load (or builder.plan) sets it as the package's
        # attribute, which would hide the function of that name: builder.load() would fail.
        if name in _API and isinstance(value, ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
