"""Several runs side by side: what differs in their setup, and the headline metrics of each.

``compare_runs`` gives one row per metric with one column per run, ready for a terminal table
or the HTML comparison; ``compare_series`` gives the daily curves (favourability, narrative
share, belief) of each run, pooled over viewer countries (weighted by their users), for
overlaid plots.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from diplosim.analysis.cascades import cascades
from diplosim.analysis.run import Run, load_run

__all__ = ["Comparison", "compare", "compare_runs", "compare_series", "run_labels",
           "setup_differences"]


def run_labels(paths: list[Path]) -> list[str]:
    """Short unique names: the folder names, or the paths when two folders share a name."""
    names = [p.resolve().name for p in paths]
    if len(set(names)) == len(names):
        return names
    return [str(p) for p in paths]


def _flatten(value: object, prefix: str = "") -> dict[str, object]:
    if isinstance(value, dict):
        out: dict[str, object] = {}
        for k, v in value.items():
            out.update(_flatten(v, f"{prefix}.{k}" if prefix else str(k)))
        return out
    if isinstance(value, list) and any(isinstance(v, dict) for v in value):
        out = {}
        for i, v in enumerate(value):
            key = v.get("id", i) if isinstance(v, dict) else i
            out.update(_flatten(v, f"{prefix}[{key}]"))
        return out
    return {prefix: value}


def setup_differences(runs: list[Run]) -> dict[str, list[object]]:
    """Scenario fields (dotted paths) whose values differ between the runs, with each value."""
    flat = [_flatten(r.manifest.get("scenario") or {}) for r in runs]
    keys = sorted(set().union(*flat))
    return {k: [f.get(k) for f in flat] for k in keys
            if len({repr(f.get(k)) for f in flat}) > 1}


def _scalar(run: Run, query: str) -> float | None:
    row = run.con.execute(query).fetchone()
    return None if row is None or row[0] is None else float(row[0])


def _metrics(run: Run, series: dict, sizes: np.ndarray | None
             ) -> dict[tuple[str, str], float | int | None]:
    m: dict[tuple[str, str], float | int | None] = {}
    man = run.manifest
    days = (man.get("scenario") or {}).get("duration_days")
    if man.get("users"):
        m[("run", "users")] = man["users"]
    if run.has("posts"):
        m[("run", "posts")] = int(_scalar(run, "SELECT count(*) FROM posts") or 0)
        imp = int(_scalar(run, "SELECT sum(impressions) FROM posts") or 0)
        m[("run", "impressions")] = imp
        if imp and man.get("users") and days:
            m[("run", "impressions per user per day")] = imp / man["users"] / days
        m[("run", "engagement per view")] = _scalar(
            run, "SELECT (sum(likes) + sum(comments) + sum(shares)) / nullif(sum(impressions), 0)"
                 " FROM posts")
        for actor, imp in run.con.execute(
                "SELECT actor::VARCHAR, sum(impressions) FROM posts WHERE actor IS NOT NULL "
                "GROUP BY 1 ORDER BY 1").fetchall():
            m[("actor impressions", actor)] = int(imp)
        if run.has_column("posts", "platform_views"):  # a simulated run: a sample's estimate
            for actor, views in run.con.execute(
                    "SELECT actor::VARCHAR, sum(platform_views) FROM posts WHERE actor IS NOT "
                    "NULL GROUP BY 1 ORDER BY 1").fetchall():
                m[("actor platform views", actor)] = int(views)
    if run.has("audience"):
        for actor, v in run.con.execute(
                "SELECT actor, sum(unique_viewers) / count(DISTINCT day) FROM audience "
                "GROUP BY 1 ORDER BY 1").fetchall():
            m[("actor daily viewers", actor)] = float(v)
    for (kind, subject), points in sorted(series.items()):
        values = [v for _, v in points]
        if kind == "favourability":
            m[("favourability change", f"toward {subject}, last day")] = values[-1]
        elif kind == "narrative":
            m[("narrative", f"{subject}: positive share, mean of days")] = float(np.mean(values))
        else:
            m[("belief", f"{subject}: share believing, last day")] = values[-1]
    if sizes is not None and sizes.size:
        m[("cascades", "share of size 1")] = float((sizes == 1).mean())
        m[("cascades", "largest")] = int(sizes.max())
    return m


def compare_series(run: Run) -> dict[tuple[str, str], list[tuple[float, float]]]:
    """Daily curves of one run, pooled over viewer countries weighted by their users:
    ('favourability', toward) change from day 0 over foreign viewers; ('narrative', issue)
    positive share of impressions; ('belief', claim) share of users believing."""
    out: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
    if run.has("attitudes"):
        for subject, day, value in run.con.execute("""
                WITH f AS (SELECT day, country, subject, n, mean FROM attitudes
                           WHERE kind = 'favourability' AND n > 0 AND country <> subject),
                     b AS (SELECT country, subject, mean AS base FROM f
                           WHERE day = (SELECT min(day) FROM f))
                SELECT subject, day, sum(n * (mean - base)) / sum(n)
                FROM f JOIN b USING (country, subject) GROUP BY ALL ORDER BY 1, 2""").fetchall():
            out[("favourability", subject)].append((float(day), float(value)))
        for subject, day, value in run.con.execute("""
                SELECT subject, day, sum(n * share_pos) / sum(n) FROM attitudes
                WHERE kind = 'belief' AND n > 0 GROUP BY ALL ORDER BY 1, 2""").fetchall():
            out[("belief", subject)].append((float(day), float(value)))
    if run.has("exposures", "posts"):
        for issue, day, value in run.con.execute("""
                SELECT p.issue::VARCHAR, e.day,
                       sum(e.impressions) FILTER (WHERE p.stance > 0) / sum(e.impressions)
                FROM exposures e JOIN posts p USING (post)
                WHERE p.issue IS NOT NULL AND p.stance <> 0 GROUP BY ALL ORDER BY 1, 2"""
                                                 ).fetchall():
            out[("narrative", issue)].append((float(day) + 0.5, float(value)))
    return dict(out)


@dataclass
class Comparison:
    """Runs side by side, each measured once: labels, the open runs, their daily curves, their
    cascade sizes (None without shares), and the rows of ``compare_runs``."""

    labels: list[str]
    runs: list[Run]
    series: list[dict]
    sizes: list[np.ndarray | None]
    rows: list[dict]


def compare(paths: list[str | Path]) -> Comparison:
    paths = [Path(p) for p in paths]
    runs = [load_run(p) for p in paths]
    labels = run_labels(paths)
    series = [compare_series(r) for r in runs]
    sizes = [np.array([c["size"] for c in cascades(r)]) if r.has("posts", "interactions")
             else None for r in runs]
    rows: list[dict] = []
    for key, values in setup_differences(runs).items():
        rows.append({"group": "setup", "metric": key, **dict(zip(labels, values, strict=True))})
    metrics = [_metrics(*x) for x in zip(runs, series, sizes, strict=True)]
    seen = list(dict.fromkeys(k for m in metrics for k in m))  # first-seen order within groups
    for group, name in sorted(seen, key=lambda k: _ORDER.get(k[0], 9)):
        rows.append({"group": group, "metric": name,
                     **{label: m.get((group, name)) for label, m in zip(labels, metrics,
                                                                         strict=True)}})
    return Comparison(labels, runs, series, sizes, rows)


def compare_runs(paths: list[str | Path]) -> tuple[list[str], list[dict]]:
    """(run labels, rows): one row per setup difference and per metric, a column per run."""
    c = compare(paths)
    return c.labels, c.rows


_ORDER = {"run": 0, "actor platform views": 1, "actor impressions": 1,
          "actor daily viewers": 2, "favourability change": 3, "narrative": 4, "belief": 5,
          "cascades": 6}
