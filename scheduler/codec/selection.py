"""Encoding our answer: Selection 1.1 primitives and legacy host dicts.

The primitives are shaped exactly as nova's NovaObjectSerializer emits a
Selection built by Selection.from_host_state: every field set, limits a
SchedulerLimits 1.0 with all four fields, and ``nova_object.changes``
listing every field (nova sends the set unordered; we sort it).
"""

from collections.abc import Sequence
from typing import Any

from scheduler.objects import network as network_obj
from scheduler.objects import numa as numa_obj
from scheduler.objects import selection as selection_obj

Primitive = dict[str, Any]


def _primitive(name: str, version: str, data: Primitive) -> Primitive:
    return {
        'nova_object.name': name,
        'nova_object.namespace': 'nova',
        'nova_object.version': version,
        'nova_object.data': data,
        'nova_object.changes': sorted(data),
    }


def encode_network_metadata(meta: network_obj.NetworkMetadata) -> Primitive:
    return _primitive('NetworkMetadata', '1.0', {
        'physnets': sorted(meta.physnets),
        'tunneled': meta.tunneled,
    })


def encode_numa_limits(limits: numa_obj.NUMATopologyLimits) -> Primitive:
    return _primitive('NUMATopologyLimits', '1.1', {
        'cpu_allocation_ratio': float(limits.cpu_allocation_ratio),
        'ram_allocation_ratio': float(limits.ram_allocation_ratio),
        'network_metadata': encode_network_metadata(limits.network_metadata),
    })


def encode_scheduler_limits(limits: selection_obj.SchedulerLimits,
                            ) -> Primitive:
    numa = limits.numa_topology
    return _primitive('SchedulerLimits', '1.0', {
        'numa_topology': None if numa is None else encode_numa_limits(numa),
        'vcpu': limits.vcpu,
        'disk_gb': limits.disk_gb,
        'memory_mb': limits.memory_mb,
    })


def encode_selection(sel: selection_obj.Selection) -> Primitive:
    """A Selection 1.1 primitive."""
    return _primitive('Selection', '1.1', {
        'compute_node_uuid': sel.compute_node_uuid,
        'service_host': sel.service_host,
        'nodename': sel.nodename,
        'cell_uuid': sel.cell_uuid,
        'limits': (None if sel.limits is None
                   else encode_scheduler_limits(sel.limits)),
        'allocation_request': sel.allocation_request,
        'allocation_request_version': sel.allocation_request_version,
        'availability_zone': sel.availability_zone,
    })


def encode_selections(rows: Sequence[Sequence[selection_obj.Selection]],
                      ) -> list[list[Primitive]]:
    """The 4.5 reply: per instance, the chosen host then alternates."""
    return [[encode_selection(sel) for sel in row] for row in rows]


def encode_legacy_destination(sel: selection_obj.Selection) -> Primitive:
    """The pre-4.5 reply item, as Selection.to_dict() + to_primitive.

    Only the limits that are set appear, numa_topology as a primitive.
    """
    limits: Primitive = {}
    if sel.limits is not None:
        if sel.limits.numa_topology is not None:
            limits['numa_topology'] = encode_numa_limits(
                sel.limits.numa_topology)
        for name in ('vcpu', 'disk_gb', 'memory_mb'):
            value = getattr(sel.limits, name)
            if value is not None:
                limits[name] = value
    return {'host': sel.service_host, 'nodename': sel.nodename,
            'limits': limits}
