"""Open a run folder (simulated or imported) as DuckDB views over its Parquet tables.

Every metric reads only the tables of the table contract (``store.contract``: ``accounts``,
``posts``, ``exposures``, ``interactions``, ``attitudes``, ``events``, ``audience``, and an
import's ``rejected``, ``follows``, ``engagements``) through a ``Run``; a table a folder lacks is
simply absent, and metrics that need it say so.
"""

from __future__ import annotations

import json
from datetime import UTC
from pathlib import Path

import duckdb

from diplosim.errors import DiplosimError
from diplosim.store.contract import IMPORTED_TABLES, SIMULATED_TABLES, TABLES
from diplosim.store.writer import STAGE, read_manifest

__all__ = ["Run", "incomplete_message", "load_run"]

#: Tables only an import makes: rows it could not load, and the Research API's per-user lists.
IMPORT_TABLES = tuple(t for t in IMPORTED_TABLES if t not in SIMULATED_TABLES)


class Run:
    """A run folder's tables: ``run.sql(query)`` or ``run.table(name)`` (a DuckDB relation)."""

    def __init__(self, path: Path, manifest: dict):
        self.path, self.manifest = path, manifest
        self.tables: list[str] = [name for name in TABLES
                                  if (path / f"{name}.parquet").exists()]
        self._con: duckdb.DuckDBPyConnection | None = None

    @property
    def con(self) -> duckdb.DuckDBPyConnection:
        """The DuckDB connection with a view per table, opened on first use (opening costs
        more than some whole metrics)."""
        if self._con is None:
            con = duckdb.connect()
            for name in self.tables:
                literal = str(self.file(name)).replace("'", "''")
                con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{literal}')")
            self._con = con
        return self._con

    def file(self, name: str) -> Path:
        return self.path / f"{name}.parquet"

    def has(self, *names: str) -> bool:
        return all(n in self.tables for n in names)

    def has_column(self, table: str, column: str) -> bool:
        """Whether ``table`` is present and has ``column`` (a simulated run's ``posts`` has
        ``platform_views``; an import's has not)."""
        if table not in self.tables:
            return False
        names = {d[0] for d in self.con.execute(f'SELECT * FROM "{table}" LIMIT 0').description}
        return column in names

    def require(self, *names: str) -> None:
        missing = [n for n in names if n not in self.tables]
        if missing:
            raise DiplosimError(f"{self.path}: this metric needs the table(s) "
                                f"{', '.join(missing)}, which this folder does not have")

    def table(self, name: str) -> duckdb.DuckDBPyRelation:
        self.require(name)
        return self.con.table(name)

    def sql(self, query: str, params: list | None = None) -> duckdb.DuckDBPyRelation:
        """A query as a DuckDB relation (``.fetchall()``, ``.df()``, ``.show()``, or more SQL on
        it). DuckDB 2's relations have no ``fetchone``: a relation keeps no result, so every
        fetch runs it again; for one row use ``one``."""
        return self.con.sql(query, params=params)

    def when(self, seconds: int | float) -> str:
        """A time of this folder's tables as a reader wants it: an import's POSIX seconds as a
        UTC date and time; a simulated run's seconds from its start as a date and time when
        the scenario gives ``start``, else as "day D, HH:MM"."""
        from datetime import date, datetime, timedelta

        if self.manifest.get("kind") == "import":
            return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%d %H:%M UTC")
        start = (self.manifest.get("scenario") or {}).get("start")
        if start:
            moment = datetime.combine(date.fromisoformat(str(start)), datetime.min.time())
            return (moment + timedelta(seconds=float(seconds))).strftime("%Y-%m-%d %H:%M")
        day, rest = divmod(int(seconds), 86400)
        return f"day {day}, {rest // 3600:02d}:{rest % 3600 // 60:02d}"

    def one(self, query: str, params: list | None = None) -> tuple | None:
        """A query's first row as a tuple (None when it returns no row). The result is read to
        its end, so the connection is free for the next query (DuckDB 2 refuses new work on a
        connection while a result is unfinished)."""
        rows = self.con.execute(query, params or []).fetchall()
        return rows[0] if rows else None

    def df(self, table_or_query: str, params: list | None = None):
        """A table (by name) or a SQL query's result as a pandas DataFrame.

        pandas is optional: ``pip install 'diplosim[pandas]'``.
        """
        try:
            import pandas  # noqa: F401
        except ImportError:
            raise DiplosimError("Run.df needs pandas: pip install 'diplosim[pandas]'") from None
        if table_or_query in TABLES:
            return self.table(table_or_query).df()
        return self.con.execute(table_or_query, params or []).df()

    def rows(self, query: str, params: list | None = None) -> list[dict]:
        cur = self.con.execute(query, params or [])
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def incomplete_message(path: Path, manifest: dict) -> str:
    """Why a folder is refused, and how to finish the run in it."""
    stage = path / STAGE
    days = (manifest.get("scenario") or {}).get("duration_days", "?")
    pointer = read_manifest(stage / "checkpoint.json")
    if pointer is not None and isinstance(pointer.get("tick"), int):
        return (f"{path}: the run did not complete (it stopped after day {pointer['tick'] // 24} "
                f"of {days}; manifest.json says completed: false). Finish it from that "
                f"checkpoint with `diplosim run --resume {path}`")
    if (stage / "manifest.json").exists():
        return (f"{path}: the run did not complete (manifest.json says completed: false; it "
                f"had no checkpoint). `diplosim run --resume {path}` runs it again from the "
                f"start with the same seed (add --checkpoint-every 1d to long runs)")
    return (f"{path}: the run did not complete (manifest.json says completed: false); run it "
            f"again with `diplosim run`")


def load_run(path: str | Path) -> Run:
    """Open a run folder; refuses one whose manifest does not say it completed."""
    path = Path(path)
    manifest_file = path / "manifest.json"
    if not path.is_dir():
        raise DiplosimError(f"{path}: no such run folder")
    manifest: dict = {}
    if manifest_file.exists():
        try:
            manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            raise DiplosimError(f"{manifest_file}: unreadable manifest ({e})") from None
        if manifest.get("completed") is not True:
            raise DiplosimError(incomplete_message(path, manifest))
    run = Run(path, manifest)
    if not run.tables:
        raise DiplosimError(f"{path}: no diplosim tables (accounts.parquet, posts.parquet, ...)")
    return run
