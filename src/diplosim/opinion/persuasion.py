"""Persuasion: a completed view nudges favourability, stance and belief by small steps, in the
same direction for every viewer, and the nudges fade.

The survey-experiment literature is the model here (Coppock 2023, *Persuasion in Parallel*):
a persuasive message moves people with opposite priors by small amounts in the same direction
(Coppock, Hill & Vavreck 2020: 59 experiments, small effects regardless of message, sender or
receiver), and backfire is rare (Wood & Porter 2019: 52 issues). So a step is a push on a
latent scale (favourability and stance are ``tanh`` of it, a belief is the logistic of it): a
viewer near the middle moves most, one near an end least, and no viewer is pushed the other
way. A viewer who disagrees (a stance on the other side, or a low view of the messenger's
country) takes a weaker step (``counter_attitudinal_factor``), never a reversed one; the
favourability step also wears out with repeated views from one country (Cacioppo & Petty 1979).
Effects fade: ``relax`` (once a day) lets the part of each change that has not lasted decay
toward the lasting part (Hill, Lo, Vavreck & Zaller 2013).

Each rule's docstring names what it is based on; its constants are rows of the parameter table
(``diplosim.parameters``), where each has its source. ``kp`` is the kernel's parameter record
(``diplosim.engine.kernel.kernel_parameters``), its fields named after those rows.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

__all__ = ["belief_step", "contact_step", "counter_weight", "favourability_step",
           "lasting_capture", "messenger_credibility", "messenger_step", "persuade",
           "portrayal_steps", "relax", "source_trust", "stance_step"]

#: ``MESSENGER_TYPES`` index of an ordinary user (``diplosim.platform.accounts``).
_ORDINARY = 0
_EXPO_MAX = 65535  # completed views per country are counted in 16 bits
_EDGE = 1.0 - 1e-6  # an opinion at -1 or +1 is read as this close to it on the latent scale
_BELIEF_EDGE = 1e-4  # beliefs stay within [this, 1 - this] (finite log-odds)


@njit(inline="always", cache=True)
def _push(x, push):
    """``x`` in [-1, 1] moved by ``push`` on the latent (``atanh``) scale: a change of
    ``push`` x (1 - x^2) for a small push, largest at 0."""
    x = min(_EDGE, max(-_EDGE, x))
    return math.tanh(math.atanh(x) + push)


@njit(inline="always", cache=True)
def counter_weight(viewer, side, factor):
    """The share of a step a viewer at ``viewer`` (in [-1, 1]) takes from content pulling
    toward the sign of ``side``: 1 for a viewer on that side or in the middle, falling linearly
    to ``factor`` for a viewer at the other end. Counter-attitudinal messages persuade less but
    in the same direction (Guess & Coppock 2020; Coppock 2023); it is never negative."""
    if side == 0.0:
        return 1.0
    against = -viewer if side > 0.0 else viewer
    return 1.0 - (1.0 - factor) * min(1.0, max(0.0, against))


@njit(inline="always", cache=True)
def favourability_step(attitude, direction, credibility, rate, seen_before, saturation):
    """New favourability in [-1, 1]; ``direction`` in [-1, 1] is the content's pull.

    A push of ``rate`` x credibility x ``direction`` on the latent scale (a change of that size
    for a viewer without a view, less toward the ends), shrinking as the viewer has seen more
    from the same country: diminishing returns to repetition (an assumption; repeated messages
    wear out, Cacioppo & Petty 1979); credibility after Hovland & Weiss 1951."""
    return _push(attitude, rate * credibility * direction / (1.0 + seen_before / saturation))


@njit(inline="always", cache=True)
def source_trust(attitude, slope, factor):
    """How far a viewer believes a foreign messenger, from the viewer's favourability toward
    its country: 1 without a view, up to ``1 + slope`` for the most favourable, down to
    ``factor`` (``counter_attitudinal_factor``) for the most hostile; never below it.

    Source credibility governs persuasion (Hovland & Weiss 1951); a distrusted source persuades
    less (the hostile media effect, Vallone, Ross & Lepper 1985), but messages from the other
    side still move people a little toward them rather than away (Coppock, Hill & Vavreck 2020
    found effects of similar sign across partisan groups; Wood & Porter 2019 found backfire
    rare). The linear shape is an assumption."""
    if attitude >= 0.0:
        return 1.0 + slope * attitude
    return 1.0 + (1.0 - factor) * attitude


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
def stance_step(stance, video_stance, credibility, rate, factor):
    """New stance in [-1, 1] after a video taking ``video_stance`` on the issue.

    Persuasion in parallel (Coppock 2023): the video pushes every viewer toward its side by
    ``rate`` x credibility x ``video_stance`` on the latent scale (that change for a viewer in
    the middle), a viewer on the other side by the ``counter_weight`` share of it. Nobody is
    pushed away: backfire is rare (Wood & Porter 2019, 52 issues; Guess & Coppock 2020)."""
    w = counter_weight(stance, video_stance, factor)
    return _push(stance, rate * credibility * video_stance * w)


@njit(inline="always", cache=True)
def belief_step(belief, credibility, rate, corrected, correction):
    """New belief in a claim (a probability) after a completed view of a video carrying it.

    On the log-odds scale: each view adds ``rate`` x credibility (repetition raises perceived
    truth, the illusory truth effect: Hasher, Goldstein & Toppino 1977; Pennycook, Cannon & Rand
    2018); a view with a fact-check label adds that and takes ``correction`` away (a label
    lowers perceived accuracy by a graded amount, Clayton et al. 2020; corrections work
    moderately, Walter & Murphy 2018), so labels lower belief step by step, not at once."""
    b = min(1.0 - _BELIEF_EDGE, max(_BELIEF_EDGE, belief))
    z = math.log(b / (1.0 - b)) + rate * credibility
    if corrected:
        z -= correction
    return min(1.0 - _BELIEF_EDGE, max(_BELIEF_EDGE, 1.0 / (1.0 + math.exp(-z))))


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
def messenger_step(kp, attitude, direction, trust, credibility, everyday, seen_before):
    """New favourability toward a foreign messenger's country: which step applies.

    An ordinary creator's everyday video is contact (``contact_step``), warming no further
    than ``contact_ceiling``; any other video moves the viewer toward the country as far as
    credibility and trust (``source_trust``) carry the content's pull. A hostile viewer moves
    less, not away."""
    if everyday:
        return contact_step(attitude, direction * kp.everyday_favourability_factor * trust,
                            credibility, kp.favourability_rate, seen_before,
                            kp.favourability_saturation, kp.contact_ceiling)
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
    factor = kp.counter_attitudinal_factor
    if focal >= 0 and focal != own:  # diplomacy: foreign messengers only
        a = np.float64(attitudes[u, focal])
        # political content pulls toward its country less for a viewer who disagrees with it
        direction = 1.0
        if issue >= 0:
            direction = counter_weight(np.float64(stances[u, issue]),
                                       np.float64(video_stance), factor)
        tr = source_trust(a, kp.source_trust_slope, factor)
        if not (portrayal > 0 and portray[portrayal, focal] != 0.0):
            # (content that says how it portrays its own country moves it in portrayal_steps)
            attitudes[u, focal] = messenger_step(kp, a, direction, tr, credibility,
                                                 messenger == _ORDINARY,
                                                 float(expo[u, focal]))
        if messenger != _ORDINARY:
            trust = tr
        if expo[u, focal] < _EXPO_MAX:
            expo[u, focal] += 1
    if portrayal > 0:
        portrayal_steps(kp, u, attitudes, expo, portray, portrayal, own, focal,
                        credibility * trust)
    if issue >= 0:
        # in float64, as the Python statement of the rule computes it
        stances[u, issue] = stance_step(np.float64(stances[u, issue]), np.float64(video_stance),
                                        credibility * trust, kp.stance_rate, factor)
    if claim >= 0:
        beliefs[u, claim] = belief_step(np.float64(beliefs[u, claim]), credibility * trust,
                                        kp.belief_rate, corrected, kp.correction_log_odds)


def lasting_capture(lasting_share: float, keep: float) -> float:
    """The share of the passing part ``relax`` moves into the lasting part each day, so that
    ``lasting_share`` of a one-off change is still there once the rest has faded (``keep``:
    the passing part's daily survival, ``0.5 ** (1 / half-life in days)``)."""
    if keep >= 1.0:
        return 0.0
    return lasting_share * (1.0 - keep) / (1.0 - lasting_share * keep)


@njit(cache=True)
def relax(values, lasting, keep, capture):
    """Once a day: the part of each opinion that has not lasted (``values - lasting``) hands
    ``capture`` of itself to the lasting part, and the rest shrinks by ``keep``.

    Persuasion effects decay within days to weeks, leaving a smaller durable part (Hill, Lo,
    Vavreck & Zaller 2013: most of a TV ad's effect gone within a week; Coppock, Ekins & Kirby
    2018 for longer-lasting effects of op-eds). A one-off change ends with ``lasting_share``
    of itself (``lasting_capture``), half of the rest gone every
    ``persuasion_half_life_days``."""
    flat_v = values.reshape(-1)
    flat_l = lasting.reshape(-1)
    for i in range(flat_v.shape[0]):
        t = np.float64(flat_v[i]) - np.float64(flat_l[i])
        if t == 0.0:
            continue
        base = np.float64(flat_l[i]) + capture * t
        flat_l[i] = base
        flat_v[i] = base + (1.0 - capture) * t * keep
