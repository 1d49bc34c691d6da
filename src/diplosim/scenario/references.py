"""Checks that span sections: ids are unique and declared, days fall inside the run, targets are
simulated countries, mixes sum to one, parameters exist, and unsupported fields are refused.

They read the raw data defensively, so they report alongside the schema's own errors.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

from diplosim.parameters import PARAMETERS
from diplosim.scenario.messages import describe_value
from diplosim.scenario.schema import ACTOR_TYPES, ALL, GROUP_ACTOR_TYPES, Scenario
from diplosim.world.countries import country_table

__all__ = ["reference_problems"]

Path = tuple[str | int, ...]
Found = Iterator[tuple[Path, str]]


def _items(data: Any, key: str) -> list[tuple[int, dict]]:
    value = data.get(key) if isinstance(data, dict) else None
    return [(i, v) for i, v in enumerate(value) if isinstance(v, dict)] if isinstance(
        value, list) else []


def _ids(items: list[tuple[int, dict]]) -> list[str]:
    return [v["id"] for _, v in items if isinstance(v.get("id"), str)]


def _unknown(kind: str, value: object, declared: list[str]) -> str:
    close = difflib.get_close_matches(str(value), declared, n=1, cutoff=0.5)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    listed = ", ".join(declared) if declared else "none declared"
    return f"expected a declared {kind} ({listed}), got {describe_value(value)}{hint}"


def _unique(section: str, items: list[tuple[int, dict]], base: Path = ()) -> Found:
    seen: set[str] = set()
    for i, item in items:
        ident = item.get("id")
        if isinstance(ident, str):
            if ident in seen:
                yield (*base, section, i, "id"), f"duplicate id {describe_value(ident)}"
            seen.add(ident)


def _ref(path: Path, value: object, kind: str, declared: list[str]) -> Found:
    if isinstance(value, str) and value not in declared:
        yield path, _unknown(kind, value, declared)


def _country_in_world(path: Path, code: object, world: list[str]) -> Found:
    if world and isinstance(code, str) and len(code) == 2 and code.isupper() and code not in world:
        yield path, (f"expected a country in world.countries ({', '.join(world)}), "
                     f"got {describe_value(code)}")


def _countries_in_world(path: Path, values: object, world: list[str], allow_all: bool) -> Found:
    if isinstance(values, list):
        for j, code in enumerate(values):
            if not (code == ALL and allow_all):
                yield from _country_in_world((*path, j), code, world)


def _day(path: Path, value: object, duration: object) -> Found:
    if isinstance(value, int | float) and not isinstance(value, bool) and isinstance(
            duration, int) and not isinstance(duration, bool) and value >= duration:
        yield path, f"expected a day before duration_days ({duration}), got {value:g}"


def _stance_and_claim(path: Path, item: dict, issues: list[str], claims: list[str]) -> Found:
    stance = item.get("stance")
    if isinstance(stance, dict):
        yield from _ref((*path, "stance", "issue"), stance.get("issue"), "issue", issues)
    yield from _ref((*path, "claim"), item.get("claim"), "claim", claims)


def _campaigns(data: dict, world: list[str], issues: list[str], claims: list[str]) -> Found:
    duration = data.get("duration_days")
    for i, actor in _items(data, "actors"):
        base: Path = ("actors", i)
        campaigns = _items(actor, "campaigns")
        yield from _unique("campaigns", campaigns, base)
        kind = actor.get("type")
        if kind not in ACTOR_TYPES:
            continue
        if actor.get("host_country") is not None and kind != "embassy":
            yield (*base, "host_country"), f"applies to embassies only, not to {kind}"
        if kind == "embassy" and actor.get("host_country") is None:
            yield base, "an embassy needs host_country (the country it is in)"
        yield from _country_in_world((*base, "host_country"), actor.get("host_country"), world)
        if actor.get("accounts", 1) != 1 and kind not in GROUP_ACTOR_TYPES:
            yield (*base, "accounts"), (f"applies to {' and '.join(GROUP_ACTOR_TYPES)} groups "
                                        f"only, not to {kind}")
        for j, c in campaigns:
            path = (*base, "campaigns", j)
            yield from _stance_and_claim(path, c, issues, claims)
            yield from _countries_in_world((*path, "targets"), c.get("targets"), world, True)
            yield from _day((*path, "start_day"), c.get("start_day"), duration)
            start, end = c.get("start_day", 0), c.get("end_day")
            if isinstance(end, int | float) and isinstance(start, int | float) and end <= start:
                yield (*path, "end_day"), f"expected a day after start_day ({start:g}), got {end:g}"
            mix = c.get("content_mix")
            if isinstance(mix, dict) and mix and all(
                    isinstance(v, int | float) and not isinstance(v, bool) for v in mix.values()):
                total = sum(mix.values())
                if abs(total - 1) > 1e-6:
                    yield (*path, "content_mix"), f"expected shares summing to 1, got {total:g}"


def _events(data: dict, world: list[str], issues: list[str], claims: list[str]) -> Found:
    actors = {a["id"]: a for _, a in _items(data, "actors") if isinstance(a.get("id"), str)}
    duration = data.get("duration_days")
    for i, ev in _items(data, "events"):
        path: Path = ("events", i)
        yield from _day((*path, "day"), ev.get("day"), duration)
        kind = ev.get("type")
        if kind == "influencer_briefing":
            yield from _ref((*path, "actor"), ev.get("actor"), "actor", list(actors))
            actor = actors.get(ev.get("actor"))
            if actor is not None:
                campaigns = _ids(_items(actor, "campaigns"))
                yield from _ref((*path, "campaign"), ev.get("campaign"),
                                f"campaign of {ev['actor']}", campaigns)
        if kind == "coordinated_network":
            yield from _stance_and_claim(path, ev, issues, claims)
            if ev.get("id") in actors:
                yield (*path, "id"), f"duplicate id {describe_value(ev['id'])} (an actor's id)"
        for key, allow_all in (("countries", False), ("targets", True)):
            yield from _countries_in_world((*path, key), ev.get(key), world, allow_all)
        if kind == "ban":
            yield from _country_in_world((*path, "country"), ev.get("country"), world)
        if kind == "policy" and not set(ev) - {"day", "type", "countries", "exempt"}:
            yield path, "a policy event must change something (ranking, state_media_labels, ...)"
        if kind in ("policy", "ban") and isinstance(ev.get("exempt"), list):
            for j, actor in enumerate(ev["exempt"]):
                yield from _ref((*path, "exempt", j), actor, "actor", list(actors))


def _focal(data: dict) -> list[str]:
    """The focal countries the raw data names (see ``Scenario.focal_countries``)."""
    found = [a.get("country") for _, a in _items(data, "actors")]
    found += [e.get("country") for _, e in _items(data, "events")
              if e.get("type") == "coordinated_network"]
    for _, a in _items(data, "actors"):
        for _, c in _items(a, "campaigns"):
            if isinstance(c.get("portrays"), dict):
                found += list(c["portrays"])
    for _, e in _items(data, "events"):
        if isinstance(e.get("portrays"), dict):
            found += list(e["portrays"])
    return [c for c in dict.fromkeys(found) if isinstance(c, str)]


def _overlap(seen: dict, key: object, ages: object) -> str | None:
    """None if ``key``'s poll for ``ages`` (None: all ages) is the first for those ages, else
    what it repeats ("" or " for ages ..."); records it in ``seen``. A crosstab by age may sit
    beside the all-ages poll, but two polls may not cover the same age group."""
    groups = frozenset(ages) if isinstance(ages, list) else None
    earlier = seen.setdefault(key, [])
    for other in earlier:
        if groups is None and other is None:
            return ""
        if groups is not None and other is not None and groups & other:
            return f" for ages {', '.join(sorted(groups & other))}"
    earlier.append(groups)
    return None


def _once(base: Path, items: list[tuple[int, dict]], world: list[str]) -> Found:
    """Baselines name simulated countries, one poll per country and age group."""
    seen: dict = {}
    for j, b in items:
        path = (*base, "baselines", j, "country")
        yield from _country_in_world(path, b.get("country"), world)
        clash = _overlap(seen, b.get("country"), b.get("ages"))
        if clash is not None:
            yield path, f"a second baseline for {b['country']}{clash}"


def _polls(data: dict, world: list[str]) -> Found:
    """Each issue's baselines name a simulated country once; each favourability poll a
    simulated viewer and a focal country, once per pair."""
    for i, issue in _items(data, "issues"):
        yield from _once(("issues", i), _items(issue, "baselines"), world)
    for i, claim in _items(data, "claims"):
        yield from _once(("claims", i), _items(claim, "baselines"), world)
    world_data = data.get("world") if isinstance(data.get("world"), dict) else {}
    focal, pairs = _focal(data), {}
    for j, f in _items(world_data, "favourability"):
        path = ("world", "favourability", j)
        yield from _country_in_world((*path, "viewer"), f.get("viewer"), world)
        code = f.get("focal")
        if isinstance(code, str) and len(code) == 2 and code.isupper() and code not in focal:
            yield (*path, "focal"), (f"expected a focal country (an actor's, a network's or a "
                                     f"portrayed country: {', '.join(focal) or 'none'}), got "
                                     f"{describe_value(code)}")
        clash = _overlap(pairs, (f.get("viewer"), code), f.get("ages"))
        if clash is not None:
            yield path, f"a second poll of {f.get('viewer')} about {code}{clash}"


def _date(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None  # the schema reports it
    return None


def _dated_polls(data: dict) -> Found:
    """With a ``start``, every poll the scenario gives is fielded on or before it: a poll
    cannot say where a public stood before the poll was taken. Each claim's baselines name a
    simulated country once."""
    start = _date(data.get("start"))
    world_data = data.get("world") if isinstance(data.get("world"), dict) else {}
    polls = [(("issues", i, "baselines", j), b) for i, issue in _items(data, "issues")
             for j, b in _items(issue, "baselines")]
    polls += [(("claims", i, "baselines", j), b) for i, claim in _items(data, "claims")
              for j, b in _items(claim, "baselines")]
    polls += [(("world", "favourability", j), f) for j, f in _items(world_data, "favourability")]
    for path, poll in polls:
        fielded = _date(poll.get("fielded"))
        if start is not None and fielded is not None and fielded > start:
            yield (*path, "fielded"), (f"the poll was fielded on {fielded.isoformat()}, after "
                                       f"the scenario's start ({start.isoformat()}); a poll "
                                       "must come before the run it starts")


def _parameters(data: dict) -> Found:
    params = data.get("parameters")
    if not isinstance(params, dict):
        return
    for name, value in params.items():
        spec = PARAMETERS.get(name)
        if spec is None:
            close = difflib.get_close_matches(str(name), list(PARAMETERS), n=1, cutoff=0.5)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            yield ("parameters", name), (f"unknown parameter (the table is listed by `diplosim "
                                         f"parameters`){hint}")
        elif isinstance(value, int | float) and not spec.low <= value <= spec.high:
            yield ("parameters", name), (f"expected a number from {spec.low:g} to {spec.high:g}, "
                                         f"got {value:g}")


def _unsupported(model: type[BaseModel], data: Any, path: Path = ()) -> Found:
    if not isinstance(data, dict):
        return
    for name, field in model.model_fields.items():
        if name not in data:
            continue
        extra = field.json_schema_extra
        if isinstance(extra, dict) and extra.get("unsupported") and data[name] is not None:
            yield (*path, name), "not supported yet (the engine does not act on it)"
        sub = field.annotation
        if isinstance(sub, type) and issubclass(sub, BaseModel):
            yield from _unsupported(sub, data[name], (*path, name))


def _empty_countries(world_data: dict, world: list[str]) -> Found:
    overrides = world_data.get("platform_users")
    overrides = overrides if isinstance(overrides, dict) else {}
    table = country_table()
    for j, code in enumerate(world):
        if table[code].platform_users == 0 and not overrides.get(code):
            yield ("world", "countries", j), (
                f"{code} has no platform users ({table[code].platform_users_source}); "
                f"set world.platform_users.{code} to simulate it anyway")
    if world and isinstance(world_data.get("users"), int) and world_data["users"] < len(world):
        yield ("world", "users"), f"expected at least one user per country ({len(world)})"


def reference_problems(data: object) -> list[tuple[Path, str]]:
    """Every cross-section problem in the raw scenario data."""
    if not isinstance(data, dict):
        return []
    world_data = data.get("world") if isinstance(data.get("world"), dict) else {}
    countries = world_data.get("countries")
    table = country_table()
    valid = isinstance(countries, list) and all(isinstance(c, str) and c in table
                                                for c in countries)
    world = list(countries) if valid else []  # membership is checked once the list is valid
    issue_items, claim_items = _items(data, "issues"), _items(data, "claims")
    issues, claims = _ids(issue_items), _ids(claim_items)
    found: list[tuple[Path, str]] = []
    for section, items in (("issues", issue_items), ("claims", claim_items),
                           ("actors", _items(data, "actors")),
                           ("variants", _items(data, "variants"))):
        found += _unique(section, items)
    found += _empty_countries(world_data, world)
    found += _campaigns(data, world, issues, claims)
    found += _events(data, world, issues, claims)
    found += _polls(data, world)
    found += _dated_polls(data)
    found += _parameters(data)
    found += _unsupported(Scenario, data)
    return found
