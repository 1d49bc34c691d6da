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
"""

from __future__ import annotations

import ctypes
import ctypes.util

__all__ = ["MMAP_THRESHOLD", "prepare_run_memory", "release_freed_memory"]

#: Blocks of at least this many bytes get their own mapping (glibc ``M_MMAP_THRESHOLD``; its
#: default starts at 128 KiB but grows to 32 MiB as blocks are freed, which is what keeps
#: tick temporaries in the heap). 1 MiB: measured, see the module's note.
MMAP_THRESHOLD = 1 << 20
_M_MMAP_THRESHOLD = -3

_LIBC = None


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
    pool), and large blocks are mapped on their own (glibc only)."""
    import pyarrow as pa

    if pa.default_memory_pool().backend_name != "system":
        pa.set_memory_pool(pa.system_memory_pool())
    libc = _libc()
    if libc and hasattr(libc, "mallopt"):
        libc.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)


def release_freed_memory() -> None:
    """Return free heap pages to the OS (glibc only; elsewhere nothing happens)."""
    libc = _libc()
    if libc:
        libc.malloc_trim(0)
