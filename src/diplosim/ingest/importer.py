"""``diplosim import``: stream exports into a folder of contract tables, accounting for every row.

Flow for one import: each input row is read as a stream and becomes a record or a rejection
(file, line, item, reason); records are written in batches of ``BATCH`` rows to a staging
folder, so memory stays bounded whatever the file's size. DuckDB then keeps each post id once
(the first seen) and drops ids the folder already holds (re-importing adds nothing), appends
the result as a new part, and rebuilds the contract tables (``posts``, ``accounts``,
``interactions``, ``rejected``) from all parts, each written to a temporary file and renamed,
so a crash leaves the previous tables intact. loaded + rejected + duplicates = rows read.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import json
import secrets
import shutil
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from diplosim.errors import DiplosimError
from diplosim.ingest.formats import FORMATS, ColumnMap, Reject, read
from diplosim.store.writer import write_json_atomic

__all__ = ["ImportResult", "import_files", "load_registry", "new_key"]

BATCH = 50_000
#: DuckDB's memory for the de-duplication and table rebuild; it spills to disk beyond this.
DUCKDB_MEMORY = "400MB"

_S, _I, _L = pa.string(), pa.int64(), pa.list_(pa.string())
SCHEMAS = {
    "posts": pa.schema([("post", _S), ("account", _S), ("time", _I), ("text", _S),
                        ("hashtags", _L), ("shared_object", _S), ("urls", _L), ("country", _S),
                        ("language", _S), ("likes", _I), ("comments", _I), ("shares", _I),
                        ("views", _I), ("favorites", _I), ("music", _S), ("source_file", _S),
                        ("source_line", _I)]),
    "profiles": pa.schema([("account", _S), ("display_name", _S), ("bio", _S),
                           ("verified", pa.bool_()), ("followers", _I), ("following", _I),
                           ("likes", _I), ("videos", _I), ("source_file", _S),
                           ("source_line", _I)]),
    "comments": pa.schema([("comment", _S), ("post", _S), ("account", _S), ("time", _I),
                           ("text", _S), ("likes", _I), ("parent", _S), ("source_file", _S),
                           ("source_line", _I)]),
    "rejected": pa.schema([("file", _S), ("line", _I), ("item", _I), ("reason", _S),
                           ("raw", _S)]),
}
KEYS = {"posts": "post", "profiles": "account", "comments": "comment"}
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
    rows, problems = [], []
    with f:
        reader = csv.DictReader(f)
        need = {"handle", "actor_type", "country"}
        if not reader.fieldnames or not need <= {h.strip() for h in reader.fieldnames}:
            raise DiplosimError(f"{path}:1: expected a header with handle, actor_type, country "
                                f"(and optionally label), got {reader.fieldnames}")
        for r in reader:
            r = {k.strip(): (v or "").strip() for k, v in r.items() if k}
            line = reader.line_num
            if not r.get("handle"):
                problems.append(f"{path}:{line}: handle: expected an account name, got nothing")
            elif r.get("actor_type") not in ACTOR_TYPES:
                problems.append(f"{path}:{line}: actor_type: expected one of "
                                f"{', '.join(ACTOR_TYPES)}, got {r.get('actor_type')!r}")
            else:
                rows.append({"handle": r["handle"].lstrip("@"), "actor_type": r["actor_type"],
                             "country": r.get("country") or None,
                             "label": r.get("label") or None})
    if problems:
        raise DiplosimError("\n".join(problems))
    return rows


class _Batches:
    """Buffers records per kind and writes a Parquet part per ``BATCH`` rows."""

    def __init__(self, stage: Path):
        self.stage, self.buf, self.parts = stage, {}, {}

    def add(self, kind: str, record: dict) -> None:
        self.buf.setdefault(kind, []).append(record)
        if len(self.buf[kind]) >= BATCH:
            self.flush(kind)

    def flush(self, kind: str) -> None:
        rows = self.buf.get(kind)
        if not rows:
            return
        n = self.parts.get(kind, 0)
        table = pa.Table.from_pylist(rows, schema=SCHEMAS[kind])
        pq.write_table(table, self.stage / f"{kind}-{n:05d}.parquet", compression="zstd")
        self.parts[kind] = n + 1
        self.buf[kind] = []

    def close(self) -> None:
        for kind in list(self.buf):
            self.flush(kind)


def import_files(fmt: str, files: list[Path], into: Path, column_map: ColumnMap | None = None,
                 registry: list[dict] | None = None, key: str | None = None,
                 progress: Callable[[int], None] | None = None) -> ImportResult:
    """Import ``files`` of format ``fmt`` into the folder ``into``; see the module docstring."""
    if fmt not in FORMATS:
        raise DiplosimError(f"import: expected a format among {', '.join(FORMATS)}, got {fmt!r}")
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
    kind = FORMATS[fmt][1]
    parts = into / ".parts"
    parts.mkdir(exist_ok=True)
    stage = parts / f".staging-{uuid.uuid4().hex}"
    stage.mkdir()
    try:
        batches = _Batches(stage)
        for path in files:
            name = str(path)
            items: dict[int, int] = {}
            for line, record in read(fmt, path, column_map):
                result.rows += 1
                item = items.get(line, 0)
                items[line] = item + 1
                if progress is not None and result.rows % 10_000 == 0:
                    progress(result.rows)
                if isinstance(record, Reject):
                    batches.add("rejected", {"file": name, "line": line, "item": item,
                                             "reason": record.reason, "raw": record.raw})
                    continue
                if "account" in record:
                    record["account"] = hide(record["account"])
                record["source_file"], record["source_line"] = name, line
                batches.add(kind, record)
        batches.close()
        result.rejected, loaded = _merge(stage, parts, kind)
        result.loaded = loaded
        result.duplicates = result.rows - result.rejected - result.loaded
        if registry is not None:
            reg = [dict(r, handle=hide(r["handle"])) for r in registry]
            pq.write_table(pa.Table.from_pylist(reg, schema=pa.schema(
                [("handle", _S), ("actor_type", _S), ("country", _S), ("label", _S)])),
                parts / "registry.parquet")
        _rebuild(into, parts)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    manifest["imports"].append({"format": fmt, "at": time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                                                  time.gmtime()),
                                **result.as_dict()})
    if key is not None:
        manifest.update(pseudonymised=True, key_fingerprint=fingerprint(key))
    manifest["tables"] = sorted(p.stem for p in into.glob("*.parquet"))
    write_json_atomic(manifest_path, manifest)
    return result


def _con() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute(f"SET memory_limit = '{DUCKDB_MEMORY}'")
    con.execute("SET preserve_insertion_order = false")
    return con


def _glob(folder: Path, kind: str) -> str:
    return str(folder / f"{kind}-*.parquet").replace("'", "''")


def _merge(stage: Path, parts: Path, kind: str) -> tuple[int, int]:
    """Move the staged rows into a new part, keeping each id once; returns (rejected, kept)."""
    con = _con()
    tag = uuid.uuid4().hex[:12]
    rejected = 0
    if list(stage.glob("rejected-*.parquet")):
        (rejected,) = con.execute(f"SELECT count(*) FROM read_parquet('"
                                  f"{_glob(stage, 'rejected')}')").fetchone()
        con.execute(f"COPY (SELECT * FROM read_parquet('{_glob(stage, 'rejected')}')) TO "
                    f"'{_glob(parts, 'rejected').replace('*', tag)}' "
                    "(FORMAT parquet, COMPRESSION zstd)")
    if not list(stage.glob(f"{kind}-*.parquet")):
        return rejected, 0
    key = KEYS[kind]
    existing = list(parts.glob(f"{kind}-*.parquet"))
    anti = (f"AND {key} NOT IN (SELECT {key} FROM read_parquet('{_glob(parts, kind)}'))"
            if existing else "")
    target = parts / f".{kind}-{tag}.parquet"
    con.execute(f"""
        COPY (SELECT * EXCLUDE (rn) FROM (
                SELECT *, row_number() OVER (PARTITION BY {key}
                                             ORDER BY source_file, source_line) AS rn
                FROM read_parquet('{_glob(stage, kind)}'))
              WHERE rn = 1 {anti})
        TO '{str(target).replace("'", "''")}' (FORMAT parquet, COMPRESSION zstd)""")
    (kept,) = con.execute(f"SELECT count(*) FROM read_parquet('{target!s}')").fetchone()
    if kept:
        target.rename(parts / f"{kind}-{tag}.parquet")
    else:
        target.unlink()
    return rejected, kept


def _rebuild(into: Path, parts: Path) -> None:
    """The contract tables from all parts (and the registry), each replaced atomically."""
    con = _con()
    has = {k: bool(list(parts.glob(f"{k}-*.parquet"))) for k in SCHEMAS}
    registry = parts / "registry.parquet"
    if registry.exists():
        con.execute(f"CREATE VIEW registry AS SELECT * FROM read_parquet('{registry}')")
    else:
        con.execute("CREATE VIEW registry AS SELECT NULL::VARCHAR AS handle, "
                    "NULL::VARCHAR AS actor_type, NULL::VARCHAR AS country, "
                    "NULL::VARCHAR AS label WHERE false")
    for k in SCHEMAS:
        if has[k]:
            con.execute(f"CREATE VIEW {k} AS SELECT * FROM read_parquet('{_glob(parts, k)}')")
        else:
            con.execute(f"CREATE VIEW {k} AS SELECT * FROM read_parquet('{_empty(parts, k)}')")

    def write(name: str, query: str) -> None:
        tmp = into / f".{name}.parquet.tmp"
        con.execute(f"COPY ({query}) TO '{tmp}' (FORMAT parquet, COMPRESSION zstd)")
        tmp.replace(into / f"{name}.parquet")

    if has["posts"]:
        write("posts", """
            SELECT p.post, p.account, p.time, (p.time // 86400)::INTEGER AS day, p.text,
                   p.hashtags, p.shared_object, p.urls, p.country, p.language,
                   p.likes, p.comments, p.shares, p.views, p.views AS impressions,
                   NULL::BIGINT AS completions, p.favorites, p.music,
                   r.handle AS actor, NULL::VARCHAR AS campaign,
                   coalesce(r.actor_type, 'user') AS messenger,
                   p.source_file, p.source_line
            FROM posts p LEFT JOIN registry r ON r.handle = p.account""")
    if has["posts"] or has["profiles"] or has["comments"]:
        write("accounts", """
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
    if has["comments"]:
        write("interactions", """
            SELECT c.time AS tick, c.time, 'comment' AS kind, c.account, c.post,
                   p.account AS target_account, NULL::VARCHAR AS from_account,
                   c.comment, c.text, c.parent
            FROM comments c LEFT JOIN posts p USING (post)""")
    if has["rejected"]:
        write("rejected", """
            SELECT DISTINCT ON (file, line, item) file, line, item, reason, raw
            FROM rejected ORDER BY file, line, item""")


def _empty(parts: Path, kind: str) -> Path:
    path = parts / f".empty-{kind}.parquet"
    if not path.exists():
        pq.write_table(SCHEMAS[kind].empty_table(), path)
    return path
