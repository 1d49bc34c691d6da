"""Parameter sweeps: every combination of the varied fields, each replicated with its own seed,
run as Ray tasks (a local Ray when no address is given), one run folder each, then one table of
headline metrics with the mean and 95% interval per combination.

The folder's format (``sweep.json``, ``runs/``, ``runs.jsonl``) is ``diplosim.store.sweeps``;
the combined table, ``diplosim.analysis.sweeps``. Runs whose folder is complete for the same
scenario are skipped, so a stopped sweep started again only runs what is missing. Workers write
to the sweep folder: on a multi-machine cluster it must be on a file system every node mounts.

Memory. Each combination's peak memory is estimated before anything runs
(``diplosim.engine.limits.estimate_memory``, the estimate ``diplosim run`` checks). A
combination that fits on no node (no Ray: this machine) is refused up front; otherwise every Ray
task asks for its estimate as Ray's ``memory`` resource, so Ray starts on a node only as many
runs at once as fit in it, never more than its cores allow either.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable
from pathlib import Path

from diplosim._version import __version__, model_hash
from diplosim.analysis.sweeps import combine
from diplosim.errors import DiplosimError
from diplosim.scenario.loader import parse_scenario
from diplosim.store.sweeps import Sweep, format_value, is_complete, log_run

__all__ = ["memory_needs", "run_one", "run_sweep", "start_ray", "stop_ray"]


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
            values = ", ".join(f"{k}={format_value(v)}" for k, v in values_of[c].items())
            raise DiplosimError(
                f"{sweep.folder / 'sweep.json'}: combination {c} ({values}): one run needs "
                f"about {gigabytes(need)} of memory; {where} has {gigabytes(capacity)}. Lower "
                f"world.users or duration_days for it, or run on larger machines; --force skips "
                f"this check. Nothing was run.")


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
            if not is_complete(sweep.run_folder(r), _expected_hash(sweep, r), __version__,
                               model_hash())]
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
                log_run(sweep, run_of[ready[0]], ray.get(ready[0]))
                done += 1
                if progress:
                    progress(done, len(sweep.runs))
        finally:
            if started_here:
                ray.shutdown()
    else:
        for r in todo:
            log_run(sweep, r, run_one(text, name, r["overrides"], str(sweep.run_folder(r)),
                                       variant=r.get("variant")))
            done += 1
            if progress:
                progress(done, len(sweep.runs))
    if combined:
        combine(sweep)
    return {"ran": len(todo), "skipped": len(sweep.runs) - len(todo)}



def start_ray(address: str | None) -> None:
    """One Ray for many sweeps (each sweep would otherwise start and stop its own)."""
    import ray

    if not ray.is_initialized():
        ray.init(address=address, include_dashboard=False, log_to_driver=False,
                 logging_level="ERROR", runtime_env={"env_vars": {"NUMBA_NUM_THREADS": "1"}})


def stop_ray() -> None:
    import ray

    if ray.is_initialized():
        ray.shutdown()
