"""The host cache's request-time reads: the freshness guarantee.

A request's snapshot holds every change committed before the request
began. ``FreshReads.wait_fresh`` gets it with one read shared by the
requests that arrive together (``ReadCoalescer``):

- each cell: the compute_nodes and services rows, and the instances rows,
  created, updated or deleted since the cache's watermarks minus
  ``host_state_change_overlap`` seconds (deleted rows included), in one
  transaction per cell, the cells in parallel;
- the API database: one fingerprint query (counts, id sums and newest
  timestamps of its tables, which hard-delete rows); the cells, host
  mappings and aggregates are read again only when it changed, and a new
  cell is read in full (that cell only).

``with_providers`` looks candidate providers the snapshot does not know up
by uuid (one query per cell per 500 uuids), and remembers, in a bounded
set, the ones that are not compute nodes (nested and sharing providers).

A database that cannot be read within ``cell_database_timeout`` leaves the
cached state in place: its cell is marked unavailable as the background
resync marks it, a warning is logged once per outage, and the request
goes on. Reads take the cache's reload lock, so they never overlap a
resync or a reload.
"""

import collections
import contextlib
from collections.abc import Sequence
import dataclasses
import datetime
import logging
from typing import TYPE_CHECKING

from scheduler.hoststate import deltas as cache_deltas
from scheduler.hoststate import cache_data as cache_state
from scheduler.hoststate import cast_journal as journal_mod
from scheduler.hoststate import cell_scatter
from scheduler.hoststate import loader as loader_mod
from scheduler.hoststate import source as host_source
from scheduler.hoststate import read_coalescer
from scheduler.db import api_reader

if TYPE_CHECKING:
    from scheduler.hoststate import cache as host_cache

LOG = logging.getLogger(__name__)
# Provider uuids remembered as not being compute nodes.
NOT_NODES_LIMIT = 10000
Marks = dict[str, datetime.datetime | None]


@dataclasses.dataclass(frozen=True, slots=True)
class _Read:
    """What one request-time read found, before it is applied."""

    # None: the API database did not change or could not be read.
    api: loader_mod.ApiContent | None
    # The schedulable cells by uuid (the cached ones when ``api`` is None).
    cells: dict[str, api_reader.CellRecord]
    # Per known cell: where its compute-row read started (None: all rows).
    since: Marks
    deltas: cell_scatter.Outcome[loader_mod.CellDelta]
    # New cells, read in full.
    full: cell_scatter.Outcome[loader_mod.CellContent]


class FreshReads:
    def __init__(self, cache: 'host_cache.HostStateCache') -> None:
        self._cache = cache
        self._coalescer = read_coalescer.ReadCoalescer(self._read)
        # Per cell: newest instances timestamp read (where the next
        # instance read starts). Guarded by the cache's reload lock.
        self._instance_marks: Marks = {}
        self._api_fingerprint: tuple[object, ...] | None = None
        self._api_down = False
        self._not_nodes: collections.OrderedDict[str, None] = (
            collections.OrderedDict())

    @property
    def reads(self) -> int:
        return self._coalescer.reads

    def _timeout(self) -> float:
        return self._cache._settings.loader.cell_timeout

    def wait_fresh(self) -> bool:
        """Wait for a read that started after this call (bounded)."""
        # At worst: the read running now, then ours.
        return self._coalescer.wait_fresh(2 * self._timeout() + 1)

    def reload_turn(self) -> 'contextlib.AbstractContextManager[None]':
        """A full reload's turn: it counts as a read for waiting requests.

        Taken before the reload lock (as a request's read takes its turn
        before that lock), so the two never wait for each other.
        """
        return self._coalescer.counted()

    def after_full_read(
            self, api: loader_mod.ApiContent,
            outcome: cell_scatter.Outcome[loader_mod.CellContent]) -> None:
        """A full reload read these (caller holds the reload lock)."""
        self._api_fingerprint = api.fingerprint
        for cell, content in outcome.results.items():
            self._instance_marks[cell] = content.instances_newest

    # -- the shared read ---------------------------------------------------

    def _read(self) -> None:
        cache = self._cache
        if not cache._reload_lock.acquire(timeout=self._timeout()):
            LOG.debug('A host cache reload is still running; the request '
                      'goes on with the current host states')
            cache._observe('request', False)
            return
        ok = False
        try:
            ok = self._read_changes()
        except Exception:
            # Never into a request: it goes on with the cached state.
            LOG.exception('Reading the host state changes failed; the '
                          'request goes on with the cached host states')
        finally:
            cache._reload_lock.release()
        # The refresh metric: kind "request", failed when any database
        # could not be read (the request used cached state for it).
        cache._observe('request', ok)

    def _read_api(self) -> loader_mod.ApiContent | None:
        """The API content when it changed since the last read, else None."""
        loader = self._cache._loader
        try:
            if loader.api_fingerprint() == self._api_fingerprint:
                content = None
            else:
                content = loader.read_api()
        except loader_mod.ApiDatabaseError as exc:
            if not self._api_down:
                LOG.warning('Could not read the API database for the '
                            'host state changes (%s); requests use the '
                            'cached cells, host mappings and aggregates',
                            exc)
            self._api_down = True
            return None
        if self._api_down:
            LOG.info('The API database is readable again')
            self._api_down = False
        return content

    def _read_changes(self) -> bool:
        """Apply what changed; whether every database could be read."""
        cache = self._cache
        with cache._lock:
            token = cache._journal.begin()
            before = cache._state
        try:
            read = self._read_databases(before)
        finally:
            with cache._lock:
                ops = cache._journal.end(token)
        failures = self._apply(before, read, ops)
        for cell, content in read.full.results.items():
            self._instance_marks[cell] = content.instances_newest
        for cell, delta in read.deltas.results.items():
            self._instance_marks[cell] = _latest(
                self._instance_marks.get(cell), delta.instances.newest)
        if read.api is not None:
            self._api_fingerprint = read.api.fingerprint
            cache._loader.retain_cells(read.cells)
        return not failures and not self._api_down

    def _read_databases(self, before: cache_state.CacheState) -> _Read:
        """The API content if it changed, each cell's changes since
        ``before`` (a new cell: all of it)."""
        cache = self._cache
        loader = cache._loader
        overlap = datetime.timedelta(seconds=cache._settings.change_overlap)
        api = self._read_api()
        cells = dict(before.cells)
        if api is not None:
            cells = {c.uuid: c for c in
                     api_reader.schedulable_cells(list(api.cells))}
        new = [c for u, c in cells.items() if before.cells.get(u) != c]
        known = [c for c in cells.values() if c not in new]
        since = {c.uuid: _minus(before.rows.get(c.uuid), overlap)
                 for c in known}
        instances_since = {
            c.uuid: _mark_minus(self._instance_marks.get(c.uuid),
                                overlap) for c in known}
        # The compute rows change only under the reload lock, which
        # this read holds: what ``before`` has of them is what the
        # read is applied to.
        held = {c.uuid: (rows.nodes, rows.services) for c in known
                if (rows := before.rows.get(c.uuid)) is not None}
        deltas = loader.read_deltas(known, since, instances_since, held)
        full = (loader.read_cells(
            new, cache._settings.load_instance_images) if new
            else cell_scatter.Outcome({}, {}))
        return _Read(api, cells, since, deltas, full)

    def _apply(self, before: cache_state.CacheState, read: _Read,
               ops: list[journal_mod.Op]
               ) -> dict[str, cell_scatter.CellFailure]:
        """Swap in what ``read`` found; the cells that failed."""
        cache = self._cache
        with cache._lock:
            state = cache._state
            if read.api is not None:
                state = cache_deltas.with_api(state, read.api, read.cells)
            for cell, content in read.full.results.items():
                state = cache_state.with_cell_rows(state, cell, content.rows)
                state = self._with_lists(
                    state, dict(content.instances), ops, content.images)
            for cell, delta in read.deltas.results.items():
                if read.since.get(cell) is None:
                    state = cache_state.with_cell_rows(state, cell,
                                                       delta.rows)
                else:
                    state = cache_state.with_cell_changes(state, cell,
                                                          delta.rows)
                state = self._with_lists(state, cache_deltas.instance_lists(
                    state, delta.instances.changes), ops)
            failures = {**read.deltas.failures, **read.full.failures}
            done = set(read.deltas.results) | set(read.full.results)
            unavailable = (state.unavailable - done) | (
                set(failures) & set(read.cells))
            if unavailable != state.unavailable:
                state = cache_state.with_unavailable(state, unavailable)
            if state is not cache._state:
                cache._swap(state, failures)
            if state.bases is not before.bases:
                for host in state.hosts_known() - set(state.instances):
                    cache._schedule(host)
        return failures

    def _with_lists(self, state: cache_state.CacheState,
                    lists: cache_deltas.Lists, ops: list[journal_mod.Op],
                    images: loader_mod.Images | None = None
                    ) -> cache_state.CacheState:
        """Instance lists read, with the casts since the read replayed."""
        if not lists:
            return state
        covered = frozenset(lists)
        for op in ops:
            journal_mod.apply_to_instances(lists, op, covered)
        if self._cache._settings.load_instance_images:
            known = set(state.images) | set(images or {})
            for host, listed in lists.items():
                if any(uuid not in known for uuid in listed):
                    self._cache._schedule(host)
        return cache_state.with_instances(state, lists, images)

    # -- providers by uuid -------------------------------------------------

    def with_providers(self, snapshot: host_source.HostSnapshot,
                       uuids: Sequence[str]) -> host_source.HostSnapshot:
        cache = self._cache
        wanted = [u for u in snapshot.unknown(uuids)
                  if u not in self._not_nodes]
        if not wanted:
            return snapshot
        missing = cache._state.snapshot.unknown(wanted)
        if missing and cache._reload_lock.acquire(timeout=self._timeout()):
            try:
                self._look_up(missing)
            except Exception:
                LOG.exception('Looking up %d providers by uuid failed',
                              len(missing))
            finally:
                cache._reload_lock.release()
        current = cache._state.snapshot
        return snapshot.with_nodes(
            [current.hosts[u] for u in wanted if u in current.hosts],
            {u: current.incomplete_nodes[u] for u in wanted
             if u in current.incomplete_nodes})

    def _look_up(self, uuids: list[str]) -> None:
        cache = self._cache
        cells = list(cache._state.cells.values())
        outcome = cache._loader.read_nodes(cells, uuids)
        found: set[str] = set()
        with cache._lock:
            state = cache._state
            for cell, rows in outcome.results.items():
                found.update(str(r['uuid']) for r in rows.nodes)
                if rows.nodes:
                    state = cache_state.with_cell_changes(state, cell, rows)
            if state is not cache._state:
                cache._swap(state)
                for host in state.hosts_known() - set(state.instances):
                    cache._schedule(host)
        if found:
            LOG.info('%d candidate providers unknown to the host cache '
                     'were found in the cell databases', len(found))
        if outcome.failures:
            # A cell that did not answer may hold the others.
            return
        for uuid in uuids:
            if uuid not in found:
                self._not_nodes[uuid] = None
                self._not_nodes.move_to_end(uuid)
        while len(self._not_nodes) > NOT_NODES_LIMIT:
            self._not_nodes.popitem(last=False)

    def known_not_nodes(self) -> frozenset[str]:
        return frozenset(self._not_nodes)


def _minus(rows: cache_state.CellRows | None,
           overlap: datetime.timedelta) -> datetime.datetime | None:
    """Where a cell's compute-row read starts (None: all live rows)."""
    if rows is None or rows.watermark is None:
        return None
    return rows.watermark - overlap


def _mark_minus(mark: datetime.datetime | None,
                overlap: datetime.timedelta) -> datetime.datetime | None:
    return mark - overlap if mark is not None else None


def _latest(*stamps: datetime.datetime | None) -> datetime.datetime | None:
    return max((s for s in stamps if s is not None), default=None)
