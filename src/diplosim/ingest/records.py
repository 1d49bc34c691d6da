"""The common record form of the JSON exports, and reading them: a stream of ``(line, value)``
pairs from a file of JSON lines or one JSON document, API pages unwrapped into items, and each
item converted into a record (a dict) or a ``Reject`` naming what is wrong with it.

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
from dataclasses import dataclass
from pathlib import Path

from diplosim.errors import printable

__all__ = ["HASHTAG", "INT_MAX", "TIME_MAX", "URL", "Reject", "Row", "as_id", "as_int",
           "as_text", "as_time", "convert", "json_lines", "json_objects", "normalise_tags",
           "page_items", "plain", "require", "unwrap"]

HASHTAG = re.compile(r"#(\w+)", re.UNICODE)
URL = re.compile(r"https?://[^\s<>\"']+")


@dataclass
class Reject:
    reason: str
    raw: str = ""


Row = tuple[int, dict | Reject]


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


def json_lines(path: Path) -> Iterator[tuple[int, object | Reject]]:
    """Each line a JSON value; or the whole file one JSON document (a raw API page)."""
    with open(path, encoding="utf-8", errors="replace") as f:
        first = f.read(1)
        while first and first.isspace():
            first = f.read(1)
        f.seek(0)
        head = f.read(65536)
        f.seek(0)
        # a pretty-printed page (one document over many lines) is parsed whole; pages are small
        if first in "[{" and "\n" in head.strip() and not _is_json_line(head.split("\n", 1)[0]):
            text = f.read()
            try:
                yield 1, json.loads(text)
            except json.JSONDecodeError as e:
                yield e.lineno, Reject(f"not valid JSON: {e.msg} (line {e.lineno}, column "
                                       f"{e.colno})", text[:300])
            return
        for n, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                yield n, json.loads(line)
            except json.JSONDecodeError as e:
                yield n, Reject(f"not valid JSON: {e.msg} at column {e.colno}", line[:300])


def _is_json_line(line: str) -> bool:
    try:
        json.loads(line)
    except json.JSONDecodeError:
        return False
    return True


def page_items(path: Path, key: str) -> Iterator[tuple[int, object, str]]:
    """Unwrap API pages ``{"data": {key: [...]}}``, arrays of them, or bare items."""
    return unwrap(json_lines(path), key)


def unwrap(values, key: str) -> Iterator[tuple[int, object, str]]:
    """``page_items`` over (line, value or Reject) pairs already read."""
    for line, value in values:
        if isinstance(value, Reject):
            yield line, value, ""
            continue
        for v in value if isinstance(value, list) else [value]:
            data = v.get("data") if isinstance(v, dict) else None
            if isinstance(data, dict) and key in data:
                if not isinstance(data[key], list):
                    yield line, Reject(f"data.{key}: expected a list"), ""
                    continue
                for item in data[key]:
                    yield line, item, json.dumps(item)[:300]
            elif isinstance(data, dict) and not data:
                continue  # an empty page
            else:
                yield line, v, json.dumps(v)[:300]


def json_objects(path: Path) -> Iterator[tuple[int, object, str]]:
    """One JSON value per line (or the whole file), as (line, value, raw)."""
    for line, value in json_lines(path):
        yield line, value, "" if isinstance(value, Reject) else json.dumps(value)[:300]


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
