"""``diplosim import``: stream exports into a folder of contract tables, accounting for every row.

Flow for one import: each input row is read as a stream and becomes a record or a rejection
(file, line, item, reason). Mapped CSV is read by column (``tabular``); the JSON formats row
by row (``formats``). Records are staged as Arrow batches, spilled to Parquet beyond
``STAGE_BYTES`` (``stage``), so memory stays bounded whatever the file's size; names are
pseudonymised on request (``pseudonyms``) and accounts tagged by an actor registry
(``registry``). DuckDB then picks the record to keep for each id (the first seen), drops ids
the folder already holds (re-importing adds nothing), and the tables are streamed to Parquet
with the table contract's schemas (``folder``): ``posts``, ``accounts``, ``interactions``,
``rejected``, ``follows`` and ``engagements``; profiles and comments are kept as read in
``.store/``. Each file is written to a temporary name and renamed, so a crash leaves the
previous tables intact. loaded + rejected + duplicates = rows read.
"""

from __future__ import annotations

import json
import shutil
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from diplosim.errors import DiplosimError
from diplosim.ingest.fast_json import fast_videos
from diplosim.ingest.folder import add_staged, connect
from diplosim.ingest.formats import FORMATS, ColumnMap, Reject, read
from diplosim.ingest.pseudonyms import (
    SCHEME,
    file_pseudonym,
    fingerprint,
    hide_posts,
    hide_record,
    new_key,
    pseudonym,
    withheld,
)
from diplosim.ingest.registry import REGISTRY_SCHEMA, load_registry
from diplosim.ingest.sources import Source, local_copy, sources
from diplosim.ingest.stage import Stage
from diplosim.ingest.user_lists import LIST_FORMATS, read_list
from diplosim.store.folders import claim_folder, drop_known
from diplosim.store.writer import write_json_atomic

__all__ = ["ImportResult", "import_files", "load_registry", "new_key"]

#: Every format: name -> kind of record (``FORMATS``: read by ``formats.read`` or by column;
#: ``LIST_FORMATS``: the per-user lists, by ``user_lists.read_list``).
KINDS = {**{f: kind for f, (_, kind) in FORMATS.items()},
         **{f: kind for f, (_, kind, _) in LIST_FORMATS.items()}}


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


def _stage_csv(stage: Stage, path: Path, column_map: ColumnMap, con, hide, pseudonymise: bool,
               result: ImportResult, progress, name: str) -> None:
    """Read one mapped CSV into the stage: the fast reader, or the exact one if they differ."""
    from diplosim.ingest.tabular import Disagree, convert, read_batches

    stage.mark()
    before = result.rows
    for exact in (False, True):
        try:
            for item in read_batches(path, column_map, exact=exact):
                if isinstance(item, tuple):
                    line, rej = item
                    result.rows += 1
                    stage.add("rejected", {"file": name, "line": line, "item": 0,
                                           "reason": withheld(rej.reason) if pseudonymise
                                           else rej.reason,
                                           "raw": None if pseudonymise else rej.raw})
                    continue
                out = convert(con, column_map, item)
                result.rows += out.num_rows
                bad = pc.is_valid(out.column("reason"))
                if pc.any(bad).as_py():
                    rej = out.filter(bad)
                    stage.add_table("rejected", pa.table({
                        "file": pa.repeat(pa.scalar(name, pa.string()), rej.num_rows),
                        "line": rej.column("source_line"),
                        "item": pa.array(np.zeros(rej.num_rows, np.int64)),
                        "reason": pa.array([withheld(r) for r in
                                            rej.column("reason").to_pylist()], pa.string())
                        if pseudonymise else rej.column("reason"),
                        "raw": pa.nulls(rej.num_rows, pa.string()) if pseudonymise
                        else rej.column("raw")}))
                    out = out.filter(pc.invert(bad))
                out = out.append_column("source_file",
                                        pa.repeat(pa.scalar(name, pa.string()), out.num_rows))
                if pseudonymise:
                    out = hide_posts(out, hide)
                stage.add_table("posts", out)
                if progress is not None:
                    progress(result.rows)
            return
        except Disagree:
            stage.rollback()
            result.rows = before


def _fast_rows(fast, staged: Stage, name: str, hide, result: ImportResult, progress,
               items: _Items):
    """Stage the fast reader's tables of clean rows; pass its other rows on (they are handled
    as the exact reader's rows are)."""
    for what, value in fast:
        if what == "row":
            yield value
            continue
        items.count(value.column("source_line").to_numpy())
        table = value.append_column("source_file",
                                    pa.repeat(pa.scalar(name, pa.string()), value.num_rows))
        if hide is not None:
            table = hide_posts(table, hide)
        result.rows += table.num_rows
        staged.add_table("posts", table)
        if progress is not None:
            progress(result.rows)


class _Items:
    """The number of rows read so far from each line (a rejected row's ``item``: its place on
    its line, as in a page of videos). Lines come in order but for one block of the fast
    reader, so the oldest are forgotten past ``KEEP`` lines."""

    KEEP = 100_000

    def __init__(self):
        self.seen: dict[int, int] = {}

    def next(self, line: int) -> int:
        item = self.seen.get(line, 0)
        self.seen[line] = item + 1
        if len(self.seen) > 2 * self.KEEP:
            cut = sorted(self.seen)[self.KEEP]
            self.seen = {k: v for k, v in self.seen.items() if k >= cut}
        return item

    def count(self, lines: np.ndarray) -> None:
        """Count a table of the fast reader's rows (lines in order): only its last line can
        have rows still to come (the fast reader hands each line's rows in order)."""
        if len(lines):
            last = int(lines[-1])
            self.seen[last] = self.seen.get(last, 0) + int(np.count_nonzero(lines == last))


def _stage_file(fmt: str, source: Source, staged: Stage, folder: Path, con, column_map, hide,
                pseudonymise: bool, result: ImportResult, progress, kind: str,
                fast_json: bool) -> None:
    """Read one input (a file, or a member of an archive) into the stage, named in the tables
    as given or, pseudonymised, by ``file_pseudonym``."""
    name = file_pseudonym(Path(source.name), hide) if pseudonymise else source.name
    if fmt == "csv":
        if column_map is None:
            raise DiplosimError("import csv: give the column map with --map MAP.yaml")
        _stage_csv(staged, local_copy(source, folder), column_map, con, hide, pseudonymise,
                   result, progress, name)
        return
    items = _Items()
    fast = fast_videos(source) if fmt == "tiktok" and fast_json else None
    if fast is not None:
        rows = _fast_rows(fast, staged, name, hide if pseudonymise else None, result,
                          progress, items)
    else:
        rows = read_list(fmt, source) if fmt in LIST_FORMATS else read(fmt, source)
    for line, record in rows:
        result.rows += 1
        item = items.next(line)
        if progress is not None and result.rows % 10_000 == 0:
            progress(result.rows)
        if isinstance(record, Reject):
            staged.add("rejected", {"file": name, "line": line, "item": item,
                                    "reason": withheld(record.reason) if pseudonymise
                                    else record.reason,
                                    "raw": None if pseudonymise else record.raw})
            continue
        if pseudonymise:
            hide_record(record, hide)
        record["source_file"], record["source_line"] = name, line
        staged.add(kind, record)


def import_files(fmt: str, files: list[Path], into: Path, column_map: ColumnMap | None = None,
                 registry: list[dict] | None = None, key: str | None = None,
                 progress: Callable[[int], None] | None = None,
                 fast_json: bool = True, force: bool = False) -> ImportResult:
    """Import ``files`` of format ``fmt`` into the folder ``into``; see the module docstring.
    ``fast_json``: Research API JSON lines through Arrow's parser (``ingest.fast_json``; the
    same records), else line by line. ``into`` must be new, empty or an import folder diplosim
    made; ``force`` takes over any other folder (``store.folders.claim_folder``), replacing
    the files an import writes there."""
    if fmt not in KINDS:
        raise DiplosimError(f"import: expected a format among {', '.join(KINDS)}, got {fmt!r}")
    for f in files:
        if not f.is_file():
            raise DiplosimError(f"{f}: no such file")
    if claim_folder(into, "import", "--into", force) == "forced":
        drop_known(into, "import")  # another tool's posts.parquet is replaced, never merged
    manifest_path = into / "manifest.json"
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {
        "kind": "import", "imports": [], "completed": True}
    if manifest.get("kind") != "import":
        raise DiplosimError(f"{into}: a simulated run folder; import into a new folder")
    result = ImportResult()
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
        if manifest.get("pseudonymised") and manifest.get("pseudonymisation") != SCHEME:
            raise DiplosimError(f"{into}: pseudonymised by an earlier diplosim, which kept ids, "
                                "links and file names as read; pseudonymise into a new folder")
    elif manifest.get("pseudonymised"):
        raise DiplosimError(f"{into}: its data are pseudonymised; give the same --key")
    hide = pseudonym(key) if key is not None else (lambda v: v)
    # how each input file is named in the tables and the manifest
    names = [file_pseudonym(f, hide) if key is not None else str(f) for f in files]
    result.files = list(names)
    kind = KINDS[fmt]
    store = into / ".store"
    store.mkdir(exist_ok=True)
    stage = store / f".staging-{uuid.uuid4().hex}"
    stage.mkdir()
    con = connect(stage)
    try:
        staged = Stage(stage)
        for path in files:
            for source in sources(path):
                _stage_file(fmt, source, staged, stage, con, column_map, hide,
                            key is not None, result, progress, kind, fast_json)
        staged.close()
        if registry is not None:
            reg = [dict(r, handle=hide(r["handle"])) for r in registry]
            tmp = store / ".registry.parquet.tmp"
            pq.write_table(pa.Table.from_pylist(reg, schema=REGISTRY_SCHEMA), tmp)
            tmp.replace(store / "registry.parquet")
        result.rejected, result.loaded = add_staged(con, staged, into, kind, registry is not None)
        result.duplicates = result.rows - result.rejected - result.loaded
    finally:
        con.close()
        shutil.rmtree(stage, ignore_errors=True)
    manifest["imports"].append({"format": fmt, "at": time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                                                  time.gmtime()),
                                **result.as_dict()})
    if key is not None:
        manifest.update(pseudonymised=True, pseudonymisation=SCHEME,
                        key_fingerprint=fingerprint(key))
    manifest["tables"] = sorted(p.stem for p in into.glob("*.parquet"))
    write_json_atomic(manifest_path, manifest)
    return result
