"""Checks against the next real poll: the rule, the figure in a scenario's block, and the
score read from a scenario's runs."""

from __future__ import annotations

from diplosim.scenario.builtin import builtin
from diplosim.scenario.loader import read_scenario_text
from diplosim.scenario.sweeps import plan_sweep
from diplosim.store.sweeps import BASE, VARIANT
from diplosim.studies.directions import CHECKS, directions, directions_markdown
from diplosim.studies.figures import OPPOSITE, REPRODUCED, UNCLEAR, Figures, combine, verdict


def test_the_rule():
    assert verdict(0.01, 0.03, +1) == REPRODUCED
    assert verdict(-0.03, -0.01, -1) == REPRODUCED
    assert verdict(-0.03, -0.01, +1) == OPPOSITE
    assert verdict(0.01, 0.03, -1) == OPPOSITE
    assert verdict(-0.01, 0.02, +1) == UNCLEAR


def test_a_blocks_direction_figure_gives_its_interval_and_verdict():
    texts, figures = [], []
    for x in (0.010, 0.012, 0.012, 0.014):
        f = Figures()
        texts.append(f"change {f.direction(x, -1)}")
        figures.append(f)
    line = combine(texts, figures)
    assert line.startswith("change +0.012 (+0.009 to +0.015): "), line
    assert line.endswith(OPPOSITE)


def test_a_check_is_scored_on_the_scenarios_base_runs(tmp_path):
    """A small sweep of the Israel scenario (two seeds, 3,000 users, 2 days) gives the
    Quinnipiac checks (all US users, those aged 18-34) one value per seed each from the base
    runs, and the table names their verdicts."""
    from diplosim.distributed.sweep import run_sweep

    b = builtin("israel_palestine_narratives")
    sweep = plan_sweep(read_scenario_text(b.path), b.path.name, [(VARIANT, [BASE])], 2,
                       tmp_path / b.name, ["world.users=3000", "duration_days=2"])
    run_sweep(sweep, use_ray=False, combined=False)
    rows = directions(tmp_path, [b.name])
    assert [r.id for r in rows] == ["quinnipiac_us", "quinnipiac_us_18_34"]
    for r in rows:
        assert len(r.values) == 2 and r.low <= r.mean <= r.high
        assert r.verdict in (REPRODUCED, OPPOSITE, UNCLEAR)
    text = directions_markdown(rows)
    assert "`israel_palestine_narratives`" in text and all(r.verdict in text for r in rows)
    assert {c.scenario for c in CHECKS} == {"israel_palestine_narratives", "ukraine_2022"}


def test_the_validation_page_shows_both_checks_scored():
    from pathlib import Path

    from diplosim.studies.blocks import DIRECTIONS_MARKERS

    page = Path(__file__).resolve().parents[2] / "docs" / "validation.md"
    begin, end = DIRECTIONS_MARKERS
    block = page.read_text(encoding="utf-8").split(begin)[1].split(end)[0]
    rows = [line for line in block.splitlines() if line.startswith("| `")]
    assert [r.split("`")[1] for r in rows] == [c.scenario for c in CHECKS], "run make scenarios"
    assert all(any(v in r for v in (REPRODUCED, OPPOSITE, UNCLEAR)) for r in rows)
