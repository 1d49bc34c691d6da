"""What stands behind a coordination network: the co-actions that tie each pair (which posts,
on what, when), how evenly the two accounts drive the pair, and how the network grows with
the time window.

* **Evidence**: every co-action of the pairs kept, with both accounts' posts and times.
* **Edge symmetry**: the distinct posts the less active account of a pair contributed to its
  co-actions over the more active one's (1: both alike; near 0: one account's many posts
  pairing with a few of the other's), as CooRTweet's ``edge_symmetry_score``
  (Righetti & Balluff); a hyperactive account makes many low-symmetry edges.
* **Window curve**: pairs, accounts and connected groups at each of several windows, computed
  from one pass at the largest window (each co-action's time gap is kept; a smaller window
  keeps the co-actions with smaller gaps), so a user can choose the window knowingly.
* **Interval estimate**: a window estimated from the data itself, by the rule CooRnet uses
  for link sharing (Giglietto, Righetti, Rossi & Marino 2020): among the objects acted on
  more than once, take the quickest tenth by the delay of the second action, and the median
  time those took to gather more than half their actions.
"""

from __future__ import annotations

import numpy as np

from diplosim.analysis.coordination import Actions, Network, sorted_co_actions

__all__ = ["co_actions", "edge_symmetry", "estimate_interval", "evidence", "window_curve"]


def co_actions(act: Actions, window: float) -> tuple[np.ndarray, np.ndarray]:
    """(first, second): indices into ``act``'s arrays of every co-action within ``window``
    seconds (the earlier action first)."""
    order, i, j = sorted_co_actions(act, window)
    return order[i], order[j]


def _pair_keys(act: Actions, i: np.ndarray, j: np.ndarray) -> tuple[np.ndarray, ...]:
    a, b = act.account[i], act.account[j]
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    m = max(len(act.names), 1)
    return lo * m + hi, lo, hi


def _kept(net: Network, keys: np.ndarray, m: int) -> np.ndarray:
    return np.isin(keys, net.a * m + net.b)


def evidence(act: Actions, net: Network, window: float) -> list[dict]:
    """Each co-action of the network's pairs: the two accounts (a < b), the object, each one's
    post and time, and the seconds between; by pair, then time."""
    i, j = co_actions(act, window)
    keys, _, _ = _pair_keys(act, i, j)
    keep = _kept(net, keys, max(len(act.names), 1))
    i, j, keys = i[keep], j[keep], keys[keep]
    # account a is the smaller name: put its action first
    swap = act.account[i] != np.minimum(act.account[i], act.account[j])
    i, j = np.where(swap, j, i), np.where(swap, i, j)
    order = np.lexsort((np.minimum(act.time[i], act.time[j]), keys))
    labels, posts = act.labels, act.posts

    def post(k: int) -> str | None:
        c = act.content[k] if act.content is not None else -1
        return None if c < 0 or posts is None else posts[c]

    return [{"account_a": act.names[act.account[x]], "account_b": act.names[act.account[y]],
             "object": labels[act.obj[x]] if labels is not None else str(act.obj[x]),
             "post_a": post(x), "time_a": int(act.time[x]),
             "post_b": post(y), "time_b": int(act.time[y]),
             "seconds_apart": int(abs(act.time[y] - act.time[x]))}
            for x, y in zip(i[order].tolist(), j[order].tolist(), strict=True)]


def edge_symmetry(act: Actions, net: Network, window: float) -> np.ndarray:
    """Per pair of ``net`` (in its order): min over max of the distinct posts each account
    contributed to the pair's co-actions (CooRTweet's edge symmetry)."""
    if net.a.size == 0:
        return np.zeros(0)
    i, j = co_actions(act, window)
    m = max(len(act.names), 1)
    keys, lo, _ = _pair_keys(act, i, j)
    known = act.content is not None and (act.content >= 0).all()
    content = act.content if known else np.arange(act.account.size)  # an action is a post
    net_keys = net.a * m + net.b
    pair = np.minimum(np.searchsorted(net_keys, keys), net.a.size - 1)
    inside = net_keys[pair] == keys
    # both actions of every co-action of a kept pair, with the side (a: 0, b: 1) it is on
    action = np.concatenate([i[inside], j[inside]])
    which = np.concatenate([pair[inside], pair[inside]])
    side = (act.account[action] != np.concatenate([lo[inside], lo[inside]])).astype(np.int64)
    distinct = np.unique(np.stack([which, side, content[action]]), axis=1)
    counts = np.zeros((net.a.size, 2))
    np.add.at(counts, (distinct[0], distinct[1]), 1)
    most = counts.max(axis=1)
    return np.where(most > 0, counts.min(axis=1) / np.maximum(most, 1), 0.0)


def window_curve(act: Actions, windows: list[float], min_weight: int = 2) -> list[dict]:
    """Pairs (weight at least ``min_weight``), accounts, connected groups and co-actions at
    each window, from one detection at the largest: a pair enters the network at the window
    of its ``min_weight``-th smallest gap, and the pairs are joined in that order."""
    from diplosim.analysis.coordination_kernels import _grow

    windows = sorted(set(float(w) for w in windows))
    if not windows:
        return []
    # the co-actions read from the sorted arrays directly
    order, i, j = sorted_co_actions(act, windows[-1])
    t, acc = act.time[order], act.account[order]
    a, b = acc[i], acc[j]
    keys = np.minimum(a, b) * max(len(act.names), 1) + np.maximum(a, b)
    gap = t[j] - t[i]  # j is the later action
    # one sort of (pair, gap) packed in an int64: pair keys are below accounts**2, gaps at
    # most the largest window (whole seconds)
    bits = max(int(windows[-1]), 1).bit_length()
    if keys.size and int(keys.max()).bit_length() + bits <= 62:
        packed = np.sort((keys << bits) | gap)
        keys, gap = packed >> bits, (packed & ((1 << bits) - 1)).astype(np.float64)
    else:  # too many accounts or too wide a window to pack: sort by the two keys
        order = np.lexsort((gap, keys))
        keys, gap = keys[order], gap[order].astype(np.float64)
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]]) if keys.size else \
        np.empty(0, np.int64)
    counts = np.diff(np.r_[starts, keys.size])
    enough = counts >= min_weight
    enter = gap[starts[enough] + min_weight - 1]  # the window at which the pair appears
    pair_keys = keys[starts[enough]]
    m = max(len(act.names), 1)
    by = np.argsort(enter, kind="stable")
    grown = _grow(pair_keys[by] // m, pair_keys[by] % m, enter[by],
                  np.asarray(windows, np.float64), m)
    # co-actions within each window: gaps counted by the first window that holds them
    first = np.searchsorted(np.asarray(windows), gap, side="left")
    co = np.cumsum(np.bincount(first, minlength=len(windows) + 1))[:len(windows)]
    return [{"window": w, "pairs": int(g[0]), "accounts": int(g[1]), "groups": int(g[2]),
             "co_actions": int(c)} for w, g, c in zip(windows, grown, co, strict=True)]


def estimate_interval(act: Actions, q: float = 0.1, p: float = 0.5) -> dict:
    """A coordination window estimated from the data (CooRnet's ``estimate_coord_interval``
    rule, Giglietto et al. 2020): over objects with two or more actions, the seconds from the
    first action to the second; the objects at or below that delay's ``q`` quantile (the
    quickest); for each of them, the seconds from its first action to the first action past a
    ``p`` share of its actions (rank / count > p); the interval is the ``p`` quantile of those,
    at least 1 second. Returns the interval, the objects used and the quickest objects'
    second-action threshold (``None`` throughout when no object has two actions)."""
    if not 0 <= q <= 1 or not 0 <= p <= 1:
        raise ValueError(f"q and p must lie in [0, 1], got q={q}, p={p}")
    order = np.lexsort((act.time, act.obj))
    obj, t = act.obj[order], act.time[order].astype(np.float64)
    starts = np.flatnonzero(np.r_[True, obj[1:] != obj[:-1]]) if obj.size else \
        np.empty(0, np.int64)
    counts = np.diff(np.r_[starts, obj.size])
    many = counts >= 2
    starts, counts = starts[many], counts[many]
    if starts.size == 0:
        return {"interval": None, "objects": 0, "quickest": 0, "second_within": None}
    second = t[starts + 1] - t[starts]
    cut = float(np.quantile(second, q))
    quick = second <= cut
    # the first action whose rank (1-based) over the count exceeds p: rank floor(p n) + 1
    past = starts[quick] + np.minimum(np.floor(p * counts[quick]).astype(np.int64),
                                      counts[quick] - 1)
    secs = t[past] - t[starts[quick]]
    return {"interval": max(float(np.quantile(secs, p)), 1.0), "objects": int(starts.size),
            "quickest": int(quick.sum()), "second_within": cut}
