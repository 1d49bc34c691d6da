"""Memory of a run: giving freed memory back to the operating system between phases.

NumPy temporaries of a few megabytes are served from the C heap once glibc's adaptive mmap
threshold has grown, and freed heap pages stay in the process; ``malloc_trim`` returns them.
"""

from __future__ import annotations

import ctypes
import ctypes.util

__all__ = ["release_freed_memory"]

_LIBC = None


def release_freed_memory() -> None:
    """Return free heap pages to the OS (glibc only; elsewhere nothing happens)."""
    global _LIBC
    if _LIBC is None:
        name = ctypes.util.find_library("c")
        try:
            libc = ctypes.CDLL(name) if name else False
            _LIBC = libc if libc and hasattr(libc, "malloc_trim") else False
        except OSError:
            _LIBC = False
    if _LIBC:
        _LIBC.malloc_trim(0)
