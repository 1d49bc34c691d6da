"""The persuasion rules: persuasion in parallel (every viewer pushed the video's way, a viewer
who disagrees less, nobody away), graded corrections on the log-odds scale, and the daily fade
of what has not lasted."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pytest

from diplosim.opinion.persuasion import (
    belief_step,
    counter_weight,
    lasting_capture,
    messenger_step,
    relax,
    source_trust,
    stance_step,
)
from diplosim.parameters import resolve_parameters

RATE, FACTOR = 0.1, 0.5


def step(stance: float, video: float) -> float:
    return stance_step(stance, video, 1.0, RATE, FACTOR)


def test_a_viewer_in_the_middle_moves_by_the_rate():
    assert step(0.0, 1.0) == pytest.approx(math.tanh(0.1))
    assert step(0.0, -0.5) == pytest.approx(-math.tanh(0.05))


def test_every_viewer_moves_the_videos_way_and_the_opposed_less():
    """Persuasion in parallel: sympathetic, neutral and opposed viewers all move toward the
    video; the opposed by the counter-attitudinal share of it (no backfire)."""
    moves = {x: step(x, 0.9) - x for x in (-0.9, -0.5, 0.0, 0.5, 0.9)}
    assert all(m > 0 for m in moves.values()), moves
    # symmetric positions: the opposed viewer moves less than the sympathetic one
    assert moves[-0.5] < moves[0.5] and moves[-0.9] < moves[0.9]
    # the latent push of a viewer at -0.5 is (1 - 0.5 x 0.5) of the neutral one's
    latent = math.atanh(step(-0.5, 0.9)) - math.atanh(-0.5)
    assert latent == pytest.approx(RATE * 0.9 * 0.75)
    # the ends are never crossed, whatever the push
    assert -1.0 <= stance_step(-1.0, 1.0, 1.0, 50.0, FACTOR) <= 1.0


def test_counter_weight():
    assert counter_weight(0.3, 1.0, 0.5) == 1.0     # same side
    assert counter_weight(0.0, -1.0, 0.5) == 1.0    # the middle
    assert counter_weight(-1.0, 1.0, 0.5) == 0.5    # the far end opposed
    assert counter_weight(0.4, -1.0, 0.5) == pytest.approx(0.8)
    assert counter_weight(0.4, 0.0, 0.5) == 1.0     # a video without a side


def test_trust_falls_to_the_factor_and_never_below():
    assert source_trust(0.0, 0.5, 0.4) == 1.0
    assert source_trust(1.0, 0.5, 0.4) == pytest.approx(1.5)
    assert source_trust(-0.5, 0.5, 0.4) == pytest.approx(0.7)
    assert source_trust(-1.0, 0.5, 0.4) == pytest.approx(0.4)


def test_which_step_a_foreign_messenger_takes():
    """A pitch warms a neutral viewer and a hostile one less (not away); everyday contact warms
    only up to the ceiling."""
    kp = SimpleNamespace(**resolve_parameters())
    step_ = messenger_step.py_func

    def trust(a: float) -> float:
        return source_trust(a, kp.source_trust_slope, kp.counter_attitudinal_factor)

    neutral = step_(kp, 0.0, 1.0, trust(0.0), 1.0, False, 0.0)
    hostile = step_(kp, -0.8, 1.0, trust(-0.8), 1.0, False, 0.0)
    assert neutral > 0.0
    assert hostile > -0.8                                   # toward, not away
    assert hostile - (-0.8) < neutral                       # and less
    assert step_(kp, 0.0, 1.0, trust(0.0), 1.0, True, 0.0) > 0.0
    assert step_(kp, kp.contact_ceiling, 1.0, 1.0, 1.0, True, 0.0) == kp.contact_ceiling


def logit(p: float) -> float:
    return math.log(p / (1 - p))


def test_belief_moves_on_the_log_odds_scale_and_labels_grade_it():
    b = belief_step(0.2, 1.0, 0.17, False, 0.42)
    assert logit(b) - logit(0.2) == pytest.approx(0.17)
    c = belief_step(0.2, 1.0, 0.17, True, 0.42)
    assert logit(c) - logit(0.2) == pytest.approx(0.17 - 0.42)
    # graded: a labelled view lowers belief a step, not to zero
    assert 0.15 < c < 0.2
    # ten labelled views in a row still leave some belief
    x = 0.5
    for _ in range(10):
        x = belief_step(x, 1.0, 0.17, True, 0.42)
    assert 0.04 < x < 0.1


def test_a_one_off_change_fades_to_its_lasting_share():
    keep = 0.5 ** (1 / 3.0)
    capture = lasting_capture(0.3, keep)
    values = np.array([[0.1]], np.float32)
    lasting = np.zeros((1, 1), np.float32)
    left = []
    for _ in range(200):
        relax(values, lasting, keep, capture)
        left.append(float(values[0, 0]) / 0.1)
    assert left[-1] == pytest.approx(0.3, abs=1e-3)  # what lasts
    assert left[-1] < left[9] < left[6] < left[0] < 1  # fading, never overshooting
    assert float(lasting[0, 0]) == pytest.approx(float(values[0, 0]), abs=1e-6)
    # without a change nothing moves
    same = np.array([0.4], np.float32)
    relax(same, same.copy(), keep, capture)
    assert same[0] == np.float32(0.4)
