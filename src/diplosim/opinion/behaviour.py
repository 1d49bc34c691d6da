"""Behaviour: the chance a viewer completes, likes, comments on, shares or follows after a video.

Probabilities grow with interest match, appeal, language match and stance congruence; the
defaults are calibrated so that engagement per view falls in TikTok's published range (the
parameter table gives the sources). Compiled: called once per impression inside the kernel.

``kp`` is the kernel's parameter record (``diplosim.engine.kernel.kernel_parameters``): each
field is named after its row of the parameter table.
"""

from __future__ import annotations

from numba import njit

__all__ = ["completion_probability", "congruence", "engagement_factor", "like_share_probabilities"]


@njit(inline="always", cache=True)
def congruence(viewer_stance, video_stance):
    """1 when the viewer's stance equals the video's, 0 at opposite extremes.

    Linear in the distance on the stance scale (an assumption); what it changes, completion
    and engagement, is selective exposure (below)."""
    return 1.0 - abs(viewer_stance - video_stance) / 2.0


@njit(inline="always", cache=True)
def completion_probability(kp, match, appeal, speaks, cong):
    """Watch to completion: interest match in [0, 1], appeal in [0, 1], congruence in [0, 1].

    A product of factors, each linear in one property of the viewer and the video:
    interest match (TikTok, 'How TikTok recommends videos #ForYou', 2020, reads finishing a
    video as a strong sign of interest; the converse, that interest makes finishing likelier,
    is the assumption here); appeal (an assumption); stance congruence (selective exposure:
    people spend longer on attitude-consistent content, Knobloch-Westerwick & Meng 2009,
    Stroud 2008); a video in a language the viewer does not speak is finished less often
    (``language_mismatch_factor``, an assumption). Capped below certainty (``completion_cap``).
    The level is calibrated with the engagement rates to published engagement per view
    (Rival IQ 2024, Socialinsider 2023; ``completion_base``)."""
    p = (kp.completion_base * (kp.completion_match_floor + kp.completion_match_slope * match)
         * (kp.completion_appeal_floor + appeal)
         * (kp.completion_congruence_floor + kp.completion_congruence_slope * cong)
         / kp.completion_normaliser)
    if not speaks:
        p *= kp.language_mismatch_factor
    return min(p, kp.completion_cap)


@njit(inline="always", cache=True)
def engagement_factor(kp, appeal, cong):
    """Multiplier on like, comment, share and follow rates after a completion (1 at appeal 0.5
    and congruence 0.5 at the defaults).

    Appealing videos and videos the viewer agrees with are engaged with more (an assumption
    shaped by selective exposure, Knobloch-Westerwick & Meng 2009); the base rates it
    multiplies are calibrated to published engagement per view (Rival IQ 2024,
    Socialinsider 2023)."""
    return (kp.engagement_appeal_floor + appeal) * (kp.engagement_congruence_floor + cong)


@njit(inline="always", cache=True)
def like_share_probabilities(kp, eng, corrected):
    """(like, share) probabilities after a completion with engagement factor ``eng``; a
    fact-check label (``corrected``) cuts them by ``fact_check_like_reduction`` and
    ``fact_check_share_reduction`` (TikTok's 2021 test of its unverified-content banner: likes
    -7%, shares -24%)."""
    p_like = kp.like_given_completion * eng
    p_share = kp.share_given_completion * eng
    if corrected:
        p_like *= 1.0 - kp.fact_check_like_reduction
        p_share *= 1.0 - kp.fact_check_share_reduction
    return p_like, p_share
