"""The aggregate results both implementations are compared on, read from their run folders."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np

__all__ = ["aggregates", "same_distribution"]


def aggregates(folder: Path) -> dict[str, float]:
    """Impressions, behaviour rates per impression, and the last day's mean opinions (the mean
    over every country, kind and subject of the attitudes table, weighted by respondents)."""
    con = duckdb.connect()
    f = str(folder)
    imp, done = con.execute(f"SELECT sum(impressions), sum(completions) FROM "
                            f"read_parquet('{f}/exposures.parquet')").fetchone()
    kinds = dict(con.execute(f"SELECT kind::VARCHAR, count(*) FROM "
                             f"read_parquet('{f}/interactions.parquet') GROUP BY 1").fetchall())
    out = {"impressions": float(imp), "completion_rate": done / imp}
    for kind in ("like", "comment", "share", "follow"):
        out[f"{kind}s_per_1000"] = 1000 * kinds.get(kind, 0) / imp
    rows = con.execute(f"""
        SELECT kind, sum(n * mean) / sum(n) FROM read_parquet('{f}/attitudes.parquet')
        WHERE day = (SELECT max(day) FROM read_parquet('{f}/attitudes.parquet'))
          AND kind IN ('favourability', 'stance') GROUP BY kind""").fetchall()
    out.update({f"mean_{k}": float(v) for k, v in rows})
    return out


def same_distribution(reference: list[dict[str, float]], other: dict[str, float],
                      max_z: float = 4.0) -> dict[str, dict]:
    """For each aggregate: the other implementation's value as a z-score against the spread of
    the reference's replicates (seeds); the same model should give |z| below ``max_z``."""
    out = {}
    for key in reference[0]:
        values = np.array([r[key] for r in reference])
        sd = max(values.std(ddof=1), 1e-3 * abs(values.mean()), 1e-12)
        z = (other[key] - values.mean()) / sd
        out[key] = {"reference_mean": float(values.mean()), "reference_sd": float(values.std(
            ddof=1)), "other": other[key], "z": round(float(z), 2), "same": bool(abs(z) < max_z)}
    return out
