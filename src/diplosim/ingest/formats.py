"""Readers for the platform's research exports and for mapped CSV files.

Every reader here (the JSON formats; mapped CSV is read by column in ``tabular``, with its
``ColumnMap`` in ``column_map``) is a generator of ``(line, record)`` pairs, one per input row,
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

from diplosim.errors import printable
from diplosim.ingest.column_map import ColumnMap, load_map

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


#: MongoDB extended JSON number wrappers (``mongoexport``): ``{"$numberLong": "7300..."}``.
_MONGO_NUMBERS = ("$numberLong", "$numberInt", "$numberDouble", "$numberDecimal")


def _plain(value):
    """A value unwrapped from MongoDB extended JSON (a number wrapper, or ``$date`` as
    milliseconds or ISO text, given back as seconds); any other value as it is."""
    if isinstance(value, dict) and len(value) == 1:
        (key, inner), = value.items()
        if key in _MONGO_NUMBERS:
            return inner
        if key == "$date":
            inner = _plain(inner)
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


def _id(value) -> str | None:
    value = _plain(value)
    return None if value is None else str(value)


def _int(value, field: str) -> int | None:
    """A count or a time (seconds since 1970) from JSON: a whole number from 0 to ``INT_MAX``,
    or None when absent; anything else rejects the row, naming the field."""
    value = _plain(value)
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
    return _unwrap(_json_lines(path), key)


def _unwrap(values, key: str) -> Iterator[tuple[int, object, str]]:
    """``_items`` over (line, value or Reject) pairs already read."""
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


#: Research API fields under the names common clients give them (traktok: ``video_id``,
#: ``author_name``).
_ALIASES = {"id": ("video_id",), "username": ("author_name",)}


def _video(item: dict) -> dict:
    for name, others in _ALIASES.items():
        if item.get(name) in (None, ""):
            item[name] = next((item[o] for o in others if item.get(o) not in (None, "")),
                              None)
    _required(item, "id", "username", "create_time")
    tags = item.get("hashtag_names") or []
    if not isinstance(tags, list):
        raise ValueError("hashtag_names: expected a list")
    text = _text(item.get("video_description"))
    return {
        "post": _id(item["id"]), "account": str(item["username"]),
        "time": _time(item["create_time"], "create_time"), "text": text,
        "hashtags": _tags(tags), "shared_object": None, "urls": URL.findall(text or ""),
        "country": _text(item.get("region_code")), "language": None,
        "likes": _int(item.get("like_count"), "like_count"),
        "comments": _int(item.get("comment_count"), "comment_count"),
        "shares": _int(item.get("share_count"), "share_count"),
        "views": _int(item.get("view_count"), "view_count"),
        "favorites": _int(item.get("favorites_count"), "favorites_count"),
        "music": _id(item.get("music_id")), "duet_of": None,
        "transcript": _text(item.get("voice_to_text")), "label": _label(item.get("video_label")),
    }


def _label(value) -> str | None:
    """``video_label``: the label's text (the API gives an object with ``content``; a saved
    copy may hold the text itself)."""
    if isinstance(value, dict):
        value = value.get("content")
    elif isinstance(value, list):
        value = "; ".join(str(v.get("content") if isinstance(v, dict) else v) for v in value
                          if v) or None
    return _text(value)


def _duet(data: dict) -> str | None:
    """The video a duet was made with (``duetInfo.duetFromId``; "0" when it is no duet)."""
    info = data.get("duetInfo")
    source = _id(info.get("duetFromId")) if isinstance(info, dict) else None
    return None if source in (None, "0") else source


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
    post = {"post": _id(data.get("id") or item.get("item_id")), "account": _text(account),
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
        "music": _id(music.get("id")) if isinstance(music, dict) else None,
        "duet_of": _duet(data), "transcript": None, "label": None,
    }


def _apify_item(item: dict) -> dict:
    """An item of the tiktok-scraper / Apify TikTok Scraper dataset export."""
    author = item.get("authorMeta") or {}
    music = item.get("musicMeta") or {}
    if not isinstance(author, dict) or not isinstance(music, dict):
        raise ValueError("authorMeta, musicMeta: expected JSON objects")
    post = {"post": _id(item.get("id")), "account": _text(author.get("name")),
            "time": _time(item.get("createTime"), "createTime")}
    _required(post, "post", "account", "time")
    text = _text(item.get("text"))
    tags = item.get("hashtags") or []
    if not isinstance(tags, list):
        raise ValueError("hashtags: expected a list")
    names = [t.get("name") if isinstance(t, dict) else t for t in tags]
    return {
        **post, "text": text, "hashtags": _tags(names + HASHTAG.findall(text or "")),
        "shared_object": None, "urls": URL.findall(text or ""),
        "country": _text(item.get("locationCreated")), "language": _text(item.get("textLanguage")),
        "likes": _int(item.get("diggCount"), "diggCount"),
        "comments": _int(item.get("commentCount"), "commentCount"),
        "shares": _int(item.get("shareCount"), "shareCount"),
        "views": _int(item.get("playCount"), "playCount"),
        "favorites": _int(item.get("collectCount"), "collectCount"),
        "music": _id(music.get("musicId")), "duet_of": None, "transcript": None,
        "label": None,
    }


def apify(path: Path) -> Iterator[Row]:
    """tiktok-scraper / Apify TikTok Scraper items (a JSON array or one item per line)."""
    return _convert(_items(path, "items"), "a scraped item", _apify_item)


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


#: format name -> (row reader, kind of record). Mapped CSV has no row reader: it is read by
#: column (``diplosim.ingest.tabular``).
FORMATS = {"tiktok": (tiktok_videos, "posts"), "tiktok-users": (tiktok_users, "profiles"),
           "tiktok-comments": (tiktok_comments, "comments"), "zeeschuimer": (zeeschuimer, "posts"),
           # TikTokApi's items are Zeeschuimer's ``data`` objects, read by the same converter
           "tiktokapi": (zeeschuimer, "posts"), "apify": (apify, "posts"),
           "csv": (None, "posts")}


def read(fmt: str, path: Path) -> Iterator[Row]:
    """The rows of a JSON-format file (see ``FORMATS``)."""
    reader = FORMATS[fmt][0]
    if reader is None:
        raise ValueError(f"{fmt} is read by column: use diplosim.ingest.tabular")
    return reader(path)
