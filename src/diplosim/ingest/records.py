"""The common record form of the JSON exports, and reading them: a stream of ``(line, value)``
pairs from a file of any shape (JSON lines, an array, pages; plain or compressed: ``sources``,
``json_stream``), pages unwrapped into items, and each item converted into a record (a dict)
or a ``Reject`` naming what is wrong with it.

Every JSON format's converter (``research_api``, ``formats``, ``user_lists``) is built from these
pieces, so a value is read the same way whichever export it comes from.

Common post form: ``post, account, time`` (POSIX seconds), ``text, hashtags, shared_object,
urls, country, language, likes, comments, shares, views, favorites``. Profiles (user info)
have ``account, display_name, followers, following, likes, videos, verified, bio``; comments
have ``comment, post, account, time, text, likes, parent``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path

from diplosim.errors import printable
from diplosim.ingest.json_scan import INT_DIGITS
from diplosim.ingest.json_stream import Reject, records
from diplosim.ingest.sources import Source, as_source

__all__ = ["HASHTAG", "INT_MAX", "TIME_MAX", "URL", "Paths", "Reject", "Row", "as_id",
           "as_int", "as_text", "as_time", "convert", "json_objects", "json_values",
           "normalise_tags", "page_items", "parse", "plain", "require", "unwrap"]

HASHTAG = re.compile(r"#(\w+)", re.UNICODE)
URL = re.compile(r"https?://[^\s<>\"']+")


Row = tuple[int, dict | Reject]
#: Where a format's pages keep their records: ``(("data", "videos"), ("videos",))``.
Paths = tuple[tuple[str, ...], ...]


#: The largest whole number a table column holds (int64).
INT_MAX = 2**63 - 1


#: Post and comment times are seconds since 1970 up to this one, 2100-01-01T00:00:00Z: past
#: it a value is not a time the platform wrote (often milliseconds given as seconds), and its
#: day would not fit the tables' 32-bit ``day`` column (found by ``make fuzz``).
TIME_MAX = 4_102_444_800


#: MongoDB extended JSON number wrappers (``mongoexport``): ``{"$numberLong": "7300..."}``.
_MONGO_NUMBERS = ("$numberLong", "$numberInt", "$numberDouble", "$numberDecimal")


def plain(value):
    """A value unwrapped from MongoDB extended JSON (a number wrapper, or ``$date`` as
    milliseconds or ISO text, given back as seconds); any other value as it is."""
    if isinstance(value, dict) and len(value) == 1:
        (key, inner), = value.items()
        if key in _MONGO_NUMBERS:
            return inner
        if key == "$date":
            inner = plain(inner)
            if isinstance(inner, str) and not inner.lstrip("-").isdigit():
                from datetime import datetime

                try:
                    return int(datetime.fromisoformat(inner.replace("Z", "+00:00"))
                               .timestamp())
                except ValueError:
                    raise ValueError(f"$date: expected ISO 8601 or milliseconds, got "
                                     f"{inner[:40]!r}") from None
            return int(inner) // 1000
    return value


def as_id(value) -> str | None:
    value = plain(value)
    return None if value is None else str(value)


def as_int(value, field: str) -> int | None:
    """A count or a time (seconds since 1970) from JSON: a whole number from 0 to ``INT_MAX``,
    or None when absent; anything else rejects the row, naming the field."""
    value = plain(value)
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(f"{field}: expected a whole number, got {value!r}")
    if isinstance(value, int):
        n = value
    else:
        try:
            f = float(value)
        except (TypeError, ValueError, OverflowError):
            raise ValueError(f"{field}: expected a whole number, got "
                             f"{str(value)[:40]!r}") from None
        if f != f or f in (float("inf"), float("-inf")) or f != int(f):
            raise ValueError(f"{field}: expected a whole number, got {str(value)[:40]!r}")
        n = int(f)
    if not 0 <= n <= INT_MAX:
        raise ValueError(f"{field}: expected a whole number from 0 to {INT_MAX}, got "
                         f"{str(value)[:40]}")
    return n


def as_time(value, field: str) -> int | None:
    """A time in seconds since 1970 (``as_int``), at most ``TIME_MAX``."""
    n = as_int(value, field)
    if n is not None and n > TIME_MAX:
        hint = " (milliseconds? expected seconds)" if n <= TIME_MAX * 1000 else ""
        raise ValueError(f"{field}: expected seconds since 1970 up to {TIME_MAX} "
                         f"(2100-01-01), got {n}{hint}")
    return n


def as_text(value) -> str | None:
    if value is None:
        return None
    return str(value)


def require(record: dict, *fields: str) -> None:
    missing = [f for f in fields if record.get(f) in (None, "")]
    if missing:
        raise ValueError(f"missing {', '.join(missing)}")


def parse(raw: bytes, line: int) -> object | Reject:
    """One record's bytes as a JSON value, or a ``Reject`` saying why not (bytes that are not
    UTF-8 are read as U+FFFD, as a text editor shows them)."""
    text = raw.decode("utf-8", errors="replace")
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        return Reject(f"not valid JSON: {e.msg} (line {line + e.lineno - 1}, column "
                      f"{e.colno})", text[:300])
    except ValueError:  # a whole number longer than Python reads (sys.int_info)
        m = _LONG_NUMBER.search(text)
        field = f"{m.group(1)}: " if m else ""
        return Reject(f"{field}a number of more than {INT_DIGITS:,} digits (not a count, a "
                      f"time or an id the platform writes)", text[:300])
    except RecursionError:
        return Reject("not valid JSON: nested too deeply", text[:300])


_LONG_NUMBER = re.compile(r'"([^"\\]{1,60})"\s*:\s*-?\d{' + str(INT_DIGITS + 1) + "}")


def json_values(source: Path | Source, paths: Paths = ()) -> Iterator[tuple[int, object]]:
    """Each record of a JSON file of any shape (``json_stream``), as (line, value or Reject);
    ``paths``: where a page keeps its records, for a page too long to hold."""
    with as_source(source).open() as f:
        for batch in records(f, paths):
            for item in batch:
                yield item[0], item[1] if isinstance(item[1], Reject) else parse(item[1],
                                                                                item[0])


def page_items(source: Path | Source, paths: Paths) -> Iterator[tuple[int, object, str]]:
    """The items of a file of records or of pages holding them under one of ``paths``."""
    return unwrap(json_values(source, paths), paths)


def unwrap(values, paths: Paths) -> Iterator[tuple[int, object, str]]:
    """``page_items`` over (line, value or Reject) pairs already read."""
    for line, value in values:
        if isinstance(value, Reject):
            yield line, value, ""
            continue
        for v in value if isinstance(value, list) else [value]:
            yield from _items(line, v, paths)


def _items(line: int, v, paths: Paths) -> Iterator[tuple[int, object, str]]:
    if isinstance(v, dict):
        for path in paths:
            inner = v
            for key in path[:-1]:
                inner = inner.get(key) if isinstance(inner, dict) else None
            if not isinstance(inner, dict) or path[-1] not in inner:
                continue
            found = inner[path[-1]]
            if isinstance(found, list):
                for item in found:
                    yield line, item, _raw(item)
                return
            if len(path) > 1:
                yield line, Reject(f"{'.'.join(path)}: expected a list"), ""
                return
        data = v.get("data")
        if isinstance(data, dict) and not data and any(len(p) > 1 for p in paths):
            return  # an empty page
    yield line, v, _raw(v)


def _raw(value) -> str:
    try:
        return json.dumps(value)[:300]
    except ValueError:
        return str(value)[:300]


def json_objects(source: Path | Source) -> Iterator[tuple[int, object, str]]:
    """Each record of a JSON file, as (line, value, raw)."""
    for line, value in json_values(source):
        yield line, value, "" if isinstance(value, Reject) else _raw(value)


def convert(source: Iterator[tuple[int, object, str]], what: str,
            to_record: Callable[[dict], dict]) -> Iterator[Row]:
    """Apply ``to_record`` to each JSON object; a ValueError it raises rejects the row."""
    for line, item, raw in source:
        if isinstance(item, Reject):
            yield line, item
        elif not isinstance(item, dict):
            yield line, Reject(f"expected a JSON object ({what})", raw)
        else:
            try:
                yield line, to_record(item)
            except ValueError as e:
                yield line, Reject(str(e), raw)
            except (TypeError, AttributeError, KeyError, IndexError, RecursionError) as e:
                # a field of a type the format never has (a list where an object belongs...)
                yield line, Reject(f"unexpected structure ({type(e).__name__}: "
                                   f"{printable(str(e))[:120]})", raw)


def normalise_tags(names) -> list[str]:
    return sorted({"#" + str(t).lstrip("#").lower() for t in names if t})
