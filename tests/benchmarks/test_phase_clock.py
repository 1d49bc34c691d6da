"""The phase clock that the profile and the Mesa bench use times the engine's real calls and
puts the functions back."""

import time

from benchmarks.bench_engine import scenario
from benchmarks.profile_engine import PhaseClock

import diplosim.engine.engine as engine


def test_phase_clock_times_the_kernel_within_the_run_and_restores_it(tmp_path):
    kernel = engine.run_sessions
    with PhaseClock(((engine, ("run_sessions",)),)) as clock:
        start = time.perf_counter()
        result = engine.simulate(scenario(2000, 1, events=False), tmp_path / "run")
        wall = time.perf_counter() - start
    assert engine.run_sessions is kernel
    assert result.manifest["impressions"] > 0
    assert 0.0 < clock.seconds["run_sessions"] < wall
    assert set(clock.seconds) == {"run_sessions"}
