"""The country table shipped with diplosim: codes, languages, time zones, platform users, surveys.

Built by ``diplosim.world.build_table`` from ``../shared/data/world`` (mledoze/countries, ODbL 1.0;
World Bank population and internet use, CC BY 4.0 / PDDL), CLDR language shares (babel) and tzdata.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from functools import cache
from importlib import resources

__all__ = ["Country", "country_table", "favourability_surveys", "language_names"]


@dataclass(frozen=True)
class Country:
    iso2: str
    iso3: str
    name: str
    region: str
    subregion: str
    population: int
    internet_pct: float
    languages: tuple[tuple[str, float], ...]  # (ISO 639 code, share of population speaking it)
    timezone: str
    utc_offset_hours: float
    platform_users: int
    platform_users_source: str

    @property
    def estimated(self) -> bool:
        """True where the platform-user figure is an estimate rather than a published one."""
        return self.platform_users_source.startswith("assumption")


@dataclass(frozen=True)
class Survey:
    viewer: str
    focal: str
    favourable: float | None
    unfavourable: float | None
    year: int
    fielded: dt.date    # the last day of fieldwork (an upper bound where only the wave is known)
    source: str


def _rows(name: str) -> list[dict[str, str]]:
    text = resources.files("diplosim.world").joinpath("data", name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


def _languages(field: str) -> tuple[tuple[str, float], ...]:
    pairs = (part.split(":") for part in field.split("|") if part)
    return tuple((code, float(share)) for code, share in pairs)


@cache
def country_table() -> dict[str, Country]:
    """Every country by ISO 3166-1 alpha-2 code."""
    return {
        r["iso2"]: Country(
            iso2=r["iso2"], iso3=r["iso3"], name=r["name"], region=r["region"],
            subregion=r["subregion"], population=int(r["population"]),
            internet_pct=float(r["internet_pct"]), languages=_languages(r["languages"]),
            timezone=r["timezone"], utc_offset_hours=float(r["utc_offset_hours"]),
            platform_users=int(r["platform_users"]),
            platform_users_source=r["platform_users_source"],
        )
        for r in _rows("countries.csv")
    }


@cache
def language_names() -> dict[str, str]:
    """ISO 639 code -> English name, for every language the country table assigns."""
    return {r["code"]: r["name"] for r in _rows("languages.csv")}


def _pct(value: str) -> float | None:
    return float(value) / 100 if value.strip() else None


@cache
def favourability_surveys() -> dict[tuple[str, str], Survey]:
    """(viewer country, focal country) -> published survey shares, with their source."""
    return {
        (r["viewer"], r["focal"]): Survey(
            viewer=r["viewer"], focal=r["focal"], favourable=_pct(r["favourable_pct"]),
            unfavourable=_pct(r["unfavourable_pct"]), year=int(r["year"]),
            fielded=dt.date.fromisoformat(r["fielded"]), source=r["source"],
        )
        for r in _rows("favourability.csv")
    }
