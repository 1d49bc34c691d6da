"""The effect of each event, measured as a window before against a window after it."""

from __future__ import annotations

import json

from diplosim.analysis.run import Run

__all__ = ["event_effects"]


def event_effects(run: Run, window_days: int = 2) -> list[dict]:
    """One row per event and measure: the mean daily value in ``window_days`` before the event
    day against the same span from it.

    ban: each foreign actor's impressions in the banned country; influencer_briefing: the
    campaign's impressions; policy: the positive-side share of each issue's impressions;
    crisis: the topic's share of impressions in the struck countries.
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
        else:
            continue
        out += _before_after(kind, subject, day, measures)
    return out


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
