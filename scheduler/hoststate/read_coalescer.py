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

A caller that must not wait (a signal handler) uses ``request()``: it
asks for a read that starts after the call and returns at once; a thread
of its own running ``serve()`` runs it. Requests made while a read runs
share the next one, as waiting callers do, so a burst of requests costs
the running read and one more. Only SIGHUP reloads use it
(``scheduler.rpc.workers``).
"""

from collections.abc import Callable, Iterator
import contextlib
import logging
import threading
import time

LOG = logging.getLogger(__name__)


class ReadCoalescer:
    def __init__(self, read: Callable[[], None]) -> None:
        self._read = read
        self._cond = threading.Condition()
        self._started = 0
        self._finished = 0
        self._running = False
        # The read request() callers need (a number, as ``needed``).
        self._wanted = 0
        self._closed = False

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

    def wait_fresh(self, timeout: float | None) -> bool:
        """Return once a read that started after this call has finished.

        False when ``timeout`` seconds passed first (the caller goes on
        with what it has); None waits as long as the reads take. The read
        itself never raises into a waiter; the caller that runs it sees
        its exception.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            turn = self._turn(self._started + 1, deadline)
        if turn is not None:
            return turn
        self._run()
        return True

    def _turn(self, needed: int, deadline: float | None) -> bool | None:
        """Wait (lock held) until read ``needed`` has finished: True.

        None when it is the caller's turn to run it (marked running),
        False when ``deadline`` passed first.
        """
        while self._finished < needed:
            if not self._running:
                # Reads run one after another, so this one is number
                # ``needed`` or later.
                self._started += 1
                self._running = True
                return None
            if deadline is None:
                self._cond.wait()
                continue
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            self._cond.wait(remaining)
        return True

    def _run(self) -> None:
        try:
            self._read()
        finally:
            with self._cond:
                self._running = False
                self._finished += 1
                self._cond.notify_all()

    # -- callers that do not wait --------------------------------------

    def request(self) -> bool:
        """Ask for a read that starts after this call; never waits.

        The thread in ``serve()`` runs it. True when the request joins
        reads already under way: a read is running (this request is
        served by the next one) or another request is waiting for one.
        """
        with self._cond:
            busy = self._running or self._wanted > self._finished
            self._wanted = self._started + 1
            self._cond.notify_all()
            return busy

    def serve(self) -> None:
        """Run the requested reads, one at a time, until ``close()``.

        For a thread of its own. A read that raises is logged; the next
        request is served all the same.
        """
        while True:
            with self._cond:
                # A read running now may be the one wanted (it started
                # after the request): wait for it before deciding.
                while not self._closed and (
                        self._running or self._wanted <= self._finished):
                    self._cond.wait()
                if self._closed:
                    return
                self._started += 1
                self._running = True
            try:
                self._read()
            except Exception:
                # Logged before the read counts as finished.
                LOG.exception('A requested read failed')
            finally:
                with self._cond:
                    self._running = False
                    self._finished += 1
                    self._cond.notify_all()

    def close(self) -> None:
        """Make ``serve()`` return: requests from now on are ignored.

        A read already running finishes.
        """
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def wait_served(self, timeout: float) -> bool:
        """Wait until every ``request()`` made so far has been served.

        False when ``timeout`` seconds passed first, or ``close()`` left
        a request unserved.
        """
        deadline = time.monotonic() + timeout
        with self._cond:
            needed = self._wanted
            while self._finished < needed:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or (self._closed and not self._running):
                    return False
                self._cond.wait(remaining)
            return True
