"""The host cache's reads off the request path, and the thread that runs them.

- ``refresh``: the full reload, at start, every
  ``host_state_full_resync_interval`` seconds and on SIGHUP;
- ``resync``: the compute_nodes/services rows changed since the last read,
  every ``host_state_resync_interval`` seconds;
- ``reload_pending_hosts``: the instance lists of the hosts that casts
  queued (an unknown host, an out-of-sync list).

Each holds the cache's reload lock while it reads, so reads never overlap,
and swaps its result in under the cache's lock; casts received during a
read are replayed from the cache's journal onto what it read.
"""

from collections.abc import Iterable
import datetime
import logging
import threading
import time
from typing import TYPE_CHECKING

from scheduler.hoststate import cache_data as cache_state
from scheduler.hoststate import cast_journal as journal_mod
from scheduler.hoststate import cell_scatter
from scheduler.hoststate import full_read
from scheduler.hoststate import gc_settle
from scheduler.hoststate import loader as loader_mod
from scheduler.hoststate import settings as settings_mod
from scheduler import redaction
from scheduler.db import api_reader

if TYPE_CHECKING:
    from scheduler.hoststate import cache as host_cache

LOG = logging.getLogger(__name__)
# Incremental reads start this far before the newest timestamp seen:
# nova's timestamps come from its services' clocks and transactions
# commit after they stamp a row.
WATERMARK_OVERLAP = datetime.timedelta(seconds=30)
HOST_RELOAD_BATCH = 200


class HostCacheError(Exception):
    """A reload failed; the cache keeps serving its current snapshot."""


class BackgroundReads:
    def __init__(self, cache: 'host_cache.HostStateCache') -> None:
        self._cache = cache
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def wake(self) -> None:
        """Have the thread look at the pending hosts now."""
        self._wake.set()

    # -- reloads ---------------------------------------------------------

    def refresh(self) -> None:
        """HostStateCache.refresh: reload everything, swap it in."""
        cache = self._cache
        with cache._fresh.reload_turn(), cache._reload_lock:
            if cache._conf is not None:
                cache._settings = settings_mod.CacheSettings.from_conf(
                    cache._conf)
            settings = cache._settings
            with cache._lock:
                token = cache._journal.begin()
                before = cache._state
            try:
                api = cache._loader.read_api()
            except loader_mod.ApiDatabaseError as exc:
                with cache._lock:
                    cache._journal.end(token)
                LOG.error('Host state refresh failed, keeping the current '
                          'host states: %s', exc)
                cache._observe('full', False)
                raise HostCacheError(str(exc)) from None
            cells = {c.uuid: c for c in
                     api_reader.schedulable_cells(list(api.cells))}
            outcome = cache._loader.read_cells(
                cells.values(), settings.load_instance_images)
            with cache._lock:
                ops = cache._journal.end(token)
                state = full_read.from_full_read(
                    before, api, cells, outcome, ops,
                    cache_state.Inputs(settings.ratios))
                cache._swap(state, outcome.failures)
            cache._fresh.after_full_read(api, outcome)
            cache._loader.retain_cells(cells)
            cache._loaded = True
        gc_settle.settle_long_lived()
        cache._observe('full', not outcome.failures)
        snap = state.snapshot
        LOG.info('Host states loaded: %d cells (%d unavailable), %d hosts, '
                 '%d left out, %d aggregates', len(cells),
                 len(snap.unavailable_cells), len(snap.hosts),
                 len(snap.incomplete_nodes), len(snap.aggregates))

    def resync(self) -> None:
        """Read the compute rows changed since the last read, per cell."""
        cache = self._cache
        with cache._reload_lock:
            before = cache._state
            since = {
                cell: (rows.watermark - WATERMARK_OVERLAP
                       if rows.watermark is not None else None)
                for cell, rows in before.rows.items()}
            outcome = cache._loader.read_changes(before.cells.values(),
                                                 since)
            with cache._lock:
                state = cache._state
                for cell, changes in outcome.results.items():
                    if since.get(cell) is None:
                        state = cache_state.with_cell_rows(
                            state, cell, changes)
                    else:
                        state = cache_state.with_cell_changes(
                            state, cell, changes)
                state = cache_state.with_unavailable(state, (
                    state.unavailable - set(outcome.results))
                    | set(outcome.failures))
                cache._swap(state, outcome.failures)
                cache._observe('incremental', not outcome.failures)
                for host in state.hosts_known() - set(state.instances):
                    cache._schedule(host)
                if not cache._settings.track_instance_changes:
                    # No casts will come: re-read every host's instances.
                    for host in state.hosts_known() | set(state.instances):
                        cache._schedule(host)

    def reload_pending_hosts(self) -> int:
        """Re-read the instance lists of hosts queued by casts.

        Returns how many hosts were handled (at most HOST_RELOAD_BATCH).
        """
        cache = self._cache
        with cache._reload_lock:
            with cache._lock:
                hosts = list(cache._pending)[:HOST_RELOAD_BATCH]
                for host in hosts:
                    del cache._pending[host]
                if not hosts:
                    return 0
                token = cache._journal.begin()
                before = cache._state
            try:
                by_cell, untracked = self._cells_of(before, hosts)
                outcome = cache._loader.read_hosts(
                    [before.cells[c] for c in by_cell], by_cell,
                    cache._settings.load_instance_images, before.images)
            except loader_mod.ApiDatabaseError as exc:
                by_cell, untracked = {}, []
                outcome = cell_scatter.Outcome({}, {})
                LOG.warning('Could not look up the cells of %d hosts: %s',
                            len(hosts), exc)
            with cache._lock:
                ops = cache._journal.end(token)
                lists: dict[str, dict[str, str | None]] = {
                    host: {} for host in untracked}
                images: dict[str, dict[str, str]] = {}
                for found, found_images in outcome.results.values():
                    lists.update(found)
                    images.update({u: dict(p)
                                   for u, p in found_images.items()})
                covered = frozenset(lists)
                for op in ops:
                    journal_mod.apply_to_instances(lists, op, covered)
                cache._swap(cache_state.with_instances(
                    cache._state, lists, images))
            for cell, failure in outcome.failures.items():
                LOG.warning('Could not re-read the instance lists of %d '
                            'hosts in cell %s: %s; the next full reload '
                            'will', len(by_cell.get(cell, ())), cell,
                            failure.reason)
            return len(hosts)

    def _cells_of(self, state: cache_state.CacheState, hosts: Iterable[str]
                  ) -> tuple[dict[str, list[str]], list[str]]:
        by_cell: dict[str, list[str]] = {}
        untracked: list[str] = []
        ids = {cell.id: uuid for uuid, cell in state.cells.items()}
        known = state.host_cell_index()
        for host in hosts:
            cell = known.get(host)
            if cell is None:
                mapped = self._cache._loader.mapped_cell(host)
                cell = ids.get(mapped) if mapped is not None else None
            if cell is None or cell not in state.cells:
                LOG.info('Host mapping not found for host %s (or its cell '
                         'is not schedulable). Not tracking instance info '
                         'for this host.', redaction.host(host))
                untracked.append(host)
            else:
                by_cell.setdefault(cell, []).append(host)
        return by_cell, untracked

    # -- the thread ------------------------------------------------------

    def start(self, initial_refresh: bool) -> None:
        """HostStateCache.start: load, then start the thread."""
        cache = self._cache
        if self._thread is not None:
            return
        if initial_refresh and not cache._loaded:
            try:
                cache.refresh()
            except HostCacheError:
                pass  # logged; the background thread retries
        self._stopping.clear()
        self._thread = threading.Thread(
            target=self._run, name='host-state-cache', daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the thread; wait for a read it is running (bounded)."""
        self._stopping.set()
        self._wake.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(self._cache._settings.loader.cell_timeout + 5)

    def _run(self) -> None:
        # Through the cache's methods, which embedders and tests may wrap.
        cache = self._cache
        clock = time.monotonic
        next_resync = clock() + cache._settings.resync_interval
        next_full = self._next_full(clock())
        while not self._stopping.is_set():
            self._wake.clear()
            now = clock()
            try:
                if not cache._loaded and now >= next_resync:
                    next_resync = now + cache._settings.resync_interval
                    cache.refresh()
                    next_full = self._next_full(now)
                elif cache._loaded and now >= next_full:
                    next_full = self._next_full(now)
                    cache.refresh()
                elif cache._loaded and now >= next_resync:
                    next_resync = now + cache._settings.resync_interval
                    cache.resync()
                if cache.reload_pending_hosts():
                    self._wake.set()
            except HostCacheError:
                pass  # logged where it happened
            except Exception:
                LOG.exception('Host state cache update failed; retrying at '
                              'the next interval')
            wait = min(next_resync, next_full) - clock()
            self._wake.wait(max(0.0, wait))

    def _next_full(self, now: float) -> float:
        interval = self._cache._settings.full_resync_interval
        return now + interval if interval > 0 else float('inf')
