"""The per-impression loop, compiled: each active user scrolls one feed page; every slot picks a
video, draws the viewer's behaviour and applies persuasion. What friends sent to the user's
inbox since the last session fills the first slots (the sender is the share's source, so a
video can travel from friend to friend for many generations).

Users are independent within a tick: a user writes only its own state and its own output slots,
and reads others' state from the start of the tick, so the result is the same on any number of
threads. Random numbers are counter-based, keyed by (seed, tick, user, draw).
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from diplosim.opinion.behaviour import completion_probability, congruence, engagement_factor
from diplosim.opinion.persuasion import (
    belief_step,
    contact_step,
    favourability_step,
    source_trust,
    stance_step,
)
from diplosim.platform.recommender import pick_weighted
from diplosim.platform.rng import stream_key, uniform_at
from diplosim.prefetch import prefetch

__all__ = ["FLAG", "FOLLOW_WINDOW", "KP", "run_sessions"]

#: Bits of an impression's outcome.
FLAG = {"impression": 1, "complete": 2, "like": 4, "comment": 8, "share": 16, "follow": 32,
        "challenge": 64}
#: Kernel parameters, by position in the float64 vector passed in.
KP = ("completion_base", "like_given_completion", "comment_given_completion",
      "share_given_completion", "follow_given_completion", "language_mismatch_factor",
      "challenge_post_probability", "fact_check_share_reduction", "fact_check_like_reduction",
      "favourability_rate", "favourability_saturation", "stance_rate", "stance_confidence_bound",
      "stance_backfire", "belief_rate", "correction_rate", "cross_language_acceptance",
      "state_media_demotion", "fact_check_demotion", "label_credibility_factor",
      "everyday_favourability_factor", "false_claim_novelty", "stance_backfire_commitment",
      "source_trust_slope", "hostile_threshold", "hostile_boomerang", "contact_ceiling")
(_C_BASE, _LIKE, _COMMENT, _SHARE, _FOLLOW, _MISMATCH, _CHALLENGE, _FC_SHARE, _FC_LIKE,
 _FAV_RATE, _FAV_SAT, _ST_RATE, _ST_BOUND, _ST_BACK, _B_RATE, _CORR, _XLANG, _SM_DEMOTE,
 _FC_DEMOTE, _LABEL_CRED, _EVERYDAY, _NOVELTY, _ST_COMMIT, _TRUST, _HOSTILE, _BOOMERANG,
 _CONTACT) = range(len(KP))
_TRIES = 6
_AHEAD = 2  # users ahead whose rows are prefetched
FOLLOW_WINDOW = 48  # hours a followed account's post or share stays in its followers' feeds
_STATE_MEDIA = 5     # MESSENGER_TYPES index of state_media


@njit(cache=True)
def _followed(u, r1, r2, mode, tick, follow_ptr, follow_idx, extra, ring_vid, ring_tick,
              v_eng):
    """(video, via account) from a random followed account's recent items, or (-1, -1)."""
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
    for k in range(ring_vid.shape[1]):
        v = ring_vid[f, k]
        if v < 0:
            continue
        age = (tick - np.int64(ring_tick[f, k])) % 65536  # ticks are kept modulo 2**16
        if age >= FOLLOW_WINDOW:
            continue
        # chronological: the newest item; otherwise the most engaging
        key = float(FOLLOW_WINDOW - age) if mode == 2 else v_eng[v] + r2 * 1e-3
        if key > best_key:
            best, best_key = v, key
    return best, f


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
                 kp,
                 u_country, u_lang1, u_lang2, interests, topic_boost, attitudes, stances,
                 beliefs, expo, seen, seen_pos, follow_ptr, follow_idx, extra, extra_pos,
                 ring_vid, ring_tick, inbox_vid, inbox_from, inbox_tick,
                 vids, v_eng,
                 target_masks, credibility, country_focal, portray,
                 pool_ptr, pool_ids, pool_cum, pool_guide, trend_ptr, trend_ids, trend_cum,
                 topic_ptr, topic_ids, topic_cum, recent_ids, diversity,
                 out_video, out_flags, out_from):
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
            prefetch(inbox_vid, w)
        if i + 1 < users.shape[0]:
            prefetch(follow_idx, follow_ptr[users[i + 1]])
        u = users[i]
        c = u_country[u]
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
        k_in = 0  # the next inbox entry to read
        for slot in range(page_size):
            v, via = -1, -1
            # what friends sent comes first (read once, then cleared; no draws are taken)
            while k_in < inbox_vid.shape[1]:
                cand = inbox_vid[u, k_in]
                k_in += 1
                if cand < 0:
                    continue
                inbox_vid[u, k_in - 1] = -1
                if (tick - np.int64(inbox_tick[u, k_in - 1])) % 65536 >= FOLLOW_WINDOW:
                    continue
                rec = vids[cand]
                if rec.author == u or not target_masks[rec.target_set, c]:
                    continue
                if foreign_blocked[c] and v_origin[cand] != c:
                    continue
                if _seen(u, cand, seen, page, slot):
                    continue
                v, via = cand, inbox_from[u, k_in - 1]
                break
            for _ in range(_TRIES if v < 0 else 0):
                # one independent draw per decision: source, language, pick, aux, diversity
                # (counter-based draws are computed only where used; the numbering is fixed)
                r = uniform_at(key, draw)
                r2 = uniform_at(key, draw + 2)
                diverse = diversity > 0.0 and uniform_at(key, draw + 4) < diversity
                cand, cvia, source_interest = -1, -1, False
                if diverse and recent_ids.shape[0] > 0:
                    cand = recent_ids[int(r2 * recent_ids.shape[0])]
                    source_interest = True
                elif r < mix[1]:
                    lang = u_lang1[u]
                    if u_lang2[u] != 65535 and uniform_at(key, draw + 1) >= 0.8:
                        lang = u_lang2[u]
                    if r < mix[0]:
                        cand = pick_weighted(pool_ptr, pool_ids, pool_cum, lang, r2, pool_guide)
                    else:
                        cand = pick_weighted(trend_ptr, trend_ids, trend_cum, lang, r2)
                elif r < mix[2]:
                    x = uniform_at(key, draw + 3) * total
                    t = 0
                    while t < n_topics - 1 and x >= interests[u, t] * topic_boost[c, t]:
                        x -= interests[u, t] * topic_boost[c, t]
                        t += 1
                    cand = pick_weighted(topic_ptr, topic_ids, topic_cum, t, r2)
                    source_interest = True
                else:
                    cand, cvia = _followed(u, r2, uniform_at(key, draw + 3), mode, tick,
                                           follow_ptr, follow_idx, extra, ring_vid, ring_tick,
                                           v_eng)
                draw += 5
                if cand < 0:
                    continue
                rec = vids[cand]  # one cache line: everything the feed reads of a video
                if rec.author == u or not target_masks[rec.target_set, c]:
                    continue
                if foreign_blocked[c] and v_origin[cand] != c:
                    continue  # a national information environment: domestic accounts only
                if _seen(u, cand, seen, page, slot):
                    continue
                speaks = rec.lang == u_lang1[u] or rec.lang == u_lang2[u]
                accept = 1.0
                if source_interest and not speaks:
                    accept *= kp[_XLANG]
                if labels_on[c] and rec.labelled and rec.messenger == _STATE_MEDIA:
                    accept *= 1.0 - kp[_SM_DEMOTE]
                if rec.claim_false and rec.fact_check_tick <= tick:
                    accept *= 1.0 - kp[_FC_DEMOTE]
                if accept < 1.0 and uniform_at(key, draw) >= accept:
                    draw += 1
                    continue
                draw += 1
                v, via = cand, cvia
                break
            if v < 0:
                if mode == 2:
                    break  # a chronological feed runs out: the session ends
                continue
            page[slot] = v
            flags = 1
            rec = vids[v]
            issue, claim, topic = rec.stance_issue, rec.claim, rec.topic
            # behaviour
            match = interests[u, topic] * topic_boost[c, topic] / best
            speaks = rec.lang == u_lang1[u] or rec.lang == u_lang2[u]
            cong = 0.75
            if issue >= 0:
                cong = congruence(stances[u, issue], rec.stance_value)
            p_done = completion_probability(kp[_C_BASE], match, rec.appeal, speaks,
                                            kp[_MISMATCH], cong)
            if uniform_at(key, draw) < p_done:
                flags |= 2
                corrected = rec.claim_false and rec.fact_check_tick <= tick
                eng = engagement_factor(rec.appeal, cong)
                if rec.claim_false:
                    eng *= kp[_NOVELTY]  # false claims are more novel (Vosoughi 2018)
                p_like = kp[_LIKE] * eng * ((1.0 - kp[_FC_LIKE]) if corrected else 1.0)
                p_share = kp[_SHARE] * eng * ((1.0 - kp[_FC_SHARE]) if corrected else 1.0)
                if uniform_at(key, draw + 1) < p_like:
                    flags |= 4
                if uniform_at(key, draw + 2) < kp[_COMMENT] * eng:
                    flags |= 8
                if uniform_at(key, draw + 3) < p_share:
                    flags |= 16
                    out_from[base + slot] = via if via >= 0 else rec.author
                if uniform_at(key, draw + 4) < kp[_FOLLOW] * eng * match:
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
                if rec.challenge and uniform_at(key, draw + 5) < kp[_CHALLENGE]:
                    flags |= 64
                # persuasion
                cred = credibility[rec.messenger]
                if labels_on[c] and rec.labelled:
                    cred *= kp[_LABEL_CRED]
                f = rec.focal
                own = country_focal[c]
                p = rec.portrayal
                trust = 1.0
                if f >= 0 and f != own:  # diplomacy: foreign messengers only
                    a = np.float64(attitudes[u, f])
                    # political content pulls toward its country inside the viewer's
                    # latitude of acceptance (the stance confidence bound) and away beyond it
                    direction = 1.0
                    if issue >= 0:
                        gap = abs(np.float64(rec.stance_value)
                                  - np.float64(stances[u, issue]))
                        direction = max(-1.0, 1.0 - gap / kp[_ST_BOUND])
                    tr = source_trust(a, kp[_TRUST], kp[_HOSTILE], kp[_BOOMERANG])
                    if p > 0 and portray[p, f] != 0.0:
                        pass  # the content says how it portrays its own country (below)
                    elif rec.messenger == 0:
                        # an ordinary creator: everyday contact, blocked by hostility, up to
                        # a ceiling
                        attitudes[u, f] = contact_step(a, direction * kp[_EVERYDAY] * max(tr, 0.0),
                                                       cred, kp[_FAV_RATE], float(expo[u, f]),
                                                       kp[_FAV_SAT], kp[_CONTACT])
                    elif tr < 0.0:
                        # a hostile viewer reads the pitch as hostile: moves away
                        attitudes[u, f] = favourability_step(a, tr * abs(direction), cred,
                                                             kp[_FAV_RATE], float(expo[u, f]),
                                                             kp[_FAV_SAT])
                    else:
                        attitudes[u, f] = favourability_step(a, direction, cred * tr,
                                                             kp[_FAV_RATE], float(expo[u, f]),
                                                             kp[_FAV_SAT])
                    if rec.messenger != 0:
                        trust = max(tr, 0.0)
                    if expo[u, f] < 65535:
                        expo[u, f] += 1
                if p > 0:
                    # how the content portrays countries (the viewer's own excepted)
                    for g in range(portray.shape[1]):
                        w = portray[p, g]
                        if w == 0.0 or g == own:
                            continue
                        attitudes[u, g] = favourability_step(np.float64(attitudes[u, g]), w,
                                                             cred * trust,
                                                             kp[_FAV_RATE], float(expo[u, g]),
                                                             kp[_FAV_SAT])
                        if g != f and expo[u, g] < 65535:
                            expo[u, g] += 1
                if issue >= 0:
                    # in float64, as the Python statement of the rule computes it
                    stances[u, issue] = stance_step(np.float64(stances[u, issue]),
                                                    np.float64(rec.stance_value), cred * trust,
                                                    kp[_ST_RATE], kp[_ST_BOUND], kp[_ST_BACK],
                                                    kp[_ST_COMMIT])
                if claim >= 0:
                    beliefs[u, claim] = belief_step(beliefs[u, claim], cred * trust,
                                                    kp[_B_RATE], corrected, kp[_CORR])
            draw += 6
            out_flags[base + slot] = flags
            seen[u, seen_pos[u] % seen.shape[1]] = v
            seen_pos[u] += 1


def kernel_parameters(params: dict[str, float]) -> np.ndarray:
    return np.array([params[name] for name in KP], dtype=np.float64)
