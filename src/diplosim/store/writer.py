"""Writes a run's tables: Parquet files built in a hidden staging folder, moved into place only
when complete, and a manifest that says whether the run finished.

Readers (analysis, report) trust a folder only when ``manifest.json`` says ``completed: true``.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

__all__ = ["TABLES", "RunWriter", "write_json_atomic", "write_text_atomic"]

TABLES = ("accounts", "posts", "exposures", "interactions", "attitudes", "events", "audience")


def write_text_atomic(path: Path, text: str) -> Path:
    """Write through a temporary file and a rename: readers see the old file or the new one,
    never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    return path


def write_json_atomic(path: Path, data: dict) -> None:
    write_text_atomic(path, json.dumps(data, indent=2, sort_keys=True, default=str) + "\n")


class RunWriter:
    """Streams tables in batches into Parquet parts in a hidden staging folder, so memory stays
    bounded; ``finish`` makes one file per table, moves them into ``out`` and marks the run
    complete.

    Row groups end at ``ROW_GROUP`` rows and at every simulated day's end, whatever else
    happens, so a run written in several parts (one per checkpoint) merges into the same bytes
    as a run written in one.
    """

    #: Rows a table buffers before they are written as one row group.
    ROW_GROUP = 1 << 18
    #: Row groups queued for the background writer before the simulation waits for it.
    MAX_PENDING = 4

    def __init__(self, out: Path, manifest: dict):
        self.out = Path(out)
        self.out.mkdir(parents=True, exist_ok=True)
        self.stage = self.out / ".partial"
        shutil.rmtree(self.stage, ignore_errors=True)
        self.stage.mkdir()
        self.manifest = dict(manifest, completed=False)
        write_json_atomic(self.out / "manifest.json", self.manifest)
        self.segment = 0
        self._buffers: dict[str, list[pa.Table]] = {}
        self._rows: dict[str, int] = {}
        self._writers: dict[str, pq.ParquetWriter] = {}
        # Encoding and compression run on one background thread (Arrow releases the GIL), in
        # submission order, overlapping the simulation's serial steps; a failed write is raised
        # at the next flush. At most ``MAX_PENDING`` row groups wait, so memory stays bounded.
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="diplosim-writer")
        self._pending: list[Future] = []

    def _wait(self) -> None:
        pending, self._pending = self._pending, []
        for future in pending:
            future.result()

    def append(self, table: str, batch: pa.Table) -> None:
        """Add rows to a streamed table (exposures, interactions, attitudes, audience)."""
        self._buffers.setdefault(table, []).append(batch)
        self._rows[table] = self._rows.get(table, 0) + batch.num_rows
        if self._rows[table] >= self.ROW_GROUP:
            self._flush(table)

    def _flush(self, table: str) -> None:
        batches = self._buffers.pop(table, [])
        self._rows.pop(table, None)
        if not batches:
            return
        for future in [f for f in self._pending if f.done()]:
            future.result()  # raises a failed write here
            self._pending.remove(future)
        while len(self._pending) >= self.MAX_PENDING:
            self._pending.pop(0).result()
        self._pending.append(self._pool.submit(self._write_part, table, batches, self.segment))

    def _write_part(self, table: str, batches: list[pa.Table], segment: int) -> None:
        data = pa.concat_tables(batches, promote_options="permissive")
        writer = self._writers.get(table)
        if writer is None:
            folder = self.stage / table
            folder.mkdir(exist_ok=True)
            writer = pq.ParquetWriter(folder / f"part-{segment:05d}.parquet", data.schema,
                                      compression="zstd")
            self._writers[table] = writer
        writer.write_table(data, row_group_size=self.ROW_GROUP)

    def end_day(self) -> None:
        """Write out every buffered row (a day's end is always a row-group boundary)."""
        for table in list(self._buffers):
            self._flush(table)

    def close_segment(self) -> None:
        """Close the open parts: everything appended so far is complete on disk."""
        self.end_day()
        self._wait()
        for writer in self._writers.values():
            writer.close()
        self._writers.clear()
        self.segment += 1

    def write(self, table: str, data: pa.Table) -> None:
        """Write a whole table at once (posts, accounts, events)."""
        pq.write_table(data, self.stage / f"{table}.parquet", compression="zstd",
                       row_group_size=self.ROW_GROUP)

    def _merge(self, table: str) -> None:
        parts = sorted((self.stage / table).glob("part-*.parquet"))
        target = self.stage / f"{table}.parquet"
        if len(parts) == 1:
            os.replace(parts[0], target)
        writer = None
        for part in parts if len(parts) > 1 else []:
            f = pq.ParquetFile(part)
            if writer is None:
                writer = pq.ParquetWriter(target, f.schema_arrow, compression="zstd")
            for g in range(f.num_row_groups):
                writer.write_table(f.read_row_group(g), row_group_size=self.ROW_GROUP)
        if writer is not None:
            writer.close()
        shutil.rmtree(self.stage / table)

    def finish(self, extra: dict) -> None:
        self.close_segment()
        for folder in sorted(p for p in self.stage.iterdir() if p.is_dir()):
            self._merge(folder.name)
        for name in TABLES:
            src = self.stage / f"{name}.parquet"
            if src.exists():
                os.replace(src, self.out / f"{name}.parquet")
        shutil.rmtree(self.stage, ignore_errors=True)
        self._pool.shutdown(wait=True)
        self.manifest.update(extra, completed=True)
        write_json_atomic(self.out / "manifest.json", self.manifest)

    def abort(self) -> None:
        with contextlib.suppress(Exception):  # already failing: close what is open
            self._wait()
        self._pool.shutdown(wait=True)
        for writer in self._writers.values():
            writer.close()
        self._writers.clear()
