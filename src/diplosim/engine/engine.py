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

from diplosim._version import __version__
from diplosim.actors.campaigns import campaign_posts, creator_posts
from diplosim.engine import checkpoint
from diplosim.engine.kernel import run_sessions
from diplosim.engine.memory import prepare_run_memory, release_freed_memory
from diplosim.engine.outcomes import (
    CHUNK_USERS,
    INTERACTION_KINDS,
    TickBuffers,
    TickLog,
    interaction_table,
    push_ring,
    sweep_rings,
)
from diplosim.engine.snapshots import attitude_table, audience_table
from diplosim.engine.state import DIURNAL, SimState, build_state
from diplosim.engine.tables import account_counts, accounts_table, posts_table, slices
from diplosim.engine.timeline import apply_events, network_bursts
from diplosim.errors import DiplosimError
from diplosim.parameters import PARAMETERS
from diplosim.platform.exposure_pools import promote
from diplosim.platform.recommender import (
    MODES,
    build_candidates,
    candidate_window,
    source_mix,
)
from diplosim.platform.videos import NEVER, NewVideos
from diplosim.scenario.schema import Scenario
from diplosim.store.contract import EMPTY_EVENTS, SIMULATED, schema
from diplosim.store.writer import (
    STAGE,
    TABLES,
    RunWriter,
    read_manifest,
    write_text_atomic,
)

__all__ = ["Progress", "RunResult", "resume", "simulate"]

Progress = Callable[[int, int, int], None]  # (tick done, total ticks, impressions so far)


class RunResult:
    def __init__(self, out: Path, manifest: dict):
        self.out, self.manifest = out, manifest


def scenario_hash(scenario: Scenario) -> str:
    canonical = json.dumps(scenario.model_dump(mode="json"), sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _rng(seed: int, tick: int, stream: int) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, 400, tick, stream])))


#: The validated scenario in a run's staging folder, for ``resume``.
SCENARIO_FILE = "scenario.json"

#: Users per step of the per-hour passes over the population (bounds their temporaries).
USER_BLOCK = 1 << 16


def _blocks(state: SimState, tick: int):
    """(first, last + 1, hour factor, allowed or None) for consecutive blocks of users: how
    busy each user's local hour is, and who can use the app now (None: everyone)."""
    pop = state.pop
    hour = (np.floor(tick + state.utc_offset).astype(np.int64) % 24)
    factor_of_country = DIURNAL[hour]
    restricted = state.banned.any() or state.left_share.any()
    for lo in range(0, pop.size, USER_BLOCK):
        hi = min(pop.size, lo + USER_BLOCK)
        country = pop.country[lo:hi]
        yield lo, hi, factor_of_country[country], \
            _allowed(state, country, lo, hi) if restricted else None


def _allowed(state: SimState, country: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """Users who can use the app now: not banned, or behind a VPN; and not moved to another app
    during a ban. One uniform draw per user orders both: the lowest ``vpn_share`` keep using
    the app through a VPN, the highest ``left_share`` have left (the two never overlap)."""
    draw = state.vpn_draw[lo:hi]
    stays = ~state.banned[country] | (draw < state.vpn_share[country])
    if not state.left_share.any():  # the usual case: nobody has moved to another app
        return stays
    return stays & (draw < 1.0 - state.left_share[country])


def _creator_rates(state: SimState, tick: int):
    post_rate = state.accounts.post_rate
    for lo, hi, factor, allowed in _blocks(state, tick):
        rate = post_rate[lo:hi] / 24 * factor
        yield lo, rate if allowed is None else rate * allowed


def _post(state: SimState, tick: int, challenge: tuple) -> int:
    s, st, acc = state.scenario, state.store, state.accounts
    delay = state.fact_check_delay if state.fact_check else -1
    parts = [creator_posts(tick, _creator_rates(state, tick), state.pop,
                           state.focal_of_country, _rng(s.seed, tick, 1), state.params,
                           state.topic_boost(tick))]
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
    origin = acc.of("country", new.author.astype(np.int64))
    if state.uploads_blocked.any():
        # accounts based where uploads have stopped post nothing (exempt actors excepted)
        world = state.uploads_blocked.shape[0]
        blocked = (origin < world) & state.uploads_blocked[np.minimum(origin, world - 1)]
        actor = acc.of("actor", new.author.astype(np.int64))
        blocked &= ~((actor >= 0) & state.upload_exempt[np.maximum(actor, 0)])
        if blocked.any():
            new, origin = new.take(~blocked), origin[~blocked]
            if len(new) == 0:
                return 0
    if delay >= 0:
        false = new.claim_false & (new.fact_check_tick == NEVER)
        new.fact_check_tick[false] = new.created_tick[false] + delay
    ids = st.append(new)
    st.pool_stage[ids] = 0
    st.actor[ids] = state.actor_of(ids)
    st.origin[ids] = origin
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
    net_of = acc.of("network", st.author[new])
    new, net_of = new[net_of >= 0], net_of[net_of >= 0]
    if new.size == 0:
        return None
    rng = _rng(state.scenario.seed, tick, 5)
    rows = []
    for net in np.unique(net_of):
        members = acc.n_users + np.flatnonzero(acc.extra["network"] == net)
        posts = new[net_of == net]
        m = min(5, members.size - 1)
        for kind in (0, 2):  # like, share
            booster = members[rng.integers(0, members.size, (posts.size, m))]
            post = np.repeat(posts, m)
            booster = booster.ravel()
            keep = booster != st.author[post]
            rows.append((np.full(int(keep.sum()), kind), booster[keep], post[keep]))
    kind, account, post = (np.concatenate(x) for x in zip(*rows, strict=True))
    # counted over the hour's new posts only (``post`` holds nothing older): a count over the
    # whole store would cost a pass over every video ever posted, each burst hour
    fresh, n_new = post - first_new, st.n - first_new
    likes = np.bincount(fresh[kind == 0], minlength=n_new)
    shares = np.bincount(fresh[kind == 2], minlength=n_new)
    watched = np.bincount(fresh, minlength=n_new)  # boosters watch what they push
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


def _active_users(state: SimState, tick: int) -> np.ndarray:
    """Users who open the app this hour: sessions per day scaled by activity and local hour."""
    rng = _rng(state.scenario.seed, tick, 6)
    per_hour = state.params["sessions_per_day"] / 24
    parts = [np.empty(0, np.int64)]
    for lo, hi, factor, allowed in _blocks(state, tick):
        p = per_hour * state.pop.activity[lo:hi] * factor
        if allowed is not None:
            p = p * allowed
        parts.append(lo + np.flatnonzero(rng.random(hi - lo) < p))
    return np.concatenate(parts).astype(np.int64)


def simulate(scenario: Scenario, out: str | Path, progress: Progress | None = None,
             checkpoint_every: int | None = None) -> RunResult:
    """Run ``scenario`` and write its event log to ``out``; returns the manifest. With
    ``checkpoint_every`` (days), the whole state is saved at those days' ends, so a killed
    run can go on with ``resume(out)``."""
    if checkpoint_every is not None and checkpoint_every < 1:
        raise DiplosimError(f"checkpoints are taken every whole number of days (>= 1), not "
                            f"{checkpoint_every}")
    started = time.perf_counter()
    out = Path(out)
    prepare_run_memory()
    state = build_state(scenario)
    release_freed_memory()
    manifest = _manifest(scenario, state)
    manifest["checkpoint_every_days"] = checkpoint_every
    writer = RunWriter(out, manifest)
    # The scenario as validated, in its own key order (the manifest's copy is key-sorted, and
    # the order of a content mix's keys matters to its draws): what a resumed run rebuilds.
    write_text_atomic(writer.stage / SCENARIO_FILE, scenario.model_dump_json())
    carry = {"tick": 0, "impressions": 0, "challenge": [np.empty(0, np.int64),
                                                       np.empty(0, np.int32)]}
    return _execute(state, writer, carry, progress, checkpoint_every, started)


def resume(out: str | Path, progress: Progress | None = None) -> RunResult:
    """Go on with a run that stopped (killed, out of disk) from its last checkpoint, or from
    the start when it had none; the tables end byte-identical to a run never stopped."""
    started = time.perf_counter()
    out = Path(out)
    stage = out / STAGE
    manifest = read_manifest(stage / "manifest.json")
    if manifest is None:
        done = read_manifest(out / "manifest.json")
        if done is not None and done.get("completed") is True:
            raise DiplosimError(f"{out}: the run is complete; nothing to resume")
        raise DiplosimError(f"{out}: no stopped run to resume here (no {STAGE}/manifest.json)")
    if manifest.get("diplosim_version") != __version__:
        raise DiplosimError(f"{out}: the run was started by diplosim "
                            f"{manifest.get('diplosim_version')}, this is {__version__}; its "
                            f"results would not match: run it again from the start")
    source = stage / SCENARIO_FILE
    try:
        scenario = Scenario.model_validate_json(source.read_bytes())
    except (OSError, ValueError) as e:
        raise DiplosimError(f"{source}: cannot rebuild the run's scenario ({e})") from None
    if scenario_hash(scenario) != manifest.get("scenario_hash"):
        raise DiplosimError(f"{source}: the scenario does not match the manifest's "
                            f"scenario_hash; run it again from the start")
    every = manifest.get("checkpoint_every_days")
    pointer = checkpoint.latest(stage)
    if pointer is None:  # killed before the first checkpoint: start again
        return simulate(scenario, out, progress, every)
    prepare_run_memory()
    state, carry = checkpoint.load(stage, pointer, scenario, SimState)
    release_freed_memory()
    writer = RunWriter(out, manifest, resume_segment=int(pointer["segment"]))
    return _execute(state, writer, carry, progress, every, started)


def _execute(state: SimState, writer: RunWriter, carry: dict, progress: Progress | None,
             every: int | None, started: float) -> RunResult:
    try:
        totals = _loop(state, writer, carry, progress, every)
        _write_final(state, writer)
    except BaseException:
        writer.abort()
        raise
    st = state.store
    extra = {"wall_seconds": round(time.perf_counter() - started, 3), "posts": int(st.n),
             **totals, "bytes_per_user": round(state.nbytes_per_user, 1),
             "video_store_bytes": int(st.nbytes)}
    writer.finish(extra)
    return RunResult(writer.out, writer.manifest)


def _write_final(state: SimState, writer: RunWriter) -> None:
    st = state.store
    # a row group per slice: a whole group of these wide rows (texts, handles) held while the
    # writer catches up cost 30 bytes per user at the end of a run
    for lo, hi in slices(st.n):
        writer.append("posts", posts_table(state, lo, hi))
        writer.flush("posts")
    release_freed_memory()
    counts = account_counts(state)
    for lo, hi in slices(state.accounts.size):
        writer.append("accounts", accounts_table(state, lo, hi, counts))
        writer.flush("accounts")
    del counts
    release_freed_memory()
    writer.write("events", pa.Table.from_pylist(state.event_log, schema("events", SIMULATED))
                 if state.event_log else EMPTY_EVENTS.empty_table())


def _loop(state: SimState, writer: RunWriter, carry: dict, progress: Progress | None,
          every: int | None) -> dict:
    """Play from tick ``carry["tick"]`` to the end; ``carry`` holds what the loop keeps from
    one tick to the next besides ``state`` (saved with it at checkpoints)."""
    s = state.scenario
    total_ticks = s.duration_days * 24
    decay = 0.5 ** (1 / state.params["trending_half_life_hours"])
    threshold = state.params["pool_promotion_engagement"]
    challenge = tuple(carry["challenge"])
    impressions = int(carry["impressions"])
    first = int(carry["tick"])
    if first == 0:
        writer.append("attitudes", attitude_table(state, 0))
    window = candidate_window(int(state.params["pool_max_age_hours"]))
    buffers = TickBuffers()  # the run's per-tick scratch, freed when the loop ends
    for tick in range(first, total_ticks):
        if tick % 24 == 0:
            state.video_floor = _video_floor(state, tick, window)
        state.pending = apply_events(state, tick, _rng(s.seed, tick, 7), state.event_log)
        first_new = state.store.n
        _post(state, tick, challenge)
        boosted = _boost_networks(state, tick, first_new)
        if boosted is not None:
            writer.append("interactions", boosted)
        users = _active_users(state, tick)
        log = _play(state, tick, users, buffers)
        exposures, interactions = log.finish(decay)
        promote(state.store, state.quotas, threshold, state.video_floor)
        impressions += log.impressions
        challenge = log.challenges
        writer.append("exposures", exposures)
        writer.append("interactions", interactions)
        # the tick's rows must not live on into the next tick (its per-video scratch does:
        # ``buffers``)
        del log, users, exposures, interactions, boosted
        release_freed_memory()
        if tick % 24 == 23:
            day = tick // 24 + 1
            writer.append("attitudes", attitude_table(state, day))
            writer.append("audience", audience_table(state, day - 1))
            writer.end_day()
            if every is not None and (day % every == 0 or tick + 1 == total_ticks):
                writer.close_segment()
                checkpoint.save(writer.stage, state, tick + 1,
                                {"tick": tick + 1, "impressions": impressions,
                                 "challenge": list(challenge)}, writer.segment)
        if progress is not None:
            progress(tick + 1, total_ticks, impressions)
    return {"impressions": impressions, "ticks": total_ticks,
            "numba_threads": numba.get_num_threads()}


def _video_floor(state: SimState, tick: int, window: int) -> int:
    """The oldest video anyone can be shown from ``tick`` to the day's end: the oldest
    candidate, or an older video in a followed account's ring or a friend's send that is still
    fresh. Videos shared during the day were shown during the day and new ones are newer, so it
    holds all day; older videos are never shown again, and per-tick work skips them."""
    first = state.store.first_since(tick - window + 1)
    for vid, sent in ((state.ring_vid, state.ring_tick), (state.inbox_vid, state.inbox_tick)):
        shared = sweep_rings(vid, sent, tick, int(state.params["follow_window_hours"]))
        if shared >= 0:
            first = min(first, shared)
    return first


def _play(state: SimState, tick: int, users: np.ndarray,
          buffers: TickBuffers | None = None) -> TickLog:
    """Every active user scrolls one feed page, ``CHUNK_USERS`` users per kernel call."""
    s, st, pop, acc = state.scenario, state.store, state.pop, state.accounts
    page = int(state.params["videos_per_session"])
    if state.masks.shape[0] != len(state.catalogue.target_sets):  # a new target set
        state.masks = state.catalogue.masks()
    if len(state.set_tags) != len(state.catalogue.hashtag_sets):  # a campaign's first post
        state.set_tags = state.catalogue.set_tags()
    if state.portray.shape[0] != len(state.catalogue.portrayals):
        state.portray = state.catalogue.portray_table(state.focal_of_code)
    cand = build_candidates(st, tick, len(state.languages), state.quotas,
                            int(state.params["pool_max_age_hours"]), state.set_tags,
                            state.params["hashtag_trend_pooling"])
    mix = source_mix(state.params, state.ranking)
    kp, cred = state.kernel_params, state.credibility
    boost = state.topic_boost(tick)
    diversity = state.diversity if state.ranking == "engagement" else 0.0
    size = min(users.size, CHUNK_USERS) * page
    out_video = np.empty(size, np.int32)
    out_flags = np.empty(size, np.uint8)
    out_from = np.empty(size, np.int32)
    log = TickLog(state, tick, state.video_floor, buffers)
    for lo in range(0, max(users.size, 1), CHUNK_USERS):
        chunk = users[lo:lo + CHUNK_USERS]
        k = chunk.size * page
        out_video[:k], out_flags[:k], out_from[:k] = -1, 0, -1
        run_sessions(
            np.uint64(s.seed), tick, chunk, page, mix, MODES.index(state.ranking),
            state.labels_on, state.foreign_blocked, st.origin, kp, pop.country, pop.lang1,
            pop.lang2, pop.interests,
            boost, pop.attitudes, pop.stances, pop.beliefs, state.expo,
            state.seen, state.seen_pos, acc.follow_ptr, acc.follow_idx, acc.extra_follows,
            state.extra_pos, state.ring_vid, state.ring_tick, state.inbox_vid, state.inbox_from,
            state.inbox_tick, st.hot, st.eng_decayed, state.masks, cred, state.focal_of_country,
            state.portray,
            cand.pool_ptr, cand.pool_ids, cand.pool_cum, cand.pool_guide, cand.trend_ptr,
            cand.trend_ids, cand.trend_cum, cand.topic_ptr, cand.topic_ids, cand.topic_cum,
            cand.recent_ids, diversity, out_video[:k], out_flags[:k], out_from[:k],
        )
        log.add(chunk, page, out_video[:k], out_flags[:k], out_from[:k],
                last=lo + CHUNK_USERS >= users.size)
    return log


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
