"""Headline figures of a run, read from its tables through DuckDB: who reached whom, how
favourability moved, which side of each issue was seen more, how far each claim is believed.

Each function takes a run folder and returns a list of row dicts (a small table).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from diplosim.errors import DiplosimError

__all__ = ["belief_change", "favourability_change", "headline", "narrative_share",
           "top_actor_reach"]


def _connect(run: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    for table in ("posts", "exposures", "attitudes", "accounts"):
        path = run / f"{table}.parquet"
        if not path.exists():
            raise DiplosimError(f"{run}: no {table}.parquet; is this a diplosim run folder?")
        literal = str(path).replace("'", "''")
        con.execute(f"CREATE VIEW {table} AS SELECT * FROM read_parquet('{literal}')")
    return con


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict]:
    cur = con.execute(sql)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def top_actor_reach(con: duckdb.DuckDBPyConnection, per_country: int = 3) -> list[dict]:
    """Actors ranked by viewers reached in each country (sum of hourly unique viewers)."""
    return _rows(con, f"""
        WITH r AS (
          SELECT e.country, p.actor, sum(e.unique_viewers) AS viewers,
                 sum(e.completions) AS completions
          FROM exposures e JOIN posts p USING (post)
          WHERE p.actor IS NOT NULL GROUP BY ALL)
        SELECT * FROM r QUALIFY row_number() OVER (PARTITION BY country ORDER BY viewers DESC,
          actor) <= {int(per_country)}
        ORDER BY country, viewers DESC, actor""")


def favourability_change(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Mean favourability toward each focal country, first day against last, per country."""
    return _rows(con, """
        WITH a AS (SELECT * FROM attitudes WHERE kind = 'favourability' AND country <> subject),
        first AS (SELECT country, subject, mean FROM a WHERE day = (SELECT min(day) FROM a)),
        last AS (SELECT country, subject, mean FROM a WHERE day = (SELECT max(day) FROM a))
        SELECT country, subject AS toward, first.mean AS start, last.mean AS "end",
               last.mean - first.mean AS change
        FROM first JOIN last USING (country, subject)
        ORDER BY abs(change) DESC, country, toward""")


def narrative_share(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Share of stance-bearing impressions on each side of each issue, per country."""
    return _rows(con, """
        SELECT p.issue, e.country,
               sum(CASE WHEN p.stance > 0 THEN e.impressions ELSE 0 END)
                 / sum(e.impressions) AS positive_share,
               sum(e.impressions) AS impressions
        FROM exposures e JOIN posts p USING (post)
        WHERE p.issue IS NOT NULL AND p.stance <> 0 GROUP BY ALL ORDER BY p.issue, e.country""")


def belief_change(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Share of users believing each claim (belief > 0.5), first day against last, per country."""
    return _rows(con, """
        WITH b AS (SELECT * FROM attitudes WHERE kind = 'belief')
        SELECT f.subject AS claim, f.country, f.share_pos AS start, l.share_pos AS "end"
        FROM b f JOIN b l ON f.subject = l.subject AND f.country = l.country
        WHERE f.day = (SELECT min(day) FROM b) AND l.day = (SELECT max(day) FROM b)
        ORDER BY claim, l.share_pos DESC, f.country""")


def headline(run: str | Path) -> dict[str, list[dict]]:
    con = _connect(Path(run))
    return {"reach": top_actor_reach(con), "favourability": favourability_change(con),
            "narratives": narrative_share(con), "beliefs": belief_change(con)}
