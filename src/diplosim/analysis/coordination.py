"""Coordinated behaviour: pairs of accounts that acted on the same thing within seconds.

A co-action is two actions by distinct accounts on the same object (a shared post, a URL, a
hashtag, or a near-duplicate text) at most ``window`` seconds apart (inclusive). The weight of
a pair is the number of such co-actions between them. This is the co-retweet / co-link /
co-hashtag / co-similar-message network of Graham et al.'s coordination-network-toolkit
(QUT Digital Observatory), computed here with a sort and a sliding window instead of a
self-join, so its cost grows with the actions plus the pairs found.

Sources of actions: ``posts.shared_object`` (imported retweets, reposts) and ``interactions``
of kind ``share`` (simulated shares: the post is the object); ``posts.urls``;
``posts.hashtags``; ``posts.text`` clustered by MinHash (word 3-gram shingles, 64 hashes,
16 bands of 4) with an estimated Jaccard similarity of at least ``text_threshold``; on
TikTok's own objects, ``posts.music`` (a sound), the post's whole set of hashtags (two or more,
in any order) and each @mention in its text. Several kinds at once (``"sound,hashtag"``) pool
their actions, each object named with its kind, so a pair's weight counts co-actions of any
chosen kind (as CooRTweet does for multi-modal data).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from diplosim.analysis.coordination_groups import account_stats, groups
from diplosim.analysis.run import Run

__all__ = ["Actions", "Network", "account_stats", "actions", "bursts", "co_action_pairs",
           "coordination", "groups", "sorted_co_actions"]

BY = ("shared_object", "url", "hashtag", "text", "sound", "hashtag_set", "mention", "duet",
      "transcript")
#: The posts column each kind reads (``duet``: the video a duet was made with; ``transcript``:
#: the Research API's ``voice_to_text``, clustered as near-duplicates like ``text``).
_COLUMN = {"shared_object": "shared_object", "url": "urls", "hashtag": "hashtags",
           "text": "text", "sound": "music", "hashtag_set": "hashtags", "mention": "text",
           "duet": "duet_of", "transcript": "transcript"}
_ONE_OBJECT = ("shared_object", "sound", "hashtag_set", "duet")
_MENTION = re.compile(r"@([A-Za-z0-9_.]{0,39}[A-Za-z0-9_])")


@dataclass
class Network:
    """Pairs with ``a < b`` (indices into ``accounts``, which is sorted, so names compare the
    same way) and their weights."""

    accounts: np.ndarray   # object array of account names, sorted
    a: np.ndarray
    b: np.ndarray
    weight: np.ndarray

    def rows(self) -> list[dict]:
        return [{"account_a": self.accounts[i], "account_b": self.accounts[j], "weight": int(w)}
                for i, j, w in zip(self.a, self.b, self.weight, strict=True)]


@dataclass
class Actions:
    """Actions as codes: ``account`` indexes ``names`` (sorted), ``obj`` numbers the objects
    (named by ``labels`` when known), ``content`` the post each action is (named by
    ``posts``), for the evidence behind a pair."""

    names: np.ndarray
    account: np.ndarray
    obj: np.ndarray
    time: np.ndarray
    labels: np.ndarray | None = None
    content: np.ndarray | None = None
    posts: np.ndarray | None = None

    @classmethod
    def empty(cls) -> Actions:
        e = np.empty(0, np.int64)
        return cls(np.empty(0, object), e, e, e, np.empty(0, object), e, np.empty(0, object))


def kinds(by: str) -> list[str]:
    """The kinds in ``by`` ("sound" or "sound,hashtag"), each checked."""
    out = [k.strip() for k in by.split(",") if k.strip()]
    bad = [k for k in out if k not in BY]
    if not out or bad:
        raise ValueError(f"by: expected one or more of {', '.join(BY)} (comma-separated), got "
                         f"{by!r}")
    return list(dict.fromkeys(out))


def actions(run: Run, by: str, text_threshold: float = 0.7,
            with_posts: bool = False) -> Actions:
    """Every action of the kind(s) ``by``: who, on what, when (POSIX or simulated seconds);
    with ``with_posts``, also which post it was (for the evidence and edge symmetry)."""
    chosen = kinds(by)
    run.require("posts")
    parts = [_kind_actions(run, k, text_threshold, with_posts) for k in chosen]
    if len(chosen) > 1:  # objects of different kinds never match: name each with its kind
        parts = [p.set_column(1, "object", pc.binary_join_element_wise(
            pa.scalar(f"{k}:"), p.column("object").cast(pa.string()), ""))
            for k, p in zip(chosen, parts, strict=True) if p.num_rows]
    return _encode(parts)


def _kind_actions(run: Run, by: str, text_threshold: float, with_posts: bool) -> pa.Table:
    """(account, object, time, post) rows of one kind (post empty unless ``with_posts``)."""
    columns = set(pq.read_schema(run.file("posts")).names)
    if not with_posts:
        columns.discard("post")
    needed = _COLUMN[by]
    empty = pa.table({"account": pa.array([], pa.string()), "object": pa.array([], pa.string()),
                      "time": pa.array([], pa.int64()), "post": pa.array([], pa.string())})
    has_posts = {"account", "time", needed} <= columns
    post = ["post"] if "post" in columns else []
    parts: list[pa.Table] = []
    if by in (*_ONE_OBJECT, "url", "hashtag") and has_posts:
        # read straight from Parquet: no query engine needed for a few columns
        t = pq.read_table(run.file("posts"), columns=["account", needed, "time", *post])
        posts = t.column("post") if post else pa.nulls(t.num_rows, pa.string())
        col = t.column(needed).combine_chunks()
        if by == "hashtag_set":  # the whole set, in any order: two tags or more
            tags = col.to_pylist()
            col = pa.array([",".join(sorted(set(v))) if v and len(set(v)) > 1 else None
                            for v in tags], pa.string())
        if by in _ONE_OBJECT:
            keep = pc.is_valid(col)
            parts.append(pa.table({"account": t.column("account").filter(keep),
                                   "object": col.filter(keep),
                                   "time": t.column("time").filter(keep),
                                   "post": posts.filter(keep)}))
        else:
            rows = pc.list_parent_indices(col)
            parts.append(pa.table({"account": t.column("account").take(rows),
                                   "object": pc.list_flatten(col),
                                   "time": t.column("time").take(rows),
                                   "post": posts.take(rows)}))
    if by == "shared_object" and run.has("interactions"):
        t = pq.read_table(run.file("interactions"), columns=["account", "post", "time"],
                          filters=[("kind", "=", "share")])
        parts.append(pa.table({"account": t.column("account"), "object": t.column("post"),
                               "time": t.column("time"),
                               "post": t.column("post") if with_posts
                               else pa.nulls(t.num_rows, pa.string())}))
    if by in ("text", "mention", "transcript") and has_posts:
        rows = run.con.execute(f"""SELECT account::VARCHAR, {needed}, time,
                                   {'post::VARCHAR' if post else 'NULL'} FROM posts
                                   WHERE {needed} IS NOT NULL AND {needed} <> ''""").fetchall()
        if rows and by in ("text", "transcript"):
            accounts, texts, times, ids = zip(*rows, strict=True)
            cluster = text_clusters(list(texts), text_threshold)
            parts.append(pa.table({"account": pa.array(accounts, pa.string()),
                                   "object": pa.array([f"{by} cluster {c}" for c in cluster]),
                                   "time": pa.array(times, pa.int64()),
                                   "post": pa.array(ids, pa.string())}))
        elif rows:
            found = [(a, m, t, p) for a, text, t, p in rows
                     for m in sorted(set(_MENTION.findall(text))) if m != a]
            if found:
                a, m, t, p = zip(*found, strict=True)
                parts.append(pa.table({"account": pa.array(a, pa.string()),
                                       "object": pa.array([f"@{x}" for x in m]),
                                       "time": pa.array(t, pa.int64()),
                                       "post": pa.array(p, pa.string())}))
    parts = [p.cast(empty.schema, safe=False) for p in parts if p.num_rows]
    return pa.concat_tables(parts) if parts else empty


def _encode(parts: list[pa.Table]) -> Actions:
    """Number the accounts (in name order), the objects and the posts of (account, object,
    time, post) rows."""
    schema = pa.schema([("account", pa.string()), ("object", pa.string()),
                        ("time", pa.int64()), ("post", pa.string())])
    parts = [p.cast(schema, safe=False) for p in parts if p.num_rows]
    if not parts:
        return Actions.empty()
    tab = pa.concat_tables(parts)
    tab = tab.filter(pc.is_valid(tab.column("account")))
    if tab.num_rows == 0:
        return Actions.empty()
    # hash-encode (no sort of the rows); only the distinct account names are sorted
    acc = pc.dictionary_encode(tab.column("account").combine_chunks())
    order = np.asarray(pc.sort_indices(acc.dictionary))
    rank = np.empty(len(order), np.int64)
    rank[order] = np.arange(len(order))
    obj = pc.dictionary_encode(tab.column("object").combine_chunks())
    post = tab.column("post")
    content = names = None
    if post.null_count < len(post):  # the posts were asked for
        post = pc.dictionary_encode(post.combine_chunks())
        content = np.asarray(post.indices.fill_null(-1)).astype(np.int64)
        names = np.asarray(post.dictionary.to_pylist(), dtype=object)
    return Actions(np.asarray(acc.dictionary.to_pylist(), dtype=object)[order],
                   rank[np.asarray(acc.indices)],
                   np.asarray(obj.indices).astype(np.int64),
                   np.asarray(tab.column("time")),
                   np.asarray(obj.dictionary.to_pylist(), dtype=object), content, names)


def sorted_co_actions(act: Actions, window: float) -> tuple[np.ndarray, ...]:
    """(order, i, j): the actions' (object, time) order and the positions in it of every
    co-action within ``window`` seconds (the one sort and scan every measure shares).

    Vectorised (no compiled kernel to load: 0.8 s of a small command): each action's last
    partner is found by one binary search of (object, time) packed in an int64, and the pairs
    (i, j) with i < j up to it are spelled out, those of one account dropped. The earlier
    action comes first, i ascending then j, as ``_co`` gives them (tested against it)."""
    order = np.lexsort((act.time, act.obj))
    n = order.size
    if n == 0:
        return order, np.empty(0, np.int64), np.empty(0, np.int64)
    obj, t, acc = act.obj[order], act.time[order].astype(np.int64), act.account[order]
    t = t - t.min()
    span = int(t.max())
    w = min(int(np.floor(window)), span)  # times are whole seconds
    if w < 0:
        return order, np.empty(0, np.int64), np.empty(0, np.int64)
    room = span + w + 1  # a time plus the window never reaches the next object
    if int(obj.max()) >= (2**62) // room:
        return _co_compiled(order, obj, t, acc, window)
    key = obj.astype(np.int64) * room + t
    count = np.searchsorted(key, key + w, side="right") - np.arange(n) - 1
    i = np.repeat(np.arange(n), count)
    j = i + 1 + np.arange(i.size) - np.repeat(np.cumsum(count) - count, count)
    keep = acc[i] != acc[j]
    return order, i[keep], j[keep]


def _co_compiled(order, obj, t, acc, window) -> tuple[np.ndarray, ...]:
    """``sorted_co_actions`` by the compiled scan (objects too many to pack with the times)."""
    from diplosim.analysis.coordination_kernels import _co

    none = np.empty(0, np.int64)
    n = _co(obj, t, acc, window, none, none)
    i, j = np.empty(n, np.int64), np.empty(n, np.int64)
    if n:
        _co(obj, t, acc, window, i, j)
    return order, i, j


def co_action_pairs(act: Actions, window: float, min_weight: int = 1) -> Network:
    """Pairs of distinct accounts acting on the same object within ``window`` seconds."""
    order, i, j = sorted_co_actions(act, window)
    acc = act.account[order]
    a, b = np.minimum(acc[i], acc[j]), np.maximum(acc[i], acc[j])
    m = max(len(act.names), 1)
    uniq, weight = np.unique(a * m + b, return_counts=True)
    keep = weight >= min_weight
    uniq, weight = uniq[keep], weight[keep]
    return Network(act.names, uniq // m, uniq % m, weight)


def coordination(run: Run, by: str = "shared_object", window: float = 60,
                 min_weight: int = 2, text_threshold: float = 0.7) -> Network:
    """The co-action network of a run folder (simulated or imported). The defaults (shared
    objects, 60 s, at least 2 co-actions) are the default detector."""
    return co_action_pairs(actions(run, by, text_threshold), window, min_weight)


# ---- near-duplicate text -----------------------------------------------------------------

_WORD = re.compile(r"\w+", re.UNICODE)
_MERSENNE = (1 << 61) - 1
HASHES, BANDS = 64, 16


def _shingles(text: str) -> np.ndarray:
    words = _WORD.findall(text.lower())
    grams = [" ".join(words[i:i + 3]) for i in range(max(1, len(words) - 2))]
    return np.array([hash_text(g) for g in grams], dtype=np.uint64)


def hash_text(s: str) -> int:
    """A stable 61-bit hash (Python's ``hash`` of str is salted per process)."""
    import hashlib

    return int.from_bytes(hashlib.blake2b(s.encode(), digest_size=8).digest(), "little") \
        & _MERSENNE


def text_clusters(texts: list[str], threshold: float = 0.7) -> np.ndarray:
    """Cluster ids of near-duplicate texts: MinHash signatures, banded LSH for candidates,
    then pairs whose estimated Jaccard similarity is at least ``threshold`` are joined."""
    from diplosim.analysis.coordination_kernels import _find

    rng = np.random.default_rng(20240501)
    a = rng.integers(1, _MERSENNE, HASHES, dtype=np.uint64)
    b = rng.integers(0, _MERSENNE, HASHES, dtype=np.uint64)
    n = len(texts)
    sig = np.empty((n, HASHES), np.uint64)
    for i, text in enumerate(texts):
        sh = _shingles(text) % np.uint64(1 << 31)
        sig[i] = ((np.outer(sh, a[None, :].ravel()) + b) % np.uint64(_MERSENNE)).min(axis=0)
    rows = HASHES // BANDS
    parent = np.arange(n)
    for band in range(BANDS):
        block = np.ascontiguousarray(sig[:, band * rows:(band + 1) * rows])
        keys = block.view(np.dtype((np.void, block.dtype.itemsize * rows))).ravel()
        order = np.argsort(keys, kind="stable")
        same = np.flatnonzero(keys[order][1:] == keys[order][:-1])
        for k in same:
            i, j = order[k], order[k + 1]
            if (sig[i] == sig[j]).mean() >= threshold:
                x, y = _find(parent, i), _find(parent, j)
                if x != y:
                    parent[max(x, y)] = min(x, y)
    return np.array([_find(parent, i) for i in range(n)], np.int64)


def bursts(run: Run, by: str = "hashtag", z: float = 3.0, min_count: int = 5,
           baseline_hours: int = 24) -> list[dict]:
    """Hashtags (or shared objects) whose hourly action count jumps: an hour is in a burst when
    its count is at least ``min_count`` and exceeds the mean of the previous ``baseline_hours``
    by ``z`` standard deviations (sd floored at 1); consecutive burst hours form one burst with
    its start, end (exclusive, POSIX seconds), peak hour count and total."""
    act = actions(run, by)
    if act.obj.size == 0:
        return []
    names = dict(enumerate(act.labels.tolist())) if act.labels is not None else {}
    objects, hour = act.obj, act.time // 3600
    out = []
    for o in np.unique(objects):
        h = hour[objects == o]
        lo = h.min() - baseline_hours
        counts = np.bincount(h - lo)
        cs = np.concatenate([[0.0], np.cumsum(counts)])
        cs2 = np.concatenate([[0.0], np.cumsum(counts.astype(float) ** 2)])
        flagged = np.zeros(counts.size, bool)
        for k in range(baseline_hours, counts.size):
            w = baseline_hours
            mean = (cs[k] - cs[k - w]) / w
            var = max((cs2[k] - cs2[k - w]) / w - mean**2, 0.0)
            flagged[k] = counts[k] >= min_count and counts[k] > mean + z * max(var**0.5, 1.0)
        k = 0
        while k < counts.size:
            if flagged[k]:
                e = k
                while e < counts.size and flagged[e]:
                    e += 1
                out.append({"object": names.get(int(o), str(o)), "start": int((lo + k) * 3600),
                            "end": int((lo + e) * 3600), "peak": int(counts[k:e].max()),
                            "actions": int(counts[k:e].sum())})
                k = e
            else:
                k += 1
    out.sort(key=lambda r: (r["start"], r["object"]))
    return out
