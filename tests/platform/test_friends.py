"""The friends graph: symmetric ties, about ``friends_per_user`` each, mostly within a country."""

from __future__ import annotations

import numpy as np
import pytest

from diplosim.platform.friends import friend_graph


def _graph(n=100_000, k=8.0, same=0.842, seed=3):
    country = np.repeat(np.arange(4, dtype=np.uint16), [n // 2, n // 4, n // 8, n - n // 2
                                                         - n // 4 - n // 8])
    return country, *friend_graph(country, k, same, np.random.default_rng(seed))


def test_ties_are_symmetric_without_self_ties_or_repeats():
    country, ptr, idx = _graph(20_000)
    n = country.size
    src = np.repeat(np.arange(n), np.diff(ptr))
    assert not (src == idx).any()
    pairs = set(zip(src.tolist(), idx.tolist(), strict=True))
    assert len(pairs) == idx.size  # no repeats
    assert all((b, a) in pairs for a, b in pairs)


def test_mean_degree_and_the_share_within_a_country_are_the_parameters():
    country, ptr, idx = _graph()
    n = country.size
    degree = np.diff(ptr)
    # k/2 ties drawn per user, each counted at both ends; repeats (about k/n) are negligible
    assert degree.mean() == pytest.approx(8.0, rel=0.01)
    src = np.repeat(np.arange(n), degree)
    within = (country[src] == country[idx]).mean()
    # 84.2% drawn inside the country, plus the cross draws that land there by chance (the
    # country's share of the population): 0.842 + 0.158 * sum(share^2)
    shares = np.bincount(country) / n
    assert within == pytest.approx(0.842 + 0.158 * float((shares ** 2).sum()), abs=0.005)


def test_the_graph_depends_on_the_seed_alone():
    a, b = _graph(5000, seed=1), _graph(5000, seed=1)
    assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))
    assert not np.array_equal(a[2], _graph(5000, seed=2)[2])


def test_no_friends_when_the_parameter_is_zero():
    _, ptr, idx = _graph(1000, k=0.0)
    assert idx.size == 0 and ptr.shape == (1001,) and not ptr.any()


def test_drawing_in_steps_gives_the_graph_drawn_at_once(monkeypatch):
    from diplosim.platform import friends

    whole = _graph(30_000, seed=9)
    monkeypatch.setattr(friends, "CHUNK", 1000)  # 120 steps, each generator advanced
    stepped = _graph(30_000, seed=9)
    assert all(np.array_equal(x, y) for x, y in zip(whole, stepped, strict=True))
