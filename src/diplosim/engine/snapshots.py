"""The daily snapshots of the event log: attitude distributions per country (``attitudes``) and
each actor's distinct viewers per country (``audience``), and both by age group
(``attitudes_by_age``, ``audience_by_age``)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
from numba import njit, prange

from diplosim.engine.state import SimState
from diplosim.radix import radix_sort
from diplosim.store.contract import SIMULATED, schema
from diplosim.world.ages import AGE_GROUPS

__all__ = ["ATTITUDE_SCHEMA", "AUDIENCE_SCHEMA", "attitude_table", "attitudes_by_age",
           "audience_table"]

_STATS = ("mean", "sd", "min", "q10", "q25", "q50", "q75", "q90", "max", "skew", "kurtosis",
          "share_pos", "share_neg")
#: The tables' columns and types, from the table contract (its statistics are ``_STATS``).
ATTITUDE_SCHEMA = schema("attitudes", SIMULATED)

#: Distinct users who saw at least one post of an actor that day, per viewer country.
AUDIENCE_SCHEMA = schema("audience", SIMULATED)
_QUANTILES = (0.1, 0.25, 0.5, 0.75, 0.9)


@njit(cache=True)
def _reached_counts(bits, country, age, n_ages, n_actors, n_countries):
    """Users per (actor, country, age group) whose bit for the actor is set; then clears the
    bits."""
    out = np.zeros((n_actors, n_countries, n_ages), np.int64)
    for u in range(bits.shape[0]):
        for a in range(n_actors):
            if (bits[u, a >> 3] >> (a & 7)) & 1:
                out[a, country[u], age[u]] += 1
        bits[u, :] = 0
    return out


def audience_table(state: SimState, day: int) -> tuple[pa.Table, pa.Table]:
    """The day's distinct viewers per actor (or coordinated network) and country
    (``audience``) and per actor, country and age group (``audience_by_age``), from the
    reached bits; then clears them."""
    pop = state.pop
    named = state.scenario.named_ids()
    by_age = _reached_counts(state.reached, pop.country, pop.age, len(AGE_GROUPS),
                             len(named), len(pop.countries))
    counts = by_age.sum(axis=2)
    rows: dict[str, list] = {"day": [], "actor": [], "country": [], "unique_viewers": []}
    ages: dict[str, list] = {"day": [], "actor": [], "country": [], "age": [],
                             "unique_viewers": []}
    for a, actor in enumerate(named):
        for c in np.flatnonzero(counts[a]):
            rows["day"].append(day)
            rows["actor"].append(actor)
            rows["country"].append(pop.countries[c])
            rows["unique_viewers"].append(int(counts[a, c]))
            for g in np.flatnonzero(by_age[a, c]):
                ages["day"].append(day)
                ages["actor"].append(actor)
                ages["country"].append(pop.countries[c])
                ages["age"].append(AGE_GROUPS[g])
                ages["unique_viewers"].append(int(by_age[a, c, g]))
    return (pa.table(rows, schema=AUDIENCE_SCHEMA),
            pa.table(ages, schema=schema("audience_by_age", SIMULATED)))


@njit(cache=True)
def _lerp(a, b, t):
    # numpy's quantile interpolation, so the figures equal np.quantile's
    d = b - a
    return b - d * (1.0 - t) if t >= 0.5 else a + d * t


@njit(cache=True)
def _sorted_float32(x):
    """``np.sort(x).astype(np.float64)`` for finite float32 values, by a radix sort of the
    values' bits (``diplosim.radix``): about a fifth of the comparison sort's time on the
    million-user daily snapshot, where that sort took 5% of a run."""
    m = x.shape[0]
    bits = x.view(np.uint32)
    keys = np.empty(m, np.uint32)
    for i in range(m):  # order-preserving: negatives flipped, positives above them
        k = bits[i]
        keys[i] = ~k if k & np.uint32(0x80000000) else k | np.uint32(0x80000000)
    keys, _ = radix_sort(keys, False)
    back = np.empty(m, np.uint32)
    for i in range(m):
        k = keys[i]
        back[i] = k & np.uint32(0x7FFFFFFF) if k & np.uint32(0x80000000) else ~k
    vals = back.view(np.float32)
    out = np.empty(m, np.float64)
    for i in range(m):
        out[i] = vals[i]
    return out


@njit(parallel=True, cache=True)
def _column_stats(matrix, bounds, pos, neg, out):
    """``out[c, j]``: the 13 statistics of column ``j`` over country block ``c``."""
    n_c, n_j = bounds.shape[0] - 1, matrix.shape[1]
    for k in prange(n_c * n_j):
        c, j = k // n_j, k % n_j
        lo, hi = bounds[c], bounds[c + 1]
        m = hi - lo
        if m == 0:
            out[c, j, :] = np.nan
            continue
        v = _sorted_float32(np.ascontiguousarray(matrix[lo:hi, j]))
        mean = v.sum() / m
        s2 = s3 = s4 = 0.0
        n_pos = n_neg = 0
        for x in v:
            d = x - mean
            s2 += d * d
            n_pos += x > pos
            n_neg += x < neg
        sd = np.sqrt(s2 / m)
        if sd > 0:
            for x in v:
                z = (x - mean) / sd
                s3 += z * z * z
                s4 += z * z * z * z
        out[c, j, 0], out[c, j, 1], out[c, j, 2], out[c, j, 8] = mean, sd, v[0], v[m - 1]
        for qi in range(5):
            q = (0.1, 0.25, 0.5, 0.75, 0.9)[qi]
            x = (m - 1) * q
            i = int(np.floor(x))
            out[c, j, 3 + qi] = _lerp(v[i], v[min(i + 1, m - 1)], x - i)
        out[c, j, 9], out[c, j, 10] = s3 / m, s4 / m
        out[c, j, 11], out[c, j, 12] = n_pos / m, n_neg / m


@njit(cache=True)
def _group_sums(country, age, n_ages, size, column, pos, neg):
    """Per (country, age group): users, and the sums of ``column`` (as float64), of it above
    ``pos`` and of it below ``neg``, added in user order: ``np.bincount``'s figures, without
    its per-user temporaries (40 bytes a user at the day's end, the run's peak)."""
    n = np.zeros(size, np.int64)
    out = np.zeros((3, size), np.float64)
    for u in range(country.shape[0]):
        g = np.int64(country[u]) * n_ages + age[u]
        x = np.float64(column[u])
        n[g] += 1
        out[0, g] += x
        out[1, g] += 1.0 if x > pos else 0.0
        out[2, g] += 1.0 if x < neg else 0.0
    return n, out


def attitudes_by_age(state: SimState, day: int) -> pa.Table:
    """Per country and age group: users, mean and the shares beyond the opinion thresholds of
    each favourability, stance and belief (the thresholds of ``attitude_table``)."""
    pop = state.pop
    floor = state.params["attitude_opinion_floor"]
    n_ages = len(AGE_GROUPS)
    size = len(pop.countries) * n_ages
    cols: dict[str, list] = {name: [] for name in schema("attitudes_by_age", SIMULATED).names}
    for kind, subjects, matrix, pos, neg in (
            ("favourability", pop.focal, pop.attitudes, floor, -floor),
            ("stance", pop.issues, pop.stances, 1 / 3, -1 / 3),
            ("belief", pop.claims, pop.beliefs, 0.5, -1.0)):
        for j, subject in enumerate(subjects):
            n, stats = _group_sums(pop.country, pop.age, n_ages, size, matrix[:, j],
                                   float(pos), float(neg))
            for g in range(size):
                cols["day"].append(day)
                cols["country"].append(pop.countries[g // n_ages])
                cols["age"].append(AGE_GROUPS[g % n_ages])
                cols["kind"].append(kind)
                cols["subject"].append(subject)
                cols["n"].append(int(n[g]))
                for name, total in zip(("mean", "share_pos", "share_neg"), stats, strict=True):
                    cols[name].append(float(total[g] / n[g]) if n[g] else None)
    return pa.table(cols, schema=schema("attitudes_by_age", SIMULATED))


def attitude_table(state: SimState, day: int) -> pa.Table:
    """Favourability, stance and belief distributions per world country on ``day``: mean, sd,
    extremes, quantiles, skew, kurtosis and the shares beyond the opinion thresholds."""
    pop = state.pop
    floor = state.params["attitude_opinion_floor"]
    bounds = np.searchsorted(pop.country, np.arange(len(pop.countries) + 1)).astype(np.int64)
    counts = np.diff(bounds)
    columns = [("favourability", pop.focal, pop.attitudes, floor, -floor),
               ("stance", pop.issues, pop.stances, 1 / 3, -1 / 3),
               ("belief", pop.claims, pop.beliefs, 0.5, -1.0)]
    stats = {}
    for kind, subjects, matrix, pos, neg in columns:
        out = np.empty((len(pop.countries), len(subjects), len(_STATS)))
        if subjects:
            _column_stats(matrix, bounds, pos, neg, out)
        stats[kind] = out
    cols: dict[str, list] = {name: [] for name in ATTITUDE_SCHEMA.names}
    for ci, country in enumerate(pop.countries):
        for kind, subjects, *_ in columns:
            for j, subject in enumerate(subjects):
                cols["day"].append(day)
                cols["country"].append(country)
                cols["kind"].append(kind)
                cols["subject"].append(subject)
                cols["n"].append(int(counts[ci]))
                for s, name in enumerate(_STATS):  # no users there: null, not NaN
                    value = float(stats[kind][ci, j, s])
                    cols[name].append(None if counts[ci] == 0 else value)
    return pa.table(cols, schema=ATTITUDE_SCHEMA)
