"""Build a HostState from nova's compute_nodes and services rows.

This reproduces what nova does between the database and the filters:
ComputeNode._from_db_object (JSON columns, decoded in compute_node_columns;
allocation-ratio fallback) followed by HostState._update_from_compute_node
(free disk from disk_available_least, counters from stats, metrics, the
supported instance triples). Rows are plain mappings keyed by nova's column
names, with the JSON columns as the strings the database holds.

Unlike nova, nothing is written back (nova saves the ratio and NUMA
conversions to the compute_nodes row) and a malformed row raises
``InvalidComputeNode`` for that one host instead of failing the request.
"""

from collections.abc import Mapping, Sequence
import dataclasses
import functools
from typing import Any, TypedDict

from oslo_config import cfg

from scheduler.hoststate import compute_node_columns as columns
from scheduler.hoststate import host_state
from scheduler.objects import aggregate as aggregate_obj

_NOVA_RATIO_DEFAULTS = {'cpu': 4.0, 'ram': 1.0, 'disk': 1.0}

InvalidComputeNode = columns.InvalidComputeNode


@dataclasses.dataclass(frozen=True, slots=True)
class AllocationRatioDefaults:
    """[DEFAULT] ratios used when a compute node stores NULL or 0.0."""

    cpu_allocation_ratio: float | None = None
    ram_allocation_ratio: float | None = None
    disk_allocation_ratio: float | None = None
    initial_cpu_allocation_ratio: float = 4.0
    initial_ram_allocation_ratio: float = 1.0
    initial_disk_allocation_ratio: float = 1.0

    @classmethod
    def from_conf(cls, conf: cfg.ConfigOpts) -> 'AllocationRatioDefaults':
        values: dict[str, float | None] = {}
        for kind, initial in _NOVA_RATIO_DEFAULTS.items():
            values[f'{kind}_allocation_ratio'] = _option(
                conf, f'{kind}_allocation_ratio', None)
            values[f'initial_{kind}_allocation_ratio'] = _option(
                conf, f'initial_{kind}_allocation_ratio', initial)
        return cls(**values)  # type: ignore[arg-type]

    def effective(self, kind: str, stored: Any) -> float:
        """The ratio nova uses for a stored value (None/0.0: fallback)."""
        if stored is not None and stored != 0.0:
            return float(stored)
        configured = getattr(self, f'{kind}_allocation_ratio')
        if configured:
            return float(configured)
        return float(getattr(self, f'initial_{kind}_allocation_ratio'))


def _option(conf: cfg.ConfigOpts, name: str,
            default: float | None) -> float | None:
    # The [DEFAULT] options may not be registered on every ConfigOpts
    # (tests, tools); nova's defaults apply then.
    try:
        value = getattr(conf, name)
    except (cfg.NoSuchOptError, AttributeError):
        return default
    return None if value is None else float(value)


def build_host_state(
        compute_node: Mapping[str, Any], service: Mapping[str, Any], *,
        cell_uuid: str, aggregates: Sequence[aggregate_obj.Aggregate],
        instances: Mapping[str, str | None],
        allocation_ratio_defaults: AllocationRatioDefaults,
        instance_images: Mapping[str, Mapping[str, str]] | None = None,
) -> host_state.HostState | None:
    """The HostState of one compute node, or None when nova skips it.

    nova ignores a node whose free_disk_gb is NULL (created but never
    updated by its resource tracker); the caller logs why it is skipped.
    """
    row = compute_node
    uuid = row.get('uuid')
    if not uuid:
        raise InvalidComputeNode(uuid, 'uuid', 'missing')
    if row.get('free_disk_gb') is None:
        return None
    integer = functools.partial(_integer, row, uuid)
    free_gb = _free_disk_gb(row, uuid)
    stats = columns.stats(uuid, row.get('stats'))
    ratios = allocation_ratio_defaults
    return host_state.HostState(
        host=row.get('host') or service['host'],
        nodename=row.get('hypervisor_hostname'),  # type: ignore[arg-type]
        uuid=str(uuid),
        cell_uuid=cell_uuid,
        service=service_info(service),
        total_usable_ram_mb=integer('memory_mb'),
        # nova notes free_ram_mb can be negative; NULL reads as 0 here.
        free_ram_mb=integer('free_ram_mb', row.get('free_ram_mb') or 0),
        total_usable_disk_gb=integer('local_gb'),
        disk_mb_used=integer('local_gb_used') * 1024,
        free_disk_mb=free_gb * 1024,
        vcpus_total=integer('vcpus'),
        vcpus_used=integer('vcpus_used'),
        cpu_allocation_ratio=ratios.effective(
            'cpu', row.get('cpu_allocation_ratio')),
        ram_allocation_ratio=ratios.effective(
            'ram', row.get('ram_allocation_ratio')),
        disk_allocation_ratio=ratios.effective(
            'disk', row.get('disk_allocation_ratio')),
        numa_topology=columns.numa_topology(uuid, row.get('numa_topology')),
        pci_pools=columns.pci_pools(uuid, row.get('pci_stats')),
        stats=stats,
        num_instances=integer('stats', stats.get('num_instances', 0)),
        num_io_ops=integer('stats', stats.get('io_workload', 0)),
        failed_builds=integer('stats', stats.get('failed_builds', 0)),
        **_hypervisor(row, uuid),
        updated=columns.timestamp(row.get('updated_at')),
        aggregates=tuple(aggregates),
        instances=host_state.frozen_map(instances),
        instance_images=host_state.frozen_map(
            {k: host_state.frozen_map(v)
             for k, v in (instance_images or {}).items()}),
    )


class _Hypervisor(TypedDict):
    """The HostState fields that describe the node's hypervisor."""

    metrics: tuple[host_state.Metric, ...]
    supported_instances: tuple[tuple[str, str, str], ...]
    cpu_info: str | None
    host_ip: str | None
    hypervisor_type: str | None
    hypervisor_version: int | None
    hypervisor_hostname: str | None


def _hypervisor(row: Mapping[str, Any], uuid: object) -> _Hypervisor:
    """What the node's driver reports of its hypervisor, decoded."""
    version = row.get('hypervisor_version')
    return _Hypervisor(
        metrics=columns.metrics(uuid, row.get('metrics')),
        supported_instances=columns.supported_instances(
            uuid, row.get('supported_instances')),
        cpu_info=row.get('cpu_info'),
        host_ip=columns.host_ip(uuid, row.get('host_ip')),
        hypervisor_type=row.get('hypervisor_type'),
        hypervisor_version=(None if version is None
                            else _integer(row, uuid, 'hypervisor_version')),
        hypervisor_hostname=row.get('hypervisor_hostname'))


def _integer(row: Mapping[str, Any], uuid: object, column: str,
             value: Any = None) -> int:
    """``value`` (default: the row's ``column``) as nova's IntegerField."""
    value = row.get(column) if value is None else value
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise InvalidComputeNode(uuid, column, str(exc)) from None


def _free_disk_gb(row: Mapping[str, Any], uuid: object) -> int:
    """Free disk as nova's HostState has it: the smaller of free_disk_gb
    and disk_available_least (when the driver reports the latter)."""
    free_gb = _integer(row, uuid, 'free_disk_gb')
    if row.get('disk_available_least') is None:
        return free_gb
    return min(_integer(row, uuid, 'disk_available_least'), free_gb)


def service_info(service: Mapping[str, Any]) -> host_state.ServiceInfo:
    """The ServiceInfo of a services row."""
    return host_state.ServiceInfo(
        host=service['host'],
        binary=service.get('binary') or 'nova-compute',
        id=service.get('id'),
        uuid=service.get('uuid'),
        topic=service.get('topic'),
        disabled=bool(service.get('disabled')),
        disabled_reason=service.get('disabled_reason'),
        forced_down=bool(service.get('forced_down')),
        last_seen_up=columns.timestamp(service.get('last_seen_up')),
        version=service.get('version'),
        report_count=int(service.get('report_count') or 0),
        created_at=columns.timestamp(service.get('created_at')),
        updated_at=columns.timestamp(service.get('updated_at')),
    )
