"""The accounts a scenario names, at their real scale in a sampled world: their new videos'
probe of expected reactions, and each hour the platform audience their videos draw
(``diplosim.platform.audience``, ``diplosim.opinion.probe``)."""

from __future__ import annotations

import numpy as np

from diplosim.engine.state import SimState, rng_for
from diplosim.opinion.probe import PROBE, probe
from diplosim.platform.audience import expected_picks
from diplosim.platform.recommender import Candidates

__all__ = ["add_platform_audience", "probe_new"]


def probe_new(state: SimState, tick: int, ids: np.ndarray) -> None:
    """Expected reactions per view of the named accounts' new videos ``ids``, among ``PROBE``
    users drawn uniformly from their target countries (and targeted age groups)."""
    if ids.size == 0:
        return
    st, pop = state.store, state.pop
    masks = state.catalogue.masks()
    bounds = np.searchsorted(pop.country, np.arange(len(pop.countries) + 1))
    sizes = np.diff(bounds)
    rng = rng_for(state.scenario.seed, tick, 8)
    users = np.full((ids.size, PROBE), -1, np.int64)
    ages = state.catalogue.age_masks()
    for ts in np.unique(st.target_set[ids]):
        rows = np.flatnonzero(st.target_set[ids] == ts)
        shown = masks[ts, :len(sizes)] & (sizes > 0)
        if not shown.any():
            continue
        if not ages[ts].all():  # aimed at some age groups: drawn among their users
            pool = np.flatnonzero(shown[pop.country] & ages[ts][pop.age])
            if pool.size:
                users[rows] = pool[rng.integers(0, pool.size, (rows.size, PROBE))]
            continue
        cum = np.cumsum(np.where(shown, sizes, 0))
        draw = rng.integers(0, cum[-1], (rows.size, PROBE))
        country = np.searchsorted(cum, draw, side="right")
        users[rows] = bounds[country] + draw - (cum[country] - sizes[country])
    out = [np.zeros(ids.size, np.float32) for _ in range(3)]
    probe(state.kernel_params[0], ids, st.hot, users, pop.lang1, pop.lang2, pop.country,
          pop.interests, state.topic_boost(tick), pop.stances, *out)
    st.p_done[ids], st.p_eng[ids], st.p_rating[ids] = out


def add_platform_audience(state: SimState, cand: Candidates, slots: np.ndarray, tick: int,
                          base: int) -> float:
    """The hour's expected platform views of the named accounts' videos onto their platform
    views, exposure pool, trending velocity and interest rating (reactions at their probe's
    rates; the pool's counts rounded at random, so they stay whole and unbiased); returns the
    hour's total."""
    st = state.store
    picks = expected_picks(cand, slots, st, state.cover, state.labels_on, state.speak_share,
                           state.kernel_params, tick, base)
    rows = np.flatnonzero(picks > 0.0)
    if rows.size == 0:
        return 0.0
    v = base + rows
    e = picks[rows]
    st.platform_views[v] += e
    st.all_views[v] += e.astype(np.float32)
    st.all_engaged[v] += (e * st.p_rating[v]).astype(np.float32)
    st.eng_decayed[v] += (e * (st.p_rating[v] + 0.2 * st.p_done[v])).astype(np.float32)
    live = st.pool_stage[v] >= 0
    if live.any():
        rng = rng_for(state.scenario.seed, tick, 9)
        lv, le = v[live], e[live]
        u = rng.random((2, lv.size))
        st.pool_views[lv] += np.floor(le + u[0]).astype(np.int32)
        st.pool_eng[lv] += np.floor(le * st.p_eng[lv] + u[1]).astype(np.int32)
    return float(e.sum())
