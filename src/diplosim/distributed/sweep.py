"""Parameter sweeps: every combination of the varied fields, each replicated with its own seed,
run as Ray tasks (a local Ray when no address is given), one run folder each, then one table of
headline metrics with the mean and 95% interval per combination.

A sweep folder holds ``sweep.json`` (the plan: scenario text, what varies, every run's
overrides and folder), ``runs/cNNN-rNN/`` (ordinary run folders), ``runs.jsonl`` (where, when
and with how much memory each run ran) and ``sweep.parquet`` (the combined table). Runs whose
folder is complete for the same scenario are skipped, so a stopped sweep started again only runs
what is missing. The key ``variant`` varies the scenario's declared variants (``base`` is the
scenario as written), so ``--vary variant=base,no_ban --replicates 8`` runs each variant with
the same eight seeds. Workers write to the sweep folder: on a multi-machine cluster it must be on a
file system every node mounts.

Memory. Each combination's peak memory is estimated before anything runs
(``diplosim.engine.limits.estimate_memory``, the estimate ``diplosim run`` checks). A
combination that fits on no node (no Ray: this machine) is refused up front; otherwise every Ray
task asks for its estimate as Ray's ``memory`` resource, so Ray starts on a node only as many
runs at once as fit in it, never more than its cores allow either.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import yaml

from diplosim import __version__
from diplosim.analysis.uncertainty import estimate
from diplosim.errors import DiplosimError
from diplosim.paths import inside
from diplosim.scenario.loader import parse_scenario
from diplosim.store.writer import write_json_atomic

__all__ = ["BASE", "VARIANT", "Sweep", "combine", "load_plan", "load_sweep", "memory_needs",
           "parse_vary", "plan_sweep", "run_sweep", "save_plan"]

#: The --vary key that chooses among the scenario's declared variants, and the scenario as written.
VARIANT, BASE = "variant", "base"


def parse_vary(specs: list[str]) -> list[tuple[str, list[object]]]:
    """``KEY=V1,V2,...`` (values read as YAML) into (key, values), in the order given."""
    out: list[tuple[str, list[object]]] = []
    for spec in specs:
        key, eq, values = spec.partition("=")
        key = key.strip()
        if not eq or not key or not values.strip():
            raise DiplosimError(f"--vary {spec}: expected KEY.PATH=VALUE1,VALUE2,...")
        if any(k == key for k, _ in out):
            raise DiplosimError(f"--vary {spec}: {key} is varied twice")
        parsed = [yaml.safe_load(v) for v in values.split(",") if v.strip()]
        out.append((key, parsed))
    return out


@dataclass
class Sweep:
    folder: Path
    plan: dict

    @property
    def runs(self) -> list[dict]:
        return self.plan["runs"]

    def run_folder(self, run: dict) -> Path:
        return inside(self.folder, run["folder"], f"{self.folder / 'sweep.json'}: folder")


def _fmt(value: object) -> str:
    return yaml.safe_dump(value, default_flow_style=True).strip().removesuffix("...").strip()


def plan_sweep(scenario_text: str, name: str, vary: list[tuple[str, list[object]]],
               replicates: int, out: Path, fixed: list[str] | None = None) -> Sweep:
    """Validate every combination up front (a bad value is an error before anything runs).
    ``fixed`` overrides (``--set``) apply to every run, before the varied fields."""
    if replicates < 1:
        raise DiplosimError(f"--replicates {replicates}: expected 1 or more")
    fixed = list(fixed or [])
    base = parse_scenario(scenario_text, name, fixed)
    keys = [k for k, _ in vary]
    runs = []
    for c, values in enumerate(itertools.product(*(v for _, v in vary))):
        chosen = dict(zip(keys, values, strict=True))
        variant = chosen.get(VARIANT)
        variant = None if variant in (None, BASE) else str(variant)
        overrides = fixed + [f"{k}={_fmt(v)}" for k, v in chosen.items() if k != VARIANT]
        parse_scenario(scenario_text, name, overrides, variant)  # raises naming the --set
        for r in range(replicates):
            seed = base.seed + r
            runs.append({"combination": c, "replicate": r, "seed": seed, "variant": variant,
                         "values": dict(zip(keys, values, strict=True)),
                         "overrides": [*overrides, f"seed={seed}"],
                         "folder": f"runs/c{c:03d}-r{r:02d}"})
    plan = {"kind": "diplosim sweep", "scenario_name": name, "scenario_text": scenario_text,
            "scenario_sha256": hashlib.sha256(scenario_text.encode()).hexdigest(),
            "fixed": fixed, "vary": [[k, v] for k, v in vary], "replicates": replicates,
            "runs": runs}
    return save_plan(Path(out), "sweep.json", plan, "sweep",
                     ("scenario_sha256", "fixed", "vary", "replicates"),
                     "a different sweep (another scenario, --set, --vary or --replicates)")


def save_plan(out: Path, name: str, plan: dict, what: str, same: tuple[str, ...],
              different: str) -> Sweep:
    """Write a plan file of runs into ``out``; a folder already holding a plan that differs in
    any of the ``same`` keys is refused (the same plan is resumed)."""
    if (out / name).exists():
        old = load_plan(out, name, plan["kind"], what).plan
        if {k: old.get(k) for k in same} != {k: plan[k] for k in same}:
            raise DiplosimError(f"{out}: holds {different}; choose another --out")
    out.mkdir(parents=True, exist_ok=True)
    write_json_atomic(out / name, plan)
    return Sweep(out, plan)


def load_sweep(folder: Path) -> Sweep:
    return load_plan(folder, "sweep.json", "diplosim sweep", "sweep")


def load_plan(folder: Path, name: str, kind: str, what: str) -> Sweep:
    """A plan file of runs (a sweep's, a sensitivity analysis'), checked: its kind, and that
    every run's folder lies inside ``folder``."""
    path = Path(folder) / name
    try:
        plan = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise DiplosimError(f"{path}: not a {what} folder ({e})") from None
    if not isinstance(plan, dict) or plan.get("kind") != kind:
        raise DiplosimError(f"{path}: not a {kind} plan")
    runs = plan.get("runs")
    if not isinstance(runs, list) or not all(isinstance(r, dict) for r in runs):
        raise DiplosimError(f"{path}: runs: expected a list of runs")
    for i, r in enumerate(runs):  # a hand-edited plan cannot send a run outside the folder
        inside(Path(folder), r.get("folder"), f"{path}: runs[{i}].folder")
    return Sweep(Path(folder), plan)


def is_complete(folder: Path, scenario_hash: str | None = None,
                version: str | None = None) -> bool:
    """A finished run; if given, of this scenario and this diplosim version (a run made by
    another version is done again before a sweep reuses it: its model may differ)."""
    try:
        m = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return (bool(m.get("completed"))
            and (scenario_hash is None or m.get("scenario_hash") == scenario_hash)
            and (version is None or m.get("diplosim_version") == version))


def run_one(scenario_text: str, name: str, overrides: list[str], folder: str,
            memory: int | None = None, variant: str | None = None) -> dict:
    """One run of the sweep (a Ray task, or called directly); returns where and when it ran
    (a line of ``runs.jsonl``). ``memory``: the bytes the task asked Ray for, recorded."""
    from diplosim.engine.engine import simulate

    started = time.time()
    simulate(parse_scenario(scenario_text, name, overrides, variant), Path(folder))
    return {"folder": folder, "host": socket.gethostname(), "pid": os.getpid(),
            "started": round(started, 3), "seconds": round(time.time() - started, 3),
            "memory_bytes": memory}


def _expected_hash(sweep: Sweep, run: dict) -> str:
    from diplosim.engine.engine import scenario_hash

    return scenario_hash(parse_scenario(sweep.plan["scenario_text"],
                                        sweep.plan["scenario_name"], run["overrides"],
                                        run.get("variant")))


def memory_needs(sweep: Sweep, runs: list[dict]) -> dict[int, int]:
    """Estimated peak bytes of one run, per combination among ``runs`` (replicates differ only
    in their seed, which does not change the estimate)."""
    from diplosim.engine.limits import estimate_memory

    text, name = sweep.plan["scenario_text"], sweep.plan["scenario_name"]
    needs: dict[int, int] = {}
    for r in runs:
        if r["combination"] not in needs:
            scenario = parse_scenario(text, name, r["overrides"], r.get("variant"))
            needs[r["combination"]] = estimate_memory(scenario).total
    return needs


def _check_fits(sweep: Sweep, needs: dict[int, int], capacity: int, where: str) -> None:
    from diplosim.engine.limits import gigabytes

    values_of = {r["combination"]: r["values"] for r in sweep.runs}
    for c, need in sorted(needs.items()):
        if need > capacity:
            values = ", ".join(f"{k}={_fmt(v)}" for k, v in values_of[c].items())
            raise DiplosimError(
                f"{sweep.folder / 'sweep.json'}: combination {c} ({values}): one run needs "
                f"about {gigabytes(need)} of memory; {where} has {gigabytes(capacity)}. Lower "
                f"world.users or duration_days for it, or run on larger machines; --force skips "
                f"this check. Nothing was run.")


def _log_run(sweep: Sweep, run: dict, record: dict) -> None:
    """A line of ``runs.jsonl``: the run's folder (relative to the sweep) and where, when and
    with what memory it ran."""
    with open(sweep.folder / "runs.jsonl", "a", encoding="utf-8") as f:
        f.write(json.dumps({**record, "folder": run["folder"]}) + "\n")


def run_sweep(sweep: Sweep, address: str | None = None, cpus_per_run: int = 1,
              progress: Callable[[int, int], None] | None = None, use_ray: bool = True,
              force: bool = False, available: int | None = None,
              combined: bool = True) -> dict:
    """Run the runs not yet complete; returns counts (ran, skipped). ``combined``: write the
    combined table (``sweep.parquet``) at the end.

    Before anything runs, each combination's memory estimate is checked against the largest
    Ray node's ``memory`` resource; without Ray, and before starting a local Ray, against this
    machine's available memory (or ``available``). ``force`` skips the check, and a forced task
    asks Ray for at most the largest node's memory, so it can still be placed."""
    from diplosim.engine.limits import available_memory

    todo = [r for r in sweep.runs
            if not is_complete(sweep.run_folder(r), _expected_hash(sweep, r), __version__)]
    done = len(sweep.runs) - len(todo)
    needs = memory_needs(sweep, todo) if use_ray or not force else {}  # forced, serial: unused
    if progress:
        progress(done, len(sweep.runs))
    text, name = sweep.plan["scenario_text"], sweep.plan["scenario_name"]
    ray = None
    if todo and use_ray:
        import ray
    started_here = ray is not None and not ray.is_initialized()
    if todo and not force and (ray is None or (started_here and address is None)):
        # without Ray, or before starting a local one: its node has at most this machine's
        # memory, and a refusal need not wait for Ray to start
        have = available_memory() if available is None else available
        _check_fits(sweep, needs, have, "this machine")
    if ray is not None:
        if started_here:
            ray.init(address=address, include_dashboard=False, log_to_driver=False,
                     logging_level="ERROR",
                     runtime_env={"env_vars": {"NUMBA_NUM_THREADS": str(cpus_per_run)}})
        try:
            capacity = int(max((n["Resources"].get("memory", 0) for n in ray.nodes()
                                if n.get("Alive")), default=0))
            if not force:
                _check_fits(sweep, needs, capacity, "the largest Ray node")
            task = ray.remote(num_cpus=cpus_per_run, max_retries=1)(run_one)
            run_of = {}
            for r in todo:
                memory = min(needs[r["combination"]], capacity) or None
                run_of[task.options(memory=memory).remote(
                    text, name, r["overrides"], str(sweep.run_folder(r).resolve()), memory,
                    r.get("variant"))] = r
            pending = list(run_of)
            while pending:
                ready, pending = ray.wait(pending, num_returns=1)
                _log_run(sweep, run_of[ready[0]], ray.get(ready[0]))
                done += 1
                if progress:
                    progress(done, len(sweep.runs))
        finally:
            if started_here:
                ray.shutdown()
    else:
        for r in todo:
            _log_run(sweep, r, run_one(text, name, r["overrides"], str(sweep.run_folder(r)),
                                       variant=r.get("variant")))
            done += 1
            if progress:
                progress(done, len(sweep.runs))
    if combined:
        combine(sweep)
    return {"ran": len(todo), "skipped": len(sweep.runs) - len(todo)}


def _interval(values: list[float]) -> tuple[float, float, float]:
    e = estimate(values)
    return e.mean, e.low, e.high


def combine(sweep: Sweep) -> Path:
    """``sweep.parquet``: one row per combination and headline metric, with its replicates'
    mean and 95% interval (Student's t); ``per_run.parquet``: every run's value."""
    from diplosim.analysis.compare import compare_runs

    keys = [k for k, _ in sweep.plan["vary"]]
    per_run = []
    for r in sweep.runs:
        folder = sweep.run_folder(r)
        if not is_complete(folder):
            continue
        labels, rows = compare_runs([folder])
        for row in rows:
            value = row[labels[0]]
            if row["group"] == "setup" or not isinstance(value, int | float) or \
                    isinstance(value, bool):
                continue
            per_run.append({"combination": r["combination"], "replicate": r["replicate"],
                            "seed": r["seed"], **{k: _fmt(r["values"][k]) for k in keys},
                            "group": row["group"], "metric": row["metric"],
                            "value": float(value)})
    groups: dict[tuple, list[float]] = {}
    for p in per_run:
        groups.setdefault((p["combination"], p["group"], p["metric"]), []).append(p["value"])
    values_of = {r["combination"]: r["values"] for r in sweep.runs}
    rows = []
    for (c, group, metric), values in sorted(groups.items()):
        mean, lo, hi = _interval(values)
        rows.append({"combination": c, **{k: _fmt(values_of[c][k]) for k in keys},
                     "group": group, "metric": metric, "n": len(values), "mean": mean,
                     "ci95_low": lo, "ci95_high": hi})
    out = sweep.folder / "sweep.parquet"
    for path, data in ((out, rows), (sweep.folder / "per_run.parquet", per_run)):
        tmp = path.with_name(f".{path.name}.tmp")
        pq.write_table(pa.Table.from_pylist(data), tmp)
        os.replace(tmp, path)
    return out
