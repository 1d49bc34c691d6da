"""The platform audience of the accounts a scenario names (``diplosim.platform.audience``): the
sample sees their videos as often as a sample of the platform would, and their platform views
are the same at any world size."""

from __future__ import annotations

import math

import numpy as np
import pytest

from diplosim.platform.audience import expected_picks
from diplosim.platform.recommender import Candidates
from diplosim.platform.videos import NewVideos, VideoStore
from tests.engine.conftest import query, run

# a group of 200 ordinary accounts posting twice a day, no followers; no shares, so every view
# comes through the platform's sources (none through follows or friends' sends)
GROUP = {"name": "t", "seed": 3, "duration_days": 3,
         "world": {"users": 20000, "countries": ["US", "GB"]},
         "parameters": {"share_given_completion": 0.0},
         "actors": [{"id": "crowd", "type": "citizen", "country": "GB", "accounts": 200,
                     "languages": ["en"],
                     "campaigns": [{"id": "clips", "posts_per_day": 2, "appeal": 0.7,
                                    "content_mix": {"entertainment": 1.0},
                                    "topics": ["comedy"]}]}]}


def test_the_sample_sees_a_named_group_as_a_sample_of_the_platform_would(tmp_runs):
    """Impressions in the sample are the sampling fraction of the platform views, within four
    Poisson standard deviations (the kept picks are a thinning of the platform's)."""
    out = run(GROUP, tmp_runs)
    posts, seen, platform = query(out, "SELECT count(*), sum(impressions), sum(platform_views) "
                                       "FROM posts WHERE actor = 'crowd'")[0]
    (f,) = query(out, "SELECT 1 / max(platform_posts) FROM posts")[0]
    assert posts == 1200
    assert platform > 300 * posts  # every video has at least its first test audience
    expected = f * platform
    assert abs(seen - expected) < 4 * math.sqrt(expected) + 1, (seen, expected, f)


def test_platform_views_per_post_do_not_depend_on_the_world_size(tmp_runs):
    """The same group in worlds of 10,000 and 40,000 users, two seeds each: the platform views
    per post agree within 15% (the size check's tolerance), while the sample's impressions
    grow about fourfold with the sample."""
    per_post, seen = {}, {}
    for users in (10000, 40000):
        pv, im = [], []
        for seed in (3, 4):
            data = dict(GROUP, seed=seed, world=dict(GROUP["world"], users=users))
            out = run(data, tmp_runs)
            p, s = query(out, "SELECT avg(platform_views), avg(impressions) FROM posts "
                              "WHERE actor = 'crowd'")[0]
            pv.append(p)
            im.append(s)
        per_post[users], seen[users] = np.mean(pv), np.mean(im)
    assert abs(per_post[40000] / per_post[10000] - 1) <= 0.15, per_post
    assert 2.5 < seen[40000] / seen[10000] < 6, seen


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
