"""False claims: how many impressions they got before and after their fact-check label."""

from __future__ import annotations

from diplosim.analysis.run import Run

__all__ = ["label_exposure"]


def label_exposure(run: Run) -> list[dict]:
    """Per claim: posts, labelled posts, and impressions before and after each post's label
    (hourly exposures compared with the post's ``fact_check_tick``). Input: posts, exposures."""
    run.require("posts", "exposures")
    return run.rows("""
        SELECT p.claim, count(DISTINCT p.post) AS posts,
               count(DISTINCT p.post) FILTER (WHERE p.fact_check_tick IS NOT NULL)
                 AS labelled_posts,
               coalesce(sum(e.impressions) FILTER (WHERE p.fact_check_tick IS NULL
                                                   OR e.hour < p.fact_check_tick), 0)
                 AS impressions_before_label,
               coalesce(sum(e.impressions) FILTER (WHERE e.hour >= p.fact_check_tick), 0)
                 AS impressions_after_label
        FROM posts p LEFT JOIN exposures e USING (post)
        WHERE p.claim IS NOT NULL GROUP BY p.claim ORDER BY p.claim""")
