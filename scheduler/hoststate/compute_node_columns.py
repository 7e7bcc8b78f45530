"""The columns of a compute_nodes row, decoded as nova's ComputeNode does.

``ComputeNode._from_db_object`` reads the JSON columns (stats, metrics,
supported_instances, pci_stats, numa_topology, with their legacy
formats) and host_ip; each function here reads one column the same way
and raises ``InvalidComputeNode`` naming the column where nova's would
fail. host_builder puts the results together into a HostState.
"""

from collections.abc import Mapping
import datetime
import functools
import ipaddress
import json
import types
from typing import Any

from scheduler.hoststate import host_state
from scheduler.numa import cpu_spec
from scheduler.objects import hv_spec
from scheduler.pci import pools as pools_mod

# Metrics nova stores as hundredths (MonitorMetricList.from_json).
_PERCENT_METRICS = frozenset({
    'cpu.user.percent', 'cpu.kernel.percent', 'cpu.idle.percent',
    'cpu.iowait.percent', 'cpu.percent'})


class InvalidComputeNode(ValueError):
    """A compute_nodes row nova could not turn into a host state either."""

    def __init__(self, uuid: object, column: str, why: str) -> None:
        self.uuid = uuid
        self.column = column
        super().__init__(
            f'Compute node {uuid}: column {column} is not valid: {why}')


def timestamp(value: Any) -> datetime.datetime | None:
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


def stats(uuid: object, raw: Any) -> Mapping[str, str]:
    data = _load(uuid, 'stats', raw) if raw else {}
    if not isinstance(data, dict):
        raise InvalidComputeNode(uuid, 'stats', 'not a JSON object')
    # nova's stats field holds strings; a null value counts as absent.
    return host_state.frozen_map(
        {str(k): str(v) for k, v in data.items() if v is not None})


def metrics(uuid: object, raw: Any) -> tuple[host_state.Metric, ...]:
    data = _load(uuid, 'metrics', raw) if raw else []
    if not isinstance(data, list):
        raise InvalidComputeNode(uuid, 'metrics', 'not a JSON list')
    found = []
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
            found.append(host_state.Metric(
                name=str(item['name']), value=float(int(value)),
                source=item.get('source'),
                timestamp=timestamp(item.get('timestamp'))))
        except (KeyError, TypeError, ValueError) as exc:
            raise InvalidComputeNode(uuid, 'metrics', str(exc)) from None
    return tuple(found)


def supported_instances(uuid: object, raw: Any
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


def host_ip(uuid: object, raw: Any) -> str | None:
    if raw is None or raw == '':
        return None
    try:
        return str(ipaddress.ip_address(str(raw)))
    except ValueError as exc:
        raise InvalidComputeNode(uuid, 'host_ip', str(exc)) from None


def pci_pools(uuid: object, raw: Any) -> tuple[pools_mod.PciPool, ...]:
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


def numa_topology(uuid: object, raw: Any) -> Mapping[str, Any] | None:
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
