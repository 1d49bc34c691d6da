"""The software prefetch: compiles for 1-d, 2-d and record arrays, changes nothing, and (on
x86-64) emits the CPU's prefetch instruction."""

from __future__ import annotations

import platform

import numpy as np
from numba import njit

from diplosim.platform.videos import HOT
from diplosim.prefetch import prefetch


@njit(cache=False)
def _sum_with_prefetch(flat, rows, records):
    total = 0.0
    for i in range(flat.shape[0]):
        if i + 1 < flat.shape[0]:
            prefetch(flat, i + 1)
            prefetch(rows, i + 1)
            prefetch(records, i + 1)
        total += flat[i] + rows[i, 2] + records[i].appeal
    return total


def test_prefetch_changes_nothing_and_emits_the_instruction():
    flat = np.arange(50, dtype=np.int64)
    rows = np.arange(150, dtype=np.float32).reshape(50, 3)
    records = np.zeros(50, HOT)
    records["appeal"] = np.linspace(0, 1, 50)
    before = (flat.copy(), rows.copy(), records.copy())
    want = float(flat.sum() + rows[:, 2].astype(np.float64).sum()
                 + records["appeal"].astype(np.float64).sum())
    assert abs(_sum_with_prefetch(flat, rows, records) - want) < 1e-6
    for a, b in zip((flat, rows, records), before, strict=True):
        assert np.array_equal(a, b)
    if platform.machine() in ("x86_64", "AMD64"):
        asm = "\n".join(_sum_with_prefetch.inspect_asm().values())
        assert asm.count("prefetcht0") >= 3
