"""Headline figures of a run, read from its tables through DuckDB: who reached whom, how
favourability moved, which side of each issue was seen more, how far each claim is believed.

Each function takes a ``Run`` and returns a list of row dicts (a small table).
"""

from __future__ import annotations

from pathlib import Path

from diplosim.analysis.run import Run, load_run

__all__ = ["belief_change", "favourability_change", "headline", "narrative_share",
           "top_actor_reach"]


def top_actor_reach(run: Run, per_country: int = 3) -> list[dict]:
    """Actors ranked by viewers reached in each country (sum of hourly unique viewers)."""
    return run.rows(f"""
        WITH r AS (
          SELECT e.country, p.actor, sum(e.unique_viewers) AS viewers,
                 sum(e.completions) AS completions
          FROM exposures e JOIN posts p USING (post)
          WHERE p.actor IS NOT NULL GROUP BY ALL)
        SELECT * FROM r QUALIFY row_number() OVER (PARTITION BY country ORDER BY viewers DESC,
          actor) <= {int(per_country)}
        ORDER BY country, viewers DESC, actor""")


def favourability_change(run: Run) -> list[dict]:
    """Mean favourability toward each focal country, first day against last, per country."""
    return run.rows("""
        WITH a AS (SELECT * FROM attitudes WHERE kind = 'favourability' AND country <> subject),
        first AS (SELECT country, subject, mean FROM a WHERE day = (SELECT min(day) FROM a)),
        last AS (SELECT country, subject, mean FROM a WHERE day = (SELECT max(day) FROM a))
        SELECT country, subject AS toward, first.mean AS start, last.mean AS "end",
               last.mean - first.mean AS change
        FROM first JOIN last USING (country, subject)
        ORDER BY abs(change) DESC, country, toward""")


def narrative_share(run: Run) -> list[dict]:
    """Share of stance-bearing impressions on each side of each issue, per country."""
    return run.rows("""
        SELECT p.issue, e.country,
               sum(CASE WHEN p.stance > 0 THEN e.impressions ELSE 0 END)
                 / sum(e.impressions) AS positive_share,
               sum(e.impressions) AS impressions
        FROM exposures e JOIN posts p USING (post)
        WHERE p.issue IS NOT NULL AND p.stance <> 0 GROUP BY ALL ORDER BY p.issue, e.country""")


def belief_change(run: Run) -> list[dict]:
    """Share of users believing each claim (belief > 0.5), first day against last, per country."""
    return run.rows("""
        WITH b AS (SELECT * FROM attitudes WHERE kind = 'belief')
        SELECT f.subject AS claim, f.country, f.share_pos AS start, l.share_pos AS "end"
        FROM b f JOIN b l ON f.subject = l.subject AND f.country = l.country
        WHERE f.day = (SELECT min(day) FROM b) AND l.day = (SELECT max(day) FROM b)
        ORDER BY claim, l.share_pos DESC, f.country""")


def headline(path: str | Path) -> dict[str, list[dict]]:
    run = load_run(path)
    return {"reach": top_actor_reach(run), "favourability": favourability_change(run),
            "narratives": narrative_share(run), "beliefs": belief_change(run)}
