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
