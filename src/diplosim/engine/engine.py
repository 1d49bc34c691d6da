"""The engine: plays a scenario hour by hour (actors post, feeds are served, viewers react and
are persuaded, events fire) and streams the event log to a run folder."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from pathlib import Path

import numba
import numpy as np
import pyarrow as pa

from diplosim import __version__
from diplosim.actors.campaigns import campaign_posts, creator_posts
from diplosim.engine.kernel import kernel_parameters, run_sessions
from diplosim.engine.outcomes import (
    ATTITUDE_SCHEMA,
    INTERACTION_KINDS,
    attitude_rows,
    audience_table,
    interaction_table,
    push_ring,
    tally,
)
from diplosim.engine.state import DIURNAL, SimState, build_state, credibility_table
from diplosim.engine.tables import accounts_table, posts_table
from diplosim.engine.timeline import apply_events, network_bursts
from diplosim.parameters import PARAMETERS
from diplosim.platform.exposure_pools import promote
from diplosim.platform.recommender import MODES, SOURCE_MIX, build_candidates
from diplosim.platform.videos import NEVER, NewVideos
from diplosim.scenario.schema import Scenario
from diplosim.store.writer import TABLES, RunWriter

__all__ = ["Progress", "RunResult", "simulate"]

Progress = Callable[[int, int, int], None]  # (tick done, total ticks, impressions so far)


class RunResult:
    def __init__(self, out: Path, manifest: dict):
        self.out, self.manifest = out, manifest


def scenario_hash(scenario: Scenario) -> str:
    canonical = json.dumps(scenario.model_dump(mode="json"), sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _rng(seed: int, tick: int, stream: int) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, 400, tick, stream])))


def _local_hour(state: SimState, tick: int) -> np.ndarray:
    return np.floor(tick + state.utc_offset).astype(np.int64) % 24


def _allowed(state: SimState) -> np.ndarray:
    """Users who can use the app now: not banned, or behind a VPN; and not moved to another app
    during a ban. One uniform draw per user orders both: the lowest ``vpn_share`` keep using
    the app through a VPN, the highest ``left_share`` have left (the two never overlap)."""
    pop = state.pop
    banned = state.banned[pop.country]
    draw = state.vpn_draw
    stays = ~banned | (draw < state.vpn_share[pop.country])
    if not state.left_share.any():  # the usual case: nobody has moved to another app
        return stays
    return stays & (draw < 1.0 - state.left_share[pop.country])


def _post(state: SimState, tick: int, allowed: np.ndarray, challenge: tuple) -> int:
    s, st, acc = state.scenario, state.store, state.accounts
    hour_factor = DIURNAL[_local_hour(state, tick)][state.pop.country]
    rate = acc.post_rate[: acc.n_users] / 24 * hour_factor * allowed
    delay = state.fact_check_delay if state.fact_check else -1
    parts = [creator_posts(tick, rate, state.pop, state.focal_of_country, _rng(s.seed, tick, 1),
                           state.params)]
    parts.append(campaign_posts(tick, s, acc, state.catalogue, state.vocab, state.focal_of_code,
                                _rng(s.seed, tick, 2), state.params,
                                delay))
    parts += network_bursts(state, tick, _rng(s.seed, tick, 3))
    parts += _challenge_posts(state, tick, *challenge)
    parts += state.pending
    state.pending = []
    new = NewVideos.concat(parts)
    if new is None:
        return 0
    if delay >= 0:
        false = new.claim_false & (new.fact_check_tick == NEVER)
        new.fact_check_tick[false] = new.created_tick[false] + delay
    ids = st.append(new)
    st.pool_stage[ids] = 0
    order = np.argsort(new.created_sec, kind="stable")
    push_ring(new.author[order].astype(np.int64), ids[order], tick, state.ring_vid,
              state.ring_tick, state.ring_pos)
    return len(new)


def _challenge_posts(state: SimState, tick: int, viewers: np.ndarray,
                     videos: np.ndarray) -> list[NewVideos]:
    """Viewers who took up a hashtag challenge post their own take an hour later."""
    if viewers.size == 0:
        return []
    st, pop = state.store, state.pop
    k = viewers.size
    rng = _rng(state.scenario.seed, tick, 4)
    cols = {name: getattr(st, name)[videos].copy() for name in NewVideos.__dataclass_fields__}
    cols.update(author=viewers.astype(np.int32), created_tick=np.full(k, tick, np.int32),
                created_sec=tick * 3600 + rng.integers(0, 3600, k), lang=pop.lang1[viewers],
                sponsor=np.full(k, -1, np.int16), messenger=np.zeros(k, np.uint8),
                labelled=np.zeros(k, np.bool_), focal=state.focal_of_country[pop.country[viewers]],
                variant=rng.integers(0, 1 << 30, k, dtype=np.int32),
                appeal=rng.beta(2, 4, k).astype(np.float32),
                fact_check_tick=np.full(k, NEVER, np.int32))
    return [NewVideos(**cols)]


def _boost_networks(state: SimState, tick: int, first_new: int) -> pa.Table | None:
    """Network accounts like and share their fellows' new posts within the burst."""
    st, acc = state.store, state.accounts
    new = np.arange(first_new, st.n)
    new = new[acc.network[st.author[new]] >= 0]
    if new.size == 0:
        return None
    rng = _rng(state.scenario.seed, tick, 5)
    rows = []
    for net in np.unique(acc.network[st.author[new]]):
        members = np.flatnonzero(acc.network == net)
        posts = new[acc.network[st.author[new]] == net]
        m = min(5, members.size - 1)
        for kind in (0, 2):  # like, share
            booster = members[rng.integers(0, members.size, (posts.size, m))]
            post = np.repeat(posts, m)
            booster = booster.ravel()
            keep = booster != st.author[post]
            rows.append((np.full(int(keep.sum()), kind), booster[keep], post[keep]))
    kind, account, post = (np.concatenate(x) for x in zip(*rows, strict=True))
    likes = np.bincount(post[kind == 0], minlength=st.n)[first_new:]
    shares = np.bincount(post[kind == 2], minlength=st.n)[first_new:]
    watched = np.bincount(post, minlength=st.n)[first_new:]  # boosters watch what they push
    st.impressions[first_new:st.n] += watched
    st.completions[first_new:st.n] += watched
    st.likes[first_new:st.n] += likes.astype(np.int32)
    st.shares[first_new:st.n] += shares.astype(np.int32)
    st.pool_views[first_new:st.n] += watched.astype(np.int32)
    st.pool_eng[first_new:st.n] += (likes + shares).astype(np.int32)
    st.eng_decayed[first_new:st.n] += (likes + 4 * shares).astype(np.float32)
    shared = kind == 2
    push_ring(account[shared].astype(np.int64), post[shared].astype(np.int32), tick,
              state.ring_vid, state.ring_tick, state.ring_pos)
    seconds = st.created_sec[post] + 1 + rng.integers(0, 60, post.size)
    source = np.where(kind == 2, st.author[post], -1)
    return interaction_table(tick, kind, account, post, st.author[post], source, seconds)


def _active_users(state: SimState, tick: int, allowed: np.ndarray) -> np.ndarray:
    pop = state.pop
    hour_factor = DIURNAL[_local_hour(state, tick)][pop.country]
    p = state.params["sessions_per_day"] / 24 * pop.activity * hour_factor * allowed
    u = _rng(state.scenario.seed, tick, 6).random(pop.size)
    return np.flatnonzero(u < p).astype(np.int64)


def simulate(scenario: Scenario, out: str | Path, progress: Progress | None = None) -> RunResult:
    """Run ``scenario`` and write its event log to ``out``; returns the manifest."""
    started = time.perf_counter()
    out = Path(out)
    state = build_state(scenario)
    writer = RunWriter(out, _manifest(scenario, state))
    try:
        totals = _loop(state, writer, progress)
    except BaseException:
        writer.abort()
        raise
    st = state.store
    writer.write("posts", posts_table(state))
    writer.write("accounts", accounts_table(state))
    writer.write("events", pa.Table.from_pylist(state.event_log) if state.event_log
                 else pa.table({"tick": pa.array([], pa.int32())}))
    extra = {"wall_seconds": round(time.perf_counter() - started, 3), "posts": int(st.n),
             **totals, "bytes_per_user": round(state.nbytes_per_user, 1),
             "video_store_bytes": int(st.nbytes)}
    writer.finish(extra)
    return RunResult(out, writer.manifest)


def _loop(state: SimState, writer: RunWriter, progress: Progress | None) -> dict:
    s = state.scenario
    total_ticks = s.duration_days * 24
    kp = kernel_parameters(state.params)
    cred = credibility_table(state.params)
    page = int(state.params["videos_per_session"])
    decay = 0.5 ** (1 / state.params["trending_half_life_hours"])
    masks = state.catalogue.masks()
    threshold = state.params["pool_promotion_engagement"]
    max_age = int(state.params["pool_max_age_hours"])
    set_tags = state.catalogue.set_tags()
    pooling = state.params["hashtag_trend_pooling"]
    challenge = (np.empty(0, np.int64), np.empty(0, np.int32))
    impressions = 0
    day_batches: dict[str, list[pa.Table]] = {"exposures": [], "interactions": []}
    first_day = attitude_rows(state, 0)
    writer.append("attitudes", pa.Table.from_pylist(first_day, schema=ATTITUDE_SCHEMA))
    for tick in range(total_ticks):
        state.pending = apply_events(state, tick, _rng(s.seed, tick, 7), state.event_log)
        allowed = _allowed(state)
        first_new = state.store.n
        _post(state, tick, allowed, challenge)
        boosted = _boost_networks(state, tick, first_new)
        if boosted is not None:
            day_batches["interactions"].append(boosted)
        masks = state.catalogue.masks() if masks.shape[0] != len(state.catalogue.target_sets) \
            else masks
        users = _active_users(state, tick, allowed)
        if len(set_tags) != len(state.catalogue.hashtag_sets):  # a campaign's first post
            set_tags = state.catalogue.set_tags()
        cand = build_candidates(state.store, tick, len(state.languages), state.quotas, max_age,
                                set_tags, pooling)
        out_video = np.full(users.size * page, -1, np.int32)
        out_flags = np.zeros(users.size * page, np.uint8)
        out_from = np.full(users.size * page, -1, np.int32)
        mix = np.cumsum(SOURCE_MIX[state.ranking])[:3]
        st, pop, acc = state.store, state.pop, state.accounts
        run_sessions(
            np.uint64(s.seed), tick, users, page, mix, MODES.index(state.ranking),
            state.labels_on, kp, pop.country, pop.lang1, pop.lang2, pop.interests,
            state.topic_boost(tick), pop.attitudes, pop.stances, pop.beliefs, state.expo,
            state.seen, state.seen_pos, acc.follow_ptr, acc.follow_idx, acc.extra_follows,
            state.extra_pos, state.ring_vid, state.ring_tick,
            st.author, st.lang, st.topic, st.appeal, st.stance_issue, st.stance_value, st.claim,
            st.claim_false, st.target_set, st.messenger, st.labelled, st.focal, st.challenge,
            st.fact_check_tick, st.eng_decayed, masks, cred, state.focal_of_country,
            cand.pool_ptr, cand.pool_ids, cand.pool_cum, cand.trend_ptr, cand.trend_ids,
            cand.trend_cum, cand.topic_ptr, cand.topic_ids, cand.topic_cum, cand.recent_ids,
            state.diversity if state.ranking == "engagement" else 0.0,
            out_video, out_flags, out_from,
        )
        outcome = tally(state, tick, users, page, out_video, out_flags, out_from, decay)
        promote(st, state.quotas, threshold)
        impressions += outcome.impressions
        challenge = outcome.challenges
        day_batches["exposures"].append(outcome.exposures)
        day_batches["interactions"].append(outcome.interactions)
        if tick % 24 == 23:
            for name, batches in day_batches.items():
                writer.append(name, pa.concat_tables(batches, promote_options="permissive"))
                batches.clear()
            writer.append("attitudes", pa.Table.from_pylist(
                attitude_rows(state, tick // 24 + 1), schema=ATTITUDE_SCHEMA))
            writer.append("audience", audience_table(state, tick // 24))
        if progress is not None:
            progress(tick + 1, total_ticks, impressions)
    return {"impressions": impressions, "ticks": total_ticks,
            "numba_threads": numba.get_num_threads()}


def _manifest(scenario: Scenario, state: SimState) -> dict:
    return {
        "diplosim_version": __version__,
        "scenario": scenario.model_dump(mode="json"),
        "scenario_hash": scenario_hash(scenario),
        "seed": scenario.seed,
        "users": state.pop.size,
        "parameters": {name: {"value": state.params[name], "unit": p.unit, "source": p.source}
                       for name, p in PARAMETERS.items()},
        "tables": list(TABLES),
        "interaction_kinds": list(INTERACTION_KINDS),
    }
