"""Staged exposure pools: a new video is shown to a small test audience and promoted to a pool
ten times larger while its engagement per view beats the threshold; otherwise it leaves the pool
(it can still spread by trending, interest and follows)."""

from __future__ import annotations

import numpy as np

from diplosim.platform.videos import VideoStore

__all__ = ["OUT_OF_POOL", "pool_quotas", "promote"]

OUT_OF_POOL = -1
MIN_FIRST_AUDIENCE = 20


def pool_quotas(users: int, first_share: float, stages: int) -> np.ndarray:
    """Impressions allotted to each stage: the first is a share of users, then tenfold."""
    first = max(MIN_FIRST_AUDIENCE, round(users * first_share))
    return np.array([first * 10**s for s in range(stages)], dtype=np.int64)


def promote(store: VideoStore, quotas: np.ndarray, threshold: float,
            first: int = 0) -> tuple[int, int]:
    """Move videos that used up their stage's quota up a stage or out; returns (up, out).
    Videos before ``first`` are too old to be shown and cannot have changed."""
    stage = store.pool_stage[first:store.n]
    views = store.pool_views[first:store.n]
    live = stage >= 0
    done = live & (views >= quotas[np.maximum(stage, 0)])
    rate = store.pool_eng[first:store.n] / np.maximum(views, 1)
    up = done & (rate >= threshold) & (stage < len(quotas) - 1)
    out = done & ~up
    stage[up] += 1
    stage[out] = OUT_OF_POOL
    views[done] = 0
    store.pool_eng[first:store.n][done] = 0
    return int(up.sum()), int(out.sum())
