"""The world as a sample of the platform (the ODD page's sampling concept): the sample sees the
accounts a scenario names as often as a sample of the platform would, and their platform views
are the same at any world size."""

from __future__ import annotations

import math

import numpy as np

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
    """The same group in worlds of 20,000 and 80,000 users, four seeds each: the platform views
    per post agree within 15% (the size check's tolerance), while the sample's impressions
    grow about fourfold with the sample. (Before ordinary users' posting rates had a ceiling,
    ``creator_max_posts_per_day``, the larger world gave 18% fewer: 6,746 against 5,518 over
    ten seeds.)"""
    per_post, seen = {}, {}
    for users in (20000, 80000):
        pv, im = [], []
        for seed in (3, 4, 5, 6):
            data = dict(GROUP, seed=seed, world=dict(GROUP["world"], users=users))
            out = run(data, tmp_runs)
            p, s = query(out, "SELECT avg(platform_views), avg(impressions) FROM posts "
                              "WHERE actor = 'crowd'")[0]
            pv.append(p)
            im.append(s)
        per_post[users], seen[users] = np.mean(pv), np.mean(im)
    assert abs(per_post[80000] / per_post[20000] - 1) <= 0.15, per_post
    assert 2.5 < seen[80000] / seen[20000] < 6, seen
