"""SIGHUP -> re-read the configuration, then reload the host cache.

The signal handler only writes one byte to a pipe (safe in a handler,
never blocks, and coalesces a burst of signals); a worker thread reads
it, calls ``conf.mutate_config_files()`` and then ``cache.refresh()``.
Requests in flight keep the snapshot they took; new ones see the new
state once the reload has swapped it in.
"""

import contextlib
import logging
import os
import signal
import threading
from types import FrameType
from typing import Any, Protocol

from oslo_config import cfg

LOG = logging.getLogger(__name__)


class Refreshable(Protocol):
    def refresh(self) -> None: ...


class SighupRefresher:
    """Runs ``cache.refresh()`` in its own thread on every trigger."""

    def __init__(self, cache: Refreshable, conf: cfg.ConfigOpts | None,
                 *, mutate_config: bool = True) -> None:
        self._cache = cache
        self._conf = conf
        self._mutate = mutate_config
        self._read_fd, self._write_fd = os.pipe()
        os.set_blocking(self._write_fd, False)
        self._stopping = False
        self._previous: Any = None
        self._installed = False
        self.refreshes = 0
        self.failures = 0
        self._thread = threading.Thread(
            target=self._run, name='sighup-refresh', daemon=True)
        self._thread.start()

    def trigger(self, *_args: object) -> None:
        """Ask for a reload; safe to call from a signal handler."""
        with contextlib.suppress(BlockingIOError, OSError):
            os.write(self._write_fd, b'\0')

    def install(self) -> 'SighupRefresher':
        """Handle SIGHUP with ``trigger`` (call from the main thread)."""
        self._previous = signal.signal(signal.SIGHUP, self._handler)
        self._installed = True
        return self

    def _handler(self, signum: int, frame: FrameType | None) -> None:
        self.trigger()

    def _run(self) -> None:
        while True:
            try:
                data = os.read(self._read_fd, 4096)
            except OSError:
                return
            if not data or self._stopping:
                return
            self._reload()

    def _reload(self) -> None:
        try:
            if self._mutate and self._conf is not None:
                self._conf.mutate_config_files()
            self._cache.refresh()
            self.refreshes += 1
        except Exception:
            # The cache logs its own failures; anything else is a bug.
            self.failures += 1
            LOG.exception('Reload on SIGHUP failed; the previous host '
                          'states stay in use')

    def stop(self, timeout: float | None = 30.0) -> None:
        if self._installed:
            signal.signal(signal.SIGHUP, self._previous
                          if self._previous is not None else signal.SIG_DFL)
            self._installed = False
        self._stopping = True
        self.trigger()
        self._thread.join(timeout)
        for fd in (self._write_fd, self._read_fd):
            with contextlib.suppress(OSError):
                os.close(fd)


def install_sighup_refresh(cache: Refreshable, conf: cfg.ConfigOpts | None
                           ) -> SighupRefresher:
    """Reload ``cache`` (after re-reading ``conf``) on every SIGHUP."""
    return SighupRefresher(cache, conf).install()
