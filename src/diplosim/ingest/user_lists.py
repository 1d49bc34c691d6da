"""The Research API's per-user list endpoints: who follows an account and whom it follows
(``/research/user/followers/``, ``/research/user/following/``), and the videos it reposted,
liked or pinned (``/research/user/reposted_videos/``, ``liked_videos``, ``pinned_videos``).

These responses do not repeat the username they were asked for (the same as user info), so
each saved response carries it beside ``data``: ``{"username": ..., "data": {...}}``, one
response per line, a file holding one response, or an array of them. Each listed user or video
is one row: it loads, or it is rejected with the reason (a response without the username
rejects its listed rows, saying so).

Followers and following lists make a real follow graph (``follows``: follower, followed); the
video lists make ``engagements`` (account, relation, post, creator, the video's time). The API
gives no time for a follow, a repost or a like: the graph and the lists are states at the time
of collection, never events.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

from diplosim.ingest.records import Reject, Row, as_id, as_text, as_time, json_values, require
from diplosim.ingest.sources import Source

__all__ = ["LIST_FORMATS", "read_list"]

#: Where each endpoint's response lists its items, under ``data`` (the names in TikTok's
#: specification; a copy saved by another client may use ``videos`` for a video list).
_KEYS = {"followers": ("user_followers",), "following": ("user_following",),
         "reposted": ("reposted_videos", "videos"),
         "liked": ("user_liked_videos", "liked_videos", "videos"),
         "pinned": ("pinned_videos_list", "pinned_videos", "videos")}


def _follow(relation: str) -> Callable[[str, dict], dict]:
    def convert(asked: str, item: dict) -> dict:
        require(item, "username")
        other = str(item["username"])
        follower, followed = (other, asked) if relation == "followers" else (asked, other)
        return {"follower": follower, "followed": followed}
    return convert


def _engagement(relation: str) -> Callable[[str, dict], dict]:
    def convert(asked: str, item: dict) -> dict:
        require(item, "id")
        return {"account": asked, "relation": relation, "post": as_id(item["id"]),
                "creator": as_text(item.get("username")),
                "time": as_time(item["create_time"], "create_time")
                if item.get("create_time") is not None else None}
    return convert


def _rows(path: Path | Source, relation: str,
          convert: Callable[[str, dict], dict]) -> Iterator[Row]:
    for line, value in json_values(path):
        if isinstance(value, Reject):
            yield line, value
            continue
        for page in value if isinstance(value, list) else [value]:
            yield from _page(line, page, relation, convert)


def _page(line: int, page, relation: str, convert) -> Iterator[Row]:
    raw = json.dumps(page)[:300]
    data = page.get("data") if isinstance(page, dict) else None
    if not isinstance(data, dict):
        yield line, Reject(f"expected a saved response {{\"username\": ..., \"data\": "
                           f"{{...}}}} of the {relation} endpoint", raw)
        return
    key = next((k for k in _KEYS[relation] if k in data), None)
    if key is None:
        if data:  # an empty page (``data: {}``) lists nothing
            yield line, Reject(f"data: expected a list under {' or '.join(_KEYS[relation])}",
                               raw)
        return
    items = data[key]
    if not isinstance(items, list):
        yield line, Reject(f"data.{key}: expected a list", raw)
        return
    asked = page.get("username")
    for item in items:
        item_raw = json.dumps(item)[:300]
        if asked in (None, ""):
            yield line, Reject("username: the response does not include the account it was "
                               "asked for; save each response as {\"username\": ..., "
                               "\"data\": {...}}", item_raw)
        elif not isinstance(item, dict):
            yield line, Reject(f"data.{key}: expected JSON objects", item_raw)
        else:
            try:
                yield line, convert(str(asked), item)
            except ValueError as e:
                yield line, Reject(str(e), item_raw)


#: format name -> (relation, kind of record, converter)
LIST_FORMATS = {
    "tiktok-followers": ("followers", "follows", _follow("followers")),
    "tiktok-following": ("following", "follows", _follow("following")),
    "tiktok-reposted": ("reposted", "engagements", _engagement("repost")),
    "tiktok-liked": ("liked", "engagements", _engagement("like")),
    "tiktok-pinned": ("pinned", "engagements", _engagement("pin")),
}


def read_list(fmt: str, path: Path | Source) -> Iterator[Row]:
    """The rows of a saved per-user list file (see ``LIST_FORMATS``)."""
    relation, _, convert = LIST_FORMATS[fmt]
    return _rows(path, relation, convert)
