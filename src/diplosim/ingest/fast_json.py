"""A fast reader for Research API video results saved as JSON lines (one video per line).

Arrow's JSON parser reads the file in blocks, with the types the first line shows; a block it
cannot parse is split in halves until the lines at fault are found. Rows that every check
passes become records by column; any other row (a missing field, a negative count, a time past
2100, a value of another type, a line that is not JSON) goes to the exact reader's converter
(``research_api.video``), line by line, so its record or rejection is the exact reader's own. The
records equal the exact reader's (tested on generated files with every kind of fault).
Memory stays bounded by the block size.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pj

from diplosim.ingest.records import TIME_MAX, URL, Reject, convert, normalise_tags, unwrap
from diplosim.ingest.research_api import video

__all__ = ["BLOCK_BYTES", "fast_videos"]

#: Bytes of lines parsed at once (memory is a small multiple of this).
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


def fast_videos(path: Path) -> Iterator[tuple[str, object]] | None:
    """``("table", posts)`` for blocks of clean rows (with ``source_line``) and
    ``("row", (line, record or Reject))`` for the others; None when the file is not JSON lines
    of videos (the exact reader takes it)."""
    with open(path, "rb") as f:
        head = f.readline()
        more = f.readlines(1 << 16)
    # what the exact reader reads another way (a first line that is blank or not one JSON
    # value: a pretty-printed page; old Mac line ends) is left to it
    if not head.strip() or b"\r" in head.rstrip(b"\n").rstrip(b"\r") or head.endswith(b"\r"):
        return None
    try:
        first = json.loads(head)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None
    if not isinstance(first, dict):
        return None
    sample = [first]
    for line in more:
        try:
            sample.append(json.loads(line))
        except (json.JSONDecodeError, UnicodeDecodeError):
            continue
    schema = _schema(first, sample)
    if schema is None:
        return None
    return _blocks(path, schema)


#: A line holding only white space (``bytes.strip`` would leave nothing).
_BLANK = re.compile(rb"\n[ \t\r\x0b\x0c]*\n")


def _blocks(path: Path, schema: pa.Schema) -> Iterator[tuple[str, object]]:
    con = duckdb.connect()
    line = 0
    with open(path, "rb") as f:
        while True:
            lines = f.readlines(BLOCK_BYTES)
            if not lines:
                break
            if not lines[-1].endswith(b"\n"):
                lines[-1] += b"\n"
            data = b"".join(lines)
            numbers = np.arange(line + 1, line + 1 + len(lines))
            line += len(lines)
            if _BLANK.search(b"\n" + data):  # blank lines hold no row: drop them
                keep = [k for k, text in enumerate(lines) if text.strip()]
                lines, numbers, data = [lines[k] for k in keep], numbers[keep], None
            yield from _parse(lines, numbers, schema, con, data)


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
    if not pc.all(clean).as_py():
        rest = pc.indices_nonzero(pc.invert(clean)).to_pylist()
        yield from _exact([(int(numbers[k]), lines[k]) for k in rest])
        table, line_numbers = table.filter(clean), line_numbers.filter(clean)
    if table.num_rows:
        yield "table", _records(table, line_numbers, con)


def _exact(numbered: list[tuple[int, bytes]]) -> Iterator[tuple[str, object]]:
    """The exact reader's records and rejections for these lines (pages on a line unwrapped,
    as it does)."""
    def values():
        for n, raw in numbered:
            text = raw.decode("utf-8", errors="replace").replace("\r\n", "\n")
            try:
                yield n, json.loads(text)
            except json.JSONDecodeError as e:
                yield n, Reject(f"not valid JSON: {e.msg} at column {e.colno}", text[:300])
    for row in convert(unwrap(values(), "videos"), "a video", video):
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
