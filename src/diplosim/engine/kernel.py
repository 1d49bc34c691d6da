"""The per-impression loop, compiled: each active user scrolls one feed page; every slot picks a
video, draws the viewer's behaviour and applies persuasion. What friends sent to the user's
inbox since the last session fills the first slots (the sender, kept as its place among the
user's friends, is the share's source, so a
video can travel from friend to friend for many generations).

Users are independent within a tick: a user writes only its own state and its own output slots,
and reads others' state from the start of the tick, so the result is the same on any number of
threads. Random numbers are counter-based, keyed by (seed, tick, user, draw).

The model's rules are not written here: the kernel reads the arrays and calls them, behaviour
from ``diplosim.opinion.behaviour``, persuasion from ``diplosim.opinion.persuasion``, the
sources' picks from ``diplosim.platform.recommender``; their constants arrive as one record of
named parameters (``KERNEL_PARAMETERS``).
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from diplosim.opinion.behaviour import (
    completion_probability,
    congruence,
    engagement_factor,
    like_share_probabilities,
)
from diplosim.opinion.persuasion import messenger_credibility, persuade
from diplosim.platform.recommender import pick_weighted
from diplosim.platform.rng import stream_key, uniform_at
from diplosim.prefetch import prefetch

__all__ = ["FLAG", "KERNEL_PARAMETERS", "SOURCE", "kernel_parameters", "run_sessions"]

#: Bits of an impression's outcome.
FLAG = {"impression": 1, "complete": 2, "like": 4, "comment": 8, "share": 16, "follow": 32,
        "challenge": 64, "social": 128}
#: Where a slot's video came from (``out_src``): the platform's sources, then the sampled
#: follow graph and friends' sends.
SOURCE = {"pool": 1, "trending": 2, "interest": 3, "diversity": 4, "followed": 5, "inbox": 6}
#: The rows of the parameter table the kernel reads, by the rule that reads them.
_NAMES = (
    # the feed (here and diplosim.platform.recommender)
    "cross_language_acceptance", "state_media_demotion", "fact_check_demotion",
    "follow_window_hours",
    # behaviour (diplosim.opinion.behaviour)
    "completion_base", "completion_match_floor", "completion_match_slope",
    "completion_appeal_floor", "completion_congruence_floor", "completion_congruence_slope",
    "completion_normaliser", "completion_cap", "language_mismatch_factor",
    "engagement_appeal_floor", "engagement_congruence_floor", "like_given_completion",
    "comment_given_completion", "share_given_completion", "follow_given_completion",
    "challenge_post_probability", "false_claim_novelty", "fact_check_share_reduction",
    "fact_check_like_reduction",
    # persuasion (diplosim.opinion.persuasion)
    "label_credibility_factor", "favourability_rate", "favourability_saturation",
    "everyday_favourability_factor", "contact_ceiling", "source_trust_slope",
    "counter_attitudinal_factor", "stance_rate", "belief_rate", "correction_log_odds",
)
_WHOLE = ("follow_window_hours",)  # whole numbers (hours): int64 fields, so they stay exact
#: The kernel's parameters as one record, each field named after its row of the parameter
#: table (``kp.completion_base``); ``kernel_parameters`` fills it.
KERNEL_PARAMETERS = np.dtype([(name, np.int64 if name in _WHOLE else np.float64)
                              for name in _NAMES], align=True)
_TRIES = 6
_AHEAD = 2  # users ahead whose rows are prefetched
_STATE_MEDIA = 5     # MESSENGER_TYPES index of state_media


@njit(cache=True)
def _followed(u, r1, r2, mode, tick, window, follow_ptr, follow_idx, extra, ring_row,
              ring_vid, ring_tick, v_eng):
    """(video, via account) from a random followed account's items of the last ``window``
    hours, or (-1, -1)."""
    a, b = follow_ptr[u], follow_ptr[u + 1]
    n_extra = 0
    for k in range(extra.shape[1]):
        if extra[u, k] >= 0:
            n_extra += 1
    n = (b - a) + n_extra
    if n == 0:
        return -1, -1
    j = int(r1 * n)
    if j < b - a:
        f = follow_idx[a + j]
    else:
        f = -1
        j -= b - a
        for k in range(extra.shape[1]):
            if extra[u, k] >= 0:
                if j == 0:
                    f = extra[u, k]
                    break
                j -= 1
    best, best_key = -1, -1.0
    r = ring_row[f]  # the account's ring row (``engine.rings``), or -1: nothing lately
    for k in range(ring_vid.shape[1] if r >= 0 else 0):
        v = ring_vid[r, k]
        if v < 0:
            continue
        age = (tick - np.int64(ring_tick[r, k])) % 65536  # ticks are kept modulo 2**16
        if age >= window:
            continue
        # chronological: the newest item; otherwise the most engaging
        key = float(window - age) if mode == 2 else v_eng[v] + r2 * 1e-3
        if key > best_key:
            best, best_key = v, key
    return best, f


@njit(inline="always", cache=True)
def _react(kp, key, draw, rec, match, speaks, cong, tick):
    """The viewer's reaction to a video: flags for completion, like, comment and share (draws
    ``draw`` to ``draw + 3``), with the engagement factor (for follows)."""
    flags = 1
    eng = 0.0
    if uniform_at(key, draw) < completion_probability(kp, match, rec.appeal, speaks, cong):
        flags |= 2
        corrected = rec.claim_false and rec.fact_check_tick <= tick
        eng = engagement_factor(kp, rec.appeal, cong)
        if rec.claim_false:
            eng *= kp.false_claim_novelty  # false claims are more novel (Vosoughi 2018)
        p_like, p_share = like_share_probabilities(kp, eng, corrected)
        if uniform_at(key, draw + 1) < p_like:
            flags |= 4
        if uniform_at(key, draw + 2) < kp.comment_given_completion * eng:
            flags |= 8
        if uniform_at(key, draw + 3) < p_share:
            flags |= 16
    return flags, eng


@njit(cache=True)
def _seen(u, v, seen, page, slot):
    for k in range(seen.shape[1]):
        if seen[u, k] == v:
            return True
    for k in range(slot):
        if page[k] == v:
            return True
    return False


@njit(parallel=True, cache=True)
def run_sessions(seed, tick, users, page_size, mix, mode, labels_on, foreign_blocked, v_origin,
                 params,
                 u_country, u_lang1, u_lang2, interests, topic_boost, attitudes, stances,
                 beliefs, expo, seen, seen_pos, follow_ptr, follow_idx, extra, extra_pos,
                 ring_row, ring_vid, ring_tick, inbox_row, inbox_vid, inbox_from, inbox_tick,
                 friend_ptr,
                 friend_idx,
                 vids, v_eng, v_weight,
                 target_masks, u_age, age_masks, credibility, country_focal, portray,
                 pool_ptr, pool_ids, pool_cum, pool_guide, trend_ptr, trend_ids, trend_cum,
                 trend_guide, topic_ptr, topic_ids, topic_cum, topic_guide, recent_lo, recent_n,
                 diversity,
                 out_video, out_flags, out_from, out_src):
    """One feed page per user of ``users``.

    Sampling (the ``sampling`` design concept of the ODD page): a video of an account the
    scenario names is kept whole, so the candidate lists weigh it by ``v_weight`` (the sampling
    fraction; 1 for the sample's own videos) and the diversity source keeps it with that
    probability: the sample sees it as often as a sample of the platform would. Its views on
    the platform are the expected picks the sources give it (``diplosim.platform.audience``),
    from the slots each source filled (``out_src``). Follows and friends' sends are the sampled
    graph's and are not weighed."""
    n_topics = interests.shape[1]
    for i in prange(users.shape[0]):
        # the rows of the users two and one turns ahead start loading now (see
        # ``diplosim.prefetch``; measured 8-11% off the kernel's time at 300,000 users)
        if i + _AHEAD < users.shape[0]:
            w = users[i + _AHEAD]
            prefetch(u_country, w)
            prefetch(u_lang1, w)
            prefetch(u_lang2, w)
            prefetch(seen_pos, w)
            prefetch(extra_pos, w)
            prefetch(follow_ptr, w)
            prefetch(interests, w)
            prefetch(attitudes, w)
            prefetch(stances, w)
            prefetch(beliefs, w)
            prefetch(expo, w)
            prefetch(seen, w)
            prefetch(extra, w)
            prefetch(inbox_row, w)
        if i + 1 < users.shape[0]:
            prefetch(follow_idx, follow_ptr[users[i + 1]])
        u = users[i]
        c = u_country[u]
        kp = params[0]  # the parameter record (taken outside the loop, it cannot enter it)
        base = i * page_size
        page = out_video[base:base + page_size]
        draw = 0
        key = stream_key(seed, tick, u)
        # the viewer's topic weights this hour: their sum (to draw a topic) and their maximum
        # (interest match is relative to the viewer's favourite topic)
        total = 0.0
        best = 1e-9
        for t in range(n_topics):
            w = interests[u, t] * topic_boost[c, t]
            total += w
            best = max(best, w)
        box = inbox_row[u]  # the user's inbox row, or -1: nothing sent lately
        k_in = 0 if box >= 0 else inbox_vid.shape[1]  # the next inbox entry to read
        for slot in range(page_size):
            v, via = -1, -1
            # what friends sent comes first (read once, then cleared; no draws are taken)
            while k_in < inbox_vid.shape[1]:
                cand = inbox_vid[box, k_in]
                k_in += 1
                if cand < 0:
                    continue
                inbox_vid[box, k_in - 1] = -1
                if (tick - np.int64(inbox_tick[box, k_in - 1])) % 65536 >= kp.follow_window_hours:
                    continue
                rec = vids[cand]
                if rec.author == u or not target_masks[rec.target_set, c]:
                    continue
                if not age_masks[rec.target_set, u_age[u]]:
                    continue
                if foreign_blocked[c] and v_origin[cand] != c:
                    continue
                if _seen(u, cand, seen, page, slot):
                    continue
                # the sender, kept as its place in the user's row of friends
                v, via = cand, friend_idx[friend_ptr[u] + np.int64(inbox_from[box, k_in - 1])]
                break
            src = 6 if v >= 0 else 0
            for _ in range(_TRIES if v < 0 else 0):
                # one independent draw per decision: source, language, pick, aux, diversity
                # (counter-based draws are computed only where used; the numbering is fixed)
                r = uniform_at(key, draw)
                r2 = uniform_at(key, draw + 2)
                diverse = diversity > 0.0 and uniform_at(key, draw + 4) < diversity
                cand, cvia, source_interest, csrc = -1, -1, False, 0
                if diverse and recent_n > 0:
                    cand = recent_lo + min(int(r2 * recent_n), recent_n - 1)
                    source_interest = True
                    csrc = 4
                elif r < mix[1]:
                    lang = u_lang1[u]
                    if u_lang2[u] != 65535 and uniform_at(key, draw + 1) >= 0.8:
                        lang = u_lang2[u]
                    if r < mix[0]:
                        cand = pick_weighted(pool_ptr, pool_ids, pool_cum, lang, r2, pool_guide)
                        csrc = 1
                    else:
                        cand = pick_weighted(trend_ptr, trend_ids, trend_cum, lang, r2,
                                             trend_guide)
                        csrc = 2
                elif r < mix[2]:
                    x = uniform_at(key, draw + 3) * total
                    t = 0
                    while t < n_topics - 1 and x >= interests[u, t] * topic_boost[c, t]:
                        x -= interests[u, t] * topic_boost[c, t]
                        t += 1
                    csrc = 3
                    cand = pick_weighted(topic_ptr, topic_ids, topic_cum, t, r2, topic_guide)
                    source_interest = True
                else:
                    cand, cvia = _followed(u, r2, uniform_at(key, draw + 3), mode, tick,
                                           kp.follow_window_hours, follow_ptr, follow_idx, extra,
                                           ring_row, ring_vid, ring_tick, v_eng)
                    csrc = 5
                draw += 5
                if cand < 0:
                    continue
                rec = vids[cand]  # one cache line: everything the feed reads of a video
                if rec.author == u or not target_masks[rec.target_set, c]:
                    continue
                if not age_masks[rec.target_set, u_age[u]]:
                    continue  # a campaign aimed at other age groups
                if foreign_blocked[c] and v_origin[cand] != c:
                    continue  # a national information environment: domestic accounts only
                if _seen(u, cand, seen, page, slot):
                    continue
                speaks = rec.lang == u_lang1[u] or rec.lang == u_lang2[u]
                accept = 1.0
                if source_interest and not speaks:
                    accept *= kp.cross_language_acceptance
                if labels_on[c] and rec.labelled and rec.messenger == _STATE_MEDIA:
                    accept *= 1.0 - kp.state_media_demotion
                if rec.claim_false and rec.fact_check_tick <= tick:
                    accept *= 1.0 - kp.fact_check_demotion
                if accept < 1.0 and uniform_at(key, draw) >= accept:
                    draw += 1
                    continue
                draw += 1
                if csrc == 4 and v_weight[cand] < 1.0:
                    # the diversity source draws uniformly: a named account's video stays
                    # with the share of it a sample holds
                    keep = uniform_at(key, draw) < v_weight[cand]
                    draw += 1
                    if not keep:
                        continue
                v, via, src = cand, cvia, csrc
                break
            if v < 0:
                if mode == 2:
                    break  # a chronological feed runs out: the session ends
                continue
            page[slot] = v
            rec = vids[v]
            issue, claim, topic = rec.stance_issue, rec.claim, rec.topic
            # behaviour
            match = interests[u, topic] * topic_boost[c, topic] / best
            speaks = rec.lang == u_lang1[u] or rec.lang == u_lang2[u]
            cong = 0.75
            if issue >= 0:
                cong = congruence(stances[u, issue], rec.stance_value)
            flags, eng = _react(kp, key, draw, rec, match, speaks, cong, tick)
            if via >= 0:
                flags |= 128  # through the sampled follow graph or a friend's send
            if flags & 2:
                corrected = rec.claim_false and rec.fact_check_tick <= tick
                if flags & 16:
                    out_from[base + slot] = via if via >= 0 else rec.author
                if uniform_at(key, draw + 4) < kp.follow_given_completion * eng * match:
                    author = rec.author
                    known = False
                    for k in range(extra.shape[1]):
                        known = known or extra[u, k] == author
                    for k in range(follow_ptr[u], follow_ptr[u + 1]):
                        known = known or follow_idx[k] == author
                    if not known:
                        flags |= 32
                        extra[u, extra_pos[u] % extra.shape[1]] = author
                        extra_pos[u] += 1
                if rec.challenge and uniform_at(key, draw + 5) < kp.challenge_post_probability:
                    flags |= 64
                # persuasion (diplosim.opinion.persuasion decides which step applies)
                cred = messenger_credibility(kp, credibility[rec.messenger],
                                             labels_on[c] and rec.labelled)
                persuade(kp, u, attitudes, expo, stances, beliefs, cred, rec.messenger, rec.focal,
                         country_focal[c], rec.portrayal, portray, issue, rec.stance_value,
                         claim, corrected)
            draw += 6
            out_flags[base + slot] = flags
            out_src[base + slot] = src
            seen[u, seen_pos[u] % seen.shape[1]] = v
            seen_pos[u] += 1


def kernel_parameters(params: dict[str, float]) -> np.ndarray:
    """The kernel's parameter record (a one-row array of ``KERNEL_PARAMETERS``) from resolved
    parameters; whole-number fields are truncated to integers."""
    kp = np.zeros(1, KERNEL_PARAMETERS)
    for name in KERNEL_PARAMETERS.names:
        kp[name] = int(params[name]) if name in _WHOLE else params[name]
    return kp
