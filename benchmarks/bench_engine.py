"""Benchmark: the example scenario end to end (in its own process for a clean peak RSS).

``python -m benchmarks.bench_engine --users N --days D`` prints one JSON object. A one-day
run on 1,000 users first compiles the kernels, so the timing is of the simulation alone. For
runs shorter than the example's 14 days, its events after the last day are left out.

Memory is the growth of resident memory over the process before the world is built (Python,
NumPy, Numba and the compiled kernels), so ``bytes_per_user`` is what a user costs:
``(peak RSS - RSS before) - video store) / users``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import tempfile
import time
from pathlib import Path

import numba

from diplosim.analysis.summary import headline
from diplosim.engine.engine import simulate
from diplosim.engine.memory import resident_bytes
from diplosim.scenario import load_scenario

EXAMPLE = Path(__file__).resolve().parents[1] / "scenarios" / "example.yaml"


def peak_rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def scenario(users: int, days: int, events: bool = True):
    base = load_scenario(EXAMPLE, [f"world.users={users}"])
    kept = [e for e in base.events if e.day < days] if events else []
    return base.model_copy(update={"duration_days": days, "events": kept})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, required=True)
    parser.add_argument("--days", type=int, default=14)
    parser.add_argument("--no-events", action="store_true",
                        help="Leave out every event (the same model each day: for scaling).")
    parser.add_argument("--checkpoint-every", type=int, default=None,
                        help="Save a checkpoint every N days (its cost: see run.py).")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        simulate(scenario(1000, 1), Path(tmp) / "warm")
        before = resident_bytes()
        start = time.perf_counter()
        result = simulate(scenario(args.users, args.days, not args.no_events), Path(tmp) / "run",
                          checkpoint_every=args.checkpoint_every)
        seconds = time.perf_counter() - start
        peak = peak_rss()
        out_bytes = sum(p.stat().st_size for p in (Path(tmp) / "run").glob("*.parquet"))
        start = time.perf_counter()
        headline(Path(tmp) / "run")
        analysis_seconds = time.perf_counter() - start
    m = result.manifest
    cores = numba.get_num_threads()
    growth = peak - before
    print(json.dumps({
        "users": args.users, "days": args.days, "events": not args.no_events,
        "checkpoint_every_days": args.checkpoint_every,
        "seconds": round(seconds, 2),
        "seconds_per_sim_day": round(seconds / args.days, 3),
        "impressions": m["impressions"], "posts": m["posts"],
        "impressions_per_s": round(m["impressions"] / seconds),
        "impressions_per_s_per_core": round(m["impressions"] / seconds / cores),
        "threads": cores, "cpus": os.cpu_count(),
        "state_bytes_per_user": m["bytes_per_user"],
        "state_bytes_per_user_by_part": m.get("bytes_per_user_by_part", {}),
        "video_store_bytes": m["video_store_bytes"],
        "rss_before_bytes": before, "peak_rss_bytes": peak,
        "bytes_per_user": round((growth - m["video_store_bytes"]) / args.users, 1),
        "output_bytes": out_bytes, "analysis_seconds": round(analysis_seconds, 2),
    }))


if __name__ == "__main__":
    main()
