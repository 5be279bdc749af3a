"""Make a large statement: N leaf lines under subtotals of 100 lines, 12 monthly periods."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import yaml

MONTHS = [f"M{m:02d}" for m in range(1, 13)]


def make(folder: Path, lines: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    rows, groups = [], []
    for g in range(0, lines, 100):
        ids = [f"l{i}" for i in range(g, min(g + 100, lines))]
        rows += [{"id": i, "label": f"Line {i[1:]}", "indent": 1} for i in ids]
        rows.append({"id": f"s{g // 100}", "label": f"Subtotal {g // 100}", "total": ids, "style": "subtotal"})
        groups.append(f"s{g // 100}")
    rows.append({"id": "grand", "label": "Total", "total": groups, "style": "grand_total"})
    layout = {
        "sheet": "Ledger",
        "title": ["{company}", "Detailed statement"],
        "columns": [{"id": f"c{m}", "kind": "amount", "period": m.lower(), "header": m} for m in MONTHS],
        "rows": rows,
    }
    (folder / "ledger.yaml").write_text(yaml.safe_dump(layout, sort_keys=False))
    report = {
        "company": "Large Co.",
        "date": "2024-12-31",
        "periods": {m.lower(): {"key": m, "label": m} for m in MONTHS},
        "layouts": ["ledger.yaml"],
        "data": "data.csv",
    }
    text = yaml.safe_dump(report, sort_keys=False).replace("'2024-12-31'", "2024-12-31")
    (folder / "report.yaml").write_text(text)
    with open(folder / "data.csv", "w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["line", "period", "value"])
        for i in range(lines):
            for m, month in enumerate(MONTHS):
                writer.writerow([f"l{i}", month, (i * 7919 + m * 104729) % 1_000_000 - 300_000])
    return folder / "report.yaml"


if __name__ == "__main__":
    print(make(Path(sys.argv[1]), int(sys.argv[2])))
