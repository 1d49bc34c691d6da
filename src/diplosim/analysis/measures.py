"""Named measures: functions of one run folder that return one number.

They are what replicated results, comparisons and sensitivity analyses are about. A measure is
named ``NAME`` or ``NAME:ARG[:ARG]`` (``impressions:ua_president:US,GB``,
``positive_share:ukraine_war:RU``, ``metric:run/engagement per view``); ``parse_measure``
checks a name once, and the returned function is called on each run. The built-in scenarios'
headlines are made of the same functions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from diplosim.analysis.reach import engagement_rate, narrative_battle, reach
from diplosim.analysis.run import Run
from diplosim.errors import DiplosimError
from diplosim.scenario.schema import Scenario
from diplosim.world.topics import TOPICS

__all__ = ["MEASURES", "Measure", "attitude", "check_measure", "daily_viewers", "impressions",
           "known_ids", "parse_measure",
           "platform_daily_viewers", "platform_views", "positive_share", "quoted_in",
           "sampling_fraction"]


def quoted_in(column: str, values: list[str] | None) -> str:
    """A SQL test that ``column`` is one of ``values`` (TRUE for none), values quoted."""
    if not values:
        return "TRUE"
    quoted = ", ".join("'" + v.replace("'", "''") + "'" for v in values)
    return f"{column} IN ({quoted})"


def impressions(run: Run, actor: str | None = None, countries: list[str] | None = None,
                days: tuple[int, int] | None = None, where: str = "TRUE") -> int:
    """Impressions of posts (of ``actor``, if given) among viewers in ``countries`` over
    ``days`` [first, last)."""
    span = f"e.day >= {int(days[0])} AND e.day < {int(days[1])}" if days else "TRUE"
    who = quoted_in("p.actor::VARCHAR", [actor]) if actor else "TRUE"
    (n,) = run.con.execute(f"""
        SELECT coalesce(sum(e.impressions), 0) FROM exposures e JOIN posts p USING (post)
        WHERE {who} AND {quoted_in('e.country::VARCHAR', countries)} AND {span} AND ({where})
        """).fetchone()
    return int(n)


def sampling_fraction(run: Run) -> float:
    """The run's sampling fraction *f* (its users over the platform users of its countries:
    the ODD page's sampling concept); 1 for an import, whose counts are the platform's own."""
    return float(run.manifest.get("sampling_fraction") or 1.0)


def platform_views(run: Run, actor: str | None = None, countries: list[str] | None = None,
                   days: tuple[int, int] | None = None, where: str = "TRUE") -> float:
    """Estimated views on the platform of the posts ``impressions`` selects: the sample's
    impressions over the sampling fraction. Each sampled user stands for 1 / *f* platform
    users and sees a named account's video as often as one of them would, and a sampled
    user's video stands for 1 / *f* videos like it, so the estimate's expectation does not
    depend on the world size; its sampling error does, and the seeds' interval carries it."""
    return impressions(run, actor, countries, days, where) / sampling_fraction(run)


def positive_share(run: Run, issue: str, countries: list[str] | None = None,
                   days: tuple[int, int] | None = None) -> float | None:
    """Share of the issue's stance-bearing impressions on its positive side, pooled over
    ``countries`` and ``days`` [first, last) from the report's narrative-battle rows."""
    rows = [r for r in narrative_battle(run) if r["issue"] == issue
            and r["positive_share"] is not None and r["impressions"]
            and (not countries or r["country"] in countries)
            and (not days or days[0] <= r["day"] < days[1])]
    total = sum(r["impressions"] for r in rows)
    return sum(r["positive_share"] * r["impressions"] for r in rows) / total if total else None


def attitude(run: Run, kind: str, subject: str, day: str = "last",
             countries: list[str] | None = None) -> dict[str, float]:
    """User-weighted mean and share above 0 (favourability, stance) or 0.5 (belief) over
    ``countries`` on the first or last day."""
    pick = "max" if day == "last" else "min"
    row = run.con.execute(f"""
        SELECT sum(n * mean) / sum(n), sum(n * share_pos) / sum(n), sum(n)
        FROM attitudes WHERE kind = ? AND subject = ? AND {quoted_in('country', countries)}
          AND day = (SELECT {pick}(day) FROM attitudes) AND n > 0""",
                          [kind, subject]).fetchone()
    return {"mean": row[0], "share": row[1], "n": row[2]}


def daily_viewers(run: Run, actor: str, countries: list[str] | None = None) -> float:
    """Mean over days of the distinct users who saw the actor that day (summed over
    ``countries``), from ``reach``."""
    per_day: dict[int, int] = {}
    for r in reach(run):
        if r["actor"] == actor and (not countries or r["country"] in countries):
            per_day[r["day"]] = per_day.get(r["day"], 0) + (r["unique_viewers"] or 0)
    return sum(per_day.values()) / len(per_day) if per_day else 0.0


def platform_daily_viewers(run: Run, actor: str, countries: list[str] | None = None) -> float:
    """``daily_viewers`` as platform users: the sample's distinct viewers over *f*."""
    return daily_viewers(run, actor, countries) / sampling_fraction(run)


def _change(run: Run, kind: str, subject: str, countries: list[str] | None) -> float | None:
    first, last = (attitude(run, kind, subject, d, countries)["mean"] for d in ("first", "last"))
    return None if first is None or last is None else last - first


def _engagement(run: Run, actor: str | None = None) -> float | None:
    if actor is None:
        (v,) = run.con.execute("SELECT (sum(likes) + sum(comments) + sum(shares)) / "
                               "nullif(sum(impressions), 0) FROM posts").fetchone()
        return None if v is None else float(v)
    return next((r["engagement_per_view"] for r in engagement_rate(run) if r["actor"] == actor),
                None)


def _metric(run: Run, key: str) -> float | None:
    from diplosim.analysis.compare import compare_runs

    group, _, metric = key.partition("/")
    _, rows = compare_runs([run.path])
    for r in rows:
        if r["group"] == group and r["metric"] == metric:
            value = next(v for k, v in r.items() if k not in ("group", "metric"))
            return None if value is None or isinstance(value, str) else float(value)
    return None


@dataclass(frozen=True)
class Measure:
    """A measure's name, its arguments (``[...]`` optional; COUNTRIES comma-separated ISO
    codes) and what it returns."""

    name: str
    args: str
    description: str
    fn: Callable[..., float | int | None]
    required: int
    countries_at: int | None = None  # the argument that is a list of countries
    #: what each argument names, checked against a scenario by ``check_measure``: ``named``
    #: (an actor or coordinated network), ``issue``, ``claim``, ``focal``, ``topic``,
    #: ``countries``, or ``any`` (not checked)
    kinds: tuple[str, ...] = ()


MEASURES: dict[str, Measure] = {m.name: m for m in [
    Measure("impressions", "[ACTOR[:COUNTRIES]]", "Impressions of the actor's (or coordinated "
            "network's) posts (of all posts without ACTOR) among viewers in COUNTRIES (all "
            "without).",
            lambda run, actor=None, countries=None: impressions(run, actor, countries), 0, 1,
            ("named", "countries")),
    Measure("platform_views", "[ACTOR[:COUNTRIES]]", "Estimated views on the platform of the "
            "actor's posts (of all posts without ACTOR) among viewers in COUNTRIES: the sample's "
            "impressions over the sampling fraction.",
            lambda run, actor=None, countries=None: platform_views(run, actor, countries), 0, 1,
            ("named", "countries")),
    Measure("daily_viewers", "ACTOR[:COUNTRIES]", "Mean daily distinct viewers of the actor's "
            "posts in COUNTRIES.", daily_viewers, 1, 1, ("named", "countries")),
    Measure("positive_share", "ISSUE[:COUNTRIES]", "Share of the issue's stance-bearing "
            "impressions on its positive side, viewers in COUNTRIES, all days.",
            lambda run, issue, countries=None: positive_share(run, issue, countries), 1, 1,
            ("issue", "countries")),
    Measure("favourability_change", "FOCAL[:COUNTRIES]", "Change in mean favourability toward "
            "the focal country from the first to the last day, users in COUNTRIES.",
            lambda run, focal, countries=None: _change(run, "favourability", focal, countries),
            1, 1, ("focal", "countries")),
    Measure("stance_change", "ISSUE[:COUNTRIES]", "Change in mean stance on the issue from the "
            "first to the last day, users in COUNTRIES.",
            lambda run, issue, countries=None: _change(run, "stance", issue, countries), 1, 1,
            ("issue", "countries")),
    Measure("stance_mean", "ISSUE[:COUNTRIES]", "Mean stance on the issue on the last day.",
            lambda run, issue, countries=None: attitude(run, "stance", issue, "last",
                                                        countries)["mean"], 1, 1,
            ("issue", "countries")),
    Measure("believing", "CLAIM[:COUNTRIES]", "Share of users who believe the claim (belief "
            "above 0.5) on the last day.",
            lambda run, claim, countries=None: attitude(run, "belief", claim, "last",
                                                        countries)["share"], 1, 1,
            ("claim", "countries")),
    Measure("topic_posts", "TOPIC", "Posts on the topic over the whole run (every account).",
            lambda run, topic: float(run.rows(
                "SELECT count(*) AS n FROM posts WHERE topic::VARCHAR = ?", [topic])[0]["n"]),
            1, None, ("topic",)),
    Measure("engagement_per_view", "[ACTOR]", "Likes, comments and shares per impression, of "
            "the actor's posts (all posts without ACTOR).", _engagement, 0, None, ("named",)),
    Measure("metric", "GROUP/METRIC", "Any numeric headline metric of `diplosim compare` "
            "(for example run/impressions per user per day, cascades/largest).", _metric, 1),
]}


def parse_measure(spec: str) -> Callable[[Run], float | None]:
    """The function a measure name denotes; an unknown name or a wrong number of arguments is
    an error naming the measures there are."""
    name, *args = spec.split(":")
    m = MEASURES.get(name.strip())
    if m is None:
        known = ", ".join(f"{k}:{v.args}" if v.args else k for k, v in MEASURES.items())
        raise DiplosimError(f"--measure {spec}: no measure '{name}' (measures: {known})")
    most = m.args.count(":") + (1 if m.args else 0)
    if not m.required <= len(args) <= most or any(not a.strip() for a in args):
        raise DiplosimError(f"--measure {spec}: expected {m.name}:{m.args}" if m.args
                            else f"--measure {spec}: {m.name} takes no arguments")
    values: list[object] = [a.strip() for a in args]
    if m.countries_at is not None and len(values) > m.countries_at:
        values[m.countries_at] = [c.strip().upper() for c in str(values[m.countries_at])
                                  .split(",") if c.strip()]

    def measure(run: Run) -> float | None:
        value = m.fn(run, *values)
        return None if value is None else float(value)

    measure.__name__ = spec
    return measure


_KIND_WORDS = {"named": ("actor or network", "actors and networks"), "issue": ("issue", "issues"),
               "claim": ("claim", "claims"), "focal": ("focal country", "focal countries"),
               "topic": ("topic", "topics"), "countries": ("country", "countries")}


def known_ids(scenario: Scenario) -> dict[str, list[str]]:
    """What a measure's arguments may name in ``scenario``, by kind (``Measure.kinds``)."""
    return {"named": scenario.named_ids(), "issue": [i.id for i in scenario.issues],
            "claim": [c.id for c in scenario.claims], "focal": scenario.focal_countries(),
            "topic": list(TOPICS), "countries": list(scenario.world.countries)}


def check_measure(spec: str, scenario: Scenario) -> None:
    """Refuse, before anything runs, a measure whose arguments name nothing in ``scenario``
    (an actor, network, issue, claim, focal country, topic or country it does not have): the
    error lists what it does have. A measure that passes may still be None on a run (a claim
    nobody saw), but never zero because of a typo."""
    parse_measure(spec)
    name, *args = spec.split(":")
    known = known_ids(scenario)
    for kind, arg in zip(MEASURES[name.strip()].kinds, args, strict=False):
        values = ([c.strip().upper() for c in arg.split(",") if c.strip()]
                  if kind == "countries" else [arg.strip()])
        for v in values:
            if kind in known and v not in known[kind]:
                one, many = _KIND_WORDS[kind]
                raise DiplosimError(f"--measure {spec}: the scenario has no {one} '{v}' "
                                    f"(its {many}: {', '.join(known[kind]) or 'none'})")
