"""The effect of each event, measured as a window before against a window after it."""

from __future__ import annotations

import json

from diplosim.analysis.run import Run

__all__ = ["event_effects", "event_effects_over_seeds"]


def event_effects(run: Run, window_days: int = 2) -> list[dict]:
    """One row per event and measure: the mean daily value in ``window_days`` before the event
    day against the same span from it.

    ban: each foreign actor's impressions in the banned country; influencer_briefing: the
    campaign's impressions; policy: the positive-side share of each issue's impressions;
    crisis: the topic's share of impressions in the struck countries; coordinated_network: in
    its target countries, its impressions, belief in its claim, the mean stance on its issue
    and favourability toward each country it portrays.
    """
    run.require("events", "exposures", "posts")
    out = []
    for ev in run.rows("SELECT * FROM events ORDER BY tick"):
        detail = json.loads(ev.get("detail") or "{}")
        day, kind, subject = ev["day"], ev["type"], ev["subject"]
        lo, hi = day - window_days, day + window_days
        if kind == "ban":
            measures = run.rows(f"""
                SELECT p.actor AS measure, e.day, sum(e.impressions) AS value
                FROM exposures e JOIN posts p USING (post)
                WHERE e.country = ? AND p.actor IS NOT NULL AND e.day >= {lo} AND e.day < {hi}
                GROUP BY ALL""", [subject])
        elif kind == "influencer_briefing":
            measures = run.rows(f"""
                SELECT p.campaign AS measure, e.day, sum(e.impressions) AS value
                FROM exposures e JOIN posts p USING (post)
                WHERE p.campaign = ? AND e.day >= {lo} AND e.day < {hi} GROUP BY ALL""",
                                [detail.get("campaign")])
        elif kind == "policy":
            measures = run.rows(f"""
                SELECT p.issue || ' positive share' AS measure, e.day,
                       sum(e.impressions) FILTER (WHERE p.stance > 0) / sum(e.impressions)
                         AS value
                FROM exposures e JOIN posts p USING (post)
                WHERE p.issue IS NOT NULL AND p.stance <> 0 AND e.day >= {lo} AND e.day < {hi}
                GROUP BY ALL""")
        elif kind == "crisis":
            countries = detail.get("countries") or []
            where = ("e.country IN (SELECT unnest(?::VARCHAR[]))" if countries else "true")
            measures = run.rows(f"""
                SELECT ?::VARCHAR AS measure, e.day,
                       sum(e.impressions) FILTER (WHERE p.topic = ?) / sum(e.impressions)
                         AS value
                FROM exposures e JOIN posts p USING (post)
                WHERE {where} AND e.day >= {lo} AND e.day < {hi} GROUP BY ALL""",
                                [f"{subject} share of impressions", subject,
                                 *([countries] if countries else [])])
        elif kind == "coordinated_network":
            measures = _network_measures(run, subject, lo, hi)
        else:
            continue
        out += _before_after(kind, subject, day, measures)
    return out


def _network_measures(run: Run, network: str, lo: int, hi: int) -> list[dict]:
    """A coordinated network's effect in its target countries: its own impressions, belief in
    its claim, the mean stance on its issue and favourability toward each country it portrays
    (the scenario in the manifest says which), per day."""
    scenario = run.manifest.get("scenario") or {}
    ev = next((e for e in scenario.get("events") or [] if e.get("type") == "coordinated_network"
               and e.get("id") == network), {})
    targets = list(ev.get("targets") or ["all"])
    countries = (None if "all" in targets else targets)
    where = "TRUE" if countries is None else "e.country::VARCHAR IN (SELECT unnest(?::VARCHAR[]))"
    rows = run.rows(f"""
        SELECT ?::VARCHAR AS measure, e.day, sum(e.impressions) AS value
        FROM exposures e JOIN posts p USING (post)
        WHERE p.actor::VARCHAR = ? AND {where} AND e.day >= {lo} AND e.day < {hi}
        GROUP BY ALL""", [f"{network} impressions", network,
                          *([countries] if countries is not None else [])])
    # the network's impressions are 0 before it starts: a day without a row is a 0
    seen = {r["day"] for r in rows}
    rows += [{"measure": f"{network} impressions", "day": d, "value": 0}
             for d in range(max(lo, 0), hi) if d not in seen]
    wanted = ([("belief", ev["claim"], "share_pos", "belief in {} (share)")] if ev.get("claim")
              else [])
    if ev.get("stance"):
        wanted.append(("stance", ev["stance"]["issue"], "mean", "{} mean stance"))
    wanted += [("favourability", c, "mean", "favourability toward {}")
               for c in (ev.get("portrays") or {})]
    if not run.has("attitudes"):
        return rows
    where = "TRUE" if countries is None else "country IN (SELECT unnest(?::VARCHAR[]))"
    for kind, subject, column, label in wanted:
        # attitudes' day d is the end of day d - 1: the state after that day's views
        rows += run.rows(f"""
            SELECT ?::VARCHAR AS measure, day - 1 AS day, sum(n * {column}) / sum(n) AS value
            FROM attitudes WHERE kind = ? AND subject = ? AND n > 0 AND {where}
              AND day - 1 >= {lo} AND day - 1 < {hi} GROUP BY ALL""",
                         [label.format(subject) + " in its targets", kind, subject,
                          *([countries] if countries is not None else [])])
    return rows


def _before_after(kind: str, subject: str, day: int, measures: list[dict]) -> list[dict]:
    by: dict[str, tuple[list[float], list[float]]] = {}
    for m in measures:
        before, after = by.setdefault(str(m["measure"]), ([], []))
        (before if m["day"] < day else after).append(float(m["value"] or 0))
    rows = []
    for measure, (before, after) in sorted(by.items()):
        b = sum(before) / len(before) if before else 0.0
        a = sum(after) / len(after) if after else 0.0
        rows.append({"event": kind, "subject": subject, "day": day, "measure": measure,
                     "before": b, "after": a, "change": a - b,
                     "ratio": a / b if b else None})
    return rows


def event_effects_over_seeds(runs: list[Run], window_days: int = 2) -> list[dict]:
    """``event_effects`` of replicates (one scenario, other seeds): per event and measure, the
    mean before and after and the change's mean with its 95% interval over the seeds (a
    change per seed, so the interval is a paired one), and whether it excludes 0."""
    from diplosim.analysis.uncertainty import difference

    changes: dict[tuple, list[dict]] = {}
    for run in runs:
        for r in event_effects(run, window_days):
            changes.setdefault((r["event"], r["subject"], r["day"], r["measure"]), []).append(r)
    out = []
    for (event, subject, day, measure), rows in changes.items():
        e = difference([r["after"] for r in rows], [r["before"] for r in rows])
        out.append({"event": event, "subject": subject, "day": day, "measure": measure,
                    "seeds": len(rows),
                    "before": sum(r["before"] for r in rows) / len(rows),
                    "after": sum(r["after"] for r in rows) / len(rows),
                    "change": e.mean, "change_low": e.low, "change_high": e.high,
                    "distinguishable": e.distinguishable})
    return out
