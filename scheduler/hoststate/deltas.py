"""Per-request reads applied to the cache's state, without rebuilding it.

What a request-time read returns is mostly what the cache already has
(the read starts a little before its watermark): each function here
changes only what differs, so an unchanged row never rebuilds a host
state and an empty read leaves the state as it was.
"""

from collections.abc import Iterable, Mapping
import dataclasses

from scheduler.hoststate import cache_data as cache_state
from scheduler.hoststate import loader as loader_mod
from scheduler.db import api_reader
from scheduler.db import cell_reader

Lists = dict[str, dict[str, str | None]]


def instance_lists(state: cache_state.CacheState,
                   changes: Iterable[cell_reader.InstanceChange]) -> Lists:
    """The new instance lists of the hosts these rows change.

    An instance that moved leaves its old host and joins its new one; a
    deleted one (or one on no host) leaves its host. Rows that match what
    the state holds give nothing.
    """
    pending = {}
    for change in changes:
        listed = state.instances.get(change.host) if change.host else None
        if (listed is not None and change.uuid in listed
                and listed[change.uuid] == change.project_id):
            continue
        pending[change.uuid] = change
    if not pending:
        return {}
    lists: Lists = {}
    # Where each changed instance is listed now (a scan only when some
    # row did change).
    for host, listed in state.instances.items():
        for uuid in listed.keys() & pending.keys():
            change = pending[uuid]
            if change.host != host:
                lists.setdefault(host, dict(listed)).pop(uuid, None)
    for change in pending.values():
        if change.host:
            current = lists.get(change.host)
            if current is None:
                current = lists[change.host] = dict(
                    state.instances.get(change.host, {}))
            current[change.uuid] = change.project_id
    return lists


def with_api(state: cache_state.CacheState, api: loader_mod.ApiContent,
             cells: Mapping[str, api_reader.CellRecord]
             ) -> cache_state.CacheState:
    """The API database's content: cells, host mappings, aggregates.

    A cell no longer schedulable (unmapped, disabled) loses its hosts;
    reading a new cell is the caller's job.
    """
    if dict(state.cells) != dict(cells):
        for gone in set(state.rows) - set(cells):
            state = cache_state.with_cell_rows(
                state, gone, cell_reader.ComputeRows((), (), None))
            state = dataclasses.replace(state, rows=cache_state.frozen(
                {c: r for c, r in state.rows.items() if c != gone}))
        state = dataclasses.replace(state, cells=cache_state.frozen(cells))
        state = cache_state.with_unavailable(
            state, state.unavailable & set(cells))
    if dict(state.host_cells) != dict(api.host_cells):
        state = dataclasses.replace(
            state, host_cells=cache_state.frozen(api.host_cells))
    aggregates = {agg.id: agg for agg in api.aggregates}
    if dict(state.aggregates) != aggregates:
        state = cache_state.with_aggregates(state, aggregates)
    return state
