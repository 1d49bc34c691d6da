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

from diplosim._version import __version__, model_hash
from diplosim.engine import checkpoint
from diplosim.engine.hour import active_users, boost_networks, post_hour, rng_for
from diplosim.engine.inboxes import compact_inboxes
from diplosim.engine.kernel import run_sessions
from diplosim.engine.memory import prepare_run_memory, release_freed_memory
from diplosim.engine.named import add_platform_audience
from diplosim.engine.outcomes import (
    BY_SOURCE,
    CHUNK_USERS,
    INTERACTION_KINDS,
    TickBuffers,
    TickLog,
)
from diplosim.engine.rings import compact_rings, ring_spare, sweep_rings
from diplosim.engine.snapshots import attitude_table, attitudes_by_age, audience_table
from diplosim.engine.state import (
    SimState,
    build_state,
    inbox_spare,
    refresh_masks,
    relax_opinions,
)
from diplosim.engine.tables import account_counts, accounts_table, posts_table, slices
from diplosim.engine.timeline import apply_events
from diplosim.errors import DiplosimError
from diplosim.parameters import PARAMETERS
from diplosim.platform.accounts import count_ids
from diplosim.platform.exposure_pools import promote
from diplosim.platform.recommender import (
    MODES,
    build_candidates,
    candidate_window,
    source_mix,
)
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


def hash_form(scenario: Scenario) -> dict:
    """The scenario as its hash reads it: its JSON form without the fields added to the format
    after 0.2.0 while they are unset (a poll's ``fielded`` and ``ages``, a claim's
    ``baselines``, the scenario's ``start``, ``world.age_shares``, a campaign's ``ages``, a
    crisis's ``fades``), so
    adding a field never changes the hash of a scenario that does not use it, nor makes its
    published results look stale."""
    d = scenario.model_dump(mode="json")
    if d.get("start") is None:
        d.pop("start", None)
    if not d["world"].get("age_shares"):
        d["world"].pop("age_shares", None)
    for a in d["actors"]:
        for c in a.get("campaigns") or []:
            if c.get("ages") is None:
                c.pop("ages", None)
    for e in d["events"]:
        if e.get("type") == "crisis" and e.get("fades") is True:
            e.pop("fades")
    polls = [b for i in d["issues"] for b in i["baselines"]] + d["world"]["favourability"]
    for c in d["claims"]:
        polls += c.get("baselines") or []
        if not c.get("baselines"):
            c.pop("baselines", None)
    for poll in polls:
        for key in ("fielded", "ages"):
            if poll.get(key) is None:
                poll.pop(key, None)
    return d


def scenario_hash(scenario: Scenario) -> str:
    canonical = json.dumps(hash_form(scenario), sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


#: The validated scenario in a run's staging folder, for ``resume``.
SCENARIO_FILE = "scenario.json"

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
    burn_in = burn_in_platform(state)
    release_freed_memory()
    manifest = _manifest(scenario, state)
    manifest["burn_in"] = burn_in
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
    if manifest.get("model_hash", model_hash()) != model_hash():
        raise DiplosimError(f"{out}: the model's code or data changed since the run started "
                            f"(model hash {manifest.get('model_hash')}, now {model_hash()}); "
                            "its results would not match: run it again from the start")
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
    parts = {rel: h for rel, h in pointer["files"].items() if "/part-" in rel}
    writer = RunWriter(out, manifest, resume_segment=pointer["segment"], parts=parts)
    return _execute(state, writer, carry, progress, every, started)


def burn_in_platform(state: SimState) -> dict:
    """Play ``burn_in_days`` of ordinary use before hour 0 (hours -24 x days to -1): ordinary
    users post and scroll, so the run starts on a platform with a past (videos in every pool
    stage, trending and rated, rings and inboxes filled) instead of an empty one. Nothing of it
    is reported: opinions, follows made and reach are put back as they were, and the videos'
    sample counts start again at 0 (their pool, trending and interest state stays). The
    scenario's actors, networks and events start at hour 0."""
    days = int(state.params["burn_in_days"])
    if days == 0:
        return {"days": 0, "posts": 0}
    pop, acc, st = state.pop, state.accounts, state.store
    decay = 0.5 ** (1 / state.params["trending_half_life_hours"])
    window = candidate_window(state.pool.max_age)
    buffers = TickBuffers()
    for tick in range(-24 * days, 0):
        if tick % 24 == 0:
            state.video_floor = _video_floor(state, tick, window)
        post_hour(state, tick, (np.empty(0, np.int64), np.empty(0, np.int32)))
        log = _play(state, tick, active_users(state, tick), buffers)
        log.finish(decay, tables=False)
        promote(st, state.pool.quotas, state.params["pool_promotion_engagement"],
                state.video_floor)
        del log
    # opinions as they were: the lasting parts still hold them (nothing relaxes them before
    # hour 0), so no copy is kept through the burn-in (24 bytes a user in the example)
    for name in ("attitudes", "stances", "beliefs"):
        getattr(pop, name)[...] = getattr(state, f"lasting_{name}")
    state.expo[...] = 0
    state.reached[...] = 0
    acc.extra_follows[...] = -1
    state.extra_pos[...] = 0
    acc.followers[...] = count_ids(acc.follow_idx, acc.size)
    for name in ("impressions", "completions", "likes", "comments", "shares", "platform_views"):
        getattr(st, name)[:st.n] = 0
    return {"days": days, "posts": int(st.n)}


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
             "bytes_per_user_by_part": {name: round(b / state.pop.size, 1)
                                        for name, b in state.nbytes_by_part().items()},
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
    named_views = float(carry.get("named_platform_views", 0.0))
    by_source = np.array(carry.get("by_source", np.zeros((len(BY_SOURCE), 3))), np.int64)
    first = int(carry["tick"])
    if first == 0:
        writer.append("attitudes", attitude_table(state, 0))
        writer.append("attitudes_by_age", attitudes_by_age(state, 0))
    window = candidate_window(state.pool.max_age)
    buffers = TickBuffers()  # the run's per-tick scratch, freed when the loop ends
    for tick in range(first, total_ticks):
        if tick % 24 == 0:
            state.video_floor = _video_floor(state, tick, window)
        state.pending = apply_events(state, tick, rng_for(s.seed, tick, 7), state.event_log)
        first_new = state.store.n
        post_hour(state, tick, challenge)
        boosted = boost_networks(state, tick, first_new)
        if boosted is not None:
            writer.append("interactions", boosted)
        users = active_users(state, tick)
        log = _play(state, tick, users, buffers)
        exposures, interactions = log.finish(decay)
        promote(state.store, state.pool.quotas, threshold, state.video_floor)
        impressions += log.impressions
        by_source += log.by_source
        named_views += add_platform_audience(state, log.cand, log.slots, tick, log.base)
        challenge = log.challenges
        writer.append("exposures", exposures)
        writer.append("interactions", interactions)
        # the tick's rows must not live on into the next tick (its per-video scratch does:
        # ``buffers``)
        del log, users, exposures, interactions, boosted
        release_freed_memory()
        if tick % 24 == 23:
            day = tick // 24 + 1
            relax_opinions(state)
            writer.append("attitudes", attitude_table(state, day))
            writer.append("attitudes_by_age", attitudes_by_age(state, day))
            audience, by_age = audience_table(state, day - 1)
            writer.append("audience", audience)
            writer.append("audience_by_age", by_age)
            writer.end_day()
            if every is not None and (day % every == 0 or tick + 1 == total_ticks):
                writer.close_segment()
                checkpoint.save(writer.stage, state, tick + 1,
                                {"tick": tick + 1, "impressions": impressions,
                                 "named_platform_views": named_views,
                                 "by_source": by_source.tolist(),
                                 "challenge": list(challenge)}, writer.segment,
                                writer.part_hashes())
        if progress is not None:
            progress(tick + 1, total_ticks, impressions)
    return {"impressions": impressions, "named_platform_views": round(named_views),
            # where the sample's impressions came from (the feed kernel's sources): what the
            # validation suite compares with data-donation studies of the For You feed
            "views_by_source": {name: dict(zip(("impressions", "completions", "likes"),
                                               map(int, row), strict=True))
                                for name, row in zip(BY_SOURCE, by_source, strict=True)},
            "sampling_fraction": state.sampling,
            "ticks": total_ticks,
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
    # rings and inboxes emptied (stale, or read) give their rows up
    state.ring_vid, state.ring_tick = compact_rings(state.ring_row, state.ring_vid,
                                                    state.ring_tick,
                                                    ring_spare(state.accounts.size))
    state.inbox_vid, state.inbox_from, state.inbox_tick = compact_inboxes(
        state.inbox_row, state.inbox_vid, state.inbox_from, state.inbox_tick,
        inbox_spare(state.pop.size))
    return first


def _play(state: SimState, tick: int, users: np.ndarray,
          buffers: TickBuffers | None = None) -> TickLog:
    """Every active user scrolls one feed page, ``CHUNK_USERS`` users per kernel call."""
    s, st, pop, acc = state.scenario, state.store, state.pop, state.accounts
    page = int(state.params["videos_per_session"])
    refresh_masks(state)  # a new target set
    if len(state.set_tags) != len(state.catalogue.hashtag_sets):  # a campaign's first post
        state.set_tags = state.catalogue.set_tags()
    if state.portray.shape[0] != len(state.catalogue.portrayals):
        state.portray = state.catalogue.portray_table(state.focal_of_code)
    cand = build_candidates(st, tick, len(state.languages), state.pool, state.set_tags,
                            state.params["hashtag_trend_pooling"], state.demand)
    mix = source_mix(state.params, state.ranking)
    kp, cred = state.kernel_params, state.credibility
    boost = state.topic_boost(tick)
    diversity = state.diversity if state.ranking == "engagement" else 0.0
    size = min(users.size, CHUNK_USERS) * page
    out_video = np.empty(size, np.int32)
    out_flags = np.empty(size, np.uint8)
    out_from = np.empty(size, np.int32)
    out_src = np.empty(size, np.uint8)
    log = TickLog(state, tick, state.video_floor, buffers)
    for lo in range(0, max(users.size, 1), CHUNK_USERS):
        chunk = users[lo:lo + CHUNK_USERS]
        k = chunk.size * page
        out_video[:k], out_flags[:k], out_from[:k] = -1, 0, -1
        out_src[:k] = 0
        run_sessions(
            np.uint64(s.seed), tick, chunk, page, mix, MODES.index(state.ranking),
            state.labels_on, state.foreign_blocked, st.origin, kp, pop.country, pop.lang1,
            pop.lang2, pop.interests,
            boost, pop.attitudes, pop.stances, pop.beliefs, state.expo,
            state.seen, state.seen_pos, acc.follow_ptr, acc.follow_idx, acc.extra_follows,
            state.extra_pos, state.ring_row, state.ring_vid, state.ring_tick, state.inbox_row,
            state.inbox_vid,
            state.inbox_from, state.inbox_tick, acc.friend_ptr, acc.friend_idx, st.hot,
            st.eng_decayed, st.weight, state.masks, pop.age, state.age_masks, cred,
            state.focal_of_country, state.portray,
            cand.pool_ptr, cand.pool_ids, cand.pool_cum, cand.pool_guide, cand.trend_ptr,
            cand.trend_ids, cand.trend_cum, cand.trend_guide, cand.topic_ptr, cand.topic_ids,
            cand.topic_cum, cand.topic_guide,
            cand.recent_lo, cand.recent_n, diversity, out_video[:k], out_flags[:k],
            out_from[:k], out_src[:k],
        )
        log.add(chunk, page, out_video[:k], out_flags[:k], out_from[:k], out_src[:k],
                last=lo + CHUNK_USERS >= users.size)
    log.cand = cand
    return log


def _manifest(scenario: Scenario, state: SimState) -> dict:
    return {
        "diplosim_version": __version__,
        "model_hash": model_hash(),
        "scenario": scenario.model_dump(mode="json"),
        "scenario_hash": scenario_hash(scenario),
        "seed": scenario.seed,
        "users": state.pop.size,
        "parameters": {name: {"value": state.params[name], "unit": p.unit, "source": p.source}
                       for name, p in PARAMETERS.items()},
        "tables": list(TABLES),
        "interaction_kinds": list(INTERACTION_KINDS),
    }
