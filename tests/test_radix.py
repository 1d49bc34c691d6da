"""The shared radix sort against NumPy's stable argsort, keys and order, on keys of every width
(one pass to six) and with many ties."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from diplosim.radix import radix_sort


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(0, 3000), st.integers(1, 64),
       st.sampled_from([np.uint32, np.uint64]), st.booleans())
def test_radix_sort_is_numpys_stable_sort(seed, m, bits, dtype, track):
    bits = min(bits, np.iinfo(dtype).bits)
    rng = np.random.default_rng(seed)
    keys = (rng.integers(0, 2**63, m, dtype=np.uint64) >> np.uint64(64 - bits)).astype(dtype)
    if m:
        keys[::3] = keys[0]  # ties
    got, order = radix_sort(keys, track)
    want = np.argsort(keys, kind="stable")
    np.testing.assert_array_equal(got, keys[want])
    assert got.dtype == keys.dtype
    if track:
        np.testing.assert_array_equal(order, want)
    else:
        assert order.size == 0
