"""The arithmetic of ``docs/scale.md`` (one run of 100 million users sharded on Ray), computed
from the largest run in ``benchmarks/results.json`` when the docs are built, so the page's
figures are the bench's and never typed.

The sharding design's own constants are assumptions, named here: 50 shards, the hour's exchange
and barrier times (what the exchanged volume would take on a 10 Gb/s network plus Ray's task
overhead, and a ±10% load imbalance between shards)."""

from __future__ import annotations

import json
from pathlib import Path

RESULTS = Path(__file__).with_name("results.json")
USERS = 100_000_000
SHARDS = 50        # assumption: 50 workers of 2 cores, about 2 M users each
EXCHANGE_S = 0.15  # assumption: the hour's all-gathers and reduces (see the list above it)
BARRIER_S = 0.10   # assumption: waiting for the slowest shard at the hour's end (±10% load)
RECORD_BYTES = 32  # the kernel's packed video record (platform/videos.py)


def _runs(results: dict) -> list[dict]:
    """The week-long engine runs by users: ``engine_scale``'s, and the 10,000,000-user run of
    ``engine_large`` (``BENCH_LARGE=1``) when there is one, which the estimate then scales
    from (of two runs of one size, the ``engine_large`` one)."""
    by_users = {}
    for entry in ("engine_scale", "engine_large"):
        for r in results.get(entry, {}).get("runs", []):
            if r.get("days", 0) >= 7:
                by_users[r["users"]] = {**r, "entry": entry}
    return [by_users[n] for n in sorted(by_users)]


def markdown(results: dict | None = None) -> str:
    results = results if results is not None else json.loads(RESULTS.read_text("utf-8"))
    runs = _runs(results)
    if not runs:
        return "*`benchmarks/results.json` has no engine run yet: run `make bench`.*"
    big = runs[-1]
    measured = results.get(big["entry"], {}).get("measured", results.get("started", "?"))
    per_user_day = big["impressions"] / (big["users"] * big["days"])
    posts_per_user_day = big["posts"] / (big["users"] * big["days"])
    bytes_per_video = big["video_store_bytes"] / big["posts"]
    rate = big["impressions_per_s"]
    lines = [f"Measured by `make bench` ({measured}, {big['cpus']} cores), the largest run in "
             "`benchmarks/results.json`:", "",
             "| measured on one machine | figure |", "| --- | --- |"]
    for r in runs:
        lines.append(
            f"| example scenario, {r['users']:,} users × {r['days']} days | {r['seconds']:.1f} s, "
            f"{r['impressions_per_s'] / 1e6:.2f} M impressions/s; engine state "
            f"{r['state_bytes_per_user']:.0f} bytes per user, video store "
            f"{r['video_store_bytes'] / 1e6:.1f} MB for {r['posts']:,} videos |")
    lines += [
        f"| impressions per user per day ({big['users']:,} users) | {per_user_day:.1f} |",
        f"| posts per user per day | {posts_per_user_day:.3f} |",
        f"| video store per video | {bytes_per_video:.0f} bytes |", ""]
    if len(runs) > 1:
        small = runs[-2]
        cost = (big["seconds"] / big["impressions"]) / (small["seconds"] / small["impressions"])
        lines += [f"From {small['users']:,} to {big['users']:,} users the cost per impression "
                  f"changed ×{cost:.2f}.", ""]
    state_gb = big["state_bytes_per_user"] * USERS / 1e9
    store_gb = bytes_per_video * posts_per_user_day * USERS * 7 / 1e9
    per_hour = per_user_day * USERS / 24
    one_machine_h = per_hour * 24 * 7 / rate / 3600
    compute = per_hour / (SHARDS * rate)
    total = compute + EXCHANGE_S + BARRIER_S
    speedup = (per_hour / rate) / total
    new_videos_mb = posts_per_user_day * USERS / 24 * RECORD_BYTES / 1e6
    lines += [
        "**At 100,000,000 users**, scaled from that run:", "",
        f"- state: {USERS:,} × {big['state_bytes_per_user']:.0f} B = **{state_gb:.0f} GB**, "
        f"plus a video store of **{store_gb:.0f} GB** per simulated week;",
        f"- {per_hour / 1e6:.0f} M impressions per simulated hour; one machine at "
        f"{rate / 1e6:.2f} M/s would need **{one_machine_h:.1f} hours per simulated week**;",
        f"- new videos sent to every shard each hour: {posts_per_user_day * USERS / 24:,.0f} × "
        f"{RECORD_BYTES} B = **{new_videos_mb:.0f} MB**;",
        f"- on {SHARDS} shards: compute {compute:.2f} s per simulated hour, plus the exchange "
        f"({EXCHANGE_S} s, assumption) and the barrier ({BARRIER_S} s, assumption) = "
        f"**{total:.2f} s per simulated hour**, {total * 24 * 7 / 60:.1f} min per simulated "
        f"week: **×{speedup:.0f}** one machine's speed (if it had the memory), "
        f"{speedup / SHARDS:.0%} of the ideal ×{SHARDS}.", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown())
