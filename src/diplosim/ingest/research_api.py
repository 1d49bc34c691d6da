"""The TikTok Research API's records (``/v2/research/``): a video of ``video/query``, a user of
``user/info``, a comment of ``video/comment/list``, each converted into the common record form
(``records``); and the readers of saved results (raw pages or JSON lines). The fast reader of
video lines (``fast_json``) hands every row it does not take to ``video`` here, and the per-user
lists (``user_lists``) are read with the same pieces.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from diplosim.ingest.records import (
    URL,
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
from diplosim.ingest.sources import Source

__all__ = ["COMMENT_PATHS", "USER_PATHS", "VIDEO_PATHS", "comment", "label", "tiktok_comments",
           "tiktok_users", "tiktok_videos", "user",
           "video"]

#: Research API fields under the names common clients give them (traktok: ``video_id``,
#: ``author_name``).
_ALIASES = {"id": ("video_id",), "username": ("author_name",)}


def video(item: dict) -> dict:
    for name, others in _ALIASES.items():
        if item.get(name) in (None, ""):
            item[name] = next((item[o] for o in others if item.get(o) not in (None, "")),
                              None)
    require(item, "id", "username", "create_time")
    tags = item.get("hashtag_names") or []
    if not isinstance(tags, list):
        raise ValueError("hashtag_names: expected a list")
    text = as_text(item.get("video_description"))
    return {
        "post": as_id(item["id"]), "account": str(item["username"]),
        "time": as_time(item["create_time"], "create_time"), "text": text,
        "hashtags": normalise_tags(tags), "shared_object": None, "urls": URL.findall(text or ""),
        "country": as_text(item.get("region_code")), "language": None,
        "likes": as_int(item.get("like_count"), "like_count"),
        "comments": as_int(item.get("comment_count"), "comment_count"),
        "shares": as_int(item.get("share_count"), "share_count"),
        "views": as_int(item.get("view_count"), "view_count"),
        "favorites": as_int(item.get("favorites_count"), "favorites_count"),
        "music": as_id(item.get("music_id")), "duet_of": None,
        "transcript": as_text(item.get("voice_to_text")), "label": label(item.get("video_label")),
    }


def label(value) -> str | None:
    """``video_label``: the label's text (the API gives an object with ``content``; a saved
    copy may hold the text itself)."""
    if isinstance(value, dict):
        value = value.get("content")
    elif isinstance(value, list):
        value = "; ".join(str(v.get("content") if isinstance(v, dict) else v) for v in value
                          if v) or None
    return as_text(value)


def user(item: dict) -> dict:
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
        "account": str(username), "display_name": as_text(data.get("display_name")),
        "bio": as_text(data.get("bio_description")),
        "verified": bool(verified) if verified is not None else None,
        "followers": as_int(data.get("follower_count"), "follower_count"),
        "following": as_int(data.get("following_count"), "following_count"),
        "likes": as_int(data.get("likes_count"), "likes_count"),
        "videos": as_int(data.get("video_count"), "video_count"),
    }


def comment(item: dict) -> dict:
    require(item, "id", "video_id", "create_time")
    return {
        "comment": str(item["id"]), "post": str(item["video_id"]),
        "account": as_text(item.get("username")),
        "time": as_time(item["create_time"], "create_time"), "text": as_text(item.get("text")),
        "likes": as_int(item.get("like_count"), "like_count"),
        "parent": as_text(item.get("parent_comment_id")),
    }


#: Where saved results keep their records: the API's page, a client's ``videos`` or ``data``.
VIDEO_PATHS = (("data", "videos"), ("videos",), ("data",))
COMMENT_PATHS = (("data", "comments"), ("comments",), ("data",))
USER_PATHS = (("data",), ("users",))


def tiktok_videos(path: Path | Source) -> Iterator[Row]:
    """TikTok Research API video query results (raw pages, arrays or JSON lines)."""
    return convert(page_items(path, VIDEO_PATHS), "a video", video)


def tiktok_users(path: Path | Source) -> Iterator[Row]:
    """TikTok Research API user info results (one response per line, or an array of them)."""
    return convert(page_items(path, USER_PATHS), "a user", user)


def tiktok_comments(path: Path | Source) -> Iterator[Row]:
    """TikTok Research API video comments results (raw pages, arrays or JSON lines)."""
    return convert(page_items(path, COMMENT_PATHS), "a comment", comment)
