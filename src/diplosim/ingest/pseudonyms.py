"""Pseudonymising an import (``--pseudonymise``): account names become keyed hashes (HMAC-SHA256
with the user's key, never written), and so does each @mention in text; rejection reasons lose
the value they quote. The key's fingerprint, kept in the manifest, checks that later imports
into the folder use the same key."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Callable

import pyarrow as pa

__all__ = ["MENTION", "NAME_FIELDS", "TEXT_FIELDS", "fingerprint", "hide_column", "hide_mentions",
           "hide_posts", "hide_record", "new_key", "pseudonym", "withheld"]


def new_key() -> str:
    return secrets.token_hex(32)


def fingerprint(key: str) -> str:
    return hmac.new(key.encode(), b"diplosim key fingerprint", hashlib.sha256).hexdigest()[:12]


def pseudonym(key: str) -> Callable[[str | None], str | None]:
    k = key.encode()

    def hide(value: str | None) -> str | None:
        if value is None:
            return None
        return "p_" + hmac.new(k, value.encode(), hashlib.sha256).hexdigest()[:20]

    return hide


#: An @mention of an account in text (TikTok handles: letters, digits, '_' and '.').
MENTION = re.compile(r"@([A-Za-z0-9_.]{0,39}[A-Za-z0-9_])")


#: Fields of a record that name an account outright (hidden whole) or may mention one in text
#: (each @mention hidden).
NAME_FIELDS = ("account", "display_name", "follower", "followed", "creator")
TEXT_FIELDS = ("text", "bio", "transcript")


def hide_mentions(text: str | None, hide: Callable[[str | None], str | None]) -> str | None:
    """``text`` with each @mention replaced by the mentioned account's pseudonym."""
    if not text or "@" not in text:
        return text
    return MENTION.sub(lambda m: "@" + (hide(m.group(1)) or ""), text)


def hide_record(record: dict, hide: Callable[[str | None], str | None]) -> None:
    for name in NAME_FIELDS:
        if name in record:
            record[name] = hide(record[name])
    for name in TEXT_FIELDS:
        if name in record:
            record[name] = hide_mentions(record[name], hide)


def withheld(reason: str) -> str:
    """A rejection reason without the value it quotes (which may be a name), for a
    pseudonymised import."""
    head, sep, _ = reason.partition(", got ")
    return f"{head} (value withheld: pseudonymised import)" if sep else reason


def hide_posts(table: pa.Table, hide: Callable[[str | None], str | None]) -> pa.Table:
    """A table of posts with its accounts pseudonymised and each @mention in its texts."""
    table = hide_column(table, "account", hide)
    for name in ("text", "transcript"):
        if name in table.column_names:
            table = table.set_column(table.schema.get_field_index(name), name, pa.array(
                [hide_mentions(t, hide) for t in table.column(name).to_pylist()], pa.string()))
    return table


def hide_column(table: pa.Table, name: str, hide: Callable[[str | None], str | None]
                 ) -> pa.Table:
    """Pseudonymise a column once per distinct value."""
    col = table.column(name).combine_chunks().dictionary_encode()
    names = pa.array([hide(v) for v in col.dictionary.to_pylist()], pa.string())
    hidden = pa.DictionaryArray.from_arrays(col.indices, names).cast(pa.string())
    return table.set_column(table.schema.get_field_index(name), name, hidden)
