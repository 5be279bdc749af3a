"""The command line: a thin layer over builder.api. Errors become messages and exit codes here."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from builder.compare.errors import BaselineError
from builder.errors import BatchFailed, EngineMissing, ReportError, SchedulerError, TieOutError, VerifyError

REPORT = click.argument("report", required=False, type=click.Path(path_type=Path))


class _Group(click.Group):
    """Turns the project's own exceptions into a message on stderr and an exit code."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except ReportError as exc:
            from builder.cycle.totype import report_lines

            for line in report_lines(exc.problems):
                click.echo(line, err=True)
            ctx.exit(exc.exit_code)
        except TieOutError as exc:
            for result in exc.breaks:
                click.echo(f"error: {result.source}: {result}", err=True)
            hint = (
                "; nothing was written (--allow-breaks writes it anyway)" if ctx.invoked_subcommand == "build" else ""
            )
            click.echo(f"{exc}{hint}.", err=True)
            ctx.exit(exc.exit_code)
        except BaselineError as exc:
            for diff in exc.differences:
                click.echo(f"error: {diff.source}: {diff}", err=True)
            written = "; nothing was written" if ctx.invoked_subcommand == "build" else ""
            click.echo(
                f"{exc}{written}. Declare a change made on purpose in report.yaml: "
                "recast: [{line: <row id>, period: <key>, note: <why>}].",
                err=True,
            )
            ctx.exit(exc.exit_code)
        except (VerifyError, EngineMissing, BatchFailed, SchedulerError) as exc:
            click.echo(f"error: {exc}", err=True)
            ctx.exit(exc.exit_code)


@click.group(cls=_Group)
def main() -> None:
    """Build financial statements as Excel workbooks whose derived figures are live formulas.

    Layout files (YAML, one per statement) say what each statement shows; a data file
    (CSV: line,period,value) holds only the figures a person types in.
    """


def _report(report: Path | None) -> Path:
    from builder.example import report_path

    return report_path(report)


@main.command()
@REPORT
# A str, not a Path: Path drops the trailing "/" that makes `--out results/` a folder.
@click.option(
    "--out",
    type=click.Path(),
    help="The .xlsx to write, or a folder (ending in /) for <report folder>.xlsx (default: output/).",
)
@click.option("--allow-breaks", is_flag=True, help="Write the workbook even if a tie-out check breaks.")
@click.option("--pdf", is_flag=True, help="Also write the printed pack as PDF beside the workbook (needs LibreOffice).")
def build(report: Path | None, out: str | None, allow_breaks: bool, pdf: bool) -> None:
    """Build REPORT into a workbook.

    REPORT is a report.yaml or a folder holding one; without it, the report.yaml of the
    current folder, or the bundled example where there is none.
    """
    from builder.api import build as build_workbook
    from builder.example import default_output, describe

    path = _report(report)
    built = build_workbook(path, out or default_output(path), allow_breaks=allow_breaks)
    for result in built.breaks:
        click.echo(f"warning: {result.source}: {result}", err=True)
    holding = len(built.checks) - len(built.breaks)
    checks = f"; {holding} of {len(built.checks)} checks hold" if built.checks else ""
    if built.compared:
        checks += f"; {built.compared} figures equal the published workbook(s) as shown"
    click.echo(f"built {describe(path)} into {built.path}{checks}")
    if pdf:
        from builder.verify.libreoffice import export_pdf

        try:
            click.echo(f"wrote {export_pdf(built.path, built.pages)}")
        except EngineMissing as exc:
            raise EngineMissing(f"{exc}; the workbook was written, the PDF was not") from None


@main.command()
@REPORT
def check(report: Path | None) -> None:
    """Load, validate and resolve REPORT (as `build` finds it) without writing anything."""
    from builder.api import breaks, compare_published, load_report, plan
    from builder.example import describe

    path = _report(report)
    spec = load_report(path)
    workbook = plan(spec)
    compared = compare_published(spec, workbook)
    broken = breaks(workbook)
    if broken:
        raise TieOutError(broken)
    checks = f": {len(workbook.checks)} checks hold" if workbook.checks else ""
    if compared:
        checks += f"; {compared} figures equal the published workbook(s) as shown"
    click.echo(f"ok: {describe(path)}{checks}")


@main.command()
@click.argument("directory", type=click.Path(path_type=Path))
@click.option(
    "--blank",
    is_flag=True,
    help="A minimal skeleton instead (one statement, two periods, an FX rate, one check) for a company of your own.",
)
@click.option(
    "--example",
    type=click.Choice(["iij-2q-fy2004", "nvidia-q3-fy2025"]),
    default="iij-2q-fy2004",
    show_default=True,
    help="Which bundled example to copy: IIJ's 2Q FY2004 release, or NVIDIA's Q3 FY2025 summary tables.",
)
def new(directory: Path, blank: bool, example: str) -> None:
    """Write a working copy of a bundled example (or, with --blank, a skeleton) into DIRECTORY to start from."""
    from builder.example import new_project

    if blank and example != "iij-2q-fy2004":
        raise click.UsageError("--blank writes the skeleton, not an example: give one of --blank and --example")
    report = new_project(directory, blank=blank, example=example)
    click.echo(f"wrote {report}; build it with: cd {directory} && report-builder build")


def _pairs(option: str, given: tuple[str, ...]) -> dict[str, str]:
    pairs = {}
    for item in given:
        role, sep, value = item.partition("=")
        if not sep or not role.strip() or not value.strip():
            raise click.BadParameter(f"expected ROLE=VALUE, found {item!r}", param_hint=option)
        pairs[role.strip()] = value.strip()
    return pairs


@main.command()
@REPORT
@click.option("--to", "to", required=True, help="The new quarter's key (2Q04 -> 3Q04).")
@click.option("--label", required=True, help="The new quarter's label in headers (Dec 31, 2004).")
@click.option("--out", "out_dir", required=True, type=click.Path(path_type=Path), help="A new or empty folder.")
@click.option("--date", type=click.DateTime(["%Y-%m-%d"]), help="The new report's date (YYYY-MM-DD).")
@click.option("--set-label", "set_label", multiple=True, help="ROLE=LABEL: a rolled period's label, said outright.")
@click.option("--set-key", "set_key", multiple=True, help="ROLE=KEY: a rolled period's key, said outright.")
@click.option(
    "--published",
    type=click.Path(path_type=Path),
    help="The workbook published for the current quarter (default: the report's default output if built, "
    "else built into the new folder).",
)
def roll(
    report: Path | None,
    to: str,
    label: str,
    out_dir: Path,
    date,
    set_label: tuple[str, ...],
    set_key: tuple[str, ...],
    published: Path | None,
) -> None:
    """Write next quarter's report (report.yaml, data.csv) into a new folder, from REPORT (as `build` finds it)."""
    from builder.cycle.roll import roll as roll_report

    labels, keys = _pairs("--set-label", set_label), _pairs("--set-key", set_key)
    day = date.date() if date else None
    rolled = roll_report(_report(report), to, label, out_dir, day, labels, keys, published)
    click.echo(f"wrote {rolled.report} and {rolled.data}")
    for line in rolled.periods:
        click.echo(f"period {line}")
    click.echo(f"published: {rolled.published} (the baseline the rolled report's comparatives must match)")
    for line in rolled.to_update:
        click.echo(f"to update: {line}")
    for line in rolled.to_check:
        click.echo(f"to check: {line}")
    click.echo(
        f"{rolled.carried} figure(s) carried over, {rolled.to_type} to type: fill in their values in "
        f"{rolled.data}, then run: report-builder check {rolled.report}"
    )


@main.command()
@click.argument("report", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--data",
    "data",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Figures with an 'entity' column (tidy or wide CSV, or .xlsx).",
)
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for one workbook per entity and index.csv.",
)
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 256), help="Local processes.")
@click.option("--scheduler", default=None, help="A Dask scheduler address (tcp://host:8786) to run on instead.")
@click.option("--allow-breaks", is_flag=True, help="Write an entity's workbook even if a tie-out check breaks.")
def batch(report: Path, data: Path, out_dir: Path, workers: int, scheduler: str | None, allow_breaks: bool) -> None:
    """Build REPORT once per entity of --data, in parallel; list them all in index.csv."""
    from builder.batch import INDEX, connect_scheduler, load_batch, printable, run_batch

    entities = len(load_batch(data))
    executor, client = None, None
    if scheduler:
        client = connect_scheduler(scheduler)
        executor = client.get_executor()
    failed = []
    try:
        with click.progressbar(length=entities, label="building", file=sys.stderr) as bar:

            def done(result) -> None:
                bar.update(1)
                if result.status != "built":
                    failed.append(result)

            results = run_batch(report, data, out_dir, workers, executor, allow_breaks, done)
    finally:
        if client is not None:
            client.close()
    built = sum(1 for r in results if r.status == "built")
    click.echo(f"built {built}, failed {len(failed)}; index: {out_dir / INDEX}")
    for result in failed:
        # Control characters of a name or reason are shown escaped, never sent to the terminal.
        click.echo(f"failed: {printable(result.entity)}: {printable(result.reason)}", err=True)
    if failed:
        raise BatchFailed(f"{len(failed)} of {len(results)} entities failed")


@main.command()
@click.argument("old", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("new", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--out", type=click.Path(), help="Also write a redline workbook (CHANGES.xlsx) of the figures that differ."
)
def diff(old: Path, new: Path, out: str | None) -> None:
    """Compare two builds figure by figure, as shown: changed, added and removed figures.

    Exit code 0 when no figure differs, 1 when some do.
    """
    from builder.compare.diff import diff as compare

    target = None
    if out is not None:
        from builder.outputs import refuse_inputs, workbook_path

        target = workbook_path(out, new.parent / "changes" / "report.yaml")  # a folder receives changes.xlsx
        refuse_inputs([target], [old, new])
    before, after, changes = compare(old, new)
    for change in changes:
        click.echo(str(change))
    if target is not None:
        from builder.compare import redline
        from builder.render import render_workbook

        click.echo(f"wrote {render_workbook(redline.plan(before, after, changes), target)}")
    if changes:
        counts = {s: sum(c.status == s for c in changes) for s in ("changed", "added", "removed")}
        click.echo(f"{len(changes)} figure(s) differ: " + ", ".join(f"{n} {s}" for s, n in counts.items()))
        sys.exit(1)
    click.echo(f"no figure differs ({len(after.figures)} compared)")


@main.command()
@click.argument("workbook", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def verify(workbook: Path) -> None:
    """Recalculate WORKBOOK in headless LibreOffice and compare every stored value."""
    from builder.verify.compare import verify_workbook

    verdict = verify_workbook(workbook)
    for line in verdict.overwritten:
        click.echo(f"overwritten: {line}", err=True)
    for diff in verdict.differences:
        click.echo(f"differs: {diff}", err=True)
    failures = []
    if verdict.overwritten:
        failures.append(f"{len(verdict.overwritten)} cell(s) that should hold a formula hold a constant")
    if verdict.differences:
        failures.append(
            f"{len(verdict.differences)} of {verdict.formulas} formula cells differ from LibreOffice's recalculation"
        )
    if failures:
        raise VerifyError("; ".join(failures))
    if not verdict.mapped:
        click.echo(
            f"warning: {workbook} has no formula map (it was not built by report-builder, or the map was "
            "removed): a formula overwritten with a typed value cannot be found",
            err=True,
        )
    click.echo(f"ok: {verdict.formulas} formula cells equal LibreOffice's recalculation")


if __name__ == "__main__":
    sys.exit(main())
