"""Accounts: posting rates as heavy-tailed as Pew measured, followers for actors."""

from __future__ import annotations

import numpy as np
import pytest

from diplosim.parameters import resolve_parameters
from diplosim.platform.accounts import build_accounts
from diplosim.scenario import load_scenario
from diplosim.world.population import synthesise
from tests.conftest import EXAMPLE


@pytest.fixture(scope="module")
def built():
    s = load_scenario(EXAMPLE, ["world.users=200000"])
    pop = synthesise(s)
    return s, build_accounts(s, pop, resolve_parameters(), s.seed)


def test_top_quarter_of_users_post_98_percent(built):
    """Pew Research Center (2024): the most active 25% of U.S. TikTok users post 98% of videos."""
    _, acc = built
    rates = np.sort(acc.post_rate[: acc.n_users])[::-1]
    top = rates[: rates.size // 4].sum() / rates.sum()
    assert top == pytest.approx(0.98, abs=0.01)


def test_actor_accounts_and_followers(built):
    _, acc = built
    assert acc.size == acc.n_users + 1 + 1 + 1 + 500 + 200  # four actors (500 citizens), network
    assert acc.handle(acc.n_users) == "fr_embassy_jp"
    labelled = acc.column("labelled")
    assert labelled[acc.n_users] and not labelled[acc.n_users + 3] and not labelled[:10].any()
    assert (acc.column("network")[-200:] == 0).all()
    assert (acc.column("active_from")[-200:] == 4 * 24).all()
    # users' columns come from the population, any range, and by id
    assert (acc.column("country", 5, acc.n_users + 2)[:-2] == acc.user_country[5:]).all()
    ids = np.array([0, acc.n_users, acc.size - 1, 7])
    assert acc.of("network", ids).tolist() == [-1, -1, 0, -1]
    assert acc.of("actor", ids).tolist() == [-1, 0, -1, -1]
    assert acc.followers[acc.n_users] > 0          # the embassy starts with some followers
    assert acc.follow_ptr[-1] == acc.follow_idx.size
