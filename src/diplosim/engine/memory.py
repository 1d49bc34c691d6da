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

The trim itself has a cost, paid every simulated hour: 0.33 ms a call at 10,000 users and as
much again in page faults when the returned pages are needed the next hour (together 0.04 s of
a 0.33 s run). ``release_freed_memory`` therefore trims only when the process has grown by
``TRIM_GROWTH_BYTES`` since its last trim (resident memory, ``/proc/self/statm``, read in
microseconds). glibc's own count of free heap bytes (``mallinfo2``) would not do: it keeps
counting pages already returned, so in a process whose heap is fragmented (after a Mesa run,
or many runs in one Ray worker) it stays above any small threshold and every hour trims again.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os

__all__ = ["MMAP_THRESHOLD", "TRIM_GROWTH_BYTES", "prepare_run_memory", "release_freed_memory",
           "resident_bytes"]

#: Blocks of at least this many bytes get their own mapping (glibc ``M_MMAP_THRESHOLD``; its
#: default starts at 128 KiB but grows to 32 MiB as blocks are freed, which is what keeps
#: tick temporaries in the heap). 1 MiB: measured, see the module's note.
MMAP_THRESHOLD = 1 << 20
_M_MMAP_THRESHOLD = -3
#: The heap is trimmed only when the process has grown by this many bytes since the last trim:
#: what is left untrimmed is at most that (2 bytes per user at 1,000,000 users). Measured at
#: 1M x 7 days, two runs each: 284.9 and 286.1 bytes per user, against 278.5 and 287.7 trimming
#: every hour (23 of 27 hours still trim at 1M, 36 of 51 at 100,000 users, 10 of 75 at
#: 10,000). At 10,000 users x 3 days a run went from 0.333 to 0.296 s (median of 8, in turn).
TRIM_GROWTH_BYTES = 2 << 20


_LIBC = None
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
_after_trim: int | None = None  # resident bytes after this run's last trim


def _libc():
    global _LIBC
    if _LIBC is None:
        name = ctypes.util.find_library("c")
        try:
            libc = ctypes.CDLL(name) if name else False
            _LIBC = libc if libc and hasattr(libc, "malloc_trim") else False
        except OSError:
            _LIBC = False
    return _LIBC


def prepare_run_memory() -> None:
    """Before a run, for the rest of the process: Arrow allocates from the C heap (its system
    pool), and large blocks are mapped on their own (glibc only). The run's first
    ``release_freed_memory`` trims whatever the process has grown by."""
    global _after_trim
    import pyarrow as pa

    if pa.default_memory_pool().backend_name != "system":
        pa.set_memory_pool(pa.system_memory_pool())
    libc = _libc()
    if libc and hasattr(libc, "mallopt"):
        libc.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)
    _after_trim = None


def resident_bytes() -> int | None:
    """The process's resident memory now (Linux ``/proc/self/statm``), or None elsewhere."""
    try:
        with open("/proc/self/statm", "rb") as f:
            return int(f.read().split()[1]) * _PAGE
    except (OSError, ValueError, IndexError):
        return None


def release_freed_memory() -> None:
    """Return free heap pages to the OS, unless the process has grown by less than
    ``TRIM_GROWTH_BYTES`` since the last trim (glibc only; elsewhere nothing happens)."""
    global _after_trim
    libc = _libc()
    if not libc:
        return
    now = resident_bytes()
    if now is not None and _after_trim is not None and now - _after_trim < TRIM_GROWTH_BYTES:
        return
    libc.malloc_trim(0)
    _after_trim = resident_bytes()
