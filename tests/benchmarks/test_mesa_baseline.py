"""The Mesa baseline implements the same reduced model: given diplosim's numbered draws it
reproduces diplosim's event log exactly; with Python's random numbers, the same aggregates."""

from pathlib import Path

import duckdb
import pytest

pytest.importorskip("mesa")

from benchmarks.bench_engine import scenario
from benchmarks.mesa_baseline.compare import aggregates
from benchmarks.mesa_baseline.model import run_mesa

from diplosim.engine.engine import simulate


def _differing_rows(a: Path, b: Path, table: str) -> int:
    qa, qb = (f"SELECT * FROM read_parquet('{p}/{table}.parquet')" for p in (a, b))
    con = duckdb.connect()
    return con.execute(f"SELECT count(*) FROM (({qa}) EXCEPT ALL ({qb}))").fetchone()[0]


def test_mesa_with_diplosims_draws_reproduces_the_event_log(tmp_path):
    sc = scenario(2000, 1, events=False)
    simulate(sc, tmp_path / "diplosim")
    run_mesa(sc, tmp_path / "mesa", exact=True)
    d, m = aggregates(tmp_path / "diplosim"), aggregates(tmp_path / "mesa")
    assert d["impressions"] > 40_000
    assert m["impressions"] == d["impressions"]
    for table in ("exposures", "interactions"):
        assert _differing_rows(tmp_path / "diplosim", tmp_path / "mesa", table) == 0
    # diplosim does part of the stance arithmetic in float32: opinions agree to 1e-4
    assert m["mean_stance"] == pytest.approx(d["mean_stance"], abs=1e-4)
    assert m["mean_favourability"] == pytest.approx(d["mean_favourability"], abs=1e-4)


def test_mesa_with_its_own_random_numbers_gives_the_same_rates(tmp_path):
    sc = scenario(2000, 1, events=False)
    simulate(sc, tmp_path / "diplosim")
    run_mesa(sc, tmp_path / "mesa")
    d, m = aggregates(tmp_path / "diplosim"), aggregates(tmp_path / "mesa")
    assert m["impressions"] == pytest.approx(d["impressions"], rel=0.05)
    assert m["completion_rate"] == pytest.approx(d["completion_rate"], rel=0.05)
    assert m["likes_per_1000"] == pytest.approx(d["likes_per_1000"], rel=0.15)


def test_the_baseline_refuses_a_scenario_with_events(tmp_path):
    with pytest.raises(ValueError, match="without events"):
        run_mesa(scenario(1000, 5, events=True), tmp_path / "m")  # events on days 3, 4
