"""Small scenarios for the engine's tests, written as data and validated like any file."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
import yaml

from diplosim.engine.engine import simulate
from diplosim.scenario import parse_scenario


def scenario_of(data: dict, overrides: list[str] | None = None):
    return parse_scenario(yaml.safe_dump(data, sort_keys=False), "test.yaml", overrides)


def run(data: dict, tmp: Path, overrides: list[str] | None = None) -> Path:
    out = tmp / f"run{len(list(tmp.iterdir()))}"
    simulate(scenario_of(data, overrides), out)
    return out


def query(run_dir: Path, sql: str):
    con = duckdb.connect()
    for name in ("posts", "exposures", "interactions", "attitudes", "accounts", "events"):
        con.execute(f"CREATE VIEW {name} AS SELECT * FROM "
                    f"read_parquet('{run_dir / (name + '.parquet')}')")
    return con.execute(sql).fetchall()


@pytest.fixture(scope="module")
def tmp_runs(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("runs")
