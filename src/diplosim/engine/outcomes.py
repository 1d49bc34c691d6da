"""From one tick's kernel output to counts on videos, rows of the event log, and follower and
share bookkeeping; and the daily attitude snapshot."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
from numba import njit

from diplosim.engine.kernel import FLAG
from diplosim.engine.state import SimState

__all__ = ["ATTITUDE_SCHEMA", "AUDIENCE_SCHEMA", "Outcome", "attitude_rows", "audience_table",
           "push_ring", "tally"]

ATTITUDE_SCHEMA = pa.schema(
    [("day", pa.int32()), ("country", pa.string()), ("kind", pa.string()),
     ("subject", pa.string()), ("n", pa.int64())]
    + [(name, pa.float64()) for name in ("mean", "sd", "min", "q10", "q25", "q50", "q75", "q90",
                                         "max", "skew", "kurtosis", "share_pos", "share_neg")])

#: Distinct users who saw at least one post of an actor that day, per viewer country.
AUDIENCE_SCHEMA = pa.schema([("day", pa.int16()), ("actor", pa.string()),
                             ("country", pa.string()), ("unique_viewers", pa.int64())])


@njit(cache=True)
def _mark_reached(viewers, actors, bits):
    for i in range(viewers.shape[0]):
        a = actors[i]
        if a >= 0:
            bits[viewers[i], a >> 3] |= np.uint8(1 << (a & 7))


def audience_table(state: SimState, day: int) -> pa.Table:
    """The day's distinct viewers per actor and country, from the reached bits; then clears them."""
    pop, bits = state.pop, state.reached
    rows: dict[str, list] = {"day": [], "actor": [], "country": [], "unique_viewers": []}
    for a, actor in enumerate(state.scenario.actors):
        hit = (bits[:, a >> 3] >> (a & 7)) & 1
        counts = np.bincount(pop.country, weights=hit, minlength=len(pop.countries))
        for c in np.flatnonzero(counts):
            rows["day"].append(day)
            rows["actor"].append(actor.id)
            rows["country"].append(pop.countries[c])
            rows["unique_viewers"].append(int(counts[c]))
    bits[:] = 0
    return pa.table(rows, schema=AUDIENCE_SCHEMA)


@njit(cache=True)
def push_ring(accounts, videos, tick, ring_vid, ring_tick, ring_pos):
    """Append items to accounts' rings in order (serial, so deterministic)."""
    width = ring_vid.shape[1]
    for i in range(accounts.shape[0]):
        a = accounts[i]
        k = ring_pos[a] % width
        ring_vid[a, k] = videos[i]
        ring_tick[a, k] = tick
        ring_pos[a] += 1


class Outcome:
    """Tables of one tick: exposures and interactions, as Arrow batches."""

    def __init__(self, exposures: pa.Table, interactions: pa.Table, impressions: int,
                 challenges: tuple[np.ndarray, np.ndarray]):
        self.exposures, self.interactions = exposures, interactions
        self.impressions, self.challenges = impressions, challenges


def tally(state: SimState, tick: int, users: np.ndarray, page: int, out_video: np.ndarray,
          out_flags: np.ndarray, out_from: np.ndarray, decay: float) -> Outcome:
    st, acc = state.store, state.accounts
    shown = out_video >= 0
    video = out_video[shown]
    flags = out_flags[shown]
    viewer = np.repeat(users, page)[shown]
    via = out_from[shown]
    n = st.n

    def count(bit: str) -> np.ndarray:
        return np.bincount(video, weights=(flags & FLAG[bit]) > 0, minlength=n)

    imp = np.bincount(video, minlength=n)
    done, likes, comments, shares = (count("complete"), count("like"), count("comment"),
                                     count("share"))
    st.impressions[:n] += imp
    st.completions[:n] += done.astype(np.int64)
    st.likes[:n] += likes.astype(np.int32)
    st.comments[:n] += comments.astype(np.int32)
    st.shares[:n] += shares.astype(np.int32)
    pooled = st.pool_stage[:n] >= 0
    st.pool_views[:n] += np.where(pooled, imp, 0).astype(np.int32)
    st.pool_eng[:n] += np.where(pooled, likes + comments + shares, 0).astype(np.int32)
    st.eng_decayed[:n] = (st.eng_decayed[:n] * decay
                          + (likes + 2 * comments + 4 * shares + 0.2 * done)).astype(np.float32)

    followed = (flags & FLAG["follow"]) > 0
    np.add.at(acc.followers, st.author[video[followed]], 1)
    shared = (flags & FLAG["share"]) > 0
    push_ring(viewer[shared].astype(np.int64), video[shared], tick, state.ring_vid,
              state.ring_tick, state.ring_pos)
    challenge = (flags & FLAG["challenge"]) > 0
    _mark_reached(viewer, state.actor_of(video), state.reached)
    return Outcome(_exposures(state, tick, video, viewer, flags),
                   _interactions(state, tick, video, viewer, flags, via),
                   int(video.size), (viewer[challenge], video[challenge]))


def _exposures(state: SimState, tick: int, video, viewer, flags) -> pa.Table:
    n_c = len(state.pop.countries)
    key = video.astype(np.int64) * n_c + state.pop.country[viewer]
    keys, inverse, impressions = np.unique(key, return_inverse=True, return_counts=True)
    completions = np.bincount(inverse, weights=(flags & FLAG["complete"]) > 0)
    # a user opens one session per hour and a page never repeats a video, so within an hour
    # every impression of a post is a distinct viewer
    return pa.table({
        "post": pa.array((keys // n_c).astype(np.int32)),
        "country": pa.DictionaryArray.from_arrays(
            pa.array((keys % n_c).astype(np.int32)), pa.array(state.pop.countries)),
        "day": pa.array(np.full(keys.size, tick // 24, np.int16)),
        "hour": pa.array(np.full(keys.size, tick, np.int32)),
        "impressions": pa.array(impressions.astype(np.int32)),
        "completions": pa.array(completions.astype(np.int32)),
        "unique_viewers": pa.array(impressions.astype(np.int32)),
    })


INTERACTION_KINDS = ("like", "comment", "share", "follow")


def interaction_table(tick, kind, account, post, target, source, seconds) -> pa.Table:
    return pa.table({
        "tick": pa.array(np.full(account.size, tick, np.int32)),
        "time": pa.array(seconds.astype(np.int64)),
        "kind": pa.DictionaryArray.from_arrays(pa.array(kind.astype(np.int32)),
                                               pa.array(INTERACTION_KINDS)),
        "account": pa.array(account.astype(np.int32)),
        "post": pa.array(post.astype(np.int32)),
        "target_account": pa.array(target.astype(np.int32)),
        "from_account": pa.array(source.astype(np.int32), mask=source < 0),
    })


def _interactions(state: SimState, tick: int, video, viewer, flags, via) -> pa.Table:
    author = state.store.author[video]
    parts = []
    for k, name in enumerate(INTERACTION_KINDS):
        hit = (flags & FLAG[name]) > 0
        src = via[hit] if name == "share" else np.full(int(hit.sum()), -1, np.int32)
        parts.append((np.full(int(hit.sum()), k), viewer[hit], video[hit], author[hit], src))
    kind, account, post, target, source = (np.concatenate(x) for x in zip(*parts, strict=True))
    # within the hour, interactions are spread by the viewer's position in the page
    seconds = tick * 3600 + (account.astype(np.int64) * 7919 + post) % 3600
    order = np.lexsort((post, account, kind))
    return interaction_table(tick, kind[order], account[order], post[order], target[order],
                             source[order], seconds[order])


def _stats(values: np.ndarray) -> dict[str, float]:
    if values.size == 0:
        return dict.fromkeys(("mean", "sd", "min", "q10", "q25", "q50", "q75", "q90", "max",
                              "skew", "kurtosis"), None)  # no users there: null, not NaN
    v = values.astype(np.float64)
    mean, sd = float(v.mean()), float(v.std())
    z = (v - mean) / sd if sd > 0 else np.zeros_like(v)
    q = np.quantile(v, [0.1, 0.25, 0.5, 0.75, 0.9])
    return {"mean": mean, "sd": sd, "min": float(v.min()), "q10": q[0], "q25": q[1],
            "q50": q[2], "q75": q[3], "q90": q[4], "max": float(v.max()),
            "skew": float((z**3).mean()), "kurtosis": float((z**4).mean())}


def attitude_rows(state: SimState, day: int) -> list[dict]:
    """Favourability, stance and belief distributions per world country on ``day``."""
    pop, rows = state.pop, []
    floor = state.params["attitude_opinion_floor"]
    bounds = np.searchsorted(pop.country, np.arange(len(pop.countries) + 1))
    columns = [("favourability", pop.focal, pop.attitudes, floor, -floor),
               ("stance", pop.issues, pop.stances, 1 / 3, -1 / 3),
               ("belief", pop.claims, pop.beliefs, 0.5, -1.0)]
    for ci, country in enumerate(pop.countries):
        lo, hi = bounds[ci], bounds[ci + 1]
        for kind, subjects, matrix, pos, neg in columns:
            for j, subject in enumerate(subjects):
                v = matrix[lo:hi, j]
                rows.append({"day": day, "country": country, "kind": kind, "subject": subject,
                             "n": int(hi - lo), **_stats(v),
                             "share_pos": float((v > pos).mean()) if v.size else None,
                             "share_neg": float((v < neg).mean()) if v.size else None})
    return rows
