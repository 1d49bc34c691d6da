"""The platform audience of the accounts a scenario names.

The simulated users are a sample of the platform's users (the ODD page's sampling concept). A
sampled user's video draws its platform views from the sample's feed: a sample's feed stands
for the platform's, so views per video are the platform's. An account the scenario names is
kept whole, so the sample must not see its videos more often than a sample of the platform
would: the candidate lists weigh them by the sampling fraction *f*. What the platform gives
such a video is then the sources' *expected* picks: in an hour, a source's slots in a group
(the pool and trending by language, interest by topic) filled in the viewers' countries,
times the video's share of the group's weight, over *f*; the feed's demotions (labelled state
media, fact-checked false claims) and the interest source's language filter apply as in the
feed. Its reactions on the platform are its expected rates among a probe of its target
audience (``diplosim.opinion.probe``): the behaviour rules evaluated, not drawn, for
``PROBE`` users of its target countries; the exposure pool, trending velocity and
interest rating count those expected reactions. Nothing here moves the sample's opinions:
those move only with what the sample saw.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["expected_picks"]

_STATE_MEDIA = 5  # MESSENGER_TYPES index of state_media


@njit(cache=True)
def _list_picks(ptr, ids, cum, slots, src, weight, hot, cover, labels_on, speak_share,
                kp, tick, interest, base, out):
    """Expected platform picks this hour of every named video of one CSR candidate list."""
    n_groups = ptr.shape[0] - 1
    for g in range(n_groups):
        a, b = ptr[g], ptr[g + 1]
        if b <= a:
            continue
        lo = cum[a - 1] if a > 0 else 0.0
        total = cum[b - 1] - lo
        if total <= 0.0:
            continue
        for k in range(a, b):
            v = ids[k]
            if v < 0 or weight[v] >= 1.0:  # a platform share entry, or the sample's own video
                continue
            w = cum[k] - (cum[k - 1] if k > 0 else 0.0)
            rec = hot[v]
            seen = 0.0
            for c in range(slots.shape[2]):
                n = slots[src, g, c]
                shown = cover[rec.target_set, c]
                if n == 0 or shown == 0.0:
                    continue
                accept = 1.0
                if interest:
                    s = speak_share[c, rec.lang]
                    accept = s + (1.0 - s) * kp.cross_language_acceptance
                if labels_on[c] and rec.labelled and rec.messenger == _STATE_MEDIA:
                    accept *= 1.0 - kp.state_media_demotion
                if rec.claim_false and rec.fact_check_tick <= tick:
                    accept *= 1.0 - kp.fact_check_demotion
                seen += n * accept * shown  # (shown: 1 unless aimed at some ages)
            out[v - base] += seen * (w / total) / weight[v]


def expected_picks(cand, slots: np.ndarray, store, cover: np.ndarray, labels_on: np.ndarray,
                   speak_share: np.ndarray, kp: np.ndarray, tick: int, base: int
                   ) -> np.ndarray:
    """Expected platform views this hour of the named accounts' videos from ``base`` on
    (0 for the sample's videos): the pool's, trending's and interest's picks (``slots``: by
    source, group and viewer country; ``cand``: the hour's candidate lists) and the diversity
    source's. ``cover``: target set x viewer country -> the share of its users shown the set's
    posts (``engine.state.target_cover``)."""
    out = np.zeros(store.n - base, np.float64)
    weight, hot = store.weight, store.hot
    k = kp[0]
    lists = ((cand.pool_ptr, cand.pool_ids, cand.pool_cum, 0, False),
             (cand.trend_ptr, cand.trend_ids, cand.trend_cum, 1, False),
             (cand.topic_ptr, cand.topic_ids, cand.topic_cum, 2, True))
    for ptr, ids, cum, src, interest in lists:
        _list_picks(ptr, ids, cum, slots, src, weight, hot, cover, labels_on, speak_share, k,
                    tick, interest, base, out)
    diverse = int(slots[3].sum())
    if diverse and cand.recent_n:
        lo, hi = cand.recent_lo, cand.recent_lo + cand.recent_n
        named = weight[lo:hi] < 1.0
        # a uniform draw over the sample's recent videos, a named one kept with its weight:
        # per slot, each named video is seen 1 / (public + f x named) times, over f
        effective = float(np.count_nonzero(~named) + weight[lo:hi][named].sum())
        rows = lo + np.flatnonzero(named)
        out[rows - base] += diverse / effective
    return out
