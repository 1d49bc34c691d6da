"""Comparing sweeps: each combination is a column of replicates with its interval, each column's
difference from the first is paired by seed, in the terminal (JSON) and in HTML."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from diplosim.analysis.compare import compare_runs
from diplosim.analysis.replicated import compare_replicated
from diplosim.analysis.uncertainty import difference, estimate
from diplosim.cli import app
from diplosim.distributed.sweep import run_sweep
from diplosim.scenario.builtin import builtin
from diplosim.scenario.sweeps import plan_sweep

SMALL = ["world.users=2000", "duration_days=5"]


@pytest.fixture(scope="module")
def sweep(tmp_path_factory) -> Path:
    b = builtin("regional_tourism")
    out = tmp_path_factory.mktemp("cmp") / "sweep"
    plan = plan_sweep(b.path.read_text(encoding="utf-8"), b.path.name,
                      [("variant", ["base", "alone"])], 3, out, SMALL)
    run_sweep(plan, use_ray=False, combined=False)
    return out


def _impressions(folder: Path) -> float:
    labels, rows = compare_runs([folder])
    return next(r[labels[0]] for r in rows if r["metric"] == "impressions")


def test_columns_are_combinations_and_differences_are_paired_by_seed(sweep):
    c = compare_replicated([sweep])
    assert c.labels == ["variant=base", "variant=alone"]
    assert c.differences == ["variant=alone − variant=base"]
    row = next(r for r in c.rows if r["group"] == "run" and r["metric"] == "impressions")
    base = [_impressions(sweep / "runs" / f"c000-r{r:02d}") for r in range(3)]
    alone = [_impressions(sweep / "runs" / f"c001-r{r:02d}") for r in range(3)]
    assert row["variant=base"] == estimate(base)
    assert row["variant=base"].n == 3 and row["variant=base"].low < row["variant=base"].high
    d = row["variant=alone − variant=base"]
    assert replace(d, holm=math.nan) == difference(alone, base) and d.paired
    assert d.holm >= d.p  # Holm's correction over the table's differences never lowers p
    users = next(r for r in c.rows if r["metric"] == "users")
    assert users["variant=alone − variant=base"].mean == 0
    assert not users["variant=alone − variant=base"].distinguishable


def test_the_command_prints_json_and_writes_html(sweep, tmp_path):
    result = CliRunner().invoke(app, ["compare", str(sweep), "--format", "json", "--out",
                                      str(tmp_path / "c.html")])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout.splitlines()[0])
    assert data["columns"] == ["variant=base", "variant=alone"]
    row = next(r for r in data["rows"] if r["metric"] == "impressions")
    assert row["variant=base"]["n"] == 3
    assert isinstance(row["variant=alone − variant=base"]["distinguishable"], bool)
    assert all(not (isinstance(v, float) and math.isnan(v)) for v in row["variant=base"].values())
    page = (tmp_path / "c.html").read_text(encoding="utf-8")
    assert "variant=alone − variant=base" in page and "distinguishable" in page
    table = CliRunner().invoke(app, ["compare", str(sweep)])
    assert table.exit_code == 0 and "variant=base" in table.stdout


@pytest.fixture(scope="module")
def factorial(tmp_path_factory) -> Path:
    """A 2 x 2 sweep: the tourism boards alone or not, under engagement or social ranking."""
    b = builtin("regional_tourism")
    out = tmp_path_factory.mktemp("fact") / "sweep"
    plan = plan_sweep(b.path.read_text(encoding="utf-8"), b.path.name,
                      [("variant", ["base", "alone"]),
                       ("platform.ranking", ["engagement", "social"])], 3, out, SMALL)
    run_sweep(plan, use_ray=False, combined=False)
    return out


def test_a_2x2_sweep_gets_its_interaction_a_baseline_a_measure_and_holm(factorial):
    from diplosim.analysis.measures import parse_measure
    from diplosim.analysis.run import load_run
    from diplosim.analysis.uncertainty import estimate
    from diplosim.store.sweeps import load_sweep

    spec = "impressions:th_tourism"
    result = CliRunner().invoke(app, ["compare", str(factorial), "--format", "json",
                                      "--baseline", "variant=alone, platform.ranking=social",
                                      "--measure", spec])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout.splitlines()[0])
    assert data["baseline"] == "variant=alone, platform.ranking=social"
    assert data["columns"][0] == data["baseline"] and len(data["differences"]) == 3
    # the interaction by hand: per seed, (base - alone | engagement) - (base - alone | social)
    sweep, m = load_sweep(factorial), parse_measure(spec)
    y = {(r["values"]["variant"], r["values"]["platform.ranking"], r["seed"]):
         m(load_run(sweep.run_folder(r))) for r in sweep.runs}
    seeds = sorted({s for *_, s in y})
    per_seed = [(y["base", "engagement", s] - y["alone", "engagement", s])
                - (y["base", "social", s] - y["alone", "social", s]) for s in seeds]
    effect = next(e for e in data["effects"] if e["metric"] == spec and e["kind"] ==
                  "interaction")
    assert effect["effect"] == "variant=base × platform.ranking=engagement"
    want = estimate(per_seed)
    assert effect["value"]["mean"] == pytest.approx(want.mean)
    assert effect["value"]["low"] == pytest.approx(want.low)
    # every difference carries its p and Holm's p, which is never below it
    diffs = [r[d] for r in data["rows"] for d in data["differences"]
             if r.get(d) and r[d]["p"] is not None]
    assert len(diffs) == data["comparisons"] > 20
    assert all(d["p_holm"] >= d["p"] for d in diffs)
    assert sum(d["distinguishable_after_holm"] for d in diffs) <= sum(
        d["distinguishable"] for d in diffs)


def test_compare_writes_csv_and_a_wide_table_is_not_cut(factorial, monkeypatch):
    import csv
    import io

    result = CliRunner().invoke(app, ["compare", str(factorial), "--format", "csv",
                                      "--measure", "impressions:th_tourism"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    kinds = {r["kind"] for r in rows}
    assert kinds == {"estimate", "difference", "main", "interaction"}
    assert any(r["metric"] == "impressions:th_tourism" and r["kind"] == "interaction"
               for r in rows)
    table = subprocess_compare(factorial, {"COLUMNS": "250"})
    widths = [len(line) for line in table.splitlines()]
    assert 120 < max(widths) <= 250  # the width the user set, not 120
    assert "…" not in table and "after Holm's correction" in table  # cells wrap, never cut


def subprocess_compare(folder: Path, env: dict) -> str:
    import os
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "diplosim", "compare", str(folder)],
                            capture_output=True, text=True, check=False,
                            env={**os.environ, **env})
    assert result.returncode == 0, result.stderr
    return result.stdout
