"""Benchmark: how long a user waits for a command that does little, from a fresh process:
``diplosim --help`` and ``diplosim summary FOLDER`` on a 200-post import.

Each command runs with the installed bytecode (``make install`` compiles it) and without any
(``PYTHONPYCACHEPREFIX`` set to an empty folder and ``PYTHONDONTWRITEBYTECODE=1``, so every
module is compiled again, as in an environment installed without ``--compile-bytecode`` on a
machine that writes no bytecode), alternating, ``REPEATS`` times; the medians and their ratio
are reported.

``python -m benchmarks.bench_startup`` prints one JSON object.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPEATS = 7
POSTS = 200


def _diplosim() -> str:
    return str(Path(sys.executable).with_name("diplosim"))


def write_export(path: Path) -> None:
    with open(path, "w", encoding="utf-8") as f:
        for i in range(POSTS):
            f.write(json.dumps({"id": 7_300_000_000_000_000_000 + i, "username": f"u{i % 20}",
                                "create_time": 1_700_000_000 + 60 * i,
                                "music_id": 6_900_000_000_000_000_000 + i % 7,
                                "view_count": 100, "like_count": 3}) + "\n")


def timed(args: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(args, env=env, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        write_export(tmp / "posts.jsonl")
        folder = tmp / "imported"
        subprocess.run([_diplosim(), "import", "tiktok", str(tmp / "posts.jsonl"), "--into",
                        str(folder)], check=True, capture_output=True)
        empty = tmp / "no-bytecode"
        empty.mkdir()
        compiled = {k: v for k, v in os.environ.items() if k != "PYTHONPYCACHEPREFIX"}
        compiled["PYTHONDONTWRITEBYTECODE"] = "1"
        none = {**compiled, "PYTHONPYCACHEPREFIX": str(empty)}
        commands = {"help": [_diplosim(), "--help"],
                    "summary": [_diplosim(), "summary", str(folder)]}
        seconds: dict[str, dict[str, list[float]]] = {
            name: {"compiled": [], "not_compiled": []} for name in commands}
        for _ in range(REPEATS):  # alternating: a slow spell falls on both
            for name, args in commands.items():
                seconds[name]["compiled"].append(timed(args, compiled))
                seconds[name]["not_compiled"].append(timed(args, none))
    out: dict[str, object] = {"repeats": REPEATS}
    for name, s in seconds.items():
        c, n = statistics.median(s["compiled"]), statistics.median(s["not_compiled"])
        out[name] = {"seconds_compiled": round(c, 3), "seconds_not_compiled": round(n, 3),
                     "speedup": round(n / c, 2)}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
