"""Giving freed heap back between simulated hours: only when there is enough to matter."""

from __future__ import annotations

import pytest

import diplosim.engine.memory as memory


class _CountingLibc:
    """glibc as it is, counting the trims asked of it."""

    def __init__(self, libc):
        self.libc, self.trims = libc, 0

    def mallinfo2(self):
        return self.libc.mallinfo2()

    def malloc_trim(self, pad):
        self.trims += 1
        return self.libc.malloc_trim(pad)


@pytest.fixture
def libc(monkeypatch):
    real = memory._libc()
    if not real or not hasattr(real, "mallinfo2"):
        pytest.skip("needs glibc 2.33 or later")
    memory.prepare_run_memory()
    counting = _CountingLibc(real)
    monkeypatch.setattr(memory, "_LIBC", counting)
    return counting


def test_free_heap_is_measured_and_trimmed_only_above_the_threshold(libc, monkeypatch):
    before = memory.free_heap_bytes()
    # 400 blocks of 64 KiB (below the 1 MiB mmap threshold: from the heap); every other one
    # freed leaves holes that cannot merge, so at least 200 x 64 KiB = 12.5 MiB is free
    blocks = [bytearray(64 << 10) for _ in range(400)]
    del blocks[::2]
    free = memory.free_heap_bytes()
    assert free - before >= 200 * (64 << 10) * 0.9
    assert free >= memory.TRIM_FREE_BYTES  # 12.5 MiB free: worth returning

    memory.release_freed_memory()
    assert libc.trims == 1

    monkeypatch.setattr(memory, "TRIM_FREE_BYTES", memory.free_heap_bytes() + (64 << 20))
    memory.release_freed_memory()  # less free than the threshold: no trim
    assert libc.trims == 1
    del blocks

