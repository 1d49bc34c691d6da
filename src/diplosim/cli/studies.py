"""Commands over many runs: sweep, sensitivity, compare, studies (the built-in scenarios) and
validate-model (the model against published findings)."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from diplosim.cli.options import Format, ScenarioArg, SetOption, out_path
from diplosim.cli.terminal import RunsProgress, err, out
from diplosim.errors import DiplosimError, printable

__all__ = ["sensitivity", "studies", "sweep", "validate_model"]

RayAddress = Annotated[str | None, typer.Option("--ray-address", help="A Ray cluster "
                                                "(default: start Ray on this machine).")]


def sweep(
    scenario: ScenarioArg,
    vary: Annotated[list[str], typer.Option("--vary", metavar="KEY.PATH=V1,V2,...",
                                            help="A field and its values (repeatable; every "
                                            "combination runs).")],
    out_dir: Annotated[Path, typer.Option("--out", callback=out_path, help="Sweep folder.")],
    set_: SetOption = None,  # type: ignore[assignment]
    replicates: Annotated[int, typer.Option("--replicates", help="Runs per combination, "
                                            "seeds SEED, SEED+1, ...")] = 1,
    ray_address: RayAddress = None,
    cpus_per_run: Annotated[int, typer.Option("--cpus-per-run", help="Cores (Numba "
                                              "threads) per run.")] = 1,
    force: Annotated[bool, typer.Option("--force", help="Skip the memory check before the "
                                        "sweep starts.")] = False,
) -> None:
    """Run every combination of the --vary values, --replicates times each, as Ray tasks; write
    one run folder each and SWEEP/sweep.parquet (mean and 95% interval per combination). Runs
    already complete are skipped, so a stopped sweep resumes. Each task asks Ray for its run's
    estimated memory, and a combination that fits on no node is refused before anything runs."""
    from diplosim.distributed.sweep import run_sweep
    from diplosim.scenario.loader import read_scenario_text
    from diplosim.scenario.sweeps import parse_vary, plan_sweep

    text = read_scenario_text(scenario)
    plan = plan_sweep(text, scenario.name, parse_vary(vary), replicates, out_dir, set_)
    with RunsProgress("sweep") as progress:
        counts = run_sweep(plan, ray_address, cpus_per_run, progress=progress, force=force)
    out.print(f"{len(plan.runs)} runs ({counts['ran']} run now, {counts['skipped']} already "
              f"complete) in {out_dir}", markup=False)
    out.print(f"table: {out_dir / 'sweep.parquet'}", markup=False)


class Method(StrEnum):
    morris = "morris"
    sobol = "sobol"


MeasureOption = Annotated[list[str], typer.Option(
    "--measure", metavar="NAME[:ARG...]", help="What to explain (repeatable): a named measure "
    "of a run folder, e.g. impressions:ACTOR, positive_share:ISSUE:RU, metric:run/engagement "
    "per view.")]
SensitivityOut = Annotated[Path, typer.Option("--out", callback=out_path, help="Folder of the "
                                              "runs, indices.json and sensitivity.html.")]
ParamsOption = Annotated[str | None, typer.Option(
    "--params", metavar="P1,P2,...", help="Parameters to vary over their sensitivity ranges "
    "(diplosim parameters).")]
AssumptionsOption = Annotated[bool, typer.Option(
    "--assumptions", help="Vary every parameter whose source is an assumption (the default "
    "without --params).")]
MethodOption = Annotated[Method, typer.Option("--method", help="morris (screening) or sobol "
                                              "(variance shares).")]
SamplesOption = Annotated[int, typer.Option(
    "--samples", min=2, help="Morris trajectories (runs: N x (k + 1)) or Sobol base samples, a "
    "power of 2 (runs: N x (k + 2)); at least 2, so that each figure has an interval.")]
SerialOption = Annotated[bool, typer.Option("--serial", help="Run in this process, without "
                                            "Ray.")]
IndicesFormat = Annotated[Format, typer.Option("--format", help="table or json (the indices).")]


def sensitivity(scenario: ScenarioArg, measure: MeasureOption, out_dir: SensitivityOut,
                params: ParamsOption = None, assumptions: AssumptionsOption = False,
                method: MethodOption = Method.morris, samples: SamplesOption = 10,
                set_: SetOption = None,  # type: ignore[assignment]
                ray_address: RayAddress = None, serial: SerialOption = False,
                fmt: IndicesFormat = Format.table) -> None:
    """Global sensitivity analysis: run the scenario over parameter sets drawn by SALib
    (Morris or Sobol) within each parameter's documented range, every run a Ray task; print
    the indices of each measure and write DIR/indices.json and DIR/sensitivity.html. Runs
    already complete are skipped, so a stopped analysis resumes."""
    from diplosim.distributed.sensitivity import run_sensitivity, sensitivity_indices
    from diplosim.report import write_sensitivity_report

    plan = _sensitivity_plan(scenario, measure, out_dir, params, assumptions, method, samples,
                             set_)
    with RunsProgress(f"sensitivity ({method.value}, "
                      f"{plan.plan['problem']['num_vars']} parameters)") as progress:
        run_sensitivity(plan, ray_address, use_ray=not serial, progress=progress)
    result = sensitivity_indices(plan, measure)
    page = write_sensitivity_report(out_dir, result)
    if fmt == Format.json:
        sys.stdout.write(json.dumps(result) + "\n")
        return
    _print_indices(result, method is Method.morris)
    out.print(f"{len(plan.runs)} runs in {out_dir}; page: {page}", markup=False)


def _sensitivity_plan(scenario: Path, measure: list[str], out_dir: Path, params: str | None,
                      assumptions: bool, method: Method, samples: int, set_: list[str] | None):
    from diplosim.analysis.measures import check_measure
    from diplosim.distributed.sensitivity import assumption_parameters, plan_sensitivity
    from diplosim.scenario.loader import parse_scenario, read_scenario_text

    if params is not None and assumptions:
        raise DiplosimError("sensitivity: give --params or --assumptions, not both")
    names = ([p.strip() for p in params.split(",") if p.strip()] if params is not None
             else assumption_parameters())
    text = read_scenario_text(scenario)
    base = parse_scenario(text, scenario.name, set_)
    for m in measure:
        check_measure(m, base)  # a bad name or id fails before anything runs
    return plan_sensitivity(text, scenario.name, names, method.value, samples, out_dir, set_)


def _print_indices(result: dict, morris: bool) -> None:
    from diplosim.distributed.sensitivity import MORRIS_RULE, SOBOL_RULE

    for m, r in result["measures"].items():
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
        t.caption = (f"{MORRIS_RULE}; seed-noise floor {r['indices'][0]['noise_floor']:.4g}"
                     if morris and r["indices"] else SOBOL_RULE)
        t.caption_justify = "left"
        out.print(t)


def validate_model(
    quick: Annotated[bool, typer.Option(help="The smaller pair of world sizes (under 3 "
                                        "minutes).")] = False,
    fmt: Annotated[Format, typer.Option("--format", help="table or json.")] = Format.table,
    keep: Annotated[Path | None, typer.Option(help="Keep the validation runs in this "
                                              "folder.")] = None,
    page: Annotated[Path | None, typer.Option(help="Rewrite the tables between the validation "
                                              "(and sizes) markers of this Markdown "
                                              "page.")] = None,
    json_file: Annotated[Path | None, typer.Option("--json", help="Write the rows as JSON to "
                                                   "this file.")] = None,
    from_json: Annotated[Path | None, typer.Option(help="Take the rows from a saved --json "
                                                   "file instead of running (the text "
                                                   "changed, the runs did not).")] = None,
    sizes: Annotated[bool, typer.Option(help="Also check that the example's (with --quick) or "
                                        "the example's and every built-in scenario's figures "
                                        "agree at two world sizes a factor 4 apart.")] = True,
    size_pair: Annotated[str | None, typer.Option(
        metavar="N,4N", help="The size check's two world sizes for every scenario (default: "
        "2,000 and 8,000 with --quick, else each scenario's own).")] = None,
    size_seeds: Annotated[int | None, typer.Option(min=1, help="Seeds at each size in the "
                                                   "size check (default 2 with --quick, else "
                                                   "4).")] = None,
    sizes_json: Annotated[Path | None, typer.Option(help="Write the size check as JSON to this "
                                                    "file (with --from-json, read it from "
                                                    "there if it exists).")] = None,
    summary_into: Annotated[list[Path] | None, typer.Option(
        help="Rewrite the trust block (the pass count, what an interval covers, what the "
        "model leaves out) between the trust markers of this Markdown page (repeatable: the "
        "README, the scenarios page).")] = None,
) -> None:
    """Score the model against published findings at two world sizes: the calibration targets
    (fitted) apart from the validation findings (not fitted). Exit 3 if any is not
    reproduced. Then (--sizes) show that the scenarios' headline figures and each named
    actor's platform views per post agree at two world sizes a factor 4 apart."""
    from diplosim.studies.sizes import parse_pair
    from diplosim.studies.validation import from_json as rows_from_json
    from diplosim.studies.validation import runs_per_suite, to_json, validate, write_page

    pair = parse_pair(size_pair) if size_pair else None  # a bad pair fails before any run
    if from_json is not None:
        rows, quick = rows_from_json(from_json.read_text(encoding="utf-8"))
    else:
        from rich.progress import Progress

        with Progress(console=err, transient=True, disable=fmt == Format.json) as bar:
            task = bar.add_task("validation runs", total=runs_per_suite(quick))
            rows = validate(quick=quick, out=keep,
                            progress=lambda what: bar.update(task, advance=1, description=what))
    if page is not None or json_file is not None:
        write_page(rows, quick, page, json_file)
    if summary_into:
        from diplosim.studies.limits import write_trust

        write_trust(summary_into, rows, quick, page or Path("docs/validation.md"))
    checked = (_size_check(quick, pair, size_seeds, keep, fmt,
                           sizes_json if from_json is not None else None)
               if sizes else None)
    if checked is not None and (page is not None or sizes_json is not None):
        from diplosim.studies.sizes import write_sizes

        write_sizes(*checked, page, sizes_json)
    from diplosim.studies.validation.experiments import experiments, to_dicts

    rules = experiments()
    if fmt == Format.json:
        doc = json.loads(to_json(rows, quick))
        doc["experiments"] = to_dicts(rules)
        if checked is not None:
            from diplosim.studies.sizes import to_json as sizes_to_json

            doc["sizes"] = json.loads(sizes_to_json(*checked))
        print(json.dumps(doc, indent=2))
    else:
        _print_validation(rows, quick)
        _print_experiments(rules)
        if checked is not None:
            _print_sizes(checked[0])
    from diplosim.studies.validation import failed_findings
    from diplosim.studies.validation.failing import why

    failed = failed_findings(rows) + [r.id for r in rules if not r.passed]
    if failed:
        err.print(f"findings not reproduced: {', '.join(failed)}", markup=False)
        for fid in failed:
            reason = why(fid) or "NO REASON RECORDED (studies/validation/failing.py)"
            err.print(f"  {fid}: {reason}", markup=False, soft_wrap=True)
        raise SystemExit(3)


def _print_validation(rows: list, quick: bool) -> None:
    from diplosim.studies.validation import SIZES, result_word
    from diplosim.studies.validation import cell as show

    size = SIZES["quick" if quick else "full"]
    small, large = size.users
    titles = {"calibration": "Model calibration", "validation": "Model validation (scored)",
              "resharing": "Findings from follower-based platforms (not scored)",
              "diagnostic": "The model's own figures (shown)",
              "illustration": "Illustrations (design essays; not scored)"}
    for part, title in titles.items():
        t = Table("finding", "published", f"{small:,} users", f"{large:,} users",
                  "tolerance", "size-dependent", "",
                  title=f"{title} ({'quick' if quick else 'full'}: {size.seeds} "
                        f"seeds at each size, {size.days} days)")
        for r in rows:
            if r.part == part:
                t.add_row(r.finding, r.published, show(r.sizes[0]), show(r.sizes[1]),
                          r.tolerance, {True: "yes", False: "no", None: "n/a"}
                          [r.size_dependent], result_word(r).replace("**fail**", "FAIL"))
        out.print(t)


def _print_experiments(rules: list) -> None:
    from diplosim.studies.validation.experiments import RESPONDENTS

    t = Table("finding", "published", "model", "tolerance", "", title="Opinion rules against "
              f"survey experiments ({RESPONDENTS:,} simulated respondents)")
    for r in rules:
        t.add_row(f"{r.part}: {r.finding}", r.published, f"{r.value:.3g}{r.unit}",
                  f"{r.low:g} to {r.high:g}{r.unit}", "pass" if r.passed else "FAIL")
    out.print(t)


def _size_check(quick: bool, pair: tuple[int, int] | None, seeds: int | None, keep: Path | None,
                fmt: Format, saved: Path | None):
    """The size check's rows and plan: from ``saved`` when it exists, else run."""
    from diplosim.studies import sizes as check

    if saved is not None and saved.is_file():
        return check.from_json(saved.read_text(encoding="utf-8"))
    plan = check.plan_checks(quick, pair, seeds)
    total = sum(2 * p["seeds"] for p in plan["scenarios"])
    done = [0]

    def advance(what: object) -> None:
        done[0] += 1
        progress(done[0], total)

    with RunsProgress("size check") as progress:
        progress(0, total)
        rows = check.run_checks(plan, keep / "sizes" if keep is not None else None,
                                progress=advance)
    differ = [f"{r.scenario}: {r.measure}" for r in rows if r.verdict == check.DEPENDS]
    err.print(check.count_line(rows) + (f" Depends on size: {'; '.join(differ)}."
                                        if differ else ""), markup=False)
    return rows, plan


def _print_sizes(rows: list) -> None:
    from diplosim.studies.sizes import cell as show
    from diplosim.studies.sizes import count_line

    t = Table("scenario", "measure", "at N", "at 4N", "4N minus N", "verdict",
              title=f"The same figures at two world sizes: {count_line(rows)}",
              title_justify="left")
    for r in rows:
        t.add_row(f"{r.scenario} ({r.users[0]:,} / {r.users[1]:,})", printable(r.measure),
                  show(r.small), show(r.large), show(r.diff), r.verdict)
    out.print(t)


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
    page: Annotated[Path | None, typer.Option(help="The validation page: score the checks "
                                              "against the next real polls on the runs and "
                                              "write them between its directions "
                                              "markers.")] = None,
    trajectories: Annotated[int | None, typer.Option(help="With --screening: Morris "
                                                     "trajectories per scenario (default 4; "
                                                     "each costs a run per assumption "
                                                     "and one).")] = None,
    ranges: Annotated[bool, typer.Option(help="Write each scenario's headline figures over "
                                         "its assumptions (a Latin hypercube over their "
                                         "ranges) beside the seed's spread instead of its "
                                         "replicated result.")] = False,
) -> None:
    """Run the built-in scenarios with their variants and seeds and write each headline (or,
    with --screening, its screening; with --ranges, its figures over the assumptions) into
    scenarios/NAME.md (`make scenarios`, `make screening`, `make ranges`)."""
    from diplosim.studies import write_studies

    for name, notes, block in write_studies(
            names or [], out_dir, set_ or [], write=not print_only, replicates=replicates,
            serial=serial, screening=screening, address=ray_address,
            say=lambda m: err.print(printable(m)), page=page, trajectories=trajectories,
            ranges=ranges):
        if print_only:
            print(f"## {name}\n\n{block}\n")
        else:
            err.print(f"wrote {printable(str(notes))}")
