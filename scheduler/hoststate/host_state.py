"""The immutable host snapshot that filters and weighers read.

A ``HostState`` is built once from nova's compute_nodes/services rows plus
the aggregate and instance caches, and shared read-only between requests.
Per-request data (the host's Placement allocation candidates, what earlier
instances of a multi-create consumed) is layered on by making a new
``HostState`` with ``dataclasses.replace``; the cached one never changes.
"""

from collections.abc import Iterable, Mapping
import dataclasses
import datetime
import types
from typing import Any

from scheduler.objects import aggregate as aggregate_obj
from scheduler.objects import selection
from scheduler.pci import pools as pools_mod

_EMPTY: Mapping[str, Any] = types.MappingProxyType({})


def frozen_map(mapping: Mapping[Any, Any]) -> Mapping[Any, Any]:
    """An immutable copy of ``mapping``.

    Every empty one is the same shared object: most hosts have empty
    stats or image maps, and each empty copy would cost ~100 bytes.
    """
    if not mapping:
        return _EMPTY
    return types.MappingProxyType(dict(mapping))


@dataclasses.dataclass(frozen=True, slots=True)
class ServiceInfo:
    """The nova-compute ``services`` row of a host."""

    host: str
    binary: str = 'nova-compute'
    id: int | None = None
    uuid: str | None = None
    topic: str | None = None
    disabled: bool = False
    disabled_reason: str | None = None
    forced_down: bool = False
    last_seen_up: datetime.datetime | None = None
    version: int | None = None
    report_count: int = 0
    created_at: datetime.datetime | None = None
    updated_at: datetime.datetime | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class Metric:
    name: str
    value: float
    source: str | None = None
    timestamp: datetime.datetime | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class HostState:
    host: str
    nodename: str
    uuid: str
    cell_uuid: str
    service: ServiceInfo
    total_usable_ram_mb: int = 0
    free_ram_mb: int = 0
    total_usable_disk_gb: int = 0
    disk_mb_used: int = 0
    free_disk_mb: int = 0
    vcpus_total: int = 0
    vcpus_used: int = 0
    cpu_allocation_ratio: float = 4.0
    ram_allocation_ratio: float = 1.0
    disk_allocation_ratio: float = 1.0
    # Decoded NUMATopology primitive of the host (read by NUMA filters).
    numa_topology: Mapping[str, Any] | None = None
    pci_pools: tuple[pools_mod.PciPool, ...] = ()
    stats: Mapping[str, str] = dataclasses.field(
        default_factory=lambda: _EMPTY)
    num_instances: int = 0
    num_io_ops: int = 0
    failed_builds: int = 0
    metrics: tuple[Metric, ...] = ()
    # (architecture, hypervisor type, vm mode) triples.
    supported_instances: tuple[tuple[str, str, str], ...] = ()
    # nova keeps cpu_info as the JSON *string* the driver reported.
    cpu_info: str | None = None
    host_ip: str | None = None
    hypervisor_type: str | None = None
    hypervisor_version: int | None = None
    hypervisor_hostname: str | None = None
    updated: datetime.datetime | None = None
    aggregates: tuple[aggregate_obj.Aggregate, ...] = ()
    # uuid -> project id (None when unknown) of the instances on the host.
    instances: Mapping[str, str | None] = dataclasses.field(
        default_factory=lambda: _EMPTY)
    # uuid -> the image properties of that instance as nova reads them from
    # its system_metadata ``image_*`` keys (property name -> str() of nova's
    # typed value). Read by ImagePropertiesWeigher; filled by whoever builds
    # host states, never looked up per host per request.
    instance_images: Mapping[str, Mapping[str, str]] = dataclasses.field(
        default_factory=lambda: _EMPTY)
    # Per request: Placement allocation requests that include this host's
    # provider, in Placement's order.
    allocation_candidates: tuple[Mapping[str, Any], ...] = ()
    # Per request: limits filters attach (NUMATopologyFilter).
    limits: selection.SchedulerLimits = selection.SchedulerLimits()


def with_candidates(host: HostState,
                    allocation_requests: Iterable[Mapping[str, Any]]
                    ) -> HostState:
    """A copy of ``host`` carrying this request's allocation candidates."""
    return dataclasses.replace(
        host, allocation_candidates=tuple(allocation_requests))


def render_image_property(value: Any) -> str:
    """An image property value as nova's str() of its typed value.

    Wire lists (tuples here) print as Python lists, sets as sets and
    mappings as dicts, as nova's do.
    """
    return str(_plain(value))


def _plain(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return set(value)
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    return value
