"""``diplosim run``: a scenario simulated into a run folder (or a stopped run resumed), with a
progress bar, the headline figures and the report. The checks and the run are
``diplosim.engine.launch``'s."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from diplosim.cli.options import SetOption, VariantOption, out_path, resume_path
from diplosim.cli.terminal import err, nothing, out, print_headline

__all__ = ["run"]

ScenarioOrResume = Annotated[Path | None, typer.Argument(
    help="Scenario YAML file (not with --resume).", show_default=False)]
OutDir = Annotated[Path | None, typer.Option(
    "--out", callback=out_path, help="Run folder (default: out/NAME).")]
Quiet = Annotated[bool, typer.Option("--quiet", help="No progress bar or summary.")]
Report = Annotated[bool, typer.Option("--report/--no-report", help="Also write "
                                      "RUN/report.html (default: yes).")]
CheckpointEvery = Annotated[str | None, typer.Option(
    "--checkpoint-every", metavar="DAYS", help="Save the whole state every DAYS (e.g. 1d) "
    "so a killed run can go on with --resume.")]
Resume = Annotated[Path | None, typer.Option(
    "--resume", metavar="RUN", callback=resume_path,
    help="Go on with a stopped run from its last checkpoint; "
    "the tables end identical to a run never stopped.")]
Force = Annotated[bool, typer.Option("--force", help="Skip the memory check before the run, "
                                     "and write into a --out folder diplosim did not make "
                                     "(only files named as a run's are replaced).")]
Restart = Annotated[bool, typer.Option("--restart", help="Start again in a folder that holds a "
                                       "stopped run, discarding its checkpoint.")]


def run(scenario: ScenarioOrResume = None, out_dir: OutDir = None,
        set_: SetOption = None,  # type: ignore[assignment]
        variant: VariantOption = None, quiet: Quiet = False, report_: Report = True,
        checkpoint_every: CheckpointEvery = None, resume_dir: Resume = None,
        force: Force = False, restart: Restart = False) -> None:
    """Simulate the scenario hour by hour, write its event log (Parquet) to a run folder, then
    its HTML report; the last line printed is the report's path."""
    from diplosim.analysis.summary import headline
    from diplosim.engine.launch import plan_run, start_run

    plan = plan_run(scenario, set_ or [], variant, out_dir, checkpoint_every, resume_dir,
                    restart, force)
    if plan.scenario is not None and not quiet:
        from diplosim.cli.scenario import print_warnings

        print_warnings(plan.scenario)
    with _progress_bar(plan.days, quiet) as progress:
        m = start_run(plan, progress=progress).manifest
    if not quiet:
        h = headline(plan.folder)  # its totals: the posts table, as the summary and report
        t = (h["totals"] or [{"posts": 0, "impressions": 0}])[0]
        out.print(f"{m['users']:,} users, {m['ticks'] // 24} days: {t['impressions']:,} "
                  f"impressions of {t['posts']:,} posts in {m['wall_seconds']:.1f} s",
                  markup=False)
        print_headline(h, totals=False)
    out.print(f"run written to {plan.folder}", markup=False)
    if report_:
        from diplosim.report import write_report

        with err.status("writing the report", spinner="dots") if not quiet else nothing():
            path = write_report(plan.folder, force=force)
        out.print(f"report: {path}", markup=False)


class _progress_bar:
    """A transient bar on stderr (days done, impressions per second) whose ``progress`` is the
    engine's callback; nothing shows with --quiet."""

    def __init__(self, days: int, quiet: bool):
        from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

        columns = (TextColumn("[bold]{task.description}"), BarColumn(),
                   TextColumn("{task.fields[rate]}"), TimeRemainingColumn())
        self.bar = Progress(*columns, console=err, disable=quiet, transient=True)
        self.days = days

    def __enter__(self):
        self.bar.__enter__()
        task = self.bar.add_task("day 0", total=self.days * 24, rate="")
        started = time.perf_counter()

        def progress(tick: int, total: int, impressions: int) -> None:
            rate = impressions / max(time.perf_counter() - started, 1e-9)
            self.bar.update(task, completed=tick, description=f"day {tick // 24}/{total // 24}",
                            rate=f"{rate / 1e6:.2f}M impressions/s")
        return progress

    def __exit__(self, *exc):
        return self.bar.__exit__(*exc)
