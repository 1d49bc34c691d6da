"""Benchmark: population synthesis time and memory (run in its own process for a clean peak RSS).

``python -m benchmarks.bench_world --users N`` prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from pathlib import Path

from diplosim.scenario import load_scenario
from diplosim.world.population import synthesise

EXAMPLE = Path(__file__).resolve().parents[1] / "scenarios" / "example.yaml"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, required=True)
    args = parser.parse_args()
    scenario = load_scenario(EXAMPLE)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    start = time.perf_counter()
    pop = synthesise(scenario, users=args.users)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({
        "users": args.users,
        "seconds": round(seconds, 3),
        "users_per_s": round(args.users / seconds),
        "state_bytes": pop.nbytes,
        "bytes_per_user": round(pop.nbytes / args.users, 1),
        "peak_rss_bytes": peak,
        "peak_rss_bytes_over_baseline_per_user": round((peak - rss_before) / args.users, 1),
    }))


if __name__ == "__main__":
    main()
