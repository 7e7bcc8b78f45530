"""Build a HostState from nova's compute_nodes and services rows.

This reproduces what nova does between the database and the filters:
ComputeNode._from_db_object (JSON columns, allocation-ratio fallback,
legacy NUMA and PCI formats) followed by HostState._update_from_compute_node
(free disk from disk_available_least, counters from stats, metrics, the
supported instance triples). Rows are plain mappings keyed by nova's column
names, with the JSON columns as the strings the database holds.

Unlike nova, nothing is written back (nova saves the ratio and NUMA
conversions to the compute_nodes row) and a malformed row raises
``InvalidComputeNode`` for that one host instead of failing the request.
"""

from collections.abc import Mapping, Sequence
import dataclasses
import datetime
import functools
import ipaddress
import json
import types
from typing import Any

from oslo_config import cfg

from scheduler import host_state
from scheduler.numa import cpu_spec
from scheduler.objects import aggregate as aggregate_obj
from scheduler.objects import hv_spec
from scheduler.pci import pools as pools_mod

# Metrics nova stores as hundredths (MonitorMetricList.from_json).
_PERCENT_METRICS = frozenset({
    'cpu.user.percent', 'cpu.kernel.percent', 'cpu.idle.percent',
    'cpu.iowait.percent', 'cpu.percent'})
_NOVA_RATIO_DEFAULTS = {'cpu': 4.0, 'ram': 1.0, 'disk': 1.0}


class InvalidComputeNode(ValueError):
    """A compute_nodes row nova could not turn into a host state either."""

    def __init__(self, uuid: object, column: str, why: str) -> None:
        self.uuid = uuid
        self.column = column
        super().__init__(
            f'Compute node {uuid}: column {column} is not valid: {why}')


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

    def integer(column: str, value: Any = None) -> int:
        value = row.get(column) if value is None else value
        try:
            return int(value)
        except (TypeError, ValueError) as exc:
            raise InvalidComputeNode(uuid, column, str(exc)) from None

    free_gb = integer('free_disk_gb')
    least_gb = row.get('disk_available_least')
    if least_gb is not None:
        free_gb = min(integer('disk_available_least'), free_gb)
    stats = _stats(uuid, row.get('stats'))
    ratios = allocation_ratio_defaults
    hypervisor_version = row.get('hypervisor_version')
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
        numa_topology=_numa_topology(uuid, row.get('numa_topology')),
        pci_pools=_pci_pools(uuid, row.get('pci_stats')),
        stats=stats,
        num_instances=integer('stats', stats.get('num_instances', 0)),
        num_io_ops=integer('stats', stats.get('io_workload', 0)),
        failed_builds=integer('stats', stats.get('failed_builds', 0)),
        metrics=_metrics(uuid, row.get('metrics')),
        supported_instances=_supported_instances(
            uuid, row.get('supported_instances')),
        cpu_info=row.get('cpu_info'),
        host_ip=_host_ip(uuid, row.get('host_ip')),
        hypervisor_type=row.get('hypervisor_type'),
        hypervisor_version=(None if hypervisor_version is None
                            else integer('hypervisor_version')),
        hypervisor_hostname=row.get('hypervisor_hostname'),
        updated=_datetime(row.get('updated_at')),
        aggregates=tuple(aggregates),
        instances=host_state.frozen_map(instances),
        instance_images=host_state.frozen_map(
            {k: host_state.frozen_map(v)
             for k, v in (instance_images or {}).items()}),
    )


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
        last_seen_up=_datetime(service.get('last_seen_up')),
        version=service.get('version'),
        report_count=int(service.get('report_count') or 0),
        created_at=_datetime(service.get('created_at')),
        updated_at=_datetime(service.get('updated_at')),
    )


def _datetime(value: Any) -> datetime.datetime | None:
    """A timestamp as nova's DateTimeField holds it: aware, in UTC."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value.replace(' ', 'T'))
    if not isinstance(value, datetime.datetime):
        raise ValueError(f'not a timestamp: {type(value).__name__}')
    if value.tzinfo is None:
        # Database timestamps are UTC without a zone.
        return value.replace(tzinfo=datetime.UTC)
    return value.astimezone(datetime.UTC)


def _load(uuid: object, column: str, raw: Any) -> Any:
    if not isinstance(raw, str):
        return raw
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise InvalidComputeNode(uuid, column, f'bad JSON: {exc}') from None


def _stats(uuid: object, raw: Any) -> Mapping[str, str]:
    data = _load(uuid, 'stats', raw) if raw else {}
    if not isinstance(data, dict):
        raise InvalidComputeNode(uuid, 'stats', 'not a JSON object')
    # nova's stats field holds strings; a null value counts as absent.
    return host_state.frozen_map(
        {str(k): str(v) for k, v in data.items() if v is not None})


def _metrics(uuid: object, raw: Any) -> tuple[host_state.Metric, ...]:
    data = _load(uuid, 'metrics', raw) if raw else []
    if not isinstance(data, list):
        raise InvalidComputeNode(uuid, 'metrics', 'not a JSON list')
    metrics = []
    for item in data:
        # NUMA bandwidth metrics carry no scalar value; no weigher reads
        # them (nova would fail on them if weighed).
        if not isinstance(item, dict) or 'value' not in item:
            continue
        try:
            value = float(item['value'])
            # nova keeps percentages as integer hundredths and truncates
            # every value to an integer.
            if item.get('name') in _PERCENT_METRICS:
                value *= 100
            metrics.append(host_state.Metric(
                name=str(item['name']), value=float(int(value)),
                source=item.get('source'),
                timestamp=_datetime(item.get('timestamp'))))
        except (KeyError, TypeError, ValueError) as exc:
            raise InvalidComputeNode(uuid, 'metrics', str(exc)) from None
    return tuple(metrics)


def _supported_instances(uuid: object, raw: Any
                         ) -> tuple[tuple[str, str, str], ...]:
    try:
        if isinstance(raw, str):
            # Hosts of one kind report the same text: they share one
            # parsed tuple (and its strings) instead of a copy each.
            return _parse_supported_instances(raw)
        return _supported_triples(raw)
    except (TypeError, ValueError, AttributeError) as exc:
        raise InvalidComputeNode(
            uuid, 'supported_instances', str(exc)) from None


@functools.lru_cache(maxsize=64)
def _parse_supported_instances(raw: str
                               ) -> tuple[tuple[str, str, str], ...]:
    try:
        data = json.loads(raw) if raw else []
    except ValueError as exc:
        raise ValueError(f'bad JSON: {exc}') from None
    return _supported_triples(data)


def _supported_triples(data: Any) -> tuple[tuple[str, str, str], ...]:
    triples = []
    for arch, hv_type, vm_mode in data or []:
        triple = (hv_spec.canonical_architecture(arch),
                  hv_spec.canonical_hv_type(hv_type),
                  hv_spec.canonical_vm_mode(vm_mode))
        if None in triple:
            raise ValueError('null in a supported instance triple')
        triples.append(triple)
    return tuple(triples)  # type: ignore[arg-type]


def _host_ip(uuid: object, raw: Any) -> str | None:
    if raw is None or raw == '':
        return None
    try:
        return str(ipaddress.ip_address(str(raw)))
    except ValueError as exc:
        raise InvalidComputeNode(uuid, 'host_ip', str(exc)) from None


def _pci_pools(uuid: object, raw: Any) -> tuple[pools_mod.PciPool, ...]:
    """pci_stats: a PciDevicePoolList primitive or the legacy dict/list."""
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            raw = None  # nova reads an unparsable column as no pools
    if not raw:
        return ()
    if isinstance(raw, dict) and 'nova_object.namespace' in raw:
        items = [(_primitive_data(p), True)
                 for p in _primitive_data(raw).get('objects', [])]
    else:
        items = [(p, False) for p in (raw if isinstance(raw, list)
                                      else [raw])]
    pools: list[tuple[int, pools_mod.PciPool]] = []
    try:
        for item, is_object in items:
            pool = _pci_pool(item, is_object)
            # nova sorts pools by the size of their flattened dicts.
            size = (3 + len(pool.tags)
                    + (1 if 'numa_node' in item or not is_object else 0))
            pools.append((size, pool))
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        raise InvalidComputeNode(uuid, 'pci_stats', str(exc)) from None
    pools.sort(key=lambda sized: sized[0])
    return tuple(pool for _, pool in pools)


def _primitive_data(primitive: Any) -> dict[str, Any]:
    data = primitive['nova_object.data']
    if not isinstance(data, dict):
        raise TypeError('nova_object.data is not an object')
    return data


def _pci_pool(item: Mapping[str, Any],
              is_object: bool) -> pools_mod.PciPool:
    if is_object:
        tags = dict(item.get('tags') or {})
    else:
        tags = {k: v for k, v in item.items() if k not in
                ('vendor_id', 'product_id', 'numa_node', 'count')}
    numa_node = item.get('numa_node')
    return pools_mod.PciPool(
        vendor_id=str(item['vendor_id']),
        product_id=str(item['product_id']),
        count=int(item['count']),
        numa_node=None if numa_node is None else int(numa_node),
        tags=types.MappingProxyType(
            {str(k): None if v is None else str(v)
             for k, v in tags.items()}))


def _numa_topology(uuid: object, raw: Any) -> Mapping[str, Any] | None:
    if not raw:
        return None
    if isinstance(raw, str) and 'nova_object.name' not in raw:
        return _legacy_numa_topology(uuid, raw)
    data = _load(uuid, 'numa_topology', raw)
    if not isinstance(data, dict):
        raise InvalidComputeNode(uuid, 'numa_topology', 'not an object')
    return data


def _legacy_numa_topology(uuid: object, raw: str) -> Mapping[str, Any]:
    """A pre-Liberty topology as NUMATopology.from_legacy_object makes it."""
    data = _load(uuid, 'numa_topology', raw)
    try:
        cells = [{
            'nova_object.name': 'NUMACell',
            'nova_object.namespace': 'nova',
            'nova_object.version': '1.5',
            'nova_object.data': {
                'id': int(cell['id']),
                'cpuset': sorted(cpu_spec.parse_cpu_spec(
                    cell.get('cpus', ''))),
                'memory': int(cell.get('mem', {}).get('total', 0)),
                'cpu_usage': int(cell.get('cpu_usage', 0)),
                'memory_usage': int(cell.get('mem', {}).get('used', 0)),
                'pinned_cpus': [],
                'siblings': [],
                'mempages': [],
            },
        } for cell in data.get('cells', [])]
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        raise InvalidComputeNode(uuid, 'numa_topology', str(exc)) from None
    return {
        'nova_object.name': 'NUMATopology',
        'nova_object.namespace': 'nova',
        'nova_object.version': '1.2',
        'nova_object.data': {'cells': cells},
    }
