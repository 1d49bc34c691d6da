"""Persuasion: a completed view nudges favourability, stance and belief by small bounded steps.

Favourability toward the messenger's country moves toward +1 (or away, for content against the
viewer's stance) with diminishing returns; stance follows bounded confidence with a small
backfire on committed viewers from the other side beyond the bound; claims raise belief and
fact-check labels lower it. Compiled.
"""

from __future__ import annotations

from numba import njit

__all__ = ["belief_step", "favourability_step", "stance_step"]


@njit(inline="always", cache=True)
def favourability_step(attitude, direction, credibility, rate, seen_before, saturation):
    """New favourability in [-1, 1]; ``direction`` in [-1, 1] is the content's pull."""
    step = rate * credibility * direction / (1.0 + seen_before / saturation)
    if step >= 0:
        attitude += step * (1.0 - attitude)
    else:
        attitude += step * (1.0 + attitude)
    return min(1.0, max(-1.0, attitude))


@njit(inline="always", cache=True)
def stance_step(stance, video_stance, credibility, rate, bound, backfire, commitment):
    gap = video_stance - stance
    if abs(gap) <= bound:
        stance += rate * credibility * gap
    elif stance * video_stance < 0 and abs(stance) >= commitment:
        # a committed viewer shown the other side, beyond the bound: a small move away
        stance -= backfire * rate * credibility * (1.0 if gap > 0 else -1.0)
    # otherwise (same side, or no firm side yet) too far to persuade: no move
    return min(1.0, max(-1.0, stance))


@njit(inline="always", cache=True)
def belief_step(belief, credibility, rate, corrected, correction_rate):
    if corrected:
        belief -= correction_rate * belief
    else:
        belief += rate * credibility * (1.0 - belief)
    return min(1.0, max(0.0, belief))
