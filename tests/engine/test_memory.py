"""Giving freed heap back between simulated hours: only when the process has grown enough for
it to matter."""

from __future__ import annotations

import pytest

import diplosim.engine.memory as memory


class _CountingLibc:
    """glibc as it is, counting the trims asked of it."""

    def __init__(self, libc):
        self.libc, self.trims = libc, 0

    def malloc_trim(self, pad):
        self.trims += 1
        return self.libc.malloc_trim(pad)


@pytest.fixture
def libc(monkeypatch):
    real = memory._libc()
    if not real or memory.resident_bytes() is None:
        pytest.skip("needs glibc and /proc")
    memory.prepare_run_memory()
    counting = _CountingLibc(real)
    monkeypatch.setattr(memory, "_LIBC", counting)
    return counting


def test_the_heap_is_trimmed_when_the_process_has_grown_and_only_then(libc):
    memory.release_freed_memory()  # a run's first call always trims
    assert libc.trims == 1
    memory.release_freed_memory()  # nothing grew since
    assert libc.trims == 1

    before = memory.resident_bytes()
    # 400 blocks of 64 KiB (below the 1 MiB mmap threshold: from the heap), written so they
    # are resident; every other one freed leaves holes that stay in the heap
    blocks = [bytearray(b"x" * (64 << 10)) for _ in range(400)]
    del blocks[::2]
    grown = memory.resident_bytes() - before
    assert grown >= 400 * (64 << 10) * 0.9 > memory.TRIM_GROWTH_BYTES

    memory.release_freed_memory()  # 25 MiB more than after the last trim
    assert libc.trims == 2
    # the trim gave back at least half of the 12.5 MiB freed
    assert memory.resident_bytes() - before <= grown - 200 * (64 << 10) * 0.5
    del blocks


def test_a_new_run_starts_with_a_trim(libc):
    memory.release_freed_memory()
    memory.release_freed_memory()
    assert libc.trims == 1
    memory.prepare_run_memory()
    memory.release_freed_memory()
    assert libc.trims == 2


def test_state_by_part_counts_every_array_once():
    """``make bench`` reports the state by part: the parts add up to the population's and the
    accounts' arrays plus the engine's own (each counted once), and the big ones are there."""
    from benchmarks.bench_engine import scenario

    from diplosim.engine.state import build_state

    state = build_state(scenario(5000, 1))
    own = [state.expo, state.lasting_attitudes, state.lasting_stances, state.lasting_beliefs,
           state.seen, state.seen_pos, state.extra_pos, state.ring_row, state.ring_vid,
           state.ring_tick,
           state.ring_pos, state.inbox_row, state.inbox_vid, state.inbox_from,
           state.inbox_tick, state.inbox_pos, state.vpn_draw, state.reached]
    parts = state.nbytes_by_part()
    assert sum(parts.values()) == (state.pop.nbytes + state.accounts.nbytes
                                   + sum(a.nbytes for a in own))
    assert min(parts.values()) > 0
    assert parts["follow graph"] == (state.accounts.follow_ptr.nbytes
                                     + state.accounts.follow_idx.nbytes)
    assert parts["topic interests"] == state.pop.interests.nbytes
