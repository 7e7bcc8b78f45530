"""The host states of every schedulable cell, kept current in memory.

``HostStateCache`` is the database-backed HostSource. Requests call
``fresh_snapshot()``: the current immutable HostSnapshot with every change
committed before the call applied (host_cache_fresh: the rows changed
since the cache's watermark, a fingerprint of the API tables; shared by
the requests that arrive together). ``with_providers()`` looks up, by
uuid, candidate providers the snapshot does not know. Neither scans the
tables nor queries per host; ``snapshot()`` never touches a database. The
snapshot is also kept current by:

- the fanout casts nova sends (update_aggregates, delete_aggregate,
  update/delete/sync_instance_info), with nova's HostManager semantics;
  a host whose instance list is unknown or out of sync is re-read from
  its cell database in the background, never on the request path;
- a background thread: every ``host_state_resync_interval`` seconds the
  compute_nodes/services rows changed since the last read, and every
  ``host_state_full_resync_interval`` seconds a full reload;
- ``refresh()``, the same full reload, which the service runs on SIGHUP.

Writers build the new state aside and swap it in under one lock; readers
never lock and keep the snapshot they took. A cell that fails or times
out keeps its last known hosts (their service heartbeats then age, so
ComputeFilter drops them once they look down) and is listed in
``HostSnapshot.unavailable_cells`` until a read succeeds again.
"""

from collections.abc import Callable, Iterable, Mapping, Sequence
import datetime
import logging
import threading
import time

from oslo_config import cfg

from scheduler import cache_state
from scheduler import cast_journal as journal_mod
from scheduler import cell_scatter
from scheduler import gc_settle
from scheduler import host_cache_fresh as fresh_mod
from scheduler import host_cache_loader as loader_mod
from scheduler import host_cache_settings as settings_mod
from scheduler import host_source
from scheduler import redaction
from scheduler.db import api_reader
from scheduler.objects import aggregate as aggregate_obj
from scheduler.objects import instance as instance_obj

LOG = logging.getLogger(__name__)
# Incremental reads start this far before the newest timestamp seen:
# nova's timestamps come from its services' clocks and transactions
# commit after they stamp a row.
WATERMARK_OVERLAP = datetime.timedelta(seconds=30)
HOST_RELOAD_BATCH = 200


CacheSettings = settings_mod.CacheSettings


class HostCacheError(Exception):
    """A reload failed; the cache keeps serving its current snapshot."""


class HostStateCache:
    """The host states of nova's databases, cached and kept fresh.

    ``cell_database_url`` (optional) derives a cell's database URL from
    its cell_mappings row (``api_reader.CellRecord``) instead of
    formatting ``database_connection`` against ``[database]connection``:
    for embedders whose cell mappings hold something else, such as nova's
    functional tests, which store the cell uuid and keep each cell in an
    SQLite file of its own. The API database is always
    ``[api_database]connection``.
    """

    def __init__(self, settings: settings_mod.CacheSettings, *,
                 conf: cfg.ConfigOpts | None = None,
                 cell_database_url: loader_mod.CellUrl | None = None
                 ) -> None:
        self._settings = settings
        self._conf = conf
        self._loader = loader_mod.Loader(
            settings.loader, cell_database_url=cell_database_url)
        self._state = cache_state.CacheState(
            inputs=cache_state.Inputs(settings.ratios))
        # Swaps, casts, the journal and the pending hosts.
        self._lock = threading.Lock()
        # Writers that read a database, one at a time.
        self._reload_lock = threading.Lock()
        self._journal = journal_mod.Journal()
        self._pending: dict[str, None] = {}
        self._loaded = False
        self._logged_skips: dict[tuple[str, int], str] = {}
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        # Told of every reload: (kind 'full' or 'incremental', every cell
        # read). The service feeds it to its metrics.
        self.observer: Callable[[str, bool], None] | None = None
        self._fresh = fresh_mod.FreshReads(self)

    @classmethod
    def from_conf(cls, conf: cfg.ConfigOpts, *,
                  cell_database_url: loader_mod.CellUrl | None = None
                  ) -> 'HostStateCache':
        return cls(settings_mod.CacheSettings.from_conf(conf), conf=conf,
                   cell_database_url=cell_database_url)

    # -- the request path ----------------------------------------------

    def snapshot(self) -> host_source.HostSnapshot:
        return self._state.snapshot

    def fresh_snapshot(self) -> host_source.HostSnapshot:
        """The snapshot with every change committed before this call."""
        if self._loaded:
            self._fresh.wait_fresh()
        return self._state.snapshot

    def with_providers(self, snapshot: host_source.HostSnapshot,
                       uuids: Sequence[str]) -> host_source.HostSnapshot:
        """``snapshot`` with the nodes among ``uuids`` it lacked."""
        if not self._loaded:
            return snapshot
        return self._fresh.with_providers(snapshot, uuids)

    @property
    def loaded(self) -> bool:
        """Whether a full load has succeeded yet."""
        return self._loaded

    # -- casts (nova's HostManager semantics) ----------------------------

    def update_aggregates(
            self, aggregates: Sequence[aggregate_obj.Aggregate]) -> None:
        op = journal_mod.AggregatesUpdated(tuple(aggregates))
        with self._lock:
            current = dict(self._state.aggregates)
            journal_mod.apply_to_aggregates(current, op)
            self._journal.record(op)
            self._swap(cache_state.with_aggregates(self._state, current))

    def delete_aggregate(self, aggregate: aggregate_obj.Aggregate) -> None:
        op = journal_mod.AggregateDeleted(aggregate.id)
        with self._lock:
            current = dict(self._state.aggregates)
            journal_mod.apply_to_aggregates(current, op)
            self._journal.record(op)
            self._swap(cache_state.with_aggregates(self._state, current))

    def update_instance_info(
            self, host_name: str,
            instances: Sequence[instance_obj.InstanceInfo]) -> None:
        added = {i.uuid: i.project_id for i in instances}
        op = journal_mod.InstancesAdded(host_name, added)
        with self._lock:
            state = self._state
            if host_name not in state.instances and len(added) <= 1:
                # Not the full list of a host we do not know: as nova,
                # read the host's list from its cell database.
                LOG.info("Received an update from an unknown host '%s'. "
                         'Re-reading its instance list.',
                         redaction.host(host_name))
                self._schedule(host_name)
            elif self._settings.load_instance_images and any(
                    uuid not in state.images for uuid in added):
                self._schedule(host_name)
            lists = {host_name: {**state.instances.get(host_name, {}),
                                 **added}}
            self._journal.record(op)
            self._swap(cache_state.with_instances(state, lists))

    def delete_instance_info(self, host_name: str,
                             instance_uuid: str) -> None:
        op = journal_mod.InstanceRemoved(host_name, instance_uuid)
        with self._lock:
            state = self._state
            current = state.instances.get(host_name)
            self._journal.record(op)
            if current is None:
                LOG.info("Received a delete update from an unknown host "
                         "'%s'. Re-reading its instance list.",
                         redaction.host(host_name))
                self._schedule(host_name)
                return
            remaining = {u: p for u, p in current.items()
                         if u != instance_uuid}
            self._swap(cache_state.with_instances(
                state, {host_name: remaining}))

    def sync_instance_info(self, host_name: str,
                           instance_uuids: Sequence[str]) -> None:
        with self._lock:
            current = self._state.instances.get(host_name)
            if current is None:
                LOG.info("Received a sync request from an unknown host "
                         "'%s'. Re-reading its instance list.",
                         redaction.host(host_name))
                self._schedule(host_name)
            elif set(current) != set(instance_uuids):
                LOG.info("The instance sync for host '%s' did not match. "
                         'Re-reading its instance list.',
                         redaction.host(host_name))
                self._schedule(host_name)
            else:
                LOG.debug("Successfully synced instances from host '%s'.",
                          redaction.host(host_name))

    def _schedule(self, host: str) -> None:
        self._pending[host] = None
        self._wake.set()

    @property
    def pending_hosts(self) -> tuple[str, ...]:
        with self._lock:
            return tuple(self._pending)

    # -- reloads ---------------------------------------------------------

    def refresh(self) -> None:
        """Reload everything; swap it in atomically.

        Raises HostCacheError when the API database cannot be read; the
        current snapshot stays in place. Requests waiting for a fresh
        read when it starts are served by it.
        """
        with self._fresh.reload_turn(), self._reload_lock:
            if self._conf is not None:
                self._settings = settings_mod.CacheSettings.from_conf(
                    self._conf)
            settings = self._settings
            with self._lock:
                token = self._journal.begin()
                before = self._state
            try:
                api = self._loader.read_api()
            except loader_mod.ApiDatabaseError as exc:
                with self._lock:
                    self._journal.end(token)
                LOG.error('Host state refresh failed, keeping the current '
                          'host states: %s', exc)
                self._observe('full', False)
                raise HostCacheError(str(exc)) from None
            cells = {c.uuid: c for c in
                     api_reader.schedulable_cells(list(api.cells))}
            outcome = self._loader.read_cells(
                cells.values(), settings.load_instance_images)
            with self._lock:
                ops = self._journal.end(token)
                state = cache_state.from_full_read(
                    before, api, cells, outcome, ops,
                    cache_state.Inputs(settings.ratios))
                self._swap(state, outcome.failures)
            self._fresh.after_full_read(api, outcome)
            self._loader.retain_cells(cells)
            self._loaded = True
        gc_settle.settle_long_lived()
        self._observe('full', not outcome.failures)
        snap = state.snapshot
        LOG.info('Host states loaded: %d cells (%d unavailable), %d hosts, '
                 '%d left out, %d aggregates', len(cells),
                 len(snap.unavailable_cells), len(snap.hosts),
                 len(snap.incomplete_nodes), len(snap.aggregates))

    def _observe(self, kind: str, ok: bool) -> None:
        if self.observer is not None:
            self.observer(kind, ok)

    def resync(self) -> None:
        """Read the compute rows changed since the last read, per cell."""
        with self._reload_lock:
            before = self._state
            since = {
                cell: (rows.watermark - WATERMARK_OVERLAP
                       if rows.watermark is not None else None)
                for cell, rows in before.rows.items()}
            outcome = self._loader.read_changes(before.cells.values(), since)
            with self._lock:
                state = self._state
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
                self._swap(state, outcome.failures)
                self._observe('incremental', not outcome.failures)
                for host in state.hosts_known() - set(state.instances):
                    self._schedule(host)
                if not self._settings.track_instance_changes:
                    # No casts will come: re-read every host's instances.
                    for host in state.hosts_known() | set(state.instances):
                        self._schedule(host)

    def reload_pending_hosts(self) -> int:
        """Re-read the instance lists of hosts queued by casts.

        Returns how many hosts were handled (at most HOST_RELOAD_BATCH).
        """
        with self._reload_lock:
            with self._lock:
                hosts = list(self._pending)[:HOST_RELOAD_BATCH]
                for host in hosts:
                    del self._pending[host]
                if not hosts:
                    return 0
                token = self._journal.begin()
                before = self._state
            try:
                by_cell, untracked = self._cells_of(before, hosts)
                outcome = self._loader.read_hosts(
                    [before.cells[c] for c in by_cell], by_cell,
                    self._settings.load_instance_images, before.images)
            except loader_mod.ApiDatabaseError as exc:
                by_cell, untracked = {}, []
                outcome = cell_scatter.Outcome({}, {})
                LOG.warning('Could not look up the cells of %d hosts: %s',
                            len(hosts), exc)
            with self._lock:
                ops = self._journal.end(token)
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
                self._swap(cache_state.with_instances(
                    self._state, lists, images))
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
                mapped = self._loader.mapped_cell(host)
                cell = ids.get(mapped) if mapped is not None else None
            if cell is None or cell not in state.cells:
                LOG.info('Host mapping not found for host %s (or its cell '
                         'is not schedulable). Not tracking instance info '
                         'for this host.', redaction.host(host))
                untracked.append(host)
            else:
                by_cell.setdefault(cell, []).append(host)
        return by_cell, untracked

    def _swap(self, state: cache_state.CacheState,
              failures: Mapping[str, cell_scatter.CellFailure] | None = None
              ) -> None:
        """Install ``state`` (caller holds the lock) and log news once."""
        old = self._state
        self._state = state
        skipped = state.skipped if state.bases is not old.bases else None
        if skipped is not None:
            for key, reason in skipped.items():
                if self._logged_skips.get(key) != reason:
                    row = state.rows[key[0]].nodes[key[1]]
                    LOG.warning('Compute node %s (host %s, cell %s) is left '
                                'out of scheduling: %s',
                                redaction.provider(row.get('uuid')),
                                redaction.host(row.get('host')), key[0],
                                reason)
            self._logged_skips = dict(skipped)
        for cell in state.unavailable - old.unavailable:
            failure = (failures or {}).get(cell)
            kept = sum(1 for c, _ in state.bases if c == cell)
            LOG.warning('Cell %s is unavailable (%s); keeping its %d last '
                        'known compute nodes', cell,
                        failure.reason if failure else 'read failed', kept)
        for cell in old.unavailable - state.unavailable:
            LOG.info('Cell %s is available again', cell)

    # -- background thread ----------------------------------------------

    def start(self, initial_refresh: bool = True) -> None:
        """Load (unless already loaded) and start the background thread."""
        if self._thread is not None:
            return
        if initial_refresh and not self._loaded:
            try:
                self.refresh()
            except HostCacheError:
                pass  # logged; the background thread retries
        self._stopping.clear()
        self._thread = threading.Thread(
            target=self._run, name='host-state-cache', daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(self._settings.loader.cell_timeout + 5)
        self._loader.close()

    def _run(self) -> None:
        clock = time.monotonic
        next_resync = clock() + self._settings.resync_interval
        next_full = self._next_full(clock())
        while not self._stopping.is_set():
            self._wake.clear()
            now = clock()
            try:
                if not self._loaded and now >= next_resync:
                    next_resync = now + self._settings.resync_interval
                    self.refresh()
                    next_full = self._next_full(now)
                elif self._loaded and now >= next_full:
                    next_full = self._next_full(now)
                    self.refresh()
                elif self._loaded and now >= next_resync:
                    next_resync = now + self._settings.resync_interval
                    self.resync()
                if self.reload_pending_hosts():
                    self._wake.set()
            except HostCacheError:
                pass  # logged where it happened
            except Exception:
                LOG.exception('Host state cache update failed; retrying at '
                              'the next interval')
            wait = min(next_resync, next_full) - clock()
            self._wake.wait(max(0.0, wait))

    def _next_full(self, now: float) -> float:
        interval = self._settings.full_resync_interval
        return now + interval if interval > 0 else float('inf')
