"""A local sweep too large for this machine is refused before Ray is started (in a module of
its own: the other sweep tests keep a Ray cluster running)."""

from __future__ import annotations

import pytest

from diplosim.distributed.sweep import run_sweep
from diplosim.engine.limits import available_memory, estimate_memory
from diplosim.errors import DiplosimError
from diplosim.scenario.loader import parse_scenario
from diplosim.scenario.sweeps import parse_vary, plan_sweep
from tests.conftest import EXAMPLE_TEXT

TEXT = EXAMPLE_TEXT


def test_a_local_sweep_too_large_for_this_machine_does_not_start_ray(tmp_path, monkeypatch):
    ray = pytest.importorskip("ray")
    assert not ray.is_initialized()
    started = []
    real_init = ray.init
    monkeypatch.setattr(ray, "init", lambda *a, **k: started.append(1) or real_init(*a, **k))
    sweep = plan_sweep(TEXT, "example.yaml", parse_vary(["world.users=1000,300000000"]), 1,
                       tmp_path / "s", ["duration_days=2", "events=[]"])
    need = estimate_memory(parse_scenario(TEXT, "example.yaml", sweep.runs[1]["overrides"]))
    assert need.total > available_memory()
    with pytest.raises(DiplosimError) as e:
        run_sweep(sweep)
    message = str(e.value)
    assert "combination 1 (world.users=300000000)" in message
    assert f"one run needs about {need.total / 1e9:,.1f} GB" in message
    assert "this machine has" in message and "Nothing was run" in message
    assert started == []  # Ray was never started
    assert not (tmp_path / "s" / "runs").exists()
