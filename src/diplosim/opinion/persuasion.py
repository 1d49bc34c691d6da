"""Persuasion: a completed view nudges favourability, stance and belief by small bounded steps.

Favourability toward the messenger's country moves toward +1 (or away, for content against the
viewer's stance) with diminishing returns, and toward or away from each country the content
portrays; how much a foreign messenger persuades depends on the viewer's view of its country
(source credibility), and a viewer hostile to that country moves away from it (the hostile
media effect); an ordinary creator's everyday video warms viewers toward the creator's country
only up to a ceiling (intergroup contact). Stance follows bounded confidence with a small
backfire on committed viewers from the other side beyond the bound; claims raise belief and
fact-check labels lower it. Compiled; ``persuade`` is what the kernel calls once per completed
view, and it decides which of the steps below applies.

Each rule's docstring names what it is based on; its constants are rows of the parameter table
(``diplosim.parameters``), where each has its source. ``kp`` is the kernel's parameter record
(``diplosim.engine.kernel.kernel_parameters``), its fields named after those rows.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["belief_step", "contact_step", "favourability_step", "latitude_pull",
           "messenger_credibility", "messenger_step", "persuade", "portrayal_steps",
           "source_trust", "stance_step"]

#: ``MESSENGER_TYPES`` index of an ordinary user (``diplosim.platform.accounts``).
_ORDINARY = 0
_EXPO_MAX = 65535  # completed views per country are counted in 16 bits


@njit(inline="always", cache=True)
def favourability_step(attitude, direction, credibility, rate, seen_before, saturation):
    """New favourability in [-1, 1]; ``direction`` in [-1, 1] is the content's pull.

    A bounded step toward +1 (or -1) that shrinks as the viewer has seen more from the same
    country: diminishing returns to repetition (an assumption; repeated messages wear out,
    Cacioppo & Petty 1979), scaled by the messenger's credibility (Hovland & Weiss 1951)."""
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
    the most hostile.

    Source credibility governs persuasion (Hovland & Weiss 1951); partisans read the other
    side's message as hostile (the hostile media effect, Vallone, Ross & Lepper 1985); a
    message from a distrusted side can push its audience away (a boomerang, Hart & Nisbet
    2012). The linear shape is an assumption."""
    if attitude >= 0.0:
        return 1.0 + slope * attitude
    if attitude >= -hostile:
        return 1.0 + attitude / hostile
    return -boomerang * (-attitude - hostile) / max(1.0 - hostile, 1e-9)


@njit(inline="always", cache=True)
def contact_step(attitude, direction, credibility, rate, seen_before, saturation, ceiling):
    """An everyday video's step: like ``favourability_step``, but a warming step stops at
    ``ceiling`` (it never lowers a viewer already above it).

    Intergroup contact lowers prejudice (Allport 1954; Pettigrew & Tropp 2006), and contact
    through media works alike (the parasocial contact hypothesis, Schiappa, Gregg & Hewes
    2005); its effects are modest (Paluck, Green & Green 2019), hence the ceiling."""
    new = favourability_step(attitude, direction, credibility, rate, seen_before, saturation)
    if new > attitude:
        new = min(new, max(attitude, ceiling))
    return new


@njit(inline="always", cache=True)
def stance_step(stance, video_stance, credibility, rate, bound, backfire, commitment):
    """New stance in [-1, 1] after a video taking ``video_stance`` on the issue.

    Bounded confidence: a stance within ``bound`` of the viewer's pulls it a share ``rate`` of
    the gap (Deffuant et al. 2000; the bound as in Hegselmann & Krause 2002). Beyond the bound,
    a committed viewer shown the other side moves a little away (exposure to the other side
    polarised partisans in Bail et al. 2018); the move is small and limited to committed
    viewers because backfire is rare (Wood & Porter 2019)."""
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
    """New belief in [0, 1] in a claim after a completed view of a video carrying it.

    Each view closes a share of the gap to full belief, scaled by credibility (repetition
    raises perceived truth, the illusory truth effect: Hasher, Goldstein & Toppino 1977;
    Pennycook, Cannon & Rand 2018); a view with a fact-check label instead removes a share of
    belief (fact-check tags lower perceived accuracy, Clayton et al. 2020; corrections work
    moderately, Walter & Murphy 2018)."""
    if corrected:
        belief -= correction_rate * belief
    else:
        belief += rate * credibility * (1.0 - belief)
    return min(1.0, max(0.0, belief))


@njit(inline="always", cache=True)
def messenger_credibility(kp, credibility, labelled):
    """The messenger's credibility (by its type, ``credibility_*``), lower when the platform
    labels its account (state-affiliated or government).

    Source credibility (Hovland & Weiss 1951); state-media labels lower credibility when
    noticed (Nassetta & Gross 2020)."""
    if labelled:
        credibility *= kp.label_credibility_factor
    return credibility


@njit(inline="always", cache=True)
def latitude_pull(video_stance, viewer_stance, bound):
    """How political content pulls favourability toward its messenger's country: +1 when the
    viewer holds the video's stance, 0 at the confidence bound, -1 from twice the bound.

    Inside the latitude of acceptance a message is assimilated, beyond it rejected and its
    source derogated (social judgement theory, Sherif & Hovland 1961); the edge is the stance
    confidence bound (computed in float64)."""
    gap = abs(np.float64(video_stance) - np.float64(viewer_stance))
    return max(-1.0, 1.0 - gap / bound)


@njit(inline="always", cache=True)
def messenger_step(kp, attitude, direction, trust, credibility, everyday, seen_before):
    """New favourability toward a foreign messenger's country: which step applies.

    An ordinary creator's everyday video is contact (``contact_step``), warming no further
    than ``contact_ceiling`` and not at all a viewer hostile enough to distrust the country;
    a pitch to a hostile viewer (``trust`` < 0, see ``source_trust``) moves the viewer away
    (the hostile media effect and boomerang); otherwise the viewer moves toward the country as
    far as credibility and trust carry the content's pull."""
    if everyday:
        return contact_step(attitude, direction * kp.everyday_favourability_factor
                            * max(trust, 0.0), credibility, kp.favourability_rate, seen_before,
                            kp.favourability_saturation, kp.contact_ceiling)
    if trust < 0.0:
        return favourability_step(attitude, trust * abs(direction), credibility,
                                  kp.favourability_rate, seen_before,
                                  kp.favourability_saturation)
    return favourability_step(attitude, direction, credibility * trust, kp.favourability_rate,
                              seen_before, kp.favourability_saturation)


@njit(inline="always", cache=True)
def portrayal_steps(kp, u, attitudes, expo, portray, portrayal, own, focal, credibility):
    """Favourability toward each country the content portrays (row ``portrayal`` of
    ``portray``, valence by focal column), the viewer's own country excepted.

    News coverage of a foreign country shapes how the public sees it (Wanta, Golan & Lee
    2004); the step is ``favourability_step`` with the portrayal's valence as its pull."""
    for g in range(portray.shape[1]):
        w = portray[portrayal, g]
        if w == 0.0 or g == own:
            continue
        attitudes[u, g] = favourability_step(np.float64(attitudes[u, g]), w, credibility,
                                             kp.favourability_rate, float(expo[u, g]),
                                             kp.favourability_saturation)
        if g != focal and expo[u, g] < _EXPO_MAX:
            expo[u, g] += 1


@njit(inline="always", cache=True)
def persuade(kp, u, attitudes, expo, stances, beliefs, credibility, messenger, focal, own,
             portrayal, portray, issue, video_stance, claim, corrected):
    """Viewer ``u``'s completed view of a video: update its favourability (``attitudes``,
    with the views counted in ``expo``), stance and belief rows in place.

    The video's messenger (type ``messenger``, ``credibility`` after labels) speaks for focal
    country ``focal`` (-1: none; ``own`` is the viewer's); it may portray countries (row
    ``portrayal`` of ``portray``, 0: none), take ``video_stance`` on ``issue`` and carry
    ``claim`` (-1: none), fact-checked if ``corrected``. Diplomacy moves opinion only from
    foreign messengers; what the content says of its own country replaces the messenger's
    step; the viewer's trust in a foreign official messenger then scales the portrayal,
    stance and belief steps."""
    trust = 1.0
    if focal >= 0 and focal != own:  # diplomacy: foreign messengers only
        a = np.float64(attitudes[u, focal])
        # political content pulls toward its country inside the viewer's latitude of
        # acceptance (the stance confidence bound) and away beyond it
        direction = 1.0
        if issue >= 0:
            direction = latitude_pull(video_stance, stances[u, issue],
                                      kp.stance_confidence_bound)
        tr = source_trust(a, kp.source_trust_slope, kp.hostile_threshold, kp.hostile_boomerang)
        if not (portrayal > 0 and portray[portrayal, focal] != 0.0):
            # (content that says how it portrays its own country moves it in portrayal_steps)
            attitudes[u, focal] = messenger_step(kp, a, direction, tr, credibility,
                                                 messenger == _ORDINARY,
                                                 float(expo[u, focal]))
        if messenger != _ORDINARY:
            trust = max(tr, 0.0)
        if expo[u, focal] < _EXPO_MAX:
            expo[u, focal] += 1
    if portrayal > 0:
        portrayal_steps(kp, u, attitudes, expo, portray, portrayal, own, focal,
                        credibility * trust)
    if issue >= 0:
        # in float64, as the Python statement of the rule computes it
        stances[u, issue] = stance_step(np.float64(stances[u, issue]), np.float64(video_stance),
                                        credibility * trust, kp.stance_rate,
                                        kp.stance_confidence_bound, kp.stance_backfire,
                                        kp.stance_backfire_commitment)
    if claim >= 0:
        beliefs[u, claim] = belief_step(beliefs[u, claim], credibility * trust, kp.belief_rate,
                                        corrected, kp.correction_rate)
