"""Benchmark: the example scenario end to end (in its own process for a clean peak RSS).

``python -m benchmarks.bench_engine --users N --days D`` prints one JSON object. A one-day
run on 1,000 users first compiles the kernels, so the timing is of the simulation alone.
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

from diplosim.engine.engine import simulate
from diplosim.scenario import load_scenario

EXAMPLE = Path(__file__).resolve().parents[1] / "scenarios" / "example.yaml"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, required=True)
    parser.add_argument("--days", type=int, default=14)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        warm = load_scenario(EXAMPLE, ["world.users=1000", "duration_days=14"])
        simulate(warm, Path(tmp) / "warm")
        scenario = load_scenario(EXAMPLE, [f"world.users={args.users}",
                                           f"duration_days={args.days}"])
        start = time.perf_counter()
        result = simulate(scenario, Path(tmp) / "run")
        seconds = time.perf_counter() - start
        out_bytes = sum(p.stat().st_size for p in (Path(tmp) / "run").glob("*.parquet"))
    m = result.manifest
    cores = numba.get_num_threads()
    print(json.dumps({
        "users": args.users, "days": args.days, "seconds": round(seconds, 2),
        "seconds_per_sim_day": round(seconds / args.days, 3),
        "impressions": m["impressions"], "posts": m["posts"],
        "impressions_per_s": round(m["impressions"] / seconds),
        "impressions_per_s_per_core": round(m["impressions"] / seconds / cores),
        "threads": cores, "cpus": os.cpu_count(),
        "bytes_per_user": m["bytes_per_user"], "video_store_bytes": m["video_store_bytes"],
        "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        "output_bytes": out_bytes,
    }))


if __name__ == "__main__":
    main()
