"""``diplosim import``: stream exports into a folder of contract tables, accounting for every row.

Flow for one import: each input row is read as a stream and becomes a record or a rejection
(file, line, item, reason). Mapped CSV is read by column (``tabular``); the JSON formats row
by row (``formats``). Records are staged as Arrow batches, spilled to Parquet beyond
``STAGE_BYTES`` (``stage``), so memory stays bounded whatever the file's size. DuckDB (with a
memory limit, spilling to the staging folder) then picks the record to keep for each id (the
first seen) from narrow columns, drops ids the folder already holds (re-importing adds
nothing), and the tables are streamed to Parquet: ``posts``, ``accounts``, ``interactions``,
``rejected``, ``follows`` and ``engagements``; profiles and comments are kept as read in
``.store/``. Each file is written to a temporary name and renamed, so a crash leaves the
previous tables intact. loaded + rejected + duplicates = rows read.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import json
import re
import secrets
import shutil
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from diplosim.errors import DiplosimError, printable
from diplosim.ingest.fast_json import fast_videos
from diplosim.ingest.formats import FORMATS, ColumnMap, Reject, read
from diplosim.ingest.stage import _I, _S, SCHEMAS, SEQ, Stage
from diplosim.ingest.user_lists import LIST_FORMATS, read_list
from diplosim.store.writer import write_json_atomic

__all__ = ["ImportResult", "import_files", "load_registry", "new_key"]

#: DuckDB's memory for the de-duplication and table rebuild; it spills to disk beyond this.
DUCKDB_MEMORY = "300MB"
#: Rows per batch when a table is written (``_replace``).
RECORD_BATCH_ROWS = 1 << 16
#: What makes a record of each kind the same record (kept once: the first seen).
KEYS = {"posts": "post", "profiles": "account", "comments": "comment",
        "follows": "follower || ' ' || followed",
        "engagements": "account || ' ' || relation || ' ' || post"}
#: Every format: name -> kind of record (``FORMATS``: read by ``formats.read`` or by column;
#: ``LIST_FORMATS``: the per-user lists, by ``user_lists.read_list``).
KINDS = {**{f: kind for f, (_, kind) in FORMATS.items()},
         **{f: kind for f, (_, kind, _) in LIST_FORMATS.items()}}
ACTOR_TYPES = ("government", "embassy", "foreign_ministry", "international_org", "ngo",
               "state_media", "influencer", "citizen", "network", "media", "other")


@dataclass
class ImportResult:
    rows: int = 0
    loaded: int = 0
    rejected: int = 0
    duplicates: int = 0
    files: list[str] = field(default_factory=list)
    key_generated: str | None = None  # shown once to the user, never written

    def as_dict(self) -> dict:
        return {"rows": self.rows, "loaded": self.loaded, "rejected": self.rejected,
                "duplicates": self.duplicates, "files": self.files}


def new_key() -> str:
    return secrets.token_hex(32)


def fingerprint(key: str) -> str:
    return hmac.new(key.encode(), b"diplosim key fingerprint", hashlib.sha256).hexdigest()[:12]


def pseudonym(key: str) -> Callable[[str | None], str | None]:
    k = key.encode()

    def hide(value: str | None) -> str | None:
        if value is None:
            return None
        return "p_" + hmac.new(k, value.encode(), hashlib.sha256).hexdigest()[:20]

    return hide


def load_registry(path: Path) -> list[dict]:
    """``--actors registry.csv``: handle, actor_type, country, label (one actor per row)."""
    try:
        f = open(path, encoding="utf-8", newline="")  # noqa: SIM115 (closed by `with f` below)
    except OSError as e:
        raise DiplosimError(f"{path}: cannot read the actor registry ({e.strerror})") from None
    with f:
        reader = csv.DictReader(f)
        try:
            rows, problems = _registry_rows(path, reader)
        except (UnicodeDecodeError, csv.Error) as e:
            what = "not UTF-8 text" if isinstance(e, UnicodeDecodeError) else str(e)
            raise DiplosimError(f"{path}:{reader.line_num + 1}: {what}") from None
    if problems:
        raise DiplosimError("\n".join(problems))
    return rows


def _registry_rows(path: Path, reader: csv.DictReader) -> tuple[list[dict], list[str]]:
    rows, problems = [], []
    need = {"handle", "actor_type", "country"}
    if not reader.fieldnames or not need <= {h.strip() for h in reader.fieldnames}:
        raise DiplosimError(f"{path}:1: expected a header with handle, actor_type, country "
                            f"(and optionally label), got {printable(str(reader.fieldnames))}")
    for r in reader:
        r = {k.strip(): (v or "").strip() for k, v in r.items() if isinstance(k, str) and k}
        line = reader.line_num
        if not r.get("handle"):
            problems.append(f"{path}:{line}: handle: expected an account name, got nothing")
        elif r.get("actor_type") not in ACTOR_TYPES:
            got = printable(str(r.get("actor_type")))
            problems.append(f"{path}:{line}: actor_type: expected one of "
                            f"{', '.join(ACTOR_TYPES)}, got '{got}'")
        else:
            rows.append({"handle": r["handle"].lstrip("@"), "actor_type": r["actor_type"],
                         "country": r.get("country") or None,
                         "label": r.get("label") or None})
    return rows, problems


#: An @mention of an account in text (TikTok handles: letters, digits, '_' and '.').
MENTION = re.compile(r"@([A-Za-z0-9_.]{0,39}[A-Za-z0-9_])")
#: Fields of a record that name an account outright (hidden whole) or may mention one in text
#: (each @mention hidden).
NAME_FIELDS = ("account", "display_name", "follower", "followed", "creator")
TEXT_FIELDS = ("text", "bio", "transcript")


def hide_mentions(text: str | None, hide: Callable[[str | None], str | None]) -> str | None:
    """``text`` with each @mention replaced by the mentioned account's pseudonym."""
    if not text or "@" not in text:
        return text
    return MENTION.sub(lambda m: "@" + (hide(m.group(1)) or ""), text)


def _hide_record(record: dict, hide: Callable[[str | None], str | None]) -> None:
    for name in NAME_FIELDS:
        if name in record:
            record[name] = hide(record[name])
    for name in TEXT_FIELDS:
        if name in record:
            record[name] = hide_mentions(record[name], hide)


def _withheld(reason: str) -> str:
    """A rejection reason without the value it quotes (which may be a name), for a
    pseudonymised import."""
    head, sep, _ = reason.partition(", got ")
    return f"{head} (value withheld: pseudonymised import)" if sep else reason


def _hide_posts(table: pa.Table, hide: Callable[[str | None], str | None]) -> pa.Table:
    """A table of posts with its accounts pseudonymised and each @mention in its texts."""
    table = _hide_column(table, "account", hide)
    for name in ("text", "transcript"):
        if name in table.column_names:
            table = table.set_column(table.schema.get_field_index(name), name, pa.array(
                [hide_mentions(t, hide) for t in table.column(name).to_pylist()], _S))
    return table


def _hide_column(table: pa.Table, name: str, hide: Callable[[str | None], str | None]
                 ) -> pa.Table:
    """Pseudonymise a column once per distinct value."""
    col = table.column(name).combine_chunks().dictionary_encode()
    names = pa.array([hide(v) for v in col.dictionary.to_pylist()], pa.string())
    hidden = pa.DictionaryArray.from_arrays(col.indices, names).cast(pa.string())
    return table.set_column(table.schema.get_field_index(name), name, hidden)


def _stage_csv(stage: Stage, path: Path, column_map: ColumnMap, con, hide, pseudonymise: bool,
               result: ImportResult, progress) -> None:
    """Read one mapped CSV into the stage: the fast reader, or the exact one if they differ."""
    from diplosim.ingest.tabular import Disagree, convert, read_batches

    name = str(path)
    stage.mark()
    before = result.rows
    for exact in (False, True):
        try:
            for item in read_batches(path, column_map, exact=exact):
                if isinstance(item, tuple):
                    line, rej = item
                    result.rows += 1
                    stage.add("rejected", {"file": name, "line": line, "item": 0,
                                           "reason": _withheld(rej.reason) if pseudonymise
                                           else rej.reason,
                                           "raw": None if pseudonymise else rej.raw})
                    continue
                out = convert(con, column_map, item)
                result.rows += out.num_rows
                bad = pc.is_valid(out.column("reason"))
                if pc.any(bad).as_py():
                    rej = out.filter(bad)
                    stage.add_table("rejected", pa.table({
                        "file": pa.repeat(pa.scalar(name, _S), rej.num_rows),
                        "line": rej.column("source_line"),
                        "item": pa.array(np.zeros(rej.num_rows, np.int64)),
                        "reason": pa.array([_withheld(r) for r in
                                            rej.column("reason").to_pylist()], _S)
                        if pseudonymise else rej.column("reason"),
                        "raw": pa.nulls(rej.num_rows, _S) if pseudonymise
                        else rej.column("raw")}))
                    out = out.filter(pc.invert(bad))
                out = out.append_column("source_file", pa.repeat(pa.scalar(name, _S), out.num_rows))
                if pseudonymise:
                    out = _hide_posts(out, hide)
                stage.add_table("posts", out)
                if progress is not None:
                    progress(result.rows)
            return
        except Disagree:
            stage.rollback()
            result.rows = before


def _fast_rows(fast, staged: Stage, name: str, hide, result: ImportResult, progress):
    """Stage the fast reader's tables of clean rows; pass its other rows on (they are handled
    as the exact reader's rows are)."""
    for what, value in fast:
        if what == "row":
            yield value
            continue
        table = value.append_column("source_file",
                                    pa.repeat(pa.scalar(name, _S), value.num_rows))
        if hide is not None:
            table = _hide_posts(table, hide)
        result.rows += table.num_rows
        staged.add_table("posts", table)
        if progress is not None:
            progress(result.rows)


def import_files(fmt: str, files: list[Path], into: Path, column_map: ColumnMap | None = None,
                 registry: list[dict] | None = None, key: str | None = None,
                 progress: Callable[[int], None] | None = None,
                 fast_json: bool = True) -> ImportResult:
    """Import ``files`` of format ``fmt`` into the folder ``into``; see the module docstring.
    ``fast_json``: Research API JSON lines through Arrow's parser (``ingest.fast_json``; the
    same records), else line by line."""
    if fmt not in KINDS:
        raise DiplosimError(f"import: expected a format among {', '.join(KINDS)}, got {fmt!r}")
    for f in files:
        if not f.is_file():
            raise DiplosimError(f"{f}: no such file")
    into.mkdir(parents=True, exist_ok=True)
    manifest_path = into / "manifest.json"
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {
        "kind": "import", "imports": [], "completed": True}
    if manifest.get("kind") != "import":
        raise DiplosimError(f"{into}: a simulated run folder; import into a new folder")
    result = ImportResult(files=[str(f) for f in files])
    if key == "":
        key = new_key()
        result.key_generated = key
    if key is not None:
        fp = fingerprint(key)
        if manifest.get("pseudonymised") and manifest.get("key_fingerprint") != fp:
            raise DiplosimError(f"{into}: its data were pseudonymised with another key "
                                f"(fingerprint {manifest['key_fingerprint']}); use that key")
        if manifest.get("imports") and not manifest.get("pseudonymised"):
            raise DiplosimError(f"{into}: holds data that are not pseudonymised; pseudonymise "
                                "into a new folder")
    elif manifest.get("pseudonymised"):
        raise DiplosimError(f"{into}: its data are pseudonymised; give the same --key")
    hide = pseudonym(key) if key is not None else (lambda v: v)
    kind = KINDS[fmt]
    store = into / ".store"
    store.mkdir(exist_ok=True)
    stage = store / f".staging-{uuid.uuid4().hex}"
    stage.mkdir()
    con = _con(stage)
    try:
        staged = Stage(stage)
        for path in files:
            if fmt == "csv":
                if column_map is None:
                    raise DiplosimError("import csv: give the column map with --map MAP.yaml")
                _stage_csv(staged, path, column_map, con, hide, key is not None, result,
                           progress)
                continue
            name = str(path)
            items: dict[int, int] = {}
            fast = fast_videos(path) if fmt == "tiktok" and fast_json else None
            if fast is not None:
                rows = _fast_rows(fast, staged, name, hide if key is not None else None, result,
                                  progress)
            else:
                rows = read_list(fmt, path) if fmt in LIST_FORMATS else read(fmt, path)
            for line, record in rows:
                result.rows += 1
                item = items.get(line, 0)
                items[line] = item + 1
                if progress is not None and result.rows % 10_000 == 0:
                    progress(result.rows)
                if isinstance(record, Reject):
                    staged.add("rejected", {"file": name, "line": line, "item": item,
                                            "reason": _withheld(record.reason) if key is not None
                                            else record.reason,
                                            "raw": None if key is not None else record.raw})
                    continue
                if key is not None:
                    _hide_record(record, hide)
                record["source_file"], record["source_line"] = name, line
                staged.add(kind, record)
        staged.close()
        if registry is not None:
            reg = [dict(r, handle=hide(r["handle"])) for r in registry]
            tmp = store / ".registry.parquet.tmp"
            pq.write_table(pa.Table.from_pylist(reg, schema=pa.schema(
                [("handle", _S), ("actor_type", _S), ("country", _S), ("label", _S)])), tmp)
            tmp.replace(store / "registry.parquet")
        result.rejected, result.loaded = _store(con, staged, into, kind, registry is not None)
        result.duplicates = result.rows - result.rejected - result.loaded
    finally:
        con.close()
        shutil.rmtree(stage, ignore_errors=True)
    manifest["imports"].append({"format": fmt, "at": time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                                                  time.gmtime()),
                                **result.as_dict()})
    if key is not None:
        manifest.update(pseudonymised=True, key_fingerprint=fingerprint(key))
    manifest["tables"] = sorted(p.stem for p in into.glob("*.parquet"))
    write_json_atomic(manifest_path, manifest)
    return result


def _con(spill: Path) -> duckdb.DuckDBPyConnection:
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
    memory bounded by a batch)."""
    tmp = path.with_name(f".{path.name}.tmp")
    reader = con.sql(query).to_arrow_reader(RECORD_BATCH_ROWS)
    with pq.ParquetWriter(tmp, reader.schema, compression="zstd") as writer:
        for batch in reader:
            writer.write_batch(batch)
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
    return ", ".join(n if n in have else f"NULL::{'BIGINT' if t == _I else 'VARCHAR'} AS {n}"
                     for n, t in zip(SCHEMAS["posts"].names, SCHEMAS["posts"].types,
                                     strict=True))


def _store(con: duckdb.DuckDBPyConnection, staged: Stage, into: Path, kind: str,
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
