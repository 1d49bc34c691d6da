"""The opinion rules against survey experiments: the rows follow the rules and parameters they
measure, and the validation page shows what the code computes now."""

from __future__ import annotations

from pathlib import Path

import pytest

from diplosim.studies.blocks import EXPERIMENTS_MARKERS
from diplosim.studies.validation import experiments_block
from diplosim.studies.validation.experiments import experiments

PAGE = Path(__file__).resolve().parents[2] / "docs" / "validation.md"


def _rows(**overrides: float) -> dict:
    return {r.id: r for r in experiments(overrides or None)}


def test_the_page_shows_the_rows_the_code_computes():
    begin, end = EXPERIMENTS_MARKERS
    text = PAGE.read_text(encoding="utf-8")
    block = text.split(begin)[1].split(end)[0].strip()
    assert block == experiments_block(experiments()).strip(), (
        "docs/validation.md is stale: run `diplosim validate-model --from-json "
        "docs/validation.json --no-sizes --page docs/validation.md`")


def test_the_rows_measure_the_rules_not_the_parameters_alone():
    base = _rows()
    # no weakening for the opposed: their move equals the sympathetic viewers' (symmetric
    # groups, symmetric latent slope) within the sampling of 20,000 respondents
    assert _rows(counter_attitudinal_factor=1.0)["parallel_ratio"].value == pytest.approx(
        1.0, abs=0.03)
    assert _rows(counter_attitudinal_factor=0.25)["parallel_ratio"].value < \
        base["parallel_ratio"].value
    # a tag's effect follows the correction (log-odds): 0.76 is Clayton's 29% -> 16%
    assert _rows(correction_log_odds=0.76)["rated_false_tag"].value == pytest.approx(16.0,
                                                                                   abs=0.1)
    # the fade: a longer half-life leaves more after a week
    assert _rows(persuasion_half_life_days=10.0)["gone_after_a_week"].value < \
        base["gone_after_a_week"].value
    # the label cuts are the kernel's rule applied to the parameters
    assert _rows(fact_check_share_reduction=0.4)["label_shares"].value == pytest.approx(-40.0)
    # the per-view effect scales with the rate
    doubled = _rows(favourability_rate=0.06)["per_view_effect"].value
    assert doubled == pytest.approx(2 * base["per_view_effect"].value, rel=0.1)


def test_every_row_names_its_source_and_a_tolerance():
    for r in experiments():
        assert r.source and r.low <= r.high and r.part in ("calibration", "validation")
        assert (r.part == "calibration") == bool(r.fitted)
