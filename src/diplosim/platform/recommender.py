"""The For You recommender: candidate sources rebuilt each tick; how a feed slot picks from them.

Sources: (a) the staged exposure pool, per language; (b) trending by engagement velocity, per
language; (c) interest-matched, the best-rated recent videos per topic (any language); (d)
followed accounts' recent posts and shares; (e) recent videos at random (diversity). A ranking
mode is a mix of sources: ``engagement`` uses all, ``social`` follows first and fills with
trending, ``chronological`` shows followed accounts' newest items only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from diplosim.platform.exposure_pools import in_pool
from diplosim.platform.videos import VideoStore
from diplosim.world.topics import TOPICS

__all__ = ["MODES", "SOURCE_MIX", "Candidates", "build_candidates", "hashtag_heat",
           "pick_weighted"]

MODES = ("engagement", "social", "chronological")
SOURCES = ("pool", "trending", "interest", "followed")
#: Share of feed slots drawn from each source, by ranking mode (assumption: the For You feed
#: mixes exploration and interest, follows weigh least; Boeker & Urman 2022 find following the
#: strongest personalisation signal, which the followed source and follow-driven interest carry).
SOURCE_MIX = {
    "engagement": (0.30, 0.20, 0.38, 0.12),
    "social": (0.0, 0.25, 0.0, 0.75),
    "chronological": (0.0, 0.0, 0.0, 1.0),
}
TOP_PER_GROUP = 256          # candidates kept per language (trending) or topic (interest)
RECENT_HOURS = 168           # trending, interest and diversity consider the last week
RECENT_SAMPLE = 4096         # diversity draws from this many of the newest videos


@dataclass
class Candidates:
    pool_ptr: np.ndarray
    pool_ids: np.ndarray
    pool_cum: np.ndarray
    trend_ptr: np.ndarray
    trend_ids: np.ndarray
    trend_cum: np.ndarray
    topic_ptr: np.ndarray
    topic_ids: np.ndarray
    topic_cum: np.ndarray
    recent_ids: np.ndarray


def _grouped(ids: np.ndarray, group: np.ndarray, weight: np.ndarray, n_groups: int,
             top: int | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """CSR of ids by group (optionally the ``top`` heaviest per group) with cumulative weights."""
    order = np.lexsort((ids, -weight, group))  # ties broken by id: deterministic
    ids, group, weight = ids[order], group[order], weight[order]
    starts = np.searchsorted(group, np.arange(n_groups + 1))
    if top is not None:
        rank = np.arange(ids.size) - starts[group]
        keep = rank < top
        ids, group, weight = ids[keep], group[keep], weight[keep]
        starts = np.searchsorted(group, np.arange(n_groups + 1))
    return starts.astype(np.int64), ids.astype(np.int32), np.cumsum(weight, dtype=np.float64)


def hashtag_heat(store: VideoStore, recent: np.ndarray, velocity: np.ndarray,
                 set_tags: list[np.ndarray]) -> np.ndarray:
    """Per video: its hottest hashtag's pooled engagement velocity, the mean velocity of the
    tag's recent videos times the logarithm of their number plus one (a tag's pull grows with
    its volume, but slowly enough that a popular tag cannot run away); 0 for videos without
    hashtags. ``set_tags[k]`` holds the tag numbers of hashtag set ``k`` (set 0 is empty)."""
    sets = store.column("hashtags")
    n_sets = len(set_tags)
    if n_sets <= 1 or not recent.any():
        return np.zeros(store.n)
    set_velocity = np.bincount(sets[recent], weights=velocity[recent], minlength=n_sets)
    set_count = np.bincount(sets[recent], minlength=n_sets)
    n_tags = 1 + max((int(t.max()) for t in set_tags if t.size), default=-1)
    tag_velocity, tag_count = np.zeros(max(n_tags, 1)), np.zeros(max(n_tags, 1))
    for k, tags in enumerate(set_tags):
        tag_velocity[tags] += set_velocity[k]
        tag_count[tags] += set_count[k]
    pooled = tag_velocity / np.maximum(tag_count, 1) * np.log1p(tag_count)
    set_heat = np.array([pooled[t].max() if t.size else 0.0 for t in set_tags])
    return set_heat[sets]


def build_candidates(store: VideoStore, tick: int, n_langs: int, pool_quota: np.ndarray,
                     max_pool_age: int, set_tags: list[np.ndarray] | None = None,
                     pooling: float = 0.0) -> Candidates:
    """The tick's candidate lists. With ``pooling`` > 0 a trending video's weight also gets
    that times its hashtag's pooled velocity (a trending hashtag lifts its videos that are
    engaged with; ``hashtag_trend_pooling`` in the parameter table)."""
    n = store.n
    ids = np.arange(n, dtype=np.int32)
    age = tick - store.column("created_tick")
    lang = store.column("lang").astype(np.int64)

    pool = in_pool(store, tick, max_pool_age)
    remaining = (pool_quota[np.maximum(store.column("pool_stage"), 0)]
                 - store.column("pool_views")).astype(np.float64)
    pool_ptr, pool_ids, pool_cum = _grouped(ids[pool], lang[pool], remaining[pool], n_langs, None)

    recent = (age >= 0) & (age < RECENT_HOURS)
    velocity = store.column("eng_decayed").astype(np.float64)
    hot = recent & (velocity > 0)  # a video trends on its own engagement first
    if pooling > 0 and set_tags is not None:
        velocity = velocity + pooling * hashtag_heat(store, recent, velocity, set_tags)
    trend_ptr, trend_ids, trend_cum = _grouped(ids[hot], lang[hot], velocity[hot], n_langs,
                                               TOP_PER_GROUP)

    engaged = (store.column("likes") + 2.0 * store.column("comments")
               + 4.0 * store.column("shares"))
    rating = (engaged + 0.4) / (store.column("impressions") + 20.0)
    seen = recent & (store.column("impressions") > 0)
    topic = store.column("topic").astype(np.int64)
    topic_ptr, topic_ids, topic_cum = _grouped(ids[seen], topic[seen], rating[seen] ** 2,
                                               len(TOPICS), TOP_PER_GROUP)
    recent_ids = ids[recent][-RECENT_SAMPLE:]
    return Candidates(pool_ptr, pool_ids, pool_cum, trend_ptr, trend_ids, trend_cum,
                      topic_ptr, topic_ids, topic_cum, recent_ids.astype(np.int32))


@njit(inline="always", cache=True)
def pick_weighted(ptr, ids, cum, group, r):
    """A video from ``group`` of a CSR candidate list, with probability proportional to weight."""
    a = ptr[group]
    b = ptr[group + 1]
    if b <= a:
        return -1
    base = cum[a - 1] if a > 0 else 0.0
    total = cum[b - 1] - base
    if total <= 0.0:
        return -1
    j = np.searchsorted(cum[a:b], base + r * total, side="right")
    if j >= b - a:
        j = b - a - 1
    return ids[a + j]
