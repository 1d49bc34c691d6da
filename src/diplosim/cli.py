"""The ``diplosim`` command: parses arguments, calls one library function, prints the result.

Library errors (``DiplosimError``) become a message on stderr and exit code 1 here, and only here.
"""

from __future__ import annotations

import json
import re
import sys
import time
from collections import Counter
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from diplosim.errors import DiplosimError, printable
from diplosim.parameters import PARAMETERS
from diplosim.paths import safe_out
from diplosim.scenario import Scenario, load_scenario
from diplosim.store.writer import write_json_atomic
from diplosim.world.countries import country_table, language_names
from diplosim.world.population import Population, synthesise

app = typer.Typer(
    help="Simulate and measure TikTok diplomacy. Start with `diplosim validate FILE`.",
    no_args_is_help=True, add_completion=False, rich_markup_mode=None,
)
# Piped output gets a fixed, wide layout instead of Rich's 80 columns, so ids are not cut.
# Markup is off by default: a string from data (a handle such as "[bold]x") prints as written.
# Strings from data also go through ``printable``, so escape sequences show instead of acting.
out = Console(highlight=False, markup=False, width=None if sys.stdout.isatty() else 120)
err = Console(stderr=True, highlight=False, markup=False,
              width=None if sys.stderr.isatty() else 120)


class Format(StrEnum):
    table = "table"
    json = "json"

SetOption = Annotated[
    list[str],
    typer.Option("--set", metavar="KEY.PATH=VALUE",
                 help="Override a scenario field, e.g. --set platform.ranking=social "
                      "(repeatable; values are read as YAML)."),
]
ScenarioArg = Annotated[Path, typer.Argument(help="Scenario YAML file.", show_default=False)]
VariantOption = Annotated[
    str | None,
    typer.Option("--variant", metavar="ID", help="Apply one of the scenario's declared variants "
                 "(before any --set); the run is named NAME-ID."),
]


def _safe_path(option: str):
    """A Typer callback refusing an output path through '..' (``paths.safe_out``)."""
    def check(value: Path | None) -> Path | None:
        return None if value is None else safe_out(value, option)
    return check


_out_path, _into_path, _resume_path = (_safe_path(o) for o in ("--out", "--into", "--resume"))


def _human_bytes(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1000:
            return f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} TB"


@app.command()
def validate(scenario: ScenarioArg, set_: SetOption = None,  # type: ignore[assignment]
             variant: VariantOption = None) -> None:
    """Check a scenario; print every problem (exit 1) or a one-screen summary (exit 0)."""
    s = load_scenario(scenario, set_ or [], variant)
    for v in s.variants if variant is None else []:  # every declared variant must load too
        load_scenario(scenario, set_ or [], v.id)
    _print_summary(s)
    out.print(f"[green]OK[/green] {scenario} is a valid scenario.", markup=True)


def _print_summary(s: Scenario) -> None:
    table = country_table()
    out.print(f"[bold]{s.name}[/bold]  seed {s.seed}, {s.duration_days} days, "
              f"{s.world.users:,} users in {len(s.world.countries)} countries", markup=True)
    p = s.platform
    fc = (f"fact-check after {p.moderation.fact_check_delay_hours:g} h"
          if p.moderation.fact_check else "no fact-checking")
    out.print(f"platform: {p.ranking} ranking, state-media labels "
              f"{'on' if p.state_media_labels else 'off'}, {fc}, diversity {p.diversity:g}",
              markup=False)
    out.print("countries: " + ", ".join(f"{c} ({table[c].name})" for c in s.world.countries),
              markup=False)
    if s.issues:
        out.print("issues: " + printable(", ".join(f"{i.id} ({i.negative} -1 .. +1 "
                                                   f"{i.positive})" for i in s.issues)),
                  markup=False)
    if s.claims:
        out.print("claims: " + ", ".join(f"{c.id} ({'true' if c.true else 'false'})"
                                         for c in s.claims), markup=False)
    actors = Table("actor", "type", "country", "accounts", "campaigns", "posts/day",
                   title="Actors", title_justify="left")
    for a in s.actors:
        rate = sum(c.posts_per_day for c in a.campaigns) * a.accounts
        actors.add_row(a.id, a.type, a.country + (f" in {a.host_country}" if a.host_country
                       else ""), f"{a.accounts:,}", ", ".join(c.id for c in a.campaigns) or "-",
                       f"{rate:g}")
    out.print(actors)
    if s.events:
        events = Table("day", "event", "what", title="Timeline", title_justify="left")
        for e in sorted(s.events, key=lambda e: e.day):
            detail = e.model_dump(exclude={"day", "type"}, exclude_none=True)
            events.add_row(f"{e.day:g}", e.type, printable(", ".join(
                f"{k}={_show(v)}" for k, v in detail.items() if v != [])))
        out.print(events)
    if s.parameters:
        out.print("parameters overridden: " + ", ".join(f"{k}={v:g}" for k, v in
                                                         s.parameters.items()), markup=False)


def _show(value: object) -> str:
    if isinstance(value, list):
        return ",".join(map(str, value))
    if isinstance(value, dict):
        return ",".join(f"{k}:{v}" for k, v in value.items())
    return f"{value:g}" if isinstance(value, float) else str(value)


def world_summary(pop: Population) -> dict:
    """The JSON form of ``diplosim world``."""
    return {"countries": pop.users_per_country(), "users": pop.size, "bytes": pop.nbytes,
            "bytes_per_user": round(pop.nbytes / max(pop.size, 1), 1)}


@app.command()
def world(
    scenario: ScenarioArg,
    users: Annotated[int | None, typer.Option(min=1, help="Users (default: the scenario's).")]
    = None,
    seed: Annotated[int | None, typer.Option(min=0, help="Seed (default: the scenario's).")]
    = None,
    format: Annotated[Format, typer.Option("--format", help="table or json.")] = Format.table,
    out_file: Annotated[Path | None, typer.Option(
        "--out", callback=_out_path, help="Also write the JSON here.")]
    = None,
    set_: SetOption = None,  # type: ignore[assignment]
    variant: VariantOption = None,
) -> None:
    """Synthesise the scenario's population; print users per country and the state's memory."""
    s = load_scenario(scenario, set_ or [], variant)
    pop = synthesise(s, users=users, seed=seed)
    summary = world_summary(pop)
    if format is Format.json:
        sys.stdout.write(json.dumps(summary) + "\n")
    else:
        _print_world(pop)
    if out_file is not None:
        out_file.parent.mkdir(parents=True, exist_ok=True)
        write_json_atomic(out_file, summary)
        (err if format is Format.json else out).print(f"world summary written to {out_file}",
                                                 markup=False)


def _print_world(pop: Population) -> None:
    table, names = country_table(), language_names()
    t = Table("country", "users", "share", "platform users", "source", "main languages", "UTC",
              title=f"{pop.size:,} users", title_justify="left")
    langs = Counter(zip(pop.country.tolist(), pop.lang1.tolist(), strict=True)) if pop.size \
        <= 2_000_000 else None
    for i, (code, n) in enumerate(pop.users_per_country().items()):
        c = table[code]
        if langs is not None:
            top = sorted(((k[1], v) for k, v in langs.items() if k[0] == i), key=lambda x: -x[1])
            main = ", ".join(names.get(pop.languages[li], pop.languages[li]) for li, _ in top[:2])
        else:
            main = ", ".join(names.get(lc, lc) for lc, _ in c.languages[:2])
        t.add_row(f"{code} {c.name}", f"{n:,}", f"{n / max(pop.size, 1):.1%}",
                  f"{c.platform_users / 1e6:,.1f}M", "estimate" if c.estimated else "published",
                  main, f"{c.utc_offset_hours:+g}")
    out.print(t)
    out.print(f"state: {_human_bytes(pop.nbytes)} ({pop.nbytes / max(pop.size, 1):.0f} bytes per "
              f"user; {len(pop.focal)} focal countries, {len(pop.issues)} issues, "
              f"{len(pop.claims)} claims)", markup=False)


def _days(text: str) -> int:
    """``--checkpoint-every``: ``1d``, ``2d``, ... (or whole days in hours: ``48h``)."""
    m = re.fullmatch(r"\s*(\d+)\s*([dh])\s*", text.lower())
    if m is None or int(m.group(1)) == 0 or (m.group(2) == "h" and int(m.group(1)) % 24):
        raise DiplosimError(f"--checkpoint-every: expected whole days such as 1d or 2d (a "
                            f"checkpoint falls at a day's end), got {printable(text)!r}")
    return int(m.group(1)) // (24 if m.group(2) == "h" else 1)


@app.command()
def run(
    scenario: Annotated[Path | None, typer.Argument(help="Scenario YAML file (not with "
                                                    "--resume).", show_default=False)] = None,
    out_dir: Annotated[Path | None, typer.Option(
        "--out", callback=_out_path, help="Run folder (default: "
                                                  "out/NAME).")] = None,
    set_: SetOption = None,  # type: ignore[assignment]
    variant: VariantOption = None,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress bar or summary.")] = False,
    report_: Annotated[bool, typer.Option("--report/--no-report", help="Also write "
                                          "RUN/report.html (default: yes).")] = True,
    checkpoint_every: Annotated[str | None, typer.Option(
        "--checkpoint-every", metavar="DAYS", help="Save the whole state every DAYS (e.g. 1d) "
        "so a killed run can go on with --resume.")] = None,
    resume_dir: Annotated[Path | None, typer.Option(
        "--resume", metavar="RUN", callback=_resume_path,
        help="Go on with a stopped run from its last checkpoint; "
        "the tables end identical to a run never stopped.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Skip the memory check before the "
                                        "run.")] = False,
    restart: Annotated[bool, typer.Option("--restart", help="Start again in a folder that "
                                          "holds a stopped run, discarding its checkpoint.")]
    = False,
) -> None:
    """Simulate the scenario hour by hour, write its event log (Parquet) to a run folder, then
    its HTML report; the last line printed is the report's path."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    from diplosim.analysis.summary import headline
    from diplosim.engine.engine import resume, simulate
    from diplosim.engine.limits import check_memory

    if resume_dir is not None:
        if scenario is not None or set_ or variant or checkpoint_every or out_dir:
            raise DiplosimError("--resume RUN takes no scenario, --set, --variant, "
                                "--checkpoint-every or --out: the run folder holds them")
        folder = resume_dir
        every, s = None, None
        total_days = _stopped_days(folder)
    else:
        if scenario is None:
            raise DiplosimError("run: give a scenario file (or --resume RUN)")
        s = load_scenario(scenario, set_ or [], variant)
        folder = out_dir or Path("out") / s.name
        every = _days(checkpoint_every) if checkpoint_every is not None else None
        if not restart:
            _refuse_stopped(folder)
        if not force:
            check_memory(s, scenario)
        total_days = s.duration_days
    columns = (TextColumn("[bold]{task.description}"), BarColumn(),
               TextColumn("{task.fields[rate]}"), TimeRemainingColumn())
    with Progress(*columns, console=err, disable=quiet, transient=True) as bar:
        task = bar.add_task("day 0", total=total_days * 24, rate="")
        started = time.perf_counter()

        def progress(tick: int, total: int, impressions: int) -> None:
            rate = impressions / max(time.perf_counter() - started, 1e-9)
            bar.update(task, completed=tick, description=f"day {tick // 24}/{total // 24}",
                       rate=f"{rate / 1e6:.2f}M impressions/s")

        try:
            result = (resume(folder, progress=progress) if s is None
                      else simulate(s, folder, progress=progress, checkpoint_every=every))
        except OSError as e:
            raise DiplosimError(_write_failure(e, folder, every)) from None
    m = result.manifest
    if not quiet:
        out.print(f"{m['users']:,} users, {m['ticks'] // 24} days: {m['impressions']:,} "
                  f"impressions of {m['posts']:,} posts in {m['wall_seconds']:.1f} s", markup=False)
        _print_headline(headline(folder))
    out.print(f"run written to {folder}", markup=False)
    if report_:
        from diplosim.report import write_report

        with err.status("writing the report", spinner="dots") if not quiet else _nothing():
            path = write_report(folder)
        out.print(f"report: {path}", markup=False)


def _refuse_stopped(folder: Path) -> None:
    """A new run must not silently throw away a stopped run's checkpoint (hours of work)."""
    from diplosim.engine import checkpoint
    from diplosim.store.writer import STAGE

    try:
        pointer = checkpoint.latest(folder / STAGE)
    except DiplosimError:  # an unreadable pointer: nothing that could be resumed
        return
    if pointer is not None:
        day = int(pointer.get("tick", 0)) // 24
        raise DiplosimError(f"{folder}: holds a run stopped after day {day} of "
                            f"{_stopped_days(folder)}, with a checkpoint; go on with `diplosim "
                            f"run --resume {folder}`, or start again with --restart (the "
                            f"checkpoint is discarded)")


def _stopped_days(folder: Path) -> int:
    from diplosim.store.writer import STAGE, read_manifest

    m = read_manifest(folder / STAGE / "manifest.json") or {}
    return int((m.get("scenario") or {}).get("duration_days") or 1)


def _write_failure(e: OSError, folder: Path, every: int | None) -> str:
    """A write that failed (disk full, file too large, no permission), said plainly."""
    import errno

    reasons = {errno.ENOSPC: "the disk is full", errno.EFBIG: "a file grew past the size limit",
            errno.EDQUOT: "the disk quota is used up", errno.EACCES: "permission denied",
            errno.EROFS: "the file system is read-only"}
    code = e.errno
    if code is None:  # Arrow's errors carry the number in their text
        m = re.search(r"errno\s*(\d+)", str(e), re.IGNORECASE)
        code = int(m.group(1)) if m else None
    what = reasons.get(code) or printable(e.strerror or str(e))
    where = printable(str(e.filename)) if e.filename else str(folder)
    again = (f"free space, then go on with `diplosim run --resume {folder}`" if every
             else "free space, then run it again (add --checkpoint-every 1d to be able to "
                  "resume)")
    return (f"{where}: cannot write ({what}). The run in {folder} stopped and is marked "
            f"incomplete; outputs written before it are untouched. {again}")


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def _table(title: str, rows: list[dict], limit: int = 12, fmt: dict | None = None) -> Table:
    t = Table(title=title, title_justify="left")
    if not rows:
        t.add_column("(none)")
        return t
    for name in rows[0]:
        t.add_column(name, justify="right" if isinstance(rows[0][name], int | float) else "left")
    for row in rows[:limit]:
        t.add_row(*[(fmt or {}).get(k, _cell)(v) for k, v in row.items()])
    return t


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:+.3f}" if abs(value) < 1 else f"{value:,.0f}"
    return printable(f"{value:,}" if isinstance(value, int) else str(value))


def _print_headline(h: dict[str, list[dict] | None]) -> None:
    from diplosim.analysis.summary import NEEDS

    share = {"positive_share": lambda v: f"{v:.1%}"}
    pct = {"start": lambda v: f"{v:.1%}", "end": lambda v: f"{v:.1%}"}
    specs = {
        "reach": ("Top actors per country: impressions and mean daily distinct viewers", 30, None),
        "favourability": ("Favourability change toward foreign countries (largest first)", 10,
                          None),
        "narratives": ("Narrative share: impressions on the positive side of each issue", 30,
                       share),
        "beliefs": ("Belief in each claim (share of users above 0.5)", 30, pct),
    }
    for name, (title, limit, fmt) in specs.items():
        if h.get(name) is None:
            out.print(f"{title}: not measurable here (needs the table(s) "
                      f"{', '.join(NEEDS[name])})", markup=False)
        else:
            out.print(_table(title, h[name], limit=limit, fmt=fmt))


@app.command()
def sweep(
    scenario: ScenarioArg,
    vary: Annotated[list[str], typer.Option("--vary", metavar="KEY.PATH=V1,V2,...",
                                            help="A field and its values (repeatable; every "
                                            "combination runs).")],
    out_dir: Annotated[Path, typer.Option(
        "--out", callback=_out_path, help="Sweep folder.")],
    set_: SetOption = None,  # type: ignore[assignment]
    replicates: Annotated[int, typer.Option("--replicates", help="Runs per combination, "
                                            "seeds SEED, SEED+1, ...")] = 1,
    ray_address: Annotated[str | None, typer.Option("--ray-address", help="A Ray cluster "
                                                    "(default: start Ray on this machine).")
                           ] = None,
    cpus_per_run: Annotated[int, typer.Option("--cpus-per-run", help="Cores (Numba "
                                              "threads) per run.")] = 1,
    force: Annotated[bool, typer.Option("--force", help="Skip the memory check before the "
                                        "sweep starts.")] = False,
) -> None:
    """Run every combination of the --vary values, --replicates times each, as Ray tasks; write
    one run folder each and SWEEP/sweep.parquet (mean and 95% interval per combination). Runs
    already complete are skipped, so a stopped sweep resumes. Each task asks Ray for its run's
    estimated memory, and a combination that fits on no node is refused before anything runs."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    from diplosim.distributed.sweep import run_sweep
    from diplosim.scenario.loader import read_scenario_text
    from diplosim.scenario.sweeps import parse_vary, plan_sweep

    text = read_scenario_text(scenario)
    plan = plan_sweep(text, scenario.name, parse_vary(vary), replicates, out_dir, set_)
    with Progress(TextColumn("[bold]runs"), BarColumn(), MofNCompleteColumn(),
                  TimeRemainingColumn(), console=err) as bar:
        task = bar.add_task("runs", total=len(plan.runs))
        counts = run_sweep(plan, ray_address, cpus_per_run,
                           progress=lambda done, total: bar.update(task, completed=done),
                           force=force)
    out.print(f"{len(plan.runs)} runs ({counts['ran']} run now, {counts['skipped']} already "
              f"complete) in {out_dir}", markup=False)
    out.print(f"table: {out_dir / 'sweep.parquet'}", markup=False)


class Method(StrEnum):
    morris = "morris"
    sobol = "sobol"


@app.command()
def sensitivity(
    scenario: ScenarioArg,
    measure: Annotated[list[str], typer.Option("--measure", metavar="NAME[:ARG...]",
                                               help="What to explain (repeatable): a named "
                                               "measure of a run folder, e.g. impressions:"
                                               "ACTOR, positive_share:ISSUE:RU, metric:run/"
                                               "engagement per view.")],
    out_dir: Annotated[Path, typer.Option("--out", callback=_out_path,
                                          help="Folder of the runs, indices.json and "
                                          "sensitivity.html.")],
    params: Annotated[str | None, typer.Option("--params", metavar="P1,P2,...",
                                               help="Parameters to vary over their "
                                               "sensitivity ranges (diplosim parameters).")
                      ] = None,
    assumptions: Annotated[bool, typer.Option("--assumptions", help="Vary every parameter "
                                              "whose source is an assumption (the default "
                                              "without --params).")] = False,
    method: Annotated[Method, typer.Option("--method", help="morris (screening) or sobol "
                                           "(variance shares).")] = Method.morris,
    samples: Annotated[int, typer.Option("--samples", min=2, help="Morris trajectories "
                                         "(runs: N x (k + 1)) or Sobol base samples, a power "
                                         "of 2 (runs: N x (k + 2)); at least 2, so that each "
                                         "figure has an interval.")] = 10,
    set_: SetOption = None,  # type: ignore[assignment]
    ray_address: Annotated[str | None, typer.Option("--ray-address", help="A Ray cluster "
                                                    "(default: start Ray on this machine).")
                           ] = None,
    serial: Annotated[bool, typer.Option("--serial", help="Run in this process, without "
                                         "Ray.")] = False,
    fmt: Annotated[Format, typer.Option("--format", help="table or json (the indices).")
                   ] = Format.table,
) -> None:
    """Global sensitivity analysis: run the scenario over parameter sets drawn by SALib
    (Morris or Sobol) within each parameter's documented range, every run a Ray task; print
    the indices of each measure and write DIR/indices.json and DIR/sensitivity.html. Runs
    already complete are skipped, so a stopped analysis resumes."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    from diplosim.analysis.measures import parse_measure
    from diplosim.distributed.sensitivity import (
        assumption_parameters,
        plan_sensitivity,
        run_sensitivity,
        sensitivity_indices,
    )
    from diplosim.report import write_sensitivity_report
    from diplosim.scenario.loader import read_scenario_text

    if params is not None and assumptions:
        raise DiplosimError("sensitivity: give --params or --assumptions, not both")
    names = ([p.strip() for p in params.split(",") if p.strip()] if params is not None
             else assumption_parameters())
    for m in measure:
        parse_measure(m)  # a bad name fails before anything runs
    text = read_scenario_text(scenario)
    plan = plan_sensitivity(text, scenario.name, names, method.value, samples, out_dir, set_)
    with Progress(TextColumn("runs"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=err, disable=fmt == Format.json) as bar:
        task = bar.add_task("runs", total=len(plan.runs))
        run_sensitivity(plan, ray_address, use_ray=not serial,
                        progress=lambda done, total: bar.update(task, completed=done))
    result = sensitivity_indices(plan, measure)
    page = write_sensitivity_report(out_dir, result)
    if fmt == Format.json:
        sys.stdout.write(json.dumps(result) + "\n")
        return
    for m, r in result["measures"].items():
        morris = method is Method.morris
        t = Table("parameter", *(("mu*", "95% interval", "sigma") if morris else
                                 ("S1", "95% interval", "ST", "95% interval")), "distinguishable",
                  title=f"{m} (mean {r['mean']:.4g}; sd over seeds {r['seed_sd'] or 0:.4g})",
                  title_justify="left")
        for row in r["indices"]:
            cells = ([f"{row['mu_star']:.4g}", f"{row['mu_star_low']:.4g} to "
                      f"{row['mu_star_high']:.4g}", f"{row['sigma']:.4g}"] if morris else
                     [f"{row['S1']:.3f}", f"{row['S1_low']:.3f} to {row['S1_high']:.3f}",
                      f"{row['ST']:.3f}", f"{row['ST_low']:.3f} to {row['ST_high']:.3f}"])
            t.add_row(row["parameter"], *cells, "yes" if row["distinguishable"] else "no")
        out.print(t)
    out.print(f"{len(plan.runs)} runs in {out_dir}; page: {page}", markup=False)


@app.command()
def summary(
    run_dir: Annotated[Path, typer.Argument(help="A run folder.", show_default=False)],
) -> None:
    """Print a run's headline figures: reach, engagement, opinion, narratives, claims, events."""
    from diplosim.analysis.events import event_effects
    from diplosim.analysis.misinformation import label_exposure
    from diplosim.analysis.reach import engagement_rate
    from diplosim.analysis.run import load_run
    from diplosim.analysis.summary import headline

    run = load_run(run_dir)
    if run.manifest.get("kind") == "import":
        _print_imported(run)
        return
    _print_headline(headline(run_dir))
    if run.has("posts"):
        out.print(_table("Engagement per view by actor", engagement_rate(run), limit=20))
    if run.has("events", "exposures", "posts"):
        out.print(_table("Event effects (2 days before against 2 days from the event)",
                         event_effects(run), limit=30))
    if run.has("posts", "exposures") and "claim" in run.table("posts").columns:
        out.print(_table("False claims: impressions before and after their label",
                         label_exposure(run)))
    if run.has("rejected"):
        (n,) = run.con.execute("SELECT count(*) FROM rejected").fetchone()
        out.print(_table(f"Rejected input rows ({n:,}; the first 10)", run.rows(
            "SELECT file, line, item, reason FROM rejected ORDER BY file, line, item "
            "LIMIT 10")))


def _print_imported(run) -> None:
    """The summary of an imported folder: its data-quality checks first, then what an export
    holds (never a section that was never possible for imported data)."""
    from diplosim.analysis import exports, user_lists
    from diplosim.analysis.quality import quality_checks

    checks = quality_checks(run)
    out.print(_table("Data quality (every check; rows affected of rows checked)",
                     [{"check": c.title, "rows": c.count, "of": c.of,
                       "examples": ", ".join(c.examples)} for c in checks], limit=50))
    for c in checks:
        if c.count:
            out.print(f"- {c.title}: {c.meaning}", markup=False)
    _print_user_lists(run)
    if not run.has("posts"):
        if not run.has("follows") and not run.has("engagements"):
            out.print("No posts imported yet: the other figures need a posts table.",
                      markup=False)
        return
    (n, accounts, first, last, views) = run.con.execute(
        "SELECT count(*), count(DISTINCT account), min(time), max(time), sum(impressions) "
        "FROM posts").fetchone()
    span = "" if first is None else (f", {time.strftime('%Y-%m-%d', time.gmtime(first))} to "
                                     f"{time.strftime('%Y-%m-%d', time.gmtime(last))} (UTC)")
    out.print(f"{n:,} posts by {accounts:,} accounts{span}; {int(views or 0):,} views",
              markup=False)
    pct = {k: (lambda v: "" if v is None else f"{v:.2%}") for k in
           ("engagement_per_view", "likes_per_view", "shares_per_view")}
    out.print(_table("Engagement per view by account type", exports.engagement_by_type(run),
                     fmt=pct))
    out.print(_table("Top accounts by views", run.rows("""
        SELECT account::VARCHAR AS account, count(*) AS posts,
               sum(impressions)::BIGINT AS views FROM posts
        GROUP BY 1 ORDER BY views DESC NULLS LAST, posts DESC, account LIMIT 10""")))
    out.print(_table("Hashtags used together most", exports.hashtag_pairs(run, 10)))
    out.print(_table("Most used sounds", [{k: v for k, v in r.items() if k != "top_accounts"}
                                          for r in exports.sounds(run, 10)]))
    out.print(_table("Creator region", exports.regions(run), limit=10))
    labelled = user_lists.labels(run)
    if labelled:
        out.print(_table("Platform labels (video_label) by account type", labelled, limit=10))
    duets = user_lists.duets(run, 10)
    if duets:
        out.print(_table("Most dueted videos", duets))
    comments = exports.comment_summary(run)
    if comments is not None:
        out.print(_table(f"Comments ({comments['comments']:,}) by reply depth",
                         comments["depth"]))
    if run.has("rejected"):
        (k,) = run.con.execute("SELECT count(*) FROM rejected").fetchone()
        out.print(_table(f"Rejected input rows ({k:,}; the first 10)", run.rows(
            "SELECT file, line, item, reason FROM rejected ORDER BY file, line, item "
            "LIMIT 10")))


def _print_user_lists(run) -> None:
    """The follow graph and the per-user video lists of an imported folder, when present."""
    from diplosim.analysis import user_lists

    f = user_lists.follow_summary(run)
    if f is not None:
        out.print(f"Follow graph: {f['ties']:,} ties among {f['accounts']:,} accounts, "
                  f"{f['mutual_ties']:,} mutual", markup=False)
        out.print(_table("Most followed in the lists", user_lists.most_followed(run, 10)))
    if run.has("engagements"):
        out.print(_table("Reposted, liked and pinned lists", user_lists.engagement_summary(run)))
        shared = user_lists.shared_engagements(run, top=10)
        out.print(_table("Accounts reposting the same videos (two or more)", shared) if shared
                  else "No two accounts reposted two or more of the same videos.",
                  markup=False)


@app.command()
def report(
    run_dir: Annotated[Path, typer.Argument(help="A run folder.", show_default=False)],
    out_file: Annotated[Path | None, typer.Option(
        "--out", callback=_out_path, help="HTML file (default: "
                                                   "RUN/report.html).")] = None,
) -> None:
    """Write a run's self-contained HTML report (opens offline); print its path. Given a
    sweep folder, the sweep's report: each metric against the varied parameter, with 95%
    intervals."""
    from diplosim.report import write_report, write_sweep_report

    with err.status("writing the report", spinner="dots"):
        if (run_dir / "sweep.json").exists():
            path = write_sweep_report(run_dir, out_file)
        else:
            path = write_report(run_dir, out_file)
    out.print(f"report: {path}", markup=False)


@app.command()
def compare(
    run_dirs: Annotated[list[Path], typer.Argument(help="Two or more run folders, or sweep "
                                                   "folders (each combination a column).",
                                                   show_default=False)],
    out_file: Annotated[Path | None, typer.Option(
        "--out", callback=_out_path, help="Also write the comparison "
                                                   "as a self-contained HTML file.")] = None,
    format: Annotated[Format, typer.Option("--format", help="table or json.")] = Format.table,
) -> None:
    """Put runs side by side: what differs in their setup, then the headline metrics. With sweep
    folders, each combination is a column: every metric's mean over its seeds with its 95%
    interval, and each column's difference from the first (paired by seed) with whether it is
    distinguishable from zero."""
    from diplosim.analysis.compare import compare_runs
    from diplosim.analysis.replicated import is_sweep

    if any(is_sweep(p) for p in run_dirs):
        _compare_replicated(run_dirs, out_file, format)
        return
    if len(run_dirs) < 2:
        raise DiplosimError("compare: give at least two run folders")
    labels, rows = compare_runs(run_dirs)
    if format is Format.json:
        sys.stdout.write(json.dumps({"runs": labels, "rows": rows}) + "\n")
    else:
        t = Table("group", "metric", *labels, title="Runs side by side", title_justify="left")
        for r in rows:
            t.add_row(r["group"], printable(r["metric"]), *[_compare_cell(r[k]) for k in labels])
        out.print(t)
    if out_file is not None:
        from diplosim.report import write_comparison

        with err.status("writing the comparison", spinner="dots"):
            path = write_comparison(run_dirs, out_file)
        (err if format is Format.json else out).print(f"comparison: {path}", markup=False)


def _compare_replicated(paths: list[Path], out_file: Path | None, format: Format) -> None:
    from diplosim.analysis.replicated import as_json, compare_replicated
    from diplosim.report.compare import interval_cell

    with err.status("measuring every run", spinner="dots"):
        c = compare_replicated(paths)
    if format is Format.json:
        sys.stdout.write(json.dumps(as_json(c)) + "\n")
    else:
        t = Table("group", "metric", *c.labels, *c.differences, title="Mean and 95% interval "
                  "over each column's seeds; differences from the first column",
                  title_justify="left")
        for r in c.rows:
            t.add_row(r["group"], printable(r["metric"]),
                      *[printable(interval_cell(r[k])) for k in c.labels + c.differences])
        out.print(t)
    if out_file is not None:
        from diplosim.report import write_comparison

        with err.status("writing the comparison", spinner="dots"):
            path = write_comparison(paths, out_file)
        (err if format is Format.json else out).print(f"comparison: {path}", markup=False)


def _compare_cell(value: object) -> str:
    from diplosim.report.html import cell  # the HTML comparison's formatting, in the terminal

    return printable(cell(value))


class ImportFormat(StrEnum):
    tiktok = "tiktok"
    tiktok_users = "tiktok-users"
    tiktok_comments = "tiktok-comments"
    zeeschuimer = "zeeschuimer"
    tiktokapi = "tiktokapi"
    apify = "apify"
    csv = "csv"
    tiktok_followers = "tiktok-followers"
    tiktok_following = "tiktok-following"
    tiktok_reposted = "tiktok-reposted"
    tiktok_liked = "tiktok-liked"
    tiktok_pinned = "tiktok-pinned"


@app.command("import")
def import_(
    fmt: Annotated[ImportFormat, typer.Argument(metavar="FORMAT", help="tiktok (Research API "
                   "videos), tiktok-users, tiktok-comments, zeeschuimer, tiktokapi (TikTokApi "
                   "items), apify (tiktok-scraper / Apify), csv (with --map; maps/ has one "
                   "for 4CAT's TikTok CSV), and the Research API's per-user lists: "
                   "tiktok-followers, tiktok-following (a follow graph), tiktok-reposted, "
                   "tiktok-liked, tiktok-pinned.",
                   show_default=False)],
    files: Annotated[list[Path], typer.Argument(help="Input files.", show_default=False)],
    into: Annotated[Path, typer.Option(
        "--into", callback=_into_path, help="Folder of tables to create or add to.",
                                       show_default=False)],
    map_file: Annotated[Path | None, typer.Option("--map", help="Column map (YAML) for csv; "
                                                  "see maps/.")] = None,
    actors: Annotated[Path | None, typer.Option("--actors", help="Actor registry CSV: handle, "
                                                "actor_type, country, label.")] = None,
    pseudonymise: Annotated[bool, typer.Option("--pseudonymise", help="Replace account names "
                                               "and ids with keyed hashes.")] = False,
    key: Annotated[str | None, typer.Option("--key", envvar="DIPLOSIM_KEY", help="The key for "
                                            "--pseudonymise (default: a new one, shown once).")]
    = None,
) -> None:
    """Import research exports into a folder of contract tables; every row is loaded, rejected
    (with file, line and reason, in the `rejected` table) or counted as a duplicate."""
    from diplosim.ingest.formats import load_map
    from diplosim.ingest.importer import import_files, load_registry

    column_map = load_map(map_file) if map_file is not None else None
    if fmt is ImportFormat.csv and column_map is None:
        raise DiplosimError("import csv: give the column map with --map MAP.yaml (see maps/)")
    registry = load_registry(actors) if actors is not None else None
    if key is not None and not pseudonymise:
        raise DiplosimError("--key is only used with --pseudonymise")
    with err.status("importing", spinner="dots") as status:
        result = import_files(fmt.value, files, into, column_map, registry,
                              key=(key or "") if pseudonymise else None,
                              progress=lambda n: status.update(f"importing: {n:,} rows read"))
    t = Table("rows read", "loaded", "rejected", "duplicates",
              title=f"import into {printable(str(into))}",
              title_justify="left")
    t.add_row(f"{result.rows:,}", f"{result.loaded:,}", f"{result.rejected:,}",
              f"{result.duplicates:,}")
    out.print(t)
    if result.rejected:
        out.print(f"rejected rows, with file, line and reason: {into}/rejected.parquet "
                  f"(e.g. diplosim summary {into})", markup=False)
    if result.key_generated:
        err.print(f"pseudonymisation key (shown once, not stored; keep it to add more data): "
                  f"{result.key_generated}", markup=False)


def _by(value: str) -> str:
    from diplosim.analysis.coordination import kinds

    try:
        return ",".join(kinds(value))
    except ValueError as e:
        raise typer.BadParameter(str(e)) from None


def _windows(value: str | None) -> list[float] | None:
    if value is None:
        return None
    try:
        out = [float(x) for x in value.split(",") if x.strip()]
    except ValueError:
        raise typer.BadParameter(f"expected seconds separated by commas (1,10,60), got "
                                 f"{value!r}") from None
    if not out or min(out) < 0:
        raise typer.BadParameter(f"expected seconds >= 0 separated by commas, got {value!r}")
    return out


def _write_csv(path: Path, header: list[str], rows) -> None:
    import csv

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    tmp.replace(path)


@app.command()
def coordination(
    run_dir: Annotated[Path, typer.Argument(help="A run or import folder.", show_default=False)],
    by: Annotated[str, typer.Option("--by", callback=_by, help="What accounts act on "
                                    "together: shared_object, url, hashtag, text, sound, "
                                    "hashtag_set, mention, duet, transcript, or several with "
                                    "commas (sound,hashtag).")] = "shared_object",
    window: Annotated[float, typer.Option("--window", min=0, help="Seconds between two "
                                          "accounts' actions (inclusive).")] = 60.0,
    min_weight: Annotated[int, typer.Option("--min-weight", min=1, help="Co-actions a pair "
                                            "needs to be kept (one can be chance).")] = 2,
    threshold: Annotated[float, typer.Option("--threshold", min=0, max=1, help="Text: "
                                             "estimated Jaccard similarity (MinHash).")] = 0.7,
    out_file: Annotated[Path | None, typer.Option(
        "--out", callback=_out_path, help="Write the pairs as CSV (account_a, account_b, "
                                          "weight, symmetry).")] = None,
    evidence_file: Annotated[Path | None, typer.Option(
        "--evidence", callback=_out_path, help="Write every co-action behind the pairs as "
                                               "CSV: the accounts, the object, each one's "
                                               "post and time.")] = None,
    windows: Annotated[str | None, typer.Option(
        "--windows", help="Also print pairs, accounts and groups at each of these windows "
                          "(seconds, e.g. 1,10,60,600,3600), from one detection.")] = None,
) -> None:
    """Find pairs of accounts that acted on the same object (a shared post, URL, hashtag, set
    of hashtags, sound, mention or near-identical text) within a time window; print the groups
    they form, each edge's symmetry, a window estimated from the data (CooRnet's rule), and
    optionally the evidence and the window curve."""
    import numpy as np

    from diplosim.analysis.coordination import account_stats, actions, co_action_pairs
    from diplosim.analysis.coordination_evidence import (
        edge_symmetry,
        estimate_interval,
        evidence,
        window_curve,
    )
    from diplosim.analysis.run import load_run

    run = load_run(run_dir)
    curve_at = _windows(windows)
    with err.status("finding co-actions", spinner="dots"):
        act = actions(run, by, threshold, with_posts=True)
        net = co_action_pairs(act, window, min_weight)
        stats = account_stats(net)
        symmetry = edge_symmetry(act, net, window)
    if out_file is not None:
        _write_csv(out_file, ["account_a", "account_b", "weight", "symmetry"],
                   ((r["account_a"], r["account_b"], r["weight"], f"{s:.3f}")
                    for r, s in zip(net.rows(), symmetry, strict=True)))
    if evidence_file is not None:
        rows = evidence(act, net, window)
        _write_csv(evidence_file, list(rows[0]) if rows else
                   ["account_a", "account_b", "object", "post_a", "time_a", "post_b", "time_b",
                    "seconds_apart"], (list(r.values()) for r in rows))
    comps = Counter(r["component"] for r in stats)
    out.print(f"{len(net.a):,} pairs among {len(stats):,} accounts in {len(comps):,} connected "
              f"groups (by {by}, window {window:g} s, min weight {min_weight})", markup=False)
    if net.a.size:
        low = int((symmetry < 0.25).sum())
        out.print(f"edge symmetry (distinct posts of the less active account over the more "
                  f"active one's): median {float(np.median(symmetry)):.2f}; {low:,} edges "
                  "below 0.25 (one account drives them)", markup=False)
    out.print(_table("Most coordinated accounts", stats, limit=15))
    est = estimate_interval(act)
    if est["interval"] is not None:
        out.print(f"window estimated from this data (CooRnet's rule): {est['interval']:g} s, "
                  f"the median time the quickest {est['quickest']:,} of {est['objects']:,} "
                  f"objects acted on more than once (second action within "
                  f"{est['second_within']:g} s) took to gather over half their actions",
                  markup=False)
    if curve_at:
        out.print(_table("The network as the window grows (one detection at the largest)",
                         window_curve(act, curve_at, min_weight), limit=len(curve_at)))
    if out_file is not None:
        out.print(f"pairs written to {out_file}", markup=False)
    if evidence_file is not None:
        out.print(f"evidence written to {evidence_file}", markup=False)


@app.command("scenarios")
def scenarios_() -> None:
    """List the built-in scenarios: name, question, size and variants (run one with
    `diplosim run scenarios/NAME.yaml [--variant ID]`)."""
    from diplosim.scenario.builtin import builtin_scenarios

    t = Table("scenario", "question", "users x days", "variants", title="Built-in scenarios "
              "(scenarios/NAME.yaml; notes and results in scenarios/NAME.md)",
              title_justify="left")
    for b in builtin_scenarios():
        s = b.scenario
        t.add_row(b.name, printable(b.question), f"{s.world.users:,} x {s.duration_days}",
                  ", ".join(v.id for v in s.variants) or "-")
    out.print(t)


@app.command()
def parameters() -> None:
    """List the model's parameter table: name, default, unit, accepted range, the range a
    sensitivity analysis varies it over, and source."""
    t = Table("name", "value", "unit", "accepted", "sensitivity range", "source")
    for p in PARAMETERS.values():
        t.add_row(p.name, f"{p.value:g}", p.unit, f"{p.low:g}..{p.high:g}",
                  f"{p.sa_low:g}..{p.sa_high:g}: {p.sa_reason}", p.source)
    out.print(t)


@app.command("schema")
def schema_(
    out_file: Annotated[Path | None, typer.Option("--out", help="Write the schema to this file "
                                                  "(default: print it).")] = None,
) -> None:
    """Write the JSON Schema of a scenario file, every field described, for editors: put
    `# yaml-language-server: $schema=scenario.schema.json` at the top of a scenario to have
    its fields completed and checked while you type."""
    from diplosim.scenario.json_schema import json_schema_text
    from diplosim.store.writer import write_text_atomic

    text = json_schema_text()
    if out_file is None:
        sys.stdout.write(text)
        return
    try:
        write_text_atomic(safe_out(out_file, "--out"), text)
    except DiplosimError as e:
        err.print(printable(str(e)))
        raise typer.Exit(1) from None
    except OSError as e:
        err.print(printable(f"{out_file}: cannot write ({e.strerror or e})"))
        raise typer.Exit(1) from None
    out.print(f"schema: {printable(str(out_file))}")


@app.command("validate-model")
def validate_model(
    quick: Annotated[bool, typer.Option(help="The smaller pair of world sizes (under 3 "
                                        "minutes).")] = False,
    fmt: Annotated[Format, typer.Option("--format", help="table or json.")] = Format.table,
    keep: Annotated[Path | None, typer.Option(help="Keep the validation runs in this "
                                              "folder.")] = None,
    page: Annotated[Path | None, typer.Option(help="Rewrite the table between the validation "
                                              "markers of this Markdown page.")] = None,
    json_file: Annotated[Path | None, typer.Option("--json", help="Write the rows as JSON to "
                                                   "this file.")] = None,
    from_json: Annotated[Path | None, typer.Option(help="Take the rows from a saved --json "
                                                   "file instead of running (the text "
                                                   "changed, the runs did not).")] = None,
) -> None:
    """Score the model against published findings at two world sizes: the calibration targets
    (fitted) apart from the validation findings (not fitted). Exit 3 if any is not
    reproduced."""
    from rich.progress import Progress

    from diplosim.studies.validation import SIZES, runs_per_suite, to_json, validate, write_page
    from diplosim.studies.validation import cell as show
    from diplosim.studies.validation import from_json as rows_from_json

    if from_json is not None:
        rows, quick = rows_from_json(from_json.read_text(encoding="utf-8"))
    else:
        with Progress(console=err, transient=True, disable=fmt == Format.json) as bar:
            task = bar.add_task("validation runs", total=runs_per_suite(quick))
            rows = validate(quick=quick, out=keep,
                            progress=lambda what: bar.update(task, advance=1, description=what))
    size = SIZES["quick" if quick else "full"]
    if page is not None or json_file is not None:
        write_page(rows, quick, page, json_file)
    if fmt == Format.json:
        print(to_json(rows, quick))
    else:
        small, large = size.users
        for part in ("calibration", "validation", "diagnostic"):
            t = Table("finding", "published", f"{small:,} users", f"{large:,} users",
                      "tolerance", "size-dependent", "",
                      title=f"Model {part} ({'quick' if quick else 'full'}: {size.seeds} "
                            f"seeds at each size, {size.days} days)")
            for r in rows:
                if r.part == part:
                    t.add_row(r.finding, r.published, show(r.sizes[0]), show(r.sizes[1]),
                              r.tolerance, {True: "yes", False: "no", None: "n/a"}
                              [r.size_dependent], "shown" if r.part == "diagnostic"
                              else "pass" if r.passed else "FAIL")
            out.print(t)
    failed = [r.id for r in rows if not r.passed]
    if failed:
        err.print(f"findings not reproduced: {', '.join(failed)}", markup=False)
        raise SystemExit(3)


@app.command()
def studies(
    names: Annotated[list[str] | None, typer.Argument(help="Built-in scenarios (default: all).",
                                                      show_default=False)] = None,
    out_dir: Annotated[Path, typer.Option("--out", help="Where the runs go.")] = Path(
        "out/scenarios"),
    set_: SetOption = None,  # type: ignore[assignment]
    print_only: Annotated[bool, typer.Option("--print", help="Print the blocks instead of "
                                             "writing the .md files.")] = False,
    replicates: Annotated[int | None, typer.Option(help="Seeds per run (default 8, or the "
                                                   "scenario's).")] = None,
    serial: Annotated[bool, typer.Option(help="Run without Ray.")] = False,
    screening: Annotated[bool, typer.Option(help="Write each scenario's Morris screening of "
                                            "its assumptions instead of its replicated "
                                            "result.")] = False,
    ray_address: Annotated[str | None, typer.Option(help="A Ray cluster (default: "
                                                    "local).")] = None,
) -> None:
    """Run the built-in scenarios with their variants and seeds and write each headline (or,
    with --screening, its screening) into scenarios/NAME.md (`make scenarios`, `make
    screening`)."""
    from diplosim.studies import write_studies

    for name, notes, block in write_studies(
            names or [], out_dir, set_ or [], write=not print_only, replicates=replicates,
            serial=serial, screening=screening, address=ray_address,
            say=lambda m: err.print(printable(m))):
        if print_only:
            print(f"## {name}\n\n{block}\n")
        else:
            err.print(f"wrote {printable(str(notes))}")


def main() -> None:
    """Entry point: usage errors are Typer's (exit 2); diplosim's own errors exit 1."""
    try:
        app()
    except DiplosimError as e:
        # messages quote data: each line is made printable (no escape sequence acts)
        text = "\n".join(printable(line) for line in str(e).split("\n"))
        err.print(text, markup=False, soft_wrap=True)
        raise SystemExit(1) from None


if __name__ == "__main__":
    main()
