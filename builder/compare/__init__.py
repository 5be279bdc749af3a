"""Comparing builds figure by figure: the identities a workbook carries, figures as shown,
published baselines and recasts, `report-builder diff` and its redline workbook."""
