"""Up-front limits: a run whose memory would not fit this machine is refused before it starts,
with the estimate and the scenario fields that set it.

The estimate has three parts, each from a measurement rather than a guess:

* the run's state per user, measured by building the same scenario's state for a sample of
  ``SAMPLE_USERS`` users (population, follow graph, feed memory: it grows linearly with users);
* the video store: its starting capacity (``duration_days * users * VIDEO_SHARE`` videos, as
  the engine allocates it) times the bytes of one video's columns;
* working memory: ``WORKING_BYTES_PER_USER`` per user and ``BASE_BYTES`` for the process.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from diplosim.errors import DiplosimError
from diplosim.scenario.schema import Scenario

__all__ = ["Estimate", "available_memory", "check_memory", "check_world_memory",
           "estimate_memory", "estimate_world_memory", "gigabytes"]

#: Users in the sample whose state is built to measure bytes per user.
SAMPLE_USERS = 5_000
#: Videos allocated per user and simulated day when the store is created (engine/state.py).
VIDEO_SHARE = 0.12
#: Peak memory per user beyond the state and the video store: per-hour candidate lists, feed
#: buffers, Arrow batches waiting for the writer. Source: measured, `make bench` engine_scale,
#: 1M users x 7 days: peak RSS - RSS before - video store = 287 B/user, of which the state is
#: 212, leaves 75; 82 with daily checkpoints (bench `checkpoint`). Issue 49 (friends graph and
#: inboxes, int32 offsets, inbox senders as friend-row places, inbox rows only for users sent
#: something): 331.3 B/user of which the state is 252.6, leaves 79. Rounded up to 100.
WORKING_BYTES_PER_USER = 100
#: The process before the run: Python, NumPy, Numba's compiled kernels, Arrow, DuckDB.
#: Source: measured, `make bench` engine_scale rss_before_bytes = 292 MB (rounded up).
BASE_BYTES = 400_000_000


@dataclass(frozen=True)
class Estimate:
    users: int
    days: int
    state: int
    videos: int
    working: int

    @property
    def total(self) -> int:
        return self.state + self.videos + self.working


def gigabytes(n: float) -> str:
    """Bytes as the memory messages show them: ``12.3 GB``."""
    return f"{n / 1e9:,.1f} GB"


def estimate_memory(scenario: Scenario) -> Estimate:
    """The peak memory a run of ``scenario`` needs, in bytes, by part."""
    from diplosim.engine.state import build_state
    from diplosim.platform.videos import _COLUMNS, HOT

    n, days = scenario.world.users, scenario.duration_days
    world = scenario.world.model_copy(update={"users": min(n, SAMPLE_USERS)})
    sample = scenario.model_copy(update={"world": world})
    per_user = build_state(sample).nbytes_per_user
    per_video = HOT.itemsize + sum(np.dtype(t).itemsize for name, t in _COLUMNS.items()
                                   if name not in HOT.names)
    return Estimate(users=n, days=days, state=int(per_user * n),
                    videos=int((days * n * VIDEO_SHARE + 1024) * per_video),
                    working=int(WORKING_BYTES_PER_USER * n + BASE_BYTES))


def available_memory() -> int:
    """Memory this process can use: the system's available memory, or the container's limit
    if that is lower."""
    found = []
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                found.append(int(line.split()[1]) * 1024)
    except (OSError, ValueError, IndexError):
        pass
    for limit in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            text = Path(limit).read_text().strip()
        except OSError:
            continue
        if text.isdigit() and int(text) < 1 << 60:
            found.append(int(text))
    if not found:
        try:
            found.append(os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
        except (ValueError, OSError):
            return 1 << 62  # unknown: do not refuse
    return min(found)


def estimate_world_memory(scenario: Scenario, users: int) -> int:
    """The peak bytes of synthesising ``users`` users of ``scenario``'s world (``diplosim
    world``): the growth of the traced peak between samples of ``SAMPLE_USERS`` and twice as
    many users (NumPy reports its arrays to ``tracemalloc``), per user, times ``users``, plus
    ``BASE_BYTES``."""
    import tracemalloc

    from diplosim.world.population import synthesise

    # once untraced first: what the first synthesis imports or caches (SciPy's root finder for
    # the claims' beliefs, the country tables) would otherwise count in the first sample only
    synthesise(scenario, users=SAMPLE_USERS // 10)
    peaks = []
    for n in (SAMPLE_USERS, 2 * SAMPLE_USERS):
        tracemalloc.start()
        try:
            synthesise(scenario, users=n)
            peaks.append(tracemalloc.get_traced_memory()[1])
        finally:
            tracemalloc.stop()
    per_user = max((peaks[1] - peaks[0]) / SAMPLE_USERS, 1.0)
    return int(per_user * users + BASE_BYTES)


def check_world_memory(scenario: Scenario, users: int, source: str | Path = "scenario",
                       available: int | None = None) -> int:
    """Refuse (``DiplosimError``) a world of ``users`` users whose synthesis would not fit in
    the memory available; returns the estimate in bytes."""
    need = estimate_world_memory(scenario, users)
    have = available_memory() if available is None else available
    if need > have:
        per_user = (need - BASE_BYTES) / max(users, 1)
        fit = max(0, int((have - BASE_BYTES) / per_user))
        raise DiplosimError(
            f"{source}: world.users: {users:,} users need about {gigabytes(need)} of memory to "
            f"synthesise ({per_user:,.0f} bytes per user, measured on a sample, and "
            f"{gigabytes(BASE_BYTES)} for the process); this machine has {gigabytes(have)} "
            f"available. Lower --users (about {fit:,} fit), or run on a larger machine; "
            f"--force skips this check.")
    return need


def check_memory(scenario: Scenario, source: str | Path = "scenario",
                 available: int | None = None) -> Estimate:
    """Refuse (``DiplosimError``) a run whose estimated memory exceeds what is available."""
    est = estimate_memory(scenario)
    have = available_memory() if available is None else available
    if est.total > have:
        fixed = est.videos / max(est.users, 1) + est.state / max(est.users, 1) \
            + WORKING_BYTES_PER_USER
        fit = max(0, int((have - BASE_BYTES) / fixed))
        raise DiplosimError(
            f"{source}: world.users: {est.users:,} users for {est.days} days need about "
            f"{gigabytes(est.total)} of memory (state {gigabytes(est.state)}, videos "
            f"{gigabytes(est.videos)}, working {gigabytes(est.working)}); this machine has "
            f"{gigabytes(have)} available. Lower world.users (about {fit:,} fit for "
            f"{est.days} days) or duration_days, or run on a larger machine; --force skips "
            f"this check.")
    return est
