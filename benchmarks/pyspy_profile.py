"""Where a run's time goes, sampled by py-spy: the share of the main thread's samples per engine
phase, and how busy the background Parquet writer was.

``python -m benchmarks.pyspy_profile USERS DAYS [--rate HZ] [--raw FILE]`` records the example
scenario without events (after a small run that compiles the kernels) under
``py-spy record --format raw --idle --threads`` and prints a table. A Numba kernel has no
Python frames of its own: py-spy charges its time to the line that called it, so each phase is
named by the source line the main thread was on under the engine's hour loop (``_loop``) or its
feed step (``_play``). ``benchmarks.profile_engine`` times the same phases with a clock; the two
agree to a few percent.
"""

from __future__ import annotations

import argparse
import functools
import linecache
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

__all__ = ["TracingDenied", "phases", "record"]


class TracingDenied(RuntimeError):
    """py-spy may not read the profiled process here (ptrace or process_vm_readv refused)."""

_FRAME = re.compile(r"^(?P<fn>.+) \((?P<file>[^:()]+):(?P<line>\d+)\)$")
_ROOT = Path(__file__).resolve().parents[1]
_HOUR = ("_loop", "_play")
# the profiled program: a small run compiles the kernels, then the measured run (line 7)
_TARGET = """import time
from pathlib import Path
import diplosim.engine.engine as e
from benchmarks.bench_engine import scenario
d = Path(__file__).parent
e.simulate(scenario(2000, 1, events=False), d / "warm"); t = time.perf_counter()
r = e.simulate(scenario({users}, {days}, events=False), d / "run")
print(f"{{time.perf_counter() - t:.1f}} s, {{r.manifest['impressions']:,}} impressions")
"""
_MEASURED_LINE = 7


@functools.cache
def _source(file: str, line: int) -> str:
    """The source line py-spy names by ``file`` (relative to an entry of ``sys.path``, or only
    the file's name for the package's own modules) and ``line``."""
    for root in sys.path:
        path = Path(root) / file
        if path.is_file():
            return linecache.getline(str(path), line).strip()
    for path in (_ROOT / "src").rglob(Path(file).name):
        return linecache.getline(str(path), line).strip()
    return ""


def _phase(frames: list[str]) -> str:
    """The phase of one sampled main-thread stack: the call under the hour loop (named by its
    source line when the call is into compiled code), else the world build, else the call
    under ``simulate`` (writing the final tables, say)."""
    parsed = [m.groupdict() for f in frames if (m := _FRAME.match(f))]
    for i, f in enumerate(parsed):
        if f["fn"] in _HOUR:
            below = parsed[i + 1:] if i + 1 < len(parsed) else []
            if below and below[0]["fn"] not in _HOUR:
                return f"{below[0]['fn']} ({Path(below[0]['file']).name})"
            if not below:
                code = _source(f["file"], int(f["line"]))
                call = re.match(r"[\w.]*?(\w+)\(", code.split("=")[-1].strip())
                where = f"{Path(f['file']).name}:{f['line']}"  # py-spy may give the package path
                return f"{call.group(1)} (compiled, {where})" if call else f"{code} ({where})"
    names = [f["fn"] for f in parsed]
    if "build_state" in names:
        return "world build (build_state)"
    for i, f in enumerate(parsed[:-1]):
        if f["fn"] in ("_execute", "simulate") and parsed[i + 1]["fn"] not in ("_execute",):
            return f"{parsed[i + 1]['fn']} ({Path(parsed[i + 1]['file']).name})"
    return "other"


def phases(raw: Path, measured: str) -> tuple[Counter, Counter, int]:
    """(samples per phase of the main thread, samples per state of the writer thread, main
    thread's total samples) from py-spy's raw (collapsed-stack) output, counting the main
    thread only under the frame ``measured`` (the measured run's line). The writer thread's
    stacks do not say which run they serve, so its count includes the small warm-up run."""
    main, writer = Counter(), Counter()
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        frames = stack.split(";")
        n = int(count)
        if "writer" in frames[0]:
            busy = any("write_table" in f or "_write_part" in f for f in frames)
            writer["encoding and writing" if busy else "idle"] += n
        elif "MainThread" in frames[0] and measured in stack:
            main[_phase(frames[1:])] += n
    return main, writer, sum(main.values())


def record(users: int, days: int, rate: int, raw: Path) -> tuple[Counter, Counter, int]:
    """Run the example without events at ``users`` x ``days`` under py-spy (sampling ``rate``
    times a second, raw stacks kept in ``raw``); returns :func:`phases` of the measured run."""
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "run.py"
        script.write_text(_TARGET.format(users=users, days=days))
        done = subprocess.run([spy, "record", "--rate", str(rate), "--format", "raw", "--idle",
                               "--threads", "--nonblocking", "-o", str(raw), "--",
                               sys.executable, str(script)], stderr=subprocess.PIPE, text=True,
                              env={**os.environ, "PYTHONPATH": os.pathsep.join(
                                  filter(None, [str(_ROOT), os.environ.get("PYTHONPATH")]))})
        if done.returncode:
            denied = re.search(r"permission denied|operation not permitted|ptrace",
                               done.stderr, re.IGNORECASE)
            raise (TracingDenied if denied else RuntimeError)(
                f"py-spy exited {done.returncode}: {done.stderr.strip()[-500:]}")
        return phases(raw, f"({script.name}:{_MEASURED_LINE})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("users", type=int)
    parser.add_argument("days", type=int)
    parser.add_argument("--rate", type=int, default=100, help="samples per second")
    parser.add_argument("--raw", type=Path, help="keep py-spy's raw output here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        main_counts, writer, total = record(args.users, args.days, args.rate,
                                            args.raw or Path(tmp) / "profile.txt")
    print(f"main thread: {total} samples at {args.rate}/s")
    for name, n in main_counts.most_common():
        if n / total >= 0.002:
            print(f"  {100 * n / total:5.1f}%  {name}")
    busy = writer["encoding and writing"]
    print(f"writer thread: busy {busy / args.rate:.1f} s "
          f"({100 * busy / max(total, 1):.1f}% of the main thread's time)")


if __name__ == "__main__":
    main()
