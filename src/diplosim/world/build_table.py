"""Build the shipped country table from the shared real data (a developer tool, not run by users).

Inputs: ``../shared/data/world`` (mledoze/countries ODbL, World Bank population and internet use),
CLDR language shares from ``babel``, time zones from ``tzdata``, and the hand-curated, cited
``platform_users_published.csv``. Output: ``countries.csv`` and ``languages.csv`` next to this
module's ``data/`` folder, and ``built_with.json``, the versions of babel and tzdata that derived
them: another release derives other rows (babel 2.19's CLDR gives other language shares than
2.18's), so the tables are rebuilt when the pinned versions change, never edited by hand.
``diplosim build-table --shared ../shared/data/world``.
"""

from __future__ import annotations

import csv
import json
import statistics
import unicodedata
from collections import Counter
from datetime import UTC, datetime
from importlib import resources
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from zoneinfo import ZoneInfo

__all__ = ["BUILT_WITH", "build", "build_rows", "builder_versions", "version_mismatch"]

DATA_DIR = Path(__file__).parent / "data"
#: The record of the packages whose data the tables are derived from.
BUILT_WITH = "built_with.json"
BUILDER_PACKAGES = ("babel", "tzdata")
COUNTRY_COLUMNS = [
    "iso2", "iso3", "name", "region", "subregion", "population", "population_year",
    "internet_pct", "internet_year", "languages", "timezone", "utc_offset_hours",
    "platform_users", "platform_users_source",
]
#: Languages below this share of a country's population are not assigned to its users.
MIN_LANGUAGE_SHARE = 0.05
#: At most this many languages per country are kept (the most spoken ones).
MAX_LANGUAGES = 4
#: Standard (non-summer) time is the smaller of the offsets on these two days, in either hemisphere.
OFFSET_REFERENCES = (datetime(2025, 1, 15, tzinfo=UTC), datetime(2025, 7, 15, tzinfo=UTC))
#: The most populous zone where the capital names no zone and the most common offset misleads
#: (Canada's many western zones, Australia's), and Kosovo, which tzdata lists under Serbia.
MAIN_ZONE_OVERRIDES = {"CA": "America/Toronto", "AU": "Australia/Sydney", "XK": "Europe/Belgrade"}


def _latest(row: dict[str, str], years: list[str]) -> tuple[float | None, str]:
    for year in reversed(years):
        value = row.get(year, "").strip()
        if value:
            return float(value), year
    return None, ""


def _population(path: Path) -> dict[str, tuple[int, str]]:
    latest: dict[str, tuple[int, str]] = {}
    with path.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            code, year = row["Country Code"], row["Year"]
            if code not in latest or year > latest[code][1]:
                latest[code] = (round(float(row["Value"])), year)
    return latest


def _internet(path: Path) -> dict[str, tuple[float, str]]:
    out: dict[str, tuple[float, str]] = {}
    with path.open(encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        years = [c for c in reader.fieldnames or [] if c.isdigit()]
        for row in reader:
            value, year = _latest(row, years)
            if value is not None:
                out[row["Country Code"]] = (value, year)
    return out


def _fold(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return plain.replace(" ", "_").lower()


def _zones() -> dict[str, list[str]]:
    """Country code -> IANA zones, from tzdata's zone.tab (one country per zone)."""
    text = resources.files("tzdata").joinpath("zoneinfo", "zone.tab").read_text()
    zones: dict[str, list[str]] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            code, _coords, zone = line.split("\t")[:3]
            zones.setdefault(code, []).append(zone)
    return zones


def _offset(zone: str) -> float:
    """Standard-time offset from UTC in hours (summer time is ignored: an assumption)."""
    deltas = [t.astimezone(ZoneInfo(zone)).utcoffset() for t in OFFSET_REFERENCES]
    return min(d.total_seconds() for d in deltas if d is not None) / 3600


def main_zone(capitals: list[str], zones: list[str]) -> tuple[str, float]:
    """The zone named after the capital; else the zone of the most common offset (ties: first)."""
    folded = {_fold(c) for c in capitals}
    for zone in zones:
        if _fold(zone.rsplit("/", 1)[-1]) in folded:
            return zone, _offset(zone)
    offsets = [_offset(z) for z in zones]
    common = Counter(offsets).most_common(1)[0][0]
    zone = zones[offsets.index(common)]
    return zone, common


def _languages(iso2: str) -> list[tuple[str, float]]:
    from babel.languages import get_territory_language_info

    shares: dict[str, float] = {}
    for code, info in get_territory_language_info(iso2).items():
        base = code.split("_")[0]
        shares[base] = max(shares.get(base, 0.0), info["population_percent"] / 100)
    kept = [(c, s) for c, s in shares.items() if s >= MIN_LANGUAGE_SHARE]
    kept.sort(key=lambda x: (-x[1], x[0]))
    return kept[:MAX_LANGUAGES]


def _published(path: Path) -> dict[str, tuple[int, str]]:
    with path.open(encoding="utf-8") as f:
        return {r["iso2"]: (int(r["platform_users"]), r["source"]) for r in csv.DictReader(f)}


def build_rows(shared: Path) -> list[dict[str, str]]:
    """All countries with their statistics; see the module docstring for the sources."""
    countries = json.loads((shared / "countries.json").read_text(encoding="utf-8"))
    population = _population(shared / "population.csv")
    internet = _internet(shared / "internet_users_pct.csv")
    published = _published(DATA_DIR / "platform_users_published.csv")
    zones = _zones()

    rows = []
    for c in sorted(countries, key=lambda c: c["cca2"]):
        iso2, iso3 = c["cca2"], c["cca3"]
        pop, pop_year = population.get(iso3, (0, ""))
        net, net_year = internet.get(iso3, (None, ""))
        candidates = [MAIN_ZONE_OVERRIDES[iso2]] if iso2 in MAIN_ZONE_OVERRIDES else zones.get(iso2)
        zone, offset = main_zone(c.get("capital", []), candidates) if candidates else ("", 0.0)
        rows.append({
            "iso2": iso2, "iso3": iso3, "name": c["name"]["common"], "region": c["region"],
            "subregion": c.get("subregion", ""), "population": pop, "population_year": pop_year,
            "internet_pct": net, "internet_year": net_year,
            "languages": "|".join(f"{code}:{share:.3f}" for code, share in _languages(iso2)),
            "timezone": zone, "utc_offset_hours": offset,
        })
    _fill_internet(rows)
    _fill_platform_users(rows, published)
    return rows


def _fill_internet(rows: list[dict]) -> None:
    """Countries without a World Bank figure get their region's median (an assumption)."""
    by_region: dict[str, list[float]] = {}
    for r in rows:
        if r["internet_pct"] is not None:
            by_region.setdefault(r["region"], []).append(r["internet_pct"])
    for r in rows:
        if r["internet_pct"] is None:
            r["internet_pct"] = statistics.median(by_region.get(r["region"], [50.0]))
            r["internet_year"] = "assumption: regional median"


def _fill_platform_users(rows: list[dict], published: dict[str, tuple[int, str]]) -> None:
    """Published figures where cited; elsewhere population x internet share x regional adoption.

    Adoption is platform users per internet user, the median over the published markets of the
    same region (the global median where a region has none); such rows are marked ``assumption``.
    """
    adoption: dict[str, list[float]] = {}
    for r in rows:
        users = published.get(r["iso2"], (0, ""))[0]
        online = r["population"] * r["internet_pct"] / 100
        if users > 0 and online > 0:
            adoption.setdefault(r["region"], []).append(users / online)
    overall = statistics.median(v for vs in adoption.values() for v in vs)
    for r in rows:
        online = r["population"] * r["internet_pct"] / 100
        if r["iso2"] in published:
            r["platform_users"], r["platform_users_source"] = published[r["iso2"]]
            continue
        rate = statistics.median(adoption[r["region"]]) if r["region"] in adoption else overall
        r["platform_users"] = round(online * rate)
        r["platform_users_source"] = (
            f"assumption: population x internet share x {r['region'] or 'global'} adoption "
            f"{rate:.3f} (median of published markets)"
        )


def language_rows(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    from babel import Locale

    names = Locale("en").languages
    codes = sorted({p.split(":")[0] for r in rows for p in str(r["languages"]).split("|") if p})
    return [{"code": c, "name": names.get(c, c)} for c in codes]


def _write(path: Path, rows: list[dict], columns: list[str]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        for r in rows:
            writer.writerow({k: _fmt(r[k]) for k in columns})


def _fmt(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.4g}" if abs(value) < 1000 else f"{value:.0f}"
    return str(value)


def builder_versions() -> dict[str, str]:
    """The installed versions of the packages the tables are derived from ("" when missing)."""
    out = {}
    for name in BUILDER_PACKAGES:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = ""
    return out


def version_mismatch(data_dir: Path = DATA_DIR) -> str | None:
    """Why rebuilding here cannot reproduce the shipped tables, or None when it can."""
    path = data_dir / BUILT_WITH
    recorded = json.loads(path.read_text(encoding="utf-8"))
    installed = builder_versions()
    differ = [f"{n} {recorded.get(n, '?')} built them, {installed[n] or 'none'} is installed"
              for n in BUILDER_PACKAGES if recorded.get(n) != installed[n]]
    if not differ:
        return None
    return (f"{path}: the shipped tables were derived with other package versions ("
            + "; ".join(differ) + "). Install the locked set (make install), or, to move to "
            "the new versions, pin them in pyproject.toml, run make lock and rebuild the tables "
            "with: diplosim build-table --shared ../shared/data/world")


def build(shared: Path, out: Path = DATA_DIR) -> None:
    """Derive the tables from the shared data in ``shared`` and write them, with the versions
    that derived them, into ``out`` (``diplosim build-table``)."""
    rows = build_rows(shared)
    _write(out / "countries.csv", rows, COUNTRY_COLUMNS)
    _write(out / "languages.csv", language_rows(rows), ["code", "name"])
    (out / BUILT_WITH).write_text(
        json.dumps(builder_versions(), indent=2, sort_keys=True) + "\n", encoding="utf-8")
