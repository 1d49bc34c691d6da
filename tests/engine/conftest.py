"""Small scenarios for the engine's tests, written as data and validated like any file."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from diplosim.analysis.run import load_run
from diplosim.engine.engine import simulate
from diplosim.scenario import parse_scenario


def scenario_of(data: dict, overrides: list[str] | None = None):
    return parse_scenario(yaml.safe_dump(data, sort_keys=False), "test.yaml", overrides)


def run(data: dict, tmp: Path, overrides: list[str] | None = None) -> Path:
    out = tmp / f"run{len(list(tmp.iterdir()))}"
    simulate(scenario_of(data, overrides), out)
    return out


def query(run_dir: Path, sql: str):
    return load_run(run_dir).con.execute(sql).fetchall()


@pytest.fixture(scope="module")
def tmp_runs(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("runs")
