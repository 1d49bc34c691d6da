"""Writes a run's tables: Parquet files built in a hidden staging folder, moved into place only
when complete, and a manifest that says whether the run finished.

Readers (analysis, report) trust a folder only when ``manifest.json`` says ``completed: true``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from diplosim.store.contract import SIMULATED, SIMULATED_TABLES, conform
from diplosim.store.files import file_sha256, read_manifest, write_json_atomic, write_text_atomic

__all__ = ["STAGE", "TABLES", "RunWriter", "file_sha256", "read_manifest", "write_json_atomic",
           "write_text_atomic"]

#: The tables a simulated run writes (``store.contract`` declares their columns).
TABLES = SIMULATED_TABLES
#: The hidden folder in a run folder where a run is built (and checkpointed) until it completes.
STAGE = ".partial"


def _completed(path: Path) -> bool:
    m = read_manifest(path)
    return isinstance(m, dict) and m.get("completed") is True


def _drop_parts(stage: Path, segment: int) -> None:
    """Remove what was written after the checkpoint a run resumes from: parts of ``segment``
    and later, whole tables, and half-written temporary files."""
    for part in stage.glob("*/part-*.parquet"):
        if int(part.stem.split("-")[1]) >= segment:
            part.unlink()
    for leftover in [*stage.glob("*.parquet"), *stage.glob(".*.tmp")]:
        if leftover.is_dir():
            shutil.rmtree(leftover)
        else:
            leftover.unlink()


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
    MAX_PENDING = 2

    def __init__(self, out: Path, manifest: dict, resume_segment: int | None = None,
                 parts: dict[str, str] | None = None):
        """Start writing a run into ``out``; with ``resume_segment``, go on with a run that
        stopped: parts from that segment on (written after its last checkpoint) are dropped,
        and ``parts`` (the SHA-256 of each earlier part, checked by the checkpoint) are kept.

        ``out`` must be new, empty or a run folder diplosim made (``store.folders``). Until
        ``finish``, the run lives in ``out/.partial`` with its own manifest; a completed run
        already in ``out`` stays whole and readable until the new one replaces it."""
        from diplosim.store.folders import claim_folder, record_files

        self.out = Path(out)
        claim_folder(self.out, "run")
        record_files(self.out, [STAGE, "manifest.json"])
        self.stage = self.out / STAGE
        self.manifest = dict(manifest, completed=False)
        if resume_segment is None:
            shutil.rmtree(self.stage, ignore_errors=True)
            self.stage.mkdir()
        else:
            _drop_parts(self.stage, resume_segment)
        write_json_atomic(self.stage / "manifest.json", self.manifest)
        if not _completed(self.out / "manifest.json"):
            write_json_atomic(self.out / "manifest.json", self.manifest)
        self.segment = resume_segment or 0
        #: Parts closed so far (relative to the stage) and the SHA-256 of those hashed.
        self._closed: list[str] = sorted(parts or {})
        self._hashes: dict[str, str] = dict(parts or {})
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
            self.flush(table)

    def flush(self, table: str) -> None:
        """End ``table``'s current row group with the rows appended so far."""
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
        data = conform(pa.concat_tables(batches, promote_options="permissive"), table,
                       SIMULATED)
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
            self.flush(table)

    def close_segment(self) -> None:
        """Close the open parts: everything appended so far is complete on disk."""
        self.end_day()
        self._wait()
        for table, writer in self._writers.items():
            writer.close()
            self._closed.append(f"{table}/part-{self.segment:05d}.parquet")
        self._writers.clear()
        self.segment += 1

    def part_hashes(self) -> dict[str, str]:
        """The SHA-256 of every closed part (relative path: hex), each file read once, so a
        checkpoint can record what a resumed run may trust."""
        for rel in self._closed:
            if rel not in self._hashes:
                self._hashes[rel] = file_sha256(self.stage / rel)
        return dict(self._hashes)

    def write(self, table: str, data: pa.Table) -> None:
        """Write a whole table at once (events)."""
        pq.write_table(conform(data, table, SIMULATED), self.stage / f"{table}.parquet",
                       compression="zstd", row_group_size=self.ROW_GROUP)

    def _merge(self, table: str) -> None:
        """One file from a table's parts (``.partial/TABLE.parquet``), parts kept until the
        run is marked complete, so a kill here can be resumed."""
        parts = sorted((self.stage / table).glob("part-*.parquet"))
        if not parts:
            return
        target = self.stage / f"{table}.parquet"
        tmp = self.stage / f".{table}.parquet.tmp"
        tmp.unlink(missing_ok=True)
        if len(parts) == 1:
            os.link(parts[0], tmp)
        else:
            writer = None
            for part in parts:
                f = pq.ParquetFile(part)
                if writer is None:
                    writer = pq.ParquetWriter(tmp, f.schema_arrow, compression="zstd")
                for g in range(f.num_row_groups):
                    writer.write_table(f.read_row_group(g), row_group_size=self.ROW_GROUP)
            if writer is not None:
                writer.close()
        os.replace(tmp, target)

    def finish(self, extra: dict) -> None:
        """Merge the parts, move every table into ``out`` and mark the run complete. The
        manifest in ``out`` says "not complete" while tables are being replaced."""
        self.close_segment()
        self._pool.shutdown(wait=True)
        for folder in sorted(p for p in self.stage.iterdir() if p.is_dir()
                             and not p.name.startswith(("checkpoint-", "."))):
            self._merge(folder.name)
        from diplosim.store.folders import owns, record_files

        write_json_atomic(self.out / "manifest.json", self.manifest)
        if owns(self.out, "report.html"):  # it described an earlier run; not one's own page
            (self.out / "report.html").unlink(missing_ok=True)
        moved = []
        for name in TABLES:
            src = self.stage / f"{name}.parquet"
            if src.exists():
                os.replace(src, self.out / f"{name}.parquet")
                moved.append(f"{name}.parquet")
        record_files(self.out, moved)
        self.manifest.update(extra, completed=True)
        write_json_atomic(self.out / "manifest.json", self.manifest)
        shutil.rmtree(self.stage, ignore_errors=True)

    def abort(self) -> None:
        """Stop after a failure: close what is open. Without a checkpoint to resume from, the
        parts are of no use and are removed (a disk that filled up gets its space back); the
        staging manifest stays, so ``diplosim run --resume`` can start the run again."""
        with contextlib.suppress(Exception):  # already failing: close what is open
            self._wait()
        self._pool.shutdown(wait=True)
        for writer in self._writers.values():
            with contextlib.suppress(Exception):
                writer.close()
        self._writers.clear()
        if not (self.stage / "checkpoint.json").exists():
            for leftover in self.stage.iterdir():
                if leftover.name not in ("manifest.json", "scenario.json"):
                    if leftover.is_dir():
                        shutil.rmtree(leftover, ignore_errors=True)
                    else:
                        leftover.unlink(missing_ok=True)
