"""Our answer: Selection 1.1 primitives and legacy host dicts.

The primitives are shaped exactly as nova's NovaObjectSerializer emits a
Selection built by Selection.from_host_state: every field set, limits a
SchedulerLimits 1.0 with all four fields, and ``nova_object.changes``
listing every field (nova sends the set unordered; we sort it).

``decode_selections`` reads such a reply back (our RPC client's side):
Selection 1.x, any minor, unknown fields ignored.
"""

from collections.abc import Sequence
from typing import Any

from scheduler.codec import limits as limits_mod
from scheduler.codec import primitive
from scheduler.codec import scheduler_limits
from scheduler.codec import values as v
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


def decode_selection(obj: primitive.Obj) -> selection_obj.Selection:
    return selection_obj.Selection(
        compute_node_uuid=obj.req('compute_node_uuid', v.as_uuid),
        service_host=obj.req('service_host', v.as_str),
        nodename=obj.req('nodename', v.as_str),
        cell_uuid=obj.req('cell_uuid', v.as_uuid),
        limits=obj.get('limits', scheduler_limits.read_scheduler_limits),
        allocation_request=obj.get('allocation_request', v.as_str),
        allocation_request_version=obj.get('allocation_request_version',
                                           v.as_str),
        availability_zone=obj.get('availability_zone', v.as_str),
    )


read_selection = primitive.object_reader('Selection', decode_selection)


def _rows(path: v.Path, value: object,
          ) -> tuple[tuple[selection_obj.Selection, ...], ...]:
    return v.as_list(path, value,
                     lambda p, row: v.as_list(p, row, read_selection))


def decode_selections(
        payload: object,
        limits: limits_mod.DecodeLimits = limits_mod.DEFAULT_LIMITS,
        *, root: str = 'selections',
) -> tuple[tuple[selection_obj.Selection, ...], ...]:
    """A 4.5 reply: per instance, the chosen host then alternates."""
    path = v.Path(root, limits)
    return primitive.guarded(path, lambda: _rows(path, payload))
