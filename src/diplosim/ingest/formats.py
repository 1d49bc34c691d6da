"""Readers for the platform's research exports and for mapped CSV files.

Every reader here (the JSON formats; mapped CSV is read by column in ``tabular``, with its
``ColumnMap`` defined here) is a generator of ``(line, record)`` pairs, one per input row,
read as a stream (a JSON-lines file of any size never sits in memory whole). A record is a
dict in the common form below, or a ``Reject`` naming what is wrong with the row; nothing is
dropped silently.

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

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from diplosim.errors import DiplosimError, printable

__all__ = ["FORMATS", "ColumnMap", "Reject", "load_map", "read"]

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


def _int(value, field: str) -> int | None:
    """A count or a time (seconds since 1970) from JSON: a whole number from 0 to ``INT_MAX``,
    or None when absent; anything else rejects the row, naming the field."""
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


def _time(value, field: str) -> int | None:
    """A time in seconds since 1970 (``_int``), at most ``TIME_MAX``."""
    n = _int(value, field)
    if n is not None and n > TIME_MAX:
        hint = " (milliseconds? expected seconds)" if n <= TIME_MAX * 1000 else ""
        raise ValueError(f"{field}: expected seconds since 1970 up to {TIME_MAX} "
                         f"(2100-01-01), got {n}{hint}")
    return n


def _text(value) -> str | None:
    if value is None:
        return None
    return str(value)


def _required(record: dict, *fields: str) -> None:
    missing = [f for f in fields if record.get(f) in (None, "")]
    if missing:
        raise ValueError(f"missing {', '.join(missing)}")


def _json_lines(path: Path) -> Iterator[tuple[int, object | Reject]]:
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


def _items(path: Path, key: str) -> Iterator[tuple[int, object, str]]:
    """Unwrap API pages ``{"data": {key: [...]}}``, arrays of them, or bare items."""
    for line, value in _json_lines(path):
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


def _objects(path: Path) -> Iterator[tuple[int, object, str]]:
    """One JSON value per line (or the whole file), as (line, value, raw)."""
    for line, value in _json_lines(path):
        yield line, value, "" if isinstance(value, Reject) else json.dumps(value)[:300]


def _convert(source: Iterator[tuple[int, object, str]], what: str,
             convert: Callable[[dict], dict]) -> Iterator[Row]:
    """Apply ``convert`` to each JSON object; a ValueError it raises rejects the row."""
    for line, item, raw in source:
        if isinstance(item, Reject):
            yield line, item
        elif not isinstance(item, dict):
            yield line, Reject(f"expected a JSON object ({what})", raw)
        else:
            try:
                yield line, convert(item)
            except ValueError as e:
                yield line, Reject(str(e), raw)
            except (TypeError, AttributeError, KeyError, IndexError, RecursionError) as e:
                # a field of a type the format never has (a list where an object belongs...)
                yield line, Reject(f"unexpected structure ({type(e).__name__}: "
                                   f"{printable(str(e))[:120]})", raw)


def _tags(names) -> list[str]:
    return sorted({"#" + str(t).lstrip("#").lower() for t in names if t})


def _video(item: dict) -> dict:
    _required(item, "id", "username", "create_time")
    tags = item.get("hashtag_names") or []
    if not isinstance(tags, list):
        raise ValueError("hashtag_names: expected a list")
    text = _text(item.get("video_description"))
    return {
        "post": str(item["id"]), "account": str(item["username"]),
        "time": _time(item["create_time"], "create_time"), "text": text,
        "hashtags": _tags(tags), "shared_object": None, "urls": URL.findall(text or ""),
        "country": _text(item.get("region_code")), "language": None,
        "likes": _int(item.get("like_count"), "like_count"),
        "comments": _int(item.get("comment_count"), "comment_count"),
        "shares": _int(item.get("share_count"), "share_count"),
        "views": _int(item.get("view_count"), "view_count"),
        "favorites": _int(item.get("favorites_count"), "favorites_count"),
        "music": _text(item.get("music_id")),
    }


def _user(item: dict) -> dict:
    """A user-info response. The API's ``data`` object does not repeat the username it was
    asked for, so each saved response must carry it beside ``data`` (or inside it)."""
    data = item.get("data") if isinstance(item.get("data"), dict) else item
    username = item.get("username") or data.get("username")
    if username in (None, ""):
        raise ValueError("username: the user-info response does not include it; save each "
                         'response with the username it was asked for, as {"username": ..., '
                         '"data": {...}}')
    verified = data.get("is_verified")
    return {
        "account": str(username), "display_name": _text(data.get("display_name")),
        "bio": _text(data.get("bio_description")),
        "verified": bool(verified) if verified is not None else None,
        "followers": _int(data.get("follower_count"), "follower_count"),
        "following": _int(data.get("following_count"), "following_count"),
        "likes": _int(data.get("likes_count"), "likes_count"),
        "videos": _int(data.get("video_count"), "video_count"),
    }


def _comment(item: dict) -> dict:
    _required(item, "id", "video_id", "create_time")
    return {
        "comment": str(item["id"]), "post": str(item["video_id"]),
        "account": _text(item.get("username")),
        "time": _time(item["create_time"], "create_time"), "text": _text(item.get("text")),
        "likes": _int(item.get("like_count"), "like_count"),
        "parent": _text(item.get("parent_comment_id")),
    }


def _zeeschuimer_item(item: dict) -> dict:
    if item.get("source_platform") not in (None, "tiktok.com", "tiktok"):
        raise ValueError(f"source_platform: expected tiktok.com, got "
                         f"{str(item.get('source_platform'))[:40]!r}")
    data = item.get("data", item)
    if not isinstance(data, dict):
        raise ValueError("data: expected a JSON object")
    author = data.get("author")
    account = author.get("uniqueId") if isinstance(author, dict) else author
    stats = data.get("stats") or {}
    if not isinstance(stats, dict):
        raise ValueError("stats: expected a JSON object")
    post = {"post": _text(data.get("id") or item.get("item_id")), "account": _text(account),
            "time": _time(data.get("createTime"), "createTime")}
    _required(post, "post", "account", "time")
    text = _text(data.get("desc"))
    challenges = data.get("challenges") or []
    if not isinstance(challenges, list):
        raise ValueError("challenges: expected a list")
    tags = [c.get("title") for c in challenges if isinstance(c, dict)]
    music = data.get("music")
    return {
        **post, "text": text, "hashtags": _tags(tags + HASHTAG.findall(text or "")),
        "shared_object": None, "urls": URL.findall(text or ""),
        "country": _text(data.get("locationCreated")),
        "language": _text(data.get("textLanguage")),
        "likes": _int(stats.get("diggCount"), "stats.diggCount"),
        "comments": _int(stats.get("commentCount"), "stats.commentCount"),
        "shares": _int(stats.get("shareCount"), "stats.shareCount"),
        "views": _int(stats.get("playCount"), "stats.playCount"),
        "favorites": _int(stats.get("collectCount"), "stats.collectCount"),
        "music": _text(music.get("id")) if isinstance(music, dict) else None,
    }


def tiktok_videos(path: Path) -> Iterator[Row]:
    """TikTok Research API video query results (raw pages or JSON lines)."""
    return _convert(_items(path, "videos"), "a video", _video)


def tiktok_users(path: Path) -> Iterator[Row]:
    """TikTok Research API user info results (one user per page or per line)."""
    return _convert(_objects(path), "a user", _user)


def tiktok_comments(path: Path) -> Iterator[Row]:
    """TikTok Research API video comments results (raw pages or JSON lines)."""
    return _convert(_items(path, "comments"), "a comment", _comment)


def zeeschuimer(path: Path) -> Iterator[Row]:
    """Zeeschuimer / 4CAT TikTok NDJSON: one captured item per line, the post under ``data``."""
    return _convert(_objects(path), "a captured item", _zeeschuimer_item)


class ColumnMap(BaseModel):
    """``--map MAP.yaml`` for generic CSV: which column holds what."""

    model_config = ConfigDict(extra="forbid", strict=True)

    class Columns(BaseModel):
        model_config = ConfigDict(extra="forbid", strict=True)
        post: str
        account: str
        time: str
        text: str | None = None
        hashtags: str | None = None
        shared_object: str | None = None
        url: str | None = None
        country: str | None = None
        language: str | None = None
        likes: str | None = None
        comments: str | None = None
        shares: str | None = None
        views: str | None = None

    description: str | None = None
    source: str | None = None
    columns: Columns
    time_format: str = Field("unix", description="unix (seconds), unix_ms, iso, or a strptime "
                                                 "pattern (read as UTC)")
    list_separator: str = " "
    delimiter: str = ","
    encoding: str = "utf-8"


def load_map(path: Path) -> ColumnMap:
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise DiplosimError(f"{path}: cannot read the column map ({e.strerror})") from None
    except UnicodeDecodeError as e:
        raise DiplosimError(f"{path}: not UTF-8 text (byte {e.start})") from None
    except yaml.YAMLError as e:
        raise DiplosimError(f"{path}: not valid YAML ({printable(str(e))})") from None
    except RecursionError:
        raise DiplosimError(f"{path}: nested too deeply to be a column map") from None
    try:
        return ColumnMap.model_validate(data)
    except ValidationError as e:
        problems = "; ".join(f"{'.'.join(map(str, err['loc']))}: {err['msg']}"
                             for err in e.errors())
        raise DiplosimError(f"{path}: {problems}") from None


#: format name -> (row reader, kind of record). Mapped CSV has no row reader: it is read by
#: column (``diplosim.ingest.tabular``).
FORMATS = {"tiktok": (tiktok_videos, "posts"), "tiktok-users": (tiktok_users, "profiles"),
           "tiktok-comments": (tiktok_comments, "comments"), "zeeschuimer": (zeeschuimer, "posts"),
           "csv": (None, "posts")}


def read(fmt: str, path: Path) -> Iterator[Row]:
    """The rows of a JSON-format file (see ``FORMATS``)."""
    reader = FORMATS[fmt][0]
    if reader is None:
        raise ValueError(f"{fmt} is read by column: use diplosim.ingest.tabular")
    return reader(path)
