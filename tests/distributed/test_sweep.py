"""Sweeps: every combination and replicate runs (on a 2-worker local Ray cluster here), the
results equal the same runs done one by one, a restarted sweep skips what is complete, and the
combined table's intervals are Student's t intervals."""

from __future__ import annotations

import json
import math
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from diplosim._version import __version__, model_hash
from diplosim.analysis.sweeps import _interval
from diplosim.distributed.sweep import run_sweep
from diplosim.errors import DiplosimError
from diplosim.scenario.sweeps import parse_vary, plan_sweep
from diplosim.store.sweeps import load_sweep
from tests.conftest import EXAMPLE_TEXT

TEXT = EXAMPLE_TEXT
FIXED = ["duration_days=2", "events=[]", "world.users=1500"]
VARY = "platform.ranking=engagement,chronological"


def _plan(out: Path, replicates: int = 2):
    return plan_sweep(TEXT, "example.yaml", parse_vary([VARY]), replicates, out, FIXED)


def _same(a: Path, b: Path, table: str) -> bool:
    qa, qb = (f"SELECT * FROM read_parquet('{p}/{table}.parquet')" for p in (a, b))
    con = duckdb.connect()
    return all(con.execute(f"SELECT count(*) FROM (({x}) EXCEPT ALL ({y}))").fetchone()[0] == 0
               for x, y in ((qa, qb), (qb, qa)))


def _rows(path: Path) -> list[dict]:
    """The table's rows with NaN (no interval from one value) as None, so rows compare."""
    return [{k: None if isinstance(v, float) and math.isnan(v) else v for k, v in r.items()}
            for r in pq.read_table(path).to_pylist()]


@pytest.fixture(scope="module")
def ray_cluster():
    ray = pytest.importorskip("ray")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level="ERROR",
             runtime_env={"env_vars": {"NUMBA_NUM_THREADS": "1"}})
    yield ray
    ray.shutdown()


def test_ray_sweep_equals_the_runs_done_one_by_one(tmp_path, ray_cluster):
    assert ray_cluster.cluster_resources()["CPU"] == 2
    on_ray = _plan(tmp_path / "ray")
    assert len(on_ray.runs) == 4  # 2 rankings x 2 replicates
    assert run_sweep(on_ray) == {"ran": 4, "skipped": 0}
    serial = _plan(tmp_path / "serial")
    run_sweep(serial, use_ray=False)
    for r in on_ray.runs:
        for table in ("posts", "exposures", "interactions", "attitudes"):
            assert _same(on_ray.run_folder(r), serial.run_folder(r), table), (r["folder"], table)
    a, b = (_rows(tmp_path / name / "sweep.parquet") for name in ("ray", "serial"))
    assert a == b and len(a) > 20
    # replicates differ by seed; combinations by ranking
    seeds = {json.loads((on_ray.run_folder(r) / "manifest.json").read_text())["seed"]
             for r in on_ray.runs}
    assert seeds == {7, 8}
    imp = {(r["platform.ranking"]): r["mean"] for r in a if r["metric"] == "impressions"}
    assert imp["engagement"] > imp["chronological"] > 0


def test_a_restarted_sweep_runs_only_what_is_missing(tmp_path):
    sweep = _plan(tmp_path / "s", replicates=1)
    assert run_sweep(sweep, use_ray=False) == {"ran": 2, "skipped": 0}
    # a run stopped mid-way: its manifest is not marked complete
    victim = sweep.run_folder(sweep.runs[1]) / "manifest.json"
    m = json.loads(victim.read_text())
    victim.write_text(json.dumps({**m, "completed": False}))
    again = _plan(tmp_path / "s", replicates=1)
    assert run_sweep(again, use_ray=False) == {"ran": 1, "skipped": 1}
    assert json.loads(victim.read_text())["completed"] is True
    # a run made by another diplosim version (whose model may differ) is done again
    m = json.loads(victim.read_text())
    victim.write_text(json.dumps({**m, "diplosim_version": "0.0.1"}))
    assert run_sweep(_plan(tmp_path / "s", replicates=1), use_ray=False) == \
        {"ran": 1, "skipped": 1}
    assert json.loads(victim.read_text())["diplosim_version"] == __version__


def test_a_folder_holding_another_sweep_is_refused(tmp_path):
    _plan(tmp_path / "s", replicates=1)
    with pytest.raises(DiplosimError, match="different sweep"):
        plan_sweep(TEXT, "example.yaml", parse_vary(["platform.ranking=social"]), 1,
                   tmp_path / "s", FIXED)


def test_bad_vary_values_fail_before_anything_runs(tmp_path):
    with pytest.raises(DiplosimError, match=r"platform\.ranking"):
        plan_sweep(TEXT, "example.yaml", parse_vary(["platform.ranking=engagement,bogus"]), 1,
                   tmp_path / "s", FIXED)
    assert not (tmp_path / "s" / "runs").exists()
    with pytest.raises(DiplosimError, match=r"KEY\.PATH=VALUE1"):
        parse_vary(["platform.ranking"])


def test_interval_is_students_t():
    mean, lo, hi = _interval([1.0, 2.0, 3.0])
    # sd 1, n 3, t(0.975, 2) = 4.302653 (SciPy; the old table's 4.303 was rounded)
    assert mean == 2.0
    assert hi - mean == pytest.approx(4.302653 / math.sqrt(3), rel=1e-6)
    assert lo == pytest.approx(2.0 - 4.302653 / math.sqrt(3), rel=1e-6)
    assert math.isnan(_interval([5.0])[1])


def test_sweep_report_draws_each_metric_with_intervals(tmp_path):
    from diplosim.report import write_sweep_report

    sweep = _plan(tmp_path / "s")
    run_sweep(sweep, use_ray=False)
    html = write_sweep_report(tmp_path / "s").read_text(encoding="utf-8")
    assert "diplosim sweep: example.yaml" in html
    assert "engagement per view" in html and "\"error_y\"" in html
    assert load_sweep(tmp_path / "s").plan["replicates"] == 2


def test_sweep_report_shows_where_the_runs_ran_escaped_and_counting_bad_lines(tmp_path):
    from diplosim.report.sweep import runs_section

    sweep = _plan(tmp_path / "s", replicates=1)
    run_sweep(sweep, use_ray=False)
    section = runs_section(tmp_path / "s")
    (row,) = section.tables[0].rows
    assert row["runs"] == 2 and row["memory asked (GB)"] is None  # no Ray: no request
    log = tmp_path / "s" / "runs.jsonl"
    records = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert row["seconds"] == pytest.approx(sum(r["seconds"] for r in records))
    hostile = "<script>alert(1)</script>"
    with log.open("a", encoding="utf-8") as f:
        f.write(json.dumps({"host": hostile, "seconds": 2.5, "memory_bytes": 1.5e9}) + "\n")
        f.write(json.dumps({"host": hostile, "seconds": 4.0, "memory_bytes": 2.5e9}) + "\n")
        f.write('{"host": "cut off mid-wri\n')
    rows = {r["host"]: r for r in runs_section(tmp_path / "s").tables[0].rows}
    assert rows[hostile] == {"host": hostile, "runs": 2, "seconds": 6.5,
                             "longest run (s)": 4.0, "memory asked (GB)": 2.5}
    from diplosim.report import write_sweep_report

    html = write_sweep_report(tmp_path / "s").read_text(encoding="utf-8")
    assert "Where the runs ran" in html and "1 line of runs.jsonl could not be read." in html
    assert hostile not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_a_run_made_by_other_model_code_is_done_again(tmp_path):
    """The version string does not change between releases when the code or a default does;
    the model hash does, and a finished run of another model is not reused."""
    sweep = _plan(tmp_path / "s", replicates=1)
    assert run_sweep(sweep, use_ray=False) == {"ran": 2, "skipped": 0}
    victim = sweep.run_folder(sweep.runs[0]) / "manifest.json"
    m = json.loads(victim.read_text())
    assert m["model_hash"] == model_hash()
    victim.write_text(json.dumps({**m, "model_hash": "0" * 16}))
    assert run_sweep(_plan(tmp_path / "s", replicates=1), use_ray=False) == \
        {"ran": 1, "skipped": 1}
    assert json.loads(victim.read_text())["model_hash"] == model_hash()
