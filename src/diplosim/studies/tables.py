"""Lookups in a run and the Markdown layout shared by the headlines, the screening blocks and
the reach tables of ``make scenarios`` (``diplosim.studies.headlines``)."""

from __future__ import annotations

from diplosim.analysis.run import Run

__all__ = ["actor_row", "event_of", "minus", "scenario_of", "stance_by_country", "table"]


def stance_by_country(run: Run, issue: str) -> list[dict]:
    """Per country, first and last day: stance mean, sd and Sarle's bimodality coefficient."""
    from diplosim.analysis.opinion import polarisation

    rows = [r for r in polarisation(run) if r["issue"] == issue]
    first, last = min(r["day"] for r in rows), max(r["day"] for r in rows)
    start = {r["country"]: r for r in rows if r["day"] == first}
    return [{"country": r["country"], "mean_start": start[r["country"]]["mean"],
             "mean_end": r["mean"], "sd_end": r["variance"] ** 0.5,
             "bimodality_end": r["bimodality"]}
            for r in rows if r["day"] == last]


def actor_row(rows: list[dict], actor: str, key: str) -> float | None:
    """``key`` of ``actor``'s row in an analysis table (engagement_rate, follower_growth)."""
    return next((r[key] for r in rows if r["actor"] == actor), None)


def scenario_of(run: Run) -> dict:
    """The scenario a run was made from, as recorded in its manifest."""
    return run.manifest["scenario"]


def event_of(run: Run, kind: str) -> dict:
    """The run's first event of type ``kind``."""
    return next(e for e in scenario_of(run)["events"] if e["type"] == kind)


def minus(a: float | None, b: float | None) -> float | None:
    """a - b, or None when either is missing."""
    return None if a is None or b is None else a - b


def table(headers: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(headers) + " |",
             "|" + "|".join("---" if i == 0 else "---:" for i in range(len(headers))) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)
