"""``make bench``: run every benchmark in its own process and write one JSON file of results.

Targets are checked here and reported as pass/fail in the JSON, never in the unit tests.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: Issue 2: 10,000,000 users synthesised in under 60 s, world state under 300 bytes per user.
WORLD_TARGET_USERS, WORLD_TARGET_SECONDS, WORLD_TARGET_BYTES = 10_000_000, 60.0, 300
#: Issue 3: the example scenario at 100,000 users for 14 days in under 2 minutes.
ENGINE_USERS, ENGINE_DAYS, ENGINE_TARGET_SECONDS = 100_000, 14, 120.0
#: Issue 4: the headline metrics over a 100-million-row exposures table in under 60 s.
ANALYSIS_ROWS, ANALYSIS_TARGET_SECONDS = 100_000_000, 60.0


def _child(module: str, *args: str) -> dict:
    result = subprocess.run([sys.executable, "-m", module, *args], cwd=ROOT, capture_output=True,
                            text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def bench_world() -> dict:
    sizes = [1_000_000, WORLD_TARGET_USERS]
    if os.environ.get("BENCH_LARGE"):
        sizes.append(50_000_000)
    runs = [_child("benchmarks.bench_world", "--users", str(n)) for n in sizes]
    target = next(r for r in runs if r["users"] == WORLD_TARGET_USERS)
    return {
        "runs": runs,
        "target": {
            "users": WORLD_TARGET_USERS,
            "max_seconds": WORLD_TARGET_SECONDS,
            "max_bytes_per_user": WORLD_TARGET_BYTES,
            "seconds": target["seconds"],
            "bytes_per_user": target["bytes_per_user"],
            "pass": target["seconds"] < WORLD_TARGET_SECONDS
            and target["bytes_per_user"] < WORLD_TARGET_BYTES,
        },
    }


def bench_engine() -> dict:
    r = _child("benchmarks.bench_engine", "--users", str(ENGINE_USERS), "--days",
               str(ENGINE_DAYS))
    return {"runs": [r], "target": {"users": ENGINE_USERS, "days": ENGINE_DAYS,
                                    "max_seconds": ENGINE_TARGET_SECONDS,
                                    "seconds": r["seconds"],
                                    "pass": r["seconds"] < ENGINE_TARGET_SECONDS}}


def bench_analysis() -> dict:
    args = ["--rows", str(ANALYSIS_ROWS)]
    if os.environ.get("BENCH_DATA"):
        args += ["--data", os.environ["BENCH_DATA"]]
    r = _child("benchmarks.bench_analysis", *args)
    return {"runs": [r], "target": {"exposure_rows": ANALYSIS_ROWS,
                                    "max_seconds": ANALYSIS_TARGET_SECONDS,
                                    "seconds": r["seconds"],
                                    "pass": r["seconds"] < ANALYSIS_TARGET_SECONDS}}


def bench_coordination() -> dict:
    r = _child("benchmarks.bench_coordination")
    return {"runs": [r], "target": {"min_speedup": 5.0, "measure": "detection",
                                    "speedup": r["speedup_detection"],
                                    "speedup_end_to_end": r["speedup_end_to_end"],
                                    "same_pairs": r["pairs_diplosim"] == r["pairs_toolkit"],
                                    "pass": r["speedup_detection"] >= 5.0
                                    and r["pairs_diplosim"] == r["pairs_toolkit"]}}


#: Issue 5: a 1 GB JSON-lines export imported in under 1 GB of RSS, every row accounted for.
IMPORT_GB, IMPORT_MAX_RSS = 1.0, 1_000_000_000


def bench_import() -> dict:
    r = _child("benchmarks.bench_import", "--gb", str(IMPORT_GB))
    return {"runs": [r], "target": {"file_gb": IMPORT_GB, "max_peak_rss_bytes": IMPORT_MAX_RSS,
                                    "peak_rss_bytes": r["peak_rss_bytes"],
                                    "accounted": r["accounted"],
                                    "pass": r["peak_rss_bytes"] < IMPORT_MAX_RSS
                                    and r["accounted"]}}


BENCHES = {"world_synthesis": bench_world, "engine_example": bench_engine,
           "analysis_headline": bench_analysis, "coordination_vs_toolkit": bench_coordination,
           "import_jsonl": bench_import}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results.json")
    parser.add_argument("--only", nargs="+", choices=sorted(BENCHES),
                        help="Run only these and keep the other results of --out (each "
                             "result records when it was measured).")
    args = parser.parse_args()
    results = {}
    if args.only and args.out.exists():
        results = json.loads(args.out.read_text())
    results["machine"] = {"cpus": os.cpu_count(), "python": platform.python_version(),
                          "platform": platform.platform()}
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    if not args.only:
        results["started"] = now
    for name in args.only or BENCHES:
        results[name] = {**BENCHES[name](), "measured": now}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_suffix(".tmp")
    tmp.write_text(json.dumps(results, indent=2) + "\n")
    os.replace(tmp, args.out)
    print(json.dumps(results, indent=2))
    print(f"benchmark results written to {args.out}")
    if args.out.resolve() == (ROOT / "benchmarks" / "results.json").resolve():
        from benchmarks.readme_table import update_readme

        update_readme(results)
        print("README performance table updated")
    failed = [k for k, v in results.items() if isinstance(v, dict) and
              not v.get("target", {}).get("pass", True)]
    if failed:
        sys.exit(f"targets missed: {', '.join(failed)}")


if __name__ == "__main__":
    main()
