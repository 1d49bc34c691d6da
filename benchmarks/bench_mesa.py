"""Benchmark: diplosim against the same reduced model in Mesa (``benchmarks/mesa_baseline``),
10,000 users for 3 days, no events.

Prints one JSON object: impressions per second of each, measured in this one process over all
its runs of the same scenario (diplosim seeds 1-6, Mesa seeds 1-3: total impressions over total
seconds, so one slow moment of a noisy machine weighs little), their ratio (``ratio_vs_mesa``),
and the statistical check that the two give the same aggregates: each aggregate's Mesa mean
(Python's random numbers) as a z-score of the difference of means.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np

import diplosim.engine.engine as engine
from benchmarks.bench_engine import scenario
from benchmarks.mesa_baseline.compare import aggregates
from benchmarks.mesa_baseline.model import run_mesa
from benchmarks.profile_engine import PhaseClock
from diplosim.engine.engine import simulate

MAX_Z = 3.5


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        simulate(scenario(1000, 1, False), tmp / "warm")
        d_runs, m_runs = [], []
        timing = {"diplosim": [0, 0.0], "kernel": 0.0, "mesa": [0, 0.0]}
        for seed in range(1, 7):
            sc = scenario(args.users, args.days, False).model_copy(update={"seed": seed})
            with PhaseClock(((engine, ("run_sessions",)),)) as clock:
                start = time.perf_counter()
                result = simulate(sc, tmp / f"d{seed}")
                seconds = time.perf_counter() - start
            timing["diplosim"][0] += result.manifest["impressions"]
            timing["diplosim"][1] += seconds
            timing["kernel"] += clock.seconds["run_sessions"]
            d_runs.append(aggregates(tmp / f"d{seed}"))
            if seed <= 3:
                r = run_mesa(sc, tmp / f"m{seed}")
                timing["mesa"][0] += r["impressions"]
                timing["mesa"][1] += r["seconds"]
                m_runs.append(aggregates(tmp / f"m{seed}"))
    checks = {}
    for key in d_runs[0]:
        d = np.array([r[key] for r in d_runs])
        m = np.array([r[key] for r in m_runs])
        se = np.sqrt(d.var(ddof=1) / d.size + m.var(ddof=1) / m.size)
        se = max(se, 1e-4 * abs(d.mean()), 1e-12)
        z = (m.mean() - d.mean()) / se
        checks[key] = {"diplosim_mean": float(d.mean()), "mesa_mean": float(m.mean()),
                       "z": round(float(z), 2), "same": bool(abs(z) < MAX_Z)}
    d_rate = timing["diplosim"][0] / timing["diplosim"][1]
    m_rate = timing["mesa"][0] / timing["mesa"][1]
    k_rate = timing["diplosim"][0] / timing["kernel"]
    print(json.dumps({
        "users": args.users, "days": args.days,
        "diplosim_impressions_per_s": round(d_rate), "mesa_impressions_per_s": round(m_rate),
        "diplosim_runs": len(d_runs), "mesa_runs": len(m_runs),
        "diplosim_seconds": round(timing["diplosim"][1], 3),
        "mesa_seconds": round(timing["mesa"][1], 2),
        "ratio_vs_mesa": round(d_rate / m_rate, 1),
        "diplosim_kernel_seconds": round(timing["kernel"], 3),
        "kernel_only_ratio_vs_mesa": round(k_rate / m_rate, 1),
        "max_z": MAX_Z, "aggregates": checks,
        "same_results": all(c["same"] for c in checks.values()),
    }))


if __name__ == "__main__":
    main()
