"""Comparing sweeps: each combination is a column of replicates with its interval, each column's
difference from the first is paired by seed, in the terminal (JSON) and in HTML."""

from __future__ import annotations

import json
import math
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
    assert d == difference(alone, base) and d.paired
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
