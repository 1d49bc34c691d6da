"""Writes a run's tables: Parquet files built in a hidden staging folder, moved into place only
when complete, and a manifest that says whether the run finished.

Readers (analysis, report) trust a folder only when ``manifest.json`` says ``completed: true``.
"""

from __future__ import annotations

import json
import os
import shutil
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
    """Streams tables in batches; ``finish`` moves them into ``out`` and marks the run complete."""

    def __init__(self, out: Path, manifest: dict):
        self.out = Path(out)
        self.out.mkdir(parents=True, exist_ok=True)
        self.stage = self.out / ".partial"
        shutil.rmtree(self.stage, ignore_errors=True)
        self.stage.mkdir()
        self.manifest = dict(manifest, completed=False)
        write_json_atomic(self.out / "manifest.json", self.manifest)
        self._writers: dict[str, pq.ParquetWriter] = {}

    def append(self, table: str, batch: pa.Table) -> None:
        if batch.num_rows == 0 and table in self._writers:
            return
        writer = self._writers.get(table)
        if writer is None:
            writer = pq.ParquetWriter(self.stage / f"{table}.parquet", batch.schema,
                                      compression="zstd")
            self._writers[table] = writer
        writer.write_table(batch)

    def write(self, table: str, data: pa.Table) -> None:
        pq.write_table(data, self.stage / f"{table}.parquet", compression="zstd")

    def finish(self, extra: dict) -> None:
        for writer in self._writers.values():
            writer.close()
        self._writers.clear()
        for name in TABLES:
            src = self.stage / f"{name}.parquet"
            if src.exists():
                os.replace(src, self.out / f"{name}.parquet")
        shutil.rmtree(self.stage, ignore_errors=True)
        self.manifest.update(extra, completed=True)
        write_json_atomic(self.out / "manifest.json", self.manifest)

    def abort(self) -> None:
        for writer in self._writers.values():
            writer.close()
        self._writers.clear()
