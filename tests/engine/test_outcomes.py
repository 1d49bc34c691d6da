"""The booking of the feed kernel's output (``_collect``): exposure rows per country block in
post order, carried across chunks, and the tick's counts, against a plain statement."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from diplosim.engine import outcomes
from diplosim.engine.engine import simulate
from diplosim.engine.outcomes import _IMP, _LIKE, _SHARES, _SOCIAL, FLAG, _collect
from diplosim.parameters import PARAMETERS
from diplosim.scenario import load_scenario
from tests.conftest import EXAMPLE


def _blocks(users, country, page, video, flags):
    """Exposure rows stated plainly: for each run of consecutive users of one country, its
    videos in post order with impressions and completions."""
    rows, start = [], 0
    for i in range(1, users.size + 1):
        if i == users.size or country[users[i]] != country[users[start]]:
            v = video[start * page:i * page]
            done = (flags[start * page:i * page] & FLAG["complete"]) > 0
            shown = v >= 0
            for post in np.unique(v[shown]):
                rows.append((post, country[users[start]], int((v == post).sum()),
                             int(((v == post) & done).sum())))
            start = i
    return rows


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 300), st.integers(1, 5), st.integers(1, 4),
       st.integers(1, 200))
def test_exposure_rows_by_country_block_in_post_order(seed, n_users, n_countries, chunks,
                                                     n_videos):
    rng = np.random.default_rng(seed)
    page, base = 4, 1000
    country = np.sort(rng.integers(0, n_countries, n_users)).astype(np.uint16)
    users = np.sort(rng.choice(n_users, rng.integers(1, n_users + 1), replace=False))
    video = (base + rng.integers(0, n_videos, users.size * page)).astype(np.int32)
    video[rng.random(video.size) < 0.1] = -1  # empty slots
    flags = rng.integers(0, 256, video.size).astype(np.uint8) | FLAG["impression"]
    source = np.full(video.size, -1, np.int32)
    src = rng.integers(0, 7, video.size).astype(np.uint8)  # 0: no source (an empty slot)
    n_store = base + n_videos
    lang = rng.integers(0, 3, n_store).astype(np.uint16)
    topic = rng.integers(0, 4, n_store).astype(np.uint8)
    slots = np.zeros((4, 4, n_countries), np.int64)
    by_source = np.zeros((7, 3), np.int64)
    author = rng.integers(0, n_users, n_store).astype(np.int32)
    actor = rng.integers(-1, 3, n_store).astype(np.int16)
    followers = np.zeros(n_users, np.int64)
    reached = np.zeros((n_users, 1), np.uint8)
    counts = np.zeros((n_videos, 8), np.int32)
    header = np.array([0, -1, 0], np.int64)
    block_bits = np.zeros((n_videos + 63) // 64, np.uint64)
    tick_rows = np.empty(n_videos, np.int32)
    rows, interactions = [], []
    cuts = np.linspace(0, users.size, chunks + 1).astype(int)
    for lo, hi in itertools.pairwise(cuts):
        r = _collect(users[lo:hi], page, video[lo * page:hi * page], flags[lo * page:hi * page],
                     source[lo * page:hi * page], src[lo * page:hi * page], country, author,
                     lang, topic, actor, followers, reached, counts, header, block_bits,
                     tick_rows, base, hi == users.size, slots, by_source)
        rows += list(zip(*(x.tolist() for x in r[:4]), strict=True))
        interactions += list(zip(*(x.tolist() for x in r[4:7]), strict=True))
    assert rows == _blocks(users, country, page, video, flags)
    assert not block_bits.any() and counts[:, :2].sum() == 0  # block counters cleared
    shown = video >= 0
    assert np.array_equal(counts[:, _IMP], np.bincount(video[shown] - base, minlength=n_videos))
    liked = shown & ((flags & FLAG["like"]) > 0)
    assert np.array_equal(counts[:, _LIKE], np.bincount(video[liked] - base, minlength=n_videos))
    shared = shown & ((flags & FLAG["share"]) > 0)
    assert np.array_equal(counts[:, _SHARES],
                          np.bincount(video[shared] - base, minlength=n_videos))
    assert sorted(tick_rows[:header[2]].tolist()) == np.unique(video[shown] - base).tolist()
    social = shown & ((flags & FLAG["social"]) > 0)
    assert np.array_equal(counts[:, _SOCIAL],
                          np.bincount(video[social] - base, minlength=n_videos))
    # the platform sources' slots by (source, group, viewer country): the pool and trending
    # by the video's language, interest by its topic, diversity in group 0
    want_slots = np.zeros_like(slots)
    viewer = country[np.repeat(users, page)]
    for k in np.flatnonzero(shown & (src >= 1) & (src <= 4)):
        v = video[k]
        group = lang[v] if src[k] <= 2 else (topic[v] if src[k] == 3 else 0)
        want_slots[src[k] - 1, group, viewer[k]] += 1
    assert np.array_equal(slots, want_slots)
    # impressions, completions and likes by the slot's source, for the manifest
    done, liked = (flags & FLAG["complete"]) > 0, (flags & FLAG["like"]) > 0
    for k in range(7):
        mine = shown & (src == k)
        assert by_source[k].tolist() == [mine.sum(), (mine & done).sum(), (mine & liked).sum()]
    # interaction rows: viewer and slot order, kinds like, comment, share, follow
    want = []
    for s in np.flatnonzero(shown):
        for kind, bit in enumerate(("like", "comment", "share", "follow")):
            if flags[s] & FLAG[bit]:
                want.append((kind, int(users[s // page]), int(video[s])))
    assert interactions == want
    follows = shown & ((flags & FLAG["follow"]) > 0)
    assert np.array_equal(followers, np.bincount(author[video[follows]], minlength=n_users))


def test_the_runs_scratch_is_clean_at_every_hour(tmp_path, monkeypatch):
    """The per-video scratch a run keeps from hour to hour is all zero whenever a tick takes
    it (so no hour's counts leak into the next), and it is taken every hour without being
    allocated again once it fits."""
    take, bases = outcomes.TickBuffers.take, []

    def checked(self, n):
        counts, bits, rows = take(self, n)
        assert not self.counts.any() and not self.block_bits.any()
        assert counts.shape == (n, 8) and bits.size == (n + 63) // 64 and rows.size == n
        bases.append(self.counts)  # held, so identity below means the same memory
        return counts, bits, rows

    monkeypatch.setattr(outcomes.TickBuffers, "take", checked)
    scenario = load_scenario(EXAMPLE, ["world.users=3000"])
    simulate(scenario.model_copy(update={"duration_days": 3, "events": []}), tmp_path / "r")
    burn_in = int(PARAMETERS["burn_in_days"].value)
    assert len(bases) == 24 * (burn_in + 3)  # the burn-in's hours, then the run's
    allocated = 1 + sum(b is not a for a, b in itertools.pairwise(bases))
    # grown a few times as the platform fills (a scratch for the burn-in, one for the run),
    # not every hour
    assert allocated < 12
    assert bases[-1].shape[0] > 1000


def test_the_manifest_says_where_the_impressions_came_from(tmp_path):
    """``views_by_source`` in the manifest: every reported impression has its feed source (the
    burn-in's are not counted), and under engagement ranking the For You sources (the pool,
    trending, interest, diversity) fill most slots."""
    import json

    from diplosim.engine.outcomes import BY_SOURCE

    scenario = load_scenario(EXAMPLE, ["world.users=3000"])
    simulate(scenario.model_copy(update={"duration_days": 2, "events": []}), tmp_path / "r")
    manifest = json.loads((tmp_path / "r" / "manifest.json").read_text())
    by = manifest["views_by_source"]
    assert sorted(by) == sorted(BY_SOURCE)
    assert sum(b["impressions"] for b in by.values()) == manifest["impressions"] > 0
    assert by["none"]["impressions"] == 0
    for b in by.values():
        assert b["impressions"] >= b["completions"] >= b["likes"] >= 0
    for_you = sum(by[k]["impressions"] for k in ("pool", "trending", "interest", "diversity"))
    assert for_you > 0.6 * manifest["impressions"]
