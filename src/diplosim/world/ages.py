"""Age groups: each user's group, drawn from the platform's users by age in the user's country.

TikTok's public is young, and opinion splits by age (Quinnipiac's November 2023 shift on the
Israel-Gaza war came mostly from voters under 35). The groups are those of TikTok's advertising
audience (18 and over): the shipped table (``data/age_shares.csv``) gives the worldwide shares
and the countries reported on their own, each row with its source; ``world.age_shares`` in a
scenario overrides a country. One byte a user (``Population.age``).
"""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources

import numpy as np

__all__ = ["AGE_GROUPS", "age_shares", "draw_ages", "shipped_age_shares"]

#: The groups, in the order of ``Population.age``'s codes.
AGE_GROUPS: tuple[str, ...] = ("18-24", "25-34", "35-44", "45-54", "55+")
_WORLD = "*"


@cache
def shipped_age_shares() -> dict[str, tuple[tuple[float, ...], str]]:
    """Country code (``*``: worldwide) -> (shares by group, summing to 1; source)."""
    text = resources.files("diplosim.world").joinpath("data", "age_shares.csv").read_text(
        encoding="utf-8")
    out = {}
    for row in csv.DictReader(text.splitlines()):
        values = np.array([float(row[g]) for g in AGE_GROUPS])
        out[row["country"]] = (tuple(float(v) for v in values / values.sum()), row["source"])
    return out


def age_shares(country: str, overrides: dict[str, dict[str, float]] | None = None
               ) -> np.ndarray:
    """The shares of ``country``'s platform users in each group: the scenario's
    (``world.age_shares``, normalised), else the shipped country row, else the worldwide one."""
    if overrides and country in overrides:
        given = np.array([overrides[country].get(g, 0.0) for g in AGE_GROUPS], np.float64)
        return given / given.sum()
    table = shipped_age_shares()
    return np.array(table.get(country, table[_WORLD])[0])


def draw_ages(pop_country: np.ndarray, countries: tuple[str, ...], rng: np.random.Generator,
              overrides: dict[str, dict[str, float]] | None = None) -> np.ndarray:
    """Each user's group code (uint8, an index into ``AGE_GROUPS``), by country block."""
    out = np.empty(pop_country.shape[0], np.uint8)
    bounds = np.searchsorted(pop_country, np.arange(len(countries) + 1))
    for ci, code in enumerate(countries):
        lo, hi = bounds[ci], bounds[ci + 1]
        out[lo:hi] = rng.choice(len(AGE_GROUPS), size=hi - lo, p=age_shares(code, overrides))
    return out
