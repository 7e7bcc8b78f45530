"""One database read shared by every request waiting for it.

Each request needs a read that *started after it arrived*: only then does
the read see everything committed before the request. Reading once per
request would repeat the same queries under load, so requests share:
one read runs at a time; the requests that arrive while it runs wait and
share the next one, which the first of them to wake starts. Reads are
numbered as they start (``_started``) and as they end (``_finished``); a
request arriving when ``_started`` is n needs read n + 1 to finish.

A full reload reads everything, so it is a read too: run inside
``counted()``, it takes its turn like a read, and the requests that
arrived before it started are fresh once it ends. Under a SIGHUP storm
requests are then served by the reloads themselves instead of waiting for
a moment between two of them.
"""

from collections.abc import Callable, Iterator
import contextlib
import threading
import time


class ReadCoalescer:
    def __init__(self, read: Callable[[], None]) -> None:
        self._read = read
        self._cond = threading.Condition()
        self._started = 0
        self._finished = 0
        self._running = False

    @property
    def reads(self) -> int:
        """How many reads have finished."""
        with self._cond:
            return self._finished

    @contextlib.contextmanager
    def counted(self) -> Iterator[None]:
        """Run another reader of everything (a reload) as a read."""
        with self._cond:
            while self._running:
                self._cond.wait()
            self._started += 1
            self._running = True
        try:
            yield
        finally:
            with self._cond:
                self._running = False
                self._finished += 1
                self._cond.notify_all()

    def wait_fresh(self, timeout: float) -> bool:
        """Return once a read that started after this call has finished.

        False when ``timeout`` seconds passed first (the caller goes on
        with what it has). The read itself never raises into a waiter;
        the caller that runs it sees its exception.
        """
        deadline = time.monotonic() + timeout
        with self._cond:
            needed = self._started + 1
            while self._finished < needed:
                if not self._running:
                    # Reads run one after another, so this one is number
                    # ``needed``.
                    self._started += 1
                    self._running = True
                    break
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(remaining)
            else:
                return True
        try:
            self._read()
        finally:
            with self._cond:
                self._running = False
                self._finished += 1
                self._cond.notify_all()
        return True
