"""The comparison's own failure, importable without the comparison (the CLI catches it)."""

from __future__ import annotations


class BaselineError(Exception):
    """Figures the new build shares with a published workbook differ from it, undeclared."""

    exit_code = 7

    def __init__(self, differences: list):
        self.differences = differences  # builder.compare.baseline.Difference
        super().__init__(f"{len(differences)} figure(s) differ from the published workbook(s)")
