"""Benchmark: the machine's own limit for the engine's work, the least one impression must do,
compiled, over arrays of a real run's size (``make bench`` times it beside the engine:
``engine_limit`` in ``benchmarks/run.py``).

What ``diplosim.engine.kernel.run_sessions`` touches, counted from its code, and what is kept:

* per session (one active user's feed page), the user's rows: country, two languages, follow
  offset (2 + 2 + 2 + 4 bytes), topic interests (32), attitudes (16), stance and belief (4 + 4),
  exposures (8), seen videos (32), inbox (16) and follows made (16): 138 bytes read, the seen row
  and an attitude written back. All are read here once per session, as the kernel does.
* per impression: one candidate drawn from a candidate list (a random 4-byte read; the engine's
  weighted pick searches a cumulative list instead), the video's 32-byte record (one cache line,
  random), two counter-based random numbers (the pick and the completion; the engine draws five
  to eleven), the seen check, three output slots written (video 4, flags 1, source 4 bytes),
  and on completion one attitude updated.
* per impression after the sessions, serially (the engine's ``_collect``): the video's count row
  (32 bytes, random) incremented.

Active users are drawn per hour by a counter-based draw per user, in id order, as the engine's
``active_users`` gives them. Nothing else of the model is done: no source mix, language or
label rules, behaviour beyond completion, persuasion beyond one bounded step, no tables.

``python -m benchmarks.bench_limit --users N --videos V --impressions-per-hour I --hours H``
prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import time

import numba
import numpy as np
from numba import njit, prange

from diplosim.platform.rng import stream_key, uniform_at

PAGE = 12     # videos_per_session's default
SEEN = 8      # diplosim.engine.state.SEEN
TOPICS = 16   # topic interests per user
FOCAL = 4     # focal countries (attitudes, exposures) of the example scenario


@njit(cache=True)
def active(seed, hour, n, share):
    """Users active this hour, in id order: one counter-based draw each."""
    out = np.empty(n, np.int32)
    k = 0
    for u in range(n):
        if uniform_at(stream_key(seed, hour, 0), u) < share:
            out[k] = u
            k += 1
    return out[:k]


@njit(parallel=True, cache=True)
def sessions(seed, hour, users, page, country, lang1, lang2, follow_ptr, interests, attitudes,
             stances, beliefs, expo, seen, seen_pos, inbox, extra, candidates, records,
             out_video, out_flags, out_from):
    for i in prange(users.shape[0]):
        u = users[i]
        key = stream_key(seed, hour, u)
        # the user's rows, read once per session
        acc = np.int64(country[u]) + lang1[u] + lang2[u] + follow_ptr[u] + expo[u, 0]
        acc += inbox[u, 0] + extra[u, 0]
        best = 1e-9
        for t in range(interests.shape[1]):
            best = max(best, np.float64(interests[u, t]))
        base = i * page
        for slot in range(page):
            v = candidates[int(uniform_at(key, 2 * slot) * candidates.shape[0])]
            dup = False
            for k in range(seen.shape[1]):
                dup = dup or seen[u, k] == v
            rec = records[v]  # one cache line: the video's record
            out_video[base + slot] = v
            out_from[base + slot] = rec[0] + (acc & 0)
            flags = 1
            match = interests[u, rec[1] & 15] / best
            if not dup and uniform_at(key, 2 * slot + 1) < 0.3 + 0.5 * match:
                flags |= 2
                f = rec[2] & 3
                attitudes[u, f] = min(1.0, attitudes[u, f] + 0.001 * (1.0 - stances[u, 0]
                                                                      * beliefs[u, 0]))
                expo[u, f] += 1
            out_flags[base + slot] = flags
            seen[u, seen_pos[u] % seen.shape[1]] = v
            seen_pos[u] += 1


@njit(cache=True)
def count(out_video, out_flags, counts):
    """Each impression on its video's count row (serial: the engine's ``_collect``)."""
    for j in range(out_video.shape[0]):
        v = out_video[j]
        counts[v, 0] += 1
        counts[v, 1] += (out_flags[j] >> 1) & 1


def arrays(users: int, videos: int, seed: int = 1) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {
        "country": rng.integers(0, 50, users).astype(np.uint16),
        "lang1": rng.integers(0, 20, users).astype(np.uint16),
        "lang2": np.full(users, 65535, np.uint16),
        "follow_ptr": np.arange(users + 1, dtype=np.int32) * 10,
        "interests": rng.integers(1, 65535, (users, TOPICS)).astype(np.uint16),
        "attitudes": rng.random((users, FOCAL), dtype=np.float32),
        "stances": rng.random((users, 1), dtype=np.float32),
        "beliefs": rng.random((users, 1), dtype=np.float32),
        "expo": np.zeros((users, FOCAL), np.uint16),
        "seen": np.full((users, SEEN), -1, np.int32),
        "seen_pos": np.zeros(users, np.uint8),
        "inbox": np.full((users, 4), -1, np.int32),
        "extra": np.full((users, 4), -1, np.int32),
        "candidates": rng.permutation(videos).astype(np.int32),
        "records": rng.integers(0, 1 << 30, (videos, 8)).astype(np.int32),  # 32 bytes each
        "counts": np.zeros((videos, 8), np.int32),
    }


def run(users: int, videos: int, per_hour: int, hours: int, page: int = PAGE,
        seed: int = 7) -> dict:
    a = arrays(users, videos)
    share = min(1.0, per_hour / page / users)
    out_video = np.empty(users * page, np.int32)  # at most every user in one hour
    out_flags = np.empty(users * page, np.uint8)
    out_from = np.empty(users * page, np.int32)

    def hour(h: int) -> int:
        who = active(np.uint64(seed), h, users, share)
        k = who.size * page
        sessions(np.uint64(seed), h, who, page, a["country"], a["lang1"], a["lang2"],
                 a["follow_ptr"], a["interests"], a["attitudes"], a["stances"], a["beliefs"],
                 a["expo"], a["seen"], a["seen_pos"], a["inbox"], a["extra"], a["candidates"],
                 a["records"], out_video[:k], out_flags[:k], out_from[:k])
        count(out_video[:k], out_flags[:k], a["counts"])
        return k

    hour(-1)  # compiles (cached) and touches every array once, as a running engine has
    start = time.perf_counter()
    impressions = sum(hour(h) for h in range(hours))
    seconds = time.perf_counter() - start
    return {"users": users, "videos": videos, "hours": hours, "page": page,
            "impressions": impressions, "seconds": round(seconds, 3),
            "impressions_per_s": round(impressions / seconds),
            "threads": numba.get_num_threads()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, required=True)
    parser.add_argument("--videos", type=int, required=True)
    parser.add_argument("--impressions-per-hour", type=int, required=True)
    parser.add_argument("--hours", type=int, default=24)
    args = parser.parse_args()
    print(json.dumps(run(args.users, args.videos, args.impressions_per_hour, args.hours)))


if __name__ == "__main__":
    main()
