"""The hour's candidate lists as the feed kernel reads them: every list a slot draws from
(exposure pool, trending, interest) carries its guide table, and a pick through it is the
plain binary search's pick."""

from __future__ import annotations

import numpy as np

from diplosim.engine.engine import _play, burn_in_platform
from diplosim.engine.hour import active_users
from diplosim.engine.state import build_state
from diplosim.platform.recommender import guide_table
from tests.engine.conftest import scenario_of
from tests.platform.test_recommender import _picks

WORLD = {"name": "t", "seed": 5, "duration_days": 2,
         "world": {"users": 4000, "countries": ["US", "GB", "FR"]}}


def test_every_feed_list_is_picked_through_its_guide():
    """After a week's burn-in (the largest group of each list holds 43 to 398 videos), each
    list's guide is the guide of its weights, and 2,000 draws per group pick the same videos
    through it as by the binary search (the guides only make the search shorter: a run's
    tables are unchanged)."""
    state = build_state(scenario_of(WORLD))
    burn_in_platform(state)
    cand = _play(state, 0, active_users(state, 0)).cand
    rs = np.random.default_rng(1).random(2000)
    sizes = []
    for ptr, ids, cum, guide in (
            (cand.pool_ptr, cand.pool_ids, cand.pool_cum, cand.pool_guide),
            (cand.trend_ptr, cand.trend_ids, cand.trend_cum, cand.trend_guide),
            (cand.topic_ptr, cand.topic_ids, cand.topic_cum, cand.topic_guide)):
        assert guide is not None
        np.testing.assert_array_equal(guide, guide_table(ptr, cum))
        sizes.append(int(np.diff(ptr).max()))
        for g in range(ptr.size - 1):
            reference = _picks(ptr, ids, cum, guide, g, rs, None)
            np.testing.assert_array_equal(_picks(ptr, ids, cum, guide, g, rs, True), reference)
    assert min(sizes) > 30, sizes  # lists long enough that a search takes several steps
