"""Giving the buffers of huge messages back to the OS (glibc only).

A hostile message is a few huge transient buffers (a 5 MiB string, a
million-item list) parsed and dropped by the RPC executor's threads.
Under glibc's default, dynamic mmap threshold every such buffer after the
first is carved from a per-thread heap arena and kept there once freed:
RSS climbed from 54 to 250-300 MB over 2,000 hostile messages on 64
threads while the live Python heap stayed flat (0.37 MB traced). With the
threshold pinned at 1 MiB it stays within 5 MB.

A process-wide setting: only the service's own worker processes pin it
(``scheduler.cmd.scheduler.default_build``), never a process that embeds
the service.
"""

import ctypes
import ctypes.util
import sys
import threading

# glibc's mallopt parameter and the value we pin it to: buffers this big
# or bigger are mmapped, and unmapped (given back) when freed.
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD_BYTES = 1 << 20
_pinned: bool | None = None
_pin_lock = threading.Lock()


def pin_mmap_threshold() -> bool:
    """Give huge buffers back to the OS when freed (glibc only).

    glibc serves an allocation of at least the mmap threshold with its
    own mapping, unmapped on free; but it raises the threshold (up to 32
    MiB) each time such a mapping is freed, so that every later buffer of
    that size comes from a heap arena, one per thread, which keeps the
    memory once it is freed. Setting the threshold turns that adjustment
    off. Idempotent; True when the threshold is pinned.
    """
    global _pinned
    with _pin_lock:
        if _pinned is None:
            _pinned = _mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES)
        return _pinned


def _mallopt(param: int, value: int) -> bool:
    if not sys.platform.startswith('linux'):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library('c') or 'libc.so.6')
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc (musl has no mallopt)
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    return bool(mallopt(param, value))
