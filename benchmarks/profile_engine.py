"""Where a run's time goes: wall seconds per engine phase, each phase timed where it is called
(``benchmarks.pyspy_profile`` samples the same phases with py-spy).

``python -m benchmarks.profile_engine USERS DAYS [--json]`` runs the example scenario without
events (after a small run that compiles the kernels) and prints the phases, slowest first (with
``--json``, one JSON object: ``make bench``'s engine_limit entry records it).
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import diplosim.engine.engine as engine
import diplosim.engine.outcomes as outcomes
import diplosim.store.writer as writer
from benchmarks.bench_engine import scenario

PHASES = ((engine, ("post_hour", "active_users", "build_candidates", "run_sessions", "promote",
                    "attitude_table", "audience_table", "build_state")),
          (outcomes, ("_collect",)), (outcomes.TickLog, ("finish",)),
          (writer.RunWriter, ("append", "end_day", "close_segment")))


class PhaseClock:
    """While entered, ``seconds[name]`` sums the wall time of every call to the named
    functions (``(owner, names)`` pairs, looked up where the engine calls them); on exit the
    functions are put back. The Mesa bench times the feed kernel with it."""

    def __init__(self, phases=PHASES):
        self.phases = phases
        self.seconds: dict[str, float] = defaultdict(float)
        self._saved: list[tuple[object, str, object]] = []

    def _wrap(self, name: str, fn):
        def wrapper(*args, **kwargs):
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.seconds[name] += time.perf_counter() - start
        return wrapper

    def __enter__(self) -> PhaseClock:
        for owner, names in self.phases:
            for name in names:
                fn = getattr(owner, name)
                self._saved.append((owner, name, fn))
                setattr(owner, name, self._wrap(name, fn))
        return self

    def __exit__(self, *exc) -> None:
        for owner, name, fn in reversed(self._saved):
            setattr(owner, name, fn)
        self._saved.clear()


def main() -> None:
    users, days = int(sys.argv[1]), int(sys.argv[2])
    as_json = "--json" in sys.argv[3:]
    with tempfile.TemporaryDirectory() as tmp:
        engine.simulate(scenario(2000, 1, events=False), Path(tmp) / "warm")
        with PhaseClock() as clock:
            start = time.perf_counter()
            result = engine.simulate(scenario(users, days, events=False), Path(tmp) / "run")
            wall = time.perf_counter() - start
    imp = result.manifest["impressions"]
    if as_json:  # for ``make bench`` (the engine_limit entry)
        print(json.dumps({"users": users, "days": days, "seconds": round(wall, 2),
                          "impressions": imp,
                          "phases": {k: round(v, 2) for k, v in clock.seconds.items()},
                          "untimed": round(wall - sum(clock.seconds.values()), 2)}))
        return
    print(f"{users:,} users x {days} days: {wall:.1f} s, {imp:,} impressions, "
          f"{imp / wall / 1e6:.2f}M impressions/s")
    for name, s in sorted(clock.seconds.items(), key=lambda kv: -kv[1]):
        print(f"  {name:18s} {s:7.2f} s")
    print(f"  {'(not timed)':18s} {wall - sum(clock.seconds.values()):7.2f} s")


if __name__ == "__main__":
    main()
