"""Pseudonymising an import (``--pseudonymise``): every account name and every id (videos,
comments, sounds) becomes a keyed hash (HMAC-SHA256 with the user's key, never written), the
same hash wherever the value appears, so tables still join. Text loses the names it carries in
@mentions, e-mail addresses and TikTok links (the ``urls`` column is rewritten the same way);
input files are named by a keyed hash of their path; rejection reasons lose the value they
quote. The key's fingerprint, kept in the manifest, checks that later imports into the folder
use the same key."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pyarrow as pa

__all__ = ["ID_FIELDS", "MENTION", "NAME_FIELDS", "SCHEME", "TEXT_FIELDS", "file_pseudonym",
           "fingerprint", "hide_column", "hide_mentions", "hide_posts", "hide_record",
           "hide_text", "hide_url", "new_key", "pseudonym", "withheld"]

Hide = Callable[[str | None], str | None]

#: What a pseudonymised folder hides, by version (kept in its manifest as
#: ``pseudonymisation``): 2 = names, ids, links and file names. A folder of an earlier version
#: kept ids raw, so its rows would not join new ones: it takes no more imports.
SCHEME = 2


def new_key() -> str:
    return secrets.token_hex(32)


def fingerprint(key: str) -> str:
    return hmac.new(key.encode(), b"diplosim key fingerprint", hashlib.sha256).hexdigest()[:12]


def pseudonym(key: str) -> Hide:
    k = key.encode()

    def hide(value: str | None) -> str | None:
        if value is None:
            return None
        return "p_" + hmac.new(k, value.encode(), hashlib.sha256).hexdigest()[:20]

    return hide


#: An @mention of an account in text (TikTok handles: letters, digits, '_' and '.').
MENTION = re.compile(r"@([A-Za-z0-9_.]{0,39}[A-Za-z0-9_])")


#: Fields of a record that name an account outright (hidden whole), that hold an id (hidden
#: whole: a video's id leads to its author), or may name one in text (mentions, links hidden).
NAME_FIELDS = ("account", "display_name", "follower", "followed", "creator")
ID_FIELDS = ("post", "comment", "parent", "duet_of", "music")
TEXT_FIELDS = ("text", "bio", "transcript")

#: A link in text: with a scheme, or a bare TikTok address (``vm.tiktok.com/ZM...``); an
#: e-mail address (its local part is hidden); an @mention.
_IN_TEXT = re.compile(
    r"(?P<url>https?://[^\s<>\"']+|(?<![\w./@-])(?:[\w-]+\.)*tiktokv?\.com/[^\s<>\"']*)"
    r"|(?P<email>[\w.+-]+@[\w-]+(?:\.[\w-]+)+)"
    r"|@(?P<mention>[A-Za-z0-9_.]{0,39}[A-Za-z0-9_])")
_TIKTOK = re.compile(r"(?:[\w-]+\.)*tiktokv?\.com", re.IGNORECASE)
#: Path words of TikTok addresses that name no one (every other segment is hidden).
_STRUCTURE = frozenset({"", "video", "photo", "v", "embed", "v2", "share", "user", "t", "tag",
                        "music", "live", "discover", "search", "foryou", "following", "explore",
                        "amp", "node", "effect", "place", "playlist", "collection", "sticker"})
_ID_SEGMENT = re.compile(r"(\d+)((?:\.html?)?[.,;:!?)\]]*)")
_NAME_SEGMENT = re.compile(r"(@?)([A-Za-z0-9_.]*[A-Za-z0-9_])([.,;:!?)\]]*)")


def _segment(seg: str, hide: Hide, tiktok: bool) -> str:
    """A path segment with the handle or id in it hidden (the same hash as the account or
    the id in their columns); elsewhere than TikTok, only @handles (``youtube.com/@name``)."""
    if not tiktok:
        m = _NAME_SEGMENT.fullmatch(seg)
        return m[1] + hide(m[2]) + m[3] if m and m[1] else seg
    if seg.lower() in _STRUCTURE:
        return seg
    m = _ID_SEGMENT.fullmatch(seg) or _NAME_SEGMENT.fullmatch(seg)
    if m is None:
        return hide(seg) or ""
    if m.re is _ID_SEGMENT:
        return hide(m[1]) + m[2]
    return m[1] + hide(m[2]) + m[3]


def hide_url(url: str | None, hide: Hide) -> str | None:
    """A link with the names and ids in it hidden: on TikTok (``tiktok.com/@name/video/ID``,
    ``vm.tiktok.com/CODE``, ...) every path segment but the structural words, and the query
    and fragment dropped (they carry the sharer's ids); elsewhere each ``@handle`` segment."""
    if not url:
        return url
    bare = "://" not in url
    try:
        parts = urlsplit("//" + url if bare else url)
        host = parts.hostname or ""
    except ValueError:  # not a parsable address: hide it whole
        return hide(url)
    tiktok = _TIKTOK.fullmatch(host) is not None
    netloc = parts.netloc.rpartition("@")[2] if "@" in parts.netloc else parts.netloc
    path = "/".join(_segment(s, hide, tiktok) for s in parts.path.split("/"))
    query, fragment = ("", "") if tiktok else (parts.query, parts.fragment)
    out = urlunsplit((parts.scheme, netloc, path, query, fragment))
    return out[2:] if bare and out.startswith("//") else out


def hide_text(text: str | None, hide: Hide) -> str | None:
    """``text`` with each link (``hide_url``), e-mail address and @mention hidden."""
    if not text or ("@" not in text and "/" not in text):
        return text

    def one(m: re.Match) -> str:
        if m["url"] is not None:
            return hide_url(m["url"], hide) or ""
        if m["email"] is not None:
            local, _, domain = m["email"].partition("@")
            return f"{hide(local)}@{domain}"
        return "@" + (hide(m["mention"]) or "")

    return _IN_TEXT.sub(one, text)


def hide_mentions(text: str | None, hide: Hide) -> str | None:
    """``text`` with each @mention replaced by the mentioned account's pseudonym (and each
    link and e-mail address hidden: ``hide_text``)."""
    return hide_text(text, hide)


def _hide_object(value: str | None, hide: Hide) -> str | None:
    """A shared object (a mapped CSV's post id or link)."""
    if value is None or value == "":
        return value
    return hide_url(value, hide) if "/" in value else hide(value)


def hide_record(record: dict, hide: Hide) -> None:
    """Hide, in place, every name, id, link and mention of a record of any kind."""
    for name in (*NAME_FIELDS, *ID_FIELDS):
        if name in record:
            record[name] = hide(record[name])
    for name in TEXT_FIELDS:
        if name in record:
            record[name] = hide_text(record[name], hide)
    if "shared_object" in record:
        record["shared_object"] = _hide_object(record["shared_object"], hide)
    if record.get("urls"):
        record["urls"] = [hide_url(u, hide) for u in record["urls"]]


#: Extensions an input file's pseudonym keeps (any other could be a name).
_EXTENSIONS = frozenset({".json", ".jsonl", ".ndjson", ".csv", ".tsv", ".txt"})
_COMPRESSED = frozenset({".gz", ".zst", ".bz2", ".xz", ".zip"})


def file_pseudonym(path: Path, hide: Hide) -> str:
    """An input file's name in a pseudonymised folder: ``file_`` + the keyed hash of its path
    as given, with its format's extension when it is a known one (``followers_of_NAME.jsonl``
    -> ``file_3f9c....jsonl``); the same path gives the same name."""
    digest = (hide(str(path)) or "").removeprefix("p_")
    suffixes = [s.lower() for s in Path(path).suffixes[-2:]]
    keep = ""
    if suffixes and suffixes[-1] in _COMPRESSED:
        keep = suffixes.pop()
    if suffixes and suffixes[-1] in _EXTENSIONS:
        keep = suffixes[-1] + keep
    return f"file_{digest}{keep}"


def withheld(reason: str) -> str:
    """A rejection reason without the value it quotes (which may be a name), for a
    pseudonymised import."""
    head, sep, _ = reason.partition(", got ")
    return f"{head} (value withheld: pseudonymised import)" if sep else reason


def _map_strings(table: pa.Table, name: str, fn: Callable[[str | None], str | None]
                 ) -> pa.Table:
    """Apply ``fn`` to a string column once per distinct value."""
    col = table.column(name).combine_chunks()
    if col.type != pa.string():
        col = col.cast(pa.string())
    col = col.dictionary_encode()
    names = pa.array([fn(v) for v in col.dictionary.to_pylist()], pa.string())
    hidden = pa.DictionaryArray.from_arrays(col.indices, names).cast(pa.string())
    return table.set_column(table.schema.get_field_index(name), name, hidden)


def hide_column(table: pa.Table, name: str, hide: Hide) -> pa.Table:
    """Pseudonymise a column once per distinct value."""
    return _map_strings(table, name, hide)


def hide_posts(table: pa.Table, hide: Hide) -> pa.Table:
    """A table of posts with its accounts and ids pseudonymised, and the names in its texts,
    links and shared objects hidden (``hide_record``'s rules, by column)."""
    for name in ("account", *ID_FIELDS):
        if name in table.column_names:
            table = _map_strings(table, name, hide)
    for name in ("text", "transcript"):
        if name in table.column_names:
            table = table.set_column(table.schema.get_field_index(name), name, pa.array(
                [hide_text(t, hide) for t in table.column(name).to_pylist()], pa.string()))
    if "shared_object" in table.column_names:
        table = _map_strings(table, "shared_object", lambda v: _hide_object(v, hide))
    if "urls" in table.column_names:
        urls = pa.array([None if us is None else [hide_url(u, hide) for u in us]
                         for us in table.column("urls").to_pylist()], pa.list_(pa.string()))
        table = table.set_column(table.schema.get_field_index("urls"), "urls", urls)
    return table
