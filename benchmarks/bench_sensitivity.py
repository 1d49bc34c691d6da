"""Uncertainty at scale, end to end as a user runs it: runs per hour of a sweep on a local Ray
with one and with two single-threaded workers; a Morris screening of 20 parameters with 10
trajectories at 20,000 users x 14 days; and ``make scenarios`` with its replicates.

python -m benchmarks.bench_sensitivity ray --workers N   (one JSON line)
python -m benchmarks.bench_sensitivity morris            (one JSON line)
python -m benchmarks.bench_sensitivity scenarios         (one JSON line)
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "example.yaml"
#: The issue's size for the screening and the Ray comparison.
USERS, DAYS = 20_000, 14
#: Runs of the Ray comparison. A sweep pays a fixed cost once (Ray's start, about 5 s here, then
#: each worker's first import of diplosim and its Numba cache, 2-3 s) and the issue's sweeps are
#: long (the screening is 210 runs); 8 runs made that fixed cost a fifth of the time (measured
#: x1.62 with 8 runs, x1.71-1.81 without the start), so the comparison runs 32.
RAY_RUNS = 32
MORRIS_PARAMS, MORRIS_TRAJECTORIES = 20, 10


def ray_sweep(workers: int) -> dict:
    """RAY_RUNS replicates of the example through the sweep machinery on a local Ray with
    ``workers`` CPUs (one single-threaded run each), timed from the plan to the last run."""
    import ray

    from diplosim.distributed.sweep import run_sweep
    from diplosim.scenario.sweeps import plan_sweep

    text = SCENARIO.read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False,
                 logging_level="ERROR", runtime_env={"env_vars": {"NUMBA_NUM_THREADS": "1"}})
        ready = time.perf_counter()
        try:
            plan = plan_sweep(text, SCENARIO.name, [("world.users", [USERS])], RAY_RUNS,
                              Path(tmp) / "sweep", [f"duration_days={DAYS}"])
            run_sweep(plan, combined=False)
        finally:
            ray.shutdown()
        seconds = time.perf_counter() - started
        lines = (Path(tmp) / "sweep" / "runs.jsonl").read_text(encoding="utf-8").splitlines()
        runs = [json.loads(line) for line in lines]
    busy = sum(r["seconds"] for r in runs)
    return {"workers": workers, "runs": RAY_RUNS, "users": USERS, "days": DAYS,
            "seconds": round(seconds, 2), "ray_start_seconds": round(ready - started, 2),
            "runs_per_hour": round(RAY_RUNS * 3600 / seconds, 1),
            "mean_run_seconds": round(busy / len(runs), 3),
            # what the workers could do with no fixed cost: runs per hour of busy workers
            "steady_runs_per_hour": round(workers * len(runs) * 3600 / busy, 1)}


def morris() -> dict:
    """``diplosim sensitivity`` as a user types it: 20 assumptions, 10 trajectories."""
    from diplosim.distributed.sensitivity import assumption_parameters

    params = assumption_parameters()[:MORRIS_PARAMS]
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "diplosim.cli", "sensitivity", str(SCENARIO),
                        "--measure", "positive_share:ukraine_war", "--params", ",".join(params),
                        "--samples", str(MORRIS_TRAJECTORIES), "--set", f"world.users={USERS}",
                        "--set", f"duration_days={DAYS}", "--out", f"{tmp}/sa", "--format",
                        "json"], cwd=ROOT, check=True, capture_output=True)
        seconds = time.perf_counter() - started
        runs = len(json.loads(Path(f"{tmp}/sa/sensitivity.json").read_text())["runs"])
    return {"parameters": MORRIS_PARAMS, "trajectories": MORRIS_TRAJECTORIES, "runs": runs,
            "users": USERS, "days": DAYS, "seconds": round(seconds, 1),
            "runs_per_hour": round(runs * 3600 / seconds, 1)}


def scenarios() -> dict:
    """``make scenarios`` from no runs at all (into a throw-away folder, printing the blocks)."""
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "diplosim", "studies", "--print", "--out",
                        f"{tmp}/scenarios"], cwd=ROOT, check=True, capture_output=True)
        seconds = time.perf_counter() - started
    return {"seconds": round(seconds, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("what", choices=["ray", "morris", "scenarios"])
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    result = {"ray": lambda: ray_sweep(args.workers), "morris": morris,
              "scenarios": scenarios}[args.what]()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
