"""Staged exposure pools: a new video is shown to a small test audience and promoted to a pool
ten times larger while its engagement per view beats the threshold; otherwise it leaves the pool
(it can still spread by trending, interest and follows).

The stages are counts of platform views, the same at any world size: a video of the sample's
users draws its views from the sample's feed, which stands for the platform's (views per video
are the platform's), and a video of an account the scenario names draws them through
platform-audience picks (``diplosim.engine.kernel``). The first stage's size is the test
audience of creator and industry descriptions of TikTok's and Douyin's "traffic pools" (a few
hundred viewers, then about tenfold per stage): an assumption, the platform publishes none."""

from __future__ import annotations

import numpy as np

from diplosim.platform.videos import VideoStore

__all__ = ["OUT_OF_POOL", "pool_quotas", "promote"]

OUT_OF_POOL = -1


def pool_quotas(first: float, stages: int) -> np.ndarray:
    """Views allotted to each stage: the first test audience, then tenfold."""
    first = max(1, round(first))
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
