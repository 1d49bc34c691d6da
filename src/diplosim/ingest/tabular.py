"""Mapped CSV, read by column: Arrow's CSV parser for the values, a NumPy scan for line numbers.

A CSV import must name the physical line of every row it rejects or loads, and Arrow's fast
parser does not report line numbers. So the file is read twice, both times as a stream in
blocks: a byte scanner (RFC 4180 quoting, ``\\n``, ``\\r\\n`` or ``\\r`` line ends, blank lines
skipped) records, for every record, the line it starts on and its number of fields; Arrow
parses the values of the mapped columns, skipping records whose field count is wrong. The
records with the right count, in order, are Arrow's rows; if the two counts disagree (a
quoting corner where the parsers differ, or bytes that are not UTF-8) the file is read again
with Python's ``csv`` module, slower but exact. Either way the result is batches of raw
strings with their ``source_line``, and rejects for rows with the wrong number of fields.

The values are then checked and converted by one SQL statement per batch (``convert``), so
both readers give the same records and the same reasons.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
from numba import njit

from diplosim.errors import DiplosimError
from diplosim.ingest.column_map import ColumnMap
from diplosim.ingest.records import TIME_MAX, Reject

__all__ = ["BLOCK", "Disagree", "convert", "read_batches"]

#: Bytes per block read by the scanner and by Arrow (memory per block is a small multiple).
BLOCK = 16 << 20
#: Files up to this size are scanned by NumPy (no kernel to load), larger ones by Numba.
SMALL_FILE = 16 << 20
#: Bytes per block of the NumPy scan (its temporary arrays take about 40 bytes per byte).
SCAN_BLOCK = 1 << 20
#: Rows per batch from the exact (Python) reader.
EXACT_BATCH = 50_000

Batch = pa.Table  # raw strings of the mapped fields, plus source_line (int64)


@njit(cache=True)
def _scan_compiled(buf, n, delim, state, line_out, fields_out, start_out):
    """Scan ``buf[:n]`` continuing from ``state`` = [in_quote, line, fields, record_line,
    record_start, record_has_bytes, prev_cr, offset]; write the completed records' starting
    line, field count and byte offset; return how many."""
    in_quote, line, fields, rec_line = state[0], state[1], state[2], state[3]
    rec_start, has, prev_cr, offset = state[4], state[5], state[6], state[7]
    k = 0
    for i in range(n):
        c = buf[i]
        if prev_cr == 1:
            prev_cr = 0
            if c == 10:  # the \n of \r\n
                continue
        if in_quote == 1:
            if c == 34:
                in_quote = 0
            elif c == 10:
                line += 1
            elif c == 13:
                line += 1
                prev_cr = 1
            continue
        if c == 10 or c == 13:
            if has == 1:
                line_out[k] = rec_line
                fields_out[k] = fields
                start_out[k] = rec_start
                k += 1
            line += 1
            fields = 1
            has = 0
            rec_line = line
            if c == 13:
                prev_cr = 1
            continue
        if has == 0:
            has = 1
            rec_line = line
            rec_start = offset + i
        if c == 34:
            in_quote = 1
        elif c == delim:
            fields += 1
    state[0], state[1], state[2], state[3] = in_quote, line, fields, rec_line
    state[4], state[5], state[6], state[7] = rec_start, has, prev_cr, offset + n
    return k


def _scan(buf: np.ndarray, delim: int, state: np.ndarray) -> tuple[np.ndarray, ...]:
    """Scan the block ``buf`` (uint8) continuing from ``state`` = [in_quote, line, fields,
    record_line, record_start, record_has_bytes, prev_cr, offset]; return the completed
    records' starting line, field count and byte offset, and update ``state``.

    ``_scan_compiled``'s result, vectorised with NumPy: about 30 MB/s here against several
    hundred, but no compiled kernel to load (0.6 s), so the scan of small files. A quote
    always flips the quoting, inside or outside a value, so being inside quotes is the
    parity of the quotes before a byte; a ``\\n`` right after a ``\\r`` is part of that line
    end; a line end outside quotes ends a record if the record has a byte."""
    n = buf.size
    if n == 0:
        return (np.empty(0, np.int64),) * 3
    quote, cr, lf = buf == 34, buf == 13, buf == 10
    skipped = lf.copy()  # a \n whose \r came before it
    skipped[1:] &= cr[:-1]
    skipped[0] &= bool(state[6])
    newline = cr | (lf & ~skipped)
    inside = (np.cumsum(quote) - quote + state[0]) & 1  # quoted before each byte
    line = np.cumsum(newline) - newline + state[1]      # the physical line of each byte
    end = newline & (inside == 0)
    content = ~end & ~skipped
    ends = np.flatnonzero(end)
    # the segments between record ends: the first continues the open record
    bounds = np.concatenate(([0], ends + 1))
    stops = np.concatenate((ends, [n]))
    c_sum = np.concatenate(([0], np.cumsum(content)))
    d_sum = np.concatenate(([0], np.cumsum((buf == delim) & (inside == 0))))
    has = c_sum[stops] - c_sum[bounds]
    delims = d_sum[stops] - d_sum[bounds]
    where = np.flatnonzero(content)
    first = where[np.minimum(c_sum[bounds], max(where.size - 1, 0))] if where.size else bounds
    seg_line, seg_start = line[np.minimum(first, n - 1)], first + state[7]
    if state[5] == 1:  # the open record carries on: its line, start and fields so far
        has[0], seg_line[0], seg_start[0] = 1, state[3], state[4]
        delims[0] += state[2] - 1
    done = has[:-1] > 0
    out = (seg_line[:-1][done], delims[:-1][done] + 1, seg_start[:-1][done])
    state[0] = (state[0] + int(quote.sum())) & 1
    state[1] += int(newline.sum())
    state[5] = int(has[-1] > 0)
    if state[5]:
        state[2], state[3], state[4] = delims[-1] + 1, seg_line[-1], seg_start[-1]
    else:
        state[2], state[3] = 1, state[1]
    state[6], state[7] = int(cr[-1]), state[7] + n
    return out


class _Lines:
    """Streams the scan of a file: for each record in order, its line and field count."""

    def __init__(self, path: Path, delim: int):
        self.path, self.delim = path, delim

    def __iter__(self) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        state = np.array([0, 1, 1, 1, 0, 0, 0, 0], np.int64)
        # Arrow's parser cannot report a row that is not UTF-8 (its error handler fails), so
        # such a file is left to the exact reader: the scan checks the encoding as it goes.
        utf8 = codecs.getincrementaldecoder("utf-8")()
        small = self.path.stat().st_size <= SMALL_FILE
        with open(self.path, "rb") as f:
            while True:
                chunk = f.read(SCAN_BLOCK if small else BLOCK)
                utf8.decode(chunk, final=not chunk)
                if not chunk:
                    break
                buf = np.frombuffer(chunk, np.uint8)
                if small:
                    yield _scan(buf, self.delim, state)
                    continue
                cap = chunk.count(b"\n") + chunk.count(b"\r") + 1
                lines, fields, starts = (np.empty(cap, np.int64), np.empty(cap, np.int64),
                                         np.empty(cap, np.int64))
                k = _scan_compiled(buf, len(buf), self.delim, state, lines, fields, starts)
                yield lines[:k], fields[:k], starts[:k]
        if state[5] == 1:  # the last record has no line end
            yield (np.array([state[3]]), np.array([state[2]]), np.array([state[4]]))


def _raw_at(path: Path, offsets: list[int]) -> list[str]:
    out = []
    with open(path, "rb") as f:
        for off in offsets:
            f.seek(off)
            out.append(f.read(300).split(b"\n", 1)[0].rstrip(b"\r").decode("utf-8", "replace"))
    return out


def _header(path: Path, cm: ColumnMap) -> tuple[list[str], dict[str, str]]:
    with open(path, encoding=cm.encoding, errors="replace", newline="") as f:
        try:
            header = next(csv.reader(f, delimiter=cm.delimiter))
        except StopIteration:
            return [], {}
    if not header:
        raise DiplosimError(f"{path}:1: expected a header line naming the columns, got an "
                            f"empty line")
    header[0] = header[0].lstrip("\ufeff")
    wanted = {k: v for k, v in cm.columns.model_dump().items() if v is not None}
    absent = [f"{k} -> {v!r}" for k, v in wanted.items() if v not in header]
    if absent:
        raise DiplosimError(f"{path}:1: the map names columns the header lacks: "
                            f"{', '.join(absent)} (header: {', '.join(header)})")
    return header, wanted


def read_batches(path: Path, cm: ColumnMap,
                 exact: bool = False) -> Iterator[Batch | tuple[int, Reject]]:
    """Batches of the mapped fields as strings (columns named by field, plus source_line),
    and ``(line, Reject)`` for rows with the wrong number of fields; every data row once.

    The fast reader may raise ``Disagree`` part-way (see the module docstring); the caller
    then discards what it took from this file and reads it again with ``exact=True``."""
    header, wanted = _header(path, cm)
    if not header:
        return
    utf8 = cm.encoding.lower().replace("_", "-") in ("utf-8", "utf8", "utf-8-sig")
    if exact or not utf8:
        yield from _exact(path, cm, header, wanted)
        return
    try:
        yield from _fast(path, cm, header, wanted)
    except (pa.ArrowException, UnicodeDecodeError) as e:
        raise Disagree(str(e)) from None


class Disagree(Exception):
    """The fast CSV reader and the line scanner disagree; read the file with ``exact=True``."""


def _fast(path: Path, cm: ColumnMap, header: list[str],
          wanted: dict[str, str]) -> Iterator[Batch | tuple[int, Reject]]:
    """Arrow's parser aligned with the scan. The scan runs first and keeps only the lines of
    the rows (8 bytes per row); Arrow's batches are then streamed and matched to them."""
    lines, bad = [], []
    first = True
    for ln, nf, st in _Lines(path, ord(cm.delimiter)):
        if first and len(ln):  # the header record
            ln, nf, st = ln[1:], nf[1:], st[1:]
            first = False
        ok = nf == len(header)
        lines.append(ln[ok])
        if not ok.all():
            bad.extend(zip(ln[~ok].tolist(), nf[~ok].tolist(), st[~ok].tolist(), strict=True))
    good = np.concatenate(lines) if lines else np.empty(0, np.int64)
    del lines
    raws = _raw_at(path, [b[2] for b in bad])
    for (ln, nf, _), raw in zip(bad, raws, strict=True):
        yield ln, Reject(f"expected {len(header)} fields, got {nf}", raw)
    skipped = []

    def on_invalid(row) -> str:
        skipped.append(row.actual_columns)
        return "skip"

    columns = sorted(set(wanted.values()))
    reader = pacsv.open_csv(
        path, read_options=pacsv.ReadOptions(block_size=BLOCK, use_threads=True),
        parse_options=pacsv.ParseOptions(delimiter=cm.delimiter, newlines_in_values=True,
                                         invalid_row_handler=on_invalid),
        convert_options=pacsv.ConvertOptions(
            column_types={c: pa.string() for c in columns}, include_columns=columns,
            strings_can_be_null=False, quoted_strings_can_be_null=False))
    at = 0
    for rb in reader:
        n = rb.num_rows
        if at + n > len(good):
            raise Disagree(f"{path}: the CSV parser found more rows than the line scan")
        cols = {f: rb.column(rb.schema.get_field_index(c)) for f, c in wanted.items()}
        cols["source_line"] = pa.array(good[at:at + n])
        at += n
        yield pa.table(cols)
    if at != len(good) or len(skipped) != len(bad):
        raise Disagree(f"{path}: the CSV parser found {at} rows and {len(skipped)} malformed, "
                       f"the line scan {len(good)} and {len(bad)}")


def _exact(path: Path, cm: ColumnMap, header: list[str],
           wanted: dict[str, str]) -> Iterator[Batch | tuple[int, Reject]]:
    index = {name: i for i, name in enumerate(header)}
    picks = [(f, index[c]) for f, c in wanted.items()]
    with open(path, encoding=cm.encoding, errors="replace", newline="") as f:
        reader = csv.reader(f, delimiter=cm.delimiter)
        next(reader)
        cols: dict[str, list] = {f: [] for f, _ in picks}
        lines: list[int] = []
        end = reader.line_num  # the line the previous record (or the header) ended on
        for values in reader:
            line, end = end + 1, reader.line_num  # a record starts on the line after
            if not values:
                continue
            if len(values) != len(header):
                buf = io.StringIO()
                csv.writer(buf).writerow(values)
                yield line, Reject(f"expected {len(header)} fields, got {len(values)}",
                                   buf.getvalue().strip()[:300])
                continue
            for fld, i in picks:
                cols[fld].append(values[i])
            lines.append(line)
            if len(lines) >= EXACT_BATCH:
                yield pa.table({**{k: pa.array(v, pa.string()) for k, v in cols.items()},
                                "source_line": pa.array(lines, pa.int64())})
                cols, lines = {fld: [] for fld, _ in picks}, []
        if lines:
            yield pa.table({**{k: pa.array(v, pa.string()) for k, v in cols.items()},
                            "source_line": pa.array(lines, pa.int64())})


def _q(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def convert_sql(cm: ColumnMap, source: str) -> str:
    """One SELECT turning a batch of raw strings into post records plus a ``reason`` column
    (NULL when the row loads). ``source`` is the batch's view name."""
    cols = {k: v for k, v in cm.columns.model_dump().items() if v is not None}
    sep = _q(cm.list_separator)

    def v(field: str) -> str:
        return f"nullif({field}, '')" if field in cols else "NULL::VARCHAR"

    checks = ["CASE WHEN coalesce(post, '') = '' AND coalesce(account, '') = '' "
              "THEN 'missing post, account' WHEN coalesce(post, '') = '' THEN 'missing post' "
              "WHEN coalesce(account, '') = '' THEN 'missing account' END"]
    t = "trim(time)"
    fmt = cm.time_format
    if fmt in ("unix", "unix_ms"):
        num = (f"CASE WHEN regexp_full_match({t}, '-?[0-9]+([.][0-9]*)?([eE][0-9]+)?') "
               f"THEN TRY_CAST({t} AS DOUBLE) END")
        secs = f"{num}{' / 1000' if fmt == 'unix_ms' else ''}"
        tval = f"CASE WHEN abs({secs}) < 9.2e18 THEN floor({secs})::BIGINT END"
        expect = "POSIX seconds"
    elif fmt == "iso":
        tval = f"epoch(TRY_CAST(replace({t}, 'Z', '+00:00') AS TIMESTAMPTZ))::BIGINT"
        expect = "a time as iso"
    else:
        tval = f"epoch(TRY_STRPTIME({t}, {_q(fmt)}))::BIGINT"
        expect = f"a time as {fmt}"
    tname = _q(cols["time"] + ": ")
    checks.append(f"CASE WHEN {t} = '' THEN {tname} || 'empty' WHEN _time IS NULL "
                  f"THEN {tname} || {_q(f'expected {expect}, got ')} || "
                  f"'''' || left({t}, 40) || '''' "
                  f"WHEN _time < 0 OR _time > {TIME_MAX} THEN {tname} || "
                  f"{_q(f'expected a time from 1970 to 2100-01-01 ({TIME_MAX} s), got ')} || "
                  f"'''' || left({t}, 40) || '''' END")
    numbers, counts = [], {}
    for k in ("likes", "comments", "shares", "views"):
        if k in cols:
            numbers.append(f"TRY_CAST(nullif(trim({k}), '') AS DOUBLE) AS _{k}")
            counts[k] = f"_{k}::BIGINT"
            checks.append(f"CASE WHEN trim({k}) <> '' AND (_{k} IS NULL OR isinf(_{k}) OR "
                          f"isnan(_{k}) OR _{k} <> floor(_{k}) OR abs(_{k}) > 9.2e18) THEN "
                          f"{_q(cols[k] + ': expected a whole number, got ')} || '''' || "
                          f"left({k}, 40) || '''' END")
        else:
            counts[k] = "NULL::BIGINT"
    if "hashtags" in cols:
        tags = f"string_split(coalesce(hashtags, ''), {sep})"
    else:
        tags = r"regexp_extract_all(coalesce(text, ''), '#([\p{L}\p{N}_]+)', 1)"
    hashtags = (f"list_sort(list_distinct(list_transform(list_filter({tags}, "
                f"lambda x: ltrim(trim(x), '#') <> ''), "
                f"lambda x: '#' || lower(ltrim(trim(x), '#')))))")
    if "url" in cols:
        urls = f"list_filter(string_split(coalesce(url, ''), {sep}), lambda x: x <> '')"
    else:
        urls = r"""regexp_extract_all(coalesce(text, ''), 'https?://[^\s<>"'']+')"""
    raw_fields = " || ',' || ".join(f"coalesce({f}, '')" for f in cols)
    ok = "reason IS NULL"
    return f"""
        WITH a AS (SELECT *, {tval} AS _time{''.join(', ' + n for n in numbers)}
                   FROM {source}),
             b AS (SELECT *, coalesce({', '.join(checks)}) AS reason FROM a)
        SELECT post, account, CASE WHEN {ok} THEN _time END AS time, {v('text')} AS text,
               CASE WHEN {ok} THEN {hashtags} END AS hashtags,
               {v('shared_object')} AS shared_object, CASE WHEN {ok} THEN {urls} END AS urls,
               {v('country')} AS country, {v('language')} AS language,
               CASE WHEN {ok} THEN {counts['likes']} END AS likes,
               CASE WHEN {ok} THEN {counts['comments']} END AS comments,
               CASE WHEN {ok} THEN {counts['shares']} END AS shares,
               CASE WHEN {ok} THEN {counts['views']} END AS views,
               NULL::BIGINT AS favorites, {v('music')} AS music, {v('duet_of')} AS duet_of,
               {v('transcript')} AS transcript, {v('label')} AS label, source_line, reason,
               CASE WHEN NOT {ok} THEN left({raw_fields}, 300) END AS raw
        FROM b"""


def convert(con: duckdb.DuckDBPyConnection, cm: ColumnMap, batch: Batch) -> pa.Table:
    """Post records (and ``reason``/``raw`` for the rows that do not load) from a batch."""
    con.register("_batch", batch)
    try:
        return con.sql(convert_sql(cm, "_batch")).to_arrow_table()
    finally:
        con.unregister("_batch")
