"""A sweep never starts more runs on a node than fit in its memory: each Ray task asks for its
run's estimated memory, and a combination that fits nowhere is refused before anything runs.

The cluster here has 2 cores but memory for only one run at a time (1.5 runs' estimate), so
runs must not overlap; with cores alone deciding, two would run at once."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

from diplosim.distributed.sweep import memory_needs, run_sweep
from diplosim.engine.limits import estimate_memory
from diplosim.errors import DiplosimError
from diplosim.scenario.loader import parse_scenario
from diplosim.scenario.sweeps import parse_vary, plan_sweep
from tests.conftest import EXAMPLE_TEXT

TEXT = EXAMPLE_TEXT
FIXED = ["duration_days=2", "events=[]"]


def _need(users: int) -> int:
    return estimate_memory(parse_scenario(TEXT, "example.yaml",
                                          [*FIXED, f"world.users={users}"])).total


def _plan(out: Path, users: str, replicates: int = 1):
    return plan_sweep(TEXT, "example.yaml", parse_vary([f"world.users={users}"]), replicates,
                      out, FIXED)


def _log(folder: Path) -> list[dict]:
    lines = (folder / "runs.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


@pytest.fixture(scope="module")
def one_run_of_memory():
    ray = pytest.importorskip("ray")
    need = _need(1500)
    ray.init(num_cpus=2, _memory=int(need * 1.5), include_dashboard=False,
             log_to_driver=False, logging_level="ERROR",
             runtime_env={"env_vars": {"NUMBA_NUM_THREADS": "1"}})
    yield need
    ray.shutdown()


def test_tasks_ask_for_their_memory_and_ray_runs_them_one_at_a_time(tmp_path,
                                                                     one_run_of_memory):
    sweep = _plan(tmp_path / "s", "1500", replicates=3)
    assert memory_needs(sweep, sweep.runs) == {0: one_run_of_memory}
    assert run_sweep(sweep) == {"ran": 3, "skipped": 0}
    log = sorted(_log(tmp_path / "s"), key=lambda r: r["started"])
    assert len(log) == 3
    assert {r["memory_bytes"] for r in log} == {one_run_of_memory}
    for a, b in itertools.pairwise(log):
        assert b["started"] >= a["started"] + a["seconds"] - 0.01, (a, b)


def test_a_combination_larger_than_any_node_is_refused_before_anything_runs(
        tmp_path, one_run_of_memory):
    sweep = _plan(tmp_path / "s", "1500,20000000")
    big = _need(20_000_000)
    assert big > one_run_of_memory * 1.5
    with pytest.raises(DiplosimError) as e:
        run_sweep(sweep)
    message = str(e.value)
    assert "combination 1 (world.users=20000000)" in message
    assert f"about {big / 1e9:,.1f} GB" in message
    assert f"has {one_run_of_memory * 1.5 / 1e9:,.1f} GB" in message
    assert "sweep.json" in message and "Nothing was run" in message
    assert not (tmp_path / "s" / "runs").exists()
    assert not (tmp_path / "s" / "runs.jsonl").exists()


def test_without_ray_the_check_is_against_this_machine_and_force_skips_it(tmp_path):
    sweep = _plan(tmp_path / "s", "1500")
    need = _need(1500)
    with pytest.raises(DiplosimError, match=r"this machine has 0\.1 GB"):
        run_sweep(sweep, use_ray=False, available=100_000_000)
    assert not (tmp_path / "s" / "runs").exists()
    assert run_sweep(sweep, use_ray=False, available=100_000_000, force=True) == \
        {"ran": 1, "skipped": 0}
    assert run_sweep(sweep, use_ray=False, available=need) == {"ran": 0, "skipped": 1}
    (record,) = _log(tmp_path / "s")
    assert record["folder"] == "runs/c000-r00" and record["seconds"] > 0
