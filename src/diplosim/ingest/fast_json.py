"""A fast reader for Research API video results, whatever the file's shape: the records that
``json_stream`` cuts out (one per line, or from an array or a page) are parsed by Arrow.

Arrow's JSON parser reads the records in blocks, with the types the first line shows; a block it
cannot parse is split in halves until the lines at fault are found. Rows that every check
passes become records by column; any other row (a missing field, a negative count, a time past
2100, a value of another type, a line that is not JSON) goes to the exact reader's converter
(``research_api.video``), line by line, so its record or rejection is the exact reader's own. The
records equal the exact reader's (tested on generated files with every kind of fault).
Memory stays bounded by the block size.
"""

from __future__ import annotations

import contextlib
import io
import itertools
from collections.abc import Iterator
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pj

from diplosim.ingest.json_stream import records
from diplosim.ingest.records import (
    TIME_MAX,
    URL,
    Reject,
    convert,
    normalise_tags,
    parse,
    unwrap,
)
from diplosim.ingest.research_api import VIDEO_PATHS, video
from diplosim.ingest.sources import Source, as_source

__all__ = ["BLOCK_BYTES", "fast_videos"]

#: Bytes of records parsed at once (memory is a small multiple of this).
BLOCK_BYTES = 8 << 20
#: Below this many lines a block that fails to parse goes to the exact reader whole.
_SMALLEST = 32
_COUNTS = ("like_count", "comment_count", "share_count", "view_count", "favorites_count")
_STRINGS = ("username", "author_name", "region_code", "video_description", "voice_to_text")
#: ``video_label`` is an object with ``content``; a saved copy may hold the text itself.
_LABEL_OBJECT = pa.struct([("content", pa.string())])


def _schema(first: dict, sample: list[dict]) -> pa.Schema | None:
    """The Arrow types of the fields used, from the first line (ids: from the first line of
    ``sample`` that has one); None when the first line is not a plain video (a page of
    results, an id of no simple type)."""
    if "data" in first or not isinstance(first.get("create_time"), int):
        return None
    fields = [pa.field(name, pa.string()) for name in _STRINGS]
    for name in ("id", "video_id", "music_id"):
        value = next((v[name] for v in sample if isinstance(v, dict)
                      and v.get(name) is not None), None)
        if isinstance(value, bool) or not isinstance(value, int | str | None):
            return None
        fields.append(pa.field(name, pa.int64() if isinstance(value, int) else pa.string()))
    fields += [pa.field("create_time", pa.int64()), pa.field("hashtag_names",
                                                                pa.list_(pa.string()))]
    fields += [pa.field(name, pa.int64()) for name in _COUNTS]
    label = next((v["video_label"] for v in sample if isinstance(v, dict)
                  and v.get("video_label") is not None), None)
    if label is not None and not isinstance(label, dict | str):
        return None
    fields.append(pa.field("video_label", _LABEL_OBJECT if isinstance(label, dict)
                           else pa.string()))
    return pa.schema(fields)


def fast_videos(path: Path | Source) -> Iterator[tuple[str, object]] | None:
    """``("table", posts)`` for blocks of clean rows (with ``source_line``) and
    ``("row", (line, record or Reject))`` for the others, in the order of the file's lines;
    None when the file's first record is not a video (a page, a list of another kind: the
    exact reader takes it)."""
    stack = contextlib.ExitStack()
    batches = records(stack.enter_context(as_source(path).open()), VIDEO_PATHS)
    head: list = []
    size = 0
    for batch in batches:
        head += batch
        size += sum(len(item[1]) for item in batch if len(item) == 3)
        if size >= 1 << 16 or len(head) >= 256:
            break
    sample = [v for item in head if len(item) == 3 and not item[2]
              for v in [parse(item[1], item[0])] if not isinstance(v, Reject)]
    schema = _schema(sample[0], sample) if sample and isinstance(sample[0], dict) else None
    if schema is None:
        stack.close()
        return None
    return _blocks(itertools.chain([head], batches), schema, stack)


def _blocks(batches, schema: pa.Schema, stack: contextlib.ExitStack) -> Iterator:
    """Records gathered into blocks of ``BLOCK_BYTES``; a damaged stretch or a record Arrow
    cannot read (a number too long) goes to the exact reader, after the block if it shares
    its line (so each line's rows keep their order)."""
    con = duckdb.connect()
    lines: list[bytes] = []
    numbers: list[int] = []
    size = 0
    with stack:
        for batch in batches:
            for item in batch:
                if len(item) == 3 and not item[2]:
                    raw = item[1]
                    if b"\n" in raw or b"\r" in raw:  # a pretty-printed record on one line
                        raw = raw.replace(b"\r", b" ").replace(b"\n", b" ")
                    lines.append(raw + b"\n")
                    numbers.append(item[0])
                    size += len(raw) + 1
                    if size < BLOCK_BYTES:
                        continue
                elif numbers and numbers[-1] != item[0]:
                    yield from _exact([item])
                    continue
                yield from _parse(lines, np.array(numbers, np.int64), schema, con)
                lines, numbers, size = [], [], 0
                if len(item) == 2 or item[2]:
                    yield from _exact([item])
        yield from _parse(lines, np.array(numbers, np.int64), schema, con)


def _parse(lines: list[bytes], numbers: np.ndarray, schema: pa.Schema, con,
           data: bytes | None = None) -> Iterator:
    """Parse these lines (``data``: them joined, if already); a block that fails is halved
    until the failing lines go to the exact reader."""
    if not lines:
        return
    try:
        table = pj.read_json(io.BytesIO(b"".join(lines) if data is None else data),
                             parse_options=pj.ParseOptions(explicit_schema=schema,
                                                           unexpected_field_behavior="ignore"))
        if table.num_rows != len(lines):
            raise pa.ArrowInvalid("rows and lines differ")
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        if len(lines) <= _SMALLEST:
            yield from _exact(list(zip(numbers.tolist(), lines, strict=True)))
            return
        half = len(lines) // 2
        yield from _parse(lines[:half], numbers[:half], schema, con)
        yield from _parse(lines[half:], numbers[half:], schema, con)
        return
    clean = pc.and_(_clean(table), _utf8(table))
    line_numbers = pa.array(numbers)
    if pc.all(clean).as_py():
        yield "table", _records(table, line_numbers, con)
        return
    ok = clean.to_numpy(zero_copy_only=False)
    if len(numbers) > 1 and np.any(numbers[1:] == numbers[:-1]):  # lines shared: in order
        cuts = np.flatnonzero(ok[1:] != ok[:-1]) + 1
        for a, b in zip(np.r_[0, cuts], np.r_[cuts, len(ok)], strict=True):
            if ok[a]:
                yield "table", _records(table.slice(a, b - a), line_numbers[a:b], con)
            else:
                yield from _exact([(int(numbers[k]), lines[k]) for k in range(a, b)])
        return
    yield from _exact([(int(numbers[k]), lines[k]) for k in np.flatnonzero(~ok)])
    if ok.any():
        yield "table", _records(table.filter(clean), line_numbers.filter(clean), con)


def _exact(items: list) -> Iterator[tuple[str, object]]:
    """The exact reader's records and rejections for these records (pages unwrapped, as it
    does)."""
    values = ((item[0], item[1] if isinstance(item[1], Reject) else parse(item[1], item[0]))
              for item in items)
    for row in convert(unwrap(values, VIDEO_PATHS), "a video", video):
        yield "row", row


def _id(table: pa.Table, name: str, alias: str) -> pa.ChunkedArray:
    """``name``, or ``alias`` where ``name`` is missing or empty, as text."""
    a, b = (pc.cast(table.column(n), pa.string()) for n in (name, alias))
    a = pc.if_else(pc.equal(a, ""), pa.scalar(None, pa.string()), a)
    b = pc.if_else(pc.equal(b, ""), pa.scalar(None, pa.string()), b)
    return pc.coalesce(a, b)


def _clean(table: pa.Table) -> pa.ChunkedArray:
    """Rows every check passes (anything else is for the exact reader to decide)."""
    t = table.column("create_time")
    ok = pc.and_kleene(pc.is_valid(_id(table, "id", "video_id")),
                 pc.is_valid(_id(table, "username", "author_name")))
    ok = pc.and_kleene(ok, pc.and_kleene(pc.is_valid(t), pc.and_kleene(pc.greater_equal(t, 0),
                                                        pc.less_equal(t, TIME_MAX))))
    for name in _COUNTS:
        c = table.column(name)
        ok = pc.and_kleene(ok, pc.or_kleene(pc.is_null(c), pc.greater_equal(c, 0)))
    return pc.fill_null(ok, False)


def _utf8(table: pa.Table) -> pa.Array:
    """Rows whose text is valid UTF-8. Arrow's JSON reader lets some invalid bytes through (a
    lone surrogate written as three bytes); those rows go to the exact reader, which reads
    them as it reads any undecodable byte. Checked row by row only when the block fails."""
    ok = np.ones(table.num_rows, bool)
    try:
        table.validate(full=True)
    except pa.ArrowInvalid:
        for k in range(table.num_rows):
            try:
                table.slice(k, 1).validate(full=True)
            except pa.ArrowInvalid:
                ok[k] = False
    return pa.array(ok)


def _records(table: pa.Table, lines: pa.Array, con) -> pa.Table:
    """The posts records of clean rows, as the exact reader makes them."""
    text = table.column("video_description")
    tags = table.column("hashtag_names").combine_chunks()
    ascii_tags = pc.all(pc.string_is_ascii(pc.list_flatten(tags))).as_py()
    if ascii_tags is None or ascii_tags:  # ASCII lower-cases alike in DuckDB and Python
        con.register("_tags", pa.table({"h": tags}))
        hashtags = con.sql("SELECT list_sort(list_distinct(list_transform(list_filter(h, "
                           "lambda x: x IS NOT NULL AND x <> ''), lambda x: '#' || "
                           "lower(ltrim(x, '#'))))) AS h FROM _tags").to_arrow_table().column("h")
        con.unregister("_tags")
        hashtags = pc.if_else(pc.is_null(hashtags), pa.scalar([], pa.list_(pa.string())),
                              hashtags)
    else:
        hashtags = pa.array([normalise_tags(v or []) for v in tags.to_pylist()],
                            pa.list_(pa.string()))
    has_url = pc.fill_null(pc.match_substring(text, "http"), False)
    urls = pa.array([URL.findall(s) if u else [] for s, u in
                     zip(text.to_pylist(), has_url.to_pylist(), strict=True)]
                    if pc.any(has_url).as_py() else [[]] * table.num_rows,
                    pa.list_(pa.string()))
    n = table.num_rows
    return pa.table({
        "post": _id(table, "id", "video_id"), "account": _id(table, "username", "author_name"),
        "time": table.column("create_time"), "text": text, "hashtags": hashtags,
        "shared_object": pa.nulls(n, pa.string()), "urls": urls,
        "country": table.column("region_code"), "language": pa.nulls(n, pa.string()),
        "likes": table.column("like_count"), "comments": table.column("comment_count"),
        "shares": table.column("share_count"), "views": table.column("view_count"),
        "favorites": table.column("favorites_count"),
        "music": pc.cast(table.column("music_id"), pa.string()),
        "duet_of": pa.nulls(n, pa.string()), "transcript": table.column("voice_to_text"),
        "label": _labels(table.column("video_label")), "source_line": lines})


def _labels(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """The label's text, as ``research_api.label`` reads it."""
    if pa.types.is_struct(column.type):
        return pc.struct_field(column, "content")
    return column
