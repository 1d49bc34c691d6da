"""Staging for ``diplosim import``: the record schemas, and rows held as Arrow batches in
memory up to ``STAGE_BYTES``, then spilled to Parquet parts, so memory stays bounded whatever
the file's size."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from diplosim.store.contract import IMPORTED, schema

__all__ = ["DERIVED_POSTS", "RECORD_BATCH", "SCHEMAS", "SEQ", "STAGE_BYTES", "Stage"]

#: The column numbering each kind's staged rows in the order they were staged (so a record can
#: be picked out by one integer when ids are de-duplicated).
SEQ = "_seq"

#: Bytes of rows staged in memory (Arrow batches) before they are spilled to a Parquet part:
#: about 50,000 rows of a full Research API export, all of a 100,000-row export of few fields
#: (which is then de-duplicated without DuckDB's window, ``folder._unique_in_memory``).
STAGE_BYTES = 32 << 20
#: Rows read as Python dicts (the JSON formats) before they become an Arrow batch; a dict row
#: costs a few kilobytes, so this bounds the reader's memory at some tens of megabytes.
RECORD_BATCH = 5_000

_S, _I = pa.string(), pa.int64()
#: Columns of ``posts`` the importer derives when it writes the table, not read from a record.
DERIVED_POSTS = ("day", "impressions", "completions", "actor", "campaign", "messenger")
#: The schema of each kind of record: the contract's for the tables an import writes as staged
#: (follows, engagements, rejected; posts without its derived columns), and the forms in
#: which profiles and comments are kept (``.store/``; they feed accounts and interactions).
SCHEMAS = {
    "posts": pa.schema([f for f in schema("posts", IMPORTED) if f.name not in DERIVED_POSTS]),
    "profiles": pa.schema([("account", _S), ("display_name", _S), ("bio", _S),
                           ("verified", pa.bool_()), ("followers", _I), ("following", _I),
                           ("likes", _I), ("videos", _I), ("source_file", _S),
                           ("source_line", _I)]),
    "comments": pa.schema([("comment", _S), ("post", _S), ("account", _S), ("time", _I),
                           ("text", _S), ("likes", _I), ("parent", _S), ("source_file", _S),
                           ("source_line", _I)]),
    **{k: schema(k, IMPORTED) for k in ("follows", "engagements", "rejected")},
}


class Stage:
    """Staged rows per kind: Arrow tables in memory up to ``STAGE_BYTES``, then Parquet parts
    in the staging folder, so memory stays bounded. ``mark``/``rollback`` drop what one file
    added (when a fast reader has to hand over to the exact one)."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.records: dict[str, list[dict]] = {}
        self.tables: dict[str, list[pa.Table]] = {}
        self.files: dict[str, list[Path]] = {}
        self.count: dict[str, int] = {}
        self._mark: dict | None = None

    def add(self, kind: str, record: dict) -> None:
        buf = self.records.setdefault(kind, [])
        buf.append(record)
        if len(buf) >= RECORD_BATCH:
            self._table(kind)

    def add_table(self, kind: str, table: pa.Table) -> None:
        if table.num_rows == 0:
            return
        start = self.count.get(kind, 0)
        seq = pa.array(np.arange(start, start + table.num_rows, dtype=np.int64))
        self.tables.setdefault(kind, []).append(table.select(SCHEMAS[kind].names)
                                                .cast(SCHEMAS[kind]).append_column(SEQ, seq))
        self.count[kind] = start + table.num_rows
        if sum(t.nbytes for t in self.tables[kind]) >= STAGE_BYTES:
            self._spill(kind)

    def _table(self, kind: str) -> None:
        rows = self.records.get(kind)
        if rows:
            self.records[kind] = []
            self.add_table(kind, pa.Table.from_pylist(rows, schema=SCHEMAS[kind]))

    def _spill(self, kind: str) -> None:
        files = self.files.setdefault(kind, [])
        path = self.folder / f"{kind}-{len(files):05d}.parquet"
        pq.write_table(pa.concat_tables(self.tables[kind]), path, compression="zstd")
        files.append(path)
        self.tables[kind] = []

    def mark(self) -> None:
        for kind in list(self.records):
            self._table(kind)
        self._mark = {k: (len(self.files.get(k, [])), len(self.tables.get(k, [])),
                          self.count.get(k, 0)) for k in SCHEMAS}

    def rollback(self) -> None:
        assert self._mark is not None
        self.records = {}
        for k, (nf, nt, c) in self._mark.items():
            for path in self.files.get(k, [])[nf:]:
                path.unlink()
            if k in self.files:
                del self.files[k][nf:]
            if k in self.tables:
                del self.tables[k][nt:]
            self.count[k] = c

    def close(self) -> None:
        for kind in list(self.records):
            self._table(kind)

    def rows(self, kind: str) -> int:
        return self.count.get(kind, 0)

    def view(self, con: duckdb.DuckDBPyConnection, kind: str) -> str | None:
        """A DuckDB view over the staged rows of ``kind`` (None when there are none)."""
        parts = []
        if self.tables.get(kind):  # one Arrow table (chunks, not copies) in one scan
            con.register(f"_stage_{kind}", pa.concat_tables(self.tables[kind]))
            parts.append(f"SELECT * FROM _stage_{kind}")
        if self.files.get(kind):
            glob = str(self.folder / f"{kind}-*.parquet").replace("'", "''")
            parts.append(f"SELECT * FROM read_parquet('{glob}')")
        if not parts:
            return None
        con.execute(f"CREATE OR REPLACE VIEW stage_{kind} AS {' UNION ALL '.join(parts)}")
        return f"stage_{kind}"
