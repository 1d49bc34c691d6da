"""A synthesised population at a glance, for ``diplosim world``: users per country with each
country's platform users, its source and main languages, and the state's memory."""

from __future__ import annotations

from collections import Counter

from diplosim.world.countries import country_table, language_names
from diplosim.world.population import Population

__all__ = ["COUNTED_LANGUAGES_UP_TO", "country_rows", "world_summary"]

#: Up to this many users the main languages are counted from the users drawn; above it they are
#: the country table's (counting would cost a pass over every user).
COUNTED_LANGUAGES_UP_TO = 2_000_000


def world_summary(pop: Population) -> dict:
    """The JSON form of ``diplosim world``: users per country, users, bytes, bytes per user."""
    return {"countries": pop.users_per_country(), "users": pop.size, "bytes": pop.nbytes,
            "bytes_per_user": round(pop.nbytes / max(pop.size, 1), 1)}


def country_rows(pop: Population) -> list[dict]:
    """One row per country, in the population's order: code, name, users, their share,
    platform users (millions), whether that figure is an estimate, the two main languages
    (names) and the UTC offset in hours."""
    table, names = country_table(), language_names()
    langs = (Counter(zip(pop.country.tolist(), pop.lang1.tolist(), strict=True))
             if pop.size <= COUNTED_LANGUAGES_UP_TO else None)
    rows = []
    for i, (code, n) in enumerate(pop.users_per_country().items()):
        c = table[code]
        if langs is not None:
            top = sorted(((k[1], v) for k, v in langs.items() if k[0] == i), key=lambda x: -x[1])
            main = [names.get(pop.languages[li], pop.languages[li]) for li, _ in top[:2]]
        else:
            main = [names.get(lc, lc) for lc, _ in c.languages[:2]]
        rows.append({"code": code, "name": c.name, "users": n,
                     "share": n / max(pop.size, 1), "platform_users_m": c.platform_users / 1e6,
                     "estimated": c.estimated, "languages": main,
                     "utc_offset_hours": c.utc_offset_hours})
    return rows
