"""Property tests: random statements build and agree with LibreOffice; random junk is refused cleanly."""

from __future__ import annotations

import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from builder import ReportError, build, plan
from builder.verify import libreoffice
from builder.verify.compare import stored_vs_recalculated
from tests.conftest import MINI_DATA, MINI_LAYOUT, MINI_REPORT
from tests.structure import ooxml_errors, structural_problems

PERIODS = {"current": "P1", "prior": "P0"}
figure = st.one_of(st.just(0), st.integers(-10_000_000, 10_000_000))


@st.composite
def statements(draw):
    """A random statement: leaf rows, nested signed totals, % of a base, changes, a per-share row."""
    leaves = draw(st.integers(2, 6))
    rows, data = [], []
    for i in range(leaves):
        rows.append({"id": f"r{i}", "label": f"Line {i}"})
        data += [(f"r{i}", key, draw(figure)) for key in PERIODS.values()]
    rows.append({"id": "shares", "label": "Shares", "show": ["amount"]})
    data += [("shares", key, draw(st.integers(1, 10**8))) for key in PERIODS.values()]
    ids = [f"r{i}" for i in range(leaves)]
    for t in range(draw(st.integers(1, 4))):
        terms = draw(st.lists(st.sampled_from(ids), min_size=1, max_size=len(ids), unique=True))
        signs = draw(st.lists(st.sampled_from(["", "-"]), min_size=len(terms), max_size=len(terms)))
        rows.append({"id": f"t{t}", "label": f"Total {t}", "total": [s + x for s, x in zip(signs, terms, strict=True)]})
        ids.append(f"t{t}")
    rows.append({"id": "eps", "label": "Per share", "formula": f"{ids[-1]} * 1000 / shares", "show": ["amount"]})
    base = draw(st.sampled_from(ids))
    layout = {
        "sheet": "S",
        "columns": [
            {
                "period": "current",
                "columns": [
                    {"id": "usd", "kind": "convert", "rate": "fx", "header": "USD"},
                    {"id": "amt", "kind": "amount", "header": "Amount"},
                    {
                        "id": "pct",
                        "kind": "percent_of",
                        "base": base,
                        "header": "%",
                        "zero_base": draw(st.sampled_from(["n.m.", "blank"])),
                    },
                ],
            },
            {"period": "prior", "columns": [{"id": "amt_p", "kind": "amount", "header": "Amount"}]},
            {
                "id": "chg",
                "kind": "change",
                "from": "prior",
                "to": "current",
                "header": "Change",
                "negative_base": draw(st.sampled_from(["signed", "abs", "n.m."])),
            },
        ],
        "rows": rows,
    }
    # At most 15 significant digits, as Excel holds a typed number (more is refused).
    fx = float(f"{draw(st.floats(0.01, 1000, allow_nan=False, allow_infinity=False)):.15g}")
    return layout, data, fx


def write_report(folder: Path, layout: dict, data: list, fx: float) -> Path:
    folder.mkdir(parents=True)
    (folder / "layout.yaml").write_text(yaml.safe_dump(layout))
    (folder / "data.csv").write_text("line,period,value\n" + "".join(f"{a},{b},{c}\n" for a, b, c in data))
    report = {
        "company": "Random Co.",
        "periods": {role: {"key": key, "label": key} for role, key in PERIODS.items()},
        "inputs": {"fx": {"value": fx}},
        "layouts": ["layout.yaml"],
        "data": "data.csv",
    }
    (folder / "report.yaml").write_text(yaml.safe_dump(report))
    return folder / "report.yaml"


# No shrinking: each step would start LibreOffice again; a failure names the cell anyway.
@settings(
    max_examples=3,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.lists(statements(), min_size=12, max_size=12))
def test_random_statements_store_what_libreoffice_recalculates(batch):
    # Many workbooks per LibreOffice start-up keep this fast.
    with tempfile.TemporaryDirectory() as tmp:
        books = []
        for n, (layout, data, fx) in enumerate(batch):
            report = write_report(Path(tmp) / f"r{n}", layout, data, fx)
            book = build(report, Path(tmp) / f"book{n}.xlsx").path
            assert structural_problems(book, [sheet.name for sheet in plan(report).sheets]) == []
            assert ooxml_errors(book) == []
            books.append(book)
        recalculated = libreoffice.recalculate(books, Path(tmp) / "recalc")
        for book in books:
            count, differences = stored_vs_recalculated(book, recalculated[book])
            assert count > 0
            assert [str(d) for d in differences] == []


def mutate(text: str, start: int, length: int, insert: str) -> str:
    start = start % (len(text) + 1)
    return text[:start] + insert + text[start + length :]


junk = st.text(alphabet=st.sampled_from(list("abc:-[]{}\"'#&*!|>%@`, \n\t0123456789=.")), max_size=12)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    which=st.sampled_from(["layout.yaml", "report.yaml", "data.csv"]),
    start=st.integers(0, 2000),
    length=st.integers(0, 12),
    insert=junk,
)
def test_malformed_input_raises_only_report_errors(which, start, length, insert):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files = {"layout.yaml": MINI_LAYOUT, "report.yaml": MINI_REPORT, "data.csv": MINI_DATA}
        files[which] = mutate(files[which], start, length, insert)
        for name, text in files.items():
            (folder / name).write_text(text)
        try:
            plan(folder / "report.yaml")
        except ReportError as exc:
            assert exc.problems
            assert all(p.source.file for p in exc.problems)
