"""Expected reactions to a video among a probe of its audience: the behaviour rules of
``diplosim.opinion.behaviour`` evaluated, not drawn. They give a video of an account the
scenario names its reactions on the platform (``diplosim.platform.audience``), where the sample
sees too little of it to count them."""

from __future__ import annotations

from numba import njit

from diplosim.opinion.behaviour import completion_probability, congruence, engagement_factor

__all__ = ["PROBE", "probe"]

#: Users of a named account's target countries whose expected reactions make its video's rates
#: (an assumption: enough for the mean of a bounded rate to within about an eighth of its
#: spread, the same number at any world size).
PROBE = 64


@njit(cache=True)
def probe(kp, videos, hot, users, u_lang1, u_lang2, u_country, interests, topic_boost,
          stances, out_done, out_eng, out_velocity):
    """Each video's expected completion, engagement (likes + comments + shares) and trending
    weight (likes + 2 comments + 4 shares + 0.2 completions) per view, averaged over its probe
    users (``users[i]``, a row per video, -1 for none)."""
    for i in range(videos.shape[0]):
        rec = hot[videos[i]]
        done = eng_sum = vel = 0.0
        m = 0
        for k in range(users.shape[1]):
            u = users[i, k]
            if u < 0:
                continue
            c = u_country[u]
            best = 1e-9
            for t in range(interests.shape[1]):
                best = max(best, interests[u, t] * topic_boost[c, t])
            match = interests[u, rec.topic] * topic_boost[c, rec.topic] / best
            speaks = rec.lang == u_lang1[u] or rec.lang == u_lang2[u]
            cong = 0.75
            if rec.stance_issue >= 0:
                cong = congruence(stances[u, rec.stance_issue], rec.stance_value)
            p = completion_probability(kp, match, rec.appeal, speaks, cong)
            e = engagement_factor(kp, rec.appeal, cong)
            if rec.claim_false:
                e *= kp.false_claim_novelty
            like = p * kp.like_given_completion * e
            comment = p * kp.comment_given_completion * e
            share = p * kp.share_given_completion * e
            done += p
            eng_sum += like + comment + share
            vel += like + 2.0 * comment + 4.0 * share + 0.2 * p
            m += 1
        if m > 0:
            out_done[i] = done / m
            out_eng[i] = eng_sum / m
            out_velocity[i] = vel / m
