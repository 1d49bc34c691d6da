"""Persuasion: a completed view nudges favourability, stance and belief by small bounded steps.

Favourability toward the messenger's country moves toward +1 (or away, for content against the
viewer's stance) with diminishing returns, and toward or away from each country the content
portrays; how much a foreign messenger persuades depends on the viewer's view of its country
(source credibility), and a viewer hostile to that country moves away from it (the hostile
media effect); an ordinary creator's everyday video warms viewers toward the creator's country
only up to a ceiling (intergroup contact). Stance follows bounded confidence with a small
backfire on committed viewers from the other side beyond the bound; claims raise belief and
fact-check labels lower it. Compiled.
"""

from __future__ import annotations

from numba import njit

__all__ = ["belief_step", "contact_step", "favourability_step", "source_trust", "stance_step"]


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
def source_trust(attitude, slope, hostile, boomerang):
    """How far a viewer believes a foreign messenger, from the viewer's favourability toward
    its country: 1 without a view, up to ``1 + slope`` for the most favourable; falling to 0
    at ``-hostile``; below that negative (the viewer moves away), down to ``-boomerang`` for
    the most hostile."""
    if attitude >= 0.0:
        return 1.0 + slope * attitude
    if attitude >= -hostile:
        return 1.0 + attitude / hostile
    return -boomerang * (-attitude - hostile) / max(1.0 - hostile, 1e-9)


@njit(inline="always", cache=True)
def contact_step(attitude, direction, credibility, rate, seen_before, saturation, ceiling):
    """An everyday video's step: like ``favourability_step``, but a warming step stops at
    ``ceiling`` (it never lowers a viewer already above it)."""
    new = favourability_step(attitude, direction, credibility, rate, seen_before, saturation)
    if new > attitude:
        new = min(new, max(attitude, ceiling))
    return new


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
