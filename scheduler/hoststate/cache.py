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
- a background thread (host_cache_background, with the reloads): every
  ``host_state_resync_interval`` seconds the compute_nodes/services rows
  changed since the last read, and every
  ``host_state_full_resync_interval`` seconds a full reload;
- ``refresh()``, the same full reload, which the service runs on SIGHUP.

Writers build the new state aside and swap it in under one lock; readers
never lock and keep the snapshot they took. A cell that fails or times
out keeps its last known hosts (their service heartbeats then age, so
ComputeFilter drops them once they look down) and is listed in
``HostSnapshot.unavailable_cells`` until a read succeeds again.
"""

from collections.abc import Callable, Mapping, Sequence
import logging
import threading

from oslo_config import cfg

from scheduler.hoststate import cache_data as cache_state
from scheduler.hoststate import cast_journal as journal_mod
from scheduler.hoststate import cell_scatter
from scheduler.hoststate import background_reads as background_mod
from scheduler.hoststate import fresh_reads as fresh_mod
from scheduler.hoststate import loader as loader_mod
from scheduler.hoststate import settings as settings_mod
from scheduler.hoststate import source as host_source
from scheduler import redaction
from scheduler.objects import aggregate as aggregate_obj
from scheduler.objects import instance as instance_obj

LOG = logging.getLogger(__name__)

CacheSettings = settings_mod.CacheSettings
HostCacheError = background_mod.HostCacheError


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
        # Told of every reload: (kind 'full' or 'incremental', every cell
        # read). The service feeds it to its metrics.
        self.observer: Callable[[str, bool], None] | None = None
        self._fresh = fresh_mod.FreshReads(self)
        self._background = background_mod.BackgroundReads(self)

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
        self._background.wake()

    @property
    def pending_hosts(self) -> tuple[str, ...]:
        with self._lock:
            return tuple(self._pending)

    # -- reloads (host_cache_background) ---------------------------------

    def refresh(self) -> None:
        """Reload everything; swap it in atomically.

        Raises HostCacheError when the API database cannot be read; the
        current snapshot stays in place. Requests waiting for a fresh
        read when it starts are served by it.
        """
        self._background.refresh()

    def resync(self) -> None:
        """Read the compute rows changed since the last read, per cell."""
        self._background.resync()

    def reload_pending_hosts(self) -> int:
        """Re-read the instance lists of hosts queued by casts.

        Returns how many hosts were handled (at most
        ``host_cache_background.HOST_RELOAD_BATCH``).
        """
        return self._background.reload_pending_hosts()

    def start(self, initial_refresh: bool = True) -> None:
        """Load (unless already loaded) and start the background thread."""
        self._background.start(initial_refresh)

    def stop(self) -> None:
        self._background.stop()
        self._loader.close()

    def _observe(self, kind: str, ok: bool) -> None:
        if self.observer is not None:
            self.observer(kind, ok)

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

