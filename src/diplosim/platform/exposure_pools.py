"""Staged exposure pools: a new video is shown to a small test audience and promoted to a pool
ten times larger while its engagement per view beats the threshold; otherwise it leaves the pool
(it can still spread by trending, interest and follows)."""

from __future__ import annotations

import numpy as np

from diplosim.platform.videos import VideoStore

__all__ = ["OUT_OF_POOL", "in_pool", "pool_quotas", "promote"]

OUT_OF_POOL = -1
MIN_FIRST_AUDIENCE = 20


def pool_quotas(users: int, first_share: float, stages: int) -> np.ndarray:
    """Impressions allotted to each stage: the first is a share of users, then tenfold."""
    first = max(MIN_FIRST_AUDIENCE, round(users * first_share))
    return np.array([first * 10**s for s in range(stages)], dtype=np.int64)


def in_pool(store: VideoStore, tick: int, max_age: int) -> np.ndarray:
    stage = store.column("pool_stage")
    age = tick - store.column("created_tick")
    return (stage >= 0) & (age >= 0) & (age < max_age)


def promote(store: VideoStore, quotas: np.ndarray, threshold: float) -> tuple[int, int]:
    """Move videos that used up their stage's quota up a stage or out; returns (up, out)."""
    stage = store.column("pool_stage")
    views = store.column("pool_views")
    live = stage >= 0
    done = live & (views >= quotas[np.maximum(stage, 0)])
    rate = store.column("pool_eng") / np.maximum(views, 1)
    up = done & (rate >= threshold) & (stage < len(quotas) - 1)
    out = done & ~up
    stage[up] += 1
    stage[out] = OUT_OF_POOL
    views[done] = 0
    store.column("pool_eng")[done] = 0
    return int(up.sum()), int(out.sum())
