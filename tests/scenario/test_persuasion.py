"""The persuasion rules: the stance update (bounded confidence, with a backfire only on committed
viewers) and which favourability step a foreign messenger takes."""

from __future__ import annotations

import pytest

from diplosim.opinion.persuasion import stance_step

RATE, BOUND, BACKFIRE, COMMIT = 0.1, 0.6, 0.5, 0.3


def step(stance: float, video: float) -> float:
    return stance_step(stance, video, 1.0, RATE, BOUND, BACKFIRE, COMMIT)


def test_within_the_bound_the_viewer_moves_toward_the_video():
    assert step(0.2, 0.6) == pytest.approx(0.2 + 0.1 * 0.4)
    assert step(-0.1, -0.5) == pytest.approx(-0.1 - 0.1 * 0.4)


def test_beyond_the_bound_only_committed_viewers_of_the_other_side_backfire():
    assert step(-0.5, 0.9) == pytest.approx(-0.5 - 0.5 * 0.1)  # committed, other side
    assert step(0.5, -0.9) == pytest.approx(0.5 + 0.5 * 0.1)
    assert step(-0.1, 0.9) == -0.1  # not committed: no move
    assert step(0.0, 0.9) == 0.0     # no side yet: no move
    assert step(0.2, -0.9) == 0.2


def test_which_step_a_foreign_messenger_takes():
    """Everyday contact warms only up to the ceiling and never a hostile viewer; a pitch to a
    hostile viewer moves the viewer away; otherwise the viewer moves toward the country."""
    from types import SimpleNamespace

    from diplosim.opinion.persuasion import messenger_step, source_trust
    from diplosim.parameters import resolve_parameters

    kp = SimpleNamespace(**resolve_parameters())
    step = messenger_step.py_func

    def trust(a: float) -> float:
        return source_trust(a, kp.source_trust_slope, kp.hostile_threshold,
                            kp.hostile_boomerang)

    assert step(kp, 0.0, 1.0, trust(0.0), 1.0, False, 0.0) > 0.0          # a pitch: warms
    assert step(kp, -0.8, 1.0, trust(-0.8), 1.0, False, 0.0) < -0.8       # hostile: away
    assert step(kp, 0.0, 1.0, trust(0.0), 1.0, True, 0.0) > 0.0           # contact: warms
    assert step(kp, kp.contact_ceiling, 1.0, 1.0, 1.0, True, 0.0) == kp.contact_ceiling
    assert step(kp, -0.8, 1.0, trust(-0.8), 1.0, True, 0.0) == -0.8       # hostile: blocked
