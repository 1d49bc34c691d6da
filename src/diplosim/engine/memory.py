"""Memory of a run: giving freed memory back to the operating system between phases.

NumPy temporaries of a few megabytes are served from the C heap once glibc's adaptive mmap
threshold has grown, and freed heap pages stay in the process; ``malloc_trim`` returns them.
Arrow's default pool (mimalloc in the PyPI wheels) keeps freed pages for reuse instead, which
added 74 bytes per user to the peak of a 1,000,000-user run (measured: 409 against 335 bytes
per user over the process before the run); a run allocates Arrow buffers from the C heap, so
the same trim returns them.

Within a tick the trim comes too late: temporaries freed mid-tick sat in the heap and added 40
to 50 bytes per user to the peak (glibc's ``mallinfo2``: free heap bytes at the peak). A run
therefore fixes glibc's mmap threshold at ``MMAP_THRESHOLD``: blocks that large are mapped on
their own and go back to the system the moment they are freed.

The trim itself has a cost, paid every simulated hour: 0.33 ms a call at 10,000 users (6% of
such a run) and as much again in page faults when the returned pages are needed next hour,
where the heap held 0.2 to 3.9 MiB to return. ``release_freed_memory``
therefore asks glibc first (``mallinfo2``, under a microsecond) and trims only when at least
``TRIM_FREE_BYTES`` are free.
"""

from __future__ import annotations

import ctypes
import ctypes.util

__all__ = ["MMAP_THRESHOLD", "TRIM_FREE_BYTES", "free_heap_bytes", "prepare_run_memory",
           "release_freed_memory"]

#: Blocks of at least this many bytes get their own mapping (glibc ``M_MMAP_THRESHOLD``; its
#: default starts at 128 KiB but grows to 32 MiB as blocks are freed, which is what keeps
#: tick temporaries in the heap). 1 MiB: measured, see the module's note.
MMAP_THRESHOLD = 1 << 20
_M_MMAP_THRESHOLD = -3
#: The heap is trimmed only when at least this many of its bytes are free: less cannot move a
#: run's peak by more than that (4 bytes per user at 1,000,000 users; measured, two runs each
#: at 1M x 7 days: 285.5 and 284.3 bytes per user, against 288.7 and 284.2 trimming every
#: hour). At 10,000 users x 3 days, where 1.5 MiB is free at the median hour, it took a run
#: from 0.355 to 0.306 s (median of 8; a trim's returned pages are faulted in again next hour).
TRIM_FREE_BYTES = 4 << 20


class _MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
        "fordblks", "keepcost")]

_LIBC = None


def _libc():
    global _LIBC
    if _LIBC is None:
        name = ctypes.util.find_library("c")
        try:
            libc = ctypes.CDLL(name) if name else False
            _LIBC = libc if libc and hasattr(libc, "malloc_trim") else False
            if _LIBC and hasattr(_LIBC, "mallinfo2"):  # glibc 2.33 and later
                _LIBC.mallinfo2.restype = _MallInfo2
        except OSError:
            _LIBC = False
    return _LIBC


def prepare_run_memory() -> None:
    """Before a run, for the rest of the process: Arrow allocates from the C heap (its system
    pool), and large blocks are mapped on their own (glibc only)."""
    import pyarrow as pa

    if pa.default_memory_pool().backend_name != "system":
        pa.set_memory_pool(pa.system_memory_pool())
    libc = _libc()
    if libc and hasattr(libc, "mallopt"):
        libc.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)


def free_heap_bytes() -> int | None:
    """Bytes free in glibc's heap (every arena), or None where glibc cannot tell."""
    libc = _libc()
    if not libc or not hasattr(libc, "mallinfo2"):
        return None
    return int(libc.mallinfo2().fordblks)


def release_freed_memory() -> None:
    """Return free heap pages to the OS when at least ``TRIM_FREE_BYTES`` are free (glibc
    only; elsewhere nothing happens; a glibc without ``mallinfo2`` trims every time)."""
    libc = _libc()
    if not libc:
        return
    free = free_heap_bytes()
    if free is None or free >= TRIM_FREE_BYTES:
        libc.malloc_trim(0)
