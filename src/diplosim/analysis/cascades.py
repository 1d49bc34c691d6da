"""Cascades rebuilt from shares: who got a post from whom, as one tree per post.

The root is the post's author; a share by ``account`` that came ``from_account`` hangs under that
account (under the root when the source is the author or not in the tree). Reference: Goel,
Anderson, Hofman & Watts (2016), "The structural virality of online diffusion", Management
Science 62(1).
"""

from __future__ import annotations

import math
from collections import defaultdict

import numpy as np

from diplosim.analysis.run import Run

__all__ = ["cascade_metrics", "cascades", "onward_shares", "size_ccdf", "structural_virality",
           "time_to_depth"]


def structural_virality(parent: list[int]) -> float:
    """Mean shortest-path distance over all pairs of nodes of a tree given by parent indices.

    ``parent[i]`` is the parent of node i (-1 for the root, node 0). Uses the Wiener index of a
    tree, the sum over edges of s * (n - s) with s the size of the subtree below the edge:
    O(n). A single node has virality 0 by convention.
    """
    n = len(parent)
    if n < 2:
        return 0.0
    size = np.ones(n, dtype=np.int64)
    depth = np.zeros(n, dtype=np.int64)
    for i in range(1, n):
        depth[i] = depth[parent[i]] + 1
    for i in np.argsort(-depth, kind="stable"):
        if parent[i] >= 0:
            size[parent[i]] += size[i]
    wiener = float(sum(size[i] * (n - size[i]) for i in range(n) if parent[i] >= 0))
    return wiener / (n * (n - 1) / 2)


def cascade_metrics(parent: list[int]) -> dict[str, float]:
    """Size (nodes), depth (longest root path), maximum breadth (nodes at one depth) and
    structural virality of one tree."""
    n = len(parent)
    depth = [0] * n
    for i in range(1, n):
        depth[i] = depth[parent[i]] + 1
    widths = np.bincount(depth)
    return {"size": n, "depth": max(depth), "max_breadth": int(widths.max()),
            "structural_virality": structural_virality(parent)}


def _grow(shares):
    """Each share that adds a node, in the order given: (post, parent index, depth, time).
    ``shares`` rows are (post, author, account, from_account, time); a share hangs under the
    account it came from, under the root (the author) when that account is not in the tree,
    and an account's repeated share adds nothing."""
    nodes: dict[int, dict[int, int]] = defaultdict(dict)
    depths: dict[int, list[int]] = {}
    for post, author, account, source, time in shares:
        index = nodes[post]
        if post not in depths:
            index[author] = 0
            depths[post] = [0]
        if account in index:
            continue
        parent = index.get(source, 0) if source is not None else 0
        index[account] = len(depths[post])
        depths[post].append(depths[post][parent] + 1)
        yield post, parent, depths[post][-1], time


def _trees(shares: list[tuple[int, int, int, int, int]]) -> dict[int, list[int]]:
    """post -> parent list (the root, index 0, has parent -1)."""
    parents: dict[int, list[int]] = {}
    for post, *_ in shares:
        parents.setdefault(post, [-1])
    for post, parent, _depth, _time in _grow(shares):
        parents[post].append(parent)
    return parents


def time_to_depth(run: Run, where: str, params: list, depth: int) -> float:
    """Seconds from the first matching post until a share ``depth`` steps from its author (in
    any matching post's cascade, built as ``cascades`` builds them); inf if never. ``where``
    selects posts ``p`` with ``?`` placeholders for ``params``."""
    (first,) = run.con.execute(f"SELECT min(time) FROM posts p WHERE {where}",
                               params).fetchone()
    shares = run.con.execute(f"""
        SELECT i.post, p.account, i.account, i.from_account, i.time
        FROM interactions i JOIN posts p USING (post)
        WHERE i.kind = 'share' AND {where} ORDER BY i.post, i.time, i.account""",
                             params).fetchall()
    times = [time for _post, _parent, d, time in _grow(shares) if d >= depth]
    return float(min(times) - first) if times and first is not None else math.inf


def cascades(run: Run) -> list[dict]:
    """One row per post with at least one impression or share: size, depth, max_breadth,
    structural_virality (size 1 for posts never shared)."""
    run.require("posts", "interactions")
    shares = run.con.execute("""
        SELECT i.post, p.account, i.account, i.from_account, i.time
        FROM interactions i JOIN posts p USING (post)
        WHERE i.kind = 'share' ORDER BY i.post, i.time, i.account""").fetchall()
    trees = _trees(shares)
    out = [{"post": post, **cascade_metrics(parent)} for post, parent in trees.items()]
    unshared = run.con.execute("SELECT post FROM posts WHERE shares = 0 OR shares IS NULL")
    for (post,) in unshared.fetchall():
        if post not in trees:
            out.append({"post": post, "size": 1, "depth": 0, "max_breadth": 1,
                        "structural_virality": 0.0})
    out.sort(key=lambda r: r["post"])
    return out


def onward_shares(run: Run) -> float:
    """Shares of a copy another user passed on (sent to a friend or reposted: the share's
    source is neither empty nor the post's author) per share: the mean number of next-
    generation shares a share leads to, the reproduction number of sharing. A cascade reaches
    depth d through about this number to the power d - 1 chains per first share."""
    run.require("interactions")
    shares, onward = run.con.execute("""
        SELECT count(*), count(*) FILTER (WHERE from_account IS NOT NULL
                                          AND from_account <> target_account)
        FROM interactions WHERE kind = 'share'""").fetchone()
    return float(onward / shares) if shares else math.nan


def size_ccdf(sizes) -> tuple[np.ndarray, np.ndarray]:
    """The cascade-size distribution as (size s, share of cascades of size >= s), s ascending."""
    size = np.sort(np.asarray(sizes))
    values, first = np.unique(size, return_index=True)
    return values, 1.0 - first / max(size.size, 1)
