"""The host cache's data, immutable, and how each change derives a new one.

``CacheState`` holds what the snapshot is made of (cells, compute rows,
aggregates, instance lists, instance images) together with the snapshot
itself. Every change (a cast, a resync, a reload) returns a new
``CacheState`` and rebuilds only the host states it touches; nothing is
ever mutated, so a request holding an older snapshot is never affected.

A node nova would not schedule to is left out with a reason: no nova-
compute service row for its host, never updated by its resource tracker
(free_disk_gb NULL), no uuid, or a column nova could not decode.
"""

from collections.abc import Iterable, Mapping
import dataclasses
import datetime
import types
from typing import Any

from scheduler.hoststate import builder as host_builder
from scheduler.hoststate import source as host_source
from scheduler.hoststate import host_state
from scheduler.db import api_reader
from scheduler.db import cell_reader
from scheduler.objects import aggregate as aggregate_obj

Row = Mapping[str, Any]
Instances = Mapping[str, str | None]
_EMPTY: Mapping[Any, Any] = host_state.frozen_map({})


def frozen(mapping: Mapping[Any, Any]) -> Mapping[Any, Any]:
    return host_state.frozen_map(mapping)


def _copy(mapping: Mapping[Any, Any]) -> dict[Any, Any]:
    copy = getattr(mapping, 'copy', None)
    result = copy() if copy is not None else None
    return result if type(result) is dict else dict(mapping)


@dataclasses.dataclass(frozen=True, slots=True)
class CellRows:
    """The live compute rows of one cell, by primary key."""

    nodes: Mapping[int, Row] = dataclasses.field(
        default_factory=lambda: _EMPTY)
    services: Mapping[int, Row] = dataclasses.field(
        default_factory=lambda: _EMPTY)
    # Newest timestamp read so far: where the next incremental read starts.
    watermark: datetime.datetime | None = None

    @classmethod
    def of(cls, rows: cell_reader.ComputeRows) -> 'CellRows':
        return cls(frozen({r['id']: r for r in rows.nodes}),
                   frozen({r['id']: r for r in rows.services}), rows.newest)

    def merged(self, changes: cell_reader.ComputeRows
               ) -> tuple['CellRows', set[int], set[str]]:
        """These rows with an incremental read applied.

        Also returns the ids of the nodes to rebuild and the hosts whose
        service row changed (their nodes are rebuilt too).
        """
        changed_nodes: set[int] = set()
        changed_hosts: set[str] = set()
        watermark = max((w for w in (self.watermark, changes.newest)
                         if w is not None), default=None)
        if not changes.nodes and not changes.services:
            # Nothing new (the reader left out the rows read again).
            if watermark == self.watermark:
                return self, changed_nodes, changed_hosts
            return (dataclasses.replace(self, watermark=watermark),
                    changed_nodes, changed_hosts)
        nodes, services = dict(self.nodes), dict(self.services)
        for row in changes.nodes:
            if row != nodes.get(row['id']):
                changed_nodes.add(row['id'])
                _put(nodes, row)
        for row in changes.services:
            old = services.get(row['id'])
            if row != old:
                changed_hosts.update(
                    r['host'] for r in (old, row) if r is not None)
                _put(services, row)
        return (CellRows(frozen(nodes), frozen(services), watermark),
                changed_nodes, changed_hosts)

    def services_by_host(self) -> dict[str, Row]:
        return {row['host']: row for row in self.services.values()}


def _put(table: dict[int, Row], row: Row) -> None:
    if row.get('deleted'):
        table.pop(row['id'], None)
    else:
        table[row['id']] = row


@dataclasses.dataclass(frozen=True, slots=True)
class Inputs:
    """Settings that shape host states and do not change between builds."""

    ratios: host_builder.AllocationRatioDefaults = (
        host_builder.AllocationRatioDefaults())


@dataclasses.dataclass(frozen=True, slots=True)
class CacheState:
    cells: Mapping[str, api_reader.CellRecord] = dataclasses.field(
        default_factory=lambda: _EMPTY)
    # host -> cell uuid, from host_mappings.
    host_cells: Mapping[str, str] = dataclasses.field(
        default_factory=lambda: _EMPTY)
    rows: Mapping[str, CellRows] = dataclasses.field(
        default_factory=lambda: _EMPTY)
    aggregates: Mapping[int, aggregate_obj.Aggregate] = dataclasses.field(
        default_factory=lambda: _EMPTY)
    # host -> {instance uuid: project id}
    instances: Mapping[str, Instances] = dataclasses.field(
        default_factory=lambda: _EMPTY)
    # instance uuid -> rendered image properties (ImagePropertiesWeigher).
    images: Mapping[str, Mapping[str, str]] = dataclasses.field(
        default_factory=lambda: _EMPTY)
    unavailable: frozenset[str] = frozenset()
    # (cell uuid, node id) -> the node's state without aggregates and
    # instances, or why the node is left out.
    bases: Mapping[tuple[str, int], host_state.HostState | str] = (
        dataclasses.field(default_factory=lambda: _EMPTY))
    # host -> the keys of its nodes in ``bases``: a cast about one host
    # finds its nodes without walking every node.
    host_nodes: Mapping[str, tuple[tuple[str, int], ...]] = (
        dataclasses.field(default_factory=lambda: _EMPTY))
    snapshot: host_source.HostSnapshot = host_source.HostSnapshot()
    inputs: Inputs = Inputs()

    @property
    def skipped(self) -> Mapping[tuple[str, int], str]:
        return {key: base for key, base in self.bases.items()
                if isinstance(base, str)}

    def host_cell_index(self) -> dict[str, str]:
        """host -> cell uuid: where its compute nodes are, else mapped."""
        index = dict(self.host_cells)
        index.update({base.host: cell for (cell, _), base in self.bases.items()
                      if isinstance(base, host_state.HostState)})
        return index

    def hosts_known(self) -> set[str]:
        return {base.host for base in self.bases.values()
                if isinstance(base, host_state.HostState)}


def base_state(cell: str, row: Row, rows: CellRows,
               services_by_host: Mapping[str, Row],
               inputs: Inputs) -> host_state.HostState | str:
    """One node's state without aggregates and instances, or a reason."""
    if not row.get('uuid'):
        return 'the compute node has no uuid'
    host = row.get('host')
    if host is None and row.get('service_id') is not None:
        # A record older than compute_nodes.host: nova finds the host
        # through the service it points at.
        service = rows.services.get(row['service_id'])
        host = service['host'] if service is not None else None
    service = services_by_host.get(host) if host is not None else None
    if service is None:
        return 'no nova-compute service record for its host'
    try:
        built = host_builder.build_host_state(
            {**row, 'host': host}, service, cell_uuid=cell, aggregates=(),
            instances={}, allocation_ratio_defaults=inputs.ratios)
    except host_builder.InvalidComputeNode as exc:
        return f'column {exc.column} is not valid'
    if built is None:
        return 'not yet updated by its compute service (free_disk_gb NULL)'
    return built


def _node_index(bases: Mapping[tuple[str, int], host_state.HostState | str]
                ) -> Mapping[str, tuple[tuple[str, int], ...]]:
    index: dict[str, list[tuple[str, int]]] = {}
    for key, base in bases.items():
        if isinstance(base, host_state.HostState):
            index.setdefault(base.host, []).append(key)
    return frozen({host: tuple(keys) for host, keys in index.items()})


def _aggregates_of(aggregates: Mapping[int, aggregate_obj.Aggregate],
                   host: str) -> tuple[aggregate_obj.Aggregate, ...]:
    """One host's aggregates, in id order (as ``host_aggregates``)."""
    return tuple(aggregates[i] for i in sorted(aggregates)
                 if host in aggregates[i].hosts)


def host_aggregates(aggregates: Mapping[int, aggregate_obj.Aggregate]
                    ) -> dict[str, tuple[aggregate_obj.Aggregate, ...]]:
    index: dict[str, list[aggregate_obj.Aggregate]] = {}
    for agg_id in sorted(aggregates):
        for host in aggregates[agg_id].hosts:
            index.setdefault(host, []).append(aggregates[agg_id])
    return {host: tuple(aggs) for host, aggs in index.items()}


def _compose(base: host_state.HostState,
             aggregates: tuple[aggregate_obj.Aggregate, ...],
             instances: Instances,
             images: Mapping[str, Mapping[str, str]]
             ) -> host_state.HostState:
    if not isinstance(instances, types.MappingProxyType):
        instances = frozen(instances)
    # The instance lists are already frozen copies: shared, not copied.
    return dataclasses.replace(
        base, aggregates=aggregates, instances=instances or _EMPTY,
        instance_images=frozen({u: images[u] for u in instances
                                if u in images}) if images else _EMPTY)


def min_compute_version(state: CacheState) -> int:
    """nova's get_minimum_version_all_cells(['nova-compute']).

    The lowest version of the live nova-compute services that are not
    forced down, ignoring version 0; 0 when there are none. Computed
    over the schedulable cells (a cell that cannot be read counts with
    its last known services); nova also counts disabled cells.
    """
    versions = [row.get('version') for rows in state.rows.values()
                for row in rows.services.values()
                if not row.get('forced_down')]
    return min((int(v) for v in versions if v), default=0)


def _snapshot(state: CacheState, hosts: Mapping[str, host_state.HostState],
              bases_changed: bool = False) -> host_source.HostSnapshot:
    incomplete = state.snapshot.incomplete_nodes
    min_version = state.snapshot.min_compute_version
    if bases_changed:
        incomplete = frozen({
            str(state.rows[cell].nodes[node].get('uuid')
                or f'{cell}/{node}'): reason
            for (cell, node), reason in state.skipped.items()})
        min_version = min_compute_version(state)
    return host_source.HostSnapshot(
        hosts=frozen(hosts),
        aggregates=tuple(state.aggregates[i] for i in sorted(
            state.aggregates)),
        unavailable_cells=state.unavailable,
        incomplete_nodes=incomplete,
        min_compute_version=min_version)


def build(state: CacheState) -> CacheState:
    """``state`` with every base and host state built from its inputs."""
    bases: dict[tuple[str, int], host_state.HostState | str] = {}
    for cell, rows in state.rows.items():
        by_host = rows.services_by_host()
        for node_id, row in rows.nodes.items():
            bases[(cell, node_id)] = base_state(cell, row, rows, by_host,
                                                state.inputs)
    state = dataclasses.replace(state, bases=frozen(bases),
                                host_nodes=_node_index(bases))
    aggs = host_aggregates(state.aggregates)
    hosts = {}
    for base in bases.values():
        if isinstance(base, host_state.HostState):
            hosts[base.uuid] = _compose(
                base, aggs.get(base.host, ()),
                state.instances.get(base.host, _EMPTY), state.images)
    return dataclasses.replace(
        state, snapshot=_snapshot(state, hosts, bases_changed=True))


def _recompose(state: CacheState, hosts: Iterable[str]) -> CacheState:
    """New host states for the nodes of ``hosts`` (aggregates, instances)."""
    wanted = set(hosts)
    if not wanted:
        return dataclasses.replace(state, snapshot=_snapshot(
            state, state.snapshot.hosts))
    updated = dict(state.snapshot.hosts)
    for host in wanted:
        keys = state.host_nodes.get(host, ())
        aggs = _aggregates_of(state.aggregates, host) if keys else ()
        for key in keys:
            base = state.bases[key]
            if isinstance(base, host_state.HostState):
                updated[base.uuid] = _compose(
                    base, aggs, state.instances.get(host, _EMPTY),
                    state.images)
    return dataclasses.replace(state, snapshot=_snapshot(state, updated))


def with_instances(state: CacheState, changes: Mapping[str, Instances],
                   images: Mapping[str, Mapping[str, str]] | None = None
                   ) -> CacheState:
    """Replace the instance lists of some hosts (and add images)."""
    # One copy of each map, wrapped as it is: nobody else holds the new
    # dicts (at 10,000 hosts a second copy cost more than the rest).
    # (copy() of a read-only proxy copies the dict under it at C speed;
    # dict(proxy) goes key by key.)
    instances = _copy(state.instances)
    instances.update({host: frozen(insts) for host, insts in changes.items()})
    new_images = state.images
    if images:
        merged = _copy(state.images)
        merged.update(images)
        new_images = types.MappingProxyType(merged)
    return _recompose(dataclasses.replace(
        state, instances=types.MappingProxyType(instances),
        images=new_images), changes)


def with_aggregates(state: CacheState,
                    aggregates: Mapping[int, aggregate_obj.Aggregate]
                    ) -> CacheState:
    """Replace the aggregate set; hosts whose membership moved rebuild."""
    touched: set[str] = set()
    for agg_id in set(state.aggregates) | set(aggregates):
        old, new = state.aggregates.get(agg_id), aggregates.get(agg_id)
        if old != new:
            touched.update(old.hosts if old is not None else ())
            touched.update(new.hosts if new is not None else ())
    return _recompose(dataclasses.replace(
        state, aggregates=frozen(aggregates)), touched)


def with_cell_changes(state: CacheState, cell: str,
                      changes: cell_reader.ComputeRows) -> CacheState:
    """Apply an incremental read of one cell's compute rows."""
    old_rows = state.rows.get(cell, CellRows())
    rows, changed_nodes, changed_hosts = old_rows.merged(changes)
    if not changed_nodes and not changed_hosts:
        # Rows read again (an overlapping read): nothing to rebuild.
        if cell in state.rows and rows.watermark == old_rows.watermark:
            return state
        return dataclasses.replace(
            state, rows=frozen({**state.rows, cell: rows}))
    by_host = rows.services_by_host()
    bases = dict(state.bases)
    hosts = dict(state.snapshot.hosts)
    dirty: set[tuple[str, int]] = {
        (cell, n) for n in changed_nodes | set(old_rows.nodes)
        if n not in rows.nodes}
    for node_id, row in rows.nodes.items():
        host = row.get('host')
        if node_id in changed_nodes or host in changed_hosts or (
                host is None and row.get('service_id') is not None):
            dirty.add((cell, node_id))
    aggs = host_aggregates(state.aggregates)
    for key in dirty:
        old = bases.pop(key, None)
        if isinstance(old, host_state.HostState):
            hosts.pop(old.uuid, None)
        node = rows.nodes.get(key[1])
        if node is None:
            continue
        base = base_state(cell, node, rows, by_host, state.inputs)
        bases[key] = base
        if isinstance(base, host_state.HostState):
            hosts[base.uuid] = _compose(
                base, aggs.get(base.host, ()),
                state.instances.get(base.host, _EMPTY), state.images)
    state = dataclasses.replace(
        state, rows=frozen({**state.rows, cell: rows}), bases=frozen(bases),
        host_nodes=_node_index(bases))
    return dataclasses.replace(
        state, snapshot=_snapshot(state, hosts, bases_changed=True))


def with_cell_rows(state: CacheState, cell: str,
                   rows: cell_reader.ComputeRows) -> CacheState:
    """Replace one cell's compute rows with a full read of them."""
    old = state.rows.get(cell, CellRows())
    nodes = {r['id'] for r in rows.nodes}
    services = {r['id'] for r in rows.services}
    # Rows no longer there count as deleted.
    gone_nodes = tuple({**r, 'deleted': i} for i, r in old.nodes.items()
                       if i not in nodes)
    gone_services = tuple({**r, 'deleted': i}
                          for i, r in old.services.items()
                          if i not in services)
    return with_cell_changes(state, cell, cell_reader.ComputeRows(
        rows.nodes + gone_nodes, rows.services + gone_services,
        rows.newest))


def with_unavailable(state: CacheState, cells: Iterable[str]) -> CacheState:
    state = dataclasses.replace(state, unavailable=frozenset(cells))
    return dataclasses.replace(state, snapshot=_snapshot(
        state, state.snapshot.hosts))
