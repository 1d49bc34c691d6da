"""Ordinary users' posts: a political post repeats a claim with a chance of
``claim_repeat_rate`` times the poster's belief in it."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from diplosim.actors.campaigns import _POLITICS_TOPICS, creator_posts
from diplosim.parameters import resolve_parameters
from diplosim.world.topics import TOPICS


def _posts(belief: float, rate: float, n: int = 40_000) -> float:
    """The share of ``n`` political posts (one per user) that repeat the claim."""
    interests = np.zeros((n, len(TOPICS)), np.uint16)
    interests[:, _POLITICS_TOPICS[0]] = 65535  # every post is about politics
    pop = SimpleNamespace(lang1=np.zeros(n, np.uint16), interests=interests,
                          country=np.zeros(n, np.uint16), issues=(), claims=("c",),
                          stances=np.zeros((n, 0), np.float32),
                          beliefs=np.full((n, 1), belief, np.float32))
    params = resolve_parameters({"claim_repeat_rate": rate})
    rates = [(0, np.full(n, 50.0))]  # everyone posts (Poisson(50) > 0)
    videos = creator_posts(0, rates, pop, np.zeros(1, np.int16), np.random.default_rng(3),
                           params)
    first = np.unique(videos.author, return_index=True)[1]  # one post per user
    return float((videos.claim[first] == 0).mean())


@pytest.mark.parametrize(("belief", "expected"), [(0.0, 0.0), (0.5, 0.05), (1.0, 0.1)])
def test_a_claim_is_repeated_in_proportion_to_belief(belief, expected):
    # binomial standard error at most sqrt(0.1 x 0.9 / 40,000) = 0.0015
    assert _posts(belief, 0.1) == pytest.approx(expected, abs=0.006)


def test_a_repeat_of_a_false_claim_is_marked_false_so_labels_apply():
    """A user's post repeating a false claim is a false-claim video (fact-checkers label it,
    the feed demotes it, it engages as false news); repeating a true one is not."""
    n = 5_000
    interests = np.zeros((n, len(TOPICS)), np.uint16)
    interests[:, _POLITICS_TOPICS[0]] = 65535
    pop = SimpleNamespace(lang1=np.zeros(n, np.uint16), interests=interests,
                          country=np.zeros(n, np.uint16), issues=(), claims=("f", "t"),
                          stances=np.zeros((n, 0), np.float32),
                          beliefs=np.ones((n, 2), np.float32))
    params = resolve_parameters({"claim_repeat_rate": 1.0})
    videos = creator_posts(0, [(0, np.full(n, 2.0))], pop, np.zeros(1, np.int16),
                           np.random.default_rng(1), params,
                           false_claims=np.array([True, False]))
    assert (videos.claim == 0).any()
    assert (videos.claim_false == (videos.claim == 0)).all()
    # the same repeats of a true claim are not false-claim videos
    true = creator_posts(0, [(0, np.full(n, 2.0))], pop, np.zeros(1, np.int16),
                         np.random.default_rng(1), params,
                         false_claims=np.array([False, True]))
    assert (true.claim == 0).any() and not true.claim_false.any()
