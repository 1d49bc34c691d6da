"""Adding staged records to an import folder: DuckDB (with a memory limit, spilling to the
staging folder) keeps the first record seen of each id, drops ids the folder already holds
(re-importing adds nothing), and rebuilds the contract tables (``posts``, ``accounts``,
``interactions``, ``rejected``, ``follows``, ``engagements``) from every record kept, each
streamed to Parquet with the table contract's schema (``store.contract``) and replaced
atomically. Profiles and comments are kept as read in ``.store/``."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from diplosim.ingest.stage import SCHEMAS, SEQ, Stage
from diplosim.store.contract import IMPORTED, IMPORTED_TABLES, conform, schema

__all__ = ["DUCKDB_MEMORY", "KEYS", "RECORD_BATCH_ROWS", "add_staged", "connect"]

#: DuckDB's memory for the de-duplication and table rebuild; it spills to disk beyond this.
DUCKDB_MEMORY = "300MB"


#: Rows per batch when a table is written (``_replace``).
RECORD_BATCH_ROWS = 1 << 16


#: What makes a record of each kind the same record (kept once: the first seen).
KEYS = {"posts": "post", "profiles": "account", "comments": "comment",
        "follows": "follower || ' ' || followed",
        "engagements": "account || ' ' || relation || ' ' || post"}


def connect(spill: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute(f"SET memory_limit = '{DUCKDB_MEMORY}'")
    con.execute(f"SET temp_directory = {_sql_path(spill)}")
    con.execute("SET preserve_insertion_order = false")
    return con


def _sql_path(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _replace(con: duckdb.DuckDBPyConnection, path: Path, query: str) -> None:
    """Write ``query`` to ``path`` through a temporary file and a rename: streamed in record
    batches to Arrow's Parquet writer (half the time of DuckDB's ``COPY`` on 100,000 posts,
    memory bounded by a batch). A table of the contract (named by the file) is written with
    its declared schema, each batch checked and cast against it."""
    tmp = path.with_name(f".{path.name}.tmp")
    reader = con.sql(query).to_arrow_reader(RECORD_BATCH_ROWS)
    table = path.stem if path.stem in IMPORTED_TABLES else None
    with pq.ParquetWriter(tmp, reader.schema if table is None else schema(table, IMPORTED),
                          compression="zstd") as writer:
        for batch in reader:
            if table is None:
                writer.write_batch(batch)
            else:
                writer.write_table(conform(pa.Table.from_batches([batch]), table, IMPORTED))
    tmp.replace(path)


#: Where each kind of record is kept: posts are the contract table itself, follows and
#: engagements tables of their own; profiles and comments are kept as read (hidden) and feed
#: ``accounts`` and ``interactions``.
def _home(into: Path, kind: str) -> Path:
    if kind in ("posts", "follows", "engagements"):  # tables of the folder as read
        return into / f"{kind}.parquet"
    return into / f".store/{kind}.parquet"


def _raw_posts(path: Path) -> str:
    """The staged posts columns as read back from ``path`` (a folder imported by an earlier
    version lacks the newer ones: they read as NULL)."""
    have = set(pq.read_schema(path).names)
    columns = []
    for f in SCHEMAS["posts"]:
        null = "BIGINT" if f.type == pa.int64() else "VARCHAR"
        columns.append(f.name if f.name in have else f"NULL::{null} AS {f.name}")
    return ", ".join(columns)


def add_staged(con: duckdb.DuckDBPyConnection, staged: Stage, into: Path, kind: str,
           registry_given: bool) -> tuple[int, int]:
    """Add the staged rows to the folder, each id once (the first seen; ids already in the
    folder are skipped), and rebuild the tables that depend on them, each replaced
    atomically. Returns (rejected, loaded)."""
    store = into / ".store"
    rejected = staged.rows("rejected")
    if rejected:
        view = staged.view(con, "rejected")
        old = into / "rejected.parquet"
        union = f" UNION ALL SELECT * FROM read_parquet({_sql_path(old)})" if old.exists() else ""
        _replace(con, old, f"""SELECT DISTINCT ON (file, line, item) file, line, item, reason, raw
                               FROM (SELECT * EXCLUDE ({SEQ}) FROM {view}{union})
                               ORDER BY file, line, item""")
    kept = 0
    view = staged.view(con, kind)
    home = _home(into, kind)
    unique = None if home.exists() else _unique_in_memory(staged, kind)
    if unique is not None:  # nothing to de-duplicate: no window over the rows needed
        con.register("_fresh", unique)
        con.execute(f"CREATE OR REPLACE TEMP VIEW fresh AS SELECT * EXCLUDE ({SEQ}) FROM _fresh")
        kept = unique.num_rows
    elif view is not None:
        key = KEYS[kind]
        anti = (f"AND ({key}) NOT IN (SELECT {key} FROM read_parquet({_sql_path(home)}))"
                if home.exists() else "")
        # which staged row to keep for each id (the first by file and line) is chosen from
        # narrow columns, so the memory needed does not grow with the rows' text
        con.execute(f"""CREATE OR REPLACE TEMP TABLE keep AS
            SELECT arg_min({SEQ}, (source_file, source_line, {SEQ})) AS s
            FROM {view} WHERE true {anti} GROUP BY {key}""")
        con.execute(f"""CREATE OR REPLACE TEMP VIEW fresh AS SELECT * EXCLUDE ({SEQ})
            FROM {view} WHERE {SEQ} IN (SELECT s FROM keep)""")
        (kept,) = con.execute("SELECT count(*) FROM keep").fetchone()
    if not kept and not registry_given:
        return rejected, 0
    registry = store / "registry.parquet"
    if registry.exists():
        con.execute(f"CREATE OR REPLACE VIEW registry AS SELECT * FROM read_parquet("
                    f"{_sql_path(registry)})")
    else:
        con.execute("CREATE OR REPLACE VIEW registry AS SELECT NULL::VARCHAR AS handle, "
                    "NULL::VARCHAR AS actor_type, NULL::VARCHAR AS country, "
                    "NULL::VARCHAR AS label WHERE false")
    for k in KEYS:
        h, parts = _home(into, k), []
        if h.exists():
            parts.append(f"SELECT {_raw_posts(h) if k == 'posts' else '*'} "
                         f"FROM read_parquet({_sql_path(h)})")
        if k == kind and kept:
            parts.append("SELECT * FROM fresh")
        if not parts:
            parts.append(f"SELECT * FROM read_parquet({_sql_path(_empty(store, k))})")
        con.execute(f"CREATE OR REPLACE VIEW {k} AS {' UNION ALL '.join(parts)}")
    if kind != "posts" and kept:
        _replace(con, home, f"SELECT * FROM {kind} ORDER BY {KEYS[kind]}")
    if kind == "posts" or (registry_given and (into / "posts.parquet").exists()):
        # one thread for this pass: DuckDB's threads, not keeping insertion order, would write
        # the posts in another order each time (an ORDER BY would hold every post's text)
        con.execute("SET threads = 1")
        _replace(con, into / "posts.parquet", """
            SELECT p.post, p.account, p.time, (p.time // 86400)::INTEGER AS day, p.text,
                   p.hashtags, p.shared_object, p.urls, p.country, p.language,
                   p.likes, p.comments, p.shares, p.views, p.views AS impressions,
                   NULL::BIGINT AS completions, p.favorites, p.music, p.duet_of,
                   p.transcript, p.label,
                   r.handle AS actor, NULL::VARCHAR AS campaign,
                   coalesce(r.actor_type, 'user') AS messenger,
                   p.source_file, p.source_line
            FROM posts p LEFT JOIN registry r ON r.handle = p.account""")
        con.execute("RESET threads")
        con.execute("CREATE OR REPLACE VIEW posts AS SELECT * FROM read_parquet("
                    f"{_sql_path(into / 'posts.parquet')})")
    _replace(con, into / "accounts.parquet", """
        WITH ids AS (SELECT account FROM posts UNION SELECT account FROM profiles
                     UNION SELECT account FROM comments WHERE account IS NOT NULL),
             n AS (SELECT account, count(*) AS posts FROM posts GROUP BY 1)
        SELECT ids.account, ids.account AS handle,
               CASE WHEN r.handle IS NULL THEN 'user' ELSE 'actor' END AS kind,
               coalesce(r.actor_type, 'user') AS actor_type, r.handle AS actor,
               r.country, coalesce(r.label ILIKE '%state%', false) AS state_affiliated,
               r.label, pr.display_name, pr.verified,
               NULL::BIGINT AS followers_start, pr.followers AS followers_end,
               pr.following, coalesce(n.posts, 0) AS posts
        FROM ids LEFT JOIN registry r ON r.handle = ids.account
                 LEFT JOIN profiles pr USING (account) LEFT JOIN n USING (account)
        ORDER BY ids.account""")
    if _home(into, "comments").exists():
        _replace(con, into / "interactions.parquet", """
            SELECT c.time AS tick, c.time, 'comment' AS kind, c.account, c.post,
                   p.account AS target_account, NULL::VARCHAR AS from_account,
                   c.comment, c.text, c.parent
            FROM comments c LEFT JOIN posts p USING (post)""")
    return rejected, kept


def _unique_in_memory(staged: Stage, kind: str) -> pa.Table | None:
    """The staged rows of ``kind`` when all are in memory (none spilled) and each id is there
    once; None otherwise (then DuckDB keeps the first of each)."""
    key = KEYS[kind]
    if staged.files.get(kind) or not staged.tables.get(kind) or key not in SCHEMAS[kind].names:
        return None
    table = pa.concat_tables(staged.tables[kind])
    return table if pc.count_distinct(table.column(key)).as_py() == table.num_rows else None


def _empty(folder: Path, kind: str) -> Path:
    path = folder / f".empty-{kind}.parquet"
    if not path.exists():
        pq.write_table(SCHEMAS[kind].empty_table(), path)
    return path
