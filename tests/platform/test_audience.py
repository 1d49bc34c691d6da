"""The platform audience of the accounts a scenario names (``diplosim.platform.audience``): the
expected picks of a source's slots (the engine-level checks: ``tests/engine/test_sampling.py``)."""

from __future__ import annotations

import numpy as np
import pytest

from diplosim.platform.audience import expected_picks
from diplosim.platform.recommender import Candidates
from diplosim.platform.videos import NewVideos, VideoStore


def _store(weights):
    st = VideoStore()
    k = len(weights)
    z = np.zeros(k)
    st.append(NewVideos(
        author=np.arange(k, dtype=np.int32), created_tick=np.zeros(k, np.int32),
        created_sec=np.zeros(k, np.int64), lang=np.zeros(k, np.uint16),
        topic=np.zeros(k, np.uint8), appeal=z.astype(np.float32),
        stance_issue=np.full(k, -1, np.int16), stance_value=z.astype(np.float32),
        claim=np.full(k, -1, np.int16), claim_false=np.zeros(k, bool),
        sponsor=np.full(k, -1, np.int16), campaign=np.full(k, -1, np.int32),
        target_set=np.zeros(k, np.int16), messenger=np.zeros(k, np.uint8),
        labelled=np.zeros(k, bool), focal=np.full(k, -1, np.int16),
        challenge=np.zeros(k, bool), hashtags=np.zeros(k, np.int32),
        variant=np.zeros(k, np.int32), fact_check_tick=np.full(k, 2**31 - 1, np.int32),
        portrayal=np.zeros(k, np.uint8)))
    st.weight[:k] = weights
    return st


def test_expected_picks_are_the_groups_slots_times_the_share_over_the_fraction():
    """One language; the pool holds a sampled video of weight 900 and a named one of 100 x f
    (f = 0.01): 1,000 pool slots in the viewers' country give the named video
    1,000 x (1 / 901) / 0.01 = 110.99 expected platform views, the sampled video none (its
    views are its impressions)."""
    f = 0.01
    st = _store([1.0, f])
    ptr = np.array([0, 2], np.int64)
    ids = np.array([0, 1], np.int32)
    cum = np.array([900.0, 901.0])
    empty_ptr = np.zeros(2, np.int64)
    cand = Candidates(ptr, ids, cum, np.zeros(2, np.int32), empty_ptr, np.empty(0, np.int32),
                      np.empty(0), np.zeros(17, np.int64), np.empty(0, np.int32), np.empty(0),
                      0, 0)
    slots = np.zeros((4, 16, 1), np.int64)
    slots[0, 0, 0] = 1000
    kp = np.zeros(1, [("cross_language_acceptance", "f8"), ("state_media_demotion", "f8"),
                      ("fact_check_demotion", "f8")])
    picks = expected_picks(cand, slots, st, np.ones((1, 1), bool), np.zeros(1, bool),
                           np.ones((1, 1)), kp, 0, 0)
    assert picks[0] == 0.0
    assert picks[1] == pytest.approx(1000 * (1 / 901) / f, rel=1e-6)
    assert picks[1] == pytest.approx(110.99, abs=0.01)
