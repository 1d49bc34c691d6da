"""Behaviour: the chance a viewer completes, likes, comments on, shares or follows after a video.

Probabilities grow with interest match, appeal, language match and stance congruence; the
defaults are calibrated so that engagement per view falls in TikTok's published range (the
parameter table gives the sources). Compiled: called once per impression inside the kernel.
"""

from __future__ import annotations

from numba import njit

__all__ = ["completion_probability", "congruence", "engagement_factor"]


@njit(inline="always", cache=True)
def congruence(viewer_stance, video_stance):
    """1 when the viewer's stance equals the video's, 0 at opposite extremes."""
    return 1.0 - abs(viewer_stance - video_stance) / 2.0


@njit(inline="always", cache=True)
def completion_probability(base, match, appeal, speaks, mismatch_factor, cong):
    """Watch to completion: interest match in [0, 1], appeal in [0, 1], congruence in [0, 1]."""
    p = base * (0.4 + 1.2 * match) * (0.5 + appeal) * (0.6 + 0.8 * cong) / 1.1
    if not speaks:
        p *= mismatch_factor
    return min(p, 0.95)


@njit(inline="always", cache=True)
def engagement_factor(appeal, cong):
    """Multiplier on like, comment and share rates after a completion (1 at appeal 0.5)."""
    return (0.5 + appeal) * (0.5 + cong)
