"""Opinion over time from the daily ``attitudes`` snapshots: soft power, polarisation, belief.

Each function takes a ``Run`` and returns a list of row dicts.
"""

from __future__ import annotations

from diplosim.analysis.run import Run

__all__ = ["audience_by_age", "belief_prevalence", "bimodality_coefficient", "opinion_by_age",
           "polarisation", "soft_power_index"]


def bimodality_coefficient(skew: float, kurtosis: float, n: int) -> float:
    """Sarle's bimodality coefficient from sample skewness and (non-excess) kurtosis:
    (g^2 + 1) / (k_excess + 3 (n-1)^2 / ((n-2)(n-3))). Above 5/9 (0.555) suggests bimodality
    (SAS Institute 1990; Pfister et al. 2013, Frontiers in Psychology 4:700)."""
    if n < 4:
        return float("nan")
    excess = kurtosis - 3.0
    return (skew**2 + 1) / (excess + 3 * (n - 1) ** 2 / ((n - 2) * (n - 3)))


def soft_power_index(run: Run) -> list[dict]:
    """Per viewer country x focal country x day: mean favourability toward the focal country
    and its change from day 0 (the baseline). Input: attitudes."""
    run.require("attitudes")
    return run.rows("""
        WITH f AS (SELECT day, country, subject AS toward, mean, share_pos, share_neg
                   FROM attitudes WHERE kind = 'favourability' AND n > 0)
        SELECT f.*, f.mean - b.mean AS change
        FROM f JOIN f b ON b.country = f.country AND b.toward = f.toward
                       AND b.day = (SELECT min(day) FROM f)
        ORDER BY f.toward, f.country, f.day""")


def polarisation(run: Run) -> list[dict]:
    """Per issue x country x day: stance mean, variance and bimodality coefficient."""
    run.require("attitudes")
    rows = run.rows("""
        SELECT day, country, subject AS issue, n, mean, sd * sd AS variance, skew, kurtosis,
               share_pos, share_neg
        FROM attitudes WHERE kind = 'stance' AND n > 0 ORDER BY issue, country, day""")
    for r in rows:
        r["bimodality"] = bimodality_coefficient(r.pop("skew"), r.pop("kurtosis"), r["n"])
    return rows


def belief_prevalence(run: Run) -> list[dict]:
    """Per claim x country x day: share of users whose belief exceeds 0.5, and mean belief."""
    run.require("attitudes")
    return run.rows("""
        SELECT subject AS claim, country, day, share_pos AS prevalence, mean AS mean_belief
        FROM attitudes WHERE kind = 'belief' AND n > 0 ORDER BY claim, country, day""")


def opinion_by_age(run: Run) -> list[dict]:
    """Per kind x subject x country x age group: users, mean and the share beyond the positive
    threshold on the first and the last day, and the change of the mean. Input:
    attitudes_by_age (runs made before 0.3 have none)."""
    run.require("attitudes_by_age")
    return run.rows("""
        WITH a AS (SELECT * FROM attitudes_by_age WHERE n > 0),
             f AS (SELECT * FROM a WHERE day = (SELECT min(day) FROM a)),
             l AS (SELECT * FROM a WHERE day = (SELECT max(day) FROM a))
        SELECT f.kind, f.subject, f.country, f.age, l.n, f.mean AS mean_start,
               l.mean AS mean_end, l.mean - f.mean AS change, f.share_pos AS share_pos_start,
               l.share_pos AS share_pos_end
        FROM f JOIN l USING (kind, subject, country, age)
        ORDER BY f.kind, f.subject, f.country, f.age""")


def audience_by_age(run: Run) -> list[dict]:
    """Per actor x age group: distinct viewers summed over the days and countries (a user seen
    on two days counts twice, as in ``audience``). Input: audience_by_age."""
    run.require("audience_by_age")
    return run.rows("""
        SELECT actor, age, sum(unique_viewers) AS viewer_days
        FROM audience_by_age GROUP BY actor, age ORDER BY actor, age""")
