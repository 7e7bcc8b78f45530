"""Keeping the cyclic garbage collector off the host-state cache.

A full cache load leaves tens of thousands of long-lived objects (one
snapshot of every host). Python's full collections walk every tracked
object, and a request allocates enough (Placement's decoded answer alone
is one object per candidate field) to trigger them: at 1,000 hosts a
collection during a request cost more than the scheduling work itself
(benchmarks/README.md). After each full load, what is alive is moved to
the permanent generation (``gc.freeze``), which collections skip.
Refcounting still frees a replaced snapshot; the previous freeze is
undone first so that any reference cycle in it can still be collected.

Freezing acts on the whole process, so it happens only in a process the
scheduler owns: the service's worker processes call ``own_process()``
(``scheduler.cmd.scheduler.default_build``). A process that embeds the
service (``create_service``) keeps its collector as it is: a freeze would
also pin the host application's objects, and an unfreeze would undo the
host application's own freeze. Importing ``scheduler.cmd`` does not opt
in: a test runner that imports a command's module would otherwise run a
full collection of its whole process (0.4-0.6 s in the functional tests'
workers) on every full load of every test.
"""

import gc
import threading

_lock = threading.Lock()
_owned = threading.Event()


def own_process() -> None:
    """This process runs the scheduler only: full loads may settle it."""
    _owned.set()


def settle_long_lived() -> None:
    # Checked under the lock: once a process gives up ownership (tests,
    # embedders) no settle that began before can still freeze.
    with _lock:
        if not _owned.is_set():
            return
        gc.unfreeze()
        gc.collect()
        gc.freeze()
