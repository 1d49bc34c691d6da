"""The import formats (``FORMATS``) and the readers of the scraped and captured ones
(Zeeschuimer / 4CAT, TikTokApi, tiktok-scraper / Apify); the Research API's are in
``research_api``, the per-user lists in ``user_lists``.

Every reader here (the JSON formats; mapped CSV is read by column in ``tabular``, with its
``ColumnMap`` in ``column_map``) is a generator of ``(line, record)`` pairs, one per input row,
read as a stream (a file of any size and shape never sits in memory whole: ``json_stream``).
A record is a dict in the common form (``records``), or a ``Reject`` naming what is wrong with
the row; nothing is dropped silently.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from diplosim.ingest.column_map import ColumnMap, load_map
from diplosim.ingest.records import (
    HASHTAG,
    URL,
    Reject,
    Row,
    as_id,
    as_int,
    as_text,
    as_time,
    convert,
    normalise_tags,
    page_items,
    require,
)
from diplosim.ingest.research_api import tiktok_comments, tiktok_users, tiktok_videos
from diplosim.ingest.sources import Source

__all__ = ["FORMATS", "ColumnMap", "Reject", "load_map", "read"]

def _duet(data: dict) -> str | None:
    """The video a duet was made with (``duetInfo.duetFromId``; "0" when it is no duet)."""
    info = data.get("duetInfo")
    source = as_id(info.get("duetFromId")) if isinstance(info, dict) else None
    return None if source in (None, "0") else source


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
    post = {"post": as_id(data.get("id") or item.get("item_id")), "account": as_text(account),
            "time": as_time(data.get("createTime"), "createTime")}
    require(post, "post", "account", "time")
    text = as_text(data.get("desc"))
    challenges = data.get("challenges") or []
    if not isinstance(challenges, list):
        raise ValueError("challenges: expected a list")
    tags = [c.get("title") for c in challenges if isinstance(c, dict)]
    music = data.get("music")
    return {
        **post, "text": text, "hashtags": normalise_tags(tags + HASHTAG.findall(text or "")),
        "shared_object": None, "urls": URL.findall(text or ""),
        "country": as_text(data.get("locationCreated")),
        "language": as_text(data.get("textLanguage")),
        "likes": as_int(stats.get("diggCount"), "stats.diggCount"),
        "comments": as_int(stats.get("commentCount"), "stats.commentCount"),
        "shares": as_int(stats.get("shareCount"), "stats.shareCount"),
        "views": as_int(stats.get("playCount"), "stats.playCount"),
        "favorites": as_int(stats.get("collectCount"), "stats.collectCount"),
        "music": as_id(music.get("id")) if isinstance(music, dict) else None,
        "duet_of": _duet(data), "transcript": None, "label": None,
    }


def _apify_item(item: dict) -> dict:
    """An item of the tiktok-scraper / Apify TikTok Scraper dataset export."""
    author = item.get("authorMeta") or {}
    music = item.get("musicMeta") or {}
    if not isinstance(author, dict) or not isinstance(music, dict):
        raise ValueError("authorMeta, musicMeta: expected JSON objects")
    post = {"post": as_id(item.get("id")), "account": as_text(author.get("name")),
            "time": as_time(item.get("createTime"), "createTime")}
    require(post, "post", "account", "time")
    text = as_text(item.get("text"))
    tags = item.get("hashtags") or []
    if not isinstance(tags, list):
        raise ValueError("hashtags: expected a list")
    names = [t.get("name") if isinstance(t, dict) else t for t in tags]
    return {
        **post, "text": text, "hashtags": normalise_tags(names + HASHTAG.findall(text or "")),
        "shared_object": None, "urls": URL.findall(text or ""),
        "country": as_text(item.get("locationCreated")),
        "language": as_text(item.get("textLanguage")),
        "likes": as_int(item.get("diggCount"), "diggCount"),
        "comments": as_int(item.get("commentCount"), "commentCount"),
        "shares": as_int(item.get("shareCount"), "shareCount"),
        "views": as_int(item.get("playCount"), "playCount"),
        "favorites": as_int(item.get("collectCount"), "collectCount"),
        "music": as_id(music.get("musicId")), "duet_of": None, "transcript": None,
        "label": None,
    }


#: Where each tool's saved files keep their items (besides lines and arrays): Apify's dataset
#: API (``items``, or ``data``), tiktok-scraper's ``collector``; TikTok's web API page as
#: TikTokApi and browser captures save it (``itemList``); 4CAT's API (``items``).
APIFY_PATHS = (("items",), ("collector",), ("data",))
TIKTOKAPI_PATHS = (("itemList",), ("items",), ("data",))
ZEESCHUIMER_PATHS = (("items",), ("data",))


def apify(path: Path | Source) -> Iterator[Row]:
    """tiktok-scraper / Apify TikTok Scraper items (lines, an array, ``collector``...)."""
    return convert(page_items(path, APIFY_PATHS), "a scraped item", _apify_item)


def zeeschuimer(path: Path | Source) -> Iterator[Row]:
    """Zeeschuimer / 4CAT TikTok NDJSON: one captured item per line, the post under ``data``
    (an array of items, or ``{"items": [...]}``, read too)."""
    return convert(page_items(path, ZEESCHUIMER_PATHS), "a captured item", _zeeschuimer_item)


def tiktokapi(path: Path | Source) -> Iterator[Row]:
    """TikTokApi items (``Video.as_dict``: Zeeschuimer's ``data``), read by the same converter;
    lines, an array, or the web API's page ``{"itemList": [...]}``."""
    return convert(page_items(path, TIKTOKAPI_PATHS), "an item", _zeeschuimer_item)


#: format name -> (row reader, kind of record). Mapped CSV has no row reader: it is read by
#: column (``diplosim.ingest.tabular``).
FORMATS = {"tiktok": (tiktok_videos, "posts"), "tiktok-users": (tiktok_users, "profiles"),
           "tiktok-comments": (tiktok_comments, "comments"), "zeeschuimer": (zeeschuimer, "posts"),
           "tiktokapi": (tiktokapi, "posts"), "apify": (apify, "posts"),
           "csv": (None, "posts")}


def read(fmt: str, path: Path | Source) -> Iterator[Row]:
    """The rows of a JSON-format file (see ``FORMATS``)."""
    reader = FORMATS[fmt][0]
    if reader is None:
        raise ValueError(f"{fmt} is read by column: use diplosim.ingest.tabular")
    return reader(path)
