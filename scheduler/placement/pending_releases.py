"""Giving claims back, until Placement takes them.

A claim of a request that failed (or whose reply could not be delivered)
is released at once, within the Placement client's retry bounds. When
Placement does not take the release (down, 5xx, no answer), the release
is not forgotten: it is written to a journal, one small JSON file per
release in ``[hardened_scheduler] pending_releases_dir``, and retried every
``pending_release_retry_interval`` seconds until Placement takes it, also
by the next worker after a restart (every worker of the host retries the
same directory; a file lock keeps two from working on one entry at once,
and releases are conditional, so a repeated one does no harm).

Each pending release is logged once when it is journaled (ERROR) and once
when it is done (INFO), and counted in the
``hardened_scheduler_pending_releases`` gauge. A directory that cannot be
used keeps the releases in memory (still retried, lost on restart) and is
reported once at start-up.
"""

from collections.abc import Callable
import contextlib
import fcntl
import logging
import os
import threading
import time
from typing import Protocol
import uuid as uuid_mod

import orjson
from oslo_config import cfg

from scheduler import redaction
from scheduler.placement import client as placement_client
from scheduler.placement import errors as placement_errors
from scheduler.placement import results

LOG = logging.getLogger(__name__)
SUFFIX = '.json'
# Bounds each retry pass: a journal grown huge during a long outage is
# worked off over several passes, never in one burst.
MAX_PER_PASS = 500


class Releaser(Protocol):
    """What gives one claim back (Releases; doubles in tests)."""

    def release(self, undo: results.ClaimUndo, *,
                global_request_id: str | None = None,
                why: str = ...) -> bool: ...


class ReleaseClient(Protocol):
    """The Placement call Releases needs (PlacementClient.release)."""

    def release(self, undo: results.ClaimUndo,
                global_request_id: str | None = None) -> str: ...


class Releases:
    """Releases claims now, or journals them and retries until done."""

    def __init__(self, conf: cfg.ConfigOpts,
                 client: ReleaseClient, *,
                 gauge: Callable[[int], None] | None = None) -> None:
        self._client = client
        self._interval = float(
            conf.hardened_scheduler.pending_release_retry_interval)
        self._gauge = gauge
        self._lock = threading.Lock()
        # Entry name -> undo, when the directory cannot be used.
        self._memory: dict[str, results.ClaimUndo] = {}
        self._dir_option: str | None = (
            conf.hardened_scheduler.pending_releases_dir)
        # Resolved on first use (start() or a first failed release): a
        # manager built in a test or an embedding touches no directory.
        self._resolved = False
        self._dir_path: str | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def _dir(self) -> str | None:
        with self._lock:
            if not self._resolved:
                self._dir_path = self._usable_dir(self._dir_option)
                self._resolved = True
            return self._dir_path

    @staticmethod
    def _usable_dir(path: str | None) -> str | None:
        if not path:
            LOG.warning('[hardened_scheduler] pending_releases_dir is not '
                        'set: releases Placement cannot take are kept in '
                        'memory only and are lost when the worker stops')
            return None
        try:
            os.makedirs(path, mode=0o700, exist_ok=True)
            probe = os.path.join(path, f'.probe-{os.getpid()}')
            with open(probe, 'w', encoding='utf-8'):
                pass
            os.unlink(probe)
        except OSError as exc:
            LOG.error('[hardened_scheduler] pending_releases_dir %(path)s '
                      'cannot be used (%(error)s): releases Placement '
                      'cannot take are kept in memory only and are lost '
                      'when the worker stops',
                      {'path': path, 'error': exc.strerror or exc})
            return None
        return path

    # -- releasing -------------------------------------------------------

    def release(self, undo: results.ClaimUndo, *,
                global_request_id: str | None = None,
                why: str = 'a failed request') -> bool:
        """Give the claim back now, or journal it; True if done now."""
        try:
            outcome = self._client.release(undo, global_request_id)
        except placement_errors.PlacementError as exc:
            name = self._journal(undo)
            LOG.error('Could not release the claim of consumer '
                      '%(consumer)s after %(why)s: %(error)s; the release '
                      'is pending (%(entry)s) and will be retried every '
                      '%(every).0f s', {
                          'consumer': redaction.instance(undo.consumer),
                          'why': why, 'error': _error_text(exc),
                          'entry': name, 'every': self._interval})
            self._report()
            return False
        _log_outcome(undo, outcome, why)
        return True

    def _journal(self, undo: results.ClaimUndo) -> str:
        # No consumer id in the name: the name is logged, the id redacted.
        name = f'{uuid_mod.uuid4().hex}{SUFFIX}'
        directory = self._dir
        if directory is not None:
            try:
                _write_atomically(os.path.join(directory, name),
                                  orjson.dumps(undo.to_dict()))
                return name
            except OSError as exc:
                LOG.error('Could not journal a pending release in '
                          '%(path)s (%(error)s); keeping it in memory',
                          {'path': directory,
                           'error': exc.strerror or exc})
        with self._lock:
            self._memory[name] = undo
        return name

    # -- retrying --------------------------------------------------------

    def pending(self) -> int:
        with self._lock:
            count = len(self._memory)
        return count + len(self._entries())

    def _entries(self) -> list[str]:
        directory = self._dir
        if directory is None:
            return []
        try:
            return sorted(n for n in os.listdir(directory)
                          if n.endswith(SUFFIX))
        except OSError:
            return []

    def retry_pending(self) -> int:
        """One pass over the pending releases; how many are left."""
        with self._lock:
            in_memory = list(self._memory.items())[:MAX_PER_PASS]
        for name, undo in in_memory:
            if self._retry(undo):
                with self._lock:
                    self._memory.pop(name, None)
        directory = self._dir
        for name in self._entries()[:MAX_PER_PASS]:
            if self._stop.is_set() or directory is None:
                break
            self._retry_entry(os.path.join(directory, name))
        left = self.pending()
        self._report(left)
        return left

    def _retry_entry(self, path: str) -> None:
        try:
            handle = open(path, 'rb')
        except OSError:
            return  # another worker finished it
        with handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                return  # another worker is on it
            if not os.path.exists(path):
                return  # finished by another worker before we locked
            try:
                undo = results.ClaimUndo.from_dict(orjson.loads(
                    handle.read()))
            except ValueError as exc:
                # Not ours to guess at: set aside for the operator.
                LOG.error('Pending release %(path)s is unreadable '
                          '(%(error)s); moved aside as %(path)s.bad',
                          {'path': path, 'error': exc})
                with contextlib.suppress(OSError):
                    os.replace(path, path + '.bad')
                return
            if self._retry(undo):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(path)

    def _retry(self, undo: results.ClaimUndo) -> bool:
        try:
            outcome = self._client.release(undo)
        except placement_errors.PlacementError as exc:
            LOG.debug('Pending release of consumer %(consumer)s: still '
                      'failing (%(error)s)',
                      {'consumer': redaction.instance(undo.consumer),
                       'error': _error_text(exc)})
            return False
        _log_outcome(undo, outcome, 'a retry')
        return True

    def _report(self, count: int | None = None) -> None:
        if self._gauge is not None:
            self._gauge(self.pending() if count is None else count)

    # -- the retry thread ----------------------------------------------

    def start(self) -> None:
        """Retry what is pending, now and every interval, in a thread."""
        if self._thread is not None:
            return
        LOG.debug('Pending releases journal: %s', self._dir or 'memory')
        self._stop.clear()
        self._thread = threading.Thread(
            target=self._run, name='pending-releases', daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            # Daemon thread: a release stuck on Placement does not hold
            # the stop for longer than this.
            thread.join(timeout=5.0)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                if self.retry_pending():
                    LOG.info('%d claim release(s) still pending',
                             self.pending())
            except Exception:
                # A bug here must not end the retries for good.
                LOG.exception('Retrying pending releases failed')
            self._stop.wait(self._interval)


def _log_outcome(undo: results.ClaimUndo, outcome: str, why: str) -> None:
    consumer = redaction.instance(undo.consumer)
    if outcome == placement_client.RELEASE_CHANGED:
        LOG.warning('Did not release consumer %(consumer)s after %(why)s: '
                    'its allocations changed since the claim (another '
                    'operation holds them now)',
                    {'consumer': consumer, 'why': why})
    elif why == 'a retry':
        LOG.info('Released the pending claim of consumer %s', consumer)
    else:
        LOG.debug('Released the claim of consumer %(consumer)s after '
                  '%(why)s (%(outcome)s)',
                  {'consumer': consumer, 'why': why, 'outcome': outcome})


def _error_text(exc: placement_errors.PlacementError) -> str:
    """The failure without the consumer id (logged apart, redacted)."""
    status = getattr(exc, 'status', None)
    code = getattr(exc, 'code', None) or getattr(exc, 'cause', None)
    text = f'HTTP {status}' if status is not None else 'no answer'
    return f'{text} ({code})' if code else text


def _write_atomically(path: str, data: bytes) -> None:
    tmp = f'{path}.tmp-{os.getpid()}-{time.monotonic_ns()}'
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, 'wb') as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
